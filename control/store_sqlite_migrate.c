/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_sqlite_migrate.c - the versioned schema of the SQLite store.  Above
 * the core only (for the key functions that version 4 and 5 need).
 *
 * The schema version lives in PRAGMA user_version.  Each migration moves the
 * database from version N-1 to N inside one transaction, so a crash during
 * an upgrade leaves the old version intact.  Migrations are append-only:
 * once released, a step is never edited; changes come as a new step.
 */
#include "control/store_sqlite_int.h"

#include <errno.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>

/* Version 1: candidates, occurrences, the review trail, ingest marks. */
static const char migration_1[] =
	"CREATE TABLE candidates ("
	"  id INTEGER PRIMARY KEY,"
	"  set_id TEXT NOT NULL, algo TEXT NOT NULL, digest TEXT NOT NULL,"
	"  host TEXT NOT NULL, path TEXT NOT NULL,"
	"  set_version INTEGER NOT NULL, server_ip TEXT NOT NULL, server_port INTEGER NOT NULL,"
	"  category INTEGER NOT NULL, ref INTEGER NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'new'"
	"    CHECK (status IN ('new','confirmed','taken_down','false_positive')),"
	"  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	"  occurrences INTEGER NOT NULL,"
	"  UNIQUE (set_id, algo, digest, host, path));"
	"CREATE INDEX candidates_last_seen ON candidates (last_seen, id);"
	"CREATE INDEX candidates_status ON candidates (status, last_seen);"
	"CREATE INDEX candidates_host ON candidates (host, path);"
	"CREATE TABLE occurrences ("
	"  id INTEGER PRIMARY KEY,"
	"  candidate_id INTEGER NOT NULL REFERENCES candidates (id),"
	"  seen INTEGER NOT NULL, client TEXT NOT NULL, method TEXT NOT NULL,"
	"  server_ip TEXT NOT NULL, server_port INTEGER NOT NULL,"
	"  http_status INTEGER NOT NULL, size INTEGER NOT NULL,"
	"  complete INTEGER NOT NULL, partial INTEGER NOT NULL,"
	"  dataplane TEXT NOT NULL, epoch TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  UNIQUE (dataplane, epoch, seq));"
	"CREATE INDEX occurrences_candidate ON occurrences (candidate_id, seen);"
	"CREATE INDEX occurrences_seen ON occurrences (seen);"
	"CREATE TABLE reviews ("
	"  id INTEGER PRIMARY KEY,"
	"  candidate_id INTEGER NOT NULL REFERENCES candidates (id),"
	"  at INTEGER NOT NULL, actor TEXT NOT NULL,"
	"  from_status TEXT NOT NULL, to_status TEXT NOT NULL, note TEXT NOT NULL);"
	"CREATE INDEX reviews_candidate ON reviews (candidate_id, id);"
	"CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews"
	"  BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;"
	"CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews"
	"  BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;"
	"CREATE TABLE ingest_peers ("
	"  dataplane TEXT NOT NULL, epoch TEXT NOT NULL, last_seq INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL, PRIMARY KEY (dataplane, epoch));";

/* Version 2: the local allowlist, blocks, and the reopen counter. */
static const char migration_2[] =
	"ALTER TABLE candidates ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE allowlist ("
	"  algo TEXT NOT NULL, digest TEXT NOT NULL, added INTEGER NOT NULL,"
	"  actor TEXT NOT NULL, note TEXT NOT NULL, candidate_id INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (algo, digest));"
	"CREATE TABLE blocks ("
	"  id INTEGER PRIMARY KEY,"
	"  host TEXT NOT NULL, path TEXT NOT NULL, candidate_id INTEGER NOT NULL,"
	"  source TEXT NOT NULL CHECK (source IN ('auto','manual')),"
	"  created INTEGER NOT NULL, expires INTEGER NOT NULL, actor TEXT NOT NULL,"
	"  UNIQUE (host, path));"
	"CREATE INDEX blocks_candidate ON blocks (candidate_id);";

/* Version 3: fewer indexes on the ingest path.  Every match updates its
 * candidate's last_seen; indexes that only served rare queries (status and
 * host filters, exports) cost more there than they save: those queries
 * walk candidates_last_seen or sort instead. */
static const char migration_3[] =
	"DROP INDEX candidates_status;"
	"DROP INDEX candidates_host;";

/* Version 4: a compact candidate key.  The UNIQUE (set_id, algo, digest,
 * host, path) index held the five text columns (a URL path can be long) and
 * every new candidate inserted into it at a random position; per batch that
 * dirtied a large part of it.  Candidates are now found by ckey, a 64-bit
 * hash of the five (ctl_ckey(), see ctl_sqlite_cand_key()) in a plain index,
 * the columns compared on the row: a collision costs one more row read.
 * Uniqueness is kept by the single writer finding before inserting.
 * SQLite cannot drop a UNIQUE constraint, so the table is rebuilt: its rows
 * copied into a new table with the same ids, the old one dropped, the new
 * one renamed (SQLite's documented procedure: migrations run with foreign
 * keys off, and each step checks them before it commits).  The status
 * CHECK is spelled with OR: an IN list of four constants made SQLite build
 * a temporary table on every insert and status change (~10% of ingest). */
static const char migration_4[] =
	"CREATE TABLE candidates_v4 ("
	"  id INTEGER PRIMARY KEY, ckey INTEGER NOT NULL,"
	"  set_id TEXT NOT NULL, algo TEXT NOT NULL, digest TEXT NOT NULL,"
	"  host TEXT NOT NULL, path TEXT NOT NULL,"
	"  set_version INTEGER NOT NULL, server_ip TEXT NOT NULL, server_port INTEGER NOT NULL,"
	"  category INTEGER NOT NULL, ref INTEGER NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'new'"
	"    CHECK (status = 'new' OR status = 'confirmed' OR status = 'taken_down'"
	"           OR status = 'false_positive'),"
	"  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	"  occurrences INTEGER NOT NULL, reopened INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO candidates_v4 SELECT id, ctl_ckey(set_id, algo, digest, host, path),"
	"  set_id, algo, digest, host, path, set_version, server_ip, server_port,"
	"  category, ref, status, first_seen, last_seen, occurrences, reopened"
	"  FROM candidates ORDER BY id;"
	"DROP TABLE candidates;"
	"ALTER TABLE candidates_v4 RENAME TO candidates;"
	"CREATE INDEX candidates_ckey ON candidates (ckey);"
	"CREATE INDEX candidates_last_seen ON candidates (last_seen, id);";

/* Version 5: the same for blocks.  Every new candidate adds a block, and
 * the UNIQUE (host, path) index took the full URL at a random place; now
 * bkey, a 64-bit hash of (host, path) (ctl_bkey(), ctl_sqlite_block_key()),
 * in a plain index.  Writers find before inserting inside a write
 * transaction (ctl_sqlite_block_add), which SQLite serialises. */
static const char migration_5[] =
	"CREATE TABLE blocks_v5 ("
	"  id INTEGER PRIMARY KEY, bkey INTEGER NOT NULL,"
	"  host TEXT NOT NULL, path TEXT NOT NULL, candidate_id INTEGER NOT NULL,"
	"  source TEXT NOT NULL CHECK (source IN ('auto','manual')),"
	"  created INTEGER NOT NULL, expires INTEGER NOT NULL, actor TEXT NOT NULL);"
	"INSERT INTO blocks_v5 SELECT id, ctl_bkey(host, path), host, path, candidate_id,"
	"  source, created, expires, actor FROM blocks ORDER BY id;"
	"DROP TABLE blocks;"
	"ALTER TABLE blocks_v5 RENAME TO blocks;"
	"CREATE INDEX blocks_bkey ON blocks (bkey);"
	"CREATE INDEX blocks_candidate ON blocks (candidate_id);";

/* Version 6: every match is recorded, whatever the client sent
 * (docs/ingest-protocol.md, "The event object"): whether a candidate's
 * host or path was cut to fit, and per occurrence which fields ingest
 * normalised (1 << enum ctl_event_field).  A match without a Host keeps
 * host = ''. */
static const char migration_6[] =
	"ALTER TABLE candidates ADD COLUMN host_truncated INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE candidates ADD COLUMN path_truncated INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE occurrences ADD COLUMN normalised INTEGER NOT NULL DEFAULT 0;";

/* Version 7: a false positive reaches as far as it was decided for.  An
 * allowlist entry covers one set (set_id) or every set (set_id ''); the
 * primary key takes the set, so the table is rebuilt (entries so far
 * cover every set, as they did).  A review row records the scope of the
 * entry it made ('set' or 'global'; '' when it made none). */
static const char migration_7[] =
	"CREATE TABLE allowlist_v7 ("
	"  algo TEXT NOT NULL, digest TEXT NOT NULL, set_id TEXT NOT NULL DEFAULT '',"
	"  added INTEGER NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL,"
	"  candidate_id INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (algo, digest, set_id));"
	"INSERT INTO allowlist_v7 (algo, digest, set_id, added, actor, note, candidate_id)"
	"  SELECT algo, digest, '', added, actor, note, candidate_id FROM allowlist;"
	"DROP TABLE allowlist;"
	"ALTER TABLE allowlist_v7 RENAME TO allowlist;"
	"ALTER TABLE reviews ADD COLUMN allow_scope TEXT NOT NULL DEFAULT '';";

/* Version 8: a candidate raised by the re-check of the served-object
 * journal (docs/journal.md) is flagged retroactive. */
static const char migration_8[] =
	"ALTER TABLE candidates ADD COLUMN retroactive INTEGER NOT NULL DEFAULT 0;";

/* Version 9: the tamper-evident audit trail (control/audit.h: each row's
 * hash covers the one before; triggers keep honest writers append-only,
 * the chain catches the others), flood quarantines of a digest
 * (control/quarantine.h), the index that finds a digest's candidates for
 * the flood check (written once per new candidate; last_seen updates do
 * not touch it), and reviews by time for the transparency report. */
static const char migration_9[] =
	"CREATE TABLE audit ("
	"  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,"
	"  action TEXT NOT NULL, object TEXT NOT NULL, detail TEXT NOT NULL,"
	"  prev BLOB NOT NULL, hash BLOB NOT NULL, sig BLOB);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TABLE quarantine ("
	"  id INTEGER PRIMARY KEY, algo TEXT NOT NULL, digest TEXT NOT NULL,"
	"  set_id TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state = 'active' OR state = 'released'"
	"    OR state = 'confirmed'),"
	"  hosts INTEGER NOT NULL, urls INTEGER NOT NULL, since INTEGER NOT NULL,"
	"  decided INTEGER NOT NULL DEFAULT 0, actor TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX quarantine_digest ON quarantine (digest, algo, id);"
	"CREATE INDEX candidates_digest ON candidates (digest);"
	"CREATE INDEX reviews_at ON reviews (at);";

/* Version 10: perceptual (pdq) matches.  A candidate keeps the nearest
 * listed entry any of its occurrences matched, with the distance in bits,
 * the hash's quality and the dihedral variant (distance -1: an exact
 * match); each occurrence keeps its own distance and quality. */
static const char migration_10[] =
	"ALTER TABLE candidates ADD COLUMN near_entry TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE candidates ADD COLUMN near_distance INTEGER NOT NULL DEFAULT -1;"
	"ALTER TABLE candidates ADD COLUMN near_quality INTEGER NOT NULL DEFAULT -1;"
	"ALTER TABLE candidates ADD COLUMN near_variant TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE occurrences ADD COLUMN distance INTEGER NOT NULL DEFAULT -1;"
	"ALTER TABLE occurrences ADD COLUMN quality INTEGER NOT NULL DEFAULT -1;";

static const char *const migrations[] = {
	migration_1, migration_2, migration_3, migration_4, migration_5, migration_6,
	migration_7, migration_8, migration_9, migration_10,
};

int ctl_sqlite_migrate_latest(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

/* The integer that @pragma (e.g. "PRAGMA user_version") returns. */
static int int_pragma(sqlite3 *db, const char *pragma, int *ret)
{
	sqlite3_stmt *st;
	int r = -EIO;

	if (sqlite3_prepare_v2(db, pragma, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*ret = sqlite3_column_int(st, 0);
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

/* sqlite3_exec callback: any row aborts (a foreign key violation). */
static int abort_on_row(void *ctx, int n, char **vals, char **names)
{
	(void)ctx;
	(void)n;
	(void)vals;
	(void)names;
	return 1;
}

/* Apply step @to (from @to-1) in one transaction; foreign keys are off
 * (table rebuilds), so they are checked before the commit. */
static int migrate_step(sqlite3 *db, int to)
{
	char sql[64];

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -EIO;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", to);
	if (sqlite3_exec(db, migrations[to - 1], NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA foreign_key_check", abort_on_row, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -EIO;
	}
	return 0;
}

/* ctl_ckey(set, algo, digest, host, path): the candidate key, for SQL. */
static void sql_ckey(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *f[5];

	for (int i = 0; i < argc && i < 5; i++)
		f[i] = (const char *)sqlite3_value_text(argv[i]);
	sqlite3_result_int64(ctx, ctl_sqlite_cand_key(f[0], f[1], f[2], f[3], f[4]));
}

/* ctl_bkey(host, path): the block key, for SQL. */
static void sql_bkey(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_int64(ctx, ctl_sqlite_block_key((const char *)sqlite3_value_text(argv[0]),
						       (const char *)sqlite3_value_text(argv[1])));
}

int ctl_sqlite_schema_version(struct ctl_store *s)
{
	int v;

	return int_pragma(ctl_sqlite_of(s)->db, "PRAGMA user_version", &v) < 0 ? -EIO : v;
}

int ctl_sqlite_migrate(sqlite3 *db, int target)
{
	int v, fk, r = 0;

	if (target < 0 || target > ctl_sqlite_migrate_latest())
		return -EINVAL;
	if (int_pragma(db, "PRAGMA user_version", &v) < 0 ||
	    int_pragma(db, "PRAGMA foreign_keys", &fk) < 0)
		return -EIO;
	if (v > target)
		return -ENOTSUP;
	if (sqlite3_create_function(db, "ctl_ckey", 5, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    sql_ckey, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "ctl_bkey", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    sql_bkey, NULL, NULL) != SQLITE_OK)
		return -EIO;
	/* Only outside a transaction does this take effect: as here. */
	if (sqlite3_exec(db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) != SQLITE_OK)
		return -EIO;
	for (int to = v + 1; to <= target && r == 0; to++)
		r = migrate_step(db, to);
	if (sqlite3_exec(db, fk ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF", NULL,
			 NULL, NULL) != SQLITE_OK)
		r = -EIO;
	return r;
}
