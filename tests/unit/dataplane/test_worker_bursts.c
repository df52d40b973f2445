/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for the burst contract of dataplane/worker.c with md5 and sha1
 * on (dataplane/mbhash/ queues whole blocks by pointer into the mbufs):
 * connections interleaved segment by segment, in and out of order, run
 * through dp_rx_burst().  Every frame's bytes are in a buffer of its own
 * that is poisoned and freed with the frame's last reference, whoever drops
 * it (the caller after the burst, or reasm.c freeing a held segment inside
 * the burst).  A pointer kept past that gives a wrong digest here (and a
 * use-after-free under ASan).  Objects that end in a burst are finished
 * after its flush, also when their flow closes in the same burst; objects
 * given up are reported without md5/sha1.  Run once per implementation
 * (HASHWALL_MBH_IMPL, meson).
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
static unsigned int nobjects, ngood, nabandoned;

static const char *dstr(const cJSON *d, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(d, name);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* Count object events: those whose md5 and sha1 are the body's, and those
 * given up on a reset with xxh3-128 but neither md5 nor sha1. */
static void on_event(void *ctx, const char *line, size_t len, bool match,
		     const struct dp_flow_key *flow)
{
	cJSON *e = cJSON_ParseWithLength(line, len), *d;

	(void)ctx;
	(void)match;
	(void)flow;
	d = cJSON_GetObjectItem(e, "digests");
	nobjects++;
	ngood += strcmp(dstr(d, "md5"), md5_hex) == 0 && strcmp(dstr(d, "sha1"), sha1_hex) == 0;
	nabandoned += strcmp(dstr(e, "outcome"), dp_drop_name(DP_DROP_obj_abandoned_rst)) == 0 &&
		      *dstr(d, "xxh3-128") && !cJSON_GetObjectItem(d, "md5") &&
		      !cJSON_GetObjectItem(d, "sha1");
	cJSON_Delete(e);
}

/* Poison and free a frame's own buffer (opaque: its length). */
static void ext_free(void *addr, void *opaque)
{
	memset(addr, 0x5a, (size_t)(uintptr_t)opaque);
	free(addr);
}

/* @m's bytes moved into a buffer of its own, poisoned and freed when the
 * last reference to the frame goes.  Frames here fit in one segment. */
static struct rte_mbuf *poisoning(struct rte_mbuf *m)
{
	uint16_t len = rte_pktmbuf_data_len(m);
	uint16_t buf_len = (uint16_t)(len + sizeof(struct rte_mbuf_ext_shared_info) + 64);
	void *buf = malloc(buf_len);
	struct rte_mbuf *n = rte_pktmbuf_alloc(dp_test_pool);
	struct rte_mbuf_ext_shared_info *sh;

	CU_ASSERT_FATAL(buf && n && m->nb_segs == 1);
	sh = rte_pktmbuf_ext_shinfo_init_helper(buf, &buf_len, ext_free, NULL);
	CU_ASSERT_FATAL(sh != NULL);
	sh->fcb_opaque = (void *)(uintptr_t)buf_len;
	rte_pktmbuf_attach_extbuf(n, buf, (rte_iova_t)(uintptr_t)buf, buf_len, sh);
	memcpy(rte_pktmbuf_append(n, len), rte_pktmbuf_mtod(m, void *), len);
	rte_pktmbuf_free(m);
	return n;
}

/* The frames collected for one burst. */
struct burst {
	struct rte_mbuf *m[BURST];
	uint64_t ts[BURST];
	uint16_t n;
};

/* Run the burst, then drop our reference to its frames. */
static void run(struct dp_worker *w, struct burst *b)
{
	dp_rx_burst(w, b->m, b->n, b->ts);
	for (uint16_t i = 0; i < b->n; i++)
		rte_pktmbuf_free(b->m[i]);
	b->n = 0;
}

static void add(struct dp_worker *w, struct burst *b, struct rte_mbuf *m)
{
	b->ts[b->n] = 1000 + b->n;
	b->m[b->n++] = poisoning(m);
	if (b->n == BURST)
		run(w, b);
}

/* A worker logging every object, with md5 and sha1 on, and CONNS
 * connections to it. */
struct rig {
	struct dp_worker w;
	struct dp_worker_conf conf;
	struct dp_test_conn c[CONNS];
	struct burst b;
	size_t nseg; /* segments of a response */
};

/* Start the worker and open each connection with its request sent. */
static void rig_start(struct rig *r)
{
	static const char req[] = "GET /b HTTP/1.1\r\nHost: b.example\r\n\r\n";

	nobjects = ngood = nabandoned = 0;
	r->b.n = 0;
	r->nseg = (response_len + SEG - 1) / SEG;
	dp_worker_conf_default(&r->conf);
	r->conf.log_objects = true;
	r->conf.hash_mask = (1u << HWALL_ALGO_MD5) | (1u << HWALL_ALGO_SHA1);
	CU_ASSERT_EQUAL_FATAL(dp_worker_init(&r->w, &r->conf, NULL, &key, on_event, NULL), 0);
	for (int i = 0; i < CONNS; i++) {
		struct dp_test_conn *c = &r->c[i];

		dp_test_conn_init(c, 4, 1000, 7000);
		c->f.sport = (uint16_t)(41000 + i);
		add(&r->w, &r->b, dp_test_seg(c, true, 0, DP_TCP_SYN, "", 0));
		c->cseq++;
		add(&r->w, &r->b, dp_test_seg(c, false, 0, DP_TCP_SYN, "", 0));
		c->sseq++;
		add(&r->w, &r->b, dp_test_seg(c, true, 0, 0, req, strlen(req)));
		c->cseq += (uint32_t)strlen(req);
	}
}

/* Segment @k of the response on connection @c. */
static struct rte_mbuf *resp_seg(const struct dp_test_conn *c, size_t k)
{
	size_t off = k * SEG, len = response_len - off < SEG ? response_len - off : SEG;

	return dp_test_seg(c, false, (int64_t)off, 0, response + off, len);
}

/* Response segments @from to @to - 1 of every connection, segment by
 * segment, then the burst so far. */
static void rig_segs(struct rig *r, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++)
		for (int i = 0; i < CONNS; i++)
			add(&r->w, &r->b, resp_seg(&r->c[i], k));
	run(&r->w, &r->b);
}

/* Stop the worker: every frame is back in the pool. */
static void rig_stop(struct rig *r)
{
	dp_worker_fini(&r->w);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp_test_pool), 8191);
}

/* @reorder: each connection's segments go in pairs, the second first. */
static void check_interleaved(bool reorder)
{
	static struct rig r;

	rig_start(&r);
	for (size_t k = 0; k < r.nseg; k++) {
		size_t s = reorder ? (k ^ 1) : k;

		if (s >= r.nseg)
			s = k;
		for (int i = 0; i < CONNS; i++)
			add(&r.w, &r.b, resp_seg(&r.c[i], s));
	}
	for (int i = 0; i < CONNS; i++) {
		r.c[i].sseq += (uint32_t)response_len;
		add(&r.w, &r.b, dp_test_seg(&r.c[i], false, 0, DP_TCP_FIN, "", 0));
		add(&r.w, &r.b, dp_test_seg(&r.c[i], true, 0, DP_TCP_FIN, "", 0));
	}
	run(&r.w, &r.b);
	CU_ASSERT_EQUAL(nobjects, CONNS);
	CU_ASSERT_EQUAL(ngood, CONNS);
	CU_ASSERT_EQUAL(r.w.ctr.info[DP_INFO_objects_complete], CONNS);
	CU_ASSERT_EQUAL(r.w.ctr.info[DP_INFO_digest_mbh_full], 0);
	rig_stop(&r);
}

/*
 * Every object ends in the last burst, whose frames then close each flow
 * (FIN both ways, or the client's RST for every other connection): no
 * event before the burst's end, every digest right after it.
 */
static void test_close_in_burst(void)
{
	static struct rig r;
	struct rte_mbuf *last[3 * CONNS];
	unsigned int n = 0;

	rig_start(&r);
	rig_segs(&r, 0, r.nseg - 1);
	for (int i = 0; i < CONNS; i++) {
		struct dp_test_conn *c = &r.c[i];

		last[n++] = poisoning(resp_seg(c, r.nseg - 1));
		c->sseq += (uint32_t)response_len;
		last[n++] = poisoning(dp_test_seg(c, true, 0, i % 2 ? DP_TCP_RST : DP_TCP_FIN, "", 0));
		last[n++] = poisoning(dp_test_seg(c, false, 0, DP_TCP_FIN, "", 0));
	}
	for (unsigned int i = 0; i < n; i++)
		dp_worker_burst_packet(&r.w, last[i], 2000 + i);
	CU_ASSERT_EQUAL(nobjects, 0);
	CU_ASSERT_EQUAL(r.w.ctr.info[DP_INFO_flows_closed], CONNS);
	CU_ASSERT_EQUAL(r.w.flows.count, 0);
	dp_worker_burst_end(&r.w);
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(last[i]);
	CU_ASSERT_EQUAL(nobjects, CONNS);
	CU_ASSERT_EQUAL(ngood, CONNS);
	rig_stop(&r);
}

/*
 * Each response's last segment comes first and is held by reasm.c; the one
 * before it, a burst later, releases it: the object ends in the held
 * segment, which reasm.c frees (poisoned) before the burst's flush.
 */
static void test_end_in_held(void)
{
	static struct rig r;

	rig_start(&r);
	rig_segs(&r, 0, r.nseg - 2);
	rig_segs(&r, r.nseg - 1, r.nseg);
	CU_ASSERT_EQUAL(r.w.reasm.held_total, CONNS * (response_len - (r.nseg - 1) * SEG));
	rig_segs(&r, r.nseg - 2, r.nseg - 1);
	CU_ASSERT_EQUAL(r.w.reasm.held_total, 0);
	CU_ASSERT_EQUAL(nobjects, CONNS);
	CU_ASSERT_EQUAL(ngood, CONNS);
	rig_stop(&r);
}

/* Half of each body, then the client's RST: given up, no md5/sha1. */
static void test_abandoned(void)
{
	static struct rig r;

	rig_start(&r);
	rig_segs(&r, 0, r.nseg / 2);
	for (int i = 0; i < CONNS; i++)
		add(&r.w, &r.b, dp_test_seg(&r.c[i], true, 0, DP_TCP_RST, "", 0));
	run(&r.w, &r.b);
	CU_ASSERT_EQUAL(nobjects, CONNS);
	CU_ASSERT_EQUAL(nabandoned, CONNS);
	CU_ASSERT_EQUAL(r.w.ctr.drop[DP_DROP_obj_abandoned_rst], CONNS);
	rig_stop(&r);
}

static void test_in_order(void)
{
	check_interleaved(false);
}

static void test_out_of_order(void)
{
	check_interleaved(true);
}

/* md5 and sha1 of @len bytes of @p by OpenSSL, as hex; 0 or -1. */
static int digests_of(const void *p, size_t len)
{
	uint8_t d[EVP_MAX_MD_SIZE];

	if (EVP_Digest(p, len, d, NULL, EVP_md5(), NULL) != 1)
		return -1;
	hwall_hex_format(d, 16, md5_hex);
	if (EVP_Digest(p, len, d, NULL, EVP_sha1(), NULL) != 1)
		return -1;
	hwall_hex_format(d, 20, sha1_hex);
	return 0;
}

/* The body, its response and its digests. */
static int make_body(void)
{
	uint64_t seed = 23;

	hwall_test_rand_bytes(&seed, body, sizeof(body));
	response_len = (size_t)snprintf(response, sizeof(response),
					"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY_LEN);
	memcpy(response + response_len, body, BODY_LEN);
	response_len += BODY_LEN;
	return digests_of(body, sizeof(body));
}

/*
 * More objects end in one burst than the worker keeps for after the flush
 * (DP_WORKER_PENDING_MAX): pipelined 100-byte responses, a segment of
 * SMALL_PER_SEG of them on each connection, all in one burst.
 */
#define SMALL_LEN 100
#define SMALL_PER_SEG 8
static void test_many_in_burst(void)
{
	static struct rig r;
	static char seg[SMALL_PER_SEG * (SMALL_LEN + 64)];
	struct rte_mbuf *m[CONNS * 4];
	size_t len = 0;
	unsigned int n = 0;

	CU_ASSERT_FATAL(CONNS * 4 * SMALL_PER_SEG > DP_WORKER_PENDING_MAX);
	CU_ASSERT_EQUAL_FATAL(digests_of(body, SMALL_LEN), 0);
	for (int i = 0; i < SMALL_PER_SEG; i++) {
		len += (size_t)sprintf(seg + len, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
				       SMALL_LEN);
		memcpy(seg + len, body, SMALL_LEN);
		len += SMALL_LEN;
	}
	rig_start(&r);
	run(&r.w, &r.b);
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < CONNS; i++) {
			m[n++] = poisoning(dp_test_seg(&r.c[i], false, 0, 0, seg, len));
			r.c[i].sseq += (uint32_t)len;
		}
	for (unsigned int i = 0; i < n; i++)
		dp_worker_burst_packet(&r.w, m[i], 2000 + i);
	CU_ASSERT_EQUAL(nobjects, DP_WORKER_PENDING_MAX);
	dp_worker_burst_end(&r.w);
	for (unsigned int i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
	CU_ASSERT_EQUAL(nobjects, n * SMALL_PER_SEG);
	CU_ASSERT_EQUAL(ngood, n * SMALL_PER_SEG);
	rig_stop(&r);
	CU_ASSERT_EQUAL_FATAL(make_body(), 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "in_order", test_in_order },
		{ "out_of_order", test_out_of_order },
		{ "close_in_burst", test_close_in_burst },
		{ "end_in_held", test_end_in_held },
		{ "abandoned", test_abandoned },
		{ "many_in_burst", test_many_in_burst },
		CU_TEST_INFO_NULL,
	};
	int rc;

	if (dp_test_eal() < 0 || hwall_pseudo_key_random(&key) < 0 || make_body() < 0)
		return 2;
	rc = hwall_test_main("dataplane/worker_bursts", tests);
	dp_test_eal_done();
	return rc;
}
