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
#include "pdq_int.h"

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

/*
 * Grey (with or without alpha, any depth) stays one channel, anything else
 * becomes 8-bit RGB.  libspng 0.7 converts grey to 8 bits only for depths
 * up to 8 without alpha (SPNG_FMT_G8); 8- and 16-bit grey, with or without
 * alpha, come in the file's own layout (SPNG_FMT_PNG, host-endian) and
 * grey_row() keeps the first sample's high byte.  *ret_bpp: bytes per
 * pixel as decoded.
 */
static int pick_format(const struct spng_ihdr *ihdr, unsigned int *ret_channels,
		       unsigned int *ret_bpp)
{
	bool grey = ihdr->color_type == SPNG_COLOR_TYPE_GRAYSCALE ||
		    ihdr->color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;

	if (!grey) {
		*ret_channels = *ret_bpp = 3;
		return SPNG_FMT_RGB8;
	}
	*ret_channels = 1;
	if (ihdr->bit_depth < 8) {
		*ret_bpp = 1;
		return SPNG_FMT_G8;
	}
	*ret_bpp = ihdr->bit_depth / 8u *
		   (ihdr->color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA ? 2u : 1u);
	return SPNG_FMT_PNG;
}

/* A raw grey row (@bpp bytes a pixel, @depth bits a sample) to one byte a
 * pixel, in place. */
static void grey_row(uint8_t *px, uint32_t w, unsigned int bpp, unsigned int depth)
{
	for (uint32_t x = 0; x < w; x++) {
		uint16_t v;
		if (depth == 16) {
			memcpy(&v, px + (size_t)x * bpp, sizeof(v));
			px[x] = (uint8_t)(v >> 8);
		} else {
			px[x] = px[(size_t)x * bpp];
		}
	}
}

struct png_out {
	int fmt;
	unsigned int bpp;
	unsigned int depth;
	uint32_t width;
};

static void deliver(struct pdq_sink *sink, uint8_t *px, uint32_t y, const struct png_out *o)
{
	if (o->fmt == SPNG_FMT_PNG)
		grey_row(px, o->width, o->bpp, o->depth);
	sink->row(sink, y, px);
}

/* Row by row for plain images; whole for interlaced ones. */
static int read_rows(spng_ctx *ctx, const struct spng_ihdr *ihdr, const struct png_out *o,
		     struct pdq_sink *sink)
{
	bool interlaced = ihdr->interlace_method != SPNG_INTERLACE_NONE;
	size_t row_len = (size_t)ihdr->width * o->bpp;
	size_t len = interlaced ? row_len * ihdr->height : row_len;
	uint8_t *buf = pdq_buf_alloc(len);
	int r = 0, e;

	if (!buf)
		return -ENOMEM;
	if (interlaced) {
		e = spng_decode_image(ctx, buf, len, o->fmt, 0);
		for (uint32_t y = 0; e == 0 && y < ihdr->height; y++)
			deliver(sink, buf + y * row_len, y, o);
		r = e ? from_spng(e) : 0;
		goto out_free;
	}
	e = spng_decode_image(ctx, NULL, 0, o->fmt, SPNG_DECODE_PROGRESSIVE);
	for (uint32_t y = 0; e == 0 && y < ihdr->height; y++) {
		e = spng_decode_row(ctx, buf, row_len);
		if (e == 0 || (e == SPNG_EOI && y == ihdr->height - 1)) {
			deliver(sink, buf, y, o);
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
	struct png_out o;
	spng_ctx *ctx;
	int e, r;

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
	o.fmt = pick_format(&ihdr, &geom.channels, &o.bpp);
	o.depth = ihdr.bit_depth;
	o.width = ihdr.width;
	r = pdq_check_size(lim, ihdr.width, ihdr.height, o.bpp);
	if (r < 0)
		goto out_free;
	geom.width = geom.src_width = ihdr.width;
	geom.height = geom.src_height = ihdr.height;
	r = sink->begin(sink, &geom);
	if (r == 0)
		r = read_rows(ctx, &ihdr, &o, sink);
out_free:
	spng_ctx_free(ctx);
	return r;
}
