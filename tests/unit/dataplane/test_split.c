/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for dp_capture_split() (rx.c): spreading a capture over
 * workers the way symmetric RSS would.
 */
#include "dataplane/rx.h"
#include "dp_test.h"
#include "hwall_test.h"

#include <stdlib.h>
#include <string.h>

#define CONNS 32
#define PER_CONN 4 /* client, server, client, server */
#define TOTAL (CONNS * PER_CONN + 1)

static struct rte_mbuf *pkts[TOTAL];
static uint64_t ts[TOTAL];
static struct dp_capture cap = { .pkts = pkts, .ts_ns = ts, .loaded = TOTAL, .count = TOTAL };
static struct dp_ports ports;

/* CONNS connections, interleaved round by round, both directions; packet
 * i has timestamp i; the last packet is not IP. */
static int make_capture(void)
{
	static const uint8_t junk[60] = { [12] = 0x88, [13] = 0xb5 };
	struct dp_test_conn c[CONNS];
	uint32_t i = 0;

	dp_ports_add(&ports, 80);
	for (int k = 0; k < CONNS; k++) {
		dp_test_conn_init(&c[k], k % 2 ? 6 : 4, 1000, 5000);
		c[k].f.sport = (uint16_t)(40000 + k);
		c[k].f.src[3] = (uint8_t)(1 + k / 4);
	}
	for (int round = 0; round < PER_CONN; round++)
		for (int k = 0; k < CONNS; k++, i++) {
			pkts[i] = dp_test_seg(&c[k], round % 2 == 0, 0, 0, "x", 1);
			ts[i] = i;
		}
	pkts[i] = dp_test_mbuf(junk, sizeof(junk));
	ts[i] = i;
	for (i = 0; i < TOTAL; i++)
		if (!pkts[i])
			return -1;
	return 0;
}

/* The connection of packet i (by construction) or CONNS for the junk. */
static int conn_of(uint64_t i)
{
	return i == TOTAL - 1 ? CONNS : (int)(i % CONNS);
}

static void check_split(unsigned int n)
{
	struct dp_capture parts[3];
	int owner[CONNS + 1];
	uint32_t total = 0;

	memset(owner, -1, sizeof(owner));
	CU_ASSERT_EQUAL_FATAL(dp_capture_split(&cap, &ports, n, parts), 0);
	for (unsigned int p = 0; p < n; p++) {
		CU_ASSERT(parts[p].loaded > 0); /* 32 connections: every worker gets some */
		total += parts[p].loaded;
		for (uint32_t j = 0; j < parts[p].loaded; j++) {
			int c = conn_of(parts[p].ts_ns[j]);

			CU_ASSERT_PTR_EQUAL(parts[p].pkts[j], pkts[parts[p].ts_ns[j]]);
			CU_ASSERT(j == 0 || parts[p].ts_ns[j] > parts[p].ts_ns[j - 1]); /* order kept */
			CU_ASSERT(owner[c] == -1 || owner[c] == (int)p); /* both directions, one worker */
			owner[c] = (int)p;
		}
	}
	CU_ASSERT_EQUAL(total, TOTAL);
	CU_ASSERT_EQUAL(owner[CONNS], 0); /* what does not parse goes to worker 0 */
	dp_capture_parts_free(parts, n);
	CU_ASSERT_PTR_NULL(parts[0].pkts);
}

static void test_split_two(void)
{
	check_split(2);
}

static void test_split_three(void)
{
	check_split(3);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "split_two", test_split_two },
		{ "split_three", test_split_three },
		CU_TEST_INFO_NULL,
	};
	int rc;

	if (dp_test_eal() < 0)
		return 2;
	rc = make_capture() < 0 ? 2 : hwall_test_main("dataplane/split", tests);
	for (int i = 0; i < TOTAL; i++)
		rte_pktmbuf_free(pkts[i]);
	dp_test_eal_done();
	return rc;
}
