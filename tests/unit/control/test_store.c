/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for control/store*.c: the SQLite back end's ops table,
 * recording, duplicates, the review workflow and its consequences,
 * allowlist, blocks, retention, migrations. */
#include "control/store.h"
#include "control/store_sqlite.h"
#include "ctl_test_event.h"
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

/* Record one event inside its own transaction. */
static int record(struct ctl_store *s, const struct ctl_event *ev, uint64_t seq,
		  struct ctl_record_result *res)
{
	int r = ctl_store_begin(s);

	if (r == 0)
		r = ctl_store_record(s, ev, "dp0", "e1", seq, res);
	if (r == 0)
		r = ctl_store_commit(s);
	return r;
}

static int cand_count_cb(const struct ctl_candidate *c, void *ctx)
{
	(void)c;
	(*(int *)ctx)++;
	return 0;
}

static int occ_count_cb(const struct ctl_occurrence *o, void *ctx)
{
	(void)o;
	(*(int *)ctx)++;
	return 0;
}

static int review_collect_cb(const struct ctl_review *r, void *ctx)
{
	struct ctl_review *out = ctx;
	int i = 0;

	while (out[i].id)
		i++;
	out[i] = *r;
	return 0;
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

/* Only function pointers follow the name, so the table can be walked as
 * an array of them (all function pointers share one representation). */
typedef void (*any_op)(void);
_Static_assert((sizeof(struct ctl_store_ops) - offsetof(struct ctl_store_ops, open)) %
			       sizeof(any_op) == 0,
	       "struct ctl_store_ops: only function pointers after name");

/* How many ops of @ops are NULL. */
static size_t ops_unset(const struct ctl_store_ops *ops)
{
	const unsigned char *p = (const unsigned char *)ops;
	size_t n = 0;

	for (size_t off = offsetof(struct ctl_store_ops, open); off < sizeof(*ops);
	     off += sizeof(any_op)) {
		any_op op;

		memcpy(&op, p + off, sizeof(op));
		n += op == NULL;
	}
	return n;
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
	partial.candidates_by_host = NULL;
	CU_ASSERT_EQUAL(ops_unset(&partial), 2);
	CU_ASSERT_PTR_EQUAL(s->ops, &ctl_sqlite_ops);
	ctl_store_close(s);
	ctl_store_close(NULL);
}

static void test_open_schema(void)
{
	struct ctl_store *s = open_mem();

	CU_ASSERT_EQUAL(ctl_store_schema_version(s), ctl_sqlite_migrate_latest());
	CU_ASSERT_EQUAL(ctl_sqlite_migrate_latest(), 8);
	ctl_store_close(s);
}

static void test_record_and_duplicates(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_record_result res;
	struct ctl_candidate c;
	struct ctl_event ev;
	uint64_t mark = 99;
	int64_t id;
	int n = 0;

	ctl_test_event(&ev, 1, "a.example", "/x.jpg", 1000);
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	CU_ASSERT_TRUE(res.created);
	CU_ASSERT_FALSE(res.duplicate);
	id = res.candidate_id;
	ev.ts = 2000;
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_FALSE(res.created);
	/* seq 2 again: recognised and not stored twice */
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_TRUE(res.duplicate);
	CU_ASSERT_EQUAL(res.candidate_id, 0);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, id, &c), 0);
	CU_ASSERT_EQUAL(c.occurrences, 2);
	CU_ASSERT_EQUAL(c.first_seen, 1000);
	CU_ASSERT_EQUAL(c.last_seen, 2000);
	CU_ASSERT_STRING_EQUAL(c.host, "a.example");
	CU_ASSERT_STRING_EQUAL(c.digest, ev.digest);
	CU_ASSERT_EQUAL(c.status, CTL_STATUS_NEW);
	CU_ASSERT_EQUAL(ctl_store_occurrences(s, c.id, 100, occ_count_cb, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(ctl_store_peer_mark(s, "dp0", "e1", &mark), 0);
	CU_ASSERT_EQUAL(mark, 2);
	CU_ASSERT_EQUAL(ctl_store_peer_mark(s, "dp0", "e2", &mark), 0);
	CU_ASSERT_EQUAL(mark, 0);
	ctl_store_close(s);
}

static void test_candidate_key(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_cand_filter f = { .status = -1, .limit = 100 };
	struct ctl_record_result res;
	struct ctl_event ev;
	uint64_t total = 0;
	int n = 0;

	ctl_test_event(&ev, 1, "a.example", "/x.jpg", 1000);
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	snprintf(ev.path, sizeof(ev.path), "/y.jpg"); /* another URL: another candidate */
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_TRUE(res.created);
	snprintf(ev.set, sizeof(ev.set), "other"); /* another set: another candidate */
	CU_ASSERT_EQUAL(record(s, &ev, 3, &res), 0);
	CU_ASSERT_TRUE(res.created);
	CU_ASSERT_EQUAL(ctl_store_candidates(s, &f, cand_count_cb, &n, &total), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(total, 3);
	ctl_store_close(s);
}

static void test_filters_and_paging(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_cand_filter f = { .status = -1, .limit = 4, .offset = 8 };
	struct ctl_record_result res;
	struct ctl_event ev;
	uint64_t total = 0;
	int n = 0;

	for (int i = 0; i < 10; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/obj%d", i);
		ctl_test_event(&ev, (uint64_t)i, i % 2 ? "odd.example" : "even.example", path,
			       1000 + i);
		CU_ASSERT_EQUAL(record(s, &ev, (uint64_t)i + 1, &res), 0);
	}
	CU_ASSERT_EQUAL(ctl_store_candidates(s, &f, cand_count_cb, &n, &total), 0);
	CU_ASSERT_EQUAL(total, 10);
	CU_ASSERT_EQUAL(n, 2); /* offset 8 of 10 */
	f = (struct ctl_cand_filter){ .status = -1, .host = "odd.example", .limit = 100 };
	n = 0;
	CU_ASSERT_EQUAL(ctl_store_candidates(s, &f, cand_count_cb, &n, &total), 0);
	CU_ASSERT_EQUAL(n, 5);
	f = (struct ctl_cand_filter){ .status = -1, .since = 1005, .until = 1007, .limit = 100 };
	n = 0;
	CU_ASSERT_EQUAL(ctl_store_candidates(s, &f, cand_count_cb, &n, &total), 0);
	CU_ASSERT_EQUAL(n, 3);
	f = (struct ctl_cand_filter){ .status = CTL_STATUS_CONFIRMED, .limit = 100 };
	n = 0;
	CU_ASSERT_EQUAL(ctl_store_candidates(s, &f, cand_count_cb, &n, &total), 0);
	CU_ASSERT_EQUAL(n, 0);
	f = (struct ctl_cand_filter){ .status = -1, .set = "test", .limit = 100 };
	n = 0;
	CU_ASSERT_EQUAL(ctl_store_candidates(s, &f, cand_count_cb, &n, &total), 0);
	CU_ASSERT_EQUAL(n, 10);
	ctl_store_close(s);
}

static void test_review_trail(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_review trail[4] = { 0 };
	struct ctl_record_result res;
	struct ctl_review_result rr;
	struct ctl_candidate c;
	struct ctl_event ev;
	int64_t id;

	ctl_test_event(&ev, 1, "a.example", "/x.jpg", 1000);
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	id = res.candidate_id;
	CU_ASSERT_EQUAL(ctl_store_review(s, id, CTL_STATUS_CONFIRMED, "alice", "seen", CTL_ALLOW_SET, 1100, &rr),
			0);
	CU_ASSERT_EQUAL(rr.from, CTL_STATUS_NEW);
	CU_ASSERT_EQUAL(ctl_store_review(s, id, CTL_STATUS_CONFIRMED, "bob", NULL, CTL_ALLOW_SET, 1200, &rr),
			-EALREADY);
	CU_ASSERT_EQUAL(ctl_store_review(s, id, CTL_STATUS_TAKEN_DOWN, "bob", NULL, CTL_ALLOW_SET, 1300, &rr), 0);
	CU_ASSERT_EQUAL(ctl_store_review(s, 999, CTL_STATUS_TAKEN_DOWN, "bob", NULL, CTL_ALLOW_SET, 1300, &rr),
			-ENOENT);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, id, &c), 0);
	CU_ASSERT_EQUAL(c.status, CTL_STATUS_TAKEN_DOWN);
	CU_ASSERT_EQUAL(ctl_store_reviews(s, id, review_collect_cb, trail), 0);
	CU_ASSERT_STRING_EQUAL(trail[0].actor, "alice");
	CU_ASSERT_STRING_EQUAL(trail[0].note, "seen");
	CU_ASSERT_EQUAL(trail[0].from, CTL_STATUS_NEW);
	CU_ASSERT_EQUAL(trail[0].to, CTL_STATUS_CONFIRMED);
	CU_ASSERT_EQUAL(trail[1].at, 1300);
	CU_ASSERT_EQUAL(trail[1].to, CTL_STATUS_TAKEN_DOWN);
	CU_ASSERT_EQUAL(trail[2].id, 0);
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

static int block_count_cb(const struct ctl_block *b, void *ctx)
{
	(void)b;
	(*(int *)ctx)++;
	return 0;
}

/* A reviewer's false positive covers the set it matched in, for every
 * host; an admin's global one covers every set.  The trail says which. */
static void test_false_positive(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_review trail[4] = { 0 };
	struct ctl_record_result res;
	struct ctl_review_result rr;
	struct ctl_event ev;
	int64_t id, bid = 0;
	int n = 0;

	ctl_test_event(&ev, 1, "a.example", "/x.jpg", 1000);
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	id = res.candidate_id;
	CU_ASSERT_EQUAL(ctl_store_block_add(s, ev.host, ev.path, id, CTL_BLOCK_AUTO, "controld",
					    1000, 5000, &bid), 0);
	CU_ASSERT_TRUE(bid > 0);
	CU_ASSERT_EQUAL(ctl_store_review(s, id, CTL_STATUS_FALSE_POSITIVE, "alice", "fp",
					 CTL_ALLOW_SET, 1100, &rr), 0);
	CU_ASSERT_TRUE(rr.allow_added);
	CU_ASSERT_EQUAL(rr.blocks_removed, 1);
	CU_ASSERT_TRUE(ctl_store_allowed(s, ev.algo, ev.digest, "test"));
	CU_ASSERT_FALSE(ctl_store_allowed(s, ev.algo, ev.digest, "other"));
	CU_ASSERT_EQUAL(ctl_store_blocks(s, 0, 0, 100, block_count_cb, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 0);
	/* a later match of the digest in the set, on any URL, is not recorded */
	snprintf(ev.path, sizeof(ev.path), "/copy.jpg");
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_TRUE(res.allowlisted);
	CU_ASSERT_EQUAL(res.candidate_id, 0);
	/* one in another set is */
	snprintf(ev.set, sizeof(ev.set), "other");
	CU_ASSERT_EQUAL(record(s, &ev, 3, &res), 0);
	CU_ASSERT_FALSE(res.allowlisted);
	CU_ASSERT_TRUE(res.created);
	/* undoing the false positive lifts the allowlist entry */
	CU_ASSERT_EQUAL(ctl_store_review(s, id, CTL_STATUS_NEW, "bob", "undo", CTL_ALLOW_SET, 1200,
					 &rr), 0);
	CU_ASSERT_TRUE(rr.allow_removed);
	CU_ASSERT_FALSE(ctl_store_allowed(s, ev.algo, ev.digest, "test"));
	/* an admin's decision for every set */
	CU_ASSERT_EQUAL(ctl_store_review(s, id, CTL_STATUS_FALSE_POSITIVE, "adam", "everywhere",
					 CTL_ALLOW_GLOBAL, 1300, &rr), 0);
	CU_ASSERT_TRUE(rr.allow_added);
	CU_ASSERT_TRUE(ctl_store_allowed(s, ev.algo, ev.digest, "other"));
	CU_ASSERT_TRUE(ctl_store_allowed(s, ev.algo, ev.digest, "any"));
	CU_ASSERT_EQUAL(ctl_store_reviews(s, id, review_collect_cb, trail), 0);
	CU_ASSERT_EQUAL(trail[0].allow_scope, CTL_ALLOW_SET);
	CU_ASSERT_EQUAL(trail[1].allow_scope, -1);
	CU_ASSERT_EQUAL(trail[2].allow_scope, CTL_ALLOW_GLOBAL);
	CU_ASSERT_EQUAL(ctl_store_review(s, id, CTL_STATUS_NEW, "adam", NULL, CTL_ALLOW_SET, 1400,
					 &rr), 0);
	CU_ASSERT_FALSE(ctl_store_allowed(s, ev.algo, ev.digest, "other"));
	CU_ASSERT_EQUAL(ctl_store_review(s, id, CTL_STATUS_NEW, "adam", NULL,
					 CTL_ALLOW_SCOPE_COUNT, 1400, &rr), -EINVAL);
	ctl_store_close(s);
}

static void test_reopen_taken_down(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_review trail[4] = { 0 };
	struct ctl_record_result res;
	struct ctl_candidate c;
	struct ctl_event ev;
	int64_t id;

	ctl_test_event(&ev, 1, "a.example", "/x.jpg", 1000);
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	id = res.candidate_id;
	CU_ASSERT_EQUAL(ctl_store_review(s, id, CTL_STATUS_TAKEN_DOWN, "a", "", CTL_ALLOW_SET, 1100, NULL), 0);
	ev.ts = 1500;
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_TRUE(res.reopened);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, id, &c), 0);
	CU_ASSERT_EQUAL(c.status, CTL_STATUS_CONFIRMED);
	CU_ASSERT_EQUAL(c.reopened, 1);
	CU_ASSERT_EQUAL(ctl_store_reviews(s, id, review_collect_cb, trail), 0);
	CU_ASSERT_STRING_EQUAL(trail[1].actor, "controld");
	CU_ASSERT_EQUAL(trail[1].from, CTL_STATUS_TAKEN_DOWN);
	CU_ASSERT_EQUAL(trail[1].to, CTL_STATUS_CONFIRMED);
	/* served again while confirmed: no second reopen */
	CU_ASSERT_EQUAL(record(s, &ev, 3, &res), 0);
	CU_ASSERT_FALSE(res.reopened);
	ctl_store_close(s);
}

static void test_allowlist_by_hand(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_event ev;

	ctl_test_event(&ev, 5, "a.example", "/x.jpg", 1000);
	CU_ASSERT_EQUAL(ctl_store_allow_add(s, ev.algo, ev.digest, NULL, "admin", "known fp", 10),
			0);
	CU_ASSERT_EQUAL(ctl_store_allow_add(s, ev.algo, ev.digest, "", "admin", "again", 11),
			-EEXIST);
	CU_ASSERT_TRUE(ctl_store_allowed(s, ev.algo, ev.digest, "test"));
	CU_ASSERT_FALSE(ctl_store_allowed(s, HWALL_ALGO_MD5, ev.digest, "test"));
	/* the same digest for one set is an entry of its own */
	CU_ASSERT_EQUAL(ctl_store_allow_add(s, ev.algo, ev.digest, "trial", "admin", "", 12), 0);
	CU_ASSERT_EQUAL(ctl_store_allow_remove(s, ev.algo, ev.digest, NULL), 0);
	CU_ASSERT_EQUAL(ctl_store_allow_remove(s, ev.algo, ev.digest, ""), -ENOENT);
	CU_ASSERT_FALSE(ctl_store_allowed(s, ev.algo, ev.digest, "test"));
	CU_ASSERT_TRUE(ctl_store_allowed(s, ev.algo, ev.digest, "trial"));
	CU_ASSERT_EQUAL(ctl_store_allow_remove(s, ev.algo, ev.digest, "trial"), 0);
	CU_ASSERT_FALSE(ctl_store_allowed(s, ev.algo, ev.digest, "trial"));
	ctl_store_close(s);
}

static void test_blocks_renew_expire(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_record_result res;
	struct ctl_block b;
	struct ctl_event ev;
	int64_t auto_open, auto_done, manual, again;
	uint64_t n = 0, total = 0;
	int cnt = 0;

	ctl_test_event(&ev, 1, "a.example", "/open", 1000);
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	CU_ASSERT_EQUAL(ctl_store_block_add(s, "a.example", "/open", res.candidate_id,
					    CTL_BLOCK_AUTO, "controld", 1000, 2000, &auto_open), 0);
	ctl_test_event(&ev, 2, "a.example", "/done", 1000);
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_EQUAL(ctl_store_block_add(s, "a.example", "/done", res.candidate_id,
					    CTL_BLOCK_AUTO, "controld", 1000, 2000, &auto_done), 0);
	CU_ASSERT_EQUAL(ctl_store_review(s, res.candidate_id, CTL_STATUS_TAKEN_DOWN, "a", "", CTL_ALLOW_SET, 1, NULL),
			0);
	CU_ASSERT_EQUAL(ctl_store_block_add(s, "b.example", "/m", 0, CTL_BLOCK_MANUAL, "admin",
					    1000, 2000, &manual), 0);
	/* the same URL again keeps its id, and manual stays manual */
	CU_ASSERT_EQUAL(ctl_store_block_add(s, "b.example", "/m", 0, CTL_BLOCK_AUTO, "controld",
					    1000, 1500, &again), 0);
	CU_ASSERT_EQUAL(again, manual);
	CU_ASSERT_EQUAL(ctl_store_block_get(s, manual, &b), 0);
	CU_ASSERT_EQUAL(b.source, CTL_BLOCK_MANUAL);
	CU_ASSERT_EQUAL(b.expires, 2000);
	CU_ASSERT_EQUAL(ctl_store_blocks_renew(s, 1900, 1000, &n), 0);
	CU_ASSERT_EQUAL(n, 2); /* the open auto one and the manual one */
	CU_ASSERT_EQUAL(ctl_store_blocks_expire(s, 2500, &n), 0);
	CU_ASSERT_EQUAL(n, 1); /* the taken_down one lapsed */
	CU_ASSERT_EQUAL(ctl_store_block_get(s, auto_done, &b), -ENOENT);
	CU_ASSERT_EQUAL(ctl_store_blocks(s, 2500, 0, 1, block_count_cb, &cnt, &total), 0);
	CU_ASSERT_EQUAL(cnt, 1);
	CU_ASSERT_EQUAL(total, 2);
	CU_ASSERT_EQUAL(ctl_store_block_remove(s, auto_open, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.path, "/open");
	CU_ASSERT_EQUAL(ctl_store_block_remove(s, auto_open, NULL), -ENOENT);
	ctl_store_close(s);
}

static void test_retention_purge(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_record_result res;
	struct ctl_candidate c;
	struct ctl_event ev;
	uint64_t n = 0;
	int cnt = 0;

	ctl_test_event(&ev, 1, "a.example", "/x", 1000);
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	ev.ts = 5000;
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_EQUAL(ctl_store_purge(s, 2000, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(ctl_store_occurrences(s, res.candidate_id, 10, occ_count_cb, &cnt), 0);
	CU_ASSERT_EQUAL(cnt, 1);
	/* the candidate keeps its aggregate count */
	CU_ASSERT_EQUAL(ctl_store_candidate(s, res.candidate_id, &c), 0);
	CU_ASSERT_EQUAL(c.occurrences, 2);
	ctl_store_close(s);
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

static int occ_collect_cb(const struct ctl_occurrence *o, void *ctx)
{
	*(struct ctl_occurrence *)ctx = *o;
	return 0;
}

/* A match without a Host is a candidate of its own; cut URLs stay flagged
 * on their candidate, normalised fields on their occurrence. */
static void test_record_no_host_and_flags(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_record_result res;
	struct ctl_occurrence o;
	struct ctl_candidate c;
	struct ctl_event ev;
	int64_t nohost;

	ctl_test_event(&ev, 61, "", "/x.jpg", 1000);
	ev.normalised = 1u << CTL_EVF_ts | 1u << CTL_EVF_method;
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	CU_ASSERT_TRUE(res.created);
	nohost = res.candidate_id;
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_FALSE(res.created);
	CU_ASSERT_EQUAL(res.candidate_id, nohost);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, nohost, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.host, "");
	CU_ASSERT_EQUAL(c.occurrences, 2);
	CU_ASSERT_EQUAL(ctl_store_occurrences(s, nohost, 1, occ_collect_cb, &o), 0);
	CU_ASSERT_EQUAL(o.normalised, 1u << CTL_EVF_ts | 1u << CTL_EVF_method);
	/* the same object with a Host is another candidate */
	snprintf(ev.host, sizeof(ev.host), "h.example");
	ev.host_truncated = true;
	ev.normalised = 0;
	CU_ASSERT_EQUAL(record(s, &ev, 3, &res), 0);
	CU_ASSERT_TRUE(res.created);
	ev.host_truncated = false;
	ev.path_truncated = true;
	CU_ASSERT_EQUAL(record(s, &ev, 4, &res), 0);
	CU_ASSERT_FALSE(res.created);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, res.candidate_id, &c), 0);
	CU_ASSERT_TRUE(c.host_truncated); /* once cut, always said */
	CU_ASSERT_TRUE(c.path_truncated);
	CU_ASSERT_EQUAL(ctl_store_occurrences(s, res.candidate_id, 1, occ_collect_cb, &o), 0);
	CU_ASSERT_EQUAL(o.normalised, 0);
	ctl_store_close(s);
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

/* A pdq match as the PDQ stage reports it, @dist bits from its entry. */
static void pdq_event(struct ctl_event *ev, int64_t ts, int dist, const char *variant)
{
	ctl_test_event(ev, 9, "img.example", "/p.jpg", ts);
	ev->algo = HWALL_ALGO_PDQ;
	snprintf(ev->digest, sizeof(ev->digest), "%064x", 7);
	snprintf(ev->near.entry, sizeof(ev->near.entry), "%064x", 0x700 + dist);
	ev->near.distance = dist;
	ev->near.quality = 90 + dist % 10;
	snprintf(ev->near.variant, sizeof(ev->near.variant), "%s", variant);
}

/* A candidate keeps the nearest of its pdq matches; exact ones keep none. */
static void test_pdq_nearest(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_record_result res;
	struct ctl_candidate c;
	struct ctl_event ev;
	int64_t id;

	pdq_event(&ev, 1000, 12, "rotate-90");
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	id = res.candidate_id;
	pdq_event(&ev, 1001, 5, "flip-x");
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	pdq_event(&ev, 1002, 20, "original");
	CU_ASSERT_EQUAL(record(s, &ev, 3, &res), 0);
	CU_ASSERT_EQUAL(res.candidate_id, id);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, id, &c), 0);
	CU_ASSERT_EQUAL(c.occurrences, 3);
	CU_ASSERT_EQUAL(c.near.distance, 5);
	CU_ASSERT_EQUAL(c.near.quality, 95);
	CU_ASSERT_STRING_EQUAL(c.near.variant, "flip-x");
	CU_ASSERT_EQUAL(strtoul(c.near.entry + 56, NULL, 16), 0x705);
	/* an exact match says nothing of nearness, whatever its struct holds */
	ctl_test_event(&ev, 3, "img.example", "/q.jpg", 1003);
	ev.near.distance = 0;
	CU_ASSERT_EQUAL(record(s, &ev, 4, &res), 0);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, res.candidate_id, &c), 0);
	CU_ASSERT_EQUAL(c.near.distance, -1);
	CU_ASSERT_FALSE(ctl_near_known(c.algo, &c.near));
	ctl_store_close(s);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "sqlite ops table complete", test_sqlite_ops_complete },
		{ "open and schema version", test_open_schema },
		{ "record, duplicates by seq", test_record_and_duplicates },
		{ "candidate key", test_candidate_key },
		{ "filters and paging", test_filters_and_paging },
		{ "review trail", test_review_trail },
		{ "reviews are append-only", test_reviews_append_only },
		{ "false positive: allowlist, unblock", test_false_positive },
		{ "taken_down served again reopens", test_reopen_taken_down },
		{ "allowlist by hand", test_allowlist_by_hand },
		{ "blocks renew and expire", test_blocks_renew_expire },
		{ "retention purge", test_retention_purge },
		{ "migrate from v1, refuse newer", test_migrate_from_v1 },
		{ "migrate v3 to hash keys", test_migrate_v3_hash_keys },
		{ "no Host, cut URLs, normalised fields", test_record_no_host_and_flags },
		{ "migrate v5: flags, allowlist scopes", test_migrate_v5 },
		{ "status names", test_status_names },
		{ "pdq: the nearest match kept", test_pdq_nearest },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/store", tests);
}
