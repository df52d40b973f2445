/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_pdq.c - images per second per core through decode and PDQ
 * (issue 15 target in brackets):
 *   1600x1000 JPEG, full decode, full scale              [fast path >= 200/s]
 *   1600x1000 JPEG, luma only, full scale / DCT 1/2, 3/8 (the fast options), 1/4
 *   1600x1000 JPEG, the reference tool's 512x512 resize
 *   256x256 JPEG, PNG, WebP thumbnails
 *
 *   bench_pdq [SECONDS]       (default 3 per figure)
 *
 * The images are drawn here (gradient, discs, PRNG noise) and encoded with
 * libjpeg, libspng and libwebp.  One thread; images per second are given
 * per CPU second (the figure per core) and per wall second, with the load
 * average, since the machine may be shared.  Prints figures; asserts
 * nothing about time.
 */
#include "hashsync/pdq/pdq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jpeglib.h>
#include <spng.h>
#include <webp/encode.h>

struct buf {
	uint8_t *data;
	size_t len;
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t mix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A diagonal two-colour gradient, sixteen discs, noise of +-@noise. */
static uint8_t *draw(uint32_t w, uint32_t h, int noise, uint64_t seed)
{
	uint8_t *px = malloc((size_t)w * h * 3);
	double cx[16], cy[16], r[16];

	for (int i = 0; i < 16; i++) {
		cx[i] = (double)(mix(&seed) % w);
		cy[i] = (double)(mix(&seed) % h);
		r[i] = (double)(w / 32 + mix(&seed) % (w / 8));
	}
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			double t = (double)(x + y) / (double)(w + h);
			int c[3] = { (int)(30 + 200 * t), (int)(200 - 150 * t), (int)(90 + 60 * sin(6 * t)) };
			for (int i = 0; i < 16; i++)
				if (hypot(x - cx[i], y - cy[i]) < r[i])
					c[i % 3] = 255 - c[i % 3];
			for (int k = 0; k < 3; k++) {
				int v = c[k] + (int)(mix(&seed) % (2 * noise + 1)) - noise;
				px[((size_t)y * w + x) * 3 + k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
			}
		}
	return px;
}

static struct buf encode_jpeg(const uint8_t *px, uint32_t w, uint32_t h, int quality)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *out = NULL;
	unsigned long len = 0;

	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &len);
	c.image_width = w;
	c.image_height = h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c); /* 4:2:0, as most served photos */
	jpeg_set_quality(&c, quality, TRUE);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < h) {
		JSAMPROW row = (JSAMPROW)(px + (size_t)c.next_scanline * w * 3);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	return (struct buf){ out, len };
}

static struct buf encode_png(const uint8_t *px, uint32_t w, uint32_t h)
{
	spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
	struct spng_ihdr ihdr = { .width = w, .height = h, .bit_depth = 8,
				  .color_type = SPNG_COLOR_TYPE_TRUECOLOR };
	struct buf b = { NULL, 0 };
	int e;

	spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
	spng_set_ihdr(ctx, &ihdr);
	if (spng_encode_image(ctx, px, (size_t)w * h * 3, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE) == 0)
		b.data = spng_get_png_buffer(ctx, &b.len, &e);
	spng_ctx_free(ctx);
	return b;
}

static struct buf encode_webp(const uint8_t *px, uint32_t w, uint32_t h, int quality)
{
	uint8_t *out = NULL;
	size_t len = WebPEncodeRGB(px, (int)w, (int)h, (int)w * 3, (float)quality, &out);
	struct buf b = { malloc(len ? len : 1), len };

	memcpy(b.data, out, len);
	WebPFree(out);
	return b;
}

/* Hash @b over and over for @seconds of CPU time; print the figures and
 * return the hash for comparisons. */
static struct pdq_hash run(const char *what, const struct buf *b, const struct pdq_options *opts,
			   double seconds)
{
	struct pdq_result res;
	double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC), c1, w1;
	long n = 0;
	int r = 0;

	do {
		for (int i = 0; i < 8 && r == 0; i++, n++)
			r = pdq_hash_image(b->data, b->len, opts, &res);
		c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	} while (r == 0 && c1 - c0 < seconds);
	w1 = clock_s(CLOCK_MONOTONIC);
	if (r < 0) {
		printf("%-44s error %d\n", what, r);
		memset(&res, 0, sizeof(res));
		return res.hash[0];
	}
	printf("%-44s %7.1f /s per core  %7.1f /s wall  %6.2f ms  q=%d\n", what,
	       (double)n / (c1 - c0), (double)n / (w1 - w0), 1e3 * (c1 - c0) / (double)n,
	       res.quality);
	return res.hash[0];
}

static void print_load(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	char line[128] = "?";

	if (f) {
		if (!fgets(line, sizeof(line), f))
			strcpy(line, "?\n");
		fclose(f);
	}
	printf("load average: %s", line);
}

static void bench_large(double s)
{
	const struct pdq_options full = { .resize_512 = false }, fast = PDQ_OPTIONS_FAST;
	const struct pdq_options luma = { .jpeg_luma_only = true };
	const struct pdq_options quarter = { .jpeg_luma_only = true, .jpeg_min_side = 200 };
	const struct pdq_options half = { .jpeg_luma_only = true, .jpeg_min_side = 500 };
	const struct pdq_options tool = { .resize_512 = true };
	const struct pdq_options tool_fast = { .resize_512 = true, .jpeg_luma_only = true,
					       .jpeg_min_side = PDQ_REF_SIDE };
	uint8_t *px = draw(1600, 1000, 6, 1);
	struct buf j = encode_jpeg(px, 1600, 1000, 85);
	struct pdq_hash h_full, h_luma, h_half, h_m3, h_quarter;

	printf("1600x1000 JPEG q85 4:2:0, %zu bytes\n", j.len);
	h_full = run("  full decode, full scale", &j, &full, s);
	h_luma = run("  luma only, full scale", &j, &luma, s);
	h_half = run("  luma only, DCT 1/2", &j, &half, s);
	h_m3 = run("  luma only, DCT 3/8 (PDQ_OPTIONS_FAST)", &j, &fast, s);
	h_quarter = run("  luma only, DCT 1/4", &j, &quarter, s);
	run("  resize 512 (pdq-photo-hasher), full decode", &j, &tool, s);
	run("  resize 512, luma only, DCT kept >= 512", &j, &tool_fast, s);
	printf("  bits from the full decode: luma only %d, DCT 1/2 %d, 3/8 %d, 1/4 %d\n",
	       pdq_distance(&h_full, &h_luma), pdq_distance(&h_full, &h_half),
	       pdq_distance(&h_full, &h_m3), pdq_distance(&h_full, &h_quarter));
	free(j.data);
	free(px);
}

static void bench_thumbs(double s)
{
	const struct pdq_options fast = PDQ_OPTIONS_FAST;
	uint8_t *px = draw(256, 256, 6, 2);
	struct buf j = encode_jpeg(px, 256, 256, 85), p = encode_png(px, 256, 256);
	struct buf w = encode_webp(px, 256, 256, 80);

	printf("256x256 thumbnails: JPEG %zu, PNG %zu, WebP %zu bytes\n", j.len, p.len, w.len);
	run("  JPEG, full decode", &j, NULL, s);
	run("  JPEG, PDQ_OPTIONS_FAST (luma only)", &j, &fast, s);
	run("  PNG", &p, NULL, s);
	run("  WebP", &w, NULL, s);
	free(j.data);
	free(p.data);
	free(w.data);
	free(px);
}

int main(int argc, char **argv)
{
	double s = argc > 1 ? atof(argv[1]) : 3.0;

	print_load();
	bench_large(s);
	bench_thumbs(s);
	print_load();
	return 0;
}
