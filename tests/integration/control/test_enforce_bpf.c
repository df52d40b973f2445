/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bpf enforcement backend for real (built only with bpf/): controld's
 * enforcement glue attaches the programs to a veth the wrapper script
 * created (argv[1]), with pins under a private bpffs directory (argv[2]);
 * blocks from the store become entries of the pinned blocked-URL map with
 * the key bpfw_url_key() computes, unblocking removes them, a sync
 * re-pushes what the store holds, the status names the backend, and the
 * flow of a blocked match becomes a blocked-flow entry.  No
 * traffic is sent.  Needs root; run by test_enforce_bpf.sh.
 */
#include "control/enforce.h"
#include "bpfw.h"
#include "hwall_test.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *ifname, *pin_root;

struct found {
	uint64_t key;
	int n;
	uint64_t expires_ns;
};

static int find_cb(uint64_t key, const struct bpfw_url_val *val, void *arg)
{
	struct found *f = arg;

	f->n += key == f->key;
	f->expires_ns = key == f->key ? val->expires_ns : f->expires_ns;
	return 0;
}

/* Entries of @url in the pinned map. */
static int entries(struct bpfw *b, const char *url, uint64_t *ret_expires_ns)
{
	struct found f = { 0 };

	CU_ASSERT_EQUAL(bpfw_url_key(url, &f.key), 0);
	CU_ASSERT_EQUAL(bpfw_url_list(b, find_cb, &f, NULL), 0);
	*ret_expires_ns = f.expires_ns;
	return f.n;
}

struct flow_found {
	struct bpfw_flow_key key;
	int n;
	uint64_t expires_ns;
};

static int flow_cb(const struct bpfw_flow_key *key, const struct bpfw_flow_val *val, void *arg)
{
	struct flow_found *f = arg;
	bool same = memcmp(key, &f->key, sizeof(*key)) == 0;

	f->n += same;
	f->expires_ns = same ? val->expires_ns : f->expires_ns;
	return 0;
}

/* The flow of a blocked match becomes the blocked-flow entry that
 * bpfw_tc_egress looks up for the server's packets (src = server), with the
 * block's TTL; IPv4 and IPv6. */
static void test_flow_reaches_map(void)
{
	static const struct ctl_set_policy none[] = { { "none", "report" } };
	struct ctl_enforce_config cfg = { .block_ttl = 600, .interface = ifname,
					  .pin_root = pin_root, .sets = none, .n_sets = 1 };
	struct ctl_flow f4 = { .family = 4, .server = { 192, 0, 2, 10 }, .client = { 10, 1, 0, 2 },
			       .server_port = 80, .client_port = 51234 };
	struct ctl_flow f6 = { .family = 6, .server = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
			       .client = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
			       .server_port = 8080, .client_port = 40000 };
	struct ctl_record_result res = { .candidate_id = 1, .created = true };
	struct ctl_event ev = { .set = "hotline", .host = "h.example", .path = "/p" };
	struct ctl_store *s = NULL;
	struct bpfw_opts bo = { .pin_root = pin_root };
	struct flow_found ff = { 0 };
	struct ctl_enforce *e = NULL;
	struct timespec mono;
	struct bpfw *b;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_FATAL(ctl_enforce_new(&cfg, &e, &err) == 0);
	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	b = bpfw_new(&bo);
	CU_ASSERT_FATAL(b != NULL);
	ev.ts = (int64_t)time(NULL);
	/* the block the match added */
	CU_ASSERT_EQUAL(ctl_store_block_add(s, ev.host, ev.path, 1, CTL_BLOCK_AUTO, "controld", ev.ts,
					    ev.ts + 600, NULL), 0);
	ctl_enforce_on_flow(e, s, &ev, &res, &f4);
	ctl_enforce_on_flow(e, s, &ev, &res, &f6);
	ctl_enforce_after_commit(e);
	CU_ASSERT_EQUAL(bpfw_flow_parse("192.0.2.10:80", "10.1.0.2:51234", &ff.key), 0);
	CU_ASSERT_EQUAL(bpfw_flow_list(b, flow_cb, &ff, NULL), 0);
	CU_ASSERT_EQUAL(ff.n, 1);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	CU_ASSERT_TRUE(ff.expires_ns > (uint64_t)mono.tv_sec * 1000000000ull + 590000000000ull);
	CU_ASSERT_TRUE(ff.expires_ns < (uint64_t)mono.tv_sec * 1000000000ull + 610000000000ull);
	ff.n = 0;
	CU_ASSERT_EQUAL(bpfw_flow_parse("[2001:db8::1]:8080", "[2001:db8::2]:40000", &ff.key), 0);
	CU_ASSERT_EQUAL(bpfw_flow_list(b, flow_cb, &ff, NULL), 0);
	CU_ASSERT_EQUAL(ff.n, 1);
	/* a set in report mode adds no flow */
	snprintf(ev.set, sizeof(ev.set), "none");
	f4.client_port = 51235;
	ctl_enforce_on_flow(e, s, &ev, &res, &f4);
	ctl_enforce_after_commit(e);
	ff.n = 0;
	CU_ASSERT_EQUAL(bpfw_flow_parse("192.0.2.10:80", "10.1.0.2:51235", &ff.key), 0);
	CU_ASSERT_EQUAL(bpfw_flow_list(b, flow_cb, &ff, NULL), 0);
	CU_ASSERT_EQUAL(ff.n, 0);
	ctl_store_close(s);
	ctl_enforce_free(e);
	bpfw_purge(b, NULL);
	bpfw_free(b);
}

static void test_bpf_backend(void)
{
	struct ctl_enforce_config cfg = { .block_ttl = 3600, .interface = ifname,
					  .pin_root = pin_root };
	struct bpfw_opts bo = { .pin_root = pin_root };
	struct ctl_block blk = { .id = 1, .candidate_id = 0, .source = CTL_BLOCK_MANUAL };
	struct ctl_store *s = NULL;
	struct ctl_enforce *e = NULL;
	struct timespec mono;
	struct bpfw *b;
	struct hwall_err err = { { 0 } };
	char *text;
	uint64_t exp_ns = 0;
	cJSON *st;
	int64_t now = (int64_t)time(NULL);

	CU_ASSERT_FATAL(ctl_enforce_new(&cfg, &e, &err) == 0);
	CU_ASSERT_TRUE(ctl_enforce_available(e));
	b = bpfw_new(&bo);
	CU_ASSERT_FATAL(b != NULL);
	snprintf(blk.host, sizeof(blk.host), "blocked.example");
	snprintf(blk.path, sizeof(blk.path), "/x/y.jpg");
	blk.expires = now + 600;
	CU_ASSERT_EQUAL(ctl_enforce_block(e, &blk), 0);
	CU_ASSERT_EQUAL(entries(b, "http://blocked.example/x/y.jpg", &exp_ns), 1);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	/* the TTL made it into the entry: about 600 s from now */
	CU_ASSERT_TRUE(exp_ns > (uint64_t)mono.tv_sec * 1000000000ull + 590000000000ull);
	CU_ASSERT_TRUE(exp_ns < (uint64_t)mono.tv_sec * 1000000000ull + 610000000000ull);
	CU_ASSERT_EQUAL(ctl_enforce_unblock(e, blk.host, blk.path), 0);
	CU_ASSERT_EQUAL(entries(b, "http://blocked.example/x/y.jpg", &exp_ns), 0);
	/* a sync pushes what the store holds */
	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	CU_ASSERT_EQUAL(ctl_store_block_add(s, "store.example", "/a", 0, CTL_BLOCK_MANUAL, "t", now,
					    now + 100, NULL), 0);
	CU_ASSERT_EQUAL(ctl_enforce_sync(e, s, now), 0);
	CU_ASSERT_EQUAL(entries(b, "http://store.example/a", &exp_ns), 1);
	st = cJSON_CreateObject();
	ctl_enforce_status(e, st);
	text = cJSON_PrintUnformatted(st);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"backend\":\"bpf\",\"available\":true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"xdp_attached\":true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"url_rst\":0"));
	free(text);
	cJSON_Delete(st);
	ctl_store_close(s);
	ctl_enforce_free(e);
	/* the blocks outlive the glue (pinned) */
	CU_ASSERT_EQUAL(entries(b, "http://store.example/a", &exp_ns), 1);
	/* Clean-up, not under test: detach and unpin.  (bpfw_purge() leaves
	 * the programs' own bpfw_scratch pin behind at the time of writing; the
	 * wrapper script removes the whole pin directory anyway.) */
	bpfw_purge(b, NULL);
	bpfw_free(b);
}

static void test_bad_interface(void)
{
	struct ctl_enforce_config cfg = { .interface = "hw-no-such-if", .pin_root = pin_root };
	struct ctl_enforce *e = NULL;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(ctl_enforce_new(&cfg, &e, &err), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "hw-no-such-if"));
	CU_ASSERT_PTR_NULL(e);
}

int main(int argc, char **argv)
{
	CU_TestInfo tests[] = {
		{ "blocks reach the pinned map", test_bpf_backend },
		{ "a missing interface is refused", test_bad_interface },
		{ "flows reach the pinned blocked-flow map", test_flow_reaches_map },
		CU_TEST_INFO_NULL,
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s IFNAME PIN-ROOT\n", argv[0]);
		return 2;
	}
	ifname = argv[1];
	pin_root = argv[2];
	return hwall_test_main("control/enforce_bpf", tests);
}
