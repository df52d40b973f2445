/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for control/quarantine.c: synthetic matches of one digest
 * across many hosts (or URLs) trip the quarantine at the threshold and not
 * before; the digest's automatic blocks are lifted in the store and, after
 * the commit, in the backend; later matches are recorded but not enforced;
 * an admin's release restores the blocks and re-arms the check from the
 * release; a confirmation disarms it; every step is in the audit trail. */
#include "control/audit.h"
#include "control/quarantine.h"
#include "ctl_test_event.h"
#include "hwall_test.h"

#include <errno.h>
#include <string.h>

#define SEED 42

static int adds, dels;

static int fake_add(void *ctx, const char *host, const char *path, int64_t expires)
{
	(void)ctx, (void)host, (void)path, (void)expires;
	adds++;
	return 0;
}

static int fake_del(void *ctx, const char *host, const char *path)
{
	(void)ctx, (void)host, (void)path;
	dels++;
	return 0;
}

static const struct ctl_enforce_ops fake_ops = { .name = "fake", .add_url = fake_add,
						 .del_url = fake_del };

struct rig {
	struct ctl_store *s;
	struct ctl_enforce *e;
	struct ctl_metrics m;
	struct ctl_audit audit;
	struct ctl_quarantine_guard g;
	uint64_t seq;
};

static void rig_open(struct rig *r, const struct ctl_quarantine_config *cfg)
{
	struct ctl_enforce_config ec = { .block_ttl = 3600, .ops = &fake_ops, .metrics = &r->m };

	memset(r, 0, sizeof(*r));
	adds = dels = 0;
	CU_ASSERT_FATAL(ctl_store_open(":memory:", &r->s, NULL) == 0);
	CU_ASSERT_FATAL(ctl_enforce_new(&ec, &r->e, NULL) == 0);
	CU_ASSERT_FATAL(ctl_audit_init(&r->audit, NULL, 0, NULL) == 0);
	CU_ASSERT_FATAL(ctl_quarantine_init(&r->g, cfg, &r->audit, &r->m, r->e, r->s) == 0);
}

static void rig_close(struct rig *r)
{
	ctl_quarantine_fini(&r->g);
	ctl_enforce_free(r->e);
	ctl_store_close(r->s);
}

/* One match of digest @seed on http://@host@path at @ts, as controld's
 * ingest hooks handle it (one batch); returns whether it was held. */
static bool match(struct rig *r, uint64_t seed, const char *host, const char *path, int64_t ts)
{
	struct ctl_record_result res = { 0 };
	struct ctl_event ev;
	bool held = true;

	ctl_test_event(&ev, seed, host, path, ts);
	CU_ASSERT_FATAL(ctl_store_begin(r->s) == 0);
	CU_ASSERT_EQUAL(ctl_store_record(r->s, &ev, "dp0", "e", ++r->seq, &res), 0);
	CU_ASSERT_EQUAL(ctl_quarantine_check(&r->g, r->s, &ev, &res, &held), 0);
	if (!held)
		CU_ASSERT_EQUAL(ctl_enforce_on_match(r->e, r->s, &ev, &res), 0);
	CU_ASSERT_FATAL(ctl_store_commit(r->s) == 0);
	ctl_enforce_after_commit(r->e);
	ctl_quarantine_after_commit(&r->g);
	return held;
}

static uint64_t active_blocks(struct rig *r)
{
	uint64_t allow = 0, blocks = 0;

	CU_ASSERT_EQUAL(ctl_store_counts(r->s, 0, &allow, &blocks), 0);
	return blocks;
}

static int last_action(const struct ctl_audit_rec *a, void *ctx)
{
	snprintf(ctx, CTL_AUDIT_ACTION_MAX + 1, "%s", a->action);
	return 1;
}

static const char *newest_action(struct rig *r)
{
	static char action[CTL_AUDIT_ACTION_MAX + 1];

	action[0] = '\0';
	ctl_store_audit_walk(r->s, 0, 1, true, last_action, action);
	return action;
}

static int first_quarantine(const struct ctl_quarantine *q, void *ctx)
{
	*(struct ctl_quarantine *)ctx = *q;
	return 1;
}

static struct ctl_quarantine newest_quarantine(struct rig *r)
{
	struct ctl_quarantine q = { 0 };

	ctl_store_quarantines(r->s, -1, 0, 1, first_quarantine, &q, NULL);
	return q;
}

/* Four hosts with hosts = 3: the fourth trips it. */
static void test_trips_on_hosts(void)
{
	const struct ctl_quarantine_config cfg = { .hosts = 3, .urls = 100, .window = 3600 };
	struct ctl_quarantine q;
	struct rig r;
	char host[32];

	rig_open(&r, &cfg);
	for (int i = 0; i < 3; i++) {
		snprintf(host, sizeof(host), "site%d.example", i);
		CU_ASSERT_FALSE(match(&r, SEED, host, "/wp-content/logo.png", 1000 + i));
	}
	/* the same host again and another digest change nothing */
	CU_ASSERT_FALSE(match(&r, SEED, "site0.example", "/other.png", 1003));
	CU_ASSERT_FALSE(match(&r, SEED + 1, "elsewhere.example", "/x.png", 1004));
	CU_ASSERT_EQUAL(active_blocks(&r), 5);
	CU_ASSERT_EQUAL(adds, 5);
	CU_ASSERT_EQUAL(ctl_store_quarantine_get(r.s, HWALL_ALGO_XXH3_128, "00", &q), -ENOENT);

	CU_ASSERT_TRUE(match(&r, SEED, "site3.example", "/wp-content/logo.png", 1005));
	/* the digest's four automatic blocks lifted, in the store and the backend */
	CU_ASSERT_EQUAL(active_blocks(&r), 1);
	CU_ASSERT_EQUAL(dels, 4);
	CU_ASSERT_EQUAL(adds, 5);
	CU_ASSERT_EQUAL(ctl_counter_get(&r.m, CTL_CTR_QUARANTINES), 1);
	CU_ASSERT_EQUAL(atomic_load(&r.g.active), 1);
	CU_ASSERT_STRING_EQUAL(newest_action(&r), "quarantine");
	CU_ASSERT_EQUAL(ctl_store_quarantines(r.s, CTL_QUAR_ACTIVE, 0, 10, NULL, NULL, NULL), 0);

	/* later matches, new URL or known: recorded, not enforced */
	CU_ASSERT_TRUE(match(&r, SEED, "site4.example", "/wp-content/logo.png", 1006));
	CU_ASSERT_TRUE(match(&r, SEED, "site0.example", "/wp-content/logo.png", 1007));
	CU_ASSERT_FALSE(match(&r, SEED + 1, "elsewhere.example", "/x.png", 1008));
	CU_ASSERT_EQUAL(adds, 5);
	CU_ASSERT_EQUAL(active_blocks(&r), 1);
	CU_ASSERT_EQUAL(ctl_counter_get(&r.m, CTL_CTR_QUARANTINE_HELD), 3);
	rig_close(&r);
}

/* One host, many paths: the URL threshold. */
static void test_trips_on_urls(void)
{
	const struct ctl_quarantine_config cfg = { .hosts = 100, .urls = 5, .window = 3600 };
	struct ctl_quarantine q;
	struct rig r;
	char path[32];

	rig_open(&r, &cfg);
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "/theme/%d/logo.png", i);
		CU_ASSERT_FALSE(match(&r, SEED, "blog.example", path, 1000 + i));
	}
	CU_ASSERT_TRUE(match(&r, SEED, "blog.example", "/theme/5/logo.png", 1006));
	q = newest_quarantine(&r);
	CU_ASSERT_EQUAL(q.state, CTL_QUAR_ACTIVE);
	CU_ASSERT_EQUAL(q.hosts, 1);
	CU_ASSERT_EQUAL(q.urls, 6);
	CU_ASSERT_EQUAL(ctl_store_quarantine_get(r.s, q.algo, q.digest, &q), 0);
	CU_ASSERT_EQUAL(q.since, 1006);
	rig_close(&r);
}

/* Matches older than the window do not count. */
static void test_window(void)
{
	const struct ctl_quarantine_config cfg = { .hosts = 2, .urls = 100, .window = 600 };
	struct rig r;

	rig_open(&r, &cfg);
	CU_ASSERT_FALSE(match(&r, SEED, "a.example", "/p", 1000));
	CU_ASSERT_FALSE(match(&r, SEED, "b.example", "/p", 1100));
	CU_ASSERT_FALSE(match(&r, SEED, "c.example", "/p", 1650)); /* a is 650 s old */
	CU_ASSERT_TRUE(match(&r, SEED, "d.example", "/p", 1699)); /* b, c and d */
	rig_close(&r);
}

static void test_release_and_confirm(void)
{
	const struct ctl_quarantine_config cfg = { .hosts = 2, .urls = 100, .window = 3600 };
	struct ctl_quarantine q;
	struct rig r;

	rig_open(&r, &cfg);
	CU_ASSERT_FALSE(match(&r, SEED, "a.example", "/p", 1000));
	CU_ASSERT_FALSE(match(&r, SEED, "b.example", "/p", 1001));
	CU_ASSERT_TRUE(match(&r, SEED, "c.example", "/p", 1002));
	CU_ASSERT_EQUAL(active_blocks(&r), 0);
	q = newest_quarantine(&r);
	CU_ASSERT_EQUAL(q.state, CTL_QUAR_ACTIVE);
	CU_ASSERT_EQUAL(q.hosts, 3);

	CU_ASSERT_EQUAL(ctl_quarantine_decide(&r.g, &r.audit, r.s, q.id, CTL_QUAR_RELEASED, "adam",
					      2000, 3600, &q), 0);
	CU_ASSERT_EQUAL(q.state, CTL_QUAR_RELEASED);
	CU_ASSERT_STRING_EQUAL(q.actor, "adam");
	CU_ASSERT_EQUAL(q.decided, 2000);
	CU_ASSERT_EQUAL(active_blocks(&r), 3); /* its open candidates blocked again */
	CU_ASSERT_STRING_EQUAL(newest_action(&r), "quarantine_release");
	CU_ASSERT_EQUAL(atomic_load(&r.g.active), 0);
	CU_ASSERT_EQUAL(ctl_quarantine_decide(&r.g, &r.audit, r.s, q.id, CTL_QUAR_CONFIRMED,
					      "adam", 2001, 3600, NULL), -EALREADY);
	CU_ASSERT_EQUAL(ctl_quarantine_decide(&r.g, &r.audit, r.s, 999, CTL_QUAR_CONFIRMED,
					      "adam", 2001, 3600, NULL), -ENOENT);

	/* re-armed, counting from the release: two new hosts are within it */
	CU_ASSERT_FALSE(match(&r, SEED, "d.example", "/p", 2001));
	CU_ASSERT_FALSE(match(&r, SEED, "e.example", "/p", 2002));
	CU_ASSERT_TRUE(match(&r, SEED, "f.example", "/p", 2003));
	q = newest_quarantine(&r);
	CU_ASSERT_EQUAL(q.state, CTL_QUAR_ACTIVE);
	CU_ASSERT_EQUAL(q.hosts, 3);

	/* confirmed: enforced, and never quarantined again */
	CU_ASSERT_EQUAL(ctl_quarantine_decide(&r.g, &r.audit, r.s, q.id, CTL_QUAR_CONFIRMED,
					      "adam", 3000, 3600, &q), 0);
	CU_ASSERT_STRING_EQUAL(newest_action(&r), "quarantine_confirm");
	CU_ASSERT_FALSE(match(&r, SEED, "g.example", "/p", 3001));
	CU_ASSERT_FALSE(match(&r, SEED, "h.example", "/p", 3002));
	CU_ASSERT_FALSE(match(&r, SEED, "i.example", "/p", 3003));
	CU_ASSERT_EQUAL(newest_quarantine(&r).id, q.id);
	rig_close(&r);
}

static void test_disabled(void)
{
	const struct ctl_quarantine_config cfg = { .disabled = true, .hosts = 1 };
	struct rig r;

	rig_open(&r, &cfg);
	for (int i = 0; i < 5; i++) {
		char host[32];
		snprintf(host, sizeof(host), "h%d.example", i);
		CU_ASSERT_FALSE(match(&r, SEED, host, "/p", 1000 + i));
	}
	CU_ASSERT_EQUAL(active_blocks(&r), 5);
	rig_close(&r);
}

static void test_defaults_and_names(void)
{
	struct rig r;

	rig_open(&r, NULL);
	CU_ASSERT_EQUAL(r.g.cfg.hosts, CTL_QUAR_HOSTS_DEFAULT);
	CU_ASSERT_EQUAL(r.g.cfg.urls, CTL_QUAR_URLS_DEFAULT);
	CU_ASSERT_EQUAL(r.g.cfg.window, CTL_QUAR_WINDOW_DEFAULT);
	CU_ASSERT_STRING_EQUAL(ctl_quarantine_state_name(CTL_QUAR_CONFIRMED), "confirmed");
	CU_ASSERT_EQUAL(ctl_quarantine_state_parse("released"), CTL_QUAR_RELEASED);
	CU_ASSERT_EQUAL(ctl_quarantine_state_parse("Active"), -EINVAL);
	rig_close(&r);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "trips on distinct hosts", test_trips_on_hosts },
		{ "trips on distinct URLs", test_trips_on_urls },
		{ "only matches within the window count", test_window },
		{ "release re-arms, confirm disarms", test_release_and_confirm },
		{ "disabled never trips", test_disabled },
		{ "defaults and names", test_defaults_and_names },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/quarantine", tests);
}
