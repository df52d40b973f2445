/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_pg_audit.c - the PostgreSQL back end's audit trail, flood
 * quarantines and report queries: the same ops as store_sqlite_audit.c
 * (control/store.h), rows only; chains, signatures and decisions are
 * computed above the store.  Hashes and signatures are stored as hex text.
 * Appends are serialised by a transaction-scoped advisory lock taken when
 * the tail is read, so two controlds appending at once cannot both take
 * the same seq.
 */
#include "control/store_pg_int.h"
#include "common/algo.h"

#include <errno.h>
#include <string.h>

#define AUDIT_LOCK "7411370017" /* pg_advisory_xact_lock key of the audit tail */

static void hex_blob(PGresult *res, int i, int col, uint8_t *dst, size_t len, bool *ret_ok)
{
	char hex[2 * CTL_AUDIT_SIG_LEN + 1];

	ctl_pg_text(res, i, col, hex, sizeof(hex));
	memset(dst, 0, len);
	*ret_ok = strlen(hex) == 2 * len && hwall_hex_parse(hex, dst, len) == 0;
}

static int tail_row(PGresult *res, int i, void *ctx)
{
	struct { int64_t *seq; uint8_t *hash; } *t = ctx;
	bool ok;

	*t->seq = ctl_pg_i64(res, i, 0);
	hex_blob(res, i, 1, t->hash, CTL_AUDIT_HASH_LEN, &ok);
	return 1;
}

int ctl_pg_audit_tail(struct ctl_store *s, int64_t *ret_seq, uint8_t ret_hash[CTL_AUDIT_HASH_LEN])
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct { int64_t *seq; uint8_t *hash; } t = { ret_seq, ret_hash };
	int r;

	if (p->in_tx && ctl_pg_cmd(p, "SELECT pg_advisory_xact_lock(" AUDIT_LOCK ")", NULL,
				   NULL) < 0)
		return -EIO;
	*ret_seq = 0;
	memset(ret_hash, 0, CTL_AUDIT_HASH_LEN);
	r = ctl_pg_each(p, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", NULL,
			tail_row, &t);
	return r < 0 ? r : 0;
}

int ctl_pg_audit_insert(struct ctl_store *s, const struct ctl_audit_rec *r)
{
	char prev[2 * CTL_AUDIT_HASH_LEN + 1], hash[2 * CTL_AUDIT_HASH_LEN + 1],
		sig[2 * CTL_AUDIT_SIG_LEN + 1];
	struct ctl_pg_args a = { 0 };

	hwall_hex_format(r->prev, CTL_AUDIT_HASH_LEN, prev);
	hwall_hex_format(r->hash, CTL_AUDIT_HASH_LEN, hash);
	hwall_hex_format(r->sig, CTL_AUDIT_SIG_LEN, sig);
	ctl_pg_arg_i64(&a, r->seq);
	ctl_pg_arg_i64(&a, r->at);
	ctl_pg_arg_str(&a, r->actor);
	ctl_pg_arg_str(&a, r->action);
	ctl_pg_arg_str(&a, r->object);
	ctl_pg_arg_str(&a, r->detail);
	ctl_pg_arg_str(&a, prev);
	ctl_pg_arg_str(&a, hash);
	ctl_pg_arg_str(&a, r->has_sig ? sig : NULL);
	return ctl_pg_cmd(ctl_pg_of(s), "INSERT INTO audit (seq, at, actor, action, object, detail,"
				      " prev, hash, sig) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			  &a, NULL);
}

struct audit_walk {
	ctl_audit_fn fn;
	void *ctx;
};

static int audit_row(PGresult *res, int i, void *arg)
{
	const struct audit_walk *w = arg;
	struct ctl_audit_rec r;
	bool ok;

	memset(&r, 0, sizeof(r));
	r.seq = ctl_pg_i64(res, i, 0);
	r.at = ctl_pg_i64(res, i, 1);
	ctl_pg_text(res, i, 2, r.actor, sizeof(r.actor));
	ctl_pg_text(res, i, 3, r.action, sizeof(r.action));
	ctl_pg_text(res, i, 4, r.object, sizeof(r.object));
	ctl_pg_text(res, i, 5, r.detail, sizeof(r.detail));
	hex_blob(res, i, 6, r.prev, sizeof(r.prev), &ok);
	hex_blob(res, i, 7, r.hash, sizeof(r.hash), &ok);
	hex_blob(res, i, 8, r.sig, sizeof(r.sig), &r.has_sig);
	return w->fn(&r, w->ctx);
}

int ctl_pg_audit_walk(struct ctl_store *s, int64_t from, uint64_t limit, bool newest_first,
		      ctl_audit_fn fn, void *ctx)
{
	struct audit_walk w = { fn, ctx };
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_i64(&a, from);
	ctl_pg_arg_i64(&a, limit ? (int64_t)limit : INT64_MAX);
	return ctl_pg_each(ctl_pg_of(s),
			   newest_first
				   ? "SELECT seq, at, actor, action, object, detail, prev, hash, sig"
				     " FROM audit WHERE $1 = 0 OR seq <= $1 ORDER BY seq DESC LIMIT $2"
				   : "SELECT seq, at, actor, action, object, detail, prev, hash, sig"
				     " FROM audit WHERE seq >= $1 ORDER BY seq LIMIT $2",
			   &a, audit_row, &w);
}

static int spread_row(PGresult *res, int i, void *ctx)
{
	uint64_t **out = ctx;

	*out[0] = (uint64_t)ctl_pg_i64(res, i, 0);
	*out[1] = (uint64_t)ctl_pg_i64(res, i, 1);
	return 0;
}

int ctl_pg_digest_spread(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			 int64_t since, uint64_t *ret_hosts, uint64_t *ret_urls)
{
	uint64_t *out[2] = { ret_hosts, ret_urls };
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_str(&a, digest);
	ctl_pg_arg_str(&a, hwall_algo_name(algo));
	ctl_pg_arg_i64(&a, since);
	return ctl_pg_each(ctl_pg_of(s), "SELECT count(DISTINCT host), count(DISTINCT (host, path))"
				       " FROM candidates WHERE digest = $1 AND algo = $2"
				       " AND last_seen >= $3", &a, spread_row, out);
}

#define QUAR_COLS "id, algo, digest, set_id, state, hosts, urls, since, decided, actor"

struct quar_walk {
	ctl_quarantine_fn fn;
	void *ctx;
};

static int quar_row(PGresult *res, int i, void *arg)
{
	const struct quar_walk *w = arg;
	struct ctl_quarantine q;
	char buf[32];
	int v;

	memset(&q, 0, sizeof(q));
	q.id = ctl_pg_i64(res, i, 0);
	ctl_pg_text(res, i, 1, buf, sizeof(buf));
	q.algo = (enum hwall_algo)hwall_algo_parse(buf);
	ctl_pg_text(res, i, 2, q.digest, sizeof(q.digest));
	ctl_pg_text(res, i, 3, q.set, sizeof(q.set));
	ctl_pg_text(res, i, 4, buf, sizeof(buf));
	v = ctl_quarantine_state_parse(buf);
	q.state = v < 0 ? CTL_QUAR_ACTIVE : (enum ctl_quarantine_state)v;
	q.hosts = (uint64_t)ctl_pg_i64(res, i, 5);
	q.urls = (uint64_t)ctl_pg_i64(res, i, 6);
	q.since = ctl_pg_i64(res, i, 7);
	q.decided = ctl_pg_i64(res, i, 8);
	ctl_pg_text(res, i, 9, q.actor, sizeof(q.actor));
	return w->fn(&q, w->ctx);
}

static int copy_quarantine(const struct ctl_quarantine *q, void *ctx)
{
	*(struct ctl_quarantine *)ctx = *q;
	return 1;
}

/* The one quarantine @sql finds: 0, -ENOENT, -EIO. */
static int one(struct ctl_pg *p, const char *sql, const struct ctl_pg_args *a,
	       struct ctl_quarantine *ret)
{
	struct quar_walk w = { copy_quarantine, ret };
	int r = ctl_pg_each(p, sql, a, quar_row, &w);

	return r == 1 ? 0 : r < 0 ? r : -ENOENT;
}

int ctl_pg_quarantine_get(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			  struct ctl_quarantine *ret)
{
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_str(&a, digest);
	ctl_pg_arg_str(&a, hwall_algo_name(algo));
	return one(ctl_pg_of(s), "SELECT " QUAR_COLS " FROM quarantine WHERE digest = $1 AND"
				 " algo = $2 ORDER BY id DESC LIMIT 1", &a, ret);
}

int ctl_pg_quarantine_by_id(struct ctl_store *s, int64_t id, struct ctl_quarantine *ret)
{
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_i64(&a, id);
	return one(ctl_pg_of(s), "SELECT " QUAR_COLS " FROM quarantine WHERE id = $1", &a, ret);
}

struct lifted {
	ctl_block_fn fn;
	void *ctx;
};

static int lifted_row(PGresult *res, int i, void *arg)
{
	const struct lifted *l = arg;
	struct ctl_block b;

	memset(&b, 0, sizeof(b));
	b.id = ctl_pg_i64(res, i, 0);
	ctl_pg_text(res, i, 1, b.host, sizeof(b.host));
	ctl_pg_text(res, i, 2, b.path, sizeof(b.path));
	return l->fn ? l->fn(&b, l->ctx) : 0;
}

int ctl_pg_quarantine_add(struct ctl_store *s, struct ctl_quarantine *q, ctl_block_fn fn,
			  void *ctx)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct lifted l = { fn, ctx };
	struct ctl_pg_args a = { 0 };
	int64_t id;
	int r;

	ctl_pg_arg_str(&a, q->digest);
	ctl_pg_arg_str(&a, hwall_algo_name(q->algo));
	r = ctl_pg_each(p, "DELETE FROM blocks WHERE source = 'auto' AND candidate_id IN (SELECT"
			   " id FROM candidates WHERE digest = $1 AND algo = $2)"
			   " RETURNING id, host, path", &a, lifted_row, &l);
	if (r != 0)
		return r < 0 ? r : -EIO;
	memset(&a, 0, sizeof(a));
	ctl_pg_arg_str(&a, hwall_algo_name(q->algo));
	ctl_pg_arg_str(&a, q->digest);
	ctl_pg_arg_str(&a, q->set);
	ctl_pg_arg_i64(&a, (int64_t)q->hosts);
	ctl_pg_arg_i64(&a, (int64_t)q->urls);
	ctl_pg_arg_i64(&a, q->since);
	r = ctl_pg_int(p, "INSERT INTO quarantine (algo, digest, set_id, state, hosts, urls, since)"
			  " VALUES ($1, $2, $3, 'active', $4, $5, $6) RETURNING id", &a, &id);
	if (r == 0) {
		q->id = id;
		q->state = CTL_QUAR_ACTIVE;
	}
	return r;
}

struct reblock {
	struct ctl_store *s;
	int64_t now, expires;
	uint64_t n;
};

static int reblock_row(PGresult *res, int i, void *arg)
{
	struct reblock *rb = arg;
	struct ctl_candidate c;
	int64_t id;

	ctl_pg_row_candidate(res, i, &c);
	if (!ctl_status_open(c.status) || !c.host[0] || c.host_truncated || c.path_truncated)
		return 0;
	rb->n++;
	return ctl_pg_block_add(rb->s, c.host, c.path, c.id, CTL_BLOCK_AUTO, "controld", rb->now,
				rb->expires, &id);
}

int ctl_pg_quarantine_decide(struct ctl_store *s, int64_t id, enum ctl_quarantine_state to,
			     const char *actor, int64_t now, int64_t expires,
			     uint64_t *ret_blocks)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct reblock rb = { s, now, expires, 0 };
	struct ctl_quarantine q;
	struct ctl_pg_args a = { 0 };
	int r;

	if ((to != CTL_QUAR_RELEASED && to != CTL_QUAR_CONFIRMED) || !actor || !*actor)
		return -EINVAL;
	r = ctl_pg_quarantine_by_id(s, id, &q);
	if (r < 0)
		return r;
	if (q.state != CTL_QUAR_ACTIVE)
		return -EALREADY;
	ctl_pg_arg_i64(&a, id);
	ctl_pg_arg_str(&a, ctl_quarantine_state_name(to));
	ctl_pg_arg_i64(&a, now);
	ctl_pg_arg_str(&a, actor);
	r = ctl_pg_cmd(p, "UPDATE quarantine SET state = $2, decided = $3, actor = $4 WHERE id = $1",
		       &a, NULL);
	if (r < 0)
		return r;
	memset(&a, 0, sizeof(a));
	ctl_pg_arg_str(&a, q.digest);
	ctl_pg_arg_str(&a, hwall_algo_name(q.algo));
	r = ctl_pg_each(p, "SELECT " CTL_PG_CAND_COLS " FROM candidates WHERE digest = $1 AND"
			   " algo = $2 ORDER BY id", &a, reblock_row, &rb);
	if (r == 0 && ret_blocks)
		*ret_blocks = rb.n;
	return r;
}

int ctl_pg_quarantines(struct ctl_store *s, int state, uint64_t offset, uint64_t limit,
		       ctl_quarantine_fn fn, void *ctx, uint64_t *ret_total)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct quar_walk w = { fn, ctx };
	struct ctl_pg_args a = { 0 };
	int64_t total = 0;

	ctl_pg_arg_str(&a, state >= 0 ? ctl_quarantine_state_name(state) : NULL);
	if (ret_total) {
		if (ctl_pg_int(p, "SELECT count(*) FROM quarantine WHERE $1::text IS NULL OR"
				  " state = $1", &a, &total) < 0)
			return -EIO;
		*ret_total = (uint64_t)total;
	}
	if (!fn)
		return 0;
	ctl_pg_arg_i64(&a, (int64_t)limit);
	ctl_pg_arg_i64(&a, (int64_t)offset);
	return ctl_pg_each(p, "SELECT " QUAR_COLS " FROM quarantine WHERE $1::text IS NULL OR"
			      " state = $1 ORDER BY id DESC LIMIT $2 OFFSET $3", &a, quar_row, &w);
}

int ctl_pg_reviews_between(struct ctl_store *s, int64_t since, int64_t until, ctl_review_fn fn,
			   void *ctx)
{
	struct ctl_pg_review_walk w = { fn, ctx };
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_i64(&a, since);
	ctl_pg_arg_i64(&a, until);
	return ctl_pg_each(ctl_pg_of(s),
			   "SELECT id, candidate_id, at, actor, from_status, to_status, note,"
			   " allow_scope FROM reviews WHERE at >= $1 AND at <= $2 ORDER BY at, id",
			   &a, ctl_pg_review_row, &w);
}

struct cand_walk {
	ctl_cand_fn fn;
	void *ctx;
};

static int cand_row(PGresult *res, int i, void *arg)
{
	const struct cand_walk *w = arg;
	struct ctl_candidate c;

	ctl_pg_row_candidate(res, i, &c);
	return w->fn(&c, w->ctx);
}

int ctl_pg_candidates_first_seen(struct ctl_store *s, int64_t since, int64_t until,
				 ctl_cand_fn fn, void *ctx)
{
	struct cand_walk w = { fn, ctx };
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_i64(&a, since);
	ctl_pg_arg_i64(&a, until);
	return ctl_pg_each(ctl_pg_of(s), "SELECT " CTL_PG_CAND_COLS " FROM candidates WHERE"
					 " first_seen >= $1 AND first_seen <= $2 ORDER BY id",
			   &a, cand_row, &w);
}
