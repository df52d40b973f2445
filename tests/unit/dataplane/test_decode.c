/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/decode.c: gzip, deflate (zlib and raw) and br
 * bodies made here from synthetic bytes (zlib, libbrotlienc), decoded in
 * pieces of several sizes; streams cut short or followed by garbage; the
 * size and ratio caps (a br bomb); Content-Encoding values. */
#include "dataplane/decode.h"
#include "hwall_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/encode.h>
#include <zlib.h>

#define BODY_LEN 200000

struct sink {
	uint8_t *buf;
	size_t len, cap;
};

static void sink_out(void *ctx, const uint8_t *p, uint32_t len)
{
	struct sink *s = ctx;

	if (s->len + len <= s->cap)
		memcpy(s->buf + s->len, p, len);
	s->len += len;
}

/* Compressible synthetic text: PRNG words from a small alphabet. */
static uint8_t *body_new(size_t len)
{
	uint8_t *b = malloc(len);
	uint64_t seed = 16;

	for (size_t i = 0; b && i < len; i++)
		b[i] = (uint8_t)("abcdefgh \n"[hwall_test_rand(&seed) % 10]);
	return b;
}

/* @in compressed as @c into a malloc'ed buffer; *ret_len its length. */
static uint8_t *encode(enum dp_coding c, bool raw, const uint8_t *in, size_t len, size_t *ret_len)
{
	size_t cap = len + len / 10 + 1024;
	uint8_t *out = malloc(cap);
	z_stream z = { 0 };
	int bits = c == DP_CODING_GZIP ? 16 + MAX_WBITS : raw ? -MAX_WBITS : MAX_WBITS;

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	if (c == DP_CODING_BR) {
		CU_ASSERT_TRUE(BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, len,
						     in, &cap, out));
		*ret_len = cap;
		return out;
	}
	CU_ASSERT_EQUAL(deflateInit2(&z, 6, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	CU_ASSERT_EQUAL(deflate(&z, Z_FINISH), Z_STREAM_END);
	*ret_len = z.total_out;
	deflateEnd(&z);
	return out;
}

/* Decode @enc in pieces of @piece bytes; the decoder's result. */
static int decode(enum dp_coding c, const uint8_t *enc, size_t len, size_t piece, uint64_t max_out,
		  struct sink *s)
{
	struct dp_decoder *d = dp_decoder_new(c, max_out, DP_DECODE_RATIO_MAX);
	int r = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	for (size_t off = 0; off < len && r == 0; off += piece)
		r = dp_decoder_feed(d, enc + off, (uint32_t)(len - off < piece ? len - off : piece),
				    sink_out, s);
	r = r ? r : dp_decoder_finish(d);
	CU_ASSERT_EQUAL(dp_decoder_out(d), s->len);
	dp_decoder_free(d);
	return r;
}

static void round_trip(enum dp_coding c, bool raw)
{
	static const size_t pieces[] = { 1, 7, 1460, 65536 };
	uint8_t *body = body_new(BODY_LEN), *out = malloc(BODY_LEN);
	size_t n;
	uint8_t *enc = encode(c, raw, body, BODY_LEN, &n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		struct sink s = { out, 0, BODY_LEN };
		/* 1-byte pieces of 200 KB are slow under sanitizers: the
		 * first 20 KB of the stream then. */
		size_t len = pieces[i] == 1 ? n / 10 : n;
		int r = decode(c, enc, len, pieces[i], 1u << 30, &s);

		CU_ASSERT_EQUAL(r, len == n ? 0 : -EINVAL); /* cut short: truncated */
		CU_ASSERT_TRUE(len < n || s.len == BODY_LEN);
		CU_ASSERT_EQUAL(memcmp(out, body, s.len < BODY_LEN ? s.len : BODY_LEN), 0);
	}
	free(enc);
	free(out);
	free(body);
}

static void test_gzip(void)
{
	round_trip(DP_CODING_GZIP, false);
}

static void test_deflate_zlib_and_raw(void)
{
	round_trip(DP_CODING_DEFLATE, false);
	round_trip(DP_CODING_DEFLATE, true);
}

static void test_br(void)
{
	round_trip(DP_CODING_BR, false);
}

/* Garbage, bytes after the end, the size cap. */
static void test_errors(void)
{
	uint8_t *body = body_new(5000), *big = malloc(5000 + 16);
	uint8_t out[8192];
	size_t n;
	uint8_t *enc = encode(DP_CODING_GZIP, false, body, 5000, &n);
	struct sink s = { out, 0, sizeof(out) };

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT_EQUAL(decode(DP_CODING_GZIP, (const uint8_t *)"not a gzip stream", 17, 17, 1 << 20, &s),
			-EINVAL);
	memcpy(big, enc, n);
	memcpy(big + n, "trailing garbage", 16);
	s.len = 0;
	CU_ASSERT_EQUAL(decode(DP_CODING_GZIP, big, n + 16, 4096, 1 << 20, &s), -EINVAL);
	s.len = 0;
	CU_ASSERT_EQUAL(decode(DP_CODING_GZIP, enc, n, 4096, 1000, &s), -EFBIG);
	CU_ASSERT_TRUE(s.len <= 1000);
	s.len = 0;
	CU_ASSERT_EQUAL(decode(DP_CODING_BR, (const uint8_t *)"\xff\xff\xff\xff", 4, 4, 1 << 20, &s),
			-EINVAL);
	free(enc);
	free(big);
	free(body);
}

/* 64 MiB of zeros in a few dozen bytes of br: stopped by the ratio cap
 * (1100 times the bytes given, plus 64 KiB), far below the size cap. */
static void test_bomb(void)
{
	size_t len = 64u << 20, n;
	uint8_t *zeros = calloc(1, len), *enc;
	struct sink s = { NULL, 0, 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(zeros);
	enc = encode(DP_CODING_BR, false, zeros, len, &n);
	free(zeros);
	CU_ASSERT_TRUE(n < 1000);
	CU_ASSERT_EQUAL(decode(DP_CODING_BR, enc, n, n, 1u << 30, &s), -EFBIG);
	CU_ASSERT_TRUE(s.len <= n * DP_DECODE_RATIO_MAX + 65536);
	free(enc);
}

static void test_coding_names(void)
{
	CU_ASSERT_EQUAL(dp_coding_parse("gzip"), DP_CODING_GZIP);
	CU_ASSERT_EQUAL(dp_coding_parse("X-GZIP"), DP_CODING_GZIP);
	CU_ASSERT_EQUAL(dp_coding_parse("Deflate"), DP_CODING_DEFLATE);
	CU_ASSERT_EQUAL(dp_coding_parse("br"), DP_CODING_BR);
	CU_ASSERT_EQUAL(dp_coding_parse("identity"), DP_CODING_NONE);
	CU_ASSERT_EQUAL(dp_coding_parse("gzip, br"), DP_CODING_NONE);
	CU_ASSERT_EQUAL(dp_coding_parse(""), DP_CODING_NONE);
	CU_ASSERT_STRING_EQUAL(dp_coding_name(DP_CODING_BR), "br");
	CU_ASSERT_PTR_NULL(dp_decoder_new(DP_CODING_NONE, 1, 1));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "gzip", test_gzip },
		{ "deflate_zlib_and_raw", test_deflate_zlib_and_raw },
		{ "br", test_br },
		{ "errors", test_errors },
		{ "bomb", test_bomb },
		{ "coding_names", test_coding_names },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("dataplane/decode", tests);
}
