/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_gif.c - GIF decoding with giflib (Debian's libgif7) from a memory
 * buffer: the first image, its own rectangle, palette colours as RGB.
 *
 * giflib rather than a decoder of our own: LZW with GIF's code-size and
 * clear-code corner cases is where hand-written decoders go wrong, and
 * giflib's low-level API lets us read only what we need (the records up to
 * the first image, then its lines) without DGifSlurp(), which would read
 * every frame of an animation into memory.
 *
 * Hostile input: the frame's declared size is checked against the limits
 * before any pixel memory is allocated; the records read before the first
 * image are capped (max_gif_records); pixel indexes beyond the colour map
 * read colour 0.  Transparency is ignored (the palette colour is hashed),
 * as the reference does via ImageMagick.
 */
#include "pdq_int.h"

#include <errno.h>
#include <string.h>

#include <gif_lib.h>

struct gif_src {
	const uint8_t *buf;
	size_t len, off;
};

static int read_mem(GifFileType *gif, GifByteType *dst, int n)
{
	struct gif_src *src = gif->UserData;
	size_t left = src->len - src->off;
	size_t k = n < 0 ? 0 : (size_t)n < left ? (size_t)n : left;

	memcpy(dst, src->buf + src->off, k);
	src->off += k;
	return (int)k;
}

/* Skip an extension record and its sub-blocks. */
static int skip_extension(GifFileType *gif, uint32_t *budget)
{
	GifByteType *block;
	int code;

	if (DGifGetExtension(gif, &code, &block) == GIF_ERROR)
		return -EINVAL;
	while (block) {
		if ((*budget)-- == 0)
			return -E2BIG;
		if (DGifGetExtensionNext(gif, &block) == GIF_ERROR)
			return -EINVAL;
	}
	return 0;
}

/* Palette indexes to RGB; indexes beyond the map read entry 0. */
static void expand(const ColorMapObject *map, const GifPixelType *idx, uint8_t *rgb, uint32_t w)
{
	for (uint32_t x = 0; x < w; x++) {
		const GifColorType *c = &map->Colors[idx[x] < map->ColorCount ? idx[x] : 0];
		rgb[3 * x] = c->Red;
		rgb[3 * x + 1] = c->Green;
		rgb[3 * x + 2] = c->Blue;
	}
}

/* Interlaced GIFs send rows in four passes: every 8th from 0, every 8th
 * from 4, every 4th from 2, every 2nd from 1.  Row of the @i-th line. */
static uint32_t interlaced_row(uint32_t i, uint32_t h)
{
	static const uint32_t start[4] = { 0, 4, 2, 1 }, step[4] = { 8, 8, 4, 2 };

	for (int p = 0; p < 4; p++) {
		uint32_t n = h > start[p] ? (h - start[p] + step[p] - 1) / step[p] : 0;
		if (i < n)
			return start[p] + i * step[p];
		i -= n;
	}
	return 0;
}

/* Read the first image's lines (all of them: interlaced ones arrive out of
 * order) into @idx, then hand the rows over in order. */
static int read_image(GifFileType *gif, const ColorMapObject *map, uint8_t *idx,
		      uint8_t *rgb, struct pdq_sink *sink)
{
	uint32_t w = (uint32_t)gif->Image.Width, h = (uint32_t)gif->Image.Height;

	for (uint32_t i = 0; i < h; i++) {
		uint32_t y = gif->Image.Interlace ? interlaced_row(i, h) : i;
		if (DGifGetLine(gif, idx + (size_t)y * w, (int)w) == GIF_ERROR)
			return -EINVAL;
	}
	for (uint32_t y = 0; y < h; y++) {
		expand(map, idx + (size_t)y * w, rgb, w);
		sink->row(sink, y, rgb);
	}
	return 0;
}

static int decode_image(GifFileType *gif, const struct pdq_limits *lim, struct pdq_sink *sink)
{
	const ColorMapObject *map;
	struct pdq_geom geom = { .channels = 3 };
	size_t idx_len, rgb_len;
	uint8_t *idx, *rgb;
	int r;

	if (DGifGetImageDesc(gif) == GIF_ERROR)
		return -EINVAL;
	map = gif->Image.ColorMap ? gif->Image.ColorMap : gif->SColorMap;
	if (!map || map->ColorCount <= 0 || gif->Image.Width <= 0 || gif->Image.Height <= 0)
		return -EINVAL;
	r = pdq_check_size(lim, (uint64_t)gif->Image.Width, (uint64_t)gif->Image.Height, 4);
	if (r < 0)
		return r;
	geom.width = geom.src_width = (uint32_t)gif->Image.Width;
	geom.height = geom.src_height = (uint32_t)gif->Image.Height;
	idx_len = (size_t)geom.width * geom.height;
	rgb_len = (size_t)geom.width * 3;
	idx = pdq_buf_alloc(idx_len);
	rgb = pdq_buf_alloc(rgb_len);
	r = idx && rgb ? sink->begin(sink, &geom) : -ENOMEM;
	if (r == 0)
		r = read_image(gif, map, idx, rgb, sink);
	pdq_buf_free(idx, idx_len);
	pdq_buf_free(rgb, rgb_len);
	return r;
}

int pdq_decode_gif(const uint8_t *buf, size_t len, const struct pdq_limits *lim,
		   struct pdq_sink *sink)
{
	struct gif_src src = { buf, len, 0 };
	uint32_t budget = lim->max_gif_records;
	GifRecordType type;
	GifFileType *gif;
	int err, r = -EINVAL;

	gif = DGifOpen(&src, read_mem, &err);
	if (!gif)
		return err == D_GIF_ERR_NOT_ENOUGH_MEM ? -ENOMEM : -EINVAL;
	for (;;) {
		if (DGifGetRecordType(gif, &type) == GIF_ERROR)
			break;
		if (type == IMAGE_DESC_RECORD_TYPE) {
			r = decode_image(gif, lim, sink);
			break;
		}
		if (type != EXTENSION_RECORD_TYPE)
			break; /* the end, or garbage, before any image */
		r = budget-- ? skip_extension(gif, &budget) : -E2BIG;
		if (r < 0)
			break;
		r = -EINVAL;
	}
	DGifCloseFile(gif, &err);
	return r;
}
