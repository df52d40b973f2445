/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store.c - opening controld's store, transactions, and recording match
 * events (the ingest side).  Queries live in store_query.c, the review
 * workflow, allowlist and blocks in store_workflow.c, the schema in
 * store_migrate.c.
 */
#include "control/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static const char *const sql_text[CTL_SQL_COUNT] = {
#define CTL_SQL_TEXT(name, text) [CTL_SQL_##name] = text,
	CTL_SQL_LIST(CTL_SQL_TEXT)
#undef CTL_SQL_TEXT
};

static const char *const status_names[CTL_STATUS_COUNT] = {
	[CTL_STATUS_NEW] = "new",
	[CTL_STATUS_CONFIRMED] = "confirmed",
	[CTL_STATUS_TAKEN_DOWN] = "taken_down",
	[CTL_STATUS_FALSE_POSITIVE] = "false_positive",
};

const char *ctl_status_name(enum ctl_status st)
{
	return (unsigned int)st < CTL_STATUS_COUNT ? status_names[st] : "?";
}

int ctl_status_parse(const char *name)
{
	for (int i = 0; name && i < CTL_STATUS_COUNT; i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return -EINVAL;
}

bool ctl_status_open(enum ctl_status st)
{
	return st == CTL_STATUS_NEW || st == CTL_STATUS_CONFIRMED;
}

sqlite3_stmt *ctl_store_stmt(struct ctl_store *s, enum ctl_sql id)
{
	sqlite3_stmt *st = s->stmts[id];

	if (!st) {
		if (sqlite3_prepare_v3(s->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &st,
				       NULL) != SQLITE_OK)
			return NULL;
		s->stmts[id] = st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int ctl_store_exec(struct ctl_store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

int ctl_store_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT)
		return -EEXIST;
	return rc == SQLITE_BUSY ? -EBUSY : -EIO;
}

int ctl_store_each_row(sqlite3_stmt *st, int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	int rc, r = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = row(st, ctx);
		if (r)
			break;
	}
	if (!r && rc != SQLITE_DONE)
		r = -EIO;
	sqlite3_finalize(st);
	return r;
}

void ctl_store_col_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n = t ? strlen((const char *)t) : 0;

	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

int ctl_store_open(const char *path, struct ctl_store **ret_store, struct hwall_err *err)
{
	static const char *const pragmas =
		"PRAGMA journal_mode = WAL;"
		"PRAGMA synchronous = FULL;"
		"PRAGMA foreign_keys = ON;"
		"PRAGMA busy_timeout = 10000;"
		"PRAGMA cache_size = -32768;" /* KiB: batches stay in memory until commit */
		"PRAGMA temp_store = MEMORY;"
		"PRAGMA wal_autocheckpoint = 8192;"; /* pages: fewer, larger checkpoints */
	struct ctl_store *s;
	const char *msg;
	int r = -EIO;

	s = calloc(1, sizeof(*s));
	if (!s)
		return hwall_err_set(err, -ENOMEM, "out of memory");
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		msg = s->db ? sqlite3_errmsg(s->db) : "cannot open database";
		goto out_free;
	}
	sqlite3_extended_result_codes(s->db, 0);
	if (ctl_store_exec(s, pragmas) < 0) {
		msg = sqlite3_errmsg(s->db);
		goto out_free;
	}
	r = ctl_store_migrate(s->db, ctl_store_migrate_latest());
	if (r < 0) {
		msg = r == -ENOTSUP ? "database schema is newer than this controld"
				    : sqlite3_errmsg(s->db);
		goto out_free;
	}
	*ret_store = s;
	return 0;

out_free:
	/* The message may live in the connection: copy it before closing. */
	hwall_err_set(err, r, "%s: %s", path, msg);
	sqlite3_close(s->db);
	free(s);
	return r;
}

void ctl_store_close(struct ctl_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < CTL_SQL_COUNT; i++)
		sqlite3_finalize(s->stmts[i]);
	sqlite3_close(s->db);
	free(s);
}

int ctl_store_schema_version(struct ctl_store *s)
{
	sqlite3_stmt *st;
	int v = -EIO;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

const char *ctl_store_errmsg(struct ctl_store *s)
{
	return sqlite3_errmsg(s->db);
}

static int mark_write(struct ctl_store *s);

int ctl_store_begin(struct ctl_store *s)
{
	int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : rc == SQLITE_BUSY ? -EBUSY : -EIO;
}

int ctl_store_commit(struct ctl_store *s)
{
	int rc, r = mark_write(s);

	if (r < 0)
		return r;
	rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		s->mark.valid = false;
	return rc == SQLITE_OK ? 0 : rc == SQLITE_BUSY ? -EBUSY : -EIO;
}

void ctl_store_rollback(struct ctl_store *s)
{
	s->mark.valid = false; /* the cached mark may hold rolled-back events */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int ctl_store_review_append(struct ctl_store *s, int64_t id, int64_t at, const char *actor,
			    enum ctl_status from, enum ctl_status to, const char *note)
{
	sqlite3_stmt *st = ctl_store_stmt(s, CTL_SQL_REVIEW_INSERT);

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	ctl_bind_str(st, 3, actor);
	ctl_bind_str(st, 4, ctl_status_name(from));
	ctl_bind_str(st, 5, ctl_status_name(to));
	ctl_bind_str(st, 6, note);
	return ctl_store_step_done(st);
}

/* Write the cached mark if it changed. */
static int mark_write(struct ctl_store *s)
{
	struct ctl_mark_cache *m = &s->mark;
	sqlite3_stmt *st;
	int r;

	if (!m->valid || !m->dirty)
		return 0;
	st = ctl_store_stmt(s, CTL_SQL_PEER_SET);
	if (!st)
		return -EIO;
	ctl_bind_str(st, 1, m->dataplane);
	ctl_bind_str(st, 2, m->epoch);
	sqlite3_bind_int64(st, 3, (int64_t)m->seq);
	sqlite3_bind_int64(st, 4, m->updated);
	r = ctl_store_step_done(st);
	if (r == 0)
		m->dirty = false;
	return r;
}

/* Make the cache hold the mark of (@dataplane, @epoch). */
static int mark_load(struct ctl_store *s, const char *dataplane, const char *epoch)
{
	struct ctl_mark_cache *m = &s->mark;
	sqlite3_stmt *st;
	int rc, r;

	if (m->valid && strcmp(m->dataplane, dataplane) == 0 && strcmp(m->epoch, epoch) == 0)
		return 0;
	r = mark_write(s);
	st = r == 0 ? ctl_store_stmt(s, CTL_SQL_PEER_GET) : NULL;
	if (!st)
		return -EIO;
	ctl_bind_str(st, 1, dataplane);
	ctl_bind_str(st, 2, epoch);
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

int ctl_store_peer_mark(struct ctl_store *s, const char *dataplane, const char *epoch,
			uint64_t *ret_seq)
{
	int r = mark_load(s, dataplane, epoch);

	if (r == 0)
		*ret_seq = s->mark.seq;
	return r;
}

int ctl_store_peer_advance(struct ctl_store *s, const char *dataplane, const char *epoch,
			   uint64_t seq, int64_t now)
{
	int r = mark_load(s, dataplane, epoch);

	if (r < 0 || seq <= s->mark.seq)
		return r;
	s->mark.seq = seq;
	s->mark.updated = now;
	s->mark.dirty = true;
	/* Outside a transaction nothing would write it later. */
	return sqlite3_get_autocommit(s->db) ? mark_write(s) : 0;
}

/* xxh3-64 chained over @n fields: each hashed whole, seeded with the hash
 * so far, so that field boundaries count (("ab","c") and ("a","bc") differ). */
static int64_t key_hash(const char *const *f, size_t n)
{
	XXH64_hash_t h = 0;

	for (size_t i = 0; i < n; i++)
		h = XXH3_64bits_withSeed(f[i] ? f[i] : "", f[i] ? strlen(f[i]) : 0, h + i);
	return (int64_t)h;
}

int64_t ctl_store_cand_key(const char *set, const char *algo, const char *digest,
			   const char *host, const char *path)
{
	const char *f[] = { set, algo, digest, host, path };

	return key_hash(f, 5);
}

int64_t ctl_store_block_key(const char *host, const char *path)
{
	const char *f[] = { host, path };

	return key_hash(f, 2);
}

/* The candidate key of @ev as ?1..?5 (set, algo, digest, host, path) and
 * its hash as ?12. */
static void bind_key(sqlite3_stmt *st, const struct ctl_event *ev)
{
	const char *algo = hwall_algo_name(ev->algo);

	ctl_bind_str(st, 1, ev->set);
	ctl_bind_str(st, 2, algo);
	ctl_bind_str(st, 3, ev->digest);
	ctl_bind_str(st, 4, ev->host);
	ctl_bind_str(st, 5, ev->path);
	sqlite3_bind_int64(st, 12, ctl_store_cand_key(ev->set, algo, ev->digest, ev->host,
						      ev->path));
}

/* The candidate of @ev: 0 with its id and status, -ENOENT, -EIO.  (A
 * find-then-write pair: UPSERT ... RETURNING builds a temporary table per
 * execution and costs several times more.) */
static int cand_find(struct ctl_store *s, const struct ctl_event *ev, int64_t *ret_id,
		     enum ctl_status *ret_status)
{
	sqlite3_stmt *st = ctl_store_stmt(s, CTL_SQL_CAND_FIND);
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
	*ret_status = st_v < 0 ? CTL_STATUS_NEW : (enum ctl_status)st_v;
	sqlite3_reset(st);
	return 0;
}

static int cand_insert(struct ctl_store *s, const struct ctl_event *ev, int64_t *ret_id)
{
	sqlite3_stmt *st = ctl_store_stmt(s, CTL_SQL_CAND_INSERT);
	int r;

	if (!st)
		return -EIO;
	bind_key(st, ev);
	sqlite3_bind_int64(st, 6, (int64_t)ev->set_version);
	ctl_bind_str(st, 7, ev->server_ip);
	sqlite3_bind_int(st, 8, ev->server_port);
	sqlite3_bind_int64(st, 9, ev->category);
	sqlite3_bind_int64(st, 10, ev->ref);
	sqlite3_bind_int64(st, 11, ev->ts);
	r = ctl_store_step_done(st);
	if (r == 0)
		*ret_id = sqlite3_last_insert_rowid(s->db);
	return r;
}

static int cand_update(struct ctl_store *s, int64_t id, const struct ctl_event *ev)
{
	sqlite3_stmt *st = ctl_store_stmt(s, CTL_SQL_CAND_UPDATE);

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (int64_t)ev->set_version);
	ctl_bind_str(st, 3, ev->server_ip);
	sqlite3_bind_int(st, 4, ev->server_port);
	sqlite3_bind_int64(st, 5, ev->category);
	sqlite3_bind_int64(st, 6, ev->ref);
	sqlite3_bind_int64(st, 7, ev->ts);
	return ctl_store_step_done(st);
}

/* A taken_down candidate served again goes back to confirmed, on record. */
static int cand_reopen(struct ctl_store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st = ctl_store_stmt(s, CTL_SQL_CAND_REOPEN);
	int r;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	r = ctl_store_step_done(st);
	if (r < 0)
		return r;
	return ctl_store_review_append(s, id, now, "controld", CTL_STATUS_TAKEN_DOWN,
				       CTL_STATUS_CONFIRMED, "served again after takedown");
}

static int occ_insert(struct ctl_store *s, int64_t id, const struct ctl_event *ev,
		      const char *dataplane, const char *epoch, uint64_t seq)
{
	sqlite3_stmt *st = ctl_store_stmt(s, CTL_SQL_OCC_INSERT);

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ev->ts);
	ctl_bind_str(st, 3, ev->client);
	ctl_bind_str(st, 4, ev->method);
	ctl_bind_str(st, 5, ev->server_ip);
	sqlite3_bind_int(st, 6, ev->server_port);
	sqlite3_bind_int(st, 7, ev->http_status);
	sqlite3_bind_int64(st, 8, (int64_t)ev->size);
	sqlite3_bind_int(st, 9, ev->complete);
	sqlite3_bind_int(st, 10, ev->partial);
	ctl_bind_str(st, 11, dataplane);
	ctl_bind_str(st, 12, epoch);
	sqlite3_bind_int64(st, 13, (int64_t)seq);
	return ctl_store_step_done(st);
}

/* Create or update the candidate of @ev; fills the result's candidate fields. */
static int record_candidate(struct ctl_store *s, const struct ctl_event *ev,
			    struct ctl_record_result *res)
{
	enum ctl_status status;
	int r = cand_find(s, ev, &res->candidate_id, &status);

	if (r == -ENOENT) {
		res->created = true;
		return cand_insert(s, ev, &res->candidate_id);
	}
	if (r == 0)
		r = cand_update(s, res->candidate_id, ev);
	if (r == 0 && status == CTL_STATUS_TAKEN_DOWN) {
		res->reopened = true;
		r = cand_reopen(s, res->candidate_id, ev->ts);
	}
	return r;
}

int ctl_store_record(struct ctl_store *s, const struct ctl_event *ev, const char *dataplane,
		     const char *epoch, uint64_t seq, struct ctl_record_result *ret)
{
	struct ctl_record_result res = { 0 };
	uint64_t mark;
	int r;

	r = ctl_store_peer_mark(s, dataplane, epoch, &mark);
	if (r < 0)
		return r;
	if (seq <= mark) {
		res.duplicate = true;
		goto out;
	}
	if (ctl_store_allowed(s, ev->algo, ev->digest)) {
		res.allowlisted = true;
	} else {
		r = record_candidate(s, ev, &res);
		if (r == 0)
			r = occ_insert(s, res.candidate_id, ev, dataplane, epoch, seq);
		if (r < 0)
			return r;
	}
	r = ctl_store_peer_advance(s, dataplane, epoch, seq, ev->ts);
	if (r < 0)
		return r;
out:
	*ret = res;
	return 0;
}

int ctl_store_purge(struct ctl_store *s, int64_t before, uint64_t *ret_n)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM occurrences WHERE seen < ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, before);
	r = ctl_store_step_done(st);
	if (r == 0)
		*ret_n = (uint64_t)sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return r;
}
