/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_test_store_cases.h - the store's workflow tests that every back end
 * passes: the same table runs against SQLite (tests/unit/control/
 * test_store.c, in memory) and PostgreSQL (tests/integration/control/
 * test_store_pg.c, a fresh database per test).  The including file
 * defines ctl_test_store_new(): an empty store at the newest schema.
 */
#ifndef HASHWALL_TESTS_CTL_TEST_STORE_CASES_H
#define HASHWALL_TESTS_CTL_TEST_STORE_CASES_H

#include "control/audit.h"
#include "control/store.h"
#include "ctl_test_event.h"
#include "hwall_test.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* An empty store (CU_ASSERT_FATAL on failure); the caller closes it. */
static struct ctl_store *ctl_test_store_new(void);

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

static int block_count_cb(const struct ctl_block *b, void *ctx)
{
	(void)b;
	(*(int *)ctx)++;
	return 0;
}

static int occ_collect_cb(const struct ctl_occurrence *o, void *ctx)
{
	*(struct ctl_occurrence *)ctx = *o;
	return 0;
}

static void test_record_and_duplicates(void)
{
	struct ctl_store *s = ctl_test_store_new();
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
	struct ctl_store *s = ctl_test_store_new();
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
	struct ctl_store *s = ctl_test_store_new();
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
	struct ctl_store *s = ctl_test_store_new();
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

/* A reviewer's false positive covers the set it matched in, for every
 * host; an admin's global one covers every set.  The trail says which. */
static void test_false_positive(void)
{
	struct ctl_store *s = ctl_test_store_new();
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
	struct ctl_store *s = ctl_test_store_new();
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
	struct ctl_store *s = ctl_test_store_new();
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
	struct ctl_store *s = ctl_test_store_new();
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
	struct ctl_store *s = ctl_test_store_new();
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

/* A match without a Host is a candidate of its own; cut URLs stay flagged
 * on their candidate, normalised fields on their occurrence. */
static void test_record_no_host_and_flags(void)
{
	struct ctl_store *s = ctl_test_store_new();
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

struct replica_seen {
	int n;
	int64_t last_id;
	struct ctl_replica first;
};

static int replica_cb(const struct ctl_replica *rep, void *ctx)
{
	struct replica_seen *rs = ctx;

	if (rs->n++ == 0)
		rs->first = *rep;
	rs->last_id = rep->occ_id;
	return 0;
}

static int review_cand_cb(const struct ctl_review *r, const struct ctl_candidate *c, void *ctx)
{
	struct ctl_review *out = ctx;

	(void)c;
	*out = *r;
	return 0;
}

/* What the fleet uplink reads: occurrences past a cursor as the events
 * they recorded, in order; reviews past a cursor with their candidate;
 * a candidate by key; the newest ids; the appliance filter. */
static void test_replication_reads(void)
{
	struct ctl_store *s = ctl_test_store_new();
	struct ctl_cand_filter f = { .status = -1, .limit = 10, .appliance = "edge-none" };
	struct replica_seen rs = { 0 };
	struct ctl_record_result res;
	struct ctl_review rv = { 0 }, none = { 0 };
	struct ctl_event ev;
	int64_t id = 0, occ = -1, rev = -1;
	uint64_t total = 9;
	int n = 0;

	CU_ASSERT_EQUAL(ctl_store_tail(s, &occ, &rev), 0);
	CU_ASSERT_EQUAL(occ + rev, 0);
	ctl_test_event(&ev, 71, "r.example", "/a", 1000);
	ev.normalised = 1u << CTL_EVF_size;
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	ctl_test_event(&ev, 72, "r.example", "/b", 1001);
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_EQUAL(record(s, &ev, 3, &res), 0);
	CU_ASSERT_EQUAL(ctl_store_replicas(s, 0, 2, replica_cb, &rs), 0);
	CU_ASSERT_EQUAL(rs.n, 2);
	CU_ASSERT_STRING_EQUAL(rs.first.ev.path, "/a");
	CU_ASSERT_STRING_EQUAL(rs.first.dataplane, "dp0");
	CU_ASSERT_STRING_EQUAL(rs.first.epoch, "e1");
	CU_ASSERT_EQUAL(rs.first.seq, 1);
	CU_ASSERT_EQUAL(rs.first.ev.ts, 1000);
	CU_ASSERT_EQUAL(rs.first.ev.normalised, 1u << CTL_EVF_size);
	CU_ASSERT_STRING_EQUAL(rs.first.ev.set, "test");
	CU_ASSERT_EQUAL(rs.first.ev.size, 1071);
	rs.n = 0;
	CU_ASSERT_EQUAL(ctl_store_replicas(s, rs.last_id, 100, replica_cb, &rs), 0);
	CU_ASSERT_EQUAL(rs.n, 1);
	CU_ASSERT_EQUAL(rs.first.seq, 3);
	CU_ASSERT_EQUAL(ctl_store_tail(s, &occ, &rev), 0);
	CU_ASSERT_EQUAL(occ, rs.last_id);
	CU_ASSERT_EQUAL(ctl_store_candidate_find(s, "test", ev.algo, ev.digest, "r.example", "/b",
						 &id), 0);
	CU_ASSERT_EQUAL(id, res.candidate_id);
	CU_ASSERT_EQUAL(ctl_store_candidate_find(s, "test", ev.algo, ev.digest, "r.example", "/c",
						 &id), -ENOENT);
	CU_ASSERT_EQUAL(ctl_store_review(s, res.candidate_id, CTL_STATUS_CONFIRMED, "alice", "n",
					 CTL_ALLOW_SET, 1100, NULL), 0);
	CU_ASSERT_EQUAL(ctl_store_reviews_after(s, 0, 10, review_cand_cb, &rv), 0);
	CU_ASSERT_STRING_EQUAL(rv.actor, "alice");
	CU_ASSERT_EQUAL(rv.to, CTL_STATUS_CONFIRMED);
	CU_ASSERT_EQUAL(ctl_store_reviews_after(s, rv.id, 10, review_cand_cb, &none), 0);
	CU_ASSERT_EQUAL(none.id, 0);
	/* this store's own occurrences are appliance "": another has none */
	CU_ASSERT_EQUAL(ctl_store_candidates(s, &f, cand_count_cb, &n, &total), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(total, 0);
	f.appliance = "";
	CU_ASSERT_EQUAL(ctl_store_candidates(s, &f, cand_count_cb, &n, &total), 0);
	CU_ASSERT_EQUAL(n, 2);
	ctl_store_close(s);
}

static void retro(struct ctl_event *ev, uint64_t seed, int64_t first, int64_t last, uint32_t n)
{
	ctl_test_event(ev, seed, "cdn.example", "/old.jpg", last);
	ev->client[0] = '\0';
	ev->retroactive = true;
	ev->first_served = first;
	ev->serve_count = n;
}

/* A retroactive match creates a candidate flagged so, with the journal's
 * first/last served and count; the same again adds nothing. */
static void test_record_once(void)
{
	struct ctl_store *s = ctl_test_store_new();
	struct ctl_record_result res;
	struct ctl_candidate c;
	struct ctl_event ev;
	int occ = 0;

	retro(&ev, 1, 1000, 2000, 5);
	CU_ASSERT_EQUAL_FATAL(record(s, &ev, 1, &res), 0);
	CU_ASSERT_TRUE(res.created);
	CU_ASSERT_FALSE(res.known);
	CU_ASSERT_EQUAL_FATAL(ctl_store_candidate(s, res.candidate_id, &c), 0);
	CU_ASSERT_TRUE(c.retroactive);
	CU_ASSERT_EQUAL(c.first_seen, 1000);
	CU_ASSERT_EQUAL(c.last_seen, 2000);
	CU_ASSERT_EQUAL(c.occurrences, 5);
	CU_ASSERT_EQUAL(c.status, CTL_STATUS_NEW);
	/* The re-check run again (new sequence numbers): known, not stored. */
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_FALSE(res.created);
	CU_ASSERT_TRUE(res.known);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, res.candidate_id, &c), 0);
	CU_ASSERT_EQUAL(c.occurrences, 5);
	CU_ASSERT_EQUAL(ctl_store_occurrences(s, res.candidate_id, 100, occ_count_cb, &occ), 0);
	CU_ASSERT_EQUAL(occ, 1);
	ctl_store_close(s);
}

/* A candidate of live matches learns from the journal when the object was
 * first served; it stays what it was (not retroactive). */
static void test_live_then_retro(void)
{
	struct ctl_store *s = ctl_test_store_new();
	struct ctl_record_result res;
	struct ctl_candidate c;
	struct ctl_event ev;

	ctl_test_event(&ev, 2, "cdn.example", "/old.jpg", 3000);
	CU_ASSERT_EQUAL_FATAL(record(s, &ev, 1, &res), 0);
	retro(&ev, 2, 1000, 2000, 4);
	CU_ASSERT_EQUAL_FATAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_FALSE(res.created);
	CU_ASSERT_FALSE(res.known);
	CU_ASSERT_EQUAL_FATAL(ctl_store_candidate(s, res.candidate_id, &c), 0);
	CU_ASSERT_FALSE(c.retroactive);
	CU_ASSERT_EQUAL(c.first_seen, 1000);
	CU_ASSERT_EQUAL(c.last_seen, 3000);
	CU_ASSERT_EQUAL(c.occurrences, 5);
	ctl_store_close(s);
}

static int count_block(const struct ctl_block *b, void *ctx)
{
	(void)b;
	(*(int *)ctx)++;
	return 0;
}

static int count_review(const struct ctl_review *r, void *ctx)
{
	(void)r;
	(*(int *)ctx)++;
	return 0;
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
	struct ctl_store *s = ctl_test_store_new();
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

/* The audit trail's rows, a flood quarantine's life, the report reads
 * (docs/audit.md, docs/controld.md "Flood quarantine", docs/dsa.md). */
static void test_audit_quarantine_reports(void)
{
	struct ctl_store *s = ctl_test_store_new();
	struct ctl_audit audit;
	struct ctl_audit_report rep;
	struct ctl_record_result res;
	struct ctl_quarantine q = { .hosts = 3, .urls = 3, .since = 1010 };
	struct ctl_event ev;
	uint64_t hosts = 0, urls = 0, restored = 0, total = 0;
	int lifted = 0, n = 0;
	char host[32];

	CU_ASSERT_FATAL(ctl_audit_init(&audit, NULL, 0, NULL) == 0);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(ctl_audit_log(&audit, s, CTL_AUDIT_EXPORT, "vera", "notices",
					      "{\"format\":\"csv\"}", 100 + i), 0);
	CU_ASSERT_EQUAL(ctl_audit_verify(&audit, s, &rep), 0);
	CU_ASSERT_TRUE(rep.ok);
	CU_ASSERT_EQUAL(rep.rows, 5);
	CU_ASSERT_EQUAL(rep.last_seq, 5);
	for (int i = 0; i < 3; i++) {
		snprintf(host, sizeof(host), "site%d.example", i);
		ctl_test_event(&ev, 77, host, "/logo.png", 1000 + i);
		CU_ASSERT_EQUAL(record(s, &ev, (uint64_t)i + 1, &res), 0);
		CU_ASSERT_EQUAL(ctl_store_block_add(s, ev.host, ev.path, res.candidate_id,
						    CTL_BLOCK_AUTO, "controld", 1000, 90000, NULL), 0);
	}
	CU_ASSERT_EQUAL(ctl_store_digest_spread(s, ev.algo, ev.digest, 1001, &hosts, &urls), 0);
	CU_ASSERT_EQUAL(hosts, 2);
	CU_ASSERT_EQUAL(urls, 2);
	q.algo = ev.algo;
	snprintf(q.digest, sizeof(q.digest), "%s", ev.digest);
	snprintf(q.set, sizeof(q.set), "%s", ev.set);
	CU_ASSERT_EQUAL(ctl_store_begin(s), 0);
	CU_ASSERT_EQUAL(ctl_store_quarantine_add(s, &q, count_block, &lifted), 0);
	CU_ASSERT_EQUAL(ctl_store_commit(s), 0);
	CU_ASSERT_EQUAL(lifted, 3);
	CU_ASSERT_TRUE(q.id > 0);
	memset(&q, 0, sizeof(q));
	CU_ASSERT_EQUAL(ctl_store_quarantine_get(s, ev.algo, ev.digest, &q), 0);
	CU_ASSERT_EQUAL(q.state, CTL_QUAR_ACTIVE);
	CU_ASSERT_EQUAL(q.urls, 3);
	CU_ASSERT_EQUAL(ctl_store_quarantines(s, CTL_QUAR_ACTIVE, 0, 0, NULL, NULL, &total), 0);
	CU_ASSERT_EQUAL(total, 1);
	CU_ASSERT_EQUAL(ctl_store_begin(s), 0);
	CU_ASSERT_EQUAL(ctl_store_quarantine_decide(s, q.id, CTL_QUAR_RELEASED, "adam", 2000, 9000,
						    &restored), 0);
	CU_ASSERT_EQUAL(ctl_store_commit(s), 0);
	CU_ASSERT_EQUAL(restored, 3);
	CU_ASSERT_EQUAL(ctl_store_quarantine_decide(s, q.id, CTL_QUAR_CONFIRMED, "adam", 2001,
						    9000, NULL), -EALREADY);
	CU_ASSERT_EQUAL(ctl_store_quarantine_by_id(s, q.id, &q), 0);
	CU_ASSERT_EQUAL(q.state, CTL_QUAR_RELEASED);
	CU_ASSERT_STRING_EQUAL(q.actor, "adam");
	CU_ASSERT_EQUAL(ctl_store_review(s, res.candidate_id, CTL_STATUS_TAKEN_DOWN, "rita", NULL,
					 CTL_ALLOW_SET, 3000, NULL), 0);
	CU_ASSERT_EQUAL(ctl_store_reviews_between(s, 2500, 3500, count_review, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	n = 0;
	CU_ASSERT_EQUAL(ctl_store_candidates_first_seen(s, 1001, 1002, cand_count_cb, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	ctl_audit_fini(&audit);
	ctl_store_close(s);
}

/* The table, for the including file's CU_TestInfo. */
#define CTL_TEST_STORE_CASES                                                        \
	{ "record, duplicates by seq", test_record_and_duplicates },                 \
	{ "candidate key", test_candidate_key },                                     \
	{ "filters and paging", test_filters_and_paging },                           \
	{ "review trail", test_review_trail },                                       \
	{ "false positive: allowlist, unblock", test_false_positive },               \
	{ "taken_down served again reopens", test_reopen_taken_down },               \
	{ "allowlist by hand", test_allowlist_by_hand },                             \
	{ "blocks renew and expire", test_blocks_renew_expire },                     \
	{ "retention purge", test_retention_purge },                                 \
	{ "no Host, cut URLs, normalised fields", test_record_no_host_and_flags },      \
	{ "replication reads", test_replication_reads },                             \
	{ "a retroactive candidate, once", test_record_once },                       \
	{ "pdq: the nearest match kept", test_pdq_nearest },                         \
	{ "a live candidate learns its past", test_live_then_retro },                \
	{ "audit rows, quarantine, report reads", test_audit_quarantine_reports }

#endif
