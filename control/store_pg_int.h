/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_pg_int.h - what the files of the PostgreSQL back end share.  Not
 * for use outside control/store_pg*.c.
 *
 * Layered like the SQLite back end; each file calls only the ones below:
 *
 *   store_pg.c           open, close, the ops table, LISTEN and waiting
 *   store_pg_ingest.c    record (one server-side call per event), marks,
 *                        batch transactions, purge, replication reads
 *   store_pg_workflow.c  reviews (server-side), allowlist, blocks, and the
 *                        decisions they append
 *   store_pg_query.c     candidates, occurrences, trails, status, exports
 *   store_pg_migrate.c   the schema, its server-side functions, its version
 *   store_pg_db.c        the core: connection, parameters, results, rows,
 *                        transactions
 *
 * Every statement binds its parameters as text (PQexecParams); no SQL is
 * ever built from request text.
 */
#ifndef HASHWALL_CONTROL_STORE_PG_INT_H
#define HASHWALL_CONTROL_STORE_PG_INT_H

#include "control/store_pg.h"

#include <libpq-fe.h>

#define CTL_PG_CAND_COLS                                                        \
	"id, set_id, set_version, algo, digest, host, path, server_ip, server_port, " \
	"category, ref, status, first_seen, last_seen, occurrences, reopened, "       \
	"host_truncated, path_truncated, retroactive, near_entry, near_distance, "    \
	"near_quality, near_variant"

#define CTL_PG_BLOCK_COLS "id, host, path, candidate_id, source, created, expires, actor"

#define CTL_PG_ARGS_MAX 32

/* The ingest mark of the last peer recorded in the open transaction:
 * read once, kept here, written once at commit (store_pg_ingest.c). */
struct ctl_pg_mark {
	bool valid, dirty;
	char dataplane[CTL_DP_MAX + 1];
	char epoch[CTL_DP_MAX + 1];
	uint64_t seq;
	int64_t updated;
};

/* One connection. */
struct ctl_pg {
	struct ctl_store store; /* first: ctl_store_* see only this */
	PGconn *conn;
	char appliance[CTL_APPLIANCE_MAX + 1];
	bool in_tx;
	struct ctl_pg_mark mark;
	char errmsg[256];
};

static inline struct ctl_pg *ctl_pg_of(struct ctl_store *s)
{
	return (struct ctl_pg *)s;
}

/* The parameters of one statement, as text. */
struct ctl_pg_args {
	const char *v[CTL_PG_ARGS_MAX];
	char num[CTL_PG_ARGS_MAX][24];
	int n;
};

/* ---- core (store_pg_db.c) ---- */

/* Append a string (NULL: SQL NULL), an integer, a boolean. */
void ctl_pg_arg_str(struct ctl_pg_args *a, const char *v);
void ctl_pg_arg_i64(struct ctl_pg_args *a, int64_t v);
void ctl_pg_arg_bool(struct ctl_pg_args *a, bool v);

/*
 * Run @sql with @a (NULL: none).  Returns the result (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK) for the caller to PQclear(), or NULL after a failure,
 * with -errno in *ret_err when given (-EEXIST for a unique violation,
 * -EIO otherwise) and the server's message kept for errmsg.
 */
PGresult *ctl_pg_exec(struct ctl_pg *p, const char *sql, const struct ctl_pg_args *a,
		      int *ret_err);

/* Keep the message of @res (NULL: the connection's) for errmsg: its first
 * line. */
void ctl_pg_keep_error(struct ctl_pg *p, const PGresult *res);

/* Run a command; its affected row count in *ret_n when given.  0 or -errno. */
int ctl_pg_cmd(struct ctl_pg *p, const char *sql, const struct ctl_pg_args *a, uint64_t *ret_n);

/*
 * Run a query and call @row(res, i, ctx) per row; stops at the first
 * non-zero return and returns it; -EIO on failure.
 */
int ctl_pg_each(struct ctl_pg *p, const char *sql, const struct ctl_pg_args *a,
		int (*row)(PGresult *res, int i, void *ctx), void *ctx);

/* Run a query returning one integer (row 0, column 0): 0, -ENOENT (no
 * row), -EIO. */
int ctl_pg_int(struct ctl_pg *p, const char *sql, const struct ctl_pg_args *a, int64_t *ret);

/* Column helpers: text copied into @dst of @cap ("" for NULL), integers,
 * booleans ('t'). */
void ctl_pg_text(PGresult *res, int i, int col, char *dst, size_t cap);
int64_t ctl_pg_i64(PGresult *res, int i, int col);
bool ctl_pg_bool(PGresult *res, int i, int col);

/* BEGIN / COMMIT / ROLLBACK (the latter only when one is open). */
int ctl_pg_tx_begin(struct ctl_pg *p);
int ctl_pg_tx_commit(struct ctl_pg *p);
void ctl_pg_tx_rollback(struct ctl_pg *p);

/* Fill @c from a row whose first 19 columns are CTL_PG_CAND_COLS. */
void ctl_pg_row_candidate(PGresult *res, int i, struct ctl_candidate *c);

/* The pdq nearness, columns 19..22 of a CTL_PG_CAND_COLS row, into @c. */
void ctl_pg_row_near(PGresult *res, int i, struct ctl_candidate *c);

/* Fill @v from 8 columns from @col: id, candidate_id, at, actor,
 * from_status, to_status, note, allow_scope. */
void ctl_pg_row_review(PGresult *res, int i, int col, struct ctl_review *v);

/* A ctl_pg_each() row callback for rows that are 8 review columns from
 * column 0: hands each to @arg's fn. */
struct ctl_pg_review_walk {
	ctl_review_fn fn;
	void *ctx;
};
int ctl_pg_review_row(PGresult *res, int i, void *arg);

/* ---- schema (store_pg_migrate.c) ---- */

/* Bring the schema to @target (each step one transaction, serialised by an
 * advisory lock).  0, -ENOTSUP (newer than @target), -EINVAL, -EIO. */
int ctl_pg_migrate(struct ctl_pg *p, int target);

int ctl_pg_schema_version(struct ctl_store *s);

/* ---- queries (store_pg_query.c) ---- */

int ctl_pg_candidates(struct ctl_store *s, const struct ctl_cand_filter *f, ctl_cand_fn fn,
		      void *ctx, uint64_t *ret_total);
int ctl_pg_candidate(struct ctl_store *s, int64_t id, struct ctl_candidate *ret);
int ctl_pg_occurrences(struct ctl_store *s, int64_t id, uint64_t limit, ctl_occ_fn fn,
		       void *ctx);
int ctl_pg_reviews(struct ctl_store *s, int64_t id, ctl_review_fn fn, void *ctx);
int ctl_pg_count_status(struct ctl_store *s, uint64_t *ret_counts);
int ctl_pg_counts(struct ctl_store *s, int64_t now, uint64_t *ret_allow, uint64_t *ret_blocks);
int ctl_pg_set_summary(struct ctl_store *s, ctl_set_fn fn, void *ctx);
int ctl_pg_candidates_by_host(struct ctl_store *s, int status, ctl_cand_fn fn, void *ctx);
int ctl_pg_candidate_find(struct ctl_store *s, const char *set, enum hwall_algo algo,
			  const char *digest, const char *host, const char *path,
			  int64_t *ret_id);

/* ---- workflow (store_pg_workflow.c) ---- */

int ctl_pg_review(struct ctl_store *s, int64_t id, enum ctl_status to, const char *actor,
		  const char *note, enum ctl_allow_scope scope, int64_t now,
		  struct ctl_review_result *ret);
bool ctl_pg_allowed(struct ctl_store *s, enum hwall_algo algo, const char *digest,
		    const char *set);
int ctl_pg_allow_add(struct ctl_store *s, enum hwall_algo algo, const char *digest,
		     const char *set, const char *actor, const char *note, int64_t now);
int ctl_pg_allow_remove(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			const char *set);
int ctl_pg_allow_list(struct ctl_store *s, ctl_allow_fn fn, void *ctx);
int ctl_pg_block_add(struct ctl_store *s, const char *host, const char *path,
		     int64_t candidate_id, enum ctl_block_source source, const char *actor,
		     int64_t now, int64_t expires, int64_t *ret_id);
int ctl_pg_block_remove(struct ctl_store *s, int64_t id, struct ctl_block *ret_block);
int ctl_pg_block_get(struct ctl_store *s, int64_t id, struct ctl_block *ret);
int ctl_pg_block_expires(struct ctl_store *s, const char *host, const char *path,
			 int64_t *ret_expires);
int ctl_pg_blocks(struct ctl_store *s, int64_t now, uint64_t offset, uint64_t limit,
		  ctl_block_fn fn, void *ctx, uint64_t *ret_total);
int ctl_pg_blocks_renew(struct ctl_store *s, int64_t now, int64_t ttl, uint64_t *ret_n);
int ctl_pg_blocks_expire(struct ctl_store *s, int64_t now, uint64_t *ret_n);

/* ---- ingest and replication reads (store_pg_ingest.c) ---- */

int ctl_pg_begin(struct ctl_store *s);
int ctl_pg_commit(struct ctl_store *s);
void ctl_pg_rollback(struct ctl_store *s);
int ctl_pg_record(struct ctl_store *s, const struct ctl_event *ev, const char *dataplane,
		  const char *epoch, uint64_t seq, struct ctl_record_result *ret);
int ctl_pg_peer_mark(struct ctl_store *s, const char *dataplane, const char *epoch,
		     uint64_t *ret_seq);
int ctl_pg_peer_advance(struct ctl_store *s, const char *dataplane, const char *epoch,
			uint64_t seq, int64_t now);
int ctl_pg_purge(struct ctl_store *s, int64_t before, uint64_t *ret_n);
int ctl_pg_replicas(struct ctl_store *s, int64_t after, uint64_t limit, ctl_replica_fn fn,
		    void *ctx);
int ctl_pg_reviews_after(struct ctl_store *s, int64_t after, uint64_t limit,
			 ctl_review_cand_fn fn, void *ctx);
int ctl_pg_tail(struct ctl_store *s, int64_t *ret_occ, int64_t *ret_review);

/* ---- audit trail, quarantines, reports (store_pg_audit.c) ---- */

int ctl_pg_audit_tail(struct ctl_store *s, int64_t *ret_seq, uint8_t ret_hash[CTL_AUDIT_HASH_LEN]);
int ctl_pg_audit_insert(struct ctl_store *s, const struct ctl_audit_rec *r);
int ctl_pg_audit_walk(struct ctl_store *s, int64_t from, uint64_t limit, bool newest_first,
		      ctl_audit_fn fn, void *ctx);
int ctl_pg_digest_spread(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			 int64_t since, uint64_t *ret_hosts, uint64_t *ret_urls);
int ctl_pg_quarantine_get(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			  struct ctl_quarantine *ret);
int ctl_pg_quarantine_by_id(struct ctl_store *s, int64_t id, struct ctl_quarantine *ret);
int ctl_pg_quarantine_add(struct ctl_store *s, struct ctl_quarantine *q, ctl_block_fn fn,
			  void *ctx);
int ctl_pg_quarantine_decide(struct ctl_store *s, int64_t id, enum ctl_quarantine_state to,
			     const char *actor, int64_t now, int64_t expires,
			     uint64_t *ret_blocks);
int ctl_pg_quarantines(struct ctl_store *s, int state, uint64_t offset, uint64_t limit,
		       ctl_quarantine_fn fn, void *ctx, uint64_t *ret_total);
int ctl_pg_reviews_between(struct ctl_store *s, int64_t since, int64_t until, ctl_review_fn fn,
			   void *ctx);
int ctl_pg_candidates_first_seen(struct ctl_store *s, int64_t since, int64_t until,
				 ctl_cand_fn fn, void *ctx);

#endif
