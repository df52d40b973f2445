/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for dataplane/worker.c: whole connections through every stage,
 * including segmentation invariance (whole, 1-byte, reordered, duplicated:
 * same digest, same verdict).
 */
#include "dataplane/worker.h"
#include "dp_test.h"
#include "hwall_test.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#include <xxhash.h>

#define BODY_LEN 5000

enum delivery { WHOLE, ONE_BYTE, REORDERED, DUPLICATED, DELIVERY_COUNT };

static const char *dir;
static char set_path[64];
static uint8_t body[BODY_LEN];
static char response[BODY_LEN + 128];
static size_t response_len;
static struct dp_setlist *sets;
static struct hwall_pseudo_key key;
static char events[1 << 16];
static size_t events_len;
static unsigned int nevents, nmatches;
static struct dp_flow_key match_flow; /* the flow handed with the last match */

static void on_event(void *ctx, const char *line, size_t len, bool match,
		     const struct dp_flow_key *flow)
{
	(void)ctx;
	if (match) {
		nmatches++;
		match_flow = *flow;
	}
	memcpy(events + events_len, line, len);
	events_len += len;
	events[events_len] = '\0';
	nevents++;
}

/* The set holds the body's xxh3-128 digest. */
static int make_set(void)
{
	struct hws_builder *b = hws_builder_new("test-set", 5);
	struct hwall_err err;
	XXH128_canonical_t c;
	uint64_t seed = 11;
	int r;

	hwall_test_rand_bytes(&seed, body, sizeof(body));
	XXH128_canonicalFromHash(&c, XXH3_128bits(body, sizeof(body)));
	response_len = (size_t)snprintf(response, sizeof(response),
					"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
	memcpy(response + response_len, body, BODY_LEN);
	response_len += BODY_LEN;
	snprintf(set_path, sizeof(set_path), "%s/set.hws", dir);
	r = hws_builder_add(b, HWALL_ALGO_XXH3_128, c.digest, 1, 77);
	if (r == 0)
		r = hws_builder_write(b, set_path, NULL, &err);
	hws_builder_free(b);
	if (r == 0)
		r = dp_setlist_open((const char *[]){ set_path }, 1, &sets, &err);
	return r;
}

static void feed(struct dp_worker *w, struct rte_mbuf *m, uint64_t now)
{
	dp_worker_packet(w, m, now);
	rte_pktmbuf_free(m);
}

static void start(struct dp_worker *w, struct dp_worker_conf *conf, struct dp_test_conn *c,
		  uint32_t sisn)
{
	static const char req[] = "GET /obj HTTP/1.1\r\nHost: w.example\r\n\r\n";

	events_len = 0;
	nevents = nmatches = 0;
	dp_worker_conf_default(conf);
	conf->log_objects = true;
	CU_ASSERT_EQUAL_FATAL(dp_worker_init(w, conf, sets, &key, on_event, NULL), 0);
	dp_test_conn_init(c, 4, 1000, sisn);
	feed(w, dp_test_seg(c, true, 0, DP_TCP_SYN, "", 0), 1);
	c->cseq++;
	feed(w, dp_test_seg(c, false, 0, DP_TCP_SYN, "", 0), 2);
	c->sseq++;
	feed(w, dp_test_seg(c, true, 0, 0, req, strlen(req)), 3);
	c->cseq += (uint32_t)strlen(req);
}

/* Send the response as @how says, then FIN both ways. */
static void respond(struct dp_worker *w, struct dp_test_conn *c, enum delivery how)
{
	size_t step = how == WHOLE ? response_len : how == ONE_BYTE ? 1 : 700;
	size_t nseg = (response_len + step - 1) / step;

	for (size_t k = 0; k < nseg; k++) {
		/* REORDERED: odd segments first, then even ones backwards. */
		size_t i = how != REORDERED ? k : k < nseg / 2 ? 2 * k + 1 : 2 * (nseg - 1 - k);
		size_t off = i * step, len = response_len - off < step ? response_len - off : step;

		feed(w, dp_test_seg(c, false, (int64_t)off, 0, response + off, len), 10 + k);
		if (how == DUPLICATED) /* again, and straddling the next segment */
			feed(w, dp_test_seg(c, false, (int64_t)off, 0, response + off,
					    response_len - off < 2 * step ? response_len - off : 2 * step),
			     10 + k);
	}
	c->sseq += (uint32_t)response_len;
	feed(w, dp_test_seg(c, false, 0, DP_TCP_FIN, "", 0), 100000);
	feed(w, dp_test_seg(c, true, 0, DP_TCP_FIN, "", 0), 100001);
}

static cJSON *event_of(const char *kind)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof(needle), "{\"event\":\"%s\"", kind);
	p = strstr(events, needle);
	return p ? cJSON_ParseWithOpts(p, NULL, false) : NULL;
}

static void check_delivery(enum delivery how)
{
	struct dp_worker w;
	struct dp_worker_conf conf;
	struct dp_test_conn c;
	cJSON *obj, *match;
	char hex[HWALL_DIGEST_HEX_MAX];
	XXH128_canonical_t d;

	start(&w, &conf, &c, 0xffffff00u); /* the body crosses the sequence wrap */
	respond(&w, &c, how);
	XXH128_canonicalFromHash(&d, XXH3_128bits(body, sizeof(body)));
	hwall_hex_format(d.digest, 16, hex);
	obj = event_of("object");
	match = event_of("match");
	CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
	CU_ASSERT_PTR_NOT_NULL_FATAL(match);
	CU_ASSERT_EQUAL(nevents, 2);
	/* The match comes with its connection (client 10.0.0.1:40000 in
	 * IPv4-mapped form), for blocked-flow entries. */
	CU_ASSERT_EQUAL(nmatches, 1);
	CU_ASSERT_EQUAL(match_flow.client_port, 40000);
	CU_ASSERT_EQUAL(match_flow.server_port, 80);
	CU_ASSERT_EQUAL(match_flow.client[12], 10);
	CU_ASSERT_EQUAL(match_flow.client[15], 1);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "digests"), "xxh3-128")->valuestring, hex);
	CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(obj, "complete")));
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(obj, "size")->valueint, BODY_LEN);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(obj, "host")->valuestring, "w.example");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(obj, "path")->valuestring, "/obj");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(obj, "server_ip")->valuestring, "10.0.0.2");
	/* The client is a 32-hex-digit pseudonym, never the address. */
	CU_ASSERT_EQUAL(strlen(cJSON_GetObjectItem(obj, "client")->valuestring), 32);
	CU_ASSERT_PTR_NULL(strstr(events, "10.0.0.1"));
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(match, "digest")->valuestring, hex);
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(match, "ref")->valueint, 77);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(match, "set")->valuestring, "test-set");
	CU_ASSERT_EQUAL(w.ctr.info[DP_INFO_flows_closed], 1);
	CU_ASSERT_EQUAL(w.flows.count, 0);
	cJSON_Delete(obj);
	cJSON_Delete(match);
	dp_worker_fini(&w);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp_test_pool), 8191);
}

static void test_whole(void)
{
	check_delivery(WHOLE);
}

static void test_one_byte_segments(void)
{
	check_delivery(ONE_BYTE);
}

static void test_reordered(void)
{
	check_delivery(REORDERED);
}

static void test_duplicated(void)
{
	check_delivery(DUPLICATED);
}

static void test_rst_mid_body(void)
{
	struct dp_worker w;
	struct dp_worker_conf conf;
	struct dp_test_conn c;
	cJSON *obj;

	start(&w, &conf, &c, 5000);
	feed(&w, dp_test_seg(&c, false, 0, 0, response, 1000), 10);
	feed(&w, dp_test_seg(&c, false, 1000, DP_TCP_RST, "", 0), 11);
	obj = event_of("object");
	CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
	CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(obj, "complete")));
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(obj, "outcome")->valuestring, "obj_abandoned_rst");
	CU_ASSERT_PTR_NULL(event_of("match"));
	CU_ASSERT_EQUAL(w.ctr.drop[DP_DROP_obj_abandoned_rst], 1);
	CU_ASSERT_EQUAL(w.flows.count, 0);
	/* Packets of the reset connection no longer make a flow. */
	feed(&w, dp_test_seg(&c, false, 1000, 0, "", 0), 12);
	CU_ASSERT_EQUAL(w.ctr.drop[DP_DROP_pkt_no_flow], 1);
	cJSON_Delete(obj);
	dp_worker_fini(&w);
}

static void test_end_of_capture_and_unusable(void)
{
	struct dp_worker w;
	struct dp_worker_conf conf;
	struct dp_test_conn c;

	start(&w, &conf, &c, 5000);
	feed(&w, dp_test_seg(&c, false, 0, 0, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab", 41), 10);
	dp_worker_flush(&w);
	CU_ASSERT_EQUAL(w.ctr.drop[DP_DROP_obj_abandoned_end], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(events, "\"outcome\":\"obj_abandoned_end\""));
	dp_worker_fini(&w);
	start(&w, &conf, &c, 5000);
	feed(&w, dp_test_seg(&c, false, 0, 0, "SSH-2.0\r\n\r\n", 11), 10);
	CU_ASSERT_EQUAL(w.ctr.drop[DP_DROP_http_bad_response], 1);
	feed(&w, dp_test_seg(&c, false, 11, 0, "more", 4), 11);
	CU_ASSERT_EQUAL(w.ctr.drop[DP_DROP_pkt_flow_unusable], 1);
	CU_ASSERT_EQUAL(w.flows.count, 1);
	dp_worker_fini(&w);
	CU_ASSERT_EQUAL(nevents, 0);
}

static void test_port_reuse_starts_a_new_flow(void)
{
	struct dp_worker w;
	struct dp_worker_conf conf;
	struct dp_test_conn c;
	cJSON *match;

	start(&w, &conf, &c, 5000);
	feed(&w, dp_test_seg(&c, false, 0, 0, response, 100), 10);
	/* The client's SYN again: a retransmission, nothing changes. */
	feed(&w, dp_test_seg(&c, true, -39, DP_TCP_SYN, "", 0), 11);
	CU_ASSERT_EQUAL(w.ctr.info[DP_INFO_flows_reused], 0);
	/* A new connection on the same ports (new ISNs) replaces the flow. */
	c.cseq = 90000;
	c.sseq = 70000;
	events_len = 0;
	events[0] = '\0';
	feed(&w, dp_test_seg(&c, true, 0, DP_TCP_SYN, "", 0), 12);
	CU_ASSERT_EQUAL(w.ctr.info[DP_INFO_flows_reused], 1);
	CU_ASSERT_EQUAL(w.ctr.drop[DP_DROP_obj_abandoned_reused], 1);
	c.cseq++;
	feed(&w, dp_test_seg(&c, false, 0, DP_TCP_SYN, "", 0), 13);
	c.sseq++;
	feed(&w, dp_test_seg(&c, true, 0, 0, "GET /again HTTP/1.1\r\n\r\n", 23), 14);
	c.cseq += 23;
	respond(&w, &c, WHOLE);
	match = event_of("match");
	CU_ASSERT_PTR_NOT_NULL_FATAL(match);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(match, "path")->valuestring, "/again");
	cJSON_Delete(match);
	dp_worker_fini(&w);
}

static void test_eviction_abandons_object(void)
{
	struct dp_worker w;
	struct dp_worker_conf conf;
	struct dp_test_conn c, other;

	start(&w, &conf, &c, 5000);
	dp_worker_fini(&w);
	conf.max_flows = 1;
	CU_ASSERT_EQUAL_FATAL(dp_worker_init(&w, &conf, sets, &key, on_event, NULL), 0);
	dp_test_conn_init(&c, 6, 1000, 5000);
	other = c;
	other.f.sport = 40001;
	feed(&w, dp_test_seg(&c, true, 0, 0, "GET / HTTP/1.1\r\n\r\n", 18), 1);
	c.cseq += 18;
	feed(&w, dp_test_seg(&c, false, 0, 0, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab", 41), 2);
	feed(&w, dp_test_seg(&other, true, 0, DP_TCP_SYN, "", 0), 3);
	CU_ASSERT_EQUAL(w.ctr.info[DP_INFO_flows_evicted], 1);
	CU_ASSERT_EQUAL(w.ctr.drop[DP_DROP_obj_abandoned_evicted], 1);
	CU_ASSERT_EQUAL(w.ctr.info[DP_INFO_flows_midstream], 1);
	CU_ASSERT_EQUAL(w.flows.count, 1);
	dp_worker_fini(&w);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "whole", test_whole },
		{ "one_byte_segments", test_one_byte_segments },
		{ "reordered", test_reordered },
		{ "duplicated", test_duplicated },
		{ "rst_mid_body", test_rst_mid_body },
		{ "end_of_capture_and_unusable", test_end_of_capture_and_unusable },
		{ "port_reuse_starts_a_new_flow", test_port_reuse_starts_a_new_flow },
		{ "eviction_abandons_object", test_eviction_abandons_object },
		CU_TEST_INFO_NULL,
	};
	int rc = 2;

	dir = hwall_test_tmpdir("worker");
	if (!dir || dp_test_eal() < 0 || hwall_pseudo_key_random(&key) < 0 || make_set() < 0)
		return 2;
	rc = hwall_test_main("dataplane/worker", tests);
	dp_setlist_free(sets);
	dp_test_eal_done();
	return rc;
}
