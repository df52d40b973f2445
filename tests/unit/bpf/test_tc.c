// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_tc.c - the TC programs (tc_enforce.bpf.c) on crafted packets with
 * bpf_prog_test_run_opts: blocked flows dropped on egress (IPv4 and IPv6),
 * other and expired flows passed, and the software mirror: off by default,
 * cloning only the configured ports, counting failed clones.  Needs root.
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/pkt_cls.h>

#include "bpf_test.h"
#include "hwall_test.h"
#include "pkt.h"
#include "tc_enforce.skel.h"

static struct tc_enforce *skel;
/* Frames start 2 bytes into 8-aligned storage so that the IP and TCP
 * headers after the 14-byte Ethernet header are 4-byte aligned. */
static uint8_t pkt_buf[BT_PKT_MAX + 8] __attribute__((aligned(8)));
static uint8_t out_buf[BT_PKT_MAX + 8] __attribute__((aligned(8)));
static uint8_t *const pkt = pkt_buf + 2;
static uint8_t *const out = out_buf + 2;
static uint32_t out_len;

static uint64_t counter(uint32_t reason)
{
	return bt_counter(bpf_map__fd(skel->maps.bpfw_counters), reason);
}

static void reset(void)
{
	struct bpfw_mirror_cfg off = { 0 };
	uint32_t zero = 0;

	bt_map_clear(bpf_map__fd(skel->maps.bpfw_flows));
	bt_counters_clear(bpf_map__fd(skel->maps.bpfw_counters));
	bpf_map_update_elem(bpf_map__fd(skel->maps.bpfw_mirror), &zero, &off, BPF_ANY);
}

/* The flow key of the packets pkt_build() makes for @family. */
static struct bpfw_flow_key key_of(int family)
{
	struct bpfw_flow_key k = { .proto = IPPROTO_TCP };
	uint32_t c = htonl(PKT_CLIENT4), s = htonl(PKT_SERVER4);

	if (family == 6) {
		memcpy(k.saddr, pkt_client6, 16);
		memcpy(k.daddr, pkt_server6, 16);
	} else {
		k.saddr[10] = k.saddr[11] = k.daddr[10] = k.daddr[11] = 0xff;
		memcpy(k.saddr + 12, &c, 4);
		memcpy(k.daddr + 12, &s, 4);
	}
	k.sport = htons(PKT_CLIENT_PORT);
	k.dport = htons(PKT_SERVER_PORT);
	return k;
}

static int block_flow(struct bpfw_flow_key k, int64_t ttl_ns)
{
	struct bpfw_flow_val v = { .expires_ns = hwall_mono_ns() + (uint64_t)ttl_ns };

	return bpf_map_update_elem(bpf_map__fd(skel->maps.bpfw_flows), &k, &v, BPF_ANY);
}

static uint64_t drops(struct bpfw_flow_key k)
{
	struct bpfw_flow_val v = { 0 };

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.bpfw_flows), &k, &v);
	return v.drops;
}

static int mirror_on(uint32_t ifindex, uint16_t port)
{
	struct bpfw_mirror_cfg m = { .enabled = 1, .ifindex = ifindex, .ports = { 8080, port } };
	uint32_t zero = 0;

	return bpf_map_update_elem(bpf_map__fd(skel->maps.bpfw_mirror), &zero, &m, BPF_ANY);
}

static int run(struct bpf_program *prog, int family, size_t cut)
{
	const char body[] = "synthetic response bytes";
	struct pkt_spec s = { .family = family, .payload = body, .len = sizeof(body) - 1 };
	size_t n = pkt_build(pkt, &s);

	return bt_run(bpf_program__fd(prog), pkt, n - cut, out, &out_len);
}

static void test_blocked_flow_dropped(void)
{
	reset();
	CU_ASSERT_EQUAL(block_flow(key_of(4), 3600e9), 0);
	CU_ASSERT_EQUAL(block_flow(key_of(6), 3600e9), 0);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_egress, 4, 0), TC_ACT_SHOT);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_egress, 4, 0), TC_ACT_SHOT);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_egress, 6, 0), TC_ACT_SHOT);
	CU_ASSERT_EQUAL(counter(BPFW_R_FLOW_DROPPED), 3);
	CU_ASSERT_EQUAL(drops(key_of(4)), 2);
	CU_ASSERT_EQUAL(drops(key_of(6)), 1);
}

static void test_other_flow_passes(void)
{
	struct bpfw_flow_key k = key_of(4);

	reset();
	k.sport = htons(PKT_CLIENT_PORT + 1);
	CU_ASSERT_EQUAL(block_flow(k, 3600e9), 0);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_egress, 4, 0), TC_ACT_UNSPEC);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_egress, 6, 0), TC_ACT_UNSPEC);
	CU_ASSERT_EQUAL(counter(BPFW_R_FLOW_DROPPED), 0);
}

static void test_expired_flow_passes(void)
{
	reset();
	CU_ASSERT_EQUAL(block_flow(key_of(4), -1), 0);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_egress, 4, 0), TC_ACT_UNSPEC);
	CU_ASSERT_EQUAL(counter(BPFW_R_FLOW_EXPIRED), 1);
}

static void test_truncated_passes(void)
{
	reset();
	CU_ASSERT_EQUAL(block_flow(key_of(4), 3600e9), 0);
	/* cut into the TCP header */
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_egress, 4, 24 + 10), TC_ACT_UNSPEC);
	CU_ASSERT_EQUAL(counter(BPFW_R_FLOW_DROPPED), 0);
}

static void test_mirror_off_by_default(void)
{
	reset();
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_ingress, 4, 0), TC_ACT_UNSPEC);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_egress, 4, 0), TC_ACT_UNSPEC);
	CU_ASSERT_EQUAL(counter(BPFW_R_MIRROR_CLONED) + counter(BPFW_R_MIRROR_FAILED), 0);
}

static void test_mirror_clones_configured_ports(void)
{
	reset();
	CU_ASSERT_EQUAL(mirror_on(if_nametoindex("lo"), PKT_SERVER_PORT), 0);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_ingress, 4, 0), TC_ACT_UNSPEC);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_egress, 6, 0), TC_ACT_UNSPEC);
	CU_ASSERT_EQUAL(counter(BPFW_R_MIRROR_CLONED), 2);
	CU_ASSERT_EQUAL(mirror_on(if_nametoindex("lo"), 443), 0);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_ingress, 4, 0), TC_ACT_UNSPEC);
	CU_ASSERT_EQUAL(counter(BPFW_R_MIRROR_CLONED), 2);
}

static void test_mirror_failure_counted(void)
{
	reset();
	CU_ASSERT_EQUAL(mirror_on(0x7ffffff0, PKT_SERVER_PORT), 0);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_ingress, 4, 0), TC_ACT_UNSPEC);
	CU_ASSERT_EQUAL(counter(BPFW_R_MIRROR_FAILED), 1);
}

static void test_blocked_flow_not_mirrored(void)
{
	reset();
	CU_ASSERT_EQUAL(mirror_on(if_nametoindex("lo"), PKT_SERVER_PORT), 0);
	CU_ASSERT_EQUAL(block_flow(key_of(4), 3600e9), 0);
	CU_ASSERT_EQUAL(run(skel->progs.bpfw_tc_egress, 4, 0), TC_ACT_SHOT);
	CU_ASSERT_EQUAL(counter(BPFW_R_MIRROR_CLONED), 0);
}

static CU_TestInfo tests[] = {
	{ "blocked flows dropped on egress (IPv4, IPv6)", test_blocked_flow_dropped },
	{ "other flows pass", test_other_flow_passes },
	{ "expired flow entry passes", test_expired_flow_passes },
	{ "truncated packet passes", test_truncated_passes },
	{ "mirror is off by default", test_mirror_off_by_default },
	{ "mirror clones only the configured ports", test_mirror_clones_configured_ports },
	{ "failed clone is counted", test_mirror_failure_counted },
	{ "dropped packets are not mirrored", test_blocked_flow_not_mirrored },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc;

	if (geteuid() != 0) {
		fprintf(stderr, "test_tc: needs root (BPF program load, bpffs); skipped\n");
		return 77; /* meson: skipped */
	}

	skel = tc_enforce__open_and_load();
	if (!skel) {
		fprintf(stderr, "test_tc: cannot load tc_enforce: %s\n",
			strerror(errno));
		return 1;
	}
	rc = hwall_test_main("bpf/tc", tests);
	tc_enforce__destroy(skel);
	return rc;
}
