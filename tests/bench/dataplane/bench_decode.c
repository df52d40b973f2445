/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_decode.c - Content-Encoding decoding on one core (dataplane/decode.c):
 * 64 MiB of synthetic markup-like text (PRNG words of a small vocabulary)
 * made into gzip, deflate and br here, then decoded by the dataplane's decoder
 * into xxh3-128 (what the digest stage does with the decoded bytes), in
 * 1460-byte pieces as they come off the wire.  Baselines in the same run:
 * xxh3-128 over the plain bytes, and zlib's inflate into a plain buffer (no
 * caps, no private mappings).  Figures are GB/s of decoded output; nothing
 * is asserted about time; times are the thread's CPU time (a loaded
 * machine takes the core away now and then).  Usage: bench_decode [MiB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <brotli/encode.h>
#include <xxhash.h>
#include <zlib.h>

#include "dataplane/decode.h"

#define PIECE 1460

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void to_xxh3(void *ctx, const uint8_t *p, uint32_t len)
{
	XXH3_128bits_update(ctx, p, len);
}

static uint8_t *encode(enum dp_coding c, const uint8_t *in, size_t len, size_t *ret_len)
{
	size_t cap = len + len / 10 + 4096;
	uint8_t *out = malloc(cap);
	z_stream z = { 0 };

	if (!out)
		exit(1);
	if (c == DP_CODING_BR) {
		if (!BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, len, in, &cap, out))
			exit(1);
		*ret_len = cap;
		return out;
	}
	deflateInit2(&z, 6, Z_DEFLATED, c == DP_CODING_GZIP ? 16 + MAX_WBITS : MAX_WBITS, 8,
		     Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	*ret_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static double decode_gbps(enum dp_coding c, const uint8_t *enc, size_t n, size_t len)
{
	XXH3_state_t *st = XXH3_createState();
	struct dp_decoder *d = dp_decoder_new(c, 1ull << 40, DP_DECODE_RATIO_MAX);
	double t0 = now_s(), t;

	XXH3_128bits_reset(st);
	for (size_t off = 0; off < n; off += PIECE)
		dp_decoder_feed(d, enc + off, (uint32_t)(n - off < PIECE ? n - off : PIECE), to_xxh3, st);
	(void)XXH3_128bits_digest(st);
	t = now_s() - t0;
	if (dp_decoder_finish(d) != 0 || dp_decoder_out(d) != len)
		fprintf(stderr, "bench_decode: %s did not decode back\n", dp_coding_name(c));
	dp_decoder_free(d);
	XXH3_freeState(st);
	return (double)len / t / 1e9;
}

int main(int argc, char **argv)
{
	size_t len = (argc > 1 ? strtoul(argv[1], NULL, 10) : 64) << 20, n;
	uint8_t *plain = malloc(len), *out = malloc(len), *enc;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	z_stream z = { 0 };
	double t0;

	if (!plain || !out)
		return 1;
	/* Words of a 32-word vocabulary, PRNG-chosen: markup-like text. */
	for (size_t i = 0; i < len;) {
		static const char *const words[32] = {
			"<div ", "class=", "\"item\" ", "</div>\n", "the ", "of ", "and ", "<a href=",
			"\"/img/", ".jpg\">", "</a>", "<span>", "</span>", "data-id=", "style=",
			"\"color:", "#", "fff", "000", ";\" ", "<li>", "</li>\n", "title", "page ",
			"next ", "prev ", "2024 ", "news ", "photo ", "video ", "user ", "more ",
		};
		const char *w;
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		w = words[seed % 32];
		for (; *w && i < len; w++)
			plain[i++] = (uint8_t)*w;
	}
	t0 = now_s();
	(void)XXH3_128bits(plain, len);
	printf("xxh3-128 over the plain bytes: %.2f GB/s\n", (double)len / (now_s() - t0) / 1e9);
	enc = encode(DP_CODING_GZIP, plain, len, &n);
	memset(out, 0, len); /* its pages faulted in before the clock */
	inflateInit2(&z, 16 + MAX_WBITS);
	z.next_in = enc;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)len;
	t0 = now_s();
	inflate(&z, Z_FINISH);
	printf("zlib inflate alone (one call, no hashing): %.2f GB/s\n", (double)len / (now_s() - t0) / 1e9);
	inflateEnd(&z);
	printf("gzip    (%.1f:1): %.2f GB/s decoded and hashed\n", (double)len / (double)n,
	       decode_gbps(DP_CODING_GZIP, enc, n, len));
	free(enc);
	enc = encode(DP_CODING_DEFLATE, plain, len, &n);
	printf("deflate (%.1f:1): %.2f GB/s decoded and hashed\n", (double)len / (double)n,
	       decode_gbps(DP_CODING_DEFLATE, enc, n, len));
	free(enc);
	enc = encode(DP_CODING_BR, plain, len, &n);
	printf("br      (%.1f:1): %.2f GB/s decoded and hashed\n", (double)len / (double)n,
	       decode_gbps(DP_CODING_BR, enc, n, len));
	free(enc);
	printf("target (issue 16): gzip at least 1 GB/s of output per core\n");
	free(plain);
	free(out);
	return 0;
}
