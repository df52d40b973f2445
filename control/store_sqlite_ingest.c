/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_sqlite_ingest.c - the ingest side of the SQLite back end: a batch
 * of match events in one transaction, each creating or updating its
 * candidate and appending an occurrence; the per-dataplane high-water marks
 * that make a resent event a duplicate; the retention purge.  Uses the
 * workflow (allowlist check, the audit row of a reopen) and the core.
 */
#include "control/store_sqlite_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Write the cached mark if it changed. */
static int mark_write(struct ctl_sqlite *q)
{
	struct ctl_mark_cache *m = &q->mark;
	sqlite3_stmt *st;
	int r;

	if (!m->valid || !m->dirty)
		return 0;
	st = ctl_sqlite_stmt(q, CTL_SQL_PEER_SET);
	if (!st)
		return -EIO;
	ctl_sqlite_bind_str(st, 1, m->dataplane);
	ctl_sqlite_bind_str(st, 2, m->epoch);
	sqlite3_bind_int64(st, 3, (int64_t)m->seq);
	sqlite3_bind_int64(st, 4, m->updated);
	r = ctl_sqlite_step_done(st);
	if (r == 0)
		m->dirty = false;
	return r;
}

/* Make the cache hold the mark of (@dataplane, @epoch). */
static int mark_load(struct ctl_sqlite *q, const char *dataplane, const char *epoch)
{
	struct ctl_mark_cache *m = &q->mark;
	sqlite3_stmt *st;
	int rc, r;

	if (m->valid && strcmp(m->dataplane, dataplane) == 0 && strcmp(m->epoch, epoch) == 0)
		return 0;
	r = mark_write(q);
	st = r == 0 ? ctl_sqlite_stmt(q, CTL_SQL_PEER_GET) : NULL;
	if (!st)
		return -EIO;
	ctl_sqlite_bind_str(st, 1, dataplane);
	ctl_sqlite_bind_str(st, 2, epoch);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -EIO;
	m->seq = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	snprintf(m->dataplane, sizeof(m->dataplane), "%s", dataplane);
	snprintf(m->epoch, sizeof(m->epoch), "%s", epoch);
	m->valid = true;
	m->dirty = false;
	return 0;
}

int ctl_sqlite_begin(struct ctl_store *s)
{
	return ctl_sqlite_tx_begin(ctl_sqlite_of(s));
}

int ctl_sqlite_commit(struct ctl_store *s)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	int r = mark_write(q);

	if (r < 0)
		return r;
	r = ctl_sqlite_tx_commit(q);
	if (r < 0)
		q->mark.valid = false;
	return r;
}

void ctl_sqlite_rollback(struct ctl_store *s)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);

	q->mark.valid = false; /* the cached mark may hold rolled-back events */
	ctl_sqlite_tx_rollback(q);
}

int ctl_sqlite_peer_mark(struct ctl_store *s, const char *dataplane, const char *epoch,
			 uint64_t *ret_seq)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	int r = mark_load(q, dataplane, epoch);

	if (r == 0)
		*ret_seq = q->mark.seq;
	return r;
}

int ctl_sqlite_peer_advance(struct ctl_store *s, const char *dataplane, const char *epoch,
			    uint64_t seq, int64_t now)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	int r = mark_load(q, dataplane, epoch);

	if (r < 0 || seq <= q->mark.seq)
		return r;
	q->mark.seq = seq;
	q->mark.updated = now;
	q->mark.dirty = true;
	/* Outside a transaction nothing would write it later. */
	return ctl_sqlite_in_tx(q) ? 0 : mark_write(q);
}

/* The candidate key of @ev as ?1..?5 (set, algo, digest, host, path) and
 * its hash as ?12. */
static void bind_key(sqlite3_stmt *st, const struct ctl_event *ev)
{
	const char *algo = hwall_algo_name(ev->algo);

	ctl_sqlite_bind_str(st, 1, ev->set);
	ctl_sqlite_bind_str(st, 2, algo);
	ctl_sqlite_bind_str(st, 3, ev->digest);
	ctl_sqlite_bind_str(st, 4, ev->host);
	ctl_sqlite_bind_str(st, 5, ev->path);
	sqlite3_bind_int64(st, 12, ctl_sqlite_cand_key(ev->set, algo, ev->digest, ev->host,
						       ev->path));
}

/* The candidate of @ev: 0 with its id and status, -ENOENT, -EIO.  (A
 * find-then-write pair: UPSERT ... RETURNING builds a temporary table per
 * execution and costs several times more.) */
/* What cand_find() reads of a candidate besides its id. */
struct cand_row {
	enum ctl_status status;
	int64_t first_seen, last_seen;
};

static int cand_find(struct ctl_sqlite *q, const struct ctl_event *ev, int64_t *ret_id,
		     struct cand_row *ret_row)
{
	sqlite3_stmt *st = ctl_sqlite_stmt(q, CTL_SQL_CAND_FIND);
	int rc, st_v;

	if (!st)
		return -EIO;
	bind_key(st, ev);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return -ENOENT;
	if (rc != SQLITE_ROW)
		return -EIO;
	*ret_id = sqlite3_column_int64(st, 0);
	st_v = ctl_status_parse((const char *)sqlite3_column_text(st, 1));
	ret_row->status = st_v < 0 ? CTL_STATUS_NEW : (enum ctl_status)st_v;
	ret_row->first_seen = sqlite3_column_int64(st, 2);
	ret_row->last_seen = sqlite3_column_int64(st, 3);
	sqlite3_reset(st);
	return 0;
}

/* What a match updates on its candidate as ?6..?11, ?13..?14 and ?17..?20
 * (set version, server address and port, category, reference, time,
 * whether host or path were cut, the pdq nearness), for insert and update. */
static void bind_seen(sqlite3_stmt *st, const struct ctl_event *ev)
{
	bool near = ctl_near_known(ev->algo, &ev->near);

	sqlite3_bind_int64(st, 6, (int64_t)ev->set_version);
	ctl_sqlite_bind_str(st, 7, ev->server_ip);
	sqlite3_bind_int(st, 8, ev->server_port);
	sqlite3_bind_int64(st, 9, ev->category);
	sqlite3_bind_int64(st, 10, ev->ref);
	sqlite3_bind_int64(st, 11, ev->ts);
	sqlite3_bind_int(st, 13, ev->host_truncated);
	sqlite3_bind_int(st, 14, ev->path_truncated);
	/* (the retroactive statements leave ?17..?20 out: SQLITE_RANGE,
	 * ignored) */
	ctl_sqlite_bind_str(st, 17, near ? ev->near.entry : "");
	sqlite3_bind_int(st, 18, near ? ev->near.distance : -1);
	sqlite3_bind_int(st, 19, near ? ev->near.quality : -1);
	ctl_sqlite_bind_str(st, 20, near ? ev->near.variant : "");
}

static int cand_insert(struct ctl_sqlite *q, const struct ctl_event *ev, int64_t *ret_id)
{
	sqlite3_stmt *st = ctl_sqlite_stmt(q, ev->retroactive ? CTL_SQL_CAND_INSERT_RETRO
							      : CTL_SQL_CAND_INSERT);
	int r;

	if (!st)
		return -EIO;
	bind_key(st, ev);
	bind_seen(st, ev);
	if (ev->retroactive) {
		sqlite3_bind_int64(st, 15, ev->first_served);
		sqlite3_bind_int64(st, 16, ev->serve_count);
	}
	r = ctl_sqlite_step_done(st);
	if (r == 0)
		*ret_id = sqlite3_last_insert_rowid(q->db);
	return r;
}

static int cand_update(struct ctl_sqlite *q, int64_t id, const struct ctl_event *ev)
{
	sqlite3_stmt *st = ctl_sqlite_stmt(q, ev->retroactive ? CTL_SQL_CAND_UPDATE_RETRO
							      : CTL_SQL_CAND_UPDATE);

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	if (ev->retroactive) {
		/* What the journal says of the past; the candidate's own
		 * fields stay as the live matches set them. */
		sqlite3_bind_int64(st, 2, ev->first_served);
		sqlite3_bind_int64(st, 3, ev->ts);
		sqlite3_bind_int64(st, 4, ev->serve_count);
	} else {
		bind_seen(st, ev);
	}
	return ctl_sqlite_step_done(st);
}

/* A taken_down candidate served again goes back to confirmed, on record. */
static int cand_reopen(struct ctl_sqlite *q, int64_t id, int64_t now)
{
	sqlite3_stmt *st = ctl_sqlite_stmt(q, CTL_SQL_CAND_REOPEN);
	int r;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	r = ctl_sqlite_step_done(st);
	if (r < 0)
		return r;
	return ctl_sqlite_review_append(q, id, now, "controld", CTL_STATUS_TAKEN_DOWN,
					CTL_STATUS_CONFIRMED, "served again after takedown", -1);
}

static int occ_insert(struct ctl_sqlite *q, int64_t id, const struct ctl_event *ev,
		      const char *dataplane, const char *epoch, uint64_t seq)
{
	sqlite3_stmt *st = ctl_sqlite_stmt(q, CTL_SQL_OCC_INSERT);

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ev->ts);
	ctl_sqlite_bind_str(st, 3, ev->client);
	ctl_sqlite_bind_str(st, 4, ev->method);
	ctl_sqlite_bind_str(st, 5, ev->server_ip);
	sqlite3_bind_int(st, 6, ev->server_port);
	sqlite3_bind_int(st, 7, ev->http_status);
	sqlite3_bind_int64(st, 8, (int64_t)ev->size);
	sqlite3_bind_int(st, 9, ev->complete);
	sqlite3_bind_int(st, 10, ev->partial);
	ctl_sqlite_bind_str(st, 11, dataplane);
	ctl_sqlite_bind_str(st, 12, epoch);
	sqlite3_bind_int64(st, 13, (int64_t)seq);
	sqlite3_bind_int64(st, 14, ev->normalised);
	sqlite3_bind_int(st, 15, ctl_near_known(ev->algo, &ev->near) ? ev->near.distance : -1);
	sqlite3_bind_int(st, 16, ctl_near_known(ev->algo, &ev->near) ? ev->near.quality : -1);
	return ctl_sqlite_step_done(st);
}

/* Create or update the candidate of @ev; fills the result's candidate fields. */
static int record_candidate(struct ctl_sqlite *q, const struct ctl_event *ev,
			    struct ctl_record_result *res)
{
	struct cand_row row;
	int r = cand_find(q, ev, &res->candidate_id, &row);

	if (r == -ENOENT) {
		res->created = true;
		return cand_insert(q, ev, &res->candidate_id);
	}
	/* The re-check run again (a set version installed again, a journal
	 * re-read): what the candidate covers already is not counted twice. */
	if (r == 0 && ev->retroactive && row.first_seen <= ev->first_served &&
	    row.last_seen >= ev->ts) {
		res->known = true;
		return 0;
	}
	if (r == 0)
		r = cand_update(q, res->candidate_id, ev);
	if (r == 0 && !ev->retroactive && row.status == CTL_STATUS_TAKEN_DOWN) {
		res->reopened = true;
		r = cand_reopen(q, res->candidate_id, ev->ts);
	}
	return r;
}

int ctl_sqlite_record(struct ctl_store *s, const struct ctl_event *ev, const char *dataplane,
		      const char *epoch, uint64_t seq, struct ctl_record_result *ret)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	struct ctl_record_result res = { 0 };
	uint64_t mark;
	int r;

	r = ctl_sqlite_peer_mark(s, dataplane, epoch, &mark);
	if (r < 0)
		return r;
	if (seq <= mark) {
		res.duplicate = true;
		goto out;
	}
	if (ctl_sqlite_allowed(s, ev->algo, ev->digest, ev->set)) {
		res.allowlisted = true;
	} else {
		r = record_candidate(q, ev, &res);
		if (r == 0 && !res.known)
			r = occ_insert(q, res.candidate_id, ev, dataplane, epoch, seq);
		if (r < 0)
			return r;
	}
	r = ctl_sqlite_peer_advance(s, dataplane, epoch, seq, ev->ts);
	if (r < 0)
		return r;
out:
	*ret = res;
	return 0;
}

int ctl_sqlite_purge(struct ctl_store *s, int64_t before, uint64_t *ret_n)
{
	struct ctl_sqlite *q = ctl_sqlite_of(s);
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(q->db, "DELETE FROM occurrences WHERE seen < ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, before);
	r = ctl_sqlite_step_done(st);
	if (r == 0)
		*ret_n = (uint64_t)sqlite3_changes(q->db);
	sqlite3_finalize(st);
	return r;
}
