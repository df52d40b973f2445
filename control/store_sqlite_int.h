/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_sqlite_int.h - what the files of the SQLite back end share.  Not for
 * use outside control/store_sqlite*.c.
 *
 * The back end is layered; each file calls only the ones below it:
 *
 *   store_sqlite.c           open, close, the ops table
 *   store_sqlite_ingest.c    record, ingest marks, batch transactions, purge
 *   store_sqlite_audit.c     the audit trail's rows, flood quarantines
 *   store_sqlite_workflow.c  reviews and their audit rows, allowlist, blocks
 *   store_sqlite_replica.c   what the fleet uplink reads (cursors, keys)
 *   store_sqlite_query.c     candidates, occurrences, trails, status, exports
 *   store_sqlite_migrate.c   the schema and its version
 *   store_sqlite_db.c        the core: connection, cached statements,
 *                            transactions, rows, candidate and block keys
 *
 * (query and migrate sit side by side; ingest uses the workflow's
 * allowlist check and audit row when a match reopens a candidate.)
 */
#ifndef HASHWALL_CONTROL_STORE_SQLITE_INT_H
#define HASHWALL_CONTROL_STORE_SQLITE_INT_H

#include "control/store_sqlite.h"

#include <sqlite3.h>

#define CTL_CAND_COLS                                                           \
	"id, set_id, set_version, algo, digest, host, path, server_ip, server_port, " \
	"category, ref, status, first_seen, last_seen, occurrences, reopened, "       \
	"host_truncated, path_truncated, retroactive, near_entry, near_distance, "    \
	"near_quality, near_variant"

#define CTL_BLOCK_COLS "id, host, path, candidate_id, source, created, expires, actor"

/* A candidate column set to @val (bound to the match's ?17..?20) when the
 * match (distance ?18) is nearer than what the candidate holds: SET sees
 * the row as it was, so every column tests the same old near_distance. */
#define CTL_NEARER(col, val)                                                          \
	col " = CASE WHEN ?18 >= 0 AND (near_distance < 0 OR ?18 < near_distance) "   \
	"THEN " val " ELSE " col " END"

/* Statements used often enough to keep prepared. */
#define CTL_SQL_LIST(X)                                                              \
	X(PEER_GET, "SELECT last_seq FROM ingest_peers WHERE dataplane = ?1 AND epoch = ?2") \
	X(PEER_SET, "INSERT INTO ingest_peers (dataplane, epoch, last_seq, updated) "        \
		    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (dataplane, epoch) DO UPDATE "     \
		    "SET last_seq = max(last_seq, excluded.last_seq), "   \
		    "updated = excluded.updated")         \
	X(ALLOW_HAS, "SELECT 1 FROM allowlist WHERE algo = ?1 AND digest = ?2 "             \
		     "AND set_id IN ('', ?3)")                                              \
	X(CAND_FIND, "SELECT id, status, first_seen, last_seen FROM candidates " \
		     "WHERE ckey = ?12 AND set_id = ?1 "                                    \
		     "AND algo = ?2 AND digest = ?3 AND host = ?4 AND path = ?5")           \
	X(CAND_INSERT, "INSERT INTO candidates (ckey, set_id, algo, digest, host, path, "    \
		       "set_version, server_ip, server_port, category, ref, first_seen, "   \
		       "last_seen, occurrences, host_truncated, path_truncated, near_entry, " \
		       "near_distance, near_quality, near_variant) VALUES "                 \
		       "(?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, 1, ?13, ?14, " \
		       "?17, ?18, ?19, ?20)")                                               \
	X(CAND_UPDATE, "UPDATE candidates SET set_version = ?6, server_ip = ?7, "            \
		       "server_port = ?8, category = ?9, ref = ?10, "                       \
		       "first_seen = min(first_seen, ?11), last_seen = max(last_seen, ?11), " \
		       "occurrences = occurrences + 1, "                                    \
		       "host_truncated = max(host_truncated, ?13), "                        \
		       "path_truncated = max(path_truncated, ?14), " CTL_NEARER("near_entry", "?17") \
		       ", " CTL_NEARER("near_quality", "?19") ", "                          \
		       CTL_NEARER("near_variant", "?20") ", "                               \
		       CTL_NEARER("near_distance", "?18") " WHERE id = ?1")                 \
	X(CAND_INSERT_RETRO, "INSERT INTO candidates (ckey, set_id, algo, digest, host, path, " \
		       "set_version, server_ip, server_port, category, ref, first_seen, "   \
		       "last_seen, occurrences, host_truncated, path_truncated, retroactive) " \
		       "VALUES (?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?15, ?11, ?16, " \
		       "?13, ?14, 1)")                                                      \
	X(CAND_UPDATE_RETRO, "UPDATE candidates SET first_seen = min(first_seen, ?2), "      \
		       "last_seen = max(last_seen, ?3), occurrences = occurrences + ?4 "    \
		       "WHERE id = ?1")                                                     \
	X(CAND_REOPEN, "UPDATE candidates SET status = 'confirmed', "                        \
		       "reopened = reopened + 1 WHERE id = ?1")                             \
	X(CAND_SET_STATUS, "UPDATE candidates SET status = ?2 WHERE id = ?1")                \
	X(CAND_GET, "SELECT " CTL_CAND_COLS " FROM candidates WHERE id = ?1")                \
	X(OCC_INSERT, "INSERT INTO occurrences (candidate_id, seen, client, method, "        \
		      "server_ip, server_port, http_status, size, complete, partial, "      \
		      "dataplane, epoch, seq, normalised, distance, quality) VALUES (?1, ?2, " \
		      "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)")     \
	X(BLOCK_RENEW, "UPDATE blocks SET expires = max(expires, ?6), "                     \
		       "source = CASE WHEN source = 'manual' THEN 'manual' ELSE ?4 END, "   \
		       "candidate_id = CASE WHEN candidate_id = 0 THEN ?3 "                 \
		       "ELSE candidate_id END "                                             \
		       "WHERE bkey = ?8 AND host = ?1 AND path = ?2")                       \
	X(BLOCK_INSERT, "INSERT INTO blocks (bkey, host, path, candidate_id, source, "       \
			"created, expires, actor) VALUES (?8, ?1, ?2, ?3, ?4, ?5, ?6, ?7)")   \
	X(BLOCK_ID, "SELECT id FROM blocks WHERE bkey = ?3 AND host = ?1 AND path = ?2")     \
	X(BLOCK_EXPIRES, "SELECT expires FROM blocks WHERE bkey = ?3 AND host = ?1 "         \
			 "AND path = ?2")                                                    \
	X(REVIEW_INSERT, "INSERT INTO reviews (candidate_id, at, actor, from_status, "       \
			 "to_status, note, allow_scope) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")

enum ctl_sql {
#define CTL_SQL_ENUM(name, text) CTL_SQL_##name,
	CTL_SQL_LIST(CTL_SQL_ENUM)
#undef CTL_SQL_ENUM
	CTL_SQL_COUNT
};

/* The ingest high-water mark of the last peer recorded, kept in memory
 * inside a transaction and written once, at commit (store_sqlite_ingest.c). */
struct ctl_mark_cache {
	bool valid, dirty;
	char dataplane[CTL_DP_MAX + 1];
	char epoch[CTL_DP_MAX + 1];
	uint64_t seq;
	int64_t updated;
};

/* One connection. */
struct ctl_sqlite {
	struct ctl_store store; /* first: ctl_store_* see only this */
	sqlite3 *db;
	sqlite3_stmt *stmts[CTL_SQL_COUNT];
	struct ctl_mark_cache mark;
};

/* The connection behind @s (which ctl_sqlite_ops' open handed out). */
static inline struct ctl_sqlite *ctl_sqlite_of(struct ctl_store *s)
{
	return (struct ctl_sqlite *)s;
}

/* ---- core (store_sqlite_db.c) ---- */

/*
 * Open the database file @path (":memory:") into @q with controld's
 * pragmas (WAL, synchronous=FULL, foreign keys, busy timeout).  0 or -EIO
 * with @err saying "PATH: SQLite's message" (@q needs
 * ctl_sqlite_disconnect() after a failure too).
 */
int ctl_sqlite_connect(struct ctl_sqlite *q, const char *path, struct hwall_err *err);

/* Finalize the cached statements and close the database; @q stays allocated. */
void ctl_sqlite_disconnect(struct ctl_sqlite *q);

/* The op errmsg: SQLite's message for the last failure on @s. */
const char *ctl_sqlite_errmsg(struct ctl_store *s);

/* The cached statement @id, reset and unbound; NULL when preparing failed. */
sqlite3_stmt *ctl_sqlite_stmt(struct ctl_sqlite *q, enum ctl_sql id);

/* Step a statement that returns no rows; 0 or -EIO (-EEXIST on a UNIQUE
 * clash, -EBUSY when the database stayed locked). */
int ctl_sqlite_step_done(sqlite3_stmt *st);

/*
 * Step @st, calling @row(st, ctx) for every row, and finalize it.  Stops at
 * the first non-zero return of @row and returns it; -EIO on a step error.
 */
int ctl_sqlite_each_row(sqlite3_stmt *st, int (*row)(sqlite3_stmt *st, void *ctx), void *ctx);

/* Whether a transaction is open on @q. */
bool ctl_sqlite_in_tx(struct ctl_sqlite *q);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (the latter only when one is open).
 * 0 or -EIO/-EBUSY. */
int ctl_sqlite_tx_begin(struct ctl_sqlite *q);
int ctl_sqlite_tx_commit(struct ctl_sqlite *q);
void ctl_sqlite_tx_rollback(struct ctl_sqlite *q);

/* Copy text column @col into @dst of @cap bytes ("" for NULL). */
void ctl_sqlite_col_text(sqlite3_stmt *st, int col, char *dst, size_t cap);

/*
 * The candidate key (schema version 4): a 64-bit hash (xxh3, chained over
 * the five fields) of (set, algo, digest, host, path); NULL reads as "".
 * Stable across releases: stored keys depend on it.
 */
int64_t ctl_sqlite_cand_key(const char *set, const char *algo, const char *digest,
			    const char *host, const char *path);

/* The block key (schema version 5): the same hash of (host, path). */
int64_t ctl_sqlite_block_key(const char *host, const char *path);

/* Bind a C string (SQLITE_STATIC: it must outlive the step). */
static inline int ctl_sqlite_bind_str(sqlite3_stmt *st, int idx, const char *v)
{
	return sqlite3_bind_text(st, idx, v ? v : "", -1, SQLITE_STATIC);
}

/* ---- schema (store_sqlite_migrate.c; ctl_sqlite_migrate in store_sqlite.h) ---- */

int ctl_sqlite_schema_version(struct ctl_store *s);

/* ---- queries (store_sqlite_query.c): ops of the same name ---- */

int ctl_sqlite_candidates(struct ctl_store *s, const struct ctl_cand_filter *f, ctl_cand_fn fn,
			  void *ctx, uint64_t *ret_total);
int ctl_sqlite_candidate(struct ctl_store *s, int64_t id, struct ctl_candidate *ret);
int ctl_sqlite_occurrences(struct ctl_store *s, int64_t id, uint64_t limit, ctl_occ_fn fn,
			   void *ctx);
int ctl_sqlite_reviews(struct ctl_store *s, int64_t id, ctl_review_fn fn, void *ctx);
int ctl_sqlite_count_status(struct ctl_store *s, uint64_t *ret_counts);
int ctl_sqlite_counts(struct ctl_store *s, int64_t now, uint64_t *ret_allow,
		      uint64_t *ret_blocks);
int ctl_sqlite_set_summary(struct ctl_store *s, ctl_set_fn fn, void *ctx);
int ctl_sqlite_candidates_by_host(struct ctl_store *s, int status, ctl_cand_fn fn, void *ctx);

/* Step @st (a SELECT of CTL_CAND_COLS) and call @fn per candidate;
 * finalizes @st. */
int ctl_sqlite_each_candidate(sqlite3_stmt *st, ctl_cand_fn fn, void *ctx);
int ctl_sqlite_reviews_between(struct ctl_store *s, int64_t since, int64_t until,
			       ctl_review_fn fn, void *ctx);
int ctl_sqlite_candidates_first_seen(struct ctl_store *s, int64_t since, int64_t until,
				     ctl_cand_fn fn, void *ctx);
/* Fill @c from the first 19 columns of a row (CTL_CAND_COLS). */
void ctl_sqlite_row_candidate(sqlite3_stmt *st, struct ctl_candidate *c);

/* ---- replication (store_sqlite_replica.c): ops of the same name ---- */

int ctl_sqlite_candidate_find(struct ctl_store *s, const char *set, enum hwall_algo algo,
			      const char *digest, const char *host, const char *path,
			      int64_t *ret_id);
int ctl_sqlite_replicas(struct ctl_store *s, int64_t after, uint64_t limit, ctl_replica_fn fn,
			void *ctx);
int ctl_sqlite_reviews_after(struct ctl_store *s, int64_t after, uint64_t limit,
			     ctl_review_cand_fn fn, void *ctx);
int ctl_sqlite_tail(struct ctl_store *s, int64_t *ret_occ, int64_t *ret_review);

/* ---- workflow, allowlist, blocks (store_sqlite_workflow.c): ops of the same name ---- */

int ctl_sqlite_review(struct ctl_store *s, int64_t id, enum ctl_status to, const char *actor,
		      const char *note, enum ctl_allow_scope scope, int64_t now,
		      struct ctl_review_result *ret);
bool ctl_sqlite_allowed(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			const char *set);
int ctl_sqlite_allow_add(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			 const char *set, const char *actor, const char *note, int64_t now);
int ctl_sqlite_allow_remove(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			    const char *set);
int ctl_sqlite_allow_list(struct ctl_store *s, ctl_allow_fn fn, void *ctx);
int ctl_sqlite_block_add(struct ctl_store *s, const char *host, const char *path,
			 int64_t candidate_id, enum ctl_block_source source, const char *actor,
			 int64_t now, int64_t expires, int64_t *ret_id);
int ctl_sqlite_block_remove(struct ctl_store *s, int64_t id, struct ctl_block *ret_block);
int ctl_sqlite_block_get(struct ctl_store *s, int64_t id, struct ctl_block *ret);
int ctl_sqlite_block_expires(struct ctl_store *s, const char *host, const char *path,
			     int64_t *ret_expires);
int ctl_sqlite_blocks(struct ctl_store *s, int64_t now, uint64_t offset, uint64_t limit,
		      ctl_block_fn fn, void *ctx, uint64_t *ret_total);
int ctl_sqlite_blocks_renew(struct ctl_store *s, int64_t now, int64_t ttl, uint64_t *ret_n);
int ctl_sqlite_blocks_expire(struct ctl_store *s, int64_t now, uint64_t *ret_n);

/* The blocks matching the constant SQL condition @where (text parameters
 * ?1 = @t1, ?2 = @t2), by id, each to @fn. */
int ctl_sqlite_blocks_where(struct ctl_sqlite *q, const char *where, const char *t1,
			    const char *t2, ctl_block_fn fn, void *ctx);

/* Append an audit row: candidate @id went @from -> @to, by @actor at @at;
 * @allow_scope: the allowlist entry the change made (enum ctl_allow_scope),
 * or -1. */
int ctl_sqlite_review_append(struct ctl_sqlite *q, int64_t id, int64_t at, const char *actor,
			     enum ctl_status from, enum ctl_status to, const char *note,
			     int allow_scope);

/* ---- ingest (store_sqlite_ingest.c): ops of the same name ---- */

int ctl_sqlite_begin(struct ctl_store *s);
int ctl_sqlite_commit(struct ctl_store *s);
void ctl_sqlite_rollback(struct ctl_store *s);
int ctl_sqlite_record(struct ctl_store *s, const struct ctl_event *ev, const char *dataplane,
		      const char *epoch, uint64_t seq, struct ctl_record_result *ret);
int ctl_sqlite_peer_mark(struct ctl_store *s, const char *dataplane, const char *epoch,
			 uint64_t *ret_seq);
int ctl_sqlite_peer_advance(struct ctl_store *s, const char *dataplane, const char *epoch,
			    uint64_t seq, int64_t now);
int ctl_sqlite_purge(struct ctl_store *s, int64_t before, uint64_t *ret_n);

/* ---- audit trail, quarantines (store_sqlite_audit.c): ops of the same name ---- */

int ctl_sqlite_audit_tail(struct ctl_store *s, int64_t *ret_seq,
			  uint8_t ret_hash[CTL_AUDIT_HASH_LEN]);
int ctl_sqlite_audit_insert(struct ctl_store *s, const struct ctl_audit_rec *r);
int ctl_sqlite_audit_walk(struct ctl_store *s, int64_t from, uint64_t limit, bool newest_first,
			  ctl_audit_fn fn, void *ctx);
int ctl_sqlite_digest_spread(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			     int64_t since, uint64_t *ret_hosts, uint64_t *ret_urls);
int ctl_sqlite_quarantine_get(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			      struct ctl_quarantine *ret);
int ctl_sqlite_quarantine_by_id(struct ctl_store *s, int64_t id, struct ctl_quarantine *ret);
int ctl_sqlite_quarantine_add(struct ctl_store *s, struct ctl_quarantine *q, ctl_block_fn fn,
			      void *ctx);
int ctl_sqlite_quarantine_decide(struct ctl_store *s, int64_t id, enum ctl_quarantine_state to,
				 const char *actor, int64_t now, int64_t expires,
				 uint64_t *ret_blocks);
int ctl_sqlite_quarantines(struct ctl_store *s, int state, uint64_t offset, uint64_t limit,
			   ctl_quarantine_fn fn, void *ctx, uint64_t *ret_total);

#endif
