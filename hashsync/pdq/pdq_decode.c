/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_decode.c - from untrusted bytes to pixels: the limits, the dispatch
 * to one decoder per format (sniffed by pdq_util.c), and pdq_decode(),
 * whose sink keeps every row in one pixel buffer.
 */
#include "pdq_int.h"

#include <errno.h>
#include <string.h>

void pdq_limits_resolve(const struct pdq_limits *lim, struct pdq_limits *ret)
{
	const struct pdq_limits def = PDQ_LIMITS_DEFAULT;

	*ret = lim ? *lim : def;
	if (!ret->max_side)
		ret->max_side = def.max_side;
	if (!ret->max_pixels)
		ret->max_pixels = def.max_pixels;
	if (!ret->max_memory)
		ret->max_memory = def.max_memory;
	if (!ret->max_jpeg_scans)
		ret->max_jpeg_scans = def.max_jpeg_scans;
	if (!ret->max_gif_records)
		ret->max_gif_records = def.max_gif_records;
}

int pdq_check_size(const struct pdq_limits *lim, uint64_t w, uint64_t h, unsigned int channels)
{
	if (w == 0 || h == 0)
		return -EINVAL;
	if (w > lim->max_side || h > lim->max_side || w * h > lim->max_pixels)
		return -E2BIG;
	if (w * h > lim->max_memory / (channels ? channels : 1))
		return -E2BIG;
	return 0;
}

int pdq_decode_any(const void *buf, size_t len, const struct pdq_limits *lim,
		   const struct pdq_dec_opts *opts, struct pdq_sink *sink)
{
	switch (pdq_sniff(buf, len)) {
	case PDQ_FORMAT_JPEG:
		return pdq_decode_jpeg(buf, len, lim, opts, sink);
	case PDQ_FORMAT_PNG:
		return pdq_decode_png(buf, len, lim, sink);
	case PDQ_FORMAT_WEBP:
		return pdq_decode_webp(buf, len, lim, sink);
	case PDQ_FORMAT_GIF:
		return pdq_decode_gif(buf, len, lim, sink);
	default:
		return -ENOTSUP;
	}
}

/* pdq_decode()'s sink: one buffer for the whole image. */
struct image_sink {
	struct pdq_sink sink;
	struct pdq_image img;
	uint64_t max_memory;
};

static int image_begin(struct pdq_sink *sink, const struct pdq_geom *geom)
{
	struct image_sink *s = (struct image_sink *)sink;
	uint64_t n = (uint64_t)geom->width * geom->height * geom->channels;

	if (n > s->max_memory || n > SIZE_MAX)
		return -E2BIG;
	s->img.pixels = pdq_buf_alloc((size_t)n);
	if (!s->img.pixels)
		return -ENOMEM;
	s->img.alloc_len = (size_t)n;
	s->img.width = geom->width;
	s->img.height = geom->height;
	s->img.channels = geom->channels;
	return 0;
}

static void image_row(struct pdq_sink *sink, uint32_t y, const uint8_t *px)
{
	struct image_sink *s = (struct image_sink *)sink;
	size_t stride = (size_t)s->img.width * s->img.channels;

	if (y < s->img.height)
		memcpy(s->img.pixels + (size_t)y * stride, px, stride);
}

int pdq_decode(const void *buf, size_t len, const struct pdq_limits *lim,
	       struct pdq_image *ret_image)
{
	struct image_sink s = { .sink = { image_begin, image_row } };
	struct pdq_dec_opts opts = { .luma_only = false, .min_side = 0 };
	struct pdq_limits l;
	int r;

	if (!buf || !ret_image)
		return -EINVAL;
	pdq_limits_resolve(lim, &l);
	s.max_memory = l.max_memory;
	s.img.format = pdq_sniff(buf, len);
	r = pdq_decode_any(buf, len, &l, &opts, &s.sink);
	if (r < 0) {
		pdq_image_release(&s.img);
		return r;
	}
	*ret_image = s.img;
	return 0;
}

void pdq_image_release(struct pdq_image *image)
{
	if (!image)
		return;
	pdq_buf_free(image->pixels, image->alloc_len);
	image->pixels = NULL;
	image->alloc_len = 0;
}
