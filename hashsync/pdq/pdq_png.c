/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_png.c - PNG decoding with libspng (Debian's libspng0) from a memory
 * buffer, row by row into a sink.
 *
 * libspng rather than libpng: it decodes from a buffer without callbacks,
 * converts every colour type and depth to 8-bit RGB in one call, has
 * image-size and chunk limits of its own, takes allocator hooks (so its
 * zlib windows and row buffers are zeroed when freed), and no setjmp.
 *
 * Pixels as ImageMagick hands them to the reference: grey stays grey (one
 * channel), palettes are expanded, alpha is dropped without compositing,
 * no gamma is applied; 16-bit samples keep their high byte.  Interlaced
 * (Adam7) images are decoded whole, then handed over row by row.
 */
#include "pdq_internal.h"

#include <errno.h>
#include <string.h>

#include <spng.h>

#define PNG_CACHE_MAX (4u << 20) /* ancillary chunks kept (text, ICC...) */
#define PNG_CHUNKS_MAX 1000      /* chunks of any kind */

static struct spng_alloc zeroing_alloc = {
	.malloc_fn = pdq_zmalloc,
	.realloc_fn = pdq_zrealloc,
	.calloc_fn = pdq_zcalloc,
	.free_fn = pdq_zfree,
};

static int from_spng(int e)
{
	switch (e) {
	case SPNG_EMEM:
		return -ENOMEM;
	case SPNG_EOVERFLOW:
	case SPNG_EUSER_WIDTH:
	case SPNG_EUSER_HEIGHT:
	case SPNG_ECHUNK_LIMITS:
		return -E2BIG;
	default:
		return -EINVAL;
	}
}

/* 8-bit grey (with or without alpha) stays one channel; anything else
 * becomes RGB. */
static int pick_format(const struct spng_ihdr *ihdr, unsigned int *ret_channels)
{
	if (ihdr->color_type == SPNG_COLOR_TYPE_GRAYSCALE && ihdr->bit_depth <= 8) {
		*ret_channels = 1;
		return SPNG_FMT_G8;
	}
	if (ihdr->color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA && ihdr->bit_depth == 8) {
		*ret_channels = 1;
		return SPNG_FMT_GA8;
	}
	*ret_channels = 3;
	return SPNG_FMT_RGB8;
}

/* GA8 to G8 in place. */
static void drop_alpha(uint8_t *px, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		px[i] = px[2 * i];
}

static void deliver(struct pdq_sink *sink, uint8_t *px, uint32_t y, uint32_t w, int fmt)
{
	if (fmt == SPNG_FMT_GA8)
		drop_alpha(px, w);
	sink->row(sink, y, px);
}

/* Row by row for plain images; whole for interlaced ones. */
static int read_rows(spng_ctx *ctx, const struct spng_ihdr *ihdr, int fmt, size_t row_len,
		     struct pdq_sink *sink)
{
	bool interlaced = ihdr->interlace_method != SPNG_INTERLACE_NONE;
	size_t len = interlaced ? row_len * ihdr->height : row_len;
	uint8_t *buf = pdq_buf_alloc(len);
	int r = 0, e;

	if (!buf)
		return -ENOMEM;
	if (interlaced) {
		e = spng_decode_image(ctx, buf, len, fmt, 0);
		for (uint32_t y = 0; e == 0 && y < ihdr->height; y++)
			deliver(sink, buf + y * row_len, y, ihdr->width, fmt);
		r = e ? from_spng(e) : 0;
		goto out_free;
	}
	e = spng_decode_image(ctx, NULL, 0, fmt, SPNG_DECODE_PROGRESSIVE);
	for (uint32_t y = 0; e == 0 && y < ihdr->height; y++) {
		e = spng_decode_row(ctx, buf, row_len);
		if (e == 0 || (e == SPNG_EOI && y == ihdr->height - 1)) {
			deliver(sink, buf, y, ihdr->width, fmt);
			e = 0;
		}
	}
	r = e ? from_spng(e) : 0;
out_free:
	pdq_buf_free(buf, len);
	return r;
}

int pdq_decode_png(const uint8_t *buf, size_t len, const struct pdq_limits *lim,
		   struct pdq_sink *sink)
{
	struct spng_ihdr ihdr;
	struct pdq_geom geom;
	spng_ctx *ctx;
	unsigned int bpp;
	size_t row_len;
	int fmt, e, r;

	ctx = spng_ctx_new2(&zeroing_alloc, 0);
	if (!ctx)
		return -ENOMEM;
	spng_set_image_limits(ctx, lim->max_side, lim->max_side);
	spng_set_chunk_limits(ctx, len, PNG_CACHE_MAX);
	spng_set_option(ctx, SPNG_CHUNK_COUNT_LIMIT, PNG_CHUNKS_MAX);
	e = spng_set_png_buffer(ctx, buf, len);
	if (e == 0)
		e = spng_get_ihdr(ctx, &ihdr);
	if (e) {
		r = from_spng(e);
		goto out_free;
	}
	fmt = pick_format(&ihdr, &geom.channels);
	/* GA8 rows are two bytes a pixel until the alpha is dropped. */
	bpp = fmt == SPNG_FMT_GA8 ? 2 : geom.channels;
	r = pdq_check_size(lim, ihdr.width, ihdr.height, bpp);
	if (r < 0)
		goto out_free;
	row_len = (size_t)ihdr.width * bpp;
	geom.width = geom.src_width = ihdr.width;
	geom.height = geom.src_height = ihdr.height;
	r = sink->begin(sink, &geom);
	if (r == 0)
		r = read_rows(ctx, &ihdr, fmt, row_len, sink);
out_free:
	spng_ctx_free(ctx);
	return r;
}
