/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Integration tests of the fleet uplink (control/fleet*.c): an edge's
 * SQLite store replicated to a real PostgreSQL 15 (with_pg.sh) and the
 * central decisions coming back.  Rounds are driven one by one
 * (ctl_fleet_round()), no thread, so every step is deterministic:
 *  - a replication sent again after a crash (cursors lost) inserts
 *    nothing twice;
 *  - the server stopped at once: the edge goes on recording, the outbox
 *    grows, and drains without duplicates when the server is back;
 *  - a central false positive and a manual block reach the edge (store,
 *    local trail, allowlist file), also when the notification was never
 *    sent (reconciliation); a local review reaches the center.
 */
#include "common/fileio.h"
#include "control/fleet.h"
#include "control/store_pg.h"
#include "ctl_test_event.h"
#include "ctl_test_pg.h"
#include "hwall_test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct edge {
	char db[512], state[512], allow[512], central[256];
	struct ctl_store *local, *center;
	struct ctl_fleet *f;
	uint64_t seq;
};

static void edge_fleet(struct edge *e, uint32_t reconcile_ms)
{
	struct ctl_fleet_config fc = {
		.conninfo = e->central, .appliance = "edge1", .db = e->db,
		.state_file = e->state, .batch = 7, .reconcile_ms = reconcile_ms,
		.allowlist_file = e->allow,
	};
	struct hwall_err err = { { 0 } };

	CU_ASSERT_FATAL(ctl_fleet_new(&fc, &e->f, &err) == 0);
}

/* An edge store in a temp dir and a fresh central database @name. */
static void edge_new(struct edge *e, const char *name, uint32_t reconcile_ms)
{
	const char *dir = hwall_test_tmpdir(name);

	memset(e, 0, sizeof(*e));
	snprintf(e->db, sizeof(e->db), "%s/store.db", dir);
	snprintf(e->state, sizeof(e->state), "%s/store.db.fleet", dir);
	snprintf(e->allow, sizeof(e->allow), "%s/allowlist", dir);
	ctl_test_pg_db(name, e->central, sizeof(e->central));
	CU_ASSERT_FATAL(ctl_store_open(e->central, &e->center, NULL) == 0); /* migrates */
	CU_ASSERT_FATAL(ctl_store_open(e->db, &e->local, NULL) == 0);
	edge_fleet(e, reconcile_ms);
}

static void edge_free(struct edge *e)
{
	ctl_fleet_free(e->f);
	ctl_store_close(e->local);
	ctl_store_close(e->center);
}

/* @n matches recorded on the edge, as ingest records them (a batch). */
static void edge_record(struct edge *e, int n, const char *host)
{
	struct ctl_record_result res;
	struct ctl_event ev;
	char path[32];

	CU_ASSERT_FATAL(ctl_store_begin(e->local) == 0);
	for (int i = 0; i < n; i++) {
		e->seq++;
		snprintf(path, sizeof(path), "/o%d.jpg", (int)(e->seq % 5));
		ctl_test_event(&ev, e->seq % 5, host, path, 1000 + (int64_t)e->seq);
		CU_ASSERT(ctl_store_record(e->local, &ev, "dp0", "ep1", e->seq, &res) == 0);
	}
	CU_ASSERT_FATAL(ctl_store_commit(e->local) == 0);
}

/* Rounds until the outbox is empty (at most @max_ms). */
static void drain(struct edge *e, int max_ms)
{
	for (int t = 0; t < max_ms; t += 100)
		if (ctl_fleet_round(e->f, 100) == 0 && ctl_fleet_backlog(e->f) == 0 &&
		    ctl_fleet_connected(e->f))
			return;
}

static long long central_occurrences(struct edge *e)
{
	return ctl_test_pg_int(e->central, "SELECT count(*) FROM occurrences WHERE"
					   " appliance = 'edge1'");
}

/* Sum of the candidates' counts: a duplicate insert would raise it. */
static long long central_counted(struct edge *e)
{
	return ctl_test_pg_int(e->central, "SELECT coalesce(sum(occurrences), 0) FROM candidates");
}

static void test_resend_after_crash(void)
{
	struct edge e;

	edge_new(&e, "fleet_resend", 5000);
	edge_record(&e, 20, "a.example");
	drain(&e, 10000);
	CU_ASSERT_EQUAL(ctl_fleet_backlog(e.f), 0);
	CU_ASSERT_EQUAL(central_occurrences(&e), 20);
	CU_ASSERT_EQUAL(ctl_test_pg_int(e.central, "SELECT count(*) FROM candidates"), 5);
	/* a crash before the cursors were written: everything goes again */
	ctl_fleet_free(e.f);
	CU_ASSERT_EQUAL(remove(e.state), 0);
	edge_fleet(&e, 5000);
	CU_ASSERT_EQUAL(ctl_fleet_backlog(e.f), 0); /* not known before a round */
	edge_record(&e, 3, "a.example");
	drain(&e, 10000);
	CU_ASSERT_EQUAL(central_occurrences(&e), 23);
	CU_ASSERT_EQUAL(central_counted(&e), 23);
	CU_ASSERT_EQUAL(ctl_test_pg_int(e.central, "SELECT count(*) FROM (SELECT seq FROM"
						   " occurrences GROUP BY seq HAVING count(*) > 1) d"),
			0);
	edge_free(&e);
}

static void test_outage(void)
{
	struct edge e;
	int r;

	edge_new(&e, "fleet_outage", 5000);
	edge_record(&e, 10, "b.example");
	drain(&e, 10000);
	CU_ASSERT_EQUAL(central_occurrences(&e), 10);
	CU_ASSERT_FATAL(system(getenv("HWALL_TEST_PG_STOP")) == 0);
	/* the edge records on; the outbox grows */
	edge_record(&e, 15, "b.example");
	r = ctl_fleet_round(e.f, 50);
	CU_ASSERT_EQUAL(r, -EIO);
	CU_ASSERT_FALSE(ctl_fleet_connected(e.f));
	edge_record(&e, 5, "b.example");
	ctl_fleet_round(e.f, 50);
	CU_ASSERT_EQUAL(ctl_fleet_backlog(e.f), 20);
	CU_ASSERT_FATAL(system(getenv("HWALL_TEST_PG_START")) == 0);
	drain(&e, 60000);
	CU_ASSERT_TRUE(ctl_fleet_connected(e.f));
	CU_ASSERT_EQUAL(ctl_fleet_backlog(e.f), 0);
	CU_ASSERT_EQUAL(central_occurrences(&e), 30);
	CU_ASSERT_EQUAL(central_counted(&e), 30);
	edge_free(&e);
}

/* The local candidate of the edge's first recorded object. */
static int64_t local_id(struct edge *e, const char *host, struct ctl_event *ret_ev)
{
	int64_t id = 0;

	ctl_test_event(ret_ev, 1, host, "/o1.jpg", 0);
	CU_ASSERT_EQUAL(ctl_store_candidate_find(e->local, "test", ret_ev->algo, ret_ev->digest,
						 host, "/o1.jpg", &id), 0);
	return id;
}

static int64_t central_id(struct edge *e, const struct ctl_event *ev)
{
	int64_t id = 0;

	CU_ASSERT_EQUAL(ctl_store_candidate_find(e->center, "test", ev->algo, ev->digest, ev->host,
						 ev->path, &id), 0);
	return id;
}

static int review_actor_cb(const struct ctl_review *r, void *ctx)
{
	snprintf(ctx, CTL_ACTOR_MAX + 1, "%s", r->actor);
	return 0;
}

/* Rounds until the local candidate @id is in @st (at most @max_ms). */
static bool wait_status(struct edge *e, int64_t id, enum ctl_status st, int max_ms)
{
	struct ctl_candidate c;

	for (int t = 0; t < max_ms; t += 100) {
		ctl_fleet_round(e->f, 100);
		if (ctl_store_candidate(e->local, id, &c) == 0 && c.status == st)
			return true;
	}
	return false;
}

static bool file_has(const char *path, const char *needle)
{
	char *buf = NULL;
	size_t len = 0;
	bool hit;

	if (hwall_read_file(path, 1 << 20, &buf, &len) < 0)
		return false;
	hit = strstr(buf, needle) != NULL;
	free(buf);
	return hit;
}

static void test_decisions_back(void)
{
	char actor[CTL_ACTOR_MAX + 1] = "";
	struct ctl_event ev;
	struct edge e;
	int64_t lid, cid;

	edge_new(&e, "fleet_back", 60000); /* reconciliation only on connect */
	edge_record(&e, 5, "c.example");
	drain(&e, 10000);
	lid = local_id(&e, "c.example", &ev);
	cid = central_id(&e, &ev);
	CU_ASSERT_EQUAL(ctl_store_review(e.center, cid, CTL_STATUS_FALSE_POSITIVE, "alice", "fp",
					 CTL_ALLOW_SET, 2000, NULL), 0);
	/* woken by NOTIFY: in the local store, its trail, the allowlist file */
	CU_ASSERT_TRUE(wait_status(&e, lid, CTL_STATUS_FALSE_POSITIVE, 5000));
	CU_ASSERT_EQUAL(ctl_store_reviews(e.local, lid, review_actor_cb, actor), 0);
	CU_ASSERT_STRING_EQUAL(actor, "fleet:alice");
	CU_ASSERT_TRUE(ctl_store_allowed(e.local, ev.algo, ev.digest, "test"));
	CU_ASSERT_TRUE(file_has(e.allow, ev.digest));
	/* a local review goes up (and does not come back as an echo) */
	ctl_test_event(&ev, 2, "c.example", "/o2.jpg", 0);
	CU_ASSERT_EQUAL(ctl_store_candidate_find(e.local, "test", ev.algo, ev.digest, "c.example",
						 "/o2.jpg", &lid), 0);
	CU_ASSERT_EQUAL(ctl_store_review(e.local, lid, CTL_STATUS_CONFIRMED, "bob", "",
					 CTL_ALLOW_SET, 2100, NULL), 0);
	drain(&e, 5000);
	cid = central_id(&e, &ev);
	CU_ASSERT_EQUAL(ctl_store_reviews(e.center, cid, review_actor_cb, actor), 0);
	CU_ASSERT_STRING_EQUAL(actor, "edge1:bob");
	edge_free(&e);
}

/* A decision whose notification never came (triggers off in the writer's
 * session: no NOTIFY) is caught up by the reconciliation. */
static void test_missed_notification(void)
{
	struct edge e;
	int64_t exp = 0;
	char sql[512];

	edge_new(&e, "fleet_missed", 300);
	edge_record(&e, 1, "d.example");
	drain(&e, 10000);
	snprintf(sql, sizeof(sql),
		 "SET session_replication_role = replica;"
		 "INSERT INTO decisions (at, kind, host, path, actor) VALUES"
		 " (3000, 'block', 'm.example', '/quiet', 'admin')");
	CU_ASSERT_EQUAL(ctl_test_pg_exec(e.central, sql), 0);
	for (int t = 0; t < 3000 && ctl_store_block_expires(e.local, "m.example", "/quiet",
							       &exp) != 0; t += 100)
		ctl_fleet_round(e.f, 100);
	CU_ASSERT_TRUE(exp > 0);
	/* and the central removal of a manual block */
	CU_ASSERT_EQUAL(ctl_test_pg_exec(e.central, "INSERT INTO decisions (at, kind, host, path,"
						   " actor) VALUES (3001, 'unblock', 'm.example',"
						   " '/quiet', 'admin')"), 0);
	for (int t = 0; t < 3000 && ctl_store_block_expires(e.local, "m.example", "/quiet",
							       &exp) == 0; t += 100)
		ctl_fleet_round(e.f, 100);
	CU_ASSERT_EQUAL(ctl_store_block_expires(e.local, "m.example", "/quiet", &exp), -ENOENT);
	edge_free(&e);
}

static void test_config_checks(void)
{
	char dir[512], pass[600], ci[700];
	struct ctl_fleet_config fc = { .conninfo = "host=/tmp", .appliance = "bad id", .db = ":memory:",
				       .state_file = "/nonexistent/x" };
	struct hwall_err err = { { 0 } };
	struct ctl_fleet *f = NULL;

	snprintf(dir, sizeof(dir), "%s", hwall_test_tmpdir("fleet_cfg"));
	CU_ASSERT_EQUAL(ctl_fleet_new(&fc, &f, &err), -EINVAL);
	fc.appliance = "edge1";
	fc.conninfo = "host=/tmp password=secret";
	CU_ASSERT_EQUAL(ctl_fleet_new(&fc, &f, &err), -EPERM);
	snprintf(pass, sizeof(pass), "%s/pgpass", dir);
	CU_ASSERT_EQUAL(hwall_write_atomic(pass, "*:*:*:*:x\n", 10, 0644), 0);
	snprintf(ci, sizeof(ci), "host=/tmp passfile=%s", pass);
	fc.conninfo = ci;
	CU_ASSERT_EQUAL(ctl_fleet_new(&fc, &f, &err), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "chmod 600"));
	fc.conninfo = "host='unterminated";
	CU_ASSERT_EQUAL(ctl_fleet_new(&fc, &f, &err), -EINVAL);
	CU_ASSERT_PTR_NULL(f);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "config: id, conninfo, passfile mode", test_config_checks },
		{ "resend after a crash inserts nothing twice", test_resend_after_crash },
		{ "server stopped: outbox grows, drains, no duplicates", test_outage },
		{ "decisions back, local reviews up", test_decisions_back },
		{ "missed notification caught up", test_missed_notification },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/fleet", tests);
}
