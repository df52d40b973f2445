/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_sqlite_query.c - reading candidates, occurrences and the review
 * trail for the operator API, the status and the exports.  Every query binds
 * its parameters; no SQL is ever built from request text.  Above the core
 * only.
 */
#include "control/store_sqlite_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void ctl_sqlite_row_candidate(sqlite3_stmt *st, struct ctl_candidate *c)
{
	int st_v;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	ctl_sqlite_col_text(st, 1, c->set, sizeof(c->set));
	c->set_version = (uint64_t)sqlite3_column_int64(st, 2);
	c->algo = (enum hwall_algo)hwall_algo_parse((const char *)sqlite3_column_text(st, 3));
	ctl_sqlite_col_text(st, 4, c->digest, sizeof(c->digest));
	ctl_sqlite_col_text(st, 5, c->host, sizeof(c->host));
	ctl_sqlite_col_text(st, 6, c->path, sizeof(c->path));
	ctl_sqlite_col_text(st, 7, c->server_ip, sizeof(c->server_ip));
	c->server_port = (uint16_t)sqlite3_column_int(st, 8);
	c->category = (uint32_t)sqlite3_column_int64(st, 9);
	c->ref = (uint32_t)sqlite3_column_int64(st, 10);
	st_v = ctl_status_parse((const char *)sqlite3_column_text(st, 11));
	c->status = st_v < 0 ? CTL_STATUS_NEW : (enum ctl_status)st_v;
	c->first_seen = sqlite3_column_int64(st, 12);
	c->last_seen = sqlite3_column_int64(st, 13);
	c->occurrences = (uint64_t)sqlite3_column_int64(st, 14);
	c->reopened = (uint32_t)sqlite3_column_int(st, 15);
	c->host_truncated = sqlite3_column_int(st, 16) != 0;
	c->path_truncated = sqlite3_column_int(st, 17) != 0;
	c->retroactive = sqlite3_column_int(st, 18) != 0;
	c->near.distance = c->near.quality = -1; /* row_near() for CTL_CAND_COLS rows */
}

/* The pdq nearness, columns 19..22 of a CTL_CAND_COLS row. */
static void row_near(sqlite3_stmt *st, struct ctl_candidate *c)
{
	ctl_sqlite_col_text(st, 19, c->near.entry, sizeof(c->near.entry));
	c->near.distance = sqlite3_column_int(st, 20);
	c->near.quality = sqlite3_column_int(st, 21);
	ctl_sqlite_col_text(st, 22, c->near.variant, sizeof(c->near.variant));
}

/* WHERE clause of @f with numbered parameters ?1..?5 and ?8 (unused ones
 * are NULL).  Every occurrence here is this appliance's (""). */
static const char cand_where[] =
	" WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR set_id = ?2)"
	" AND (?3 IS NULL OR host = ?3) AND (?4 IS NULL OR last_seen >= ?4)"
	" AND (?5 IS NULL OR last_seen <= ?5) AND (?8 IS NULL OR ?8 = '')";

static void bind_filter(sqlite3_stmt *st, const struct ctl_cand_filter *f)
{
	if (f->status >= 0)
		ctl_sqlite_bind_str(st, 1, ctl_status_name((enum ctl_status)f->status));
	if (f->set)
		ctl_sqlite_bind_str(st, 2, f->set);
	if (f->host)
		ctl_sqlite_bind_str(st, 3, f->host);
	if (f->since)
		sqlite3_bind_int64(st, 4, f->since);
	if (f->until)
		sqlite3_bind_int64(st, 5, f->until);
	if (f->appliance)
		ctl_sqlite_bind_str(st, 8, f->appliance);
}

static int count_filter(struct ctl_sqlite *q, const struct ctl_cand_filter *f, uint64_t *ret)
{
	char sql[512];
	sqlite3_stmt *st;
	int r = -EIO;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM candidates%s", cand_where);
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	bind_filter(st, f);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*ret = (uint64_t)sqlite3_column_int64(st, 0);
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

struct cand_walk {
	ctl_cand_fn fn;
	void *ctx;
};

static int cand_row(sqlite3_stmt *st, void *arg)
{
	const struct cand_walk *w = arg;
	struct ctl_candidate c;

	ctl_sqlite_row_candidate(st, &c);
	row_near(st, &c);
	return w->fn(&c, w->ctx);
}

int ctl_sqlite_each_candidate(sqlite3_stmt *st, ctl_cand_fn fn, void *ctx)
{
	struct cand_walk w = { fn, ctx };

	return ctl_sqlite_each_row(st, cand_row, &w);
}

int ctl_sqlite_candidates(struct ctl_store *s, const struct ctl_cand_filter *f, ctl_cand_fn fn,
			  void *ctx, uint64_t *ret_total)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	char sql[768];
	sqlite3_stmt *st;

	if (ret_total && count_filter(q, f, ret_total) < 0)
		return -EIO;
	snprintf(sql, sizeof(sql),
		 "SELECT " CTL_CAND_COLS " FROM candidates%s"
		 " ORDER BY last_seen DESC, id DESC LIMIT ?6 OFFSET ?7",
		 cand_where);
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	bind_filter(st, f);
	sqlite3_bind_int64(st, 6, (int64_t)f->limit);
	sqlite3_bind_int64(st, 7, (int64_t)f->offset);
	return ctl_sqlite_each_candidate(st, fn, ctx);
}

int ctl_sqlite_candidates_by_host(struct ctl_store *s, int status, ctl_cand_fn fn, void *ctx)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(q->db,
			       "SELECT " CTL_CAND_COLS " FROM candidates"
			       " WHERE ?1 IS NULL OR status = ?1 ORDER BY host,"
			       " CASE WHEN host = '' THEN server_ip END, path, id",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (status >= 0)
		ctl_sqlite_bind_str(st, 1, ctl_status_name((enum ctl_status)status));
	return ctl_sqlite_each_candidate(st, fn, ctx);
}

int ctl_sqlite_candidate(struct ctl_store *s, int64_t id, struct ctl_candidate *ret)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st = ctl_sqlite_stmt(q, CTL_SQL_CAND_GET);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return -ENOENT;
	if (rc != SQLITE_ROW)
		return -EIO;
	ctl_sqlite_row_candidate(st, ret);
	row_near(st, ret);
	sqlite3_reset(st);
	return 0;
}

struct occ_walk {
	ctl_occ_fn fn;
	void *ctx;
};

static int occ_row(sqlite3_stmt *st, void *arg)
{
	const struct occ_walk *w = arg;
	struct ctl_occurrence o;

	memset(&o, 0, sizeof(o));
	o.id = sqlite3_column_int64(st, 0);
	o.seen = sqlite3_column_int64(st, 1);
	ctl_sqlite_col_text(st, 2, o.client, sizeof(o.client));
	ctl_sqlite_col_text(st, 3, o.method, sizeof(o.method));
	ctl_sqlite_col_text(st, 4, o.server_ip, sizeof(o.server_ip));
	o.server_port = (uint16_t)sqlite3_column_int(st, 5);
	o.http_status = sqlite3_column_int(st, 6);
	o.size = (uint64_t)sqlite3_column_int64(st, 7);
	o.complete = sqlite3_column_int(st, 8) != 0;
	o.partial = sqlite3_column_int(st, 9) != 0;
	ctl_sqlite_col_text(st, 10, o.dataplane, sizeof(o.dataplane));
	o.seq = (uint64_t)sqlite3_column_int64(st, 11);
	o.normalised = (uint32_t)sqlite3_column_int64(st, 12);
	return w->fn(&o, w->ctx);
}

int ctl_sqlite_occurrences(struct ctl_store *s, int64_t id, uint64_t limit, ctl_occ_fn fn,
			   void *ctx)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct occ_walk w = { fn, ctx };
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(q->db,
			       "SELECT id, seen, client, method, server_ip, server_port,"
			       " http_status, size, complete, partial, dataplane, seq, normalised"
			       " FROM occurrences WHERE candidate_id = ?1"
			       " ORDER BY seen DESC, id DESC LIMIT ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	return ctl_sqlite_each_row(st, occ_row, &w);
}

struct review_walk {
	ctl_review_fn fn;
	void *ctx;
};

static int review_row(sqlite3_stmt *st, void *arg)
{
	const struct review_walk *w = arg;
	struct ctl_review v;

	memset(&v, 0, sizeof(v));
	v.id = sqlite3_column_int64(st, 0);
	v.candidate_id = sqlite3_column_int64(st, 1);
	v.at = sqlite3_column_int64(st, 2);
	ctl_sqlite_col_text(st, 3, v.actor, sizeof(v.actor));
	v.from = (enum ctl_status)ctl_status_parse((const char *)sqlite3_column_text(st, 4));
	v.to = (enum ctl_status)ctl_status_parse((const char *)sqlite3_column_text(st, 5));
	ctl_sqlite_col_text(st, 6, v.note, sizeof(v.note));
	v.allow_scope = ctl_allow_scope_parse((const char *)sqlite3_column_text(st, 7));
	v.allow_scope = v.allow_scope < 0 ? -1 : v.allow_scope;
	return w->fn(&v, w->ctx);
}

int ctl_sqlite_reviews(struct ctl_store *s, int64_t id, ctl_review_fn fn, void *ctx)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct review_walk w = { fn, ctx };
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(q->db,
			       "SELECT id, candidate_id, at, actor, from_status, to_status, note,"
			       " allow_scope FROM reviews WHERE candidate_id = ?1 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	return ctl_sqlite_each_row(st, review_row, &w);
}

int ctl_sqlite_reviews_between(struct ctl_store *s, int64_t since, int64_t until,
			       ctl_review_fn fn, void *ctx)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct review_walk w = { fn, ctx };
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(q->db,
			       "SELECT id, candidate_id, at, actor, from_status, to_status, note,"
			       " allow_scope FROM reviews WHERE at >= ?1 AND at <= ?2"
			       " ORDER BY at, id", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	return ctl_sqlite_each_row(st, review_row, &w);
}

int ctl_sqlite_candidates_first_seen(struct ctl_store *s, int64_t since, int64_t until,
				     ctl_cand_fn fn, void *ctx)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(q->db, "SELECT " CTL_CAND_COLS " FROM candidates"
				      " WHERE first_seen >= ?1 AND first_seen <= ?2 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	return ctl_sqlite_each_candidate(st, fn, ctx);
}

static int status_row(sqlite3_stmt *st, void *arg)
{
	uint64_t *counts = arg;
	int i = ctl_status_parse((const char *)sqlite3_column_text(st, 0));

	if (i >= 0)
		counts[i] = (uint64_t)sqlite3_column_int64(st, 1);
	return 0;
}

int ctl_sqlite_count_status(struct ctl_store *s, uint64_t *ret_counts)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	uint64_t counts[CTL_STATUS_COUNT] = { 0 };
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(q->db, "SELECT status, count(*) FROM candidates GROUP BY status",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	r = ctl_sqlite_each_row(st, status_row, counts);
	if (r == 0)
		memcpy(ret_counts, counts, sizeof(counts));
	return r;
}

struct set_walk {
	ctl_set_fn fn;
	void *ctx;
};

static int set_row(sqlite3_stmt *st, void *arg)
{
	const struct set_walk *w = arg;
	struct ctl_set_summary ss;

	ctl_sqlite_col_text(st, 0, ss.set, sizeof(ss.set));
	ss.max_version = (uint64_t)sqlite3_column_int64(st, 1);
	ss.candidates = (uint64_t)sqlite3_column_int64(st, 2);
	ss.last_match = sqlite3_column_int64(st, 3);
	return w->fn(&ss, w->ctx);
}

int ctl_sqlite_set_summary(struct ctl_store *s, ctl_set_fn fn, void *ctx)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct set_walk w = { fn, ctx };
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(q->db, "SELECT set_id, max(set_version), count(*), max(last_seen)"
				      " FROM candidates GROUP BY set_id ORDER BY set_id",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	return ctl_sqlite_each_row(st, set_row, &w);
}

int ctl_sqlite_counts(struct ctl_store *s, int64_t now, uint64_t *ret_allow,
		      uint64_t *ret_blocks)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;
	int r = -EIO;

	if (sqlite3_prepare_v2(q->db, "SELECT (SELECT count(*) FROM allowlist),"
				      " (SELECT count(*) FROM blocks WHERE expires >= ?1)",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, now);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*ret_allow = (uint64_t)sqlite3_column_int64(st, 0);
		*ret_blocks = (uint64_t)sqlite3_column_int64(st, 1);
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}
