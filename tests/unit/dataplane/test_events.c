/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/events.c: JSON lines, escaping, stats. */
#include "dataplane/events.h"
#include "hwall_test.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static struct dp_txn txn = { .method = "GET", .host = "h\"x\\.example", .path = "/a b\x01\xff" };
static struct dp_obj obj = { .txn = &txn, .size = 42, .status = 206, .partial = true,
			     .outcome = DP_DROP_COUNT,
			     .digests = { .mask = (1u << HWALL_ALGO_XXH3_128) | (1u << HWALL_ALGO_SHA1) } };

static struct dp_event_obj event(void)
{
	struct dp_event_obj e = { .family = 4, .server_port = 8080, .obj = &obj };

	e.server[10] = e.server[11] = 0xff;
	e.server[12] = 192;
	e.server[15] = 7;
	strcpy(e.client, "00112233445566778899aabbccddeeff");
	memset(obj.digests.bytes[HWALL_ALGO_XXH3_128], 0xab, 16);
	memset(obj.digests.bytes[HWALL_ALGO_SHA1], 0x01, 20);
	return e;
}

static void test_object_event(void)
{
	struct dp_event_obj e = event();
	char buf[DP_EVENT_MAX];
	size_t len = dp_event_format(buf, sizeof(buf), &e, NULL);
	cJSON *j;

	CU_ASSERT_TRUE_FATAL(len > 0);
	CU_ASSERT_EQUAL(buf[len - 1], '\n');
	CU_ASSERT_EQUAL(strlen(buf), len);
	j = cJSON_Parse(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "event")->valuestring, "object");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "server_ip")->valuestring, "192.0.0.7");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "server_port")->valueint, 8080);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "host")->valuestring, "h\"x\\.example");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "path")->valuestring, "/a b%01%FF");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "status")->valueint, 206);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "size")->valueint, 42);
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(j, "complete")));
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(j, "partial")));
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "digests"), "xxh3-128")->valuestring,
			       "abababababababababababababababab");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "digests"), "sha1")->valuestring,
			       "0101010101010101010101010101010101010101");
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "digests"), "md5"));
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(j, "set"));
	cJSON_Delete(j);
}

static void test_match_event_and_ipv6(void)
{
	struct dp_event_obj e = event();
	struct dp_set_ref set = { .info = { .id = "hotline-a", .version = 12 } };
	struct dp_match m = { .set = &set, .algo = HWALL_ALGO_SHA1, .category = 2, .ref = 4242 };
	char buf[DP_EVENT_MAX];
	cJSON *j;

	memset(e.server, 0, 16);
	e.server[0] = 0x20;
	e.server[1] = 0x01;
	e.server[15] = 9;
	e.family = 6;
	obj.outcome = DP_DROP_obj_incomplete;
	CU_ASSERT_TRUE_FATAL(dp_event_format(buf, sizeof(buf), &e, &m) > 0);
	obj.outcome = DP_DROP_COUNT;
	j = cJSON_Parse(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "event")->valuestring, "match");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "server_ip")->valuestring, "2001::9");
	CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(j, "complete")));
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "outcome")->valuestring, "obj_incomplete");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "set")->valuestring, "hotline-a");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "set_version")->valueint, 12);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "algo")->valuestring, "sha1");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "digest")->valuestring,
			       "0101010101010101010101010101010101010101");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "category")->valueint, 2);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "ref")->valueint, 4242);
	cJSON_Delete(j);
}

/* A cut host or path says so; an uncut one says nothing (the line stays
 * as it was). */
static void test_truncated_flags(void)
{
	struct dp_event_obj e = event();
	char buf[DP_EVENT_MAX];
	cJSON *j;

	CU_ASSERT_TRUE_FATAL(dp_event_format(buf, sizeof(buf), &e, NULL) > 0);
	CU_ASSERT_PTR_NULL(strstr(buf, "_truncated"));
	txn.host_truncated = true;
	CU_ASSERT_TRUE_FATAL(dp_event_format(buf, sizeof(buf), &e, NULL) > 0);
	txn.host_truncated = false;
	j = cJSON_Parse(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(j, "host_truncated")));
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(j, "path_truncated"));
	cJSON_Delete(j);
	txn.path_truncated = true;
	CU_ASSERT_TRUE_FATAL(dp_event_format(buf, sizeof(buf), &e, NULL) > 0);
	txn.path_truncated = false;
	j = cJSON_Parse(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(j, "path_truncated")));
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(j, "host_truncated"));
	cJSON_Delete(j);
}

/* The event's path is the target's canonical form (common/url_canon.h),
 * the one URL blocks are keyed on: every spelling of a URL that a server
 * maps to one object is one path. */
static void test_path_canonical(void)
{
	static const struct {
		const char *target, *path;
	} cases[] = {
		{ "/%C3%A9.bin", "/%C3%A9.bin" },
		{ "/%c3%a9.bin", "/%C3%A9.bin" },
		{ "/\xc3\xa9.bin", "/%C3%A9.bin" },
		{ "/%41%2Fb?q=%7e", "/A/b?q=~" },
		{ "/100%", "/100%25" },
		{ "/a%3fb?c", "/a%3Fb?c" },
	};
	struct dp_event_obj e = event();
	struct dp_txn saved = txn;
	char buf[DP_EVENT_MAX];
	cJSON *j;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(txn.path, sizeof(txn.path), "%s", cases[i].target);
		CU_ASSERT_TRUE_FATAL(dp_event_format(buf, sizeof(buf), &e, NULL) > 0);
		j = cJSON_Parse(buf);
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "path")->valuestring, cases[i].path);
		cJSON_Delete(j);
	}
	txn = saved;
}

static void test_too_small_buffer(void)
{
	struct dp_event_obj e = event();
	char buf[64];

	CU_ASSERT_EQUAL(dp_event_format(buf, sizeof(buf), &e, NULL), 0);
}

static void test_stats_has_every_counter(void)
{
	struct dp_counters c = { .packets = 10, .bytes = 1000, .body_bytes = 125000000 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cJSON *j;

	c.drop[DP_DROP_pkt_ip_fragment] = 3;
	c.info[DP_INFO_matches] = 2;
	dp_event_stats(f, &c, 0.5);
	fclose(f);
	CU_ASSERT_EQUAL(text[len - 1], '\n');
	j = cJSON_Parse(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(j), 1 + DP_DROP_COUNT + DP_INFO_COUNT + DP_PDQ_COUNT + 5);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "pkt_ip_fragment")->valueint, 3);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "matches")->valueint, 2);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "obj_abandoned_rst")->valueint, 0);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "packets")->valueint, 10);
	CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(j, "gbps")->valuedouble, 2.0, 0.001);
	CU_ASSERT_STRING_EQUAL(dp_drop_name(DP_DROP_pkt_truncated), "pkt_truncated");
	CU_ASSERT_STRING_EQUAL(dp_info_name(DP_INFO_matches), "matches");
	CU_ASSERT_STRING_EQUAL(dp_drop_name(DP_DROP_COUNT), "?");
	cJSON_Delete(j);
	free(text);
}

static double num(const cJSON *j, const char *key)
{
	return cJSON_GetObjectItem(j, key)->valuedouble;
}

/* 2 workers spent 5e9 TSC ticks at 2.5 GHz (2 s of core time) on 1e6
 * packets with 1 GB of body: 5000 cycles per packet, 4 Gbit/s per core
 * (8 Gbit/s of wall throughput in the 1 s the run took). */
static void test_stats_with_worker_time(void)
{
	struct dp_counters c = { .packets = 1000000, .bytes = 1100000000, .body_bytes = 1000000000 };
	struct dp_cpu_use cpu = { .workers = 2, .tsc_cycles = 5000000000ull, .tsc_hz = 2500000000ull,
				  .cpu_seconds = 1.5 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cJSON *j;

	dp_event_stats_cpu(f, &c, 1.0, &cpu);
	fclose(f);
	CU_ASSERT_EQUAL(text[len - 1], '\n');
	j = cJSON_Parse(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(j), 1 + DP_DROP_COUNT + DP_INFO_COUNT + DP_PDQ_COUNT + 5 + 7);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "gbps"), 8.0, 0.001);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "workers"), 2, 0);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "worker_cycles"), 5e9, 0);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "tsc_hz"), 2.5e9, 0);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "worker_seconds"), 2.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "worker_cpu_seconds"), 1.5, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "cycles_per_packet"), 5000.0, 0.05);
	CU_ASSERT_DOUBLE_EQUAL(num(j, "gbps_per_core"), 4.0, 0.001);
	cJSON_Delete(j);
	free(text);
}

static void test_counters_add(void)
{
	struct dp_counters a = { .packets = 1, .body_bytes = 5 }, b = { .packets = 2, .bytes = 7 };

	a.drop[DP_DROP_seg_duplicate] = 3;
	b.drop[DP_DROP_seg_duplicate] = 4;
	b.info[DP_INFO_objects] = 9;
	dp_counters_add(&a, &b);
	CU_ASSERT_EQUAL(a.packets, 3);
	CU_ASSERT_EQUAL(a.bytes, 7);
	CU_ASSERT_EQUAL(a.body_bytes, 5);
	CU_ASSERT_EQUAL(a.drop[DP_DROP_seg_duplicate], 7);
	CU_ASSERT_EQUAL(a.info[DP_INFO_objects], 9);
	CU_ASSERT_EQUAL(b.packets, 2);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "object_event", test_object_event },
		{ "match_event_and_ipv6", test_match_event_and_ipv6 },
		{ "too_small_buffer", test_too_small_buffer },
		{ "host and path cut: flagged", test_truncated_flags },
		{ "path in its canonical form", test_path_canonical },
		{ "stats_has_every_counter", test_stats_has_every_counter },
		{ "stats_with_worker_time", test_stats_with_worker_time },
		{ "counters_add", test_counters_add },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("dataplane/events", tests);
}
