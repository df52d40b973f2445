/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_image.c - pdq_hash_image(): bytes to PDQ without ever holding the
 * whole image.  The decoder hands rows to the luma sink, which turns each
 * into luminance (the reference's coefficients) and feeds the streaming
 * hash core; with resize_512 it first picks rows and columns as
 * CImg's nearest-neighbour resize to 512x512 does, as the reference's
 * pdq-photo-hasher does for any image with a side over 512.
 */
#include "pdq_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct luma_sink {
	struct pdq_sink sink;
	struct pdq_stream st;
	bool resize_512;  /* asked for */
	bool resizing;    /* and this image is larger */
	bool started;
	struct pdq_geom geom;
	uint32_t out_w, out_h;
	uint32_t next_out; /* next output row (resizing) */
	uint32_t *col_map; /* input column of each output column */
};

/* CImg's nearest neighbour: output i reads input floor(i * in / out),
 * computed in double. */
static uint32_t nn_index(uint32_t i, uint32_t in, uint32_t out)
{
	return (uint32_t)((double)i * in / out);
}

static int luma_begin(struct pdq_sink *sink, const struct pdq_geom *geom)
{
	struct luma_sink *s = (struct luma_sink *)sink;
	int r;

	s->geom = *geom;
	s->resizing = s->resize_512 &&
		      (geom->src_width > PDQ_REF_SIDE || geom->src_height > PDQ_REF_SIDE);
	s->out_w = s->resizing ? PDQ_REF_SIDE : geom->width;
	s->out_h = s->resizing ? PDQ_REF_SIDE : geom->height;
	s->col_map = malloc(sizeof(*s->col_map) * s->out_w);
	if (!s->col_map)
		return -ENOMEM;
	for (uint32_t x = 0; x < s->out_w; x++)
		s->col_map[x] = s->resizing ? nn_index(x, geom->width, s->out_w) : x;
	r = pdq_stream_init(&s->st, (int)s->out_h, (int)s->out_w);
	if (r < 0)
		return r;
	s->started = true;
	return 0;
}

static void luma_convert(const struct luma_sink *s, const uint8_t *px, float *out)
{
	const uint32_t *map = s->col_map;

	if (s->geom.channels == 1) {
		for (uint32_t x = 0; x < s->out_w; x++)
			out[x] = (float)px[map[x]];
		return;
	}
	for (uint32_t x = 0; x < s->out_w; x++) {
		const uint8_t *p = px + (size_t)map[x] * 3;
		out[x] = pdq_luma_rgb(p[0], p[1], p[2]);
	}
}

static void luma_row(struct pdq_sink *sink, uint32_t y, const uint8_t *px)
{
	struct luma_sink *s = (struct luma_sink *)sink;

	if (!s->resizing) {
		luma_convert(s, px, pdq_stream_slot(&s->st));
		pdq_stream_commit(&s->st);
		return;
	}
	/* Rows come in order and the map is monotonic: every output row that
	 * reads input row @y is due now (several when enlarging). */
	while (s->next_out < s->out_h && nn_index(s->next_out, s->geom.height, s->out_h) == y) {
		luma_convert(s, px, pdq_stream_slot(&s->st));
		pdq_stream_commit(&s->st);
		s->next_out++;
	}
}

int pdq_hash_image(const void *buf, size_t len, const struct pdq_options *opts,
		   struct pdq_result *ret)
{
	const struct pdq_options none = { .resize_512 = false };
	struct luma_sink s = { .sink = { luma_begin, luma_row } };
	struct pdq_result res = { .format = pdq_sniff(buf, len) };
	struct pdq_dec_opts dec;
	struct pdq_limits l;
	int r;

	if (!buf || !ret)
		return -EINVAL;
	if (!opts)
		opts = &none;
	s.resize_512 = opts->resize_512;
	dec.luma_only = opts->jpeg_luma_only;
	dec.min_side = opts->jpeg_min_side;
	pdq_limits_resolve(&opts->limits, &l);
	r = pdq_decode_any(buf, len, &l, &dec, &s.sink);
	if (r == 0 && !s.started)
		r = -EINVAL;
	if (r == 0)
		r = pdq_stream_finish(&s.st, res.hash, PDQ_DIHEDRAL_COUNT, &res.quality);
	if (s.started)
		pdq_stream_release(&s.st);
	free(s.col_map);
	if (r < 0)
		return r;
	res.width = s.geom.src_width;
	res.height = s.geom.src_height;
	*ret = res;
	return 0;
}
