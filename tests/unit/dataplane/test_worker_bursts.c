/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for the burst contract of dataplane/worker.c with md5 and sha1
 * on (dataplane/mbhash/ queues whole blocks by pointer into the mbufs):
 * connections interleaved segment by segment, in and out of order, run
 * through dp_rx_burst(); after each burst every frame that only the caller
 * holds is poisoned and freed, as a live worker frees it.  A pointer kept
 * past its burst gives a wrong digest here (and a use-after-free under
 * ASan).  Run once per implementation (HASHWALL_MBH_IMPL, meson).
 */
#include "dataplane/rx.h"
#include "dataplane/worker.h"
#include "dp_test.h"
#include "hwall_test.h"

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <stdlib.h>

#define CONNS 12
#define BODY_LEN 60000
#define SEG 1400
#define BURST 16

static uint8_t body[BODY_LEN];
static char response[BODY_LEN + 128];
static size_t response_len;
static struct hwall_pseudo_key key;
static char md5_hex[HWALL_DIGEST_HEX_MAX], sha1_hex[HWALL_DIGEST_HEX_MAX];
static unsigned int nobjects, ngood;

/* Count object events whose md5 and sha1 are the body's. */
static void on_event(void *ctx, const char *line, size_t len, bool match,
		     const struct dp_flow_key *flow)
{
	cJSON *e = cJSON_ParseWithLength(line, len), *d;

	(void)ctx;
	(void)match;
	(void)flow;
	d = cJSON_GetObjectItem(e, "digests");
	nobjects++;
	if (cJSON_IsString(cJSON_GetObjectItem(d, "md5")) &&
	    cJSON_IsString(cJSON_GetObjectItem(d, "sha1")) &&
	    strcmp(cJSON_GetObjectItem(d, "md5")->valuestring, md5_hex) == 0 &&
	    strcmp(cJSON_GetObjectItem(d, "sha1")->valuestring, sha1_hex) == 0)
		ngood++;
	cJSON_Delete(e);
}

/* The frames collected for one burst. */
struct burst {
	struct rte_mbuf *m[BURST];
	uint64_t ts[BURST];
	uint16_t n;
};

/* Run the burst, then poison and free what only we hold. */
static void run(struct dp_worker *w, struct burst *b)
{
	dp_rx_burst(w, b->m, b->n, b->ts);
	for (uint16_t i = 0; i < b->n; i++) {
		if (rte_mbuf_refcnt_read(b->m[i]) == 1)
			memset(rte_pktmbuf_mtod(b->m[i], void *), 0x5a, rte_pktmbuf_data_len(b->m[i]));
		rte_pktmbuf_free(b->m[i]);
	}
	b->n = 0;
}

static void add(struct dp_worker *w, struct burst *b, struct rte_mbuf *m)
{
	b->ts[b->n] = 1000 + b->n;
	b->m[b->n++] = m;
	if (b->n == BURST)
		run(w, b);
}

/* @reorder: each connection's segments go in pairs, the second first. */
static void check_interleaved(bool reorder)
{
	static const char req[] = "GET /b HTTP/1.1\r\nHost: b.example\r\n\r\n";
	size_t nseg = (response_len + SEG - 1) / SEG;
	struct dp_worker w;
	struct dp_worker_conf conf;
	struct dp_test_conn c[CONNS];
	struct burst b = { .n = 0 };

	nobjects = ngood = 0;
	dp_worker_conf_default(&conf);
	conf.log_objects = true;
	conf.hash_mask = (1u << HWALL_ALGO_MD5) | (1u << HWALL_ALGO_SHA1);
	CU_ASSERT_EQUAL_FATAL(dp_worker_init(&w, &conf, NULL, &key, on_event, NULL), 0);
	for (int i = 0; i < CONNS; i++) {
		dp_test_conn_init(&c[i], 4, 1000, 7000);
		c[i].f.sport = (uint16_t)(41000 + i);
		add(&w, &b, dp_test_seg(&c[i], true, 0, DP_TCP_SYN, "", 0));
		c[i].cseq++;
		add(&w, &b, dp_test_seg(&c[i], false, 0, DP_TCP_SYN, "", 0));
		c[i].sseq++;
		add(&w, &b, dp_test_seg(&c[i], true, 0, 0, req, strlen(req)));
		c[i].cseq += (uint32_t)strlen(req);
	}
	for (size_t k = 0; k < nseg; k++) {
		size_t s = reorder ? (k ^ 1) : k;

		if (s >= nseg)
			s = k;
		for (int i = 0; i < CONNS; i++) {
			size_t off = s * SEG, len = response_len - off < SEG ? response_len - off : SEG;

			add(&w, &b, dp_test_seg(&c[i], false, (int64_t)off, 0, response + off, len));
		}
	}
	for (int i = 0; i < CONNS; i++) {
		c[i].sseq += (uint32_t)response_len;
		add(&w, &b, dp_test_seg(&c[i], false, 0, DP_TCP_FIN, "", 0));
		add(&w, &b, dp_test_seg(&c[i], true, 0, DP_TCP_FIN, "", 0));
	}
	run(&w, &b);
	CU_ASSERT_EQUAL(nobjects, CONNS);
	CU_ASSERT_EQUAL(ngood, CONNS);
	CU_ASSERT_EQUAL(w.ctr.info[DP_INFO_objects_complete], CONNS);
	CU_ASSERT_EQUAL(w.ctr.info[DP_INFO_digest_mbh_full], 0);
	dp_worker_fini(&w);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp_test_pool), 8191);
}

static void test_in_order(void)
{
	check_interleaved(false);
}

static void test_out_of_order(void)
{
	check_interleaved(true);
}

/* The body, its response and its digests by OpenSSL. */
static int make_body(void)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	uint64_t seed = 23;

	hwall_test_rand_bytes(&seed, body, sizeof(body));
	response_len = (size_t)snprintf(response, sizeof(response),
					"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
	memcpy(response + response_len, body, BODY_LEN);
	response_len += BODY_LEN;
	if (EVP_Digest(body, sizeof(body), d, NULL, EVP_md5(), NULL) != 1)
		return -1;
	hwall_hex_format(d, 16, md5_hex);
	if (EVP_Digest(body, sizeof(body), d, NULL, EVP_sha1(), NULL) != 1)
		return -1;
	hwall_hex_format(d, 20, sha1_hex);
	return 0;
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "in_order", test_in_order },
		{ "out_of_order", test_out_of_order },
		CU_TEST_INFO_NULL,
	};
	int rc;

	if (dp_test_eal() < 0 || hwall_pseudo_key_random(&key) < 0 || make_body() < 0)
		return 2;
	rc = hwall_test_main("dataplane/worker_bursts", tests);
	dp_test_eal_done();
	return rc;
}
