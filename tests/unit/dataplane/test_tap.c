/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/tlstap/tap.c: the tap program's records (built
 * here as the kernel writes them) through a worker's stages: HTTP/1.1 and
 * HTTP/2 connections, socket addresses in the events, the request hook,
 * holes from a full ring, a reused SSL object, connection ends, idle
 * expiry, bad records. */
#include "dataplane/events.h"
#include "dataplane/tlstap/tap.h"
#include "h2_build.h"
#include "hwall_test.h"

#include <stdlib.h>
#include <string.h>

#define LINES_MAX 32

static char lines[LINES_MAX][DP_EVENT_MAX];
static struct dp_flow_key keys[LINES_MAX];
static unsigned int nlines;
static struct dp_worker_conf conf;
static struct dp_worker w;
static struct dp_tap tap;
static struct hwall_pseudo_key key;
static char requested[4][DP_HOST_MAX + DP_PATH_MAX];
static unsigned int nrequested;

/* The request hook (the URL blocks' entry point): the flow is the owner. */
static void on_request(void *ctx, void *owner, const struct dp_txn *t)
{
	const struct dp_flow *f = owner;

	CU_ASSERT_PTR_EQUAL(ctx, &tap);
	CU_ASSERT_EQUAL(f->key.server_port, 443);
	CU_ASSERT_TRUE_FATAL(nrequested < 4);
	snprintf(requested[nrequested++], sizeof(requested[0]), "%s%s", t->host, t->path);
}

static void on_event(void *ctx, const char *line, size_t len, bool match,
		     const struct dp_flow_key *flow)
{
	(void)ctx;
	(void)match;
	CU_ASSERT_TRUE_FATAL(nlines < LINES_MAX && len < DP_EVENT_MAX);
	memcpy(lines[nlines], line, len);
	lines[nlines][len] = '\0';
	keys[nlines++] = *flow;
}

static void setup(void)
{
	dp_worker_conf_default(&conf);
	conf.log_objects = true;
	conf.max_flows = 16;
	nlines = 0;
	CU_ASSERT_EQUAL_FATAL(hwall_pseudo_key_random(&key), 0);
	CU_ASSERT_EQUAL_FATAL(dp_worker_init(&w, &conf, NULL, &key, on_event, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(dp_tap_init(&tap, &w, 4, 1000000000ull, NULL), 0);
	w.http.request_fn = on_request;
	w.http.request_ctx = &tap;
	nrequested = 0;
}

static void teardown(void)
{
	dp_tap_fini(&tap);
	dp_worker_fini(&w);
}

/* One record as the kernel writes it: connection (@tgid, @ssl) on
 * 10.0.0.1:443 <- 10.0.0.2:40000 with socket cookie 77. */
static void rec(uint32_t tgid, uint64_t ssl, uint8_t kind, uint8_t dir, uint64_t off,
		const void *data, uint32_t len)
{
	struct tlstap_rec *r = calloc(1, sizeof(*r) + len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	*r = (struct tlstap_rec){ .ssl = ssl, .off = off, .cookie = 77, .ts_ns = 1000, .tgid = tgid,
				  .len = len, .kind = kind, .dir = dir, .family = 4,
				  .local_port = 443, .peer_port = 40000 };
	memcpy(r->local, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\0\0\x01", 16);
	memcpy(r->peer, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\0\0\x02", 16);
	memcpy(r->data, data ? data : "", len);
	dp_tap_record(&tap, r, sizeof(*r) + len, 2000000000ull);
	free(r);
}

static const char req[] = "GET /a.bin HTTP/1.1\r\nHost: t.example\r\n\r\n";
static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";

/* A request, then a response whose body comes in two records. */
static void h1_exchange(uint32_t tgid, uint64_t ssl, uint64_t in_off, uint64_t out_off)
{
	rec(tgid, ssl, TLSTAP_DATA, TLSTAP_DIR_IN, in_off, req, sizeof(req) - 1);
	rec(tgid, ssl, TLSTAP_DATA, TLSTAP_DIR_OUT, out_off, resp, sizeof(resp) - 1);
	rec(tgid, ssl, TLSTAP_DATA, TLSTAP_DIR_OUT, out_off + sizeof(resp) - 1, "01234", 5);
	rec(tgid, ssl, TLSTAP_DATA, TLSTAP_DIR_OUT, out_off + sizeof(resp) + 4, "56789", 5);
}

static void test_http1(void)
{
	setup();
	h1_exchange(10, 0x1000, 0, 0);
	CU_ASSERT_EQUAL_FATAL(nlines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"server_ip\":\"10.0.0.1\",\"server_port\":443"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"host\":\"t.example\",\"path\":\"/a.bin\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"size\":10,\"complete\":true"));
	/* xxh3-128 of "0123456789" */
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"xxh3-128\":\"e353667619ec664b49655fc9692165fb\""));
	CU_ASSERT_EQUAL(keys[0].client_port, 40000);
	CU_ASSERT_EQUAL(nrequested, 1);
	CU_ASSERT_STRING_EQUAL(requested[0], "t.example/a.bin");
	CU_ASSERT_EQUAL(keys[0].client[15], 2);
	CU_ASSERT_EQUAL(tap.ctr[DP_TAP_conns], 1);
	rec(10, 0x1000, TLSTAP_CLOSE, 0, 0, NULL, 0);
	CU_ASSERT_EQUAL(tap.count, 0);
	CU_ASSERT_EQUAL(tap.ctr[DP_TAP_conns_closed], 1);
	teardown();
}

/* A record beyond the expected offset is a hole: the body becomes
 * incomplete and is counted; nothing is looked up. */
static void test_hole(void)
{
	setup();
	rec(10, 0x1000, TLSTAP_DATA, TLSTAP_DIR_IN, 0, req, sizeof(req) - 1);
	rec(10, 0x1000, TLSTAP_DATA, TLSTAP_DIR_OUT, 0, resp, sizeof(resp) - 1);
	rec(10, 0x1000, TLSTAP_DATA, TLSTAP_DIR_OUT, sizeof(resp) + 4, "56789", 5);
	CU_ASSERT_EQUAL_FATAL(nlines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"complete\":false"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"outcome\":\"obj_incomplete\""));
	CU_ASSERT_EQUAL(tap.ctr[DP_TAP_holes], 1);
	CU_ASSERT_EQUAL(tap.ctr[DP_TAP_hole_bytes], 5);
	CU_ASSERT_EQUAL(w.ctr.drop[DP_DROP_obj_incomplete], 1);
	/* an older record is ignored and counted */
	rec(10, 0x1000, TLSTAP_DATA, TLSTAP_DIR_OUT, 5, resp + 5, sizeof(resp) - 6);
	CU_ASSERT_EQUAL(tap.ctr[DP_TAP_stale_records], 1);
	teardown();
}

/* Two processes with the same SSL pointer are two connections; the same
 * object starting again at offset 0 is a new connection. */
static void test_identity(void)
{
	setup();
	h1_exchange(10, 0x1000, 0, 0);
	h1_exchange(11, 0x1000, 0, 0);
	CU_ASSERT_EQUAL(tap.count, 2);
	h1_exchange(10, 0x1000, 0, 0);
	CU_ASSERT_EQUAL(tap.ctr[DP_TAP_conns_replaced], 1);
	CU_ASSERT_EQUAL(nlines, 3);
	teardown();
}

/* The table holds 4 connections; a 5th is counted, idle ones expire. */
static void test_limits_and_expiry(void)
{
	setup();
	for (uint64_t i = 0; i < 5; i++)
		rec(10, 0x1000 + i, TLSTAP_DATA, TLSTAP_DIR_IN, 0, req, sizeof(req) - 1);
	CU_ASSERT_EQUAL(tap.count, 4);
	CU_ASSERT_EQUAL(tap.ctr[DP_TAP_conn_table_full], 1);
	CU_ASSERT_EQUAL(dp_tap_expire(&tap, 1000 + 500000000ull, 16), 0);
	CU_ASSERT_EQUAL(dp_tap_expire(&tap, 1000 + 2000000000ull, 16), 4);
	CU_ASSERT_EQUAL(tap.count, 0);
	CU_ASSERT_EQUAL(tap.ctr[DP_TAP_conns_idle], 4);
	teardown();
}

static void test_bad_record(void)
{
	struct tlstap_rec r = { .len = 100, .kind = TLSTAP_DATA };

	setup();
	dp_tap_record(&tap, &r, sizeof(r) + 10, 0);
	r.len = 0;
	r.kind = TLSTAP_KIND_COUNT;
	dp_tap_record(&tap, &r, sizeof(r), 0);
	CU_ASSERT_EQUAL(tap.ctr[DP_TAP_bad_records], 2);
	CU_ASSERT_EQUAL(tap.count, 0);
	teardown();
}

/* The HTTP/2 preface sends the connection to http2.c. */
static void test_http2(void)
{
	struct h2b cli, srv;
	uint8_t body[3000];
	uint64_t st = 5;

	hwall_test_rand_bytes(&st, body, sizeof(body));
	h2b_init(&cli);
	h2b_init(&srv);
	h2b_preface(&cli);
	h2b_settings(&cli, 0, 0);
	h2b_get(&cli, 1, "h2.example", "/x");
	h2b_settings(&srv, 0, 0);
	h2b_status(&srv, 1, "200", 0);
	h2b_data(&srv, 1, body, sizeof(body), 0, 1);
	setup();
	rec(10, 0x2000, TLSTAP_DATA, TLSTAP_DIR_OUT, 0, srv.p, 9); /* server's SETTINGS first */
	rec(10, 0x2000, TLSTAP_DATA, TLSTAP_DIR_IN, 0, cli.p, (uint32_t)cli.len);
	rec(10, 0x2000, TLSTAP_DATA, TLSTAP_DIR_OUT, 9, srv.p + 9, (uint32_t)srv.len - 9);
	CU_ASSERT_EQUAL(tap.ctr[DP_TAP_conns_h2], 1);
	CU_ASSERT_EQUAL(nrequested, 1);
	CU_ASSERT_STRING_EQUAL(requested[0], "h2.example/x");
	CU_ASSERT_EQUAL_FATAL(nlines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"host\":\"h2.example\",\"path\":\"/x\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"size\":3000,\"complete\":true"));
	teardown();
	h2b_free(&cli);
	h2b_free(&srv);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "HTTP/1.1 over records, socket addresses, close", test_http1 },
		{ "a hole makes the object incomplete", test_hole },
		{ "connection identity: process, SSL object, restart", test_identity },
		{ "table limit and idle expiry", test_limits_and_expiry },
		{ "bad records", test_bad_record },
		{ "HTTP/2 preface", test_http2 },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("dataplane/tap", tests);
}
