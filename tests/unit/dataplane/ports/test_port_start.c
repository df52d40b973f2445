/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tests of dp_port_start() and dp_port_stop() (dataplane/ports/port.c) on real
 * ports: the net_pcap virtual device over a small generated capture
 * (synthetic frames, PRNG payloads), in an EAL started once for the whole
 * program with --no-huge --no-pci --no-shconf and a file prefix unique to
 * the process.  Each failing start closes its port, so every case has a
 * vdev of its own: net_pcap0 (wrong driver), net_pcap1 and net_pcap2
 * (queue counts), net_pcap3 (a flow rule the PMD refuses), net_pcap4 (a
 * good start that receives every frame of the capture), net_pcap5 (an rx
 * offload the PMD lacks).
 */
#include "dataplane/ports/port.h"
#include "dataplane/rx.h"
#include "hwall_test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define FRAMES 10
#define VDEVS 6

static const char *dir;
static char pcap_path[64];
static uint32_t frame_len[FRAMES];
static struct rte_mempool *pool;
static struct dp_profile pcap_prof, afp_prof;
static struct dp_ports http;
static char devstr[VDEVS][128];

/* Ethernet / IPv4 / TCP frames from port 80 with PRNG payloads. */
static int write_capture(void)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = p ? pcap_dump_open(p, pcap_path) : NULL;
	uint64_t seed = 7;

	if (!d) {
		if (p)
			pcap_close(p);
		return -1;
	}
	for (int i = 0; i < FRAMES; i++) {
		uint8_t f[14 + 20 + 20 + 200] = { 0 };
		struct pcap_pkthdr h = { { 1700000000 + i, 0 }, 0, 0 };
		uint32_t plen = 50 + 15 * (uint32_t)i;

		f[12] = 0x08;                        /* IPv4 */
		f[14] = 0x45;
		f[16] = (uint8_t)((40 + plen) >> 8);
		f[17] = (uint8_t)(40 + plen);
		f[22] = 64;
		f[23] = 6;                           /* TCP */
		f[26] = 10, f[29] = 1, f[30] = 10, f[33] = 2;
		f[34] = 0, f[35] = 80;               /* sport 80 */
		f[36] = 0xc0, f[37] = (uint8_t)i;    /* dport */
		f[46] = 0x50, f[47] = 0x18;          /* doff 5, PSH|ACK */
		hwall_test_rand_bytes(&seed, f + 54, plen);
		frame_len[i] = 54 + plen;
		h.caplen = h.len = frame_len[i];
		pcap_dump((u_char *)d, &h, f);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

static int eal_start(void)
{
	char prefix[64], vdev[VDEVS][160];
	char *argv[9 + VDEVS] = { "test_port_start", "--no-huge", "--no-pci", "--no-shconf",
				  "--no-telemetry", "--log-level=error", "-l", "0", prefix };
	struct hwall_err err;
	int argc = 9;

	snprintf(prefix, sizeof(prefix), "--file-prefix=hwport-%d", (int)getpid());
	for (int i = 0; i < VDEVS; i++) {
		char dev[96];

		snprintf(dev, sizeof(dev), "net_pcap%d,rx_pcap=%s", i, pcap_path);
		if (dp_port_devstr(&pcap_prof, dev, 1, devstr[i], sizeof(devstr[i]), &err) < 0 ||
		    dp_port_eal_arg(&pcap_prof, devstr[i], vdev[i], sizeof(vdev[i])) < 0)
			return -1;
		argv[argc++] = vdev[i];
	}
	if (rte_eal_init(argc, argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("port_test", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	return pool ? 0 : -1;
}

static void test_unknown_device(void)
{
	struct hwall_err err = { { 0 } };
	uint16_t port = 999;

	CU_ASSERT_EQUAL(dp_port_start(&pcap_prof, "net_pcap9,rx_pcap=/x", 1, &http, pool, &port,
				      &err), -ENODEV);
	CU_ASSERT_STRING_EQUAL(err.msg, "net_pcap9: no such port (not probed by the EAL)");
	CU_ASSERT_EQUAL(port, 999);
}

static void test_wrong_driver(void)
{
	struct hwall_err err = { { 0 } };
	uint16_t port = 999;

	CU_ASSERT_EQUAL(dp_port_start(&afp_prof, devstr[0], 1, &http, pool, &port, &err), -ENODEV);
	CU_ASSERT_STRING_EQUAL(err.msg, "driver net_pcap, but profile virtual-af-packet is for "
				    "net_af_packet");
	CU_ASSERT_EQUAL(port, 999);
}

static void test_queue_counts(void)
{
	struct dp_profile wide = pcap_prof;
	struct hwall_err err = { { 0 } };
	uint16_t port = 999;

	CU_ASSERT_EQUAL(dp_port_start(&pcap_prof, devstr[1], 2, &http, pool, &port, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "2 rx queues (one per worker), profile virtual-pcap allows 1..1");
	wide.max_queues = 4; /* a profile promising more than the device has */
	CU_ASSERT_EQUAL(dp_port_start(&wide, devstr[2], 2, &http, pool, &port, &err),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "2 rx queues, the device gives at most 1");
	CU_ASSERT_EQUAL(port, 999);
}

/* net_pcap has no rte_flow support: the rule is named in the error, and
 * the port is left closed. */
static void test_flow_rule_refused(void)
{
	static const char text[] =
		"{\"name\": \"pcap-rules\", \"driver\": \"net_pcap\", \"bus\": \"vdev\","
		" \"max_queues\": 1, \"flow_rules\": ["
		" {\"pattern\": [{\"type\": \"eth\"}, {\"type\": \"ipv4\"},"
		"  {\"type\": \"tcp\", \"src_port\": \"http\"}], \"actions\": [{\"type\": \"rss\"}]}]}";
	struct hwall_err cerr;
	struct dp_profile p;
	struct hwall_err err = { { 0 } };
	uint16_t port = 999, found;

	CU_ASSERT_EQUAL_FATAL(dp_profile_parse(text, "pcap-rules.json", &p, &cerr), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_get_port_by_name("net_pcap3", &found), 0);
	CU_ASSERT_EQUAL(dp_port_start(&p, devstr[3], 1, &http, pool, &port, &err),
			-ENOSYS);
	CU_ASSERT_STRING_EQUAL(err.msg, "flow_rules[0] (http port 80): rte_flow_validate: "
				    "Function not implemented");
	CU_ASSERT_FALSE(rte_eth_dev_is_valid_port(found));
	CU_ASSERT_EQUAL(port, 999);
	dp_profile_free(&p);
}

static void test_offload_refused(void)
{
	struct dp_profile lro = pcap_prof;
	struct hwall_err err = { { 0 } };
	uint16_t port = 999;

	lro.rx_offloads = RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_TIMESTAMP;
	CU_ASSERT_EQUAL(dp_port_start(&lro, devstr[5], 1, &http, pool, &port, &err),
			-ENOTSUP);
	CU_ASSERT_STRING_EQUAL(err.msg, "rx_offloads: the device lacks TCP_LRO,TIMESTAMP");
	CU_ASSERT_EQUAL(port, 999);
}

static void test_start_receive_stop(void)
{
	struct rte_mbuf *m[FRAMES + 1];
	struct hwall_err err = { { 0 } };
	uint16_t port = 999, got = 0;
	int empty = 0;

	CU_ASSERT_EQUAL_FATAL(dp_port_start(&pcap_prof, devstr[4], 1, &http, pool, &port, &err), 0);
	CU_ASSERT_STRING_EQUAL(err.msg, "");
	while (got < FRAMES && empty++ < 100000) {
		uint16_t n = rte_eth_rx_burst(port, 0, m + got, (uint16_t)(FRAMES + 1 - got));
		got = (uint16_t)(got + n);
		empty = n ? 0 : empty;
	}
	CU_ASSERT_EQUAL(got, FRAMES);
	for (uint16_t i = 0; i < got; i++) {
		CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m[i]), frame_len[i]);
		rte_pktmbuf_free(m[i]);
	}
	dp_port_stop(port);
	CU_ASSERT_FALSE(rte_eth_dev_is_valid_port(port));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "unknown device", test_unknown_device },
		{ "wrong driver", test_wrong_driver },
		{ "queue counts", test_queue_counts },
		{ "flow rule refused", test_flow_rule_refused },
		{ "start, receive, stop", test_start_receive_stop },
		{ "offload refused", test_offload_refused },
		CU_TEST_INFO_NULL,
	};
	struct hwall_err err;
	int r = 1;

	dp_ports_clear(&http);
	dp_ports_add(&http, 80);
	dir = hwall_test_tmpdir("port");
	if (!dir)
		return 1;
	snprintf(pcap_path, sizeof(pcap_path), "%s/t.pcap", dir);
	if (dp_profile_load(HW_PROFILE_DIR "/virtual-pcap.json", &pcap_prof, &err) < 0 ||
	    dp_profile_load(HW_PROFILE_DIR "/virtual-af-packet.json", &afp_prof, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		goto out_free_profiles;
	}
	if (write_capture() < 0 || eal_start() < 0) {
		fprintf(stderr, "cannot set up the capture or the EAL\n");
		goto out_free_profiles;
	}
	r = hwall_test_main("dataplane/port_start", tests);
	rte_mempool_free(pool);
	dp_rx_eal_cleanup();
out_free_profiles:
	dp_profile_free(&pcap_prof);
	dp_profile_free(&afp_prof);
	return r;
}
