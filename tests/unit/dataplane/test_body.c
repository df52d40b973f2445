/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/body.c: Content-Length, chunked, close. */
#include "dataplane/body.h"
#include "hwall_test.h"

#include <string.h>

/* Collects decoded bytes. */
struct sink {
	char buf[4096];
	size_t len;
	unsigned int calls;
};

static void out(void *ctx, const uint8_t *p, uint32_t len)
{
	struct sink *s = ctx;
	memcpy(s->buf + s->len, p, len);
	s->len += len;
	s->calls++;
}

/* Feed @in in pieces of @step bytes; returns the input bytes consumed in
 * all and whether the body ended (-1 on an error). */
static int64_t feed(struct dp_body *b, const char *in, size_t step, struct sink *s, bool *done,
		    enum dp_drop *err)
{
	size_t len = strlen(in), off = 0;

	*done = false;
	while (off < len && !*done) {
		size_t n = len - off < step ? len - off : step;
		int64_t r = dp_body_decode(b, (const uint8_t *)in + off, (uint32_t)n, 64, out, s, done, err);
		if (r < 0)
			return -1;
		off += (size_t)r;
	}
	return (int64_t)off;
}

static void test_length(void)
{
	struct dp_body b;
	struct sink s = { .len = 0 };
	bool done;
	enum dp_drop err = DP_DROP_COUNT;

	dp_body_start(&b, DP_BODY_LENGTH, 5);
	CU_ASSERT_EQUAL(feed(&b, "helloHTTP/1.1", 3, &s, &done, &err), 5);
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(s.len, 5);
	CU_ASSERT_EQUAL(memcmp(s.buf, "hello", 5), 0);
}

static void test_chunked_with_ext_and_trailers(void)
{
	static const char in[] = "5;name=val\r\nhello\r\n1A \r\nabcdefghijklmnopqrstuvwxyz\r\n"
				 "0\r\nX-Trailer: 1\r\n\r\nNEXT";
	for (size_t step = 1; step <= sizeof(in); step += 7) {
		struct dp_body b;
		struct sink s = { .len = 0 };
		bool done;
		enum dp_drop err = DP_DROP_COUNT;

		dp_body_start(&b, DP_BODY_CHUNKED, 0);
		CU_ASSERT_EQUAL(feed(&b, in, step, &s, &done, &err), (int64_t)strlen(in) - 4);
		CU_ASSERT_TRUE(done);
		CU_ASSERT_EQUAL(s.len, 31);
		CU_ASSERT_EQUAL(memcmp(s.buf, "helloabcdefghijklmnopqrstuvwxyz", 31), 0);
	}
}

static void test_chunked_bare_lf_and_empty(void)
{
	struct dp_body b;
	struct sink s = { .len = 0 };
	bool done;
	enum dp_drop err = DP_DROP_COUNT;

	dp_body_start(&b, DP_BODY_CHUNKED, 0);
	CU_ASSERT_EQUAL(feed(&b, "3\nabc\n0\n\n", 100, &s, &done, &err), 9);
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(s.len, 3);
	dp_body_start(&b, DP_BODY_CHUNKED, 0);
	s.len = 0;
	CU_ASSERT_EQUAL(feed(&b, "0\r\n\r\n", 100, &s, &done, &err), 5);
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(s.len, 0);
}

static void test_chunked_errors(void)
{
	static const char *const bad[] = {
		"g\r\n",           /* not hex */
		"\r\n",            /* no digits */
		";x\r\n",          /* extension without size */
		"5x\r\n",          /* garbage after the size */
		"3\r\nabcX\r\n",   /* no CRLF after the data */
		"1000000000000000\r\n", /* overflow */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dp_body b;
		struct sink s = { .len = 0 };
		bool done;
		enum dp_drop err = DP_DROP_COUNT;

		dp_body_start(&b, DP_BODY_CHUNKED, 0);
		CU_ASSERT_EQUAL(feed(&b, bad[i], 2, &s, &done, &err), -1);
		CU_ASSERT_EQUAL(err, DP_DROP_http_bad_chunk);
	}
}

static void test_chunk_line_limit(void)
{
	char line[200];
	struct dp_body b;
	struct sink s = { .len = 0 };
	bool done;
	enum dp_drop err = DP_DROP_COUNT;

	memset(line, 'a', sizeof(line) - 1);
	line[0] = '1';
	line[1] = ';';
	line[sizeof(line) - 1] = '\0';
	dp_body_start(&b, DP_BODY_CHUNKED, 0);
	CU_ASSERT_EQUAL(feed(&b, line, 1000, &s, &done, &err), -1);
	CU_ASSERT_EQUAL(err, DP_DROP_http_chunk_line_too_long);
	/* Trailer lines have the same limit. */
	dp_body_start(&b, DP_BODY_CHUNKED, 0);
	line[0] = '0';
	line[1] = '\n';
	CU_ASSERT_EQUAL(feed(&b, line, 1000, &s, &done, &err), -1);
	CU_ASSERT_EQUAL(err, DP_DROP_http_chunk_line_too_long);
}

static void test_close_and_none(void)
{
	struct dp_body b;
	struct sink s = { .len = 0 };
	bool done;
	enum dp_drop err = DP_DROP_COUNT;

	dp_body_start(&b, DP_BODY_CLOSE, 0);
	CU_ASSERT_EQUAL(feed(&b, "all of it", 4, &s, &done, &err), 9);
	CU_ASSERT_FALSE(done);
	CU_ASSERT_EQUAL(s.len, 9);
	dp_body_start(&b, DP_BODY_NONE, 0);
	CU_ASSERT_EQUAL(dp_body_decode(&b, (const uint8_t *)"x", 1, 64, out, &s, &done, &err), 0);
	CU_ASSERT_TRUE(done);
}

static void test_skip(void)
{
	struct dp_body b;
	bool done;
	uint64_t rest;

	dp_body_start(&b, DP_BODY_LENGTH, 100);
	CU_ASSERT_TRUE(dp_body_skip(&b, 60, &done, &rest));
	CU_ASSERT_FALSE(done);
	CU_ASSERT_TRUE(dp_body_skip(&b, 50, &done, &rest));
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(rest, 10);
	dp_body_start(&b, DP_BODY_CLOSE, 0);
	CU_ASSERT_TRUE(dp_body_skip(&b, 50, &done, &rest));
	CU_ASSERT_FALSE(done);
	dp_body_start(&b, DP_BODY_CHUNKED, 0);
	CU_ASSERT_FALSE(dp_body_skip(&b, 50, &done, &rest));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "length", test_length },
		{ "chunked_with_ext_and_trailers", test_chunked_with_ext_and_trailers },
		{ "chunked_bare_lf_and_empty", test_chunked_bare_lf_and_empty },
		{ "chunked_errors", test_chunked_errors },
		{ "chunk_line_limit", test_chunk_line_limit },
		{ "close_and_none", test_close_and_none },
		{ "skip", test_skip },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("dataplane/body", tests);
}
