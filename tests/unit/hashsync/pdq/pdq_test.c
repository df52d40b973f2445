/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_test.c - helpers of the PDQ tests (pdq_test.h): drawing, encoding,
 * files and ImageMagick.
 */
#include "pdq_test.h"
#include "hwall_test.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <spng.h>
#include <webp/encode.h>

int pdq_test_main(const char *name, CU_TestInfo *tests)
{
	return pdq_test_main_fixture(name, NULL, NULL, tests);
}

int pdq_test_main_fixture(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean,
			  CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
		{ name, init, clean, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
		 CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

uint64_t pdq_test_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double unit(uint64_t *s)
{
	return (double)(pdq_test_rand(s) >> 11) / 9007199254740992.0;
}

static void random_colour(uint64_t *s, double c[3])
{
	for (int i = 0; i < 3; i++)
		c[i] = 255.0 * unit(s);
}

/* Shapes in coordinates relative to the image (0..1), so that a scene
 * drawn at two sizes is the same picture. */
struct shape {
	int disc;
	double x, y, a, b; /* centre and half sizes */
	double c[3];
};

static int inside(const struct shape *sh, double u, double v)
{
	double dx = (u - sh->x) / sh->a, dy = (v - sh->y) / sh->b;

	if (sh->disc)
		return dx * dx + dy * dy <= 1.0;
	return fabs(dx) <= 1.0 && fabs(dy) <= 1.0;
}

void test_draw_scene(struct test_img *img, uint32_t w, uint32_t h, uint64_t seed)
{
	uint64_t s = seed * 1000003 + 17, noise = seed ^ 0x5eed;
	double c0[3], c1[3], angle = 2 * M_PI * unit(&s);
	double dx = cos(angle), dy = sin(angle);
	struct shape shapes[12];

	random_colour(&s, c0);
	random_colour(&s, c1);
	for (int i = 0; i < 12; i++) {
		shapes[i].disc = (int)(pdq_test_rand(&s) & 1);
		shapes[i].x = unit(&s);
		shapes[i].y = unit(&s);
		shapes[i].a = 0.04 + 0.18 * unit(&s);
		shapes[i].b = 0.04 + 0.18 * unit(&s);
		random_colour(&s, shapes[i].c);
	}
	img->w = w;
	img->h = h;
	img->px = malloc((size_t)w * h * 3);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			double u = (x + 0.5) / w, v = (y + 0.5) / h;
			double t = 0.5 + 0.5 * ((u - 0.5) * dx + (v - 0.5) * dy) * 1.4;
			double c[3];
			for (int k = 0; k < 3; k++)
				c[k] = c0[k] + (c1[k] - c0[k]) * t;
			for (int i = 0; i < 12; i++)
				if (inside(&shapes[i], u, v))
					memcpy(c, shapes[i].c, sizeof(c));
			for (int k = 0; k < 3; k++) {
				double n = c[k] + (double)(int)(pdq_test_rand(&noise) % 17) - 8.0;
				img->px[((size_t)y * w + x) * 3 + k] =
					(uint8_t)(n < 0 ? 0 : n > 255 ? 255 : n);
			}
		}
}

void test_img_free(struct test_img *img)
{
	free(img->px);
	img->px = NULL;
}

void test_buf_free(struct test_buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
}

int test_encode_png(const struct test_img *img, struct test_buf *ret)
{
	spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
	struct spng_ihdr ihdr = {
		.width = img->w, .height = img->h, .bit_depth = 8,
		.color_type = SPNG_COLOR_TYPE_TRUECOLOR,
	};
	int e;

	spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
	spng_set_ihdr(ctx, &ihdr);
	e = spng_encode_image(ctx, img->px, (size_t)img->w * img->h * 3, SPNG_FMT_PNG,
			      SPNG_ENCODE_FINALIZE);
	ret->data = e ? NULL : spng_get_png_buffer(ctx, &ret->len, &e);
	spng_ctx_free(ctx);
	return ret->data ? 0 : -EINVAL;
}

int test_encode_jpeg(const struct test_img *img, int quality, int progressive,
		     struct test_buf *ret)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *out = NULL;
	unsigned long len = 0;

	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &len);
	c.image_width = img->w;
	c.image_height = img->h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, quality, TRUE);
	if (progressive)
		jpeg_simple_progression(&c);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = img->px + (size_t)c.next_scanline * img->w * 3;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	ret->data = out;
	ret->len = len;
	return 0;
}

int test_encode_webp(const struct test_img *img, int quality, struct test_buf *ret)
{
	uint8_t *out = NULL;
	size_t len;

	if (quality < 0)
		len = WebPEncodeLosslessRGB(img->px, (int)img->w, (int)img->h, (int)img->w * 3, &out);
	else
		len = WebPEncodeRGB(img->px, (int)img->w, (int)img->h, (int)img->w * 3,
				    (float)quality, &out);
	if (!len)
		return -EINVAL;
	ret->data = malloc(len);
	memcpy(ret->data, out, len);
	ret->len = len;
	WebPFree(out);
	return 0;
}

static const char *tmp_dir; /* made on first use, removed at exit */

const char *test_path(const char *name)
{
	static char path[16][256];
	static unsigned int next;
	char *p = path[next++ % 16];

	if (!tmp_dir) {
		tmp_dir = hwall_test_tmpdir("pdq");
		if (!tmp_dir)
			abort();
	}
	snprintf(p, sizeof(path[0]), "%s/%s", tmp_dir, name);
	return p;
}

int test_write(const char *path, const struct test_buf *buf)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(buf->data, 1, buf->len, f) == buf->len;

	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -EIO;
}

int test_read(const char *path, struct test_buf *ret)
{
	FILE *f = fopen(path, "rb");
	long n;

	ret->data = NULL;
	ret->len = 0;
	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -EIO;
	}
	ret->data = malloc(n ? (size_t)n : 1);
	ret->len = (size_t)n;
	if (fread(ret->data, 1, ret->len, f) != ret->len) {
		fclose(f);
		test_buf_free(ret);
		return -EIO;
	}
	fclose(f);
	return 0;
}

int test_convert(const char *in, const char *args, const char *out)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "convert '%s' %s '%s' 2>/dev/null", in, args, out);
	return system(cmd) == 0 ? 0 : -EIO;
}

int test_hash_buf(const struct test_buf *buf, const struct pdq_options *opts,
		  struct pdq_result *ret)
{
	return pdq_hash_image(buf->data, buf->len, opts, ret);
}

int test_hash_file(const char *path, const struct pdq_options *opts, struct pdq_result *ret)
{
	struct test_buf buf;
	int r = test_read(path, &buf);

	if (r == 0)
		r = test_hash_buf(&buf, opts, ret);
	test_buf_free(&buf);
	return r;
}

struct pdq_hash test_hash(const char *hex)
{
	struct pdq_hash h;

	if (pdq_hash_parse(hex, strlen(hex), &h) < 0)
		abort();
	return h;
}
