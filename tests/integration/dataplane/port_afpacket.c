/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * port_afpacket.c - a live net_af_packet port started from
 * hw/virtual-af-packet.json with two rx queues, inside a network namespace
 * that port_afpacket.sh created (veth IFACE with peer PEER).  Synthetic
 * TCP frames of 64 IPv4 and 64 IPv6 connections, both directions, are
 * injected on the peer; the test checks that every frame arrives, that
 * both directions of each connection arrive on the same queue (the
 * kernel's PACKET_FANOUT_HASH is symmetric, which the profile relies on
 * instead of RSS), and that both queues get connections.  A second port
 * on PEER, started from a profile with an RSS section, is refused: the
 * af_packet PMD has no RSS.
 *
 * usage: port_afpacket HW_PROFILE_DIR IFACE PEER
 */
#include "dataplane/ports/port.h"
#include "dataplane/rx.h"
#include "hwall_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define CONNS 64          /* per family */
#define QUEUES 2
#define FRAMES (2 * 2 * CONNS)

static const char *prof_dir, *iface, *peer;
static struct dp_profile prof;
static struct rte_mempool *pool;
static uint16_t port;
/* queue each (family, connection, direction) arrived on; -1: not seen */
static int seen[2][CONNS][2];
static unsigned int received, foreign;
static bool eal_up, port_up;

/* Ethernet + IPv4/IPv6 + TCP between client conn:(40000+conn) and the
 * server on port 80; @to_server picks the direction.  Returns the length. */
static size_t frame(uint8_t *f, int v6, int conn, int to_server)
{
	size_t l3 = 14, l4 = v6 ? 54 : 34;
	uint16_t cport = (uint16_t)(40000 + conn), sport = 80;
	uint8_t cli[16] = { 0 }, srv[16] = { 0 };
	size_t alen = v6 ? 16 : 4;

	memset(f, 0, 128);
	memset(f, 0x02, 12);
	f[12] = v6 ? 0x86 : 0x08, f[13] = v6 ? 0xdd : 0x00;
	cli[0] = v6 ? 0xfd : 10, cli[1] = 0x42, cli[alen - 2] = 1, cli[alen - 1] = (uint8_t)conn;
	srv[0] = v6 ? 0xfd : 10, srv[1] = 0x43, srv[alen - 1] = 1;
	if (v6) {
		f[l3] = 0x60;
		f[l3 + 5] = 20; /* payload length: the TCP header */
		f[l3 + 6] = 6;
		f[l3 + 7] = 64;
	} else {
		f[l3] = 0x45;
		f[l3 + 3] = 40;
		f[l3 + 8] = 64;
		f[l3 + 9] = 6;
	}
	memcpy(f + l3 + (v6 ? 8 : 12), to_server ? cli : srv, alen);
	memcpy(f + l3 + (v6 ? 24 : 16), to_server ? srv : cli, alen);
	f[l4] = (uint8_t)((to_server ? cport : sport) >> 8), f[l4 + 1] = (uint8_t)(to_server ? cport : sport);
	f[l4 + 2] = (uint8_t)((to_server ? sport : cport) >> 8), f[l4 + 3] = (uint8_t)(to_server ? sport : cport);
	f[l4 + 12] = 0x50, f[l4 + 13] = 0x10; /* ACK */
	return l4 + 20;
}

static int inject(void)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0)
		return -1;
	sll.sll_ifindex = (int)if_nametoindex(peer);
	for (int v6 = 0; v6 < 2; v6++)
		for (int c = 0; c < CONNS; c++)
			for (int d = 0; d < 2; d++) {
				uint8_t f[128];
				size_t len = frame(f, v6, c, d);
				if (sendto(fd, f, len, 0, (struct sockaddr *)&sll, sizeof(sll)) !=
				    (ssize_t)len) {
					close(fd);
					return -1;
				}
			}
	close(fd);
	return 0;
}

/* Which injected frame @m is: sets seen[][][] to @q, or counts it foreign. */
static void classify(const struct rte_mbuf *m, int q)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	int v6 = f[12] == 0x86 && f[13] == 0xdd;
	size_t l4 = v6 ? 54 : 34;
	uint16_t sp, dp;
	int c, d;

	sp = (uint16_t)(f[l4] << 8 | f[l4 + 1]);
	dp = (uint16_t)(f[l4 + 2] << 8 | f[l4 + 3]);
	d = dp == 80;
	c = (d ? sp : dp) - 40000;
	if (m->data_len < l4 + 20 || (sp != 80 && dp != 80) || c < 0 || c >= CONNS ||
	    seen[v6][c][d] != -1) {
		foreign++;
		return;
	}
	seen[v6][c][d] = q;
	received++;
}

static void drain(void)
{
	struct rte_mbuf *m[32];
	unsigned int idle = 0;

	while (received < FRAMES && idle < 2000) {
		unsigned int got = 0;
		for (int q = 0; q < QUEUES; q++) {
			uint16_t n = rte_eth_rx_burst(port, (uint16_t)q, m, 32);
			for (uint16_t i = 0; i < n; i++) {
				classify(m[i], q);
				rte_pktmbuf_free(m[i]);
			}
			got += n;
		}
		idle = got ? 0 : idle + 1;
		if (!got)
			usleep(1000);
	}
}

static void test_rss_refused(void)
{
	static const char text[] =
		"{\"name\": \"afp-rss\", \"driver\": \"net_af_packet\", \"bus\": \"vdev\","
		" \"devargs\": \"qpairs={queues}\", \"max_queues\": 4, \"rss\": {\"key\": \""
		"6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a\","
		" \"types\": [\"ipv4-tcp\"]}}";
	struct hwall_err cerr;
	struct dp_profile p;
	struct dp_ports http;
	struct hwall_err err = { { 0 } };
	uint16_t other = 999;

	dp_ports_clear(&http);
	CU_ASSERT_EQUAL_FATAL(dp_profile_parse(text, "afp-rss.json", &p, &cerr), 0);
	CU_ASSERT_EQUAL(dp_port_start(&p, "net_af_packet1", QUEUES, &http, pool, &other, &err), -ENOTSUP);
	CU_ASSERT_STRING_EQUAL(err.msg, "rss: the device cannot do RSS; drop \"rss\" from profile "
				    "afp-rss");
	CU_ASSERT_EQUAL(other, 999);
	dp_profile_free(&p);
}

static void test_port_is_up(void)
{
	struct rte_eth_dev_info info;

	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_info_get(port, &info), 0);
	CU_ASSERT_STRING_EQUAL(info.driver_name, "net_af_packet");
	CU_ASSERT_EQUAL(info.max_rx_queues, QUEUES);
}

static void test_both_directions_same_queue(void)
{
	unsigned int per_queue[QUEUES] = { 0 }, split = 0;

	CU_ASSERT_EQUAL_FATAL(inject(), 0);
	drain();
	CU_ASSERT_EQUAL(received, FRAMES);
	for (int v6 = 0; v6 < 2; v6++)
		for (int c = 0; c < CONNS; c++) {
			split += seen[v6][c][0] != seen[v6][c][1];
			per_queue[seen[v6][c][0] == 1]++;
		}
	CU_ASSERT_EQUAL(split, 0);
	/* 128 connections all on one queue: probability 2^-127 */
	CU_ASSERT_TRUE(per_queue[0] > 0);
	CU_ASSERT_TRUE(per_queue[1] > 0);
	printf("\n  queue 0: %u connections, queue 1: %u, other frames: %u\n", per_queue[0],
	       per_queue[1], foreign);
}

static int setup(void)
{
	char path[PATH_MAX], dev[64], devstr[128], vdev[160], prefix[64], vdev1[160];
	char *argv[] = { "port_afpacket", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
			 "--log-level=error", "-l", "0", "-m", "256", prefix, vdev, vdev1, NULL };
	struct hwall_err cerr;
	struct dp_ports http;
	struct hwall_err err = { { 0 } };

	snprintf(path, sizeof(path), "%s/virtual-af-packet.json", prof_dir);
	snprintf(dev, sizeof(dev), "net_af_packet0,iface=%s", iface);
	snprintf(prefix, sizeof(prefix), "--file-prefix=hwafp-%d", (int)getpid());
	snprintf(vdev1, sizeof(vdev1), "--vdev=net_af_packet1,iface=%s,qpairs=%d", peer, QUEUES);
	if (dp_profile_load(path, &prof, &cerr) < 0 ||
	    dp_port_devstr(&prof, dev, QUEUES, devstr, sizeof(devstr), &cerr) < 0 ||
	    dp_port_eal_arg(&prof, devstr, vdev, sizeof(vdev)) < 0) {
		fprintf(stderr, "%s\n", cerr.msg);
		return -1;
	}
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	eal_up = true;
	pool = rte_pktmbuf_pool_create("afp", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	dp_ports_clear(&http);
	dp_ports_add(&http, 80);
	if (!pool || dp_port_start(&prof, devstr, QUEUES, &http, pool, &port, &err) < 0) {
		fprintf(stderr, "port: %s\n", pool ? err.msg : "no mbuf pool");
		return -1;
	}
	port_up = true;
	return 0;
}

int main(int argc, char **argv)
{
	CU_TestInfo tests[] = {
		{ "rss refused", test_rss_refused },
		{ "port is up", test_port_is_up },
		{ "both directions on the same queue", test_both_directions_same_queue },
		CU_TEST_INFO_NULL,
	};
	int r = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: port_afpacket HW_PROFILE_DIR IFACE PEER\n");
		return 2;
	}
	prof_dir = argv[1], iface = argv[2], peer = argv[3];
	memset(seen, 0xff, sizeof(seen));
	if (setup() == 0)
		r = hwall_test_main("dataplane/port_afpacket", tests);
	if (port_up)
		dp_port_stop(port);
	if (eal_up) {
		rte_mempool_free(pool);
		dp_rx_eal_cleanup();
	}
	dp_profile_free(&prof);
	return r;
}
