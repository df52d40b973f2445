/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_int.h - what the files of hashsync/pdq/ share and nobody else
 * sees: pixel buffers that stay out of core dumps, the row sink through
 * which every decoder hands over its pixels, the decoders themselves and
 * the streaming hashing core.
 *
 * Flow: pdq_decode() / pdq_hash_image() sniff the format, a decoder checks
 * the declared size against the limits, then calls sink->begin() once and
 * sink->row() for every row, top to bottom (interlaced images are
 * gathered first), each row being width * channels bytes of grey or RGB.  The image sink (pdq_decode.c)
 * keeps the rows; the luma sink (pdq_image.c) keeps only the luminance the
 * hash needs.
 */
#ifndef HASHWALL_HASHSYNC_PDQ_PDQ_INT_H
#define HASHWALL_HASHSYNC_PDQ_PDQ_INT_H

#include "pdq.h"

/* What a decoder is about to deliver. */
struct pdq_geom {
	uint32_t width;       /* of the rows delivered (after DCT scaling) */
	uint32_t height;
	uint32_t src_width;   /* as the image declares */
	uint32_t src_height;
	unsigned int channels; /* 1 or 3 */
};

struct pdq_sink {
	/* Called once before any row; may refuse with -E2BIG or -ENOMEM. */
	int (*begin)(struct pdq_sink *sink, const struct pdq_geom *geom);
	/* Row @y (0, 1, ... height - 1 in order), width * channels bytes. */
	void (*row)(struct pdq_sink *sink, uint32_t y, const uint8_t *px);
};

/* What the caller of a decoder prefers. */
struct pdq_dec_opts {
	bool luma_only;    /* a grey plane is enough (JPEG: Y only, no chroma) */
	uint32_t min_side; /* JPEG: smallest DCT scale M/8 keeping both sides
			    * >= this; 0: full scale */
};

int pdq_decode_jpeg(const uint8_t *buf, size_t len, const struct pdq_limits *lim,
		    const struct pdq_dec_opts *opts, struct pdq_sink *sink);
int pdq_decode_png(const uint8_t *buf, size_t len, const struct pdq_limits *lim,
		   struct pdq_sink *sink);
int pdq_decode_webp(const uint8_t *buf, size_t len, const struct pdq_limits *lim,
		    struct pdq_sink *sink);
int pdq_decode_gif(const uint8_t *buf, size_t len, const struct pdq_limits *lim,
		   struct pdq_sink *sink);

/* Run the decoder for @buf's format with @lim already resolved.
 * -ENOTSUP for unknown bytes. */
int pdq_decode_any(const void *buf, size_t len, const struct pdq_limits *lim,
		   const struct pdq_dec_opts *opts, struct pdq_sink *sink);

/* @lim with zero fields replaced by the defaults. */
void pdq_limits_resolve(const struct pdq_limits *lim, struct pdq_limits *ret);

/* 0 when a @w x @h image of @channels fits @lim, else -E2BIG (or -EINVAL
 * for a zero side). */
int pdq_check_size(const struct pdq_limits *lim, uint64_t w, uint64_t h,
		   unsigned int channels);


/* malloc, calloc, realloc and free that zero a block when it is freed or
 * moved, for decoders with allocator hooks (libspng and its zlib). */
void *pdq_zmalloc(size_t size);
void *pdq_zcalloc(size_t count, size_t size);
void *pdq_zrealloc(void *ptr, size_t size);
void pdq_zfree(void *ptr);

/*
 * The hashing core, fed one luminance row at a time (pdq_hash.c).  The
 * reference filters whole float images; the stream keeps only what the
 * next steps still need: a few rows for the column filter, and the second
 * row filter's output at the 64 columns that are sampled.  Every value
 * still goes through the reference's own sequence of float operations.
 *
 *   pdq_stream_init(&st, rows, cols);
 *   for each row: write cols values to pdq_stream_slot(&st), then
 *                 pdq_stream_commit(&st);
 *   pdq_stream_finish(&st, hashes, n, &quality);
 *   pdq_stream_release(&st);        (always, also after errors)
 */
#define PDQ_BLOCK 8 /* rows filtered side by side: two vectors of 4 */

struct pdq_colbox {     /* a box filter down columns, fed row by row */
	int n, window, half;
	int pushed, cur;
	float *sum;     /* one running sum per column */
};

struct pdq_stream {
	int rows, cols;
	int win_rows;   /* box window along a row */
	int next_row;   /* rows committed */
	int in_rows;    /* rows waiting in @in */
	int mid_rows;   /* rows waiting in @mid */
	int mid_first;  /* row index of mid[0] */
	int ring_rows;
	float *mem;     /* one allocation for all buffers below */
	size_t mem_len;
	float *in;      /* PDQ_BLOCK luminance rows before the first row filter */
	float *ring;    /* first row filter's output, the last ring_rows rows */
	float *mid;     /* PDQ_BLOCK rows after the first column filter */
	float *tin;     /* PDQ_BLOCK rows interleaved, for a row filter */
	float *tout;    /* the row filter's output, interleaved */
	float *narrow;  /* rows x 64: second row filter at the sampled columns */
	float *narrow2; /* rows x 64: after the second column filter */
	struct pdq_colbox c1, c2;
	int col_idx[64];
};

int pdq_stream_init(struct pdq_stream *st, int rows, int cols);
float *pdq_stream_slot(struct pdq_stream *st);
void pdq_stream_commit(struct pdq_stream *st);
int pdq_stream_finish(struct pdq_stream *st, struct pdq_hash *ret_hashes, int nhashes,
		      int *ret_quality);
void pdq_stream_release(struct pdq_stream *st);

/*
 * The reference's fillFloatLumaFromRGB() for one pixel: float coefficients,
 * summed left to right in single precision.
 */
static inline float pdq_luma_rgb(uint8_t r, uint8_t g, uint8_t b)
{
	return 0.299f * r + 0.587f * g + 0.114f * b;
}

#endif
