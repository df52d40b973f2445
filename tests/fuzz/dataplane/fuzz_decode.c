/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_decode.c - libFuzzer target over the Content-Encoding decoders
 * (dataplane/decode.c).  Input: one byte picking the coding (gzip,
 * deflate, br) and the piece size, then the encoded body, fed in pieces.
 * The decoded bytes may never pass the caps (a small size cap here, and
 * the ratio cap), and an error must stick.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dataplane/decode.h"

#define MAX_OUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(void *ctx, const uint8_t *p, uint32_t len)
{
	uint64_t *n = ctx;
	volatile uint8_t last = len ? p[len - 1] : 0; /* the sanitizers check the bytes */

	(void)last;
	*n += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum dp_coding codings[] = { DP_CODING_GZIP, DP_CODING_DEFLATE, DP_CODING_BR };
	struct dp_decoder *d;
	uint64_t out = 0;
	size_t piece;
	int r = 0;

	if (size < 1)
		return 0;
	d = dp_decoder_new(codings[data[0] % 3], MAX_OUT, DP_DECODE_RATIO_MAX);
	if (!d)
		return 0;
	piece = (size_t)(data[0] >> 2) + 1;
	for (size_t off = 1; off < size; off += piece) {
		size_t n = size - off < piece ? size - off : piece;
		int e = dp_decoder_feed(d, data + off, (uint32_t)n, count, &out);
		if (r && e != r)
			abort(); /* errors stick */
		r = e;
	}
	if (out != dp_decoder_out(d) || out > MAX_OUT ||
	    out > (size - 1) * (uint64_t)DP_DECODE_RATIO_MAX + 65536)
		abort();
	(void)dp_decoder_finish(d);
	dp_decoder_free(d);
	return 0;
}
