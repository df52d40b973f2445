/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_sqlite_replica.c - what an edge's fleet uplink reads from its local
 * store (docs/fleet.md): occurrences and reviews past a cursor, in id order,
 * a candidate found by its key (to apply a central decision), and the ids
 * of the newest rows (the backlog).  Above the core and the queries.
 */
#include "control/store_sqlite_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctl_sqlite_candidate_find(struct ctl_store *s, const char *set, enum hwall_algo algo,
			      const char *digest, const char *host, const char *path,
			      int64_t *ret_id)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st = ctl_sqlite_stmt(q, CTL_SQL_CAND_FIND);
	const char *an = hwall_algo_name(algo);
	int rc;

	if (!st)
		return -EIO;
	ctl_sqlite_bind_str(st, 1, set);
	ctl_sqlite_bind_str(st, 2, an);
	ctl_sqlite_bind_str(st, 3, digest);
	ctl_sqlite_bind_str(st, 4, host);
	ctl_sqlite_bind_str(st, 5, path);
	sqlite3_bind_int64(st, 12, ctl_sqlite_cand_key(set, an, digest, host, path));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

struct replica_walk {
	ctl_replica_fn fn;
	void *ctx;
	struct ctl_replica rep; /* large: one per walk, not per row on the stack */
};

static int replica_row(sqlite3_stmt *st, void *arg)
{
	struct replica_walk *w = arg;
	struct ctl_replica *rep = &w->rep;
	struct ctl_event *ev = &rep->ev;
	struct ctl_candidate c;

	ctl_sqlite_row_candidate(st, &c);
	ctl_replica_init(rep, &c);
	rep->occ_id = sqlite3_column_int64(st, 18);
	ev->ts = sqlite3_column_int64(st, 19);
	ctl_sqlite_col_text(st, 20, ev->client, sizeof(ev->client));
	ctl_sqlite_col_text(st, 21, ev->method, sizeof(ev->method));
	ctl_sqlite_col_text(st, 22, ev->server_ip, sizeof(ev->server_ip));
	ev->server_port = (uint16_t)sqlite3_column_int(st, 23);
	ev->http_status = sqlite3_column_int(st, 24);
	ev->size = (uint64_t)sqlite3_column_int64(st, 25);
	ev->complete = sqlite3_column_int(st, 26) != 0;
	ev->partial = sqlite3_column_int(st, 27) != 0;
	ctl_sqlite_col_text(st, 28, rep->dataplane, sizeof(rep->dataplane));
	ctl_sqlite_col_text(st, 29, rep->epoch, sizeof(rep->epoch));
	rep->seq = (uint64_t)sqlite3_column_int64(st, 30);
	ev->normalised = (uint32_t)sqlite3_column_int64(st, 31);
	return w->fn(rep, w->ctx);
}

int ctl_sqlite_replicas(struct ctl_store *s, int64_t after, uint64_t limit, ctl_replica_fn fn,
			void *ctx)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct replica_walk *w;
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(q->db,
			       "SELECT c.id, c.set_id, c.set_version, c.algo, c.digest, c.host,"
			       " c.path, c.server_ip, c.server_port, c.category, c.ref, c.status,"
			       " c.first_seen, c.last_seen, c.occurrences, c.reopened,"
			       " c.host_truncated, c.path_truncated, o.id, o.seen, o.client,"
			       " o.method, o.server_ip, o.server_port, o.http_status, o.size,"
			       " o.complete, o.partial, o.dataplane, o.epoch, o.seq, o.normalised"
			       " FROM occurrences o JOIN candidates c ON c.id = o.candidate_id"
			       " WHERE o.id > ?1 ORDER BY o.id LIMIT ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	w = calloc(1, sizeof(*w));
	if (!w) {
		sqlite3_finalize(st);
		return -ENOMEM;
	}
	w->fn = fn;
	w->ctx = ctx;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	r = ctl_sqlite_each_row(st, replica_row, w);
	free(w);
	return r;
}

struct review_cand_walk {
	ctl_review_cand_fn fn;
	void *ctx;
};

static int review_cand_row(sqlite3_stmt *st, void *arg)
{
	const struct review_cand_walk *w = arg;
	struct ctl_candidate c;
	struct ctl_review v;
	int sc;

	ctl_sqlite_row_candidate(st, &c);
	memset(&v, 0, sizeof(v));
	v.id = sqlite3_column_int64(st, 18);
	v.candidate_id = c.id;
	v.at = sqlite3_column_int64(st, 19);
	ctl_sqlite_col_text(st, 20, v.actor, sizeof(v.actor));
	v.from = (enum ctl_status)ctl_status_parse((const char *)sqlite3_column_text(st, 21));
	v.to = (enum ctl_status)ctl_status_parse((const char *)sqlite3_column_text(st, 22));
	ctl_sqlite_col_text(st, 23, v.note, sizeof(v.note));
	sc = ctl_allow_scope_parse((const char *)sqlite3_column_text(st, 24));
	v.allow_scope = sc < 0 ? -1 : sc;
	return w->fn(&v, &c, w->ctx);
}

int ctl_sqlite_reviews_after(struct ctl_store *s, int64_t after, uint64_t limit,
			     ctl_review_cand_fn fn, void *ctx)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct review_cand_walk w = { fn, ctx };
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(q->db,
			       "SELECT c.id, c.set_id, c.set_version, c.algo, c.digest, c.host,"
			       " c.path, c.server_ip, c.server_port, c.category, c.ref, c.status,"
			       " c.first_seen, c.last_seen, c.occurrences, c.reopened,"
			       " c.host_truncated, c.path_truncated, r.id, r.at, r.actor,"
			       " r.from_status, r.to_status, r.note, r.allow_scope"
			       " FROM reviews r JOIN candidates c ON c.id = r.candidate_id"
			       " WHERE r.id > ?1 ORDER BY r.id LIMIT ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	return ctl_sqlite_each_row(st, review_cand_row, &w);
}

int ctl_sqlite_tail(struct ctl_store *s, int64_t *ret_occ, int64_t *ret_review)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;
	int r = -EIO;

	if (sqlite3_prepare_v2(q->db, "SELECT (SELECT coalesce(max(id), 0) FROM occurrences),"
				      " (SELECT coalesce(max(id), 0) FROM reviews)",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*ret_occ = sqlite3_column_int64(st, 0);
		*ret_review = sqlite3_column_int64(st, 1);
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}
