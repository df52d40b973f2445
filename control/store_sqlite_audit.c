/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_sqlite_audit.c - the SQLite back end's audit trail and flood
 * quarantines: the rows only; the chain's hashes and signatures are
 * computed above the store (control/audit.c), the flood decision too
 * (control/quarantine.c).  Uses the workflow (block rows) and the core.
 */
#include "control/store_sqlite_int.h"

#include <errno.h>
#include <string.h>

int ctl_sqlite_audit_tail(struct ctl_store *s, int64_t *ret_seq,
			  uint8_t ret_hash[CTL_AUDIT_HASH_LEN])
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;
	int rc, r = 0;

	if (sqlite3_prepare_v2(q->db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1,
			       &st, NULL) != SQLITE_OK)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *h = sqlite3_column_blob(st, 1);
		*ret_seq = sqlite3_column_int64(st, 0);
		memset(ret_hash, 0, CTL_AUDIT_HASH_LEN);
		if (h && sqlite3_column_bytes(st, 1) == CTL_AUDIT_HASH_LEN)
			memcpy(ret_hash, h, CTL_AUDIT_HASH_LEN);
	} else if (rc == SQLITE_DONE) {
		*ret_seq = 0;
		memset(ret_hash, 0, CTL_AUDIT_HASH_LEN);
	} else {
		r = -EIO;
	}
	sqlite3_finalize(st);
	return r;
}

int ctl_sqlite_audit_insert(struct ctl_store *s, const struct ctl_audit_rec *a)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(q->db, "INSERT INTO audit (seq, at, actor, action, object, detail,"
				      " prev, hash, sig) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, a->seq);
	sqlite3_bind_int64(st, 2, a->at);
	ctl_sqlite_bind_str(st, 3, a->actor);
	ctl_sqlite_bind_str(st, 4, a->action);
	ctl_sqlite_bind_str(st, 5, a->object);
	ctl_sqlite_bind_str(st, 6, a->detail);
	sqlite3_bind_blob(st, 7, a->prev, CTL_AUDIT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, a->hash, CTL_AUDIT_HASH_LEN, SQLITE_STATIC);
	if (a->has_sig)
		sqlite3_bind_blob(st, 9, a->sig, CTL_AUDIT_SIG_LEN, SQLITE_STATIC);
	r = ctl_sqlite_step_done(st);
	sqlite3_finalize(st);
	return r;
}

/* Copy blob column @col into @dst of @len bytes (zeros when it is not
 * exactly that long: the chain check then fails on it). */
static bool col_blob(sqlite3_stmt *st, int col, uint8_t *dst, size_t len)
{
	const void *b = sqlite3_column_blob(st, col);

	memset(dst, 0, len);
	if (!b || (size_t)sqlite3_column_bytes(st, col) != len)
		return false;
	memcpy(dst, b, len);
	return true;
}

struct audit_walk {
	ctl_audit_fn fn;
	void *ctx;
};

static int audit_row(sqlite3_stmt *st, void *arg)
{
	const struct audit_walk *w = arg;
	struct ctl_audit_rec a;

	memset(&a, 0, sizeof(a));
	a.seq = sqlite3_column_int64(st, 0);
	a.at = sqlite3_column_int64(st, 1);
	ctl_sqlite_col_text(st, 2, a.actor, sizeof(a.actor));
	ctl_sqlite_col_text(st, 3, a.action, sizeof(a.action));
	ctl_sqlite_col_text(st, 4, a.object, sizeof(a.object));
	ctl_sqlite_col_text(st, 5, a.detail, sizeof(a.detail));
	col_blob(st, 6, a.prev, sizeof(a.prev));
	col_blob(st, 7, a.hash, sizeof(a.hash));
	a.has_sig = col_blob(st, 8, a.sig, sizeof(a.sig));
	return w->fn(&a, w->ctx);
}

int ctl_sqlite_audit_walk(struct ctl_store *s, int64_t from, uint64_t limit, bool newest_first,
			  ctl_audit_fn fn, void *ctx)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct audit_walk w = { fn, ctx };
	sqlite3_stmt *st;
	const char *sql = newest_first
		? "SELECT seq, at, actor, action, object, detail, prev, hash, sig FROM audit"
		  " WHERE ?1 = 0 OR seq <= ?1 ORDER BY seq DESC LIMIT ?2"
		: "SELECT seq, at, actor, action, object, detail, prev, hash, sig FROM audit"
		  " WHERE seq >= ?1 ORDER BY seq LIMIT ?2";

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, limit ? (int64_t)limit : -1);
	return ctl_sqlite_each_row(st, audit_row, &w);
}

int ctl_sqlite_digest_spread(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			     int64_t since, uint64_t *ret_hosts, uint64_t *ret_urls)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;
	int r = -EIO;

	if (sqlite3_prepare_v2(q->db, "SELECT count(DISTINCT host), count(DISTINCT host || '/' ||"
				      " path) FROM candidates WHERE digest = ?1 AND algo = ?2"
				      " AND last_seen >= ?3", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	ctl_sqlite_bind_str(st, 1, digest);
	ctl_sqlite_bind_str(st, 2, hwall_algo_name(algo));
	sqlite3_bind_int64(st, 3, since);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*ret_hosts = (uint64_t)sqlite3_column_int64(st, 0);
		*ret_urls = (uint64_t)sqlite3_column_int64(st, 1);
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

#define QUAR_COLS "id, algo, digest, set_id, state, hosts, urls, since, decided, actor"

static void row_quarantine(sqlite3_stmt *st, struct ctl_quarantine *qr)
{
	int v;

	memset(qr, 0, sizeof(*qr));
	qr->id = sqlite3_column_int64(st, 0);
	qr->algo = (enum hwall_algo)hwall_algo_parse((const char *)sqlite3_column_text(st, 1));
	ctl_sqlite_col_text(st, 2, qr->digest, sizeof(qr->digest));
	ctl_sqlite_col_text(st, 3, qr->set, sizeof(qr->set));
	v = ctl_quarantine_state_parse((const char *)sqlite3_column_text(st, 4));
	qr->state = v < 0 ? CTL_QUAR_ACTIVE : (enum ctl_quarantine_state)v;
	qr->hosts = (uint64_t)sqlite3_column_int64(st, 5);
	qr->urls = (uint64_t)sqlite3_column_int64(st, 6);
	qr->since = sqlite3_column_int64(st, 7);
	qr->decided = sqlite3_column_int64(st, 8);
	ctl_sqlite_col_text(st, 9, qr->actor, sizeof(qr->actor));
}

/* The one row of prepared @st into @ret: 0, -ENOENT or -EIO; finalizes. */
static int one_quarantine(sqlite3_stmt *st, struct ctl_quarantine *ret)
{
	int rc = sqlite3_step(st), r = rc == SQLITE_DONE ? -ENOENT : -EIO;

	if (rc == SQLITE_ROW) {
		row_quarantine(st, ret);
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

int ctl_sqlite_quarantine_get(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			      struct ctl_quarantine *ret)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(q->db, "SELECT " QUAR_COLS " FROM quarantine WHERE digest = ?1"
				      " AND algo = ?2 ORDER BY id DESC LIMIT 1", -1, &st,
			       NULL) != SQLITE_OK)
		return -EIO;
	ctl_sqlite_bind_str(st, 1, digest);
	ctl_sqlite_bind_str(st, 2, hwall_algo_name(algo));
	return one_quarantine(st, ret);
}

int ctl_sqlite_quarantine_by_id(struct ctl_store *s, int64_t id, struct ctl_quarantine *ret)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(q->db, "SELECT " QUAR_COLS " FROM quarantine WHERE id = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	return one_quarantine(st, ret);
}

/* The automatic blocks of the candidates of (@algo, @digest), each to @fn. */
static int digest_blocks(struct ctl_sqlite *q, enum hwall_algo algo, const char *digest,
			 ctl_block_fn fn, void *ctx)
{
	return ctl_sqlite_blocks_where(q, "source = 'auto' AND candidate_id IN (SELECT id FROM"
					  " candidates WHERE digest = ?1 AND algo = ?2)",
				       digest, hwall_algo_name(algo), fn, ctx);
}

int ctl_sqlite_quarantine_add(struct ctl_store *s, struct ctl_quarantine *qr, ctl_block_fn fn,
			      void *ctx)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;
	int r;

	if (fn && (r = digest_blocks(q, qr->algo, qr->digest, fn, ctx)) != 0)
		return r < 0 ? r : -EIO;
	if (sqlite3_prepare_v2(q->db, "DELETE FROM blocks WHERE source = 'auto' AND candidate_id"
				      " IN (SELECT id FROM candidates WHERE digest = ?1 AND"
				      " algo = ?2)", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	ctl_sqlite_bind_str(st, 1, qr->digest);
	ctl_sqlite_bind_str(st, 2, hwall_algo_name(qr->algo));
	r = ctl_sqlite_step_done(st);
	sqlite3_finalize(st);
	if (r < 0 || sqlite3_prepare_v2(q->db, "INSERT INTO quarantine (algo, digest, set_id, state,"
					     " hosts, urls, since) VALUES (?1, ?2, ?3, 'active', ?4,"
					     " ?5, ?6)", -1, &st, NULL) != SQLITE_OK)
		return r < 0 ? r : -EIO;
	ctl_sqlite_bind_str(st, 1, hwall_algo_name(qr->algo));
	ctl_sqlite_bind_str(st, 2, qr->digest);
	ctl_sqlite_bind_str(st, 3, qr->set);
	sqlite3_bind_int64(st, 4, (int64_t)qr->hosts);
	sqlite3_bind_int64(st, 5, (int64_t)qr->urls);
	sqlite3_bind_int64(st, 6, qr->since);
	r = ctl_sqlite_step_done(st);
	sqlite3_finalize(st);
	if (r == 0) {
		qr->id = sqlite3_last_insert_rowid(q->db);
		qr->state = CTL_QUAR_ACTIVE;
	}
	return r;
}

struct reblock {
	struct ctl_sqlite *q;
	const char *actor;
	int64_t now, expires;
	uint64_t n;
};

/* Block an open candidate of a released digest again (a URL block needs a
 * whole host and path, as enforcement's own do). */
static int reblock_one(const struct ctl_candidate *c, void *arg)
{
	struct reblock *rb = arg;
	int64_t id;

	if (!ctl_status_open(c->status) || !c->host[0] || c->host_truncated || c->path_truncated)
		return 0;
	rb->n++;
	return ctl_sqlite_block_add(&rb->q->store, c->host, c->path, c->id, CTL_BLOCK_AUTO,
				    "controld", rb->now, rb->expires, &id);
}

int ctl_sqlite_quarantine_decide(struct ctl_store *s, int64_t id, enum ctl_quarantine_state to,
				 const char *actor, int64_t now, int64_t expires,
				 uint64_t *ret_blocks)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct reblock rb = { q, actor, now, expires, 0 };
	struct ctl_quarantine qr;
	sqlite3_stmt *st;
	int r;

	if ((to != CTL_QUAR_RELEASED && to != CTL_QUAR_CONFIRMED) || !actor || !*actor)
		return -EINVAL;
	r = ctl_sqlite_quarantine_by_id(s, id, &qr);
	if (r < 0)
		return r;
	if (qr.state != CTL_QUAR_ACTIVE)
		return -EALREADY;
	if (sqlite3_prepare_v2(q->db, "UPDATE quarantine SET state = ?2, decided = ?3, actor = ?4"
				      " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	ctl_sqlite_bind_str(st, 2, ctl_quarantine_state_name(to));
	sqlite3_bind_int64(st, 3, now);
	ctl_sqlite_bind_str(st, 4, actor);
	r = ctl_sqlite_step_done(st);
	sqlite3_finalize(st);
	if (r < 0 || sqlite3_prepare_v2(q->db, "SELECT " CTL_CAND_COLS " FROM candidates WHERE"
					     " digest = ?1 AND algo = ?2 ORDER BY id", -1, &st,
					     NULL) != SQLITE_OK)
		return r < 0 ? r : -EIO;
	ctl_sqlite_bind_str(st, 1, qr.digest);
	ctl_sqlite_bind_str(st, 2, hwall_algo_name(qr.algo));
	r = ctl_sqlite_each_candidate(st, reblock_one, &rb);
	if (r == 0 && ret_blocks)
		*ret_blocks = rb.n;
	return r;
}

struct quar_walk {
	ctl_quarantine_fn fn;
	void *ctx;
};

static int quar_row(sqlite3_stmt *st, void *arg)
{
	const struct quar_walk *w = arg;
	struct ctl_quarantine qr;

	row_quarantine(st, &qr);
	return w->fn(&qr, w->ctx);
}

int ctl_sqlite_quarantines(struct ctl_store *s, int state, uint64_t offset, uint64_t limit,
			   ctl_quarantine_fn fn, void *ctx, uint64_t *ret_total)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct quar_walk w = { fn, ctx };
	const char *name = state >= 0 ? ctl_quarantine_state_name(state) : NULL;
	sqlite3_stmt *st;

	if (ret_total) {
		if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM quarantine WHERE ?1 IS NULL OR"
					      " state = ?1", -1, &st, NULL) != SQLITE_OK)
			return -EIO;
		if (name)
			ctl_sqlite_bind_str(st, 1, name);
		*ret_total = sqlite3_step(st) == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0)
							    : 0;
		sqlite3_finalize(st);
	}
	if (!fn)
		return 0;
	if (sqlite3_prepare_v2(q->db, "SELECT " QUAR_COLS " FROM quarantine WHERE ?1 IS NULL OR"
				      " state = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3", -1, &st,
			       NULL) != SQLITE_OK)
		return -EIO;
	if (name)
		ctl_sqlite_bind_str(st, 1, name);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	sqlite3_bind_int64(st, 3, (int64_t)offset);
	return ctl_sqlite_each_row(st, quar_row, &w);
}
