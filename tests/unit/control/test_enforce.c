/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for control/enforce.c: per-set policy, blocks added on a new
 * or reopened candidate only, pushed after the commit, renewal and expiry
 * by sync, the none backend, and a bad policy refused.  A recording
 * backend stands in for the BPF maps. */
#include "control/enforce.h"
#include "ctl_test_event.h"
#include "hwall_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int adds, dels;
static char last_add[512];
static int64_t last_expires;

static int rec_add(void *ctx, const char *host, const char *path, int64_t expires)
{
	(void)ctx;
	adds++;
	snprintf(last_add, sizeof(last_add), "%s%s", host, path);
	last_expires = expires;
	return 0;
}

static int rec_del(void *ctx, const char *host, const char *path)
{
	(void)ctx, (void)host, (void)path;
	dels++;
	return 0;
}

static int flow_adds;
static struct ctl_flow last_flow;
static int64_t last_flow_expires;

static int rec_add_flow(void *ctx, const struct ctl_flow *f, int64_t expires)
{
	(void)ctx;
	flow_adds++;
	last_flow = *f;
	last_flow_expires = expires;
	return 0;
}

static const struct ctl_enforce_ops rec_ops = { .name = "rec", .add_url = rec_add,
						.del_url = rec_del, .add_flow = rec_add_flow };
static const struct ctl_set_policy policies[] = { { "trial", "report" } };

static struct ctl_enforce *new_enforce(struct ctl_metrics *m)
{
	struct ctl_enforce_config cfg = { .block_ttl = 100, .default_policy = CTL_POLICY_BLOCK,
					  .sets = policies, .n_sets = 1, .ops = &rec_ops,
					  .metrics = m };
	struct ctl_enforce *e = NULL;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_FATAL(ctl_enforce_new(&cfg, &e, &err) == 0);
	adds = dels = flow_adds = 0;
	return e;
}

/* Record @ev in its own transaction with the enforcement hooks, as ingest
 * does: the flow hook (when @flow is given) after the match hook; then
 * commit and push, or roll back and forget. */
static void ingest_flow(struct ctl_store *s, struct ctl_enforce *e, const struct ctl_event *ev,
			uint64_t seq, const struct ctl_flow *flow, bool commit)
{
	struct ctl_record_result res;

	CU_ASSERT_EQUAL(ctl_store_begin(s), 0);
	CU_ASSERT_EQUAL(ctl_store_record(s, ev, "dp", "e", seq, &res), 0);
	CU_ASSERT_EQUAL(ctl_enforce_on_match(e, s, ev, &res), 0);
	if (flow)
		ctl_enforce_on_flow(e, s, ev, &res, flow);
	if (commit) {
		CU_ASSERT_EQUAL(ctl_store_commit(s), 0);
		ctl_enforce_after_commit(e);
	} else {
		ctl_store_rollback(s);
		ctl_enforce_after_rollback(e);
	}
}

static void ingest(struct ctl_store *s, struct ctl_enforce *e, const struct ctl_event *ev,
		   uint64_t seq)
{
	ingest_flow(s, e, ev, seq, NULL, true);
}

static int count_cb(const struct ctl_block *b, void *ctx)
{
	(void)b;
	(*(int *)ctx)++;
	return 0;
}

static int active_blocks(struct ctl_store *s, int64_t now)
{
	int n = 0;

	CU_ASSERT_EQUAL(ctl_store_blocks(s, now, 0, 100, count_cb, &n, NULL), 0);
	return n;
}

static void test_block_on_new_candidate(void)
{
	struct ctl_metrics m = { 0 };
	struct ctl_enforce *e = new_enforce(&m);
	struct ctl_store *s = NULL;
	struct ctl_event ev;

	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	ctl_test_event(&ev, 1, "a.example", "/x", 1000);
	ingest(s, e, &ev, 1);
	CU_ASSERT_EQUAL(adds, 1);
	CU_ASSERT_STRING_EQUAL(last_add, "a.example/x");
	CU_ASSERT_EQUAL(last_expires, 1100);
	CU_ASSERT_EQUAL(active_blocks(s, 1000), 1);
	/* the same candidate again: no new block */
	ev.ts = 1050;
	ingest(s, e, &ev, 2);
	CU_ASSERT_EQUAL(adds, 1);
	/* a set in report mode: counted, not blocked */
	ctl_test_event(&ev, 2, "b.example", "/y", 1000);
	snprintf(ev.set, sizeof(ev.set), "trial");
	ingest(s, e, &ev, 3);
	CU_ASSERT_EQUAL(adds, 1);
	CU_ASSERT_EQUAL(ctl_counter_get(&m, CTL_CTR_BLOCKS_REPORT_ONLY), 1);
	CU_ASSERT_EQUAL(ctl_enforce_policy(e, "trial"), CTL_POLICY_REPORT);
	CU_ASSERT_EQUAL(ctl_enforce_policy(e, "other"), CTL_POLICY_BLOCK);
	CU_ASSERT_EQUAL(active_blocks(s, 1000), 1);
	ctl_store_close(s);
	ctl_enforce_free(e);
}

/* The flow of a match that adds a block reaches the backend after the
 * commit, with the block's expiry; not for a known candidate whose block
 * lapsed, not in report mode, not after a rollback. */
static void test_flow_with_block(void)
{
	struct ctl_flow flow = { .family = 4, .server = { 192, 0, 2, 10 },
				 .client = { 10, 1, 0, 2 }, .server_port = 80,
				 .client_port = 51234 };
	struct ctl_metrics m = { 0 };
	struct ctl_enforce *e = new_enforce(&m);
	struct ctl_store *s = NULL;
	struct ctl_event ev;

	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	ctl_test_event(&ev, 1, "a.example", "/x", 1000);
	ingest_flow(s, e, &ev, 1, &flow, false); /* rolled back: nothing pushed */
	CU_ASSERT_EQUAL(adds, 0);
	CU_ASSERT_EQUAL(flow_adds, 0);
	ingest_flow(s, e, &ev, 1, &flow, true);
	CU_ASSERT_EQUAL(adds, 1);
	CU_ASSERT_EQUAL(flow_adds, 1);
	CU_ASSERT_EQUAL(memcmp(&last_flow, &flow, sizeof(flow)), 0);
	CU_ASSERT_EQUAL(last_flow_expires, 1100);
	CU_ASSERT_EQUAL(last_flow_expires, last_expires);
	CU_ASSERT_EQUAL(ctl_counter_get(&m, CTL_CTR_FLOWS_BLOCKED), 1);
	/* the same candidate again, its block (at 1100) long lapsed: no flow */
	ev.ts = 1050;
	ingest_flow(s, e, &ev, 2, &flow, true);
	CU_ASSERT_EQUAL(flow_adds, 1);
	/* report mode: no block, no flow */
	ctl_test_event(&ev, 2, "b.example", "/y", 1000);
	snprintf(ev.set, sizeof(ev.set), "trial");
	ingest_flow(s, e, &ev, 3, &flow, true);
	CU_ASSERT_EQUAL(adds, 1);
	CU_ASSERT_EQUAL(flow_adds, 1);
	ctl_store_close(s);
	ctl_enforce_free(e);
}

/* A known candidate served again while its URL block is in force (the
 * transfer got past it): the flow is blocked with that block's expiry; once
 * an operator lifted the block by hand, no flow is. */
static void test_flow_past_block_in_force(void)
{
	struct ctl_flow flow = { .family = 4, .server_port = 80, .client_port = 5 };
	int64_t now = (int64_t)time(NULL), id = 0;
	struct ctl_enforce *e = new_enforce(NULL);
	struct ctl_store *s = NULL;
	struct ctl_block removed;
	struct ctl_event ev;

	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	ctl_test_event(&ev, 1, "a.example", "/x", now);
	ingest_flow(s, e, &ev, 1, NULL, true);
	CU_ASSERT_EQUAL(adds, 1);
	/* an operator extends the block by hand */
	CU_ASSERT_EQUAL(ctl_store_block_add(s, "a.example", "/x", 0, CTL_BLOCK_MANUAL, "op", now,
					    now + 5000, &id), 0);
	ev.ts = now + 1;
	ingest_flow(s, e, &ev, 2, &flow, true);
	CU_ASSERT_EQUAL(flow_adds, 1);
	CU_ASSERT_EQUAL(last_flow_expires, now + 5000);
	CU_ASSERT_EQUAL(ctl_store_block_remove(s, id, &removed), 0);
	ingest_flow(s, e, &ev, 3, &flow, true);
	CU_ASSERT_EQUAL(flow_adds, 1);
	ctl_store_close(s);
	ctl_enforce_free(e);
}

/* A backend that cannot block flows is simply not asked. */
/* A match without a Host, or with a cut host or path, has no URL key that
 * its requests would hit: no URL block, but the flow is stopped, always. */
static void test_flow_without_url(void)
{
	struct ctl_flow flow = { .family = 4, .server_port = 80, .client_port = 5 };
	struct ctl_metrics m = { 0 };
	struct ctl_enforce *e = new_enforce(&m);
	struct ctl_store *s = NULL;
	struct ctl_event ev;

	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	ctl_test_event(&ev, 1, "", "/x", 1000);
	ingest_flow(s, e, &ev, 1, &flow, true);
	ev.ts = 1001; /* the same candidate again */
	ingest_flow(s, e, &ev, 2, &flow, true);
	ctl_test_event(&ev, 2, "a.example", "/cut", 1000);
	ev.path_truncated = true;
	ingest_flow(s, e, &ev, 3, &flow, true);
	ctl_test_event(&ev, 3, "cut.example", "/y", 1000);
	ev.host_truncated = true;
	ingest_flow(s, e, &ev, 4, &flow, true);
	ctl_test_event(&ev, 5, "nopath.example", "", 1000); /* not the host's root */
	ingest_flow(s, e, &ev, 6, &flow, true);
	CU_ASSERT_EQUAL(adds, 0);
	CU_ASSERT_EQUAL(active_blocks(s, 0), 0);
	CU_ASSERT_EQUAL(ctl_counter_get(&m, CTL_CTR_BLOCKS_NO_URL), 4);
	CU_ASSERT_EQUAL(flow_adds, 5);
	CU_ASSERT_EQUAL(last_flow_expires, 1100);
	/* report mode: nothing */
	ctl_test_event(&ev, 4, "", "/z", 1000);
	snprintf(ev.set, sizeof(ev.set), "trial");
	ingest_flow(s, e, &ev, 7, &flow, true);
	CU_ASSERT_EQUAL(flow_adds, 5);
	ctl_store_close(s);
	ctl_enforce_free(e);
}

static void test_flow_without_backend_support(void)
{
	static const struct ctl_enforce_ops url_only = { .name = "url-only", .add_url = rec_add,
							 .del_url = rec_del };
	struct ctl_enforce_config cfg = { .block_ttl = 100, .ops = &url_only };
	struct ctl_flow flow = { .family = 4, .server_port = 80, .client_port = 5 };
	struct ctl_enforce *e = NULL;
	struct ctl_store *s = NULL;
	struct ctl_event ev;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_FATAL(ctl_enforce_new(&cfg, &e, &err) == 0);
	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	adds = flow_adds = 0;
	ctl_test_event(&ev, 1, "a.example", "/x", 1000);
	ingest_flow(s, e, &ev, 1, &flow, true);
	CU_ASSERT_EQUAL(adds, 1);
	CU_ASSERT_EQUAL(flow_adds, 0);
	ctl_store_close(s);
	ctl_enforce_free(e);
}

static void test_sync_renews_open_only(void)
{
	struct ctl_enforce *e = new_enforce(NULL);
	struct ctl_store *s = NULL;
	struct ctl_event ev;

	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	ctl_test_event(&ev, 1, "a.example", "/open", 1000);
	ingest(s, e, &ev, 1);
	ctl_test_event(&ev, 2, "a.example", "/done", 1000);
	ingest(s, e, &ev, 2);
	CU_ASSERT_EQUAL(ctl_store_review(s, 2, CTL_STATUS_TAKEN_DOWN, "op", NULL, CTL_ALLOW_SET, 1010, NULL), 0);
	adds = 0;
	/* at 1090 both are active; the open one is renewed to 1190, both re-pushed */
	CU_ASSERT_EQUAL(ctl_enforce_sync(e, s, 1090), 0);
	CU_ASSERT_EQUAL(adds, 2);
	/* at 1150 the taken-down one has lapsed and is gone */
	adds = 0;
	CU_ASSERT_EQUAL(ctl_enforce_sync(e, s, 1150), 0);
	CU_ASSERT_EQUAL(adds, 1);
	CU_ASSERT_STRING_EQUAL(last_add, "a.example/open");
	CU_ASSERT_EQUAL(last_expires, 1250);
	CU_ASSERT_EQUAL(active_blocks(s, 1150), 1);
	/* served again after takedown: reopened, blocked again */
	ctl_test_event(&ev, 2, "a.example", "/done", 1200);
	adds = 0;
	ingest(s, e, &ev, 3);
	CU_ASSERT_EQUAL(adds, 1);
	CU_ASSERT_STRING_EQUAL(last_add, "a.example/done");
	ctl_store_close(s);
	ctl_enforce_free(e);
}

static void test_none_backend_and_bad_policy(void)
{
	struct ctl_set_policy bad[] = { { "s", "drop" } };
	struct ctl_enforce_config cfg = { .block_ttl = 100 };
	struct ctl_enforce *e = NULL;
	struct hwall_err err = { { 0 } };
	cJSON *st;
	char *text;

	CU_ASSERT_EQUAL(ctl_enforce_new(&cfg, &e, &err), 0);
	CU_ASSERT_FALSE(ctl_enforce_available(e));
	st = cJSON_CreateObject();
	ctl_enforce_status(e, st);
	text = cJSON_PrintUnformatted(st);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"backend\":\"none\",\"available\":false"));
	free(text);
	cJSON_Delete(st);
	ctl_enforce_free(e);
	cfg.sets = bad;
	cfg.n_sets = 1;
	e = NULL;
	CU_ASSERT_EQUAL(ctl_enforce_new(&cfg, &e, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "sets[0].policy: expected \"block\" or \"report\"");
	CU_ASSERT_PTR_NULL(e);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "flow_with_block", test_flow_with_block },
		{ "flow_without_backend_support", test_flow_without_backend_support },
		{ "no Host, cut URL: flow only", test_flow_without_url },
		{ "flow_past_block_in_force", test_flow_past_block_in_force },
		{ "block on a new candidate, by policy", test_block_on_new_candidate },
		{ "sync renews open candidates' blocks only", test_sync_renews_open_only },
		{ "none backend, bad policy", test_none_backend_and_bad_policy },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/enforce", tests);
}
