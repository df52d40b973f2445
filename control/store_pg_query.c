/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_pg_query.c - reading candidates, occurrences and the review trail
 * of the fleet's central store for the operator API, the status and the
 * exports: the same queries as store_sqlite_query.c, plus the appliance
 * of every occurrence and the filter by appliance.  Every query binds its
 * parameters.  Above the core only.
 */
#include "control/store_pg_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* WHERE clause of a filter, $1..$6 (NULL: not filtered). */
static const char cand_where[] =
	" WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR set_id = $2)"
	" AND ($3::text IS NULL OR (md5(host) = md5($3) AND host = $3))"
	" AND ($4::bigint IS NULL OR last_seen >= $4)"
	" AND ($5::bigint IS NULL OR last_seen <= $5)"
	" AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM occurrences o"
	"   WHERE o.appliance = $6 AND o.candidate_id = candidates.id))";

static void filter_args(struct ctl_pg_args *a, const struct ctl_cand_filter *f)
{
	ctl_pg_arg_str(a, f->status >= 0 ? ctl_status_name((enum ctl_status)f->status) : NULL);
	ctl_pg_arg_str(a, f->set);
	ctl_pg_arg_str(a, f->host);
	if (f->since)
		ctl_pg_arg_i64(a, f->since);
	else
		ctl_pg_arg_str(a, NULL);
	if (f->until)
		ctl_pg_arg_i64(a, f->until);
	else
		ctl_pg_arg_str(a, NULL);
	ctl_pg_arg_str(a, f->appliance);
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
	ctl_pg_row_near(res, i, &c);
	return w->fn(&c, w->ctx);
}

int ctl_pg_candidates(struct ctl_store *s, const struct ctl_cand_filter *f, ctl_cand_fn fn,
		      void *ctx, uint64_t *ret_total)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct cand_walk w = { fn, ctx };
	struct ctl_pg_args a = { 0 };
	char sql[1024];
	int64_t total = 0;

	filter_args(&a, f);
	if (ret_total) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM candidates%s", cand_where);
		if (ctl_pg_int(p, sql, &a, &total) < 0)
			return -EIO;
		*ret_total = (uint64_t)total;
	}
	ctl_pg_arg_i64(&a, (int64_t)f->limit);
	ctl_pg_arg_i64(&a, (int64_t)f->offset);
	snprintf(sql, sizeof(sql),
		 "SELECT " CTL_PG_CAND_COLS " FROM candidates%s"
		 " ORDER BY last_seen DESC, id DESC LIMIT $7 OFFSET $8",
		 cand_where);
	return ctl_pg_each(p, sql, &a, cand_row, &w);
}

int ctl_pg_candidates_by_host(struct ctl_store *s, int status, ctl_cand_fn fn, void *ctx)
{
	struct cand_walk w = { fn, ctx };
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_str(&a, status >= 0 ? ctl_status_name((enum ctl_status)status) : NULL);
	/* COLLATE "C": byte order, as SQLite sorts */
	return ctl_pg_each(ctl_pg_of(s),
			   "SELECT " CTL_PG_CAND_COLS " FROM candidates"
			   " WHERE $1::text IS NULL OR status = $1 ORDER BY host COLLATE \"C\","
			   " CASE WHEN host = '' THEN server_ip END COLLATE \"C\","
			   " path COLLATE \"C\", id",
			   &a, cand_row, &w);
}

int ctl_pg_candidate(struct ctl_store *s, int64_t id, struct ctl_candidate *ret)
{
	struct ctl_pg_args a = { 0 };
	PGresult *res;
	int r = -ENOENT;

	ctl_pg_arg_i64(&a, id);
	res = ctl_pg_exec(ctl_pg_of(s), "SELECT " CTL_PG_CAND_COLS " FROM candidates WHERE id = $1",
			  &a, NULL);
	if (!res)
		return -EIO;
	if (PQntuples(res) == 1) {
		ctl_pg_row_candidate(res, 0, ret);
		ctl_pg_row_near(res, 0, ret);
		r = 0;
	}
	PQclear(res);
	return r;
}

int ctl_pg_candidate_find(struct ctl_store *s, const char *set, enum hwall_algo algo,
			  const char *digest, const char *host, const char *path,
			  int64_t *ret_id)
{
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_str(&a, set);
	ctl_pg_arg_str(&a, hwall_algo_name(algo));
	ctl_pg_arg_str(&a, digest);
	ctl_pg_arg_str(&a, host);
	ctl_pg_arg_str(&a, path);
	return ctl_pg_int(ctl_pg_of(s), "SELECT id FROM candidates WHERE set_id = $1 AND"
					" algo = $2 AND digest = $3 AND md5(host) = md5($4) AND"
					" md5(path) = md5($5)", &a, ret_id);
}

struct occ_walk {
	ctl_occ_fn fn;
	void *ctx;
};

static int occ_row(PGresult *res, int i, void *arg)
{
	const struct occ_walk *w = arg;
	struct ctl_occurrence o;

	memset(&o, 0, sizeof(o));
	o.id = ctl_pg_i64(res, i, 0);
	o.seen = ctl_pg_i64(res, i, 1);
	ctl_pg_text(res, i, 2, o.client, sizeof(o.client));
	ctl_pg_text(res, i, 3, o.method, sizeof(o.method));
	ctl_pg_text(res, i, 4, o.server_ip, sizeof(o.server_ip));
	o.server_port = (uint16_t)ctl_pg_i64(res, i, 5);
	o.http_status = (int)ctl_pg_i64(res, i, 6);
	o.size = (uint64_t)ctl_pg_i64(res, i, 7);
	o.complete = ctl_pg_bool(res, i, 8);
	o.partial = ctl_pg_bool(res, i, 9);
	ctl_pg_text(res, i, 10, o.dataplane, sizeof(o.dataplane));
	o.seq = (uint64_t)ctl_pg_i64(res, i, 11);
	o.normalised = (uint32_t)ctl_pg_i64(res, i, 12);
	ctl_pg_text(res, i, 13, o.appliance, sizeof(o.appliance));
	return w->fn(&o, w->ctx);
}

int ctl_pg_occurrences(struct ctl_store *s, int64_t id, uint64_t limit, ctl_occ_fn fn,
		       void *ctx)
{
	struct occ_walk w = { fn, ctx };
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_i64(&a, id);
	ctl_pg_arg_i64(&a, (int64_t)limit);
	return ctl_pg_each(ctl_pg_of(s),
			   "SELECT id, seen, client, method, server_ip, server_port, http_status,"
			   " size, complete, partial, dataplane, seq, normalised, appliance"
			   " FROM occurrences WHERE candidate_id = $1"
			   " ORDER BY seen DESC, id DESC LIMIT $2",
			   &a, occ_row, &w);
}

int ctl_pg_reviews(struct ctl_store *s, int64_t id, ctl_review_fn fn, void *ctx)
{
	struct ctl_pg_review_walk w = { fn, ctx };
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_i64(&a, id);
	return ctl_pg_each(ctl_pg_of(s),
			   "SELECT id, candidate_id, at, actor, from_status, to_status, note,"
			   " allow_scope FROM reviews WHERE candidate_id = $1 ORDER BY id",
			   &a, ctl_pg_review_row, &w);
}

static int status_row(PGresult *res, int i, void *arg)
{
	uint64_t *counts = arg;
	char buf[32];
	int k;

	ctl_pg_text(res, i, 0, buf, sizeof(buf));
	k = ctl_status_parse(buf);
	if (k >= 0)
		counts[k] = (uint64_t)ctl_pg_i64(res, i, 1);
	return 0;
}

int ctl_pg_count_status(struct ctl_store *s, uint64_t *ret_counts)
{
	uint64_t counts[CTL_STATUS_COUNT] = { 0 };
	int r = ctl_pg_each(ctl_pg_of(s), "SELECT status, count(*) FROM candidates GROUP BY status",
			    NULL, status_row, counts);

	if (r == 0)
		memcpy(ret_counts, counts, sizeof(counts));
	return r;
}

struct set_walk {
	ctl_set_fn fn;
	void *ctx;
};

static int set_row(PGresult *res, int i, void *arg)
{
	const struct set_walk *w = arg;
	struct ctl_set_summary ss;

	ctl_pg_text(res, i, 0, ss.set, sizeof(ss.set));
	ss.max_version = (uint64_t)ctl_pg_i64(res, i, 1);
	ss.candidates = (uint64_t)ctl_pg_i64(res, i, 2);
	ss.last_match = ctl_pg_i64(res, i, 3);
	return w->fn(&ss, w->ctx);
}

int ctl_pg_set_summary(struct ctl_store *s, ctl_set_fn fn, void *ctx)
{
	struct set_walk w = { fn, ctx };

	return ctl_pg_each(ctl_pg_of(s),
			   "SELECT set_id, max(set_version), count(*), max(last_seen) FROM"
			   " candidates GROUP BY set_id ORDER BY set_id COLLATE \"C\"",
			   NULL, set_row, &w);
}

int ctl_pg_counts(struct ctl_store *s, int64_t now, uint64_t *ret_allow, uint64_t *ret_blocks)
{
	struct ctl_pg_args a = { 0 };
	PGresult *res;

	ctl_pg_arg_i64(&a, now);
	res = ctl_pg_exec(ctl_pg_of(s), "SELECT (SELECT count(*) FROM allowlist),"
					" (SELECT count(*) FROM blocks WHERE expires >= $1)",
			  &a, NULL);
	if (!res)
		return -EIO;
	*ret_allow = (uint64_t)ctl_pg_i64(res, 0, 0);
	*ret_blocks = (uint64_t)ctl_pg_i64(res, 0, 1);
	PQclear(res);
	return 0;
}
