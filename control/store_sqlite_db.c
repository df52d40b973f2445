/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_sqlite_db.c - the core of the SQLite back end, below every other
 * store_sqlite*.c file and calling none of them: the connection and its
 * pragmas, the cache of prepared statements, stepping and row helpers,
 * transactions, and the hash keys that candidates and blocks are found by.
 */
#include "control/store_sqlite_int.h"

#include <errno.h>
#include <string.h>
#include <xxhash.h>

static const char *const sql_text[CTL_SQL_COUNT] = {
#define CTL_SQL_TEXT(name, text) [CTL_SQL_##name] = text,
	CTL_SQL_LIST(CTL_SQL_TEXT)
#undef CTL_SQL_TEXT
};

int ctl_sqlite_connect(struct ctl_sqlite *q, const char *path, struct hwall_err *err)
{
	static const char *const pragmas =
		"PRAGMA journal_mode = WAL;"
		"PRAGMA synchronous = FULL;"
		"PRAGMA foreign_keys = ON;"
		"PRAGMA busy_timeout = 10000;"
		"PRAGMA cache_size = -32768;" /* KiB: batches stay in memory until commit */
		"PRAGMA temp_store = MEMORY;"
		"PRAGMA wal_autocheckpoint = 8192;"; /* pages: fewer, larger checkpoints */

	if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return hwall_err_set(err, -EIO, "%s: %s", path,
				     q->db ? sqlite3_errmsg(q->db) : "cannot open database");
	sqlite3_extended_result_codes(q->db, 0);
	if (sqlite3_exec(q->db, pragmas, NULL, NULL, NULL) != SQLITE_OK)
		return hwall_err_set(err, -EIO, "%s: %s", path, sqlite3_errmsg(q->db));
	return 0;
}

void ctl_sqlite_disconnect(struct ctl_sqlite *q)
{
	for (int i = 0; i < CTL_SQL_COUNT; i++) {
		sqlite3_finalize(q->stmts[i]);
		q->stmts[i] = NULL;
	}
	sqlite3_close(q->db);
	q->db = NULL;
}

const char *ctl_sqlite_errmsg(struct ctl_store *s)
{
	return sqlite3_errmsg(ctl_sqlite_of(s)->db);
}

sqlite3_stmt *ctl_sqlite_stmt(struct ctl_sqlite *q, enum ctl_sql id)
{
	sqlite3_stmt *st = q->stmts[id];

	if (!st) {
		if (sqlite3_prepare_v3(q->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &st,
				       NULL) != SQLITE_OK)
			return NULL;
		q->stmts[id] = st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int ctl_sqlite_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT)
		return -EEXIST;
	return rc == SQLITE_BUSY ? -EBUSY : -EIO;
}

int ctl_sqlite_each_row(sqlite3_stmt *st, int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
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

bool ctl_sqlite_in_tx(struct ctl_sqlite *q)
{
	return !sqlite3_get_autocommit(q->db);
}

/* Run transaction control @sql: 0, -EBUSY or -EIO. */
static int tx_exec(struct ctl_sqlite *q, const char *sql)
{
	int rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : rc == SQLITE_BUSY ? -EBUSY : -EIO;
}

int ctl_sqlite_tx_begin(struct ctl_sqlite *q)
{
	return tx_exec(q, "BEGIN IMMEDIATE");
}

int ctl_sqlite_tx_commit(struct ctl_sqlite *q)
{
	return tx_exec(q, "COMMIT");
}

void ctl_sqlite_tx_rollback(struct ctl_sqlite *q)
{
	if (ctl_sqlite_in_tx(q))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
}

void ctl_sqlite_col_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n = t ? strlen((const char *)t) : 0;

	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, t, n);
	dst[n] = '\0';
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

int64_t ctl_sqlite_cand_key(const char *set, const char *algo, const char *digest,
			    const char *host, const char *path)
{
	const char *f[] = { set, algo, digest, host, path };

	return key_hash(f, 5);
}

int64_t ctl_sqlite_block_key(const char *host, const char *path)
{
	const char *f[] = { host, path };

	return key_hash(f, 2);
}
