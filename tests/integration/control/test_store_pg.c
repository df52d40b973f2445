/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Integration tests of the PostgreSQL back end (control/store_pg*.c)
 * against a real PostgreSQL 15 that with_pg.sh starts for this program:
 * the workflow table every back end passes (ctl_test_store_cases.h), then
 * what only the fleet's store does: migrations from empty and refusal of
 * a newer schema, one candidate per object and URL with occurrences from
 * each appliance, per-appliance idempotency of re-sent events, and the
 * decisions edges follow (addressed, numbered, announced).
 */
#include "control/store_pg.h"
#include "ctl_test_pg.h"
#include "ctl_test_store_cases.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static char conninfo[256];

/* An empty central store per test: one database, migrated by the first
 * open, emptied (TRUNCATE) for each later test; a database per test costs
 * seconds on a loaded machine. */
static struct ctl_store *ctl_test_store_new(void)
{
	static bool made;
	struct ctl_store *s = NULL;
	struct hwall_err err = { { 0 } };

	if (!made)
		ctl_test_pg_db("tstore", conninfo, sizeof(conninfo));
	else
		CU_ASSERT_FATAL(ctl_test_pg_exec(conninfo, "TRUNCATE candidates, occurrences, reviews,"
							   " ingest_peers, allowlist, blocks, appliances,"
							   " decisions RESTART IDENTITY CASCADE") == 0);
	made = true;
	CU_ASSERT_FATAL(ctl_store_open(conninfo, &s, &err) == 0);
	return s;
}

static void test_pg_ops_complete(void)
{
	struct ctl_store *s = ctl_test_store_new();

	CU_ASSERT_STRING_EQUAL(ctl_pg_ops.name, "postgresql");
	CU_ASSERT_EQUAL(ops_unset(&ctl_pg_ops), 0);
	CU_ASSERT_PTR_EQUAL(s->ops, &ctl_pg_ops);
	CU_ASSERT_TRUE(ctl_pg_target("host=/tmp dbname=x"));
	CU_ASSERT_TRUE(ctl_pg_target("postgresql://db.example/hashwall"));
	CU_ASSERT_FALSE(ctl_pg_target("/var/lib/hashwall/store.db"));
	CU_ASSERT_FALSE(ctl_pg_target(":memory:"));
	ctl_store_close(s);
}

/* From an empty database to the newest schema; a second open finds it
 * done; a newer one is refused with a message saying so; an edge (no
 * migrating) refuses an older one. */
static void test_pg_migrate(void)
{
	struct ctl_store *s = NULL, *e = NULL;
	struct hwall_err err = { { 0 } };
	char ci[256], edge_db[256];

	ctl_test_pg_db("tmigrate", ci, sizeof(ci));
	CU_ASSERT_FATAL(ctl_store_open(ci, &s, &err) == 0);
	CU_ASSERT_EQUAL(ctl_store_schema_version(s), ctl_pg_migrate_latest());
	CU_ASSERT_EQUAL(ctl_pg_migrate_latest(), 7);
	ctl_store_close(s);
	CU_ASSERT_EQUAL(ctl_store_open(ci, &s, &err), 0);
	CU_ASSERT_EQUAL(ctl_test_pg_int(ci, "SELECT count(*) FROM hwall_schema"), 1);
	ctl_store_close(s);
	CU_ASSERT_EQUAL(ctl_pg_open(ci, "edge1", false, &e, &err), 0);
	ctl_store_close(e);
	CU_ASSERT_EQUAL(ctl_test_pg_exec(ci, "UPDATE hwall_schema SET version = 99"), 0);
	s = NULL;
	CU_ASSERT_EQUAL(ctl_store_open(ci, &s, &err), -ENOTSUP);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "newer"));
	ctl_test_pg_db("tedge", edge_db, sizeof(edge_db));
	CU_ASSERT_EQUAL(ctl_pg_open(edge_db, "edge1", false, &e, &err), -ENOTSUP);
	CU_ASSERT_EQUAL(ctl_pg_open(ci, "bad id!", false, &e, &err), -EINVAL);
	CU_ASSERT_EQUAL(ctl_pg_open("host=/nonexistent-dir dbname=x", "edge1", false, &e, &err),
			-EIO);
}

/* A database of version 4 (the first released) keeps its rows through the
 * upgrade: candidates read as not retroactive, and recording goes on. */
static void test_pg_migrate_from_v4(void)
{
	struct ctl_store *s = NULL;
	struct ctl_record_result res;
	struct ctl_candidate c;
	struct ctl_event ev;
	char ci[256];

	ctl_test_pg_db("tv4", ci, sizeof(ci));
	CU_ASSERT_FATAL(ctl_pg_migrate_to(ci, 4, NULL) == 0);
	CU_ASSERT_EQUAL(ctl_test_pg_exec(ci, "INSERT INTO candidates (id, set_id, algo, digest,"
					 " host, path, set_version, server_ip, server_port,"
					 " category, ref, first_seen, last_seen, occurrences) VALUES"
					 " (7, 'test', 'md5', '00112233445566778899aabbccddeeff',"
					 " 'h', '/p', 1, '192.0.2.1', 80, 2, 3, 10, 20, 1)"), 0);
	CU_ASSERT_FATAL(ctl_store_open(ci, &s, NULL) == 0);
	CU_ASSERT_EQUAL(ctl_store_schema_version(s), 7);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, 7, &c), 0);
	CU_ASSERT_FALSE(c.retroactive);
	CU_ASSERT_EQUAL(c.occurrences, 1);
	ctl_test_event(&ev, 3, "h.example", "/q", 30);
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	CU_ASSERT_TRUE(res.created);
	ctl_store_close(s);
	CU_ASSERT_EQUAL(ctl_pg_migrate_to(ci, 99, NULL), -EINVAL);
}

static void test_pg_reviews_append_only(void)
{
	struct ctl_store *s = ctl_test_store_new();
	struct ctl_record_result res;
	struct ctl_event ev;

	ctl_test_event(&ev, 1, "a.example", "/x.jpg", 1000);
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	CU_ASSERT_EQUAL(ctl_store_review(s, res.candidate_id, CTL_STATUS_CONFIRMED, "a", "",
					 CTL_ALLOW_SET, 1, NULL), 0);
	CU_ASSERT_NOT_EQUAL(ctl_test_pg_exec(conninfo, "UPDATE reviews SET note = 'x'"), 0);
	CU_ASSERT_NOT_EQUAL(ctl_test_pg_exec(conninfo, "DELETE FROM reviews"), 0);
	CU_ASSERT_EQUAL(ctl_test_pg_int(conninfo, "SELECT count(*) FROM reviews"), 1);
	ctl_store_close(s);
}

/* Record @ev as @app's (dp0, e1, @seq) in its own transaction. */
static int record_as(struct ctl_store *app, const struct ctl_event *ev, uint64_t seq,
		     struct ctl_record_result *res)
{
	return record(app, ev, seq, res);
}

struct occ_apps {
	int n;
	char seen[4][CTL_DP_MAX + 1];
};

static int occ_app_cb(const struct ctl_occurrence *o, void *ctx)
{
	struct occ_apps *oa = ctx;

	if (oa->n < 4)
		snprintf(oa->seen[oa->n], sizeof(oa->seen[0]), "%s", o->appliance);
	oa->n++;
	return 0;
}

/* The same object and URL seen on two appliances is one candidate with
 * occurrences from each; each appliance's (dataplane, epoch, seq) is its
 * own: a re-send is a duplicate, the same numbers from another are not. */
static void test_pg_appliances(void)
{
	struct ctl_store *s = ctl_test_store_new(), *e1 = NULL, *e2 = NULL;
	struct ctl_cand_filter f = { .status = -1, .limit = 10, .appliance = "edge2" };
	struct ctl_record_result res;
	struct occ_apps oa = { 0 };
	struct ctl_candidate c;
	struct ctl_event ev;
	uint64_t total = 0, mark = 0;
	int64_t id;
	int n = 0;

	CU_ASSERT_FATAL(ctl_pg_open(conninfo, "edge1", false, &e1, NULL) == 0);
	CU_ASSERT_FATAL(ctl_pg_open(conninfo, "edge2", false, &e2, NULL) == 0);
	ctl_test_event(&ev, 9, "shared.example", "/x.jpg", 1000);
	CU_ASSERT_EQUAL(record_as(e1, &ev, 1, &res), 0);
	CU_ASSERT_TRUE(res.created);
	id = res.candidate_id;
	ev.ts = 1010;
	CU_ASSERT_EQUAL(record_as(e2, &ev, 1, &res), 0);
	CU_ASSERT_FALSE(res.created);
	CU_ASSERT_FALSE(res.duplicate);
	CU_ASSERT_EQUAL(res.candidate_id, id);
	CU_ASSERT_EQUAL(record_as(e1, &ev, 1, &res), 0); /* re-sent after a crash */
	CU_ASSERT_TRUE(res.duplicate);
	CU_ASSERT_EQUAL(ctl_store_peer_mark(e1, "dp0", "e1", &mark), 0);
	CU_ASSERT_EQUAL(mark, 1);
	CU_ASSERT_EQUAL(ctl_store_peer_mark(s, "dp0", "e1", &mark), 0);
	CU_ASSERT_EQUAL(mark, 0); /* the central store's own ingest: another peer */
	CU_ASSERT_EQUAL(ctl_store_candidate(s, id, &c), 0);
	CU_ASSERT_EQUAL(c.occurrences, 2);
	CU_ASSERT_EQUAL(c.last_seen, 1010);
	CU_ASSERT_EQUAL(ctl_store_occurrences(s, id, 10, occ_app_cb, &oa), 0);
	CU_ASSERT_EQUAL(oa.n, 2);
	CU_ASSERT_STRING_EQUAL(oa.seen[0], "edge2"); /* newest first */
	CU_ASSERT_STRING_EQUAL(oa.seen[1], "edge1");
	ctl_test_event(&ev, 10, "only1.example", "/y.jpg", 1020);
	CU_ASSERT_EQUAL(record_as(e1, &ev, 2, &res), 0);
	CU_ASSERT_EQUAL(ctl_store_candidates(s, &f, cand_count_cb, &n, &total), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(total, 1);
	f.appliance = "edge1";
	n = 0;
	CU_ASSERT_EQUAL(ctl_store_candidates(s, &f, cand_count_cb, &n, &total), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(ctl_test_pg_int(conninfo, "SELECT count(*) FROM occurrences"), 3);
	ctl_store_close(e1);
	ctl_store_close(e2);
	ctl_store_close(s);
}

struct dec_seen {
	int n;
	struct ctl_decision last;
};

static int dec_cb(const struct ctl_decision *d, void *ctx)
{
	struct dec_seen *ds = ctx;

	ds->n++;
	ds->last = *d;
	return 0;
}

/* A central review becomes a numbered decision: a false positive for
 * every edge, a confirmation for the edges that saw the candidate; a
 * manual block and its removal for every edge; a listening edge is woken. */
static void test_pg_decisions(void)
{
	struct ctl_store *s = ctl_test_store_new(), *e1 = NULL, *e3 = NULL;
	struct ctl_record_result res;
	struct dec_seen d1 = { 0 }, d3 = { 0 };
	struct ctl_event ev;
	int64_t bid = 0;

	CU_ASSERT_FATAL(ctl_pg_open(conninfo, "edge1", false, &e1, NULL) == 0);
	CU_ASSERT_FATAL(ctl_pg_open(conninfo, "edge3", false, &e3, NULL) == 0);
	CU_ASSERT_EQUAL(ctl_pg_listen(e3), 0);
	CU_ASSERT_EQUAL(ctl_pg_wait(e3, 0), 0);
	ctl_test_event(&ev, 11, "d.example", "/z.jpg", 1000);
	CU_ASSERT_EQUAL(record_as(e1, &ev, 1, &res), 0);
	CU_ASSERT_EQUAL(ctl_store_review(s, res.candidate_id, CTL_STATUS_CONFIRMED, "alice", "",
					 CTL_ALLOW_SET, 1100, NULL), 0);
	CU_ASSERT_EQUAL(ctl_pg_decisions(e1, 0, 100, dec_cb, &d1), 0);
	CU_ASSERT_EQUAL(d1.n, 1);
	CU_ASSERT_EQUAL(d1.last.kind, CTL_DECISION_STATUS);
	CU_ASSERT_EQUAL(d1.last.status, CTL_STATUS_CONFIRMED);
	CU_ASSERT_STRING_EQUAL(d1.last.path, "/z.jpg");
	CU_ASSERT_EQUAL(ctl_pg_decisions(e3, 0, 100, dec_cb, &d3), 0);
	CU_ASSERT_EQUAL(d3.n, 0); /* edge3 never saw it */
	CU_ASSERT_EQUAL(ctl_store_review(s, res.candidate_id, CTL_STATUS_FALSE_POSITIVE, "alice",
					 "fp", CTL_ALLOW_GLOBAL, 1200, NULL), 0);
	CU_ASSERT_EQUAL(ctl_pg_wait(e3, 2000), 1);
	CU_ASSERT_EQUAL(ctl_pg_decisions(e3, 0, 100, dec_cb, &d3), 0);
	CU_ASSERT_EQUAL(d3.n, 1);
	CU_ASSERT_EQUAL(d3.last.status, CTL_STATUS_FALSE_POSITIVE);
	CU_ASSERT_EQUAL(d3.last.allow_scope, CTL_ALLOW_GLOBAL);
	CU_ASSERT_STRING_EQUAL(d3.last.digest, ev.digest);
	CU_ASSERT_EQUAL(ctl_store_block_add(s, "m.example", "/b", 0, CTL_BLOCK_MANUAL, "admin",
					    1300, 9000, &bid), 0);
	CU_ASSERT_EQUAL(ctl_store_block_add(s, "m.example", "/auto", 0, CTL_BLOCK_AUTO,
					    "controld", 1300, 9000, NULL), 0);
	CU_ASSERT_EQUAL(ctl_store_block_remove(s, bid, NULL), 0);
	d3.n = 0;
	CU_ASSERT_EQUAL(ctl_pg_decisions(e3, d3.last.seq, 100, dec_cb, &d3), 0);
	CU_ASSERT_EQUAL(d3.n, 2); /* the manual block and its removal, not the auto one */
	CU_ASSERT_EQUAL(d3.last.kind, CTL_DECISION_UNBLOCK);
	CU_ASSERT_STRING_EQUAL(d3.last.host, "m.example");
	ctl_store_close(e1);
	ctl_store_close(e3);
	ctl_store_close(s);
}

/* The server restarted (a crash, a failover): the next statement outside
 * a transaction connects again; one inside fails and the next works. */
static void test_pg_reconnect(void)
{
	struct ctl_store *s = ctl_test_store_new();
	struct ctl_record_result res;
	uint64_t counts[CTL_STATUS_COUNT];
	struct ctl_event ev;

	ctl_test_event(&ev, 1, "a.example", "/x.jpg", 1000);
	CU_ASSERT_EQUAL(record(s, &ev, 1, &res), 0);
	CU_ASSERT_FATAL(system(getenv("HWALL_TEST_PG_STOP")) == 0);
	CU_ASSERT_FATAL(system(getenv("HWALL_TEST_PG_START")) == 0);
	CU_ASSERT_EQUAL(ctl_store_count_status(s, counts), 0);
	CU_ASSERT_EQUAL(counts[CTL_STATUS_NEW], 1);
	CU_ASSERT_FATAL(system(getenv("HWALL_TEST_PG_STOP")) == 0);
	CU_ASSERT_FATAL(system(getenv("HWALL_TEST_PG_START")) == 0);
	CU_ASSERT_EQUAL(ctl_store_begin(s), 0);
	ctl_store_rollback(s);
	ev.ts = 1001;
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_EQUAL(ctl_store_count_status(s, counts), 0);
	ctl_store_close(s);
}

/* The uplink's batch: one statement; what is stored already (or at or
 * below the mark) and allowlisted rows are skipped; a candidate seen
 * several times in the batch is written once with the sum; a taken_down
 * one reopens with its audit row; the marks move. */
static void test_pg_record_batch(void)
{
	struct ctl_store *s = ctl_test_store_new(), *e1 = NULL;
	struct ctl_review trail[4] = { 0 };
	struct ctl_replica reps[5];
	struct ctl_record_result res;
	struct ctl_candidate c;
	struct ctl_event ev;
	uint64_t stored = 0, mark = 0;
	int64_t id;

	CU_ASSERT_FATAL(ctl_pg_open(conninfo, "edge1", false, &e1, NULL) == 0);
	ctl_test_event(&ev, 31, "b.example", "/1.jpg", 1000);
	CU_ASSERT_EQUAL(record(e1, &ev, 1, &res), 0); /* seq 1 already in */
	id = res.candidate_id;
	CU_ASSERT_EQUAL(ctl_store_review(s, id, CTL_STATUS_TAKEN_DOWN, "alice", "", CTL_ALLOW_SET,
					 1050, NULL), 0);
	memset(reps, 0, sizeof(reps));
	for (int i = 0; i < 5; i++) {
		ctl_test_event(&reps[i].ev, i < 3 ? 31 : 32, "b.example", i < 3 ? "/1.jpg" : "/2.jpg",
			       1100 + i);
		snprintf(reps[i].dataplane, sizeof(reps[i].dataplane), "dp0");
		snprintf(reps[i].epoch, sizeof(reps[i].epoch), "e1");
		reps[i].seq = (uint64_t)i + 1;
	}
	CU_ASSERT_EQUAL(ctl_store_allow_add(s, reps[4].ev.algo, reps[4].ev.digest, "", "adam", "",
					    1060), 0);
	CU_ASSERT_EQUAL(ctl_store_begin(e1), 0);
	CU_ASSERT_EQUAL(ctl_pg_record_batch(e1, reps, 5, &stored), 0);
	CU_ASSERT_EQUAL(ctl_store_commit(e1), 0);
	CU_ASSERT_EQUAL(stored, 2); /* seq 2 and 3; 1 was in, 4 and 5 allowlisted */
	CU_ASSERT_EQUAL(ctl_store_candidate(s, id, &c), 0);
	CU_ASSERT_EQUAL(c.occurrences, 3);
	CU_ASSERT_EQUAL(c.last_seen, 1102);
	CU_ASSERT_EQUAL(c.status, CTL_STATUS_CONFIRMED);
	CU_ASSERT_EQUAL(c.reopened, 1);
	CU_ASSERT_EQUAL(ctl_store_reviews(s, id, review_collect_cb, trail), 0);
	CU_ASSERT_STRING_EQUAL(trail[1].actor, "controld");
	CU_ASSERT_EQUAL(ctl_store_peer_mark(e1, "dp0", "e1", &mark), 0);
	CU_ASSERT_EQUAL(mark, 5);
	/* the same batch again: nothing */
	CU_ASSERT_EQUAL(ctl_store_begin(e1), 0);
	CU_ASSERT_EQUAL(ctl_pg_record_batch(e1, reps, 5, &stored), 0);
	CU_ASSERT_EQUAL(ctl_store_commit(e1), 0);
	CU_ASSERT_EQUAL(stored, 0);
	CU_ASSERT_EQUAL(ctl_test_pg_int(conninfo, "SELECT count(*) FROM occurrences"), 3);
	ctl_store_close(e1);
	ctl_store_close(s);
}

/* The connection string of database @db as role @user. */
static void as_user(char *buf, size_t cap, const char *user)
{
	snprintf(buf, cap, "host=%s user=%s dbname=%s", getenv("HWALL_TEST_PG_DIR"), user,
		 strrchr(conninfo, '=') + 1);
}

/* Least privilege: an edge logs in as its own role (a member of
 * hwall_edge): it writes only its own rows, reads only the candidates it
 * saw and the decisions addressed to it, reviews only what it saw. */
static void test_pg_edge_roles(void)
{
	struct ctl_store *s = ctl_test_store_new(), *e1 = NULL, *e2 = NULL, *forged = NULL;
	struct ctl_record_result res;
	struct ctl_event ev;
	char e1ci[256], e2ci[256];
	int64_t cid2;

	CU_ASSERT_EQUAL(ctl_test_pg_exec(ctl_test_pg_server(),
					 "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE"
					 " rolname = 'edge1') THEN CREATE ROLE edge1 LOGIN IN ROLE"
					 " hwall_edge; CREATE ROLE edge2 LOGIN IN ROLE hwall_edge;"
					 " END IF; END$$"), 0);
	as_user(e1ci, sizeof(e1ci), "edge1");
	as_user(e2ci, sizeof(e2ci), "edge2");
	CU_ASSERT_FATAL(ctl_pg_open(e1ci, "edge1", false, &e1, NULL) == 0);
	CU_ASSERT_FATAL(ctl_pg_open(e2ci, "edge2", false, &e2, NULL) == 0);
	CU_ASSERT_FATAL(ctl_pg_open(e1ci, "edge2", false, &forged, NULL) == 0);
	ctl_test_event(&ev, 21, "one.example", "/1.jpg", 1000);
	CU_ASSERT_EQUAL(record(e1, &ev, 1, &res), 0);
	CU_ASSERT_TRUE(res.created);
	ctl_test_event(&ev, 22, "two.example", "/2.jpg", 1000);
	CU_ASSERT_EQUAL(record(e2, &ev, 1, &res), 0);
	cid2 = res.candidate_id;
	/* edge1 writing as edge2: refused, nothing stored */
	CU_ASSERT_NOT_EQUAL(record(forged, &ev, 2, &res), 0);
	ctl_store_rollback(forged);
	CU_ASSERT_EQUAL(ctl_test_pg_int(conninfo, "SELECT count(*) FROM occurrences"), 2);
	/* no write but through the functions, and reads of its own only */
	CU_ASSERT_NOT_EQUAL(ctl_test_pg_exec(e1ci, "INSERT INTO occurrences (candidate_id,"
					     " appliance, seen, client, method, server_ip,"
					     " server_port, http_status, size, complete, partial,"
					     " dataplane, epoch, seq) SELECT id, 'edge2', 1, '', 'GET',"
					     " '', 80, 200, 1, true, false, 'dp', 'e', 9 FROM"
					     " candidates"), 0);
	CU_ASSERT_NOT_EQUAL(ctl_test_pg_exec(e1ci, "UPDATE candidates SET status = 'new'"), 0);
	CU_ASSERT_NOT_EQUAL(ctl_test_pg_exec(e1ci, "DELETE FROM allowlist"), 0);
	CU_ASSERT_EQUAL(ctl_test_pg_int(e1ci, "SELECT count(*) FROM candidates"), 1);
	CU_ASSERT_EQUAL(ctl_test_pg_int(e1ci, "SELECT count(*) FROM occurrences"), 1);
	CU_ASSERT_EQUAL(ctl_test_pg_int(e2ci, "SELECT count(*) FROM candidates"), 1);
	/* a review of edge2's candidate by edge1: refused; by edge2: fine */
	CU_ASSERT_NOT_EQUAL(ctl_store_review(e1, cid2, CTL_STATUS_CONFIRMED, "edge1:eve", "",
					     CTL_ALLOW_SET, 1100, NULL), 0);
	CU_ASSERT_EQUAL(ctl_store_review(e2, cid2, CTL_STATUS_CONFIRMED, "edge2:bob", "",
					 CTL_ALLOW_SET, 1100, NULL), 0);
	/* that decision is addressed to edge2 only */
	CU_ASSERT_EQUAL(ctl_test_pg_int(e1ci, "SELECT count(*) FROM decisions"), 0);
	CU_ASSERT_EQUAL(ctl_test_pg_int(e2ci, "SELECT count(*) FROM decisions"), 1);
	/* status snapshots: each its own row */
	CU_ASSERT_EQUAL(ctl_pg_appliance_status(e1, "{}", 1200), 0);
	CU_ASSERT_EQUAL(ctl_pg_appliance_status(e2, "{}", 1200), 0);
	CU_ASSERT_NOT_EQUAL(ctl_pg_appliance_status(forged, "{}", 1200), 0);
	CU_ASSERT_EQUAL(ctl_test_pg_int(e1ci, "SELECT count(*) FROM appliances"), 1);
	CU_ASSERT_EQUAL(ctl_test_pg_int(conninfo, "SELECT count(*) FROM appliances"), 2);
	ctl_store_close(forged);
	ctl_store_close(e1);
	ctl_store_close(e2);
	ctl_store_close(s);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "postgresql ops table complete", test_pg_ops_complete },
		{ "migrate from empty, refuse newer", test_pg_migrate },
		{ "migrate from version 4", test_pg_migrate_from_v4 },
		{ "reviews are append-only", test_pg_reviews_append_only },
		CTL_TEST_STORE_CASES,
		{ "one candidate, occurrences per appliance", test_pg_appliances },
		{ "decisions for edges", test_pg_decisions },
		{ "uplink batch in one statement", test_pg_record_batch },
		{ "edge roles: own rows, own reads", test_pg_edge_roles },
		{ "server restarted: reconnect", test_pg_reconnect },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/store_pg", tests);
}
