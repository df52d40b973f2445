/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/http2.c: streams to objects (request fields,
 * status, DATA with padding, CONTINUATION, concurrent streams), digests
 * against the bodies, segmentation invariance, RST_STREAM, holes, and every
 * limit and protocol error with its counter. */
#include "dataplane/http2.h"
#include "h2_build.h"
#include "hwall_test.h"

#include <string.h>

#include <xxhash.h>

#define OBJS_MAX 64

struct seen {
	struct dp_obj obj;
	struct dp_txn txn;
	bool has_txn;
};

static struct seen seen[OBJS_MAX];
static unsigned int nseen;
static struct dp_counters ctr;
static struct dp_http http;
static struct dp_h2 h2;
static struct dp_h2_conn *conn;
static struct h2b cli, srv; /* the client's and the server's byte streams */
static int owner_tag;

static void on_obj(void *ctx, void *owner, const struct dp_obj *o)
{
	CU_ASSERT_PTR_EQUAL(ctx, &http);
	CU_ASSERT_PTR_EQUAL(owner, &owner_tag);
	CU_ASSERT_TRUE_FATAL(nseen < OBJS_MAX);
	seen[nseen].obj = *o;
	seen[nseen].has_txn = o->txn != NULL;
	if (o->txn)
		seen[nseen].txn = *o->txn;
	nseen++;
}

static void setup_lim(const struct dp_h2_limits *lim)
{
	struct dp_http_limits hl;

	dp_http_limits_default(&hl);
	memset(&ctr, 0, sizeof(ctr));
	nseen = 0;
	dp_http_init(&http, &hl, 0, 64, &ctr, on_obj, &http);
	dp_h2_init(&h2, lim, &http);
	conn = dp_h2_conn_new(&h2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	h2b_init(&cli);
	h2b_init(&srv);
	h2b_preface(&cli);
	h2b_settings(&cli, 0, 0);
	h2b_settings(&srv, 0, 0);
}

static void setup(void)
{
	setup_lim(NULL);
}

static void teardown(void)
{
	dp_h2_conn_free(&h2, conn, DP_DROP_obj_abandoned_end, &owner_tag);
	dp_http_fini(&http);
	h2b_free(&cli);
	h2b_free(&srv);
}

/* Feed the client's stream, then the server's, in pieces of @step bytes
 * (0: whole); returns the first non-zero result. */
static int feed(uint32_t step)
{
	struct h2b *b[2] = { &cli, &srv };
	int r = 0;

	for (int d = 0; d < 2 && r == 0; d++)
		for (size_t off = 0; off < b[d]->len && r == 0;) {
			uint32_t n = step && b[d]->len - off > step ? step : (uint32_t)(b[d]->len - off);

			r = dp_h2_data(&h2, conn, d ? DP_DIR_S2C : DP_DIR_C2S, b[d]->p + off, n, &owner_tag);
			off += n;
		}
	return r;
}

static bool xxh_is(const struct dp_obj *o, const void *p, size_t len)
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits(p, len));
	return memcmp(c.digest, o->digests.bytes[HWALL_ALGO_XXH3_128], 16) == 0;
}

static void body_of(uint8_t *buf, size_t len, uint64_t seed)
{
	uint64_t st = seed;

	hwall_test_rand_bytes(&st, buf, len);
}

/* One GET on stream 1 and its 200 with @body in DATA frames of @frame
 * bytes, every other one padded. */
static void one_exchange(const uint8_t *body, uint32_t len, uint32_t frame)
{
	h2b_get(&cli, 1, "www.example", "/img/a.jpg?x=1");
	h2b_status(&srv, 1, "200", 0);
	for (uint32_t off = 0, i = 0; off < len; off += frame, i++) {
		uint32_t n = len - off < frame ? len - off : frame;

		h2b_data(&srv, 1, body + off, n, (uint8_t)(i % 2 ? 7 : 0), off + n == len);
	}
}

static void test_one_stream(void)
{
	uint8_t body[40000];

	setup();
	body_of(body, sizeof(body), 1);
	one_exchange(body, sizeof(body), 16384);
	CU_ASSERT_EQUAL(feed(0), 0);
	CU_ASSERT_EQUAL_FATAL(nseen, 1);
	CU_ASSERT_EQUAL(seen[0].obj.outcome, DP_DROP_COUNT);
	CU_ASSERT_EQUAL(seen[0].obj.size, sizeof(body));
	CU_ASSERT_EQUAL(seen[0].obj.status, 200);
	CU_ASSERT_TRUE(xxh_is(&seen[0].obj, body, sizeof(body)));
	CU_ASSERT_TRUE_FATAL(seen[0].has_txn);
	CU_ASSERT_STRING_EQUAL(seen[0].txn.method, "GET");
	CU_ASSERT_STRING_EQUAL(seen[0].txn.host, "www.example");
	CU_ASSERT_STRING_EQUAL(seen[0].txn.path, "/img/a.jpg?x=1");
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_h2_streams], 1);
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_objects_complete], 1);
	teardown();
}

/* The same streams fed whole, in 1-byte and in 7-byte pieces give the same objects. */
static void test_segmentation_invariance(void)
{
	static const uint32_t steps[] = { 0, 1, 7 };
	uint8_t body[5000];
	struct seen first;

	body_of(body, sizeof(body), 2);
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		setup();
		one_exchange(body, sizeof(body), 1000);
		CU_ASSERT_EQUAL(feed(steps[s]), 0);
		CU_ASSERT_EQUAL_FATAL(nseen, 1);
		if (s == 0)
			first = seen[0];
		CU_ASSERT_EQUAL(memcmp(&first.obj.digests, &seen[0].obj.digests, sizeof(first.obj.digests)), 0);
		CU_ASSERT_STRING_EQUAL(first.txn.path, seen[0].txn.path);
		CU_ASSERT_EQUAL(seen[0].obj.outcome, DP_DROP_COUNT);
		teardown();
	}
}

/* 20 streams whose DATA frames interleave: every object exact. */
static void test_concurrent_streams(void)
{
	enum { N = 20, LEN = 3000 };
	static uint8_t bodies[N][LEN];
	char path[N][32];

	setup();
	for (uint32_t i = 0; i < N; i++) {
		snprintf(path[i], sizeof(path[i]), "/o/%u", i);
		body_of(bodies[i], LEN, 100 + i);
		h2b_get(&cli, 2 * i + 1, "h", path[i]);
		h2b_status(&srv, 2 * i + 1, "200", 0);
	}
	for (uint32_t off = 0; off < LEN; off += 1000)
		for (uint32_t i = 0; i < N; i++)
			h2b_data(&srv, 2 * i + 1, bodies[i] + off, 1000, 0, off + 1000 == LEN);
	CU_ASSERT_EQUAL(feed(0), 0);
	CU_ASSERT_EQUAL_FATAL(nseen, N);
	for (uint32_t k = 0; k < N; k++) {
		unsigned int i = (unsigned int)atoi(seen[k].txn.path + 3);

		CU_ASSERT_TRUE(i < N);
		CU_ASSERT_TRUE(xxh_is(&seen[k].obj, bodies[i % N], LEN));
		CU_ASSERT_EQUAL(seen[k].obj.outcome, DP_DROP_COUNT);
	}
	teardown();
}

/* A header block split into HEADERS + CONTINUATION, a 304 and a HEAD without body. */
static void test_continuation_and_no_body(void)
{
	const char *kv[] = { ":method", "GET", ":scheme", "https", ":authority", "c.example",
			     ":path", "/split", "x-long", "0123456789012345678901234567890123456789" };
	uint8_t blk[512], body[10] = "0123456789";
	size_t n;

	setup();
	n = h2b_block(&cli, kv, 5, blk, sizeof(blk));
	h2b_frame(&cli, 0x1, 0x1, 1, blk, 10);                      /* HEADERS, no END_HEADERS */
	h2b_frame(&cli, 0x9, 0, 1, blk + 10, 10);                   /* CONTINUATION */
	h2b_frame(&cli, 0x9, 0x4, 1, blk + 20, (uint32_t)(n - 20)); /* CONTINUATION, END_HEADERS */
	h2b_get(&cli, 3, "c.example", "/cached");
	h2b_status(&srv, 3, "304", 1);
	h2b_status(&srv, 1, "200", 0);
	h2b_data(&srv, 1, body, 10, 0, 1);
	CU_ASSERT_EQUAL(feed(0), 0);
	CU_ASSERT_EQUAL_FATAL(nseen, 1);
	CU_ASSERT_STRING_EQUAL(seen[0].txn.path, "/split");
	CU_ASSERT_STRING_EQUAL(seen[0].txn.host, "c.example");
	CU_ASSERT_TRUE(xxh_is(&seen[0].obj, body, 10));
	CU_ASSERT_EQUAL(ctr.info[DP_INFO_http_no_body], 1);
	teardown();
}

/* RST_STREAM ends the stream's object as obj_h2_reset; the connection goes on. */
static void test_rst_stream(void)
{
	uint8_t body[100] = { 1 }, code[4] = { 0, 0, 0, 8 };

	setup();
	h2b_get(&cli, 1, "h", "/r");
	h2b_get(&cli, 3, "h", "/ok");
	h2b_status(&srv, 1, "200", 0);
	h2b_data(&srv, 1, body, 100, 0, 0);
	h2b_frame(&srv, 0x3, 0, 1, code, 4);
	h2b_status(&srv, 3, "200", 0);
	h2b_data(&srv, 3, body, 100, 0, 1);
	CU_ASSERT_EQUAL(feed(0), 0);
	CU_ASSERT_EQUAL_FATAL(nseen, 2);
	CU_ASSERT_EQUAL(seen[0].obj.outcome, DP_DROP_obj_h2_reset);
	CU_ASSERT_EQUAL(seen[1].obj.outcome, DP_DROP_COUNT);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_obj_h2_reset], 1);
	teardown();
}

/* A hole inside a DATA payload: that object incomplete, parsing goes on;
 * a hole in a frame header gives the connection up. */
static void test_holes(void)
{
	uint8_t body[1000] = { 2 };

	setup();
	one_exchange(body, sizeof(body), 1000);
	h2b_get(&cli, 3, "h", "/next");
	CU_ASSERT_EQUAL(dp_h2_data(&h2, conn, DP_DIR_C2S, cli.p, (uint32_t)cli.len, &owner_tag), 0);
	/* server: SETTINGS (9) + HEADERS + DATA header (9) + 10 body bytes, hole of 500 */
	{
		size_t head = srv.len - 1000, upto = head + 10;

		CU_ASSERT_EQUAL(dp_h2_data(&h2, conn, DP_DIR_S2C, srv.p, (uint32_t)upto, &owner_tag), 0);
		CU_ASSERT_EQUAL(dp_h2_gap(&h2, conn, DP_DIR_S2C, 500, &owner_tag), 0);
		CU_ASSERT_EQUAL(dp_h2_data(&h2, conn, DP_DIR_S2C, srv.p + upto + 500,
					   (uint32_t)(srv.len - upto - 500), &owner_tag), 0);
	}
	CU_ASSERT_EQUAL_FATAL(nseen, 1);
	CU_ASSERT_TRUE(seen[0].obj.holes);
	CU_ASSERT_EQUAL(seen[0].obj.outcome, DP_DROP_obj_incomplete);
	CU_ASSERT_EQUAL(dp_h2_gap(&h2, conn, DP_DIR_S2C, 3, &owner_tag), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_h2_gap_in_frame], 1);
	teardown();
}

/* One table row: a server stream built by @build gives the connection up
 * with @reason; an object in flight on stream 1 ends abandoned. */
struct bad_row {
	const char *name;
	void (*build)(void);
	enum dp_drop reason;
	uint32_t max_streams;
	bool before_response; /* given up before stream 1's response started */
};

static void bad_data_on_0(void) { h2b_frame(&srv, 0x0, 0, 0, "x", 1); }
static void bad_continuation(void) { h2b_frame(&srv, 0x9, 0x4, 1, "\x88", 1); }
static void bad_padding(void) { h2b_frame(&srv, 0x0, 0x8, 1, "\x05" "ab", 3); }
static void bad_ping_len(void) { h2b_frame(&srv, 0x6, 0, 0, "1234567", 7); }
static void bad_settings_len(void) { h2b_frame(&srv, 0x4, 0, 0, "12345", 5); }
static void bad_hpack(void) { h2b_frame(&srv, 0x1, 0x4, 1, "\xff\xff\xff\xff\xff\xff", 6); }
static void big_table(void) { h2b_settings(&srv, 1, 1u << 20); }
static void interrupted_block(void)
{
	h2b_frame(&srv, 0x1, 0, 1, "\x88", 1);
	h2b_frame(&srv, 0x0, 0, 1, "x", 1);
}
static void big_block(void)
{
	static uint8_t z[70000];
	h2b_frame(&srv, 0x1, 0, 1, z, sizeof(z));
}
static void big_list(void)
{
	static char v[8000];
	const char *kv[] = { ":status", "200", "a", v, "b", v, "c", v, "d", v, "e", v, "f", v,
			     "g", v, "h", v, "i", v };
	memset(v, 'v', sizeof(v) - 1);
	h2b_headers(&srv, 1, 0, kv, 10);
}
static void many_streams(void)
{
	h2b_get(&cli, 3, "h", "/b");
	h2b_get(&cli, 5, "h", "/c");
}

static const struct bad_row bad_rows[] = {
	{ "DATA on stream 0", bad_data_on_0, DP_DROP_h2_protocol_error, 0 },
	{ "CONTINUATION without HEADERS", bad_continuation, DP_DROP_h2_protocol_error, 0 },
	{ "padding longer than the frame", bad_padding, DP_DROP_h2_protocol_error, 0 },
	{ "PING of 7 bytes", bad_ping_len, DP_DROP_h2_protocol_error, 0 },
	{ "SETTINGS of 5 bytes", bad_settings_len, DP_DROP_h2_protocol_error, 0 },
	{ "DATA inside a header block", interrupted_block, DP_DROP_h2_protocol_error, 0 },
	{ "HPACK garbage", bad_hpack, DP_DROP_h2_hpack_error, 0 },
	{ "HEADER_TABLE_SIZE 1 MiB", big_table, DP_DROP_h2_hpack_table_too_large, 0 },
	{ "header block over max_block", big_block, DP_DROP_h2_block_too_large, 0 },
	{ "header list over max_header_list", big_list, DP_DROP_h2_header_list_too_large, 0 },
	{ "3 streams with max_streams 2", many_streams, DP_DROP_h2_too_many_streams, 2, true },
};

static void test_bad_rows(void)
{
	uint8_t body[10] = { 3 };

	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		const struct bad_row *row = &bad_rows[i];
		struct dp_h2_limits lim;

		dp_h2_limits_default(&lim);
		lim.max_streams = row->max_streams ? row->max_streams : lim.max_streams;
		setup_lim(&lim);
		h2b_get(&cli, 1, "h", "/a");
		h2b_status(&srv, 1, "200", 0);
		h2b_data(&srv, 1, body, 10, 0, 0);
		row->build();
		CU_ASSERT_EQUAL(feed(0), -1);
		if (ctr.drop[row->reason] != 1)
			fprintf(stderr, "row '%s': counter %s not 1\n", row->name, dp_drop_name(row->reason));
		CU_ASSERT_EQUAL(ctr.drop[row->reason], 1);
		CU_ASSERT_EQUAL(nseen, row->before_response ? 0 : 1);
		CU_ASSERT_TRUE(nseen == 0 || seen[0].obj.outcome == DP_DROP_obj_abandoned_conn);
		CU_ASSERT_EQUAL(dp_h2_data(&h2, conn, DP_DIR_S2C, body, 1, &owner_tag), -1);
		teardown();
	}
}

static void test_bad_preface(void)
{
	static const char wrong[] = "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n";

	setup();
	CU_ASSERT_EQUAL(dp_h2_data(&h2, conn, DP_DIR_C2S, (const uint8_t *)wrong, 24, &owner_tag), -1);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_h2_protocol_error], 1);
	teardown();
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "one stream: fields, status, padded DATA, digest", test_one_stream },
		{ "1-byte and 7-byte pieces give the same object", test_segmentation_invariance },
		{ "20 interleaved streams", test_concurrent_streams },
		{ "CONTINUATION, 304 without body", test_continuation_and_no_body },
		{ "RST_STREAM", test_rst_stream },
		{ "holes", test_holes },
		{ "protocol errors and limits", test_bad_rows },
		{ "bad preface", test_bad_preface },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("dataplane/http2", tests);
}
