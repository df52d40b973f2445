/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_sqlite_workflow.c - the review workflow and what it changes besides
 * the status: the audit row of every change, the local allowlist (false
 * positives) and the blocks table, which is the source of truth that
 * enforce.c mirrors into the BPF maps.  Uses the queries (a candidate by
 * id) and the core.
 */
#include "control/store_sqlite_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Run a one-off statement with up to four text and two integer binds. */
struct stmt_args {
	const char *t[4];
	int64_t i[2];
	int n_t, n_i;
};

static int run_simple(struct ctl_sqlite *q, const char *sql, const struct stmt_args *a,
		      uint64_t *ret_changes)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	for (int k = 0; k < a->n_t; k++)
		ctl_sqlite_bind_str(st, k + 1, a->t[k]);
	for (int k = 0; k < a->n_i; k++)
		sqlite3_bind_int64(st, a->n_t + k + 1, a->i[k]);
	r = ctl_sqlite_step_done(st);
	if (r == 0 && ret_changes)
		*ret_changes = (uint64_t)sqlite3_changes(q->db);
	sqlite3_finalize(st);
	return r;
}

static int set_status(struct ctl_sqlite *q, int64_t id, enum ctl_status to)
{
	sqlite3_stmt *st = ctl_sqlite_stmt(q, CTL_SQL_CAND_SET_STATUS);

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	ctl_sqlite_bind_str(st, 2, ctl_status_name(to));
	return ctl_sqlite_step_done(st);
}

int ctl_sqlite_review_append(struct ctl_sqlite *q, int64_t id, int64_t at, const char *actor,
			     enum ctl_status from, enum ctl_status to, const char *note,
			     int allow_scope)
{
	sqlite3_stmt *st = ctl_sqlite_stmt(q, CTL_SQL_REVIEW_INSERT);

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	ctl_sqlite_bind_str(st, 3, actor);
	ctl_sqlite_bind_str(st, 4, ctl_status_name(from));
	ctl_sqlite_bind_str(st, 5, ctl_status_name(to));
	ctl_sqlite_bind_str(st, 6, note);
	ctl_sqlite_bind_str(st, 7, allow_scope < 0 ? ""
					: ctl_allow_scope_name((enum ctl_allow_scope)allow_scope));
	return ctl_sqlite_step_done(st);
}

/* The side effects of leaving @c->status for @to (inside the transaction);
 * a false positive is allowlisted for @scope. */
static int review_effects(struct ctl_sqlite *q, const struct ctl_candidate *c,
			  enum ctl_status to, enum ctl_allow_scope scope, const char *actor,
			  int64_t now, struct ctl_review_result *res)
{
	uint64_t n = 0;
	int r = 0;

	if (to == CTL_STATUS_FALSE_POSITIVE) {
		struct stmt_args a = { .t = { hwall_algo_name(c->algo), c->digest, actor,
					      scope == CTL_ALLOW_SET ? c->set : "" },
				       .n_t = 4, .i = { now, c->id }, .n_i = 2 };
		r = run_simple(q, "INSERT OR IGNORE INTO allowlist (algo, digest, actor, set_id,"
				  " added, candidate_id, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
				  " 'false positive')",
			       &a, &n);
		res->allow_added = n > 0;
		if (r == 0) {
			struct stmt_args b = { .i = { c->id }, .n_i = 1 };
			r = run_simple(q, "DELETE FROM blocks WHERE candidate_id = ?1", &b,
				       &res->blocks_removed);
		}
	} else if (c->status == CTL_STATUS_FALSE_POSITIVE) {
		struct stmt_args a = { .i = { c->id }, .n_i = 1 };
		r = run_simple(q, "DELETE FROM allowlist WHERE candidate_id = ?1", &a, &n);
		res->allow_removed = n > 0;
	}
	return r;
}

int ctl_sqlite_review(struct ctl_store *s, int64_t id, enum ctl_status to, const char *actor,
		      const char *note, enum ctl_allow_scope scope, int64_t now,
		      struct ctl_review_result *ret)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct ctl_review_result res = { 0 };
	struct ctl_candidate c;
	/* inside the caller's transaction when one is open (the review and
	 * its audit record commit together: control/audit.h) */
	bool own_tx = !ctl_sqlite_in_tx(q);
	int r;

	if ((unsigned int)to >= CTL_STATUS_COUNT || (unsigned int)scope >= CTL_ALLOW_SCOPE_COUNT ||
	    !actor || !*actor)
		return -EINVAL;
	r = own_tx ? ctl_sqlite_tx_begin(q) : 0;
	if (r < 0)
		return r;
	r = ctl_sqlite_candidate(s, id, &c);
	if (r < 0)
		goto out_rollback;
	if (c.status == to) {
		r = -EALREADY;
		goto out_rollback;
	}
	res.from = c.status;
	r = set_status(q, id, to);
	if (r == 0)
		r = review_effects(q, &c, to, scope, actor, now, &res);
	if (r == 0)
		r = ctl_sqlite_review_append(q, id, now, actor, c.status, to, note ? note : "",
					     res.allow_added ? (int)scope : -1);
	if (r == 0 && own_tx)
		r = ctl_sqlite_tx_commit(q);
	if (r < 0)
		goto out_rollback;
	if (ret)
		*ret = res;
	return 0;

out_rollback:
	if (own_tx)
		ctl_sqlite_tx_rollback(q);
	return r;
}

bool ctl_sqlite_allowed(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			const char *set)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st = ctl_sqlite_stmt(q, CTL_SQL_ALLOW_HAS);
	bool hit;

	if (!st)
		return false;
	ctl_sqlite_bind_str(st, 1, hwall_algo_name(algo));
	ctl_sqlite_bind_str(st, 2, digest);
	ctl_sqlite_bind_str(st, 3, set);
	hit = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return hit;
}

int ctl_sqlite_allow_add(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			 const char *set, const char *actor, const char *note, int64_t now)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(q->db, "INSERT INTO allowlist (algo, digest, set_id, actor, added,"
				      " note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &st,
			       NULL) != SQLITE_OK)
		return -EIO;
	ctl_sqlite_bind_str(st, 1, hwall_algo_name(algo));
	ctl_sqlite_bind_str(st, 2, digest);
	ctl_sqlite_bind_str(st, 3, set);
	ctl_sqlite_bind_str(st, 4, actor);
	sqlite3_bind_int64(st, 5, now);
	ctl_sqlite_bind_str(st, 6, note);
	r = ctl_sqlite_step_done(st);
	sqlite3_finalize(st);
	return r;
}

int ctl_sqlite_allow_remove(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			    const char *set)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct stmt_args a = { .t = { hwall_algo_name(algo), digest, set ? set : "" }, .n_t = 3 };
	uint64_t n = 0;
	int r = run_simple(q, "DELETE FROM allowlist WHERE algo = ?1 AND digest = ?2"
			      " AND set_id = ?3", &a, &n);

	if (r < 0)
		return r;
	return n ? 0 : -ENOENT;
}

struct allow_walk {
	ctl_allow_fn fn;
	void *ctx;
};

static int allow_row(sqlite3_stmt *st, void *arg)
{
	const struct allow_walk *w = arg;
	struct ctl_allow a;

	memset(&a, 0, sizeof(a));
	a.algo = (enum hwall_algo)hwall_algo_parse((const char *)sqlite3_column_text(st, 0));
	ctl_sqlite_col_text(st, 1, a.digest, sizeof(a.digest));
	a.added = sqlite3_column_int64(st, 2);
	a.candidate_id = sqlite3_column_int64(st, 3);
	ctl_sqlite_col_text(st, 4, a.actor, sizeof(a.actor));
	ctl_sqlite_col_text(st, 5, a.note, sizeof(a.note));
	ctl_sqlite_col_text(st, 6, a.set, sizeof(a.set));
	return w->fn(&a, w->ctx);
}

int ctl_sqlite_allow_list(struct ctl_store *s, ctl_allow_fn fn, void *ctx)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct allow_walk w = { fn, ctx };
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(q->db, "SELECT algo, digest, added, candidate_id, actor, note,"
				      " set_id FROM allowlist ORDER BY added, algo, digest, set_id",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	return ctl_sqlite_each_row(st, allow_row, &w);
}

/* Fill @b from a row of CTL_BLOCK_COLS. */
static void row_block(sqlite3_stmt *st, struct ctl_block *b)
{
	char src[16];

	memset(b, 0, sizeof(*b));
	b->id = sqlite3_column_int64(st, 0);
	ctl_sqlite_col_text(st, 1, b->host, sizeof(b->host));
	ctl_sqlite_col_text(st, 2, b->path, sizeof(b->path));
	b->candidate_id = sqlite3_column_int64(st, 3);
	ctl_sqlite_col_text(st, 4, src, sizeof(src));
	b->source = strcmp(src, "manual") == 0 ? CTL_BLOCK_MANUAL : CTL_BLOCK_AUTO;
	b->created = sqlite3_column_int64(st, 5);
	b->expires = sqlite3_column_int64(st, 6);
	ctl_sqlite_col_text(st, 7, b->actor, sizeof(b->actor));
}

/* Bind a block's columns as ?1..?8 (host, path, candidate, source,
 * created, expires, actor, bkey) to @st. */
static void bind_block(sqlite3_stmt *st, const char *host, const char *path,
		       int64_t candidate_id, enum ctl_block_source source, const char *actor,
		       int64_t now, int64_t expires)
{
	ctl_sqlite_bind_str(st, 1, host);
	ctl_sqlite_bind_str(st, 2, path);
	sqlite3_bind_int64(st, 3, candidate_id);
	ctl_sqlite_bind_str(st, 4, source == CTL_BLOCK_MANUAL ? "manual" : "auto");
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, expires);
	ctl_sqlite_bind_str(st, 7, actor);
	sqlite3_bind_int64(st, 8, ctl_sqlite_block_key(host, path));
}

/* Renew the block of (host, path) or insert it; inside a write transaction. */
static int block_put(struct ctl_sqlite *q, const char *host, const char *path,
		     int64_t candidate_id, enum ctl_block_source source, const char *actor,
		     int64_t now, int64_t expires, int64_t *ret_id)
{
	sqlite3_stmt *st = ctl_sqlite_stmt(q, CTL_SQL_BLOCK_RENEW);

	if (!st)
		return -EIO;
	bind_block(st, host, path, candidate_id, source, actor, now, expires);
	if (ctl_sqlite_step_done(st) < 0)
		return -EIO;
	if (sqlite3_changes(q->db) == 0) {
		st = ctl_sqlite_stmt(q, CTL_SQL_BLOCK_INSERT);
		if (!st)
			return -EIO;
		bind_block(st, host, path, candidate_id, source, actor, now, expires);
		if (ctl_sqlite_step_done(st) < 0)
			return -EIO;
		if (ret_id)
			*ret_id = sqlite3_last_insert_rowid(q->db);
		return 0;
	}
	if (!ret_id)
		return 0;
	/* No RETURNING: it costs a temporary table per execution. */
	st = ctl_sqlite_stmt(q, CTL_SQL_BLOCK_ID);
	if (!st)
		return -EIO;
	ctl_sqlite_bind_str(st, 1, host);
	ctl_sqlite_bind_str(st, 2, path);
	sqlite3_bind_int64(st, 3, ctl_sqlite_block_key(host, path));
	if (sqlite3_step(st) != SQLITE_ROW)
		return -EIO;
	*ret_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int ctl_sqlite_block_add(struct ctl_store *s, const char *host, const char *path,
			 int64_t candidate_id, enum ctl_block_source source, const char *actor,
			 int64_t now, int64_t expires, int64_t *ret_id)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	/* (host, path) is unique by find-then-insert: that needs the write
	 * lock, which another connection may otherwise take in between. */
	bool own_tx = !ctl_sqlite_in_tx(q);
	int r = own_tx ? ctl_sqlite_tx_begin(q) : 0;

	if (r < 0)
		return r;
	r = block_put(q, host, path, candidate_id, source, actor, now, expires, ret_id);
	if (own_tx && r == 0)
		r = ctl_sqlite_tx_commit(q);
	if (own_tx && r < 0)
		ctl_sqlite_tx_rollback(q);
	return r;
}

int ctl_sqlite_block_expires(struct ctl_store *s, const char *host, const char *path,
			     int64_t *ret_expires)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st = ctl_sqlite_stmt(q, CTL_SQL_BLOCK_EXPIRES);
	int rc;

	if (!st)
		return -EIO;
	ctl_sqlite_bind_str(st, 1, host);
	ctl_sqlite_bind_str(st, 2, path);
	sqlite3_bind_int64(st, 3, ctl_sqlite_block_key(host, path));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret_expires = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int ctl_sqlite_block_get(struct ctl_store *s, int64_t id, struct ctl_block *ret)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(q->db, "SELECT " CTL_BLOCK_COLS " FROM blocks WHERE id = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_block(st, ret);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int ctl_sqlite_block_remove(struct ctl_store *s, int64_t id, struct ctl_block *ret_block)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct stmt_args a = { .i = { id }, .n_i = 1 };
	struct ctl_block b;
	int r = ctl_sqlite_block_get(s, id, &b);

	if (r < 0)
		return r;
	r = run_simple(q, "DELETE FROM blocks WHERE id = ?1", &a, NULL);
	if (r == 0 && ret_block)
		*ret_block = b;
	return r;
}

struct block_walk {
	ctl_block_fn fn;
	void *ctx;
};

static int block_row(sqlite3_stmt *st, void *arg)
{
	const struct block_walk *w = arg;
	struct ctl_block b;

	row_block(st, &b);
	return w->fn(&b, w->ctx);
}

int ctl_sqlite_blocks(struct ctl_store *s, int64_t now, uint64_t offset, uint64_t limit,
		      ctl_block_fn fn, void *ctx, uint64_t *ret_total)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct block_walk w = { fn, ctx };
	sqlite3_stmt *st;
	int rc;

	if (ret_total) {
		if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM blocks WHERE expires >= ?1", -1,
				       &st, NULL) != SQLITE_OK)
			return -EIO;
		sqlite3_bind_int64(st, 1, now);
		rc = sqlite3_step(st);
		*ret_total = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return -EIO;
	}
	if (sqlite3_prepare_v2(q->db, "SELECT " CTL_BLOCK_COLS " FROM blocks WHERE expires >= ?1"
				      " ORDER BY id LIMIT ?2 OFFSET ?3",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	sqlite3_bind_int64(st, 3, (int64_t)offset);
	return ctl_sqlite_each_row(st, block_row, &w);
}

int ctl_sqlite_blocks_where(struct ctl_sqlite *q, const char *where, const char *t1,
			    const char *t2, ctl_block_fn fn, void *ctx)
{
	struct block_walk w = { fn, ctx };
	char sql[512];
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql), "SELECT " CTL_BLOCK_COLS " FROM blocks WHERE %s ORDER BY id",
		 where);
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	ctl_sqlite_bind_str(st, 1, t1);
	ctl_sqlite_bind_str(st, 2, t2);
	return ctl_sqlite_each_row(st, block_row, &w);
}

int ctl_sqlite_blocks_renew(struct ctl_store *s, int64_t now, int64_t ttl, uint64_t *ret_n)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct stmt_args a = { .i = { now + ttl }, .n_i = 1 };

	return run_simple(q, "UPDATE blocks SET expires = ?1 WHERE expires < ?1 AND"
			     " (source = 'manual' OR candidate_id IN (SELECT id FROM candidates"
			     "  WHERE status IN ('new', 'confirmed')))",
			  &a, ret_n);
}

int ctl_sqlite_blocks_expire(struct ctl_store *s, int64_t now, uint64_t *ret_n)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct stmt_args a = { .i = { now }, .n_i = 1 };

	return run_simple(q, "DELETE FROM blocks WHERE expires < ?1", &a, ret_n);
}
