/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/http.c: heads, pairing, framing, limits. */
#include "dataplane/http.h"
#include "hwall_test.h"

#include <string.h>

#include <xxhash.h>

#define OBJS_MAX 16

/* What the object callback saw. */
struct seen {
	struct dp_obj obj;
	struct dp_txn txn;
	bool has_txn;
};

static struct seen seen[OBJS_MAX];
static unsigned int nseen;
static struct dp_counters ctr;
static struct dp_http h;
static struct dp_http_conn conn;
static int owner_tag;

static void on_obj(void *ctx, void *owner, const struct dp_obj *o)
{
	CU_ASSERT_PTR_EQUAL(ctx, &h);
	CU_ASSERT_PTR_EQUAL(owner, &owner_tag);
	seen[nseen].obj = *o;
	seen[nseen].has_txn = o->txn != NULL;
	memset(&seen[nseen].txn, 0, sizeof(seen[nseen].txn));
	if (o->txn)
		seen[nseen].txn = *o->txn;
	nseen++;
}

static void setup_limits(const struct dp_http_limits *lim)
{
	memset(&ctr, 0, sizeof(ctr));
	memset(&conn, 0, sizeof(conn));
	nseen = 0;
	dp_http_init(&h, lim, 0, 4, &ctr, on_obj, &h);
}

static void setup(void)
{
	struct dp_http_limits lim;

	dp_http_limits_default(&lim);
	setup_limits(&lim);
}

static void teardown(void)
{
	dp_http_release(&h, &conn, DP_DROP_obj_abandoned_end, &owner_tag);
	dp_http_fini(&h);
}

static int send_dir(enum dp_dir dir, const char *s)
{
	return dp_http_data(&h, &conn, dir, 1000, (const uint8_t *)s, (uint32_t)strlen(s), &owner_tag);
}

/* The canonical xxh3-128 of @s, for comparing with an object's digest. */
static bool xxh_is(const struct dp_obj *o, const char *s)
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits(s, strlen(s)));
	return memcmp(c.digest, o->digests.bytes[HWALL_ALGO_XXH3_128], 16) == 0;
}

static void test_simple_get(void)
{
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET /a/b?c=d HTTP/1.1\r\nHost: ex.example\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), 0);
	CU_ASSERT_EQUAL(nseen, 1);
	CU_ASSERT_EQUAL(seen[0].obj.status, 200);
	CU_ASSERT_EQUAL(seen[0].obj.size, 5);
	CU_ASSERT_EQUAL(seen[0].obj.outcome, DP_DROP_COUNT);
	CU_ASSERT_FALSE(seen[0].obj.partial);
	CU_ASSERT_TRUE(xxh_is(&seen[0].obj, "hello"));
	CU_ASSERT_STRING_EQUAL(seen[0].txn.method, "GET");
	CU_ASSERT_STRING_EQUAL(seen[0].txn.host, "ex.example");
	CU_ASSERT_STRING_EQUAL(seen[0].txn.path, "/a/b?c=d");
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_objects_complete], 1);
	CU_ASSERT_TRUE(dp_http_idle(&conn));
	teardown();
}

static void test_pipelining_pairs_in_order(void)
{
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
					     "HEAD /2 HTTP/1.1\r\nHost: a\r\n\r\n"
					     "POST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"
					     "GET /4 HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(conn.npending, 4);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
					     "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"
					     "HTTP/1.1 100 Continue\r\n\r\n"
					     "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nBB"
					     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
					     "3\r\nCCC\r\n0\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(nseen, 3);
	CU_ASSERT_STRING_EQUAL(seen[0].txn.path, "/1");
	CU_ASSERT_STRING_EQUAL(seen[1].txn.path, "/3");
	CU_ASSERT_STRING_EQUAL(seen[1].txn.method, "POST");
	CU_ASSERT_EQUAL(seen[1].obj.status, 201);
	CU_ASSERT_STRING_EQUAL(seen[2].txn.path, "/4");
	CU_ASSERT_TRUE(xxh_is(&seen[2].obj, "CCC"));
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_http_no_body], 2); /* HEAD and 100 */
	CU_ASSERT_EQUAL(conn.npending, 0);
	teardown();
}

static void test_no_body_statuses(void)
{
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"
					     "GET /3 HTTP/1.1\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
					     "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"
					     "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(nseen, 1); /* the empty 200 is an object, 204 and 304 are not */
	CU_ASSERT_EQUAL(seen[0].obj.size, 0);
	CU_ASSERT_EQUAL(seen[0].obj.outcome, DP_DROP_COUNT);
	CU_ASSERT_TRUE(xxh_is(&seen[0].obj, ""));
	teardown();
}

static void test_cl_and_te_chunked_wins(void)
{
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET /x HTTP/1.1\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 206 Partial Content\r\nContent-Length: 100\r\n"
					     "Transfer-Encoding: gzip, chunked\r\n\r\n"
					     "2\r\nab\r\n0\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(nseen, 1);
	CU_ASSERT_TRUE(xxh_is(&seen[0].obj, "ab"));
	CU_ASSERT_TRUE(seen[0].obj.partial);
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_http_cl_and_te], 1);
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_objects_partial], 1);
	teardown();
}

static void test_close_delimited_and_fin(void)
{
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET http://abs.example/p HTTP/1.0\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.0 200 OK\r\n\r\nuntil"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, " close"), 0);
	CU_ASSERT_EQUAL(nseen, 0);
	dp_http_fin(&h, &conn, DP_DIR_S2C, &owner_tag);
	CU_ASSERT_EQUAL(nseen, 1);
	CU_ASSERT_TRUE(xxh_is(&seen[0].obj, "until close"));
	CU_ASSERT_EQUAL(seen[0].obj.outcome, DP_DROP_COUNT);
	CU_ASSERT_STRING_EQUAL(seen[0].txn.host, "abs.example");
	CU_ASSERT_STRING_EQUAL(seen[0].txn.path, "/p");
	teardown();
}

static void test_fin_truncates_framed_body(void)
{
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET / HTTP/1.1\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), 0);
	dp_http_fin(&h, &conn, DP_DIR_S2C, &owner_tag);
	CU_ASSERT_EQUAL(nseen, 1);
	CU_ASSERT_EQUAL(seen[0].obj.outcome, DP_DROP_obj_truncated_fin);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_obj_truncated_fin], 1);
	teardown();
}

static void test_gap_in_length_body(void)
{
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET / HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), 0);
	CU_ASSERT_EQUAL(dp_http_gap(&h, &conn, DP_DIR_S2C, 4, &owner_tag), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "xyz"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nZ"), 0);
	CU_ASSERT_EQUAL(nseen, 2);
	CU_ASSERT_EQUAL(seen[0].obj.outcome, DP_DROP_obj_incomplete);
	CU_ASSERT_EQUAL(seen[0].obj.size, 6);
	CU_ASSERT_EQUAL(seen[1].obj.outcome, DP_DROP_COUNT);
	/* A hole in a head cannot be crossed. */
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 2"), 0);
	CU_ASSERT_EQUAL(dp_http_gap(&h, &conn, DP_DIR_S2C, 4, &owner_tag), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_gap_in_head], 1);
	teardown();
}

static void test_malformed_gives_up(void)
{
	static const char *const bad_responses[] = {
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad_responses) / sizeof(bad_responses[0]); i++) {
		setup();
		CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET / HTTP/1.1\r\n\r\n"), 0);
		CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, bad_responses[i]), -1);
		CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_bad_response], 1);
		CU_ASSERT_TRUE(conn.dead);
		teardown();
	}
	setup();
	CU_ASSERT_EQUAL(dp_http_data(&h, &conn, DP_DIR_C2S, 0, (const uint8_t *)"GET /\0 HTTP/1.1", 16,
				     &owner_tag), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_bad_request], 1);
	teardown();
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_bad_request], 1);
	teardown();
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_upgrade], 1);
	teardown();
}

static void test_abandoned_object_reported_once(void)
{
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET / HTTP/1.1\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "\r\n"), 0);
	dp_http_release(&h, &conn, DP_DROP_obj_abandoned_rst, &owner_tag);
	CU_ASSERT_EQUAL(nseen, 1);
	CU_ASSERT_EQUAL(seen[0].obj.outcome, DP_DROP_obj_abandoned_rst);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_obj_abandoned_rst], 1);
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_objects], 1);
	teardown();
	CU_ASSERT_EQUAL(nseen, 1);
}

static void test_limits(void)
{
	struct dp_http_limits lim;
	char big[300];

	dp_http_limits_default(&lim);
	lim.max_header_bytes = 64;
	lim.max_headers = 2;
	lim.max_pending = 2;
	lim.max_object_bytes = 4;
	setup_limits(&lim);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, big), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_header_too_large], 1);
	teardown();
	setup_limits(&lim);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_too_many_headers], 1);
	teardown();
	setup_limits(&lim);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n"
					     "GET / HTTP/1.1\r\n\r\n"), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_pipeline_full], 1);
	teardown();
	/* Per-worker pools: one head buffer, one waiting request. */
	lim.max_heads = 1;
	lim.max_requests = 1;
	setup_limits(&lim);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET / HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_no_memory], 1);
	teardown();
	setup_limits(&lim);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET / HTTP/1.1\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\n"), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_no_memory], 1);
	teardown();
	setup_limits(&lim);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET / HTTP/1.1\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabcdef"), 0);
	CU_ASSERT_EQUAL(nseen, 1);
	CU_ASSERT_EQUAL(seen[0].obj.size, 4);
	CU_ASSERT_EQUAL(seen[0].obj.outcome, DP_DROP_obj_too_large);
	teardown();
}

/* A request without Host (HTTP/1.0), with an empty one or with one longer
 * than the stored host is parsed and its response hashed all the same: a
 * long Host is cut to 255 bytes, flagged and counted, never refused. */
static void test_host_absent_empty_or_long(void)
{
	char req[512];

	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET /a HTTP/1.0\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET /b HTTP/1.1\r\nHost:\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny"), 0);
	snprintf(req, sizeof(req), "GET /c HTTP/1.1\r\nHost: %0300d\r\n\r\n", 0);
	memset(req + 23, 0xc3, 300); /* the zeros: bytes >= 0x80 */
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, req), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz"), 0);
	CU_ASSERT_EQUAL(nseen, 3);
	CU_ASSERT_STRING_EQUAL(seen[0].txn.host, "");
	CU_ASSERT_STRING_EQUAL(seen[1].txn.host, "");
	CU_ASSERT_FALSE(seen[0].txn.host_truncated || seen[1].txn.host_truncated);
	CU_ASSERT_EQUAL(strlen(seen[2].txn.host), DP_HOST_MAX - 1);
	CU_ASSERT_TRUE(seen[2].txn.host_truncated);
	CU_ASSERT_TRUE(xxh_is(&seen[2].obj, "z"));
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_objects_complete], 3);
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_http_host_truncated], 1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_bad_request], 0);
	teardown();
}

/* What a client chooses to send must not hide the response from hashing:
 * a method longer than the stored one is cut, an HTTP/1.x version other
 * than 1.0 and 1.1 (which servers answer as 1.1) is taken. */
static void test_request_line_client_choices(void)
{
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "VERY-LONG-METHOD-NAME /a HTTP/1.1\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET /b HTTP/1.9\r\nHost: h\r\n\r\n"), 0);
	CU_ASSERT_EQUAL(send_dir(DP_DIR_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny"), 0);
	CU_ASSERT_EQUAL(nseen, 2);
	CU_ASSERT_STRING_EQUAL(seen[0].txn.method, "VERY-LONG-METHO");
	CU_ASSERT_STRING_EQUAL(seen[1].txn.path, "/b");
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_objects_complete], 2);
	teardown();
	/* still refused: no version, another major version, a lower-case one */
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET /c HTTP/3.0\r\n\r\n"), -1);
	teardown();
	setup();
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET /c HTTP/1.10\r\n\r\n"), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_http_bad_request], 1);
	teardown();
}

static void test_sync(void)
{
	setup();
	CU_ASSERT_TRUE(dp_http_sync(&conn, DP_DIR_C2S, (const uint8_t *)"GET / HTTP/1.1", 14, 0));
	CU_ASSERT_FALSE(dp_http_sync(&conn, DP_DIR_C2S, (const uint8_t *)"GETX", 4, 0));
	CU_ASSERT_FALSE(dp_http_sync(&conn, DP_DIR_C2S, (const uint8_t *)"body", 4, 0));
	/* Responses sync only after a request the server has acknowledged. */
	CU_ASSERT_FALSE(dp_http_sync(&conn, DP_DIR_S2C, (const uint8_t *)"HTTP/1.1 200", 12, 5000));
	CU_ASSERT_EQUAL(send_dir(DP_DIR_C2S, "GET / HTTP/1.1\r\n\r\n"), 0); /* ends at 1018 */
	CU_ASSERT_FALSE(dp_http_sync(&conn, DP_DIR_S2C, (const uint8_t *)"HTTP/1.1 200", 12, 1017));
	CU_ASSERT_TRUE(dp_http_sync(&conn, DP_DIR_S2C, (const uint8_t *)"HTTP/1.1 200", 12, 1018));
	CU_ASSERT_FALSE(dp_http_sync(&conn, DP_DIR_S2C, (const uint8_t *)"binary", 6, 1018));
	teardown();
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "simple_get", test_simple_get },
		{ "pipelining_pairs_in_order", test_pipelining_pairs_in_order },
		{ "no_body_statuses", test_no_body_statuses },
		{ "cl_and_te_chunked_wins", test_cl_and_te_chunked_wins },
		{ "close_delimited_and_fin", test_close_delimited_and_fin },
		{ "fin_truncates_framed_body", test_fin_truncates_framed_body },
		{ "gap_in_length_body", test_gap_in_length_body },
		{ "malformed_gives_up", test_malformed_gives_up },
		{ "abandoned_object_reported_once", test_abandoned_object_reported_once },
		{ "limits", test_limits },
		{ "sync", test_sync },
		{ "host absent, empty or long", test_host_absent_empty_or_long },
		{ "request line: long method, HTTP/1.x", test_request_line_client_choices },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("dataplane/http", tests);
}
