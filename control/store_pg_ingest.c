/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_pg_ingest.c - the ingest side of the PostgreSQL back end: a batch
 * of events in one transaction, each recorded by one call of the
 * server-side hwall_record() (store_pg_migrate.c) under this connection's
 * appliance; the per-appliance ingest marks that make a re-sent event a
 * duplicate (what makes the fleet uplink idempotent), kept here while a
 * transaction is open and written once at its commit, as the SQLite back
 * end does; the retention purge;
 * and the replication reads (the same cursors the SQLite back end serves,
 * for a store in the middle of a chain).  Above the core only.
 */
#include "control/store_pg_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write the cached mark if it moved. */
static int mark_write(struct ctl_pg *p)
{
	struct ctl_pg_mark *m = &p->mark;
	struct ctl_pg_args a = { 0 };
	int r;

	if (!m->valid || !m->dirty)
		return 0;
	ctl_pg_arg_str(&a, p->appliance);
	ctl_pg_arg_str(&a, m->dataplane);
	ctl_pg_arg_str(&a, m->epoch);
	ctl_pg_arg_i64(&a, (int64_t)m->seq);
	ctl_pg_arg_i64(&a, m->updated);
	r = ctl_pg_cmd(p, "SELECT hwall_mark($1, $2, $3, $4, $5)", &a, NULL);
	if (r == 0)
		m->dirty = false;
	return r;
}

/* Make the cache hold the mark of (@dataplane, @epoch). */
static int mark_load(struct ctl_pg *p, const char *dataplane, const char *epoch)
{
	struct ctl_pg_mark *m = &p->mark;
	struct ctl_pg_args a = { 0 };
	int64_t v = 0;
	int r;

	if (m->valid && strcmp(m->dataplane, dataplane) == 0 && strcmp(m->epoch, epoch) == 0)
		return 0;
	r = mark_write(p);
	ctl_pg_arg_str(&a, p->appliance);
	ctl_pg_arg_str(&a, dataplane);
	ctl_pg_arg_str(&a, epoch);
	if (r == 0)
		r = ctl_pg_int(p, "SELECT last_seq FROM ingest_peers WHERE appliance = $1"
				  " AND dataplane = $2 AND epoch = $3", &a, &v);
	if (r < 0 && r != -ENOENT)
		return r;
	m->seq = (uint64_t)v;
	snprintf(m->dataplane, sizeof(m->dataplane), "%s", dataplane);
	snprintf(m->epoch, sizeof(m->epoch), "%s", epoch);
	m->valid = true;
	m->dirty = false;
	return 0;
}

int ctl_pg_begin(struct ctl_store *s)
{
	return ctl_pg_tx_begin(ctl_pg_of(s));
}

int ctl_pg_commit(struct ctl_store *s)
{
	struct ctl_pg *p = ctl_pg_of(s);
	int r = mark_write(p);

	if (r < 0)
		return r;
	r = ctl_pg_tx_commit(p);
	if (r < 0)
		p->mark.valid = false;
	return r;
}

void ctl_pg_rollback(struct ctl_store *s)
{
	struct ctl_pg *p = ctl_pg_of(s);

	p->mark.valid = false; /* it may hold rolled-back events */
	ctl_pg_tx_rollback(p);
}

/* A pdq match's nearness onto its occurrence, and onto its candidate when
 * nearer than what it holds (store.h, struct ctl_near). */
static int record_near(struct ctl_pg *p, int64_t id, const struct ctl_event *ev,
		       const char *dataplane, const char *epoch, uint64_t seq)
{
	struct ctl_pg_args a = { 0 };
	int r;

	ctl_pg_arg_i64(&a, id);
	ctl_pg_arg_str(&a, ev->near.entry);
	ctl_pg_arg_i64(&a, ev->near.distance);
	ctl_pg_arg_i64(&a, ev->near.quality);
	ctl_pg_arg_str(&a, ev->near.variant);
	r = ctl_pg_cmd(p, "UPDATE candidates SET near_entry = $2, near_distance = $3,"
			  " near_quality = $4, near_variant = $5 WHERE id = $1"
			  " AND (near_distance < 0 OR $3 < near_distance)", &a, NULL);
	if (r < 0)
		return r;
	memset(&a, 0, sizeof(a));
	ctl_pg_arg_i64(&a, id);
	ctl_pg_arg_str(&a, dataplane);
	ctl_pg_arg_str(&a, epoch);
	ctl_pg_arg_i64(&a, (int64_t)seq);
	ctl_pg_arg_i64(&a, ev->near.distance);
	ctl_pg_arg_i64(&a, ev->near.quality);
	return ctl_pg_cmd(p, "UPDATE occurrences SET distance = $5, quality = $6"
			     " WHERE candidate_id = $1 AND dataplane = $2 AND epoch = $3"
			     " AND seq = $4", &a, NULL);
}

int ctl_pg_record(struct ctl_store *s, const struct ctl_event *ev, const char *dataplane,
		  const char *epoch, uint64_t seq, struct ctl_record_result *ret)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct ctl_pg_args a = { 0 };
	PGresult *res;
	int r;

	if (!p->in_tx)
		p->mark.valid = false;
	r = mark_load(p, dataplane, epoch);
	if (r < 0)
		return r;
	if (seq <= p->mark.seq) {
		memset(ret, 0, sizeof(*ret));
		ret->duplicate = true;
		return 0;
	}
	ctl_pg_arg_str(&a, p->appliance);
	ctl_pg_arg_str(&a, dataplane);
	ctl_pg_arg_str(&a, epoch);
	ctl_pg_arg_i64(&a, (int64_t)seq);
	ctl_pg_arg_str(&a, ev->set);
	ctl_pg_arg_str(&a, hwall_algo_name(ev->algo));
	ctl_pg_arg_str(&a, ev->digest);
	ctl_pg_arg_str(&a, ev->host);
	ctl_pg_arg_str(&a, ev->path);
	ctl_pg_arg_i64(&a, (int64_t)ev->set_version);
	ctl_pg_arg_str(&a, ev->server_ip);
	ctl_pg_arg_i64(&a, ev->server_port);
	ctl_pg_arg_i64(&a, ev->category);
	ctl_pg_arg_i64(&a, ev->ref);
	ctl_pg_arg_i64(&a, ev->ts);
	ctl_pg_arg_bool(&a, ev->host_truncated);
	ctl_pg_arg_bool(&a, ev->path_truncated);
	ctl_pg_arg_str(&a, ev->client);
	ctl_pg_arg_str(&a, ev->method);
	ctl_pg_arg_i64(&a, ev->http_status);
	ctl_pg_arg_i64(&a, (int64_t)ev->size);
	ctl_pg_arg_bool(&a, ev->complete);
	ctl_pg_arg_bool(&a, ev->partial);
	ctl_pg_arg_i64(&a, ev->normalised);
	ctl_pg_arg_bool(&a, ev->retroactive);
	ctl_pg_arg_i64(&a, ev->first_served);
	ctl_pg_arg_i64(&a, ev->serve_count);
	res = ctl_pg_exec(p,
			  "SELECT r_id, r_created, r_reopened, r_allowlisted, r_duplicate, r_known"
			  " FROM hwall_record($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
			  " $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26,"
			  " $27)",
			  &a, NULL);
	if (!res)
		return -EIO;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return -EIO;
	}
	memset(ret, 0, sizeof(*ret));
	ret->candidate_id = ctl_pg_i64(res, 0, 0);
	ret->created = ctl_pg_bool(res, 0, 1);
	ret->reopened = ctl_pg_bool(res, 0, 2);
	ret->allowlisted = ctl_pg_bool(res, 0, 3);
	ret->duplicate = ctl_pg_bool(res, 0, 4);
	ret->known = ctl_pg_bool(res, 0, 5);
	PQclear(res);
	if (!ret->duplicate && !ret->allowlisted && ctl_near_known(ev->algo, &ev->near) &&
	    (r = record_near(p, ret->candidate_id, ev, dataplane, epoch, seq)) < 0)
		return r;
	return ctl_pg_peer_advance(s, dataplane, epoch, seq, ev->ts);
}

/* One replica as a row of hwall_record_batch()'s JSON array. */
static cJSON *replica_row_json(const struct ctl_replica *rep)
{
	const struct ctl_event *ev = &rep->ev;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "dp", rep->dataplane);
	cJSON_AddStringToObject(o, "epoch", rep->epoch);
	cJSON_AddNumberToObject(o, "seq", (double)rep->seq);
	cJSON_AddStringToObject(o, "set_id", ev->set);
	cJSON_AddStringToObject(o, "algo", hwall_algo_name(ev->algo));
	cJSON_AddStringToObject(o, "digest", ev->digest);
	cJSON_AddStringToObject(o, "host", ev->host);
	cJSON_AddStringToObject(o, "path", ev->path);
	cJSON_AddNumberToObject(o, "set_version", (double)ev->set_version);
	cJSON_AddStringToObject(o, "server_ip", ev->server_ip);
	cJSON_AddNumberToObject(o, "server_port", ev->server_port);
	cJSON_AddNumberToObject(o, "category", ev->category);
	cJSON_AddNumberToObject(o, "ref", ev->ref);
	cJSON_AddNumberToObject(o, "ts", (double)ev->ts);
	cJSON_AddBoolToObject(o, "host_trunc", ev->host_truncated);
	cJSON_AddBoolToObject(o, "path_trunc", ev->path_truncated);
	cJSON_AddStringToObject(o, "client", ev->client);
	cJSON_AddStringToObject(o, "method", ev->method);
	cJSON_AddNumberToObject(o, "http_status", ev->http_status);
	cJSON_AddNumberToObject(o, "size", (double)ev->size);
	cJSON_AddBoolToObject(o, "complete", ev->complete);
	cJSON_AddBoolToObject(o, "partial", ev->partial);
	cJSON_AddNumberToObject(o, "normalised", ev->normalised);
	cJSON_AddBoolToObject(o, "retro", rep->cand_retroactive);
	return o;
}

int ctl_pg_record_batch(struct ctl_store *s, const struct ctl_replica *reps, size_t n,
			uint64_t *ret_new)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct ctl_pg_args a = { 0 };
	cJSON *rows = cJSON_CreateArray();
	int64_t v = 0;
	char *text;
	int r;

	for (size_t i = 0; rows && i < n; i++)
		cJSON_AddItemToArray(rows, replica_row_json(&reps[i]));
	text = rows ? cJSON_PrintUnformatted(rows) : NULL;
	cJSON_Delete(rows);
	if (!text)
		return -ENOMEM;
	p->mark.valid = false; /* the batch moves marks behind the cache */
	ctl_pg_arg_str(&a, p->appliance);
	ctl_pg_arg_str(&a, text);
	r = ctl_pg_int(p, "SELECT hwall_record_batch($1, $2::jsonb)", &a, &v);
	free(text);
	if (r == 0)
		*ret_new = (uint64_t)v;
	return r < 0 ? -EIO : 0;
}

int ctl_pg_peer_mark(struct ctl_store *s, const char *dataplane, const char *epoch,
		     uint64_t *ret_seq)
{
	struct ctl_pg *p = ctl_pg_of(s);
	int r;

	if (!p->in_tx)
		p->mark.valid = false; /* another connection may have moved it */
	r = mark_load(p, dataplane, epoch);
	if (r == 0)
		*ret_seq = p->mark.seq;
	return r;
}

int ctl_pg_peer_advance(struct ctl_store *s, const char *dataplane, const char *epoch,
			uint64_t seq, int64_t now)
{
	struct ctl_pg *p = ctl_pg_of(s);
	int r = mark_load(p, dataplane, epoch);

	if (r < 0 || seq <= p->mark.seq)
		return r;
	p->mark.seq = seq;
	p->mark.updated = now;
	p->mark.dirty = true;
	/* outside a transaction nothing would write it later */
	return p->in_tx ? 0 : mark_write(p);
}

int ctl_pg_purge(struct ctl_store *s, int64_t before, uint64_t *ret_n)
{
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_i64(&a, before);
	return ctl_pg_cmd(ctl_pg_of(s), "DELETE FROM occurrences WHERE seen < $1", &a, ret_n);
}

struct replica_walk {
	ctl_replica_fn fn;
	void *ctx;
	struct ctl_replica rep;
};

static int replica_row(PGresult *res, int i, void *arg)
{
	struct replica_walk *w = arg;
	struct ctl_replica *rep = &w->rep;
	struct ctl_event *ev = &rep->ev;
	struct ctl_candidate c;

	ctl_pg_row_candidate(res, i, &c);
	ctl_replica_init(rep, &c);
	rep->occ_id = ctl_pg_i64(res, i, 19);
	ev->ts = ctl_pg_i64(res, i, 20);
	ctl_pg_text(res, i, 21, ev->client, sizeof(ev->client));
	ctl_pg_text(res, i, 22, ev->method, sizeof(ev->method));
	ctl_pg_text(res, i, 23, ev->server_ip, sizeof(ev->server_ip));
	ev->server_port = (uint16_t)ctl_pg_i64(res, i, 24);
	ev->http_status = (int)ctl_pg_i64(res, i, 25);
	ev->size = (uint64_t)ctl_pg_i64(res, i, 26);
	ev->complete = ctl_pg_bool(res, i, 27);
	ev->partial = ctl_pg_bool(res, i, 28);
	ctl_pg_text(res, i, 29, rep->dataplane, sizeof(rep->dataplane));
	ctl_pg_text(res, i, 30, rep->epoch, sizeof(rep->epoch));
	rep->seq = (uint64_t)ctl_pg_i64(res, i, 31);
	ev->normalised = (uint32_t)ctl_pg_i64(res, i, 32);
	return w->fn(rep, w->ctx);
}

int ctl_pg_replicas(struct ctl_store *s, int64_t after, uint64_t limit, ctl_replica_fn fn,
		    void *ctx)
{
	struct ctl_pg_args a = { 0 };
	struct replica_walk *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->fn = fn;
	w->ctx = ctx;
	ctl_pg_arg_i64(&a, after);
	ctl_pg_arg_i64(&a, (int64_t)limit);
	r = ctl_pg_each(ctl_pg_of(s),
			"SELECT c.id, c.set_id, c.set_version, c.algo, c.digest, c.host,"
			" c.path, c.server_ip, c.server_port, c.category, c.ref, c.status,"
			" c.first_seen, c.last_seen, c.occurrences, c.reopened,"
			" c.host_truncated, c.path_truncated, c.retroactive, o.id, o.seen,"
			" o.client,"
			" o.method, o.server_ip, o.server_port, o.http_status, o.size,"
			" o.complete, o.partial, o.dataplane, o.epoch, o.seq, o.normalised"
			" FROM occurrences o JOIN candidates c ON c.id = o.candidate_id"
			" WHERE o.id > $1 ORDER BY o.id LIMIT $2",
			&a, replica_row, w);
	free(w);
	return r;
}

struct review_cand_walk {
	ctl_review_cand_fn fn;
	void *ctx;
};

static int review_cand_row(PGresult *res, int i, void *arg)
{
	const struct review_cand_walk *w = arg;
	struct ctl_candidate c;
	struct ctl_review v;

	ctl_pg_row_candidate(res, i, &c);
	ctl_pg_row_review(res, i, 19, &v);
	return w->fn(&v, &c, w->ctx);
}

int ctl_pg_reviews_after(struct ctl_store *s, int64_t after, uint64_t limit,
			 ctl_review_cand_fn fn, void *ctx)
{
	struct review_cand_walk w = { fn, ctx };
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_i64(&a, after);
	ctl_pg_arg_i64(&a, (int64_t)limit);
	return ctl_pg_each(ctl_pg_of(s),
			   "SELECT c.id, c.set_id, c.set_version, c.algo, c.digest, c.host,"
			   " c.path, c.server_ip, c.server_port, c.category, c.ref, c.status,"
			   " c.first_seen, c.last_seen, c.occurrences, c.reopened,"
			   " c.host_truncated, c.path_truncated, c.retroactive, r.id,"
			   " r.candidate_id,"
			   " r.at, r.actor,"
			   " r.from_status, r.to_status, r.note, r.allow_scope"
			   " FROM reviews r JOIN candidates c ON c.id = r.candidate_id"
			   " WHERE r.id > $1 ORDER BY r.id LIMIT $2",
			   &a, review_cand_row, &w);
}

int ctl_pg_tail(struct ctl_store *s, int64_t *ret_occ, int64_t *ret_review)
{
	PGresult *res = ctl_pg_exec(ctl_pg_of(s),
				    "SELECT (SELECT coalesce(max(id), 0) FROM occurrences),"
				    " (SELECT coalesce(max(id), 0) FROM reviews)", NULL, NULL);

	if (!res)
		return -EIO;
	*ret_occ = ctl_pg_i64(res, 0, 0);
	*ret_review = ctl_pg_i64(res, 0, 1);
	PQclear(res);
	return 0;
}
