/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for control/store*.c: the SQLite back end's ops table,
 * recording, duplicates, the review workflow and its consequences,
 * allowlist, blocks, retention, migrations. */
#include "control/store.h"
#include "control/store_sqlite.h"
#include "ctl_test_store_cases.h"
#include "hwall_test.h"

#include <errno.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct ctl_store *open_mem(void)
{
	struct ctl_store *s = NULL;

	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	return s;
}

static struct ctl_store *ctl_test_store_new(void)
{
	return open_mem();
}

/* sqlite3_exec callback: any row aborts the statement. */
static int fail_on_row(void *ctx, int n, char **vals, char **names)
{
	(void)ctx;
	(void)n;
	(void)vals;
	(void)names;
	return 1;
}

/* Every op of the SQLite back end is set (a NULL one would crash its
 * ctl_store_* caller), and ctl_store_open() dispatches to it. */
static void test_sqlite_ops_complete(void)
{
	struct ctl_store_ops partial = ctl_sqlite_ops;
	struct ctl_store *s = open_mem();

	CU_ASSERT_STRING_EQUAL(ctl_sqlite_ops.name, "sqlite");
	CU_ASSERT_EQUAL(ops_unset(&ctl_sqlite_ops), 0);
	/* the walk reaches the first op and the last */
	partial.open = NULL;
	partial.tail = NULL;
	CU_ASSERT_EQUAL(ops_unset(&partial), 2);
	CU_ASSERT_PTR_EQUAL(s->ops, &ctl_sqlite_ops);
	ctl_store_close(s);
	ctl_store_close(NULL);
}

static void test_open_schema(void)
{
	struct ctl_store *s = open_mem();

	CU_ASSERT_EQUAL(ctl_store_schema_version(s), ctl_sqlite_migrate_latest());
	CU_ASSERT_EQUAL(ctl_sqlite_migrate_latest(), 10);
	ctl_store_close(s);
}

static void test_reviews_append_only(void)
{
	char path[] = "/tmp/hw-ctl-store-XXXXXX";
	struct ctl_store *s = NULL;
	struct ctl_record_result res;
	struct ctl_event ev;
	sqlite3 *db;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_FATAL(ctl_store_open(path, &s, NULL) == 0);
	ctl_test_event(&ev, 1, "a.example", "/x.jpg", 1000);
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	CU_ASSERT_EQUAL(ctl_store_review(s, res.candidate_id, CTL_STATUS_CONFIRMED, "a", "", CTL_ALLOW_SET, 1, NULL),
			0);
	ctl_store_close(s);
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	CU_ASSERT_NOT_EQUAL(sqlite3_exec(db, "UPDATE reviews SET note = 'x'", NULL, NULL, NULL),
			    SQLITE_OK);
	CU_ASSERT_NOT_EQUAL(sqlite3_exec(db, "DELETE FROM reviews", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	unlink(path);
}

/* A database file at @path (a mkstemp template) of schema @version with
 * the rows of @sql, then opened (and so migrated) as a store. */
static struct ctl_store *store_from_version(char *path, int version, const char *sql)
{
	struct ctl_store *s = NULL;
	sqlite3 *db;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	CU_ASSERT_EQUAL(ctl_sqlite_migrate(db, version), 0);
	CU_ASSERT_EQUAL(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	CU_ASSERT_FATAL(ctl_store_open(path, &s, NULL) == 0);
	return s;
}

static void test_migrate_from_v1(void)
{
	char path[] = "/tmp/hw-ctl-mig-XXXXXX";
	struct ctl_store *s;
	struct ctl_candidate c;
	sqlite3 *db;

	s = store_from_version(path, 1,
			       "INSERT INTO candidates (set_id, algo, digest, host, path,"
			       " set_version, server_ip, server_port, category, ref,"
			       " first_seen, last_seen, occurrences) VALUES ('s', 'md5',"
			       " '00112233445566778899aabbccddeeff', 'h', '/p', 1, '192.0.2.1',"
			       " 80, 2, 3, 10, 20, 4)");
	CU_ASSERT_EQUAL(ctl_store_schema_version(s), ctl_sqlite_migrate_latest());
	CU_ASSERT_EQUAL(ctl_store_candidate(s, 1, &c), 0);
	CU_ASSERT_EQUAL(c.occurrences, 4);
	CU_ASSERT_EQUAL(c.reopened, 0);
	CU_ASSERT_EQUAL(c.algo, HWALL_ALGO_MD5);
	ctl_store_close(s);
	/* a database from a newer controld is refused, not touched */
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = NULL;
	CU_ASSERT_EQUAL(ctl_store_open(path, &s, NULL), -ENOTSUP);
	CU_ASSERT_PTR_NULL(s);
	unlink(path);
}

/* Versions 4 and 5 rebuild candidates and blocks around hash keys: ids,
 * rows, what refers to them and the lookup of existing rows survive. */
static void test_migrate_v3_hash_keys(void)
{
	char path[] = "/tmp/hw-ctl-mig4-XXXXXX", sql[1024];
	struct ctl_record_result res;
	struct ctl_review rv[4] = { 0 };
	struct ctl_store *s = NULL;
	struct ctl_block b;
	int64_t bid = 0;
	struct ctl_candidate c;
	struct ctl_event ev;
	sqlite3 *db;
	int fd = mkstemp(path), occ = 0;

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	ctl_test_event(&ev, 41, "h.example", "/a.jpg", 1000);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO candidates (id, set_id, algo, digest, host, path, set_version,"
		 " server_ip, server_port, category, ref, status, first_seen, last_seen,"
		 " occurrences) VALUES (5, 'other', 'md5', '00112233445566778899aabbccddeeff',"
		 " 'h', '/p', 1, '192.0.2.1', 80, 2, 3, 'new', 10, 20, 1),"
		 " (9, 'test', 'xxh3-128', '%s', 'h.example', '/a.jpg', 7, '192.0.2.10', 80,"
		 " 1, 141, 'confirmed', 900, 900, 1);"
		 "INSERT INTO occurrences (candidate_id, seen, client, method, server_ip,"
		 " server_port, http_status, size, complete, partial, dataplane, epoch, seq)"
		 " VALUES (9, 900, 'c', 'GET', '192.0.2.10', 80, 200, 5, 1, 0, 'dp0', 'e0', 1);"
		 "INSERT INTO reviews (candidate_id, at, actor, from_status, to_status, note)"
		 " VALUES (9, 950, 'alice', 'new', 'confirmed', 'seen');"
		 "INSERT INTO blocks (id, host, path, candidate_id, source, created, expires,"
		 " actor) VALUES (4, 'h.example', '/a.jpg', 9, 'manual', 900, 2000, 'alice');",
		 ev.digest);
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), SQLITE_OK);
	CU_ASSERT_EQUAL(ctl_sqlite_migrate(db, 3), 0);
	CU_ASSERT_EQUAL(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	/* migrating turns foreign keys off for table rebuilds, and back on */
	CU_ASSERT_EQUAL(sqlite3_exec(db, "INSERT INTO reviews (candidate_id, at, actor,"
				     " from_status, to_status, note) VALUES (77, 1, 'a', 'new',"
				     " 'confirmed', '')", NULL, NULL, NULL),
			SQLITE_CONSTRAINT);
	sqlite3_close(db);
	CU_ASSERT_FATAL(ctl_store_open(path, &s, NULL) == 0);
	CU_ASSERT_EQUAL(ctl_store_schema_version(s), ctl_sqlite_migrate_latest());
	CU_ASSERT_EQUAL(ctl_store_candidate(s, 5, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.set, "other");
	CU_ASSERT_EQUAL(ctl_store_candidate(s, 9, &c), 0);
	CU_ASSERT_EQUAL(c.status, CTL_STATUS_CONFIRMED);
	CU_ASSERT_EQUAL(c.first_seen, 900);
	/* the same (set, algo, digest, host, path) finds the migrated row */
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	CU_ASSERT_FALSE(res.created);
	CU_ASSERT_EQUAL(res.candidate_id, 9);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, 9, &c), 0);
	CU_ASSERT_EQUAL(c.occurrences, 2);
	CU_ASSERT_EQUAL(ctl_store_occurrences(s, 9, 10, occ_count_cb, &occ), 0);
	CU_ASSERT_EQUAL(occ, 2);
	CU_ASSERT_EQUAL(ctl_store_reviews(s, 9, review_collect_cb, rv), 0);
	CU_ASSERT_STRING_EQUAL(rv[0].actor, "alice");
	/* the migrated block is found by its URL and renewed, not doubled */
	CU_ASSERT_EQUAL(ctl_store_block_add(s, "h.example", "/a.jpg", 0, CTL_BLOCK_AUTO,
					    "controld", 1000, 5000, &bid), 0);
	CU_ASSERT_EQUAL(bid, 4);
	CU_ASSERT_EQUAL(ctl_store_block_get(s, 4, &b), 0);
	CU_ASSERT_EQUAL(b.source, CTL_BLOCK_MANUAL);
	CU_ASSERT_EQUAL(b.candidate_id, 9);
	CU_ASSERT_EQUAL(b.expires, 5000);
	CU_ASSERT_EQUAL(ctl_store_block_add(s, "h.example", "/a.jpg2", 0, CTL_BLOCK_AUTO,
					    "controld", 1000, 5000, &bid), 0);
	CU_ASSERT_EQUAL(bid, 5);
	ctl_store_close(s);
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "PRAGMA foreign_key_check", fail_on_row, NULL, NULL),
			SQLITE_OK);
	/* the rebuilt tables still refuse unknown states */
	CU_ASSERT_EQUAL(sqlite3_exec(db, "UPDATE candidates SET status = 'gone' WHERE id = 9",
				     NULL, NULL, NULL),
			SQLITE_CONSTRAINT);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "UPDATE blocks SET source = 'x' WHERE id = 4", NULL,
				     NULL, NULL),
			SQLITE_CONSTRAINT);
	sqlite3_close(db);
	unlink(path);
}

/* Version 6 adds the flags: rows from before read as not cut, not
 * normalised; version 7 scopes the allowlist: entries from before cover
 * every set, reviews from before made none. */
static void test_migrate_v5(void)
{
	char path[] = "/tmp/hw-ctl-mig6-XXXXXX";
	struct ctl_review trail[2] = { 0 };
	struct ctl_store *s;
	struct ctl_occurrence o;
	struct ctl_candidate c;

	s = store_from_version(path, 5,
			       "INSERT INTO candidates (id, ckey, set_id, algo, digest, host,"
			       " path, set_version, server_ip, server_port, category, ref,"
			       " first_seen, last_seen, occurrences) VALUES (3, 1, 's', 'md5',"
			       " '00112233445566778899aabbccddeeff', 'h', '/p', 1, '192.0.2.1',"
			       " 80, 2, 3, 10, 20, 1);"
			       "INSERT INTO occurrences (candidate_id, seen, client, method,"
			       " server_ip, server_port, http_status, size, complete, partial,"
			       " dataplane, epoch, seq) VALUES (3, 10, 'c', 'GET', '192.0.2.1',"
			       " 80, 200, 5, 1, 0, 'dp0', 'e0', 1);"
			       "INSERT INTO allowlist (algo, digest, added, actor, note,"
			       " candidate_id) VALUES ('md5', '00112233445566778899aabbccddeeff',"
			       " 30, 'alice', 'false positive', 3);"
			       "INSERT INTO reviews (candidate_id, at, actor, from_status,"
			       " to_status, note) VALUES (3, 30, 'alice', 'new', 'false_positive',"
			       " '')");
	CU_ASSERT_EQUAL(ctl_store_schema_version(s), ctl_sqlite_migrate_latest());
	CU_ASSERT_TRUE(ctl_store_allowed(s, HWALL_ALGO_MD5, "00112233445566778899aabbccddeeff",
					 "any"));
	CU_ASSERT_EQUAL(ctl_store_reviews(s, 3, review_collect_cb, trail), 0);
	CU_ASSERT_EQUAL(trail[0].allow_scope, -1);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, 3, &c), 0);
	CU_ASSERT_FALSE(c.host_truncated || c.path_truncated);
	CU_ASSERT_EQUAL(ctl_store_occurrences(s, 3, 1, occ_collect_cb, &o), 0);
	CU_ASSERT_EQUAL(o.normalised, 0);
	CU_ASSERT_STRING_EQUAL(o.method, "GET");
	ctl_store_close(s);
	unlink(path);
}

static void test_status_names(void)
{
	CU_ASSERT_EQUAL(ctl_status_parse("taken_down"), CTL_STATUS_TAKEN_DOWN);
	CU_ASSERT_EQUAL(ctl_status_parse("Taken_down"), -EINVAL);
	CU_ASSERT_EQUAL(ctl_status_parse(NULL), -EINVAL);
	CU_ASSERT_STRING_EQUAL(ctl_status_name(CTL_STATUS_FALSE_POSITIVE), "false_positive");
	CU_ASSERT_STRING_EQUAL(ctl_status_name(CTL_STATUS_COUNT), "?");
	CU_ASSERT_TRUE(ctl_status_open(CTL_STATUS_CONFIRMED));
	CU_ASSERT_FALSE(ctl_status_open(CTL_STATUS_TAKEN_DOWN));
	CU_ASSERT_STRING_EQUAL(ctl_event_field_name(CTL_EVF_host), "host");
	CU_ASSERT_STRING_EQUAL(ctl_event_field_name(CTL_EVF_ts), "ts");
	CU_ASSERT_STRING_EQUAL(ctl_event_field_name(CTL_EVF_COUNT), "?");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "sqlite ops table complete", test_sqlite_ops_complete },
		{ "open and schema version", test_open_schema },
		{ "reviews are append-only", test_reviews_append_only },
		{ "migrate from v1, refuse newer", test_migrate_from_v1 },
		{ "migrate v3 to hash keys", test_migrate_v3_hash_keys },
		{ "migrate v5: flags, allowlist scopes", test_migrate_v5 },
		{ "status names", test_status_names },
		CTL_TEST_STORE_CASES,
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/store", tests);
}
