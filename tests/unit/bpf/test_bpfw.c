// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_bpfw.c - the loader library without touching any interface: pinned
 * maps created under a private pin root, URL and flow entries with expiry,
 * renewal, listing, gc, counters, the mirror settings, flow parsing, and
 * clear refusals (unknown interface, incompatible pinned map, bad input).
 * Needs root (bpffs, map creation).
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpfw.h"
#include "bpfw_int.h"
#include "hwall_test.h"

static char root[128];

static struct bpfw *handle(uint32_t urls_max)
{
	struct bpfw_opts o = { .pin_root = root, .urls_max = urls_max, .flows_max = 1024 };

	return bpfw_new(&o);
}

static int count_url(uint64_t key, const struct bpfw_url_val *v, void *arg)
{
	(void)key;
	(void)v;
	++*(int *)arg;
	return 0;
}

static int count_flow(const struct bpfw_flow_key *k, const struct bpfw_flow_val *v, void *arg)
{
	(void)k;
	(void)v;
	++*(int *)arg;
	return 0;
}

/* Make the entry of @url expired, as if its lifetime had passed. */
static int expire_url(struct bpfw *b, const char *url)
{
	struct bpfw_url_val v = { .expires_ns = 1 };
	uint64_t key = 0;

	bpfw_url_key(url, &key);
	return bpf_map_update_elem(b->map_fd[BPFW_MAP_URLS], &key, &v, BPF_EXIST);
}

static void test_urls_block_list_gc(void)
{
	struct bpfw *b = handle(4096);
	unsigned int gu = 9, gf = 9;
	int n = 0;

	CU_ASSERT_EQUAL(bpfw_url_block(b, "http://example.com/a.jpg", 60, NULL), 0);
	CU_ASSERT_EQUAL(bpfw_url_block(b, "example.com/b.jpg", 60, NULL), 0);
	CU_ASSERT_EQUAL(bpfw_url_block(b, "example.com/b.jpg", 120, NULL), 0); /* renewal */
	CU_ASSERT_EQUAL(bpfw_url_list(b, count_url, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(expire_url(b, "example.com/a.jpg"), 0);
	CU_ASSERT_EQUAL(bpfw_gc(b, &gu, &gf, NULL), 0);
	CU_ASSERT_EQUAL(gu, 1);
	CU_ASSERT_EQUAL(gf, 0);
	CU_ASSERT_EQUAL(bpfw_url_unblock(b, "example.com/b.jpg", NULL), 0);
	CU_ASSERT_EQUAL(bpfw_url_unblock(b, "example.com/b.jpg", NULL), -ENOENT);
	n = 0;
	CU_ASSERT_EQUAL(bpfw_url_list(b, count_url, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 0);
	bpfw_free(b);
}

static void test_blocks_persist_across_handles(void)
{
	struct bpfw *a = handle(4096), *b = handle(4096);
	int n = 0;

	CU_ASSERT_EQUAL(bpfw_url_block(a, "example.com/keep.jpg", 60, NULL), 0);
	bpfw_free(a);
	CU_ASSERT_EQUAL(bpfw_url_list(b, count_url, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(bpfw_url_unblock(b, "example.com/keep.jpg", NULL), 0);
	bpfw_free(b);
}

static void test_bad_input_refused(void)
{
	struct bpfw *b = handle(4096);
	struct hwall_err err = { { 0 } };
	uint16_t port = 80;

	CU_ASSERT_EQUAL(bpfw_url_block(b, "ftp://example.com/a", 60, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "not a blockable http URL: 'ftp://example.com/a': "
			       "Invalid argument");
	CU_ASSERT_EQUAL(bpfw_url_block(b, "example.com/a", 0, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "a block needs a lifetime (ttl > 0): Invalid argument");
	CU_ASSERT_EQUAL(bpfw_attach(b, "hw-no-such-if", NULL, &err), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "hw-no-such-if"));
	CU_ASSERT_EQUAL(bpfw_detach(b, "hw-no-such-if", NULL), -ENODEV);
	CU_ASSERT_EQUAL(bpfw_mirror_set(b, "hw-no-such-if", &port, 1, &err), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "mirror interface 'hw-no-such-if'"));
	bpfw_free(b);
}

static void test_other_size_pinned_map_reused(void)
{
	struct bpfw *b = handle(8192);
	int n = 0;

	CU_ASSERT_EQUAL(bpfw_url_block(b, "example.com/a", 60, NULL), 0);
	CU_ASSERT_EQUAL(bpfw_url_list(b, count_url, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(bpfw_url_unblock(b, "example.com/a", NULL), 0);
	bpfw_free(b);
}

/* A map of another type pinned where bpfw_mirror belongs. */
static int pin_foreign_mirror(void)
{
	char path[256];
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 4, 1, NULL), r;

	snprintf(path, sizeof(path), "%s/maps/bpfw_mirror", root);
	unlink(path);
	r = fd < 0 ? fd : bpf_obj_pin(fd, path);
	close(fd);
	return r;
}

static void test_foreign_pinned_map_refused(void)
{
	struct bpfw *b = handle(4096), *c = handle(4096);
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(pin_foreign_mirror(), 0);
	CU_ASSERT_EQUAL(bpfw_url_block(b, "example.com/a", 60, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "bpfw_mirror is not the map this version uses"));
	/* purge clears the way for a fresh set of maps */
	CU_ASSERT_EQUAL(bpfw_purge(b, NULL), 0);
	CU_ASSERT_EQUAL(bpfw_url_block(c, "example.com/a", 60, NULL), 0);
	CU_ASSERT_EQUAL(bpfw_url_unblock(c, "example.com/a", NULL), 0);
	bpfw_free(b);
	bpfw_free(c);
}

static void test_flows(void)
{
	struct bpfw *b = handle(4096);
	struct bpfw_flow_key k4, k6;
	char buf[128];
	int n = 0;

	CU_ASSERT_EQUAL(bpfw_flow_parse("10.0.0.2:80", "10.0.0.1:40000", &k4), 0);
	bpfw_flow_format(&k4, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "10.0.0.2:80 -> 10.0.0.1:40000");
	CU_ASSERT_EQUAL(bpfw_flow_parse("[fd00::2]:80", "[fd00::1]:40000", &k6), 0);
	bpfw_flow_format(&k6, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "[fd00::2]:80 -> [fd00::1]:40000");
	CU_ASSERT_EQUAL(bpfw_flow_parse("10.0.0.2:80", "[fd00::1]:40000", &k6), -EINVAL);
	CU_ASSERT_EQUAL(bpfw_flow_parse("10.0.0.2", "10.0.0.1:1", &k6), -EINVAL);
	CU_ASSERT_EQUAL(bpfw_flow_parse("10.0.0.2:70000", "10.0.0.1:1", &k6), -EINVAL);
	CU_ASSERT_EQUAL(bpfw_flow_block(b, &k4, 60, NULL), 0);
	CU_ASSERT_EQUAL(bpfw_flow_list(b, count_flow, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(bpfw_flow_unblock(b, &k4, NULL), 0);
	CU_ASSERT_EQUAL(bpfw_flow_unblock(b, &k4, NULL), -ENOENT);
	bpfw_free(b);
}

static void test_mirror_and_counters(void)
{
	struct bpfw *b = handle(4096);
	uint16_t ports[BPFW_MIRROR_PORTS + 1] = { 80, 8080 };
	struct bpfw_mirror m;
	uint64_t c[BPFW_REASON_COUNT];

	CU_ASSERT_EQUAL(bpfw_mirror_get(b, &m, NULL), 0);
	CU_ASSERT_FALSE(m.enabled);
	CU_ASSERT_EQUAL(bpfw_mirror_set(b, "lo", ports, 2, NULL), 0);
	CU_ASSERT_EQUAL(bpfw_mirror_get(b, &m, NULL), 0);
	CU_ASSERT_TRUE(m.enabled);
	CU_ASSERT_EQUAL(m.ifindex, if_nametoindex("lo"));
	CU_ASSERT_EQUAL(m.ports[1], 8080);
	CU_ASSERT_EQUAL(bpfw_mirror_set(b, "lo", ports, BPFW_MIRROR_PORTS + 1, NULL), -E2BIG);
	CU_ASSERT_EQUAL(bpfw_mirror_set(b, NULL, NULL, 0, NULL), 0);
	CU_ASSERT_EQUAL(bpfw_mirror_get(b, &m, NULL), 0);
	CU_ASSERT_FALSE(m.enabled);
	CU_ASSERT_EQUAL(bpfw_counters(b, c, NULL), 0);
	CU_ASSERT_EQUAL(c[BPFW_R_URL_RST], 0);
	CU_ASSERT_STRING_EQUAL(bpfw_reason_name(BPFW_R_URL_RST), "url_rst");
	CU_ASSERT_PTR_NULL(bpfw_reason_name(BPFW_REASON_COUNT));
	bpfw_free(b);
}

static void test_purge_removes_pins(void)
{
	struct bpfw *b = handle(4096);
	struct stat st;

	CU_ASSERT_EQUAL(bpfw_url_block(b, "example.com/a", 60, NULL), 0);
	CU_ASSERT_EQUAL(bpfw_purge(b, NULL), 0);
	CU_ASSERT_EQUAL(stat(root, &st), -1);
	bpfw_free(b);
}

static CU_TestInfo tests[] = {
	{ "URL block, renew, list, gc, unblock", test_urls_block_list_gc },
	{ "blocks outlive the handle (pinned)", test_blocks_persist_across_handles },
	{ "bad input refused with a message", test_bad_input_refused },
	{ "pinned map of another size is reused", test_other_size_pinned_map_reused },
	{ "pinned map of another type refused", test_foreign_pinned_map_refused },
	{ "flow parse, format, block, unblock", test_flows },
	{ "mirror settings and counters", test_mirror_and_counters },
	{ "purge removes every pin", test_purge_removes_pins },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	struct bpfw *b;
	int rc;

	if (geteuid() != 0) {
		fprintf(stderr, "test_bpfw: needs root (BPF program load, bpffs); skipped\n");
		return 77; /* meson: skipped */
	}

	snprintf(root, sizeof(root), "/sys/fs/bpf/hashwall-unit-%d", (int)getpid());
	rc = hwall_test_main("bpf/bpfw", tests);
	b = handle(4096); /* remove the pins even when a test failed */
	bpfw_purge(b, NULL);
	bpfw_free(b);
	return rc;
}
