/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/flow.c: keys, LRU eviction, idle timeout. */
#include "dataplane/flow.h"
#include "hwall_test.h"

#include <string.h>

static struct dp_counters ctr;
static enum dp_flow_end removed_why[16];
static uint16_t removed_port[16];
static unsigned int nremoved;

static void on_remove(void *ctx, struct dp_flow *f, enum dp_flow_end why)
{
	CU_ASSERT_PTR_NULL(ctx);
	removed_why[nremoved] = why;
	removed_port[nremoved++] = f->key.client_port;
}

static struct dp_flow_key key(uint16_t client_port)
{
	struct dp_pkt pkt = { .sport = client_port, .dport = 80, .to_server = true };
	struct dp_flow_key k;

	pkt.src[15] = 1;
	pkt.dst[15] = 2;
	dp_flow_key_of(&pkt, &k);
	return k;
}

static void reset(struct dp_flow_table *t, uint32_t cap)
{
	memset(&ctr, 0, sizeof(ctr));
	nremoved = 0;
	CU_ASSERT_EQUAL_FATAL(dp_flow_table_init(t, cap, 1000, on_remove, NULL, &ctr), 0);
}

/* Bucket positions depend on a secret seed per table (a client cannot aim
 * its connections at one bucket); two tables do not share it (the chance
 * that they do by accident is 2^-64). */
static void test_tables_are_seeded_apart(void)
{
	struct dp_flow_table a, b;

	reset(&a, 64);
	reset(&b, 64);
	CU_ASSERT_NOT_EQUAL(a.seed, b.seed);
	dp_flow_table_fini(&a);
	dp_flow_table_fini(&b);
}

static void test_key_is_direction_free(void)
{
	struct dp_pkt c2s = { .sport = 40000, .dport = 80, .to_server = true };
	struct dp_pkt s2c = { .sport = 80, .dport = 40000, .to_server = false };
	struct dp_flow_key a, b;

	c2s.src[0] = s2c.dst[0] = 1;
	c2s.dst[0] = s2c.src[0] = 2;
	dp_flow_key_of(&c2s, &a);
	dp_flow_key_of(&s2c, &b);
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
	CU_ASSERT_EQUAL(a.server_port, 80);
	CU_ASSERT_EQUAL(a.server[0], 2);
	CU_ASSERT_EQUAL(a.client[0], 1);
	CU_ASSERT_TRUE(sizeof(struct dp_flow) <= 256);
}

static void test_add_lookup_remove(void)
{
	struct dp_flow_table t;
	struct dp_flow_key k1 = key(1), k2 = key(2);
	struct dp_flow *f1;

	reset(&t, 8);
	f1 = dp_flow_add(&t, &k1, 10);
	CU_ASSERT_PTR_EQUAL(dp_flow_lookup(&t, &k1), f1);
	CU_ASSERT_PTR_NULL(dp_flow_lookup(&t, &k2));
	dp_flow_add(&t, &k2, 11);
	CU_ASSERT_EQUAL(t.count, 2);
	dp_flow_remove(&t, f1, DP_FLOW_END_CLOSED);
	CU_ASSERT_PTR_NULL(dp_flow_lookup(&t, &k1));
	CU_ASSERT_PTR_NOT_NULL(dp_flow_lookup(&t, &k2));
	CU_ASSERT_EQUAL(nremoved, 1);
	CU_ASSERT_EQUAL(removed_why[0], DP_FLOW_END_CLOSED);
	dp_flow_flush(&t, DP_FLOW_END_FLUSH);
	CU_ASSERT_EQUAL(t.count, 0);
	CU_ASSERT_EQUAL(removed_why[1], DP_FLOW_END_FLUSH);
	dp_flow_table_fini(&t);
}

static void test_full_table_evicts_longest_idle(void)
{
	struct dp_flow_table t;
	struct dp_flow_key k[5];

	reset(&t, 4);
	for (uint16_t i = 0; i < 5; i++)
		k[i] = key((uint16_t)(i + 1));
	for (unsigned int i = 0; i < 4; i++)
		dp_flow_add(&t, &k[i], 100 + i);
	dp_flow_touch(&t, dp_flow_lookup(&t, &k[0]), 200); /* flow 1 is now the most recent */
	dp_flow_add(&t, &k[4], 201);
	CU_ASSERT_EQUAL(nremoved, 1);
	CU_ASSERT_EQUAL(removed_port[0], 2);
	CU_ASSERT_EQUAL(removed_why[0], DP_FLOW_END_EVICTED);
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_flows_evicted], 1);
	CU_ASSERT_PTR_NOT_NULL(dp_flow_lookup(&t, &k[0]));
	CU_ASSERT_PTR_NULL(dp_flow_lookup(&t, &k[1]));
	CU_ASSERT_EQUAL(t.count, 4);
	dp_flow_flush(&t, DP_FLOW_END_FLUSH);
	dp_flow_table_fini(&t);
}

static void test_idle_timeout(void)
{
	struct dp_flow_table t;
	struct dp_flow_key k1 = key(1), k2 = key(2);

	reset(&t, 4);
	dp_flow_add(&t, &k1, 0);
	dp_flow_add(&t, &k2, 500);
	CU_ASSERT_EQUAL(dp_flow_expire(&t, 1000, 10), 0); /* exactly the timeout: kept */
	CU_ASSERT_EQUAL(dp_flow_expire(&t, 1001, 10), 1);
	CU_ASSERT_EQUAL(removed_port[0], 1);
	CU_ASSERT_EQUAL(removed_why[0], DP_FLOW_END_TIMEOUT);
	CU_ASSERT_EQUAL(dp_flow_expire(&t, 5000, 10), 1);
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_flows_timed_out], 2);
	CU_ASSERT_EQUAL(t.count, 0);
	dp_flow_table_fini(&t);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "key_is_direction_free", test_key_is_direction_free },
		{ "tables_are_seeded_apart", test_tables_are_seeded_apart },
		{ "add_lookup_remove", test_add_lookup_remove },
		{ "full_table_evicts_longest_idle", test_full_table_evicts_longest_idle },
		{ "idle_timeout", test_idle_timeout },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("dataplane/flow", tests);
}
