/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_jpeg.c - JPEG decoding with libjpeg-turbo (Debian's libjpeg62-turbo)
 * from a memory buffer, row by row into a sink.
 *
 * By default the pixels are those of ImageMagick's `convert`, which the
 * reference's pdq-photo-hasher runs (and of PIL, which Meta's Python
 * binding uses): libjpeg's defaults, islow IDCT and fancy upsampling.  On
 * request (struct pdq_dec_opts) only the Y plane is decoded, the chroma
 * components are skipped altogether, and the DCT is scaled down to the
 * smallest M/8 that keeps both sides at or above a minimum: the scaled
 * IDCT does the first part of the low-pass filtering that PDQ's own
 * downsampling would do.
 *
 * Hostile input: the header's dimensions are checked against the limits
 * before libjpeg allocates anything for the image; libjpeg's memory manager
 * is capped at max_memory (progressive JPEGs keep every coefficient: over
 * the cap libjpeg fails instead of asking for backing store); a progress
 * monitor stops after max_jpeg_scans scans (a progressive file can carry
 * thousands of tiny scans, each a full pass over the coefficients); a
 * truncated file is refused rather than hashed with grey filler.  libjpeg
 * never prints: its message hooks are replaced.
 */
#include "pdq_int.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

struct jpeg_guard {
	struct jpeg_error_mgr pub; /* first: libjpeg casts cinfo->err to it */
	struct jpeg_progress_mgr progress;
	jmp_buf jmp;
	int code;                  /* what to return after the longjmp */
	bool truncated;
	uint32_t max_scans;
	uint8_t *row;              /* here, not in a local: survives the longjmp */
	size_t row_len;
};

static void on_error(j_common_ptr cinfo)
{
	struct jpeg_guard *g = (struct jpeg_guard *)cinfo->err;

	/* Out of memory: a single allocation over libjpeg's chunk limit, or
	 * whole-image arrays over max_memory (then libjpeg would want a
	 * backing store): both mean the image is too large for us. */
	if (g->code == 0)
		g->code = cinfo->err->msg_code == JERR_NO_BACKING_STORE ||
				  cinfo->err->msg_code == JERR_OUT_OF_MEMORY
			  ? -E2BIG
			  : -EINVAL;
	longjmp(g->jmp, 1);
}

/* Warnings (level -1) are counted by libjpeg; only the end of data matters
 * to us.  Trace messages are dropped.  Nothing is ever printed. */
static void on_message(j_common_ptr cinfo, int level)
{
	struct jpeg_guard *g = (struct jpeg_guard *)cinfo->err;

	if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF)
		g->truncated = true;
}

static void on_output(j_common_ptr cinfo)
{
	(void)cinfo;
}

static void on_progress(j_common_ptr cinfo)
{
	struct jpeg_guard *g = (struct jpeg_guard *)cinfo->err;
	j_decompress_ptr d = (j_decompress_ptr)cinfo;

	if (d->input_scan_number > 0 && (uint32_t)d->input_scan_number > g->max_scans) {
		g->code = -E2BIG;
		longjmp(g->jmp, 1);
	}
}

/* The smallest of 1/8, 2/8 ... 8/8 that keeps both sides >= min_side
 * (0: full scale). */
static unsigned int pick_scale(uint32_t w, uint32_t h, uint32_t min_side)
{
	if (min_side == 0)
		return 8;
	for (unsigned int m = 1; m < 8; m++)
		if (((uint64_t)w * m + 7) / 8 >= min_side && ((uint64_t)h * m + 7) / 8 >= min_side)
			return m;
	return 8;
}

/* Output colour space and channel count for what the file holds. */
static int pick_colour(j_decompress_ptr cinfo, const struct pdq_dec_opts *opts)
{
	switch (cinfo->jpeg_color_space) {
	case JCS_GRAYSCALE:
		cinfo->out_color_space = JCS_GRAYSCALE;
		return 1;
	case JCS_YCbCr:
		/* Y is the luma of the reference's coefficients (JFIF uses
		 * 0.299, 0.587, 0.114), without the round trip via RGB. */
		cinfo->out_color_space = opts->luma_only ? JCS_GRAYSCALE : JCS_RGB;
		return opts->luma_only ? 1 : 3;
	case JCS_CMYK:
	case JCS_YCCK:
		cinfo->out_color_space = JCS_CMYK;
		return 4;
	default:
		cinfo->out_color_space = JCS_RGB;
		return 3;
	}
}

/*
 * CMYK to RGB in place (@n pixels, 4 bytes in, 3 out).  Adobe writes CMYK
 * inverted (255 = no ink), which is what nearly every CMYK JPEG holds;
 * others are taken as plain CMYK.
 */
static void cmyk_to_rgb(uint8_t *px, size_t n, bool inverted)
{
	for (size_t i = 0; i < n; i++) {
		unsigned int c = px[4 * i], m = px[4 * i + 1], y = px[4 * i + 2], k = px[4 * i + 3];
		if (!inverted) {
			c = 255 - c, m = 255 - m, y = 255 - y, k = 255 - k;
		}
		px[3 * i] = (uint8_t)((c * k + 127) / 255);
		px[3 * i + 1] = (uint8_t)((m * k + 127) / 255);
		px[3 * i + 2] = (uint8_t)((y * k + 127) / 255);
	}
}

static void guard_init(struct jpeg_guard *g, j_decompress_ptr cinfo, const struct pdq_limits *lim)
{
	memset(g, 0, sizeof(*g));
	cinfo->err = jpeg_std_error(&g->pub);
	g->pub.error_exit = on_error;
	g->pub.emit_message = on_message;
	g->pub.output_message = on_output;
	g->progress.progress_monitor = on_progress;
	g->max_scans = lim->max_jpeg_scans;
}

/* The part after the header: start, hand every row to @sink.  Runs under
 * the caller's setjmp. */
static int read_rows(j_decompress_ptr cinfo, struct jpeg_guard *g, int raw_channels,
		     struct pdq_sink *sink)
{
	struct pdq_geom geom;
	int r;

	jpeg_start_decompress(cinfo);
	geom = (struct pdq_geom){
		.width = cinfo->output_width, .height = cinfo->output_height,
		.src_width = cinfo->image_width, .src_height = cinfo->image_height,
		.channels = raw_channels == 4 ? 3 : (unsigned int)raw_channels,
	};
	g->row_len = (size_t)geom.width * (size_t)raw_channels;
	g->row = pdq_buf_alloc(g->row_len);
	if (!g->row)
		return -ENOMEM;
	r = sink->begin(sink, &geom);
	if (r < 0)
		return r;
	while (cinfo->output_scanline < cinfo->output_height) {
		JSAMPROW rows[1] = { g->row };
		uint32_t y = cinfo->output_scanline;
		if (jpeg_read_scanlines(cinfo, rows, 1) != 1 || g->truncated)
			return -EINVAL;
		if (raw_channels == 4)
			cmyk_to_rgb(g->row, geom.width, cinfo->saw_Adobe_marker);
		sink->row(sink, y, g->row);
	}
	return 0;
}

int pdq_decode_jpeg(const uint8_t *buf, size_t len, const struct pdq_limits *lim,
		    const struct pdq_dec_opts *opts, struct pdq_sink *sink)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_guard g;
	int channels, r;

	memset(&cinfo, 0, sizeof(cinfo));
	guard_init(&g, &cinfo, lim);
	if (setjmp(g.jmp)) {
		r = g.code ? g.code : -EINVAL;
		goto out_destroy;
	}
	jpeg_create_decompress(&cinfo);
	cinfo.progress = &g.progress;
	cinfo.mem->max_memory_to_use = (long)(lim->max_memory > (uint64_t)(~0ul >> 1)
						       ? ~0ul >> 1 : lim->max_memory);
	jpeg_mem_src(&cinfo, buf, (unsigned long)len);
	if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
		r = -EINVAL;
		goto out_destroy;
	}
	channels = pick_colour(&cinfo, opts);
	r = pdq_check_size(lim, cinfo.image_width, cinfo.image_height, (unsigned int)channels);
	if (r < 0)
		goto out_destroy;
	cinfo.scale_num = pick_scale(cinfo.image_width, cinfo.image_height, opts->min_side);
	cinfo.scale_denom = 8;
	r = read_rows(&cinfo, &g, channels, sink);
out_destroy:
	jpeg_destroy_decompress(&cinfo);
	pdq_buf_free(g.row, g.row_len);
	return r;
}
