/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decode.c - gzip, deflate and br bodies decoded (decode.h).
 */
#include "dataplane/decode.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include <brotli/decode.h>
#include <zlib.h>

#define OUT_BUF 16384u
#define RATIO_SLACK 65536u

struct dp_decoder {
	enum dp_coding coding;
	int err;           /* sticky: 0, -EINVAL, -EFBIG */
	bool started;      /* deflate: the format was chosen */
	bool ended;        /* the stream's end was seen */
	uint64_t in, out;  /* encoded and decoded bytes so far */
	uint64_t max_out;
	uint32_t max_ratio;
	z_stream z;
	BrotliDecoderState *br;
	uint8_t buf[OUT_BUF];
};

/* ---- memory that holds object content: kept out of core dumps, zeroed ---- */

struct secure_hdr {
	size_t len; /* of the whole mapping */
	size_t pad; /* keeps what follows 16-byte aligned */
};

static void *secure_alloc(size_t n)
{
	size_t len = sizeof(struct secure_hdr) + n;
	struct secure_hdr *h = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				    -1, 0);

	if (h == MAP_FAILED)
		return NULL;
	(void)madvise(h, len, MADV_DONTDUMP); /* best effort: never fails on Linux */
	h->len = len;
	return h + 1;
}

static void secure_free(void *p)
{
	struct secure_hdr *h = p;

	if (!p)
		return;
	h--;
	explicit_bzero(h + 1, h->len - sizeof(*h));
	munmap(h, h->len);
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	return secure_alloc((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	secure_free(p);
}

static void *br_alloc(void *opaque, size_t size)
{
	(void)opaque;
	return secure_alloc(size);
}

static void br_free(void *opaque, void *p)
{
	(void)opaque;
	secure_free(p);
}

/* ---- codings ---- */

static const char *const coding_names[DP_CODING_COUNT] = {
	[DP_CODING_NONE] = "", [DP_CODING_GZIP] = "gzip", [DP_CODING_DEFLATE] = "deflate",
	[DP_CODING_BR] = "br",
};

const char *dp_coding_name(enum dp_coding c)
{
	return (unsigned int)c < DP_CODING_COUNT ? coding_names[c] : "";
}

enum dp_coding dp_coding_parse(const char *v)
{
	if (!strcasecmp(v, "gzip") || !strcasecmp(v, "x-gzip"))
		return DP_CODING_GZIP;
	if (!strcasecmp(v, "deflate"))
		return DP_CODING_DEFLATE;
	if (!strcasecmp(v, "br"))
		return DP_CODING_BR;
	return DP_CODING_NONE;
}

struct dp_decoder *dp_decoder_new(enum dp_coding c, uint64_t max_out, uint32_t max_ratio)
{
	struct dp_decoder *d;

	if (c == DP_CODING_NONE || (unsigned int)c >= DP_CODING_COUNT) {
		errno = EINVAL;
		return NULL;
	}
	d = secure_alloc(sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	d->coding = c;
	d->max_out = max_out;
	d->max_ratio = max_ratio;
	d->z.zalloc = z_alloc;
	d->z.zfree = z_free;
	if (c == DP_CODING_GZIP && inflateInit2(&d->z, 16 + MAX_WBITS) != Z_OK)
		goto out_free;
	if (c == DP_CODING_GZIP)
		d->started = true;
	if (c == DP_CODING_BR && !(d->br = BrotliDecoderCreateInstance(br_alloc, br_free, NULL)))
		goto out_free;
	return d;
out_free:
	secure_free(d);
	errno = ENOMEM;
	return NULL;
}

/* Hand @n decoded bytes on, within the caps. */
static int emit(struct dp_decoder *d, size_t n, dp_body_out_fn out, void *ctx)
{
	uint64_t cap = d->in * d->max_ratio + RATIO_SLACK;

	if (cap > d->max_out)
		cap = d->max_out;
	if (d->out + n > cap)
		return -EFBIG;
	d->out += n;
	if (n)
		out(ctx, d->buf, (uint32_t)n);
	return 0;
}

/* deflate: a zlib header (RFC 1950: CM 8, the check bits) or raw. */
static int deflate_start(struct dp_decoder *d, const uint8_t *p)
{
	bool zlib = (p[0] & 0x0f) == 8 && ((unsigned int)p[0] << 8 | p[1]) % 31 == 0;

	d->started = true;
	return inflateInit2(&d->z, zlib ? MAX_WBITS : -MAX_WBITS) == Z_OK ? 0 : -ENOMEM;
}

static int feed_zlib(struct dp_decoder *d, const uint8_t *p, uint32_t len, dp_body_out_fn out,
		     void *ctx)
{
	d->z.next_in = (Bytef *)(uintptr_t)p;
	d->z.avail_in = len;
	for (;;) {
		int r, e;

		d->z.next_out = d->buf;
		d->z.avail_out = OUT_BUF;
		r = inflate(&d->z, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return -EINVAL;
		if ((e = emit(d, OUT_BUF - d->z.avail_out, out, ctx)) < 0)
			return e;
		d->ended = r == Z_STREAM_END;
		/* Done when the input is used up and the output was not cut
		 * by a full buffer (more may be pending inside zlib). */
		if (d->ended || (d->z.avail_in == 0 && d->z.avail_out > 0))
			break;
		if (r == Z_BUF_ERROR && d->z.avail_out == OUT_BUF)
			return -EINVAL; /* no progress */
	}
	return d->z.avail_in > 0 ? -EINVAL : 0; /* bytes after the end */
}

static int feed_br(struct dp_decoder *d, const uint8_t *p, uint32_t len, dp_body_out_fn out,
		   void *ctx)
{
	size_t avail_in = len;
	const uint8_t *next_in = p;

	while (avail_in > 0 || BrotliDecoderHasMoreOutput(d->br)) {
		size_t avail_out = OUT_BUF;
		uint8_t *next_out = d->buf;
		BrotliDecoderResult r = BrotliDecoderDecompressStream(d->br, &avail_in, &next_in,
								      &avail_out, &next_out, NULL);
		int e;

		if (r == BROTLI_DECODER_RESULT_ERROR)
			return -EINVAL;
		if ((e = emit(d, OUT_BUF - avail_out, out, ctx)) < 0)
			return e;
		if (r == BROTLI_DECODER_RESULT_SUCCESS) {
			d->ended = true;
			return avail_in > 0 ? -EINVAL : 0;
		}
		if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT)
			break;
	}
	return 0;
}

int dp_decoder_feed(struct dp_decoder *d, const uint8_t *p, uint32_t len, dp_body_out_fn out,
		    void *ctx)
{
	if (d->err || len == 0)
		return d->err;
	if (d->ended)
		return d->err = -EINVAL;
	d->in += len;
	if (d->coding == DP_CODING_DEFLATE && !d->started) {
		/* Two bytes decide the format; a first piece of one is rare
		 * enough to be taken as raw. */
		uint8_t two[2] = { p[0], len > 1 ? p[1] : 0 };
		if ((d->err = deflate_start(d, two)) < 0)
			return d->err;
	}
	d->err = d->coding == DP_CODING_BR ? feed_br(d, p, len, out, ctx)
					   : feed_zlib(d, p, len, out, ctx);
	return d->err;
}

int dp_decoder_finish(const struct dp_decoder *d)
{
	if (d->err)
		return d->err;
	return d->ended ? 0 : -EINVAL;
}

uint64_t dp_decoder_out(const struct dp_decoder *d)
{
	return d->out;
}

void dp_decoder_free(struct dp_decoder *d)
{
	if (!d)
		return;
	if (d->started)
		inflateEnd(&d->z);
	if (d->br)
		BrotliDecoderDestroyInstance(d->br);
	secure_free(d);
}
