/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/reasm.c with crafted segments in real mbufs. */
#include "dataplane/reasm.h"
#include "dp_test.h"
#include "hwall_test.h"

/* What the consumer saw. */
struct got {
	uint8_t buf[65536];
	uint32_t len;
	uint32_t first_seq;
	uint32_t gaps, gap_bytes, fins, conflicts;
	bool sync_answer;
	bool fail;
};

static struct got got;
static struct dp_counters ctr;
static struct dp_reasm r;

static int c_data(void *ctx, uint32_t seq, uint32_t ack, const uint8_t *p, uint32_t len)
{
	(void)ctx;
	(void)ack;
	if (got.len == 0)
		got.first_seq = seq;
	memcpy(got.buf + got.len, p, len);
	got.len += len;
	return got.fail ? -1 : 0;
}

static int c_gap(void *ctx, uint32_t len)
{
	(void)ctx;
	got.gaps++;
	got.gap_bytes += len;
	return 0;
}

static void c_fin(void *ctx)
{
	(void)ctx;
	got.fins++;
}

static void c_conflict(void *ctx)
{
	(void)ctx;
	got.conflicts++;
}

static bool c_sync(void *ctx, const uint8_t *p, uint32_t len, uint32_t ack)
{
	(void)ctx;
	(void)ack;
	return got.sync_answer && len >= 4 && memcmp(p, "HTTP", 4) == 0;
}

static const struct dp_reasm_ops ops = { c_data, c_gap, c_fin, c_conflict, c_sync };

static void reset(uint32_t dir_cap)
{
	memset(&got, 0, sizeof(got));
	memset(&ctr, 0, sizeof(ctr));
	CU_ASSERT_EQUAL_FATAL(dp_reasm_init(&r, 64, dir_cap, 1 << 20, &ctr), 0);
}

/* Feed one server-to-client segment at offset @rel of stream @c. */
static int feed(struct dp_reasm_dir *d, const struct dp_test_conn *c, int64_t rel, uint8_t flags,
		const char *payload, size_t len)
{
	struct rte_mbuf *m = dp_test_seg(c, false, rel, flags, payload, len);
	struct dp_pkt pkt;
	struct dp_seg_in s;
	struct dp_ports ports;
	int ret;

	dp_ports_clear(&ports);
	dp_ports_add(&ports, 80);
	CU_ASSERT_EQUAL(dp_parse(rte_pktmbuf_mtod(m, uint8_t *), m->data_len, m->pkt_len, &ports, &pkt),
			DP_DROP_COUNT);
	s = (struct dp_seg_in){ m, pkt.seq, pkt.ack, pkt.payload_off, pkt.payload_len, pkt.flags };
	ret = dp_reasm_segment(&r, d, &s, &ops, NULL);
	rte_pktmbuf_free(m); /* held segments keep their own reference */
	return ret;
}

static void finish(struct dp_reasm_dir *d)
{
	dp_reasm_release(&r, d);
	CU_ASSERT_EQUAL(r.held_total, 0);
	dp_reasm_fini(&r);
	/* Every mbuf went back: the pool is full again. */
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp_test_pool), 8191);
}

static void test_in_order_syn_fin(void)
{
	struct dp_reasm_dir d = { 0 };
	struct dp_test_conn c;

	reset(4096);
	dp_test_conn_init(&c, 4, 100, 5000);
	CU_ASSERT_EQUAL(feed(&d, &c, -1, DP_TCP_SYN, "", 0), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 0, 0, "hello ", 6), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 6, DP_TCP_FIN, "world", 5), 0);
	CU_ASSERT_EQUAL(got.len, 11);
	CU_ASSERT_EQUAL(memcmp(got.buf, "hello world", 11), 0);
	CU_ASSERT_EQUAL(got.first_seq, 5000);
	CU_ASSERT_EQUAL(got.fins, 1);
	CU_ASSERT_EQUAL(d.state, DP_REASM_CLOSED);
	CU_ASSERT_EQUAL(feed(&d, &c, 11, 0, "late", 4), 0);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_seg_after_fin], 1);
	finish(&d);
}

static void test_out_of_order_and_retransmit(void)
{
	struct dp_reasm_dir d = { 0 };
	struct dp_test_conn c;

	reset(4096);
	dp_test_conn_init(&c, 4, 100, 0xfffffff0u); /* wraps inside the stream */
	CU_ASSERT_EQUAL(feed(&d, &c, -1, DP_TCP_SYN, "", 0), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 20, DP_TCP_FIN, "UVWXYZ", 6), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 10, 0, "KLMNOPQRST", 10), 0);
	CU_ASSERT_EQUAL(got.len, 0);
	CU_ASSERT_EQUAL(d.held_bytes, 16);
	CU_ASSERT_EQUAL(feed(&d, &c, 0, 0, "ABCDEFGHIJ", 10), 0);
	CU_ASSERT_EQUAL(got.len, 26);
	CU_ASSERT_EQUAL(memcmp(got.buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 26), 0);
	CU_ASSERT_EQUAL(got.fins, 1);
	CU_ASSERT_EQUAL(d.held_bytes, 0);
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_seg_out_of_order], 2);
	/* Old bytes again: never delivered twice. */
	CU_ASSERT_EQUAL(feed(&d, &c, 0, 0, "ABCDEFGHIJ", 10), 0);
	CU_ASSERT_EQUAL(got.len, 26);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_seg_duplicate], 1);
	finish(&d);
}

static void test_partial_overlap_trimmed(void)
{
	struct dp_reasm_dir d = { 0 };
	struct dp_test_conn c;

	reset(4096);
	dp_test_conn_init(&c, 6, 100, 1000);
	CU_ASSERT_EQUAL(feed(&d, &c, -1, DP_TCP_SYN, "", 0), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 0, 0, "abcdef", 6), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 3, 0, "defghi", 6), 0);
	CU_ASSERT_EQUAL(got.len, 9);
	CU_ASSERT_EQUAL(memcmp(got.buf, "abcdefghi", 9), 0);
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_seg_retransmit_bytes], 3);
	finish(&d);
}

static void test_overlap_conflict(void)
{
	struct dp_reasm_dir d = { 0 };
	struct dp_test_conn c;

	reset(4096);
	dp_test_conn_init(&c, 4, 100, 1000);
	CU_ASSERT_EQUAL(feed(&d, &c, -1, DP_TCP_SYN, "", 0), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 4, 0, "4567", 4), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 4, 0, "4567", 4), 0); /* same bytes: a duplicate */
	CU_ASSERT_EQUAL(got.conflicts, 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 2, 0, "23X5", 4), 0);  /* different bytes: conflict */
	CU_ASSERT_EQUAL(got.conflicts, 1);
	CU_ASSERT_EQUAL(feed(&d, &c, 0, 0, "01", 2), 0);
	CU_ASSERT_EQUAL(got.len, 8);
	CU_ASSERT_EQUAL(memcmp(got.buf, "0123X567", 8), 0); /* first received wins per byte range */
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_seg_overlap_conflict], 1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_seg_duplicate], 1);
	finish(&d);
}

static void test_cap_skips_gap(void)
{
	struct dp_reasm_dir d = { 0 };
	struct dp_test_conn c;

	reset(8);
	dp_test_conn_init(&c, 4, 100, 1000);
	CU_ASSERT_EQUAL(feed(&d, &c, -1, DP_TCP_SYN, "", 0), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 0, 0, "ab", 2), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 5, 0, "fghij", 5), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 10, 0, "klmno", 5), 0); /* 10 held > 8: skip the hole */
	CU_ASSERT_EQUAL(got.gaps, 1);
	CU_ASSERT_EQUAL(got.gap_bytes, 3);
	CU_ASSERT_EQUAL(got.len, 12);
	CU_ASSERT_EQUAL(memcmp(got.buf, "abfghijklmno", 12), 0);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_reasm_gap], 1);
	CU_ASSERT_EQUAL(d.held_bytes, 0);
	finish(&d);
}

/* A hole the receiver acknowledged past was lost by the capture: given up
 * at once, not after the cap; an ACK short of the held bytes, or far
 * outside the window, proves nothing. */
static void test_acked_gap(void)
{
	struct dp_reasm_dir d = { 0 };
	struct dp_test_conn c;

	reset(4096);
	dp_test_conn_init(&c, 4, 100, 1000);
	CU_ASSERT_EQUAL(feed(&d, &c, -1, DP_TCP_SYN, "", 0), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 0, 0, "ab", 2), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 5, 0, "fghij", 5), 0);
	CU_ASSERT_EQUAL(dp_reasm_ack(&r, &d, 1004, &ops, NULL), 0);
	CU_ASSERT_EQUAL(dp_reasm_ack(&r, &d, 1000 + (1u << 31), &ops, NULL), 0);
	CU_ASSERT_EQUAL(got.gaps, 0);
	CU_ASSERT_EQUAL(d.held_bytes, 5);
	CU_ASSERT_EQUAL(dp_reasm_ack(&r, &d, 1005, &ops, NULL), 0);
	CU_ASSERT_EQUAL(got.gaps, 1);
	CU_ASSERT_EQUAL(got.gap_bytes, 3);
	CU_ASSERT_EQUAL(got.len, 7);
	CU_ASSERT_EQUAL(memcmp(got.buf, "abfghij", 7), 0);
	/* The ACK came first this time: the held segment shows the hole. */
	CU_ASSERT_EQUAL(dp_reasm_ack(&r, &d, 1020, &ops, NULL), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 15, 0, "pq", 2), 0);
	CU_ASSERT_EQUAL(got.gaps, 2);
	CU_ASSERT_EQUAL(got.gap_bytes, 8);
	/* A hole before the FIN, and the FIN acknowledged: closed. */
	CU_ASSERT_EQUAL(feed(&d, &c, 25, DP_TCP_FIN, "", 0), 0);
	CU_ASSERT_EQUAL(d.state, DP_REASM_FIN_SEEN);
	CU_ASSERT_EQUAL(dp_reasm_ack(&r, &d, 1026, &ops, NULL), 0);
	CU_ASSERT_EQUAL(got.gaps, 3);
	CU_ASSERT_EQUAL(got.fins, 1);
	CU_ASSERT_EQUAL(d.state, DP_REASM_CLOSED);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_reasm_gap_acked], 3);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_reasm_gap], 0);
	finish(&d);
}

static void test_midstream_sync(void)
{
	struct dp_reasm_dir d = { 0 };
	struct dp_test_conn c;

	reset(4096);
	dp_test_conn_init(&c, 4, 100, 77777);
	CU_ASSERT_EQUAL(feed(&d, &c, 0, 0, "tail of a body", 14), 0);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_seg_unsynced], 1);
	got.sync_answer = true;
	CU_ASSERT_EQUAL(feed(&d, &c, 14, 0, "HTTP/1.1", 8), 0);
	CU_ASSERT_TRUE(d.midstream);
	CU_ASSERT_EQUAL(got.first_seq, 77777 + 14);
	CU_ASSERT_EQUAL(feed(&d, &c, 22, 0, " 200", 4), 0);
	CU_ASSERT_EQUAL(got.len, 12);
	finish(&d);
}

static void test_consumer_gives_up(void)
{
	struct dp_reasm_dir d = { 0 };
	struct dp_test_conn c;

	reset(4096);
	dp_test_conn_init(&c, 4, 100, 1000);
	CU_ASSERT_EQUAL(feed(&d, &c, -1, DP_TCP_SYN, "", 0), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 3, 0, "def", 3), 0);
	got.fail = true;
	CU_ASSERT_EQUAL(feed(&d, &c, 0, 0, "abc", 3), -1);
	finish(&d);
}

/* A held segment in a chain of mbufs keeps every segment alive (a bug once:
 * only the first segment's reference was taken). */
static void test_held_chain_survives(void)
{
	static char big[5000];
	struct dp_reasm_dir d = { 0 };
	struct dp_test_conn c;
	struct rte_mbuf *scratch[16];
	uint64_t seed = 5;

	reset(1 << 16);
	hwall_test_rand_bytes(&seed, big, sizeof(big));
	dp_test_conn_init(&c, 4, 100, 1000);
	CU_ASSERT_EQUAL(feed(&d, &c, -1, DP_TCP_SYN, "", 0), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, 10, 0, big + 10, sizeof(big) - 10), 0);
	/* Reuse whatever mbufs went back to the pool, overwriting them. */
	CU_ASSERT_EQUAL(rte_pktmbuf_alloc_bulk(dp_test_pool, scratch, 16), 0);
	for (int i = 0; i < 16; i++)
		memset(rte_pktmbuf_mtod(scratch[i], void *), 0x55, 2048);
	rte_pktmbuf_free_bulk(scratch, 16);
	CU_ASSERT_EQUAL(feed(&d, &c, 0, 0, big, 10), 0);
	CU_ASSERT_EQUAL(got.len, sizeof(big));
	CU_ASSERT_EQUAL(memcmp(got.buf, big, sizeof(big)), 0);
	finish(&d);
}

static void test_out_of_window(void)
{
	struct dp_reasm_dir d = { 0 };
	struct dp_test_conn c;

	reset(4096);
	dp_test_conn_init(&c, 4, 100, 1000);
	CU_ASSERT_EQUAL(feed(&d, &c, -1, DP_TCP_SYN, "", 0), 0);
	CU_ASSERT_EQUAL(feed(&d, &c, (int64_t)1 << 31, 0, "far", 3), 0);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_seg_duplicate] + ctr.drop[DP_DROP_seg_out_of_window], 1);
	CU_ASSERT_EQUAL(feed(&d, &c, ((int64_t)1 << 30) + 5, 0, "far", 3), 0);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_seg_out_of_window], 1);
	CU_ASSERT_EQUAL(d.held_bytes, 0);
	finish(&d);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "in_order_syn_fin", test_in_order_syn_fin },
		{ "out_of_order_and_retransmit", test_out_of_order_and_retransmit },
		{ "partial_overlap_trimmed", test_partial_overlap_trimmed },
		{ "overlap_conflict", test_overlap_conflict },
		{ "cap_skips_gap", test_cap_skips_gap },
		{ "acked_gap", test_acked_gap },
		{ "midstream_sync", test_midstream_sync },
		{ "consumer_gives_up", test_consumer_gives_up },
		{ "held_chain_survives", test_held_chain_survives },
		{ "out_of_window", test_out_of_window },
		CU_TEST_INFO_NULL,
	};
	int rc;

	if (dp_test_eal() < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	rc = hwall_test_main("dataplane/reasm", tests);
	dp_test_eal_done();
	return rc;
}
