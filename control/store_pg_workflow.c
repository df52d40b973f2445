/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_pg_workflow.c - the review workflow of the PostgreSQL back end
 * (one call of the server-side hwall_review(), store_pg_migrate.c), the
 * allowlist and the blocks; every change an operator makes by hand to the
 * allowlist or to blocks is also appended to the decisions that edges
 * follow (docs/fleet.md), in the same transaction.  Above the queries and
 * the core.
 */
#include "control/store_pg_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int ctl_pg_review(struct ctl_store *s, int64_t id, enum ctl_status to, const char *actor,
		  const char *note, enum ctl_allow_scope scope, int64_t now,
		  struct ctl_review_result *ret)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct ctl_pg_args a = { 0 };
	struct ctl_review_result res = { 0 };
	PGresult *pr;
	char from[32];
	int code, st;

	if ((unsigned int)to >= CTL_STATUS_COUNT || (unsigned int)scope >= CTL_ALLOW_SCOPE_COUNT ||
	    !actor || !*actor)
		return -EINVAL;
	ctl_pg_arg_i64(&a, id);
	ctl_pg_arg_str(&a, ctl_status_name(to));
	ctl_pg_arg_str(&a, actor);
	ctl_pg_arg_str(&a, note ? note : "");
	ctl_pg_arg_str(&a, ctl_allow_scope_name(scope));
	ctl_pg_arg_i64(&a, now);
	pr = ctl_pg_exec(p, "SELECT r_code, r_from, r_allow_added, r_allow_removed, r_blocks"
			    " FROM hwall_review($1, $2, $3, $4, $5, $6)", &a, NULL);
	if (!pr)
		return -EIO;
	code = (int)ctl_pg_i64(pr, 0, 0);
	ctl_pg_text(pr, 0, 1, from, sizeof(from));
	st = ctl_status_parse(from);
	res.from = st < 0 ? CTL_STATUS_NEW : (enum ctl_status)st;
	res.allow_added = ctl_pg_bool(pr, 0, 2);
	res.allow_removed = ctl_pg_bool(pr, 0, 3);
	res.blocks_removed = (uint64_t)ctl_pg_i64(pr, 0, 4);
	PQclear(pr);
	if (code < 0)
		return code;
	if (ret)
		*ret = res;
	return 0;
}

bool ctl_pg_allowed(struct ctl_store *s, enum hwall_algo algo, const char *digest,
		    const char *set)
{
	struct ctl_pg_args a = { 0 };
	int64_t v;

	ctl_pg_arg_str(&a, hwall_algo_name(algo));
	ctl_pg_arg_str(&a, digest);
	ctl_pg_arg_str(&a, set ? set : "");
	return ctl_pg_int(ctl_pg_of(s), "SELECT 1 FROM allowlist WHERE algo = $1 AND digest = $2"
					" AND set_id IN ('', $3) LIMIT 1", &a, &v) == 0;
}

/* Append a decision of @kind for (@set, @algo, @digest) or (@host, @path)
 * addressed to every appliance, inside the caller's statement batch. */
static int decision_add(struct ctl_pg *p, const char *kind, const char *set, const char *algo,
			const char *digest, const char *host, const char *path,
			const char *actor, const char *note, int64_t now)
{
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_i64(&a, now);
	ctl_pg_arg_str(&a, kind);
	ctl_pg_arg_str(&a, set ? set : "");
	ctl_pg_arg_str(&a, algo ? algo : "");
	ctl_pg_arg_str(&a, digest ? digest : "");
	ctl_pg_arg_str(&a, host ? host : "");
	ctl_pg_arg_str(&a, path ? path : "");
	ctl_pg_arg_str(&a, actor ? actor : "");
	ctl_pg_arg_str(&a, note ? note : "");
	return ctl_pg_cmd(p, "INSERT INTO decisions (at, kind, set_id, algo, digest, host, path,"
			     " actor, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", &a, NULL);
}

/* Run @sql with @a and, when it changed a row, append the decision in the
 * same transaction (the caller's, or one of its own).  *ret_n: rows. */
static int with_decision(struct ctl_pg *p, const char *sql, const struct ctl_pg_args *a,
			 uint64_t *ret_n, const char *kind, const char *set, const char *algo,
			 const char *digest, const char *host, const char *path,
			 const char *actor, const char *note, int64_t now)
{
	bool own_tx = !p->in_tx;
	uint64_t n = 0;
	int r = own_tx ? ctl_pg_tx_begin(p) : 0;

	if (r == 0)
		r = ctl_pg_cmd(p, sql, a, &n);
	if (r == 0 && n > 0)
		r = decision_add(p, kind, set, algo, digest, host, path, actor, note, now);
	if (own_tx && r == 0)
		r = ctl_pg_tx_commit(p);
	if (own_tx && r < 0)
		ctl_pg_tx_rollback(p);
	if (r == 0 && ret_n)
		*ret_n = n;
	return r;
}

int ctl_pg_allow_add(struct ctl_store *s, enum hwall_algo algo, const char *digest,
		     const char *set, const char *actor, const char *note, int64_t now)
{
	struct ctl_pg_args a = { 0 };
	const char *an = hwall_algo_name(algo);

	ctl_pg_arg_str(&a, an);
	ctl_pg_arg_str(&a, digest);
	ctl_pg_arg_str(&a, set ? set : "");
	ctl_pg_arg_str(&a, actor ? actor : "");
	ctl_pg_arg_i64(&a, now);
	ctl_pg_arg_str(&a, note ? note : "");
	return with_decision(ctl_pg_of(s), "INSERT INTO allowlist (algo, digest, set_id, actor,"
					   " added, note) VALUES ($1, $2, $3, $4, $5, $6)",
			     &a, NULL, "allow", set, an, digest, NULL, NULL, actor, note, now);
}

int ctl_pg_allow_remove(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			const char *set)
{
	struct ctl_pg_args a = { 0 };
	const char *an = hwall_algo_name(algo);
	uint64_t n = 0;
	int r;

	ctl_pg_arg_str(&a, an);
	ctl_pg_arg_str(&a, digest);
	ctl_pg_arg_str(&a, set ? set : "");
	r = with_decision(ctl_pg_of(s), "DELETE FROM allowlist WHERE algo = $1 AND digest = $2"
					" AND set_id = $3",
			  &a, &n, "unallow", set, an, digest, NULL, NULL, "", NULL, time(NULL));
	if (r < 0)
		return r;
	return n ? 0 : -ENOENT;
}

struct allow_walk {
	ctl_allow_fn fn;
	void *ctx;
};

static int allow_row(PGresult *res, int i, void *arg)
{
	const struct allow_walk *w = arg;
	struct ctl_allow al;
	char buf[32];

	memset(&al, 0, sizeof(al));
	ctl_pg_text(res, i, 0, buf, sizeof(buf));
	al.algo = (enum hwall_algo)hwall_algo_parse(buf);
	ctl_pg_text(res, i, 1, al.digest, sizeof(al.digest));
	al.added = ctl_pg_i64(res, i, 2);
	al.candidate_id = ctl_pg_i64(res, i, 3);
	ctl_pg_text(res, i, 4, al.actor, sizeof(al.actor));
	ctl_pg_text(res, i, 5, al.note, sizeof(al.note));
	ctl_pg_text(res, i, 6, al.set, sizeof(al.set));
	return w->fn(&al, w->ctx);
}

int ctl_pg_allow_list(struct ctl_store *s, ctl_allow_fn fn, void *ctx)
{
	struct allow_walk w = { fn, ctx };

	return ctl_pg_each(ctl_pg_of(s), "SELECT algo, digest, added, candidate_id, actor, note,"
					 " set_id FROM allowlist ORDER BY added, algo, digest, set_id",
			   NULL, allow_row, &w);
}

static void row_block(PGresult *res, int i, struct ctl_block *b)
{
	char src[16];

	memset(b, 0, sizeof(*b));
	b->id = ctl_pg_i64(res, i, 0);
	ctl_pg_text(res, i, 1, b->host, sizeof(b->host));
	ctl_pg_text(res, i, 2, b->path, sizeof(b->path));
	b->candidate_id = ctl_pg_i64(res, i, 3);
	ctl_pg_text(res, i, 4, src, sizeof(src));
	b->source = strcmp(src, "manual") == 0 ? CTL_BLOCK_MANUAL : CTL_BLOCK_AUTO;
	b->created = ctl_pg_i64(res, i, 5);
	b->expires = ctl_pg_i64(res, i, 6);
	ctl_pg_text(res, i, 7, b->actor, sizeof(b->actor));
}

int ctl_pg_block_add(struct ctl_store *s, const char *host, const char *path,
		     int64_t candidate_id, enum ctl_block_source source, const char *actor,
		     int64_t now, int64_t expires, int64_t *ret_id)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct ctl_pg_args a = { 0 };
	bool own_tx = !p->in_tx;
	int64_t id = 0;
	int r = own_tx ? ctl_pg_tx_begin(p) : 0;

	ctl_pg_arg_str(&a, host);
	ctl_pg_arg_str(&a, path);
	ctl_pg_arg_i64(&a, candidate_id);
	ctl_pg_arg_str(&a, source == CTL_BLOCK_MANUAL ? "manual" : "auto");
	ctl_pg_arg_i64(&a, now);
	ctl_pg_arg_i64(&a, expires);
	ctl_pg_arg_str(&a, actor ? actor : "");
	if (r == 0)
		r = ctl_pg_int(p, "INSERT INTO blocks (host, path, candidate_id, source, created,"
				  " expires, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)"
				  " ON CONFLICT (md5(host), md5(path)) DO UPDATE SET"
				  " expires = greatest(blocks.expires, excluded.expires),"
				  " source = CASE WHEN blocks.source = 'manual' THEN 'manual'"
				  " ELSE excluded.source END, candidate_id = CASE WHEN"
				  " blocks.candidate_id = 0 THEN excluded.candidate_id ELSE"
				  " blocks.candidate_id END RETURNING id", &a, &id);
	if (r == 0 && source == CTL_BLOCK_MANUAL)
		r = decision_add(p, "block", NULL, NULL, NULL, host, path, actor, NULL, now);
	if (own_tx && r == 0)
		r = ctl_pg_tx_commit(p);
	if (own_tx && r < 0)
		ctl_pg_tx_rollback(p);
	if (r == 0 && ret_id)
		*ret_id = id;
	return r;
}

int ctl_pg_block_get(struct ctl_store *s, int64_t id, struct ctl_block *ret)
{
	struct ctl_pg_args a = { 0 };
	PGresult *res;
	int r = -ENOENT;

	ctl_pg_arg_i64(&a, id);
	res = ctl_pg_exec(ctl_pg_of(s), "SELECT " CTL_PG_BLOCK_COLS " FROM blocks WHERE id = $1",
			  &a, NULL);
	if (!res)
		return -EIO;
	if (PQntuples(res) == 1) {
		row_block(res, 0, ret);
		r = 0;
	}
	PQclear(res);
	return r;
}

int ctl_pg_block_remove(struct ctl_store *s, int64_t id, struct ctl_block *ret_block)
{
	struct ctl_pg_args a = { 0 };
	struct ctl_block b;
	int r = ctl_pg_block_get(s, id, &b);

	if (r < 0)
		return r;
	ctl_pg_arg_i64(&a, id);
	r = with_decision(ctl_pg_of(s), "DELETE FROM blocks WHERE id = $1", &a, NULL, "unblock",
			  NULL, NULL, NULL, b.host, b.path, b.actor, NULL, time(NULL));
	if (r == 0 && ret_block)
		*ret_block = b;
	return r;
}

int ctl_pg_block_expires(struct ctl_store *s, const char *host, const char *path,
			 int64_t *ret_expires)
{
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_str(&a, host);
	ctl_pg_arg_str(&a, path);
	return ctl_pg_int(ctl_pg_of(s), "SELECT expires FROM blocks WHERE md5(host) = md5($1)"
					" AND md5(path) = md5($2)", &a, ret_expires);
}

struct block_walk {
	ctl_block_fn fn;
	void *ctx;
};

static int block_row(PGresult *res, int i, void *arg)
{
	const struct block_walk *w = arg;
	struct ctl_block b;

	row_block(res, i, &b);
	return w->fn(&b, w->ctx);
}

int ctl_pg_blocks(struct ctl_store *s, int64_t now, uint64_t offset, uint64_t limit,
		  ctl_block_fn fn, void *ctx, uint64_t *ret_total)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct block_walk w = { fn, ctx };
	struct ctl_pg_args a = { 0 };
	int64_t total = 0;

	ctl_pg_arg_i64(&a, now);
	if (ret_total) {
		if (ctl_pg_int(p, "SELECT count(*) FROM blocks WHERE expires >= $1", &a, &total) < 0)
			return -EIO;
		*ret_total = (uint64_t)total;
	}
	ctl_pg_arg_i64(&a, (int64_t)limit);
	ctl_pg_arg_i64(&a, (int64_t)offset);
	return ctl_pg_each(p, "SELECT " CTL_PG_BLOCK_COLS " FROM blocks WHERE expires >= $1"
			      " ORDER BY id LIMIT $2 OFFSET $3", &a, block_row, &w);
}

int ctl_pg_blocks_renew(struct ctl_store *s, int64_t now, int64_t ttl, uint64_t *ret_n)
{
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_i64(&a, now + ttl);
	return ctl_pg_cmd(ctl_pg_of(s), "UPDATE blocks SET expires = $1 WHERE expires < $1 AND"
					" (source = 'manual' OR candidate_id IN (SELECT id FROM"
					" candidates WHERE status IN ('new', 'confirmed')))",
			  &a, ret_n);
}

int ctl_pg_blocks_expire(struct ctl_store *s, int64_t now, uint64_t *ret_n)
{
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_i64(&a, now);
	return ctl_pg_cmd(ctl_pg_of(s), "DELETE FROM blocks WHERE expires < $1", &a, ret_n);
}
