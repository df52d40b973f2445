/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the PDQ core (hashsync/pdq/pdq_hash.c, pdq_util.c): the
 * streaming hash against a plain transcription of the reference's
 * algorithm on awkward sizes, the dihedral hashes against transformed
 * images, edge cases, hex and distance.
 */
#include "pdq_test.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The reference's pipeline written out plainly (whole-image buffers, one
 * value at a time, as in pdq/cpp/downscaling and hashing), to check that
 * the streaming, vectorised core computes exactly the same bits.
 */
static void ref_box(const float *in, float *out, int n, int stride, int window)
{
	int half = (window + 2) / 2, li = 0, ri = 0, oi = 0, cur = 0;
	float sum = 0.0f;

	for (int i = 0; i < half - 1; i++, ri += stride, cur++)
		sum += in[ri];
	for (int i = 0; i < window - half + 1; i++, ri += stride, oi += stride) {
		sum += in[ri];
		cur++;
		out[oi] = sum / (float)cur;
	}
	for (int i = 0; i < n - window; i++, li += stride, ri += stride, oi += stride) {
		sum += in[ri];
		sum -= in[li];
		out[oi] = sum / (float)cur;
	}
	for (int i = 0; i < half - 1; i++, li += stride, oi += stride) {
		sum -= in[li];
		cur--;
		out[oi] = sum / (float)cur;
	}
}

static int ref_median_cmp(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

static void ref_hash(const float *luma, int w, int h, struct pdq_hash *ret, int *ret_quality)
{
	float *b1 = malloc(sizeof(float) * (size_t)w * h), *b2 = malloc(sizeof(float) * (size_t)w * h);
	float a[64][64], t[16][64], d[16][16], sorted[256], dct[16][64];
	int wr = (w + 127) / 128, wc = (h + 127) / 128, sum = 0;

	memcpy(b1, luma, sizeof(float) * (size_t)w * h);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < h; i++)
			ref_box(b1 + (size_t)i * w, b2 + (size_t)i * w, w, 1, wr);
		for (int j = 0; j < w; j++)
			ref_box(b2 + j, b1 + j, h, w, wc);
	}
	for (int i = 0; i < 64; i++)
		for (int j = 0; j < 64; j++)
			a[i][j] = b1[(size_t)(int)(((i + 0.5) * h) / 64) * w + (int)(((j + 0.5) * w) / 64)];
	for (int i = 0; i < 63; i++)
		for (int j = 0; j < 64; j++)
			sum += abs((int)(((a[i][j] - a[i + 1][j]) * 100) / 255)) +
			       abs((int)(((a[j][i] - a[j][i + 1]) * 100) / 255));
	*ret_quality = sum / 90 > 100 ? 100 : sum / 90;
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 64; j++)
			dct[i][j] = (float)((double)(float)sqrt(2.0 / 64) *
					    cos((M_PI / 2.0 / 64.0) * (double)(i + 1) * (double)(2 * j + 1)));
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 64; j++) {
			float s = 0.0f;
			for (int k = 0; k < 64; k++)
				s += dct[i][k] * a[k][j];
			t[i][j] = s;
		}
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 16; j++) {
			float s = 0.0f;
			for (int k = 0; k < 64; k++)
				s += t[i][k] * dct[j][k];
			d[i][j] = s;
		}
	memcpy(sorted, d, sizeof(sorted));
	qsort(sorted, 256, sizeof(float), ref_median_cmp);
	memset(ret, 0, sizeof(*ret));
	for (int k = 0; k < 256; k++)
		if (d[k / 16][k % 16] > sorted[127])
			ret->b[(15 - k / 16) * 2 + (k % 16 < 8)] |= (uint8_t)(1u << (k % 8));
	free(b1);
	free(b2);
}

/* Luminance of drawn scene @seed. */
static float *scene_luma(int w, int h, uint64_t seed)
{
	struct test_img img;
	float *l = malloc(sizeof(float) * (size_t)w * h);

	test_draw_scene(&img, (uint32_t)w, (uint32_t)h, seed);
	for (size_t i = 0; i < (size_t)w * h; i++)
		l[i] = 0.299f * img.px[3 * i] + 0.587f * img.px[3 * i + 1] + 0.114f * img.px[3 * i + 2];
	test_img_free(&img);
	return l;
}

/* Sizes that exercise partial blocks of 8 rows, windows of 1 and of
 * several pixels, tall and wide images, and the 5-pixel minimum. */
static void test_stream_equals_plain_reference(void)
{
	static const int sizes[][2] = {
		{ 5, 5 }, { 7, 300 }, { 300, 7 }, { 65, 64 }, { 127, 129 }, { 129, 257 },
		{ 513, 77 }, { 1000, 999 }, { 1601, 1003 }, { 2000, 130 },
	};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int w = sizes[i][0], h = sizes[i][1], q1 = -1, q2 = -2;
		float *l = scene_luma(w, h, 100 + i);
		struct pdq_hash a, b;

		CU_ASSERT_EQUAL(pdq_hash_luma(l, w, h, &a, &q1), 0);
		ref_hash(l, w, h, &b, &q2);
		CU_ASSERT_EQUAL(pdq_distance(&a, &b), 0);
		CU_ASSERT_EQUAL(q1, q2);
		free(l);
	}
}

/* The exact dihedral transform @d of a w x h luma image. */
static float *transform(const float *l, int w, int h, enum pdq_dihedral d, int *ret_w, int *ret_h)
{
	bool swap = d == PDQ_ROTATE_90 || d == PDQ_ROTATE_270 || d == PDQ_FLIP_PLUS_1 ||
		    d == PDQ_FLIP_MINUS_1;
	int ow = swap ? h : w, oh = swap ? w : h;
	float *o = malloc(sizeof(float) * (size_t)w * h);

	for (int y = 0; y < oh; y++)
		for (int x = 0; x < ow; x++) {
			int sx = 0, sy = 0;
			switch (d) {
			case PDQ_ORIGINAL: sx = x, sy = y; break;
			case PDQ_ROTATE_90: sx = w - 1 - y, sy = x; break; /* counter-clockwise */
			case PDQ_ROTATE_180: sx = w - 1 - x, sy = h - 1 - y; break;
			case PDQ_ROTATE_270: sx = y, sy = h - 1 - x; break;
			case PDQ_FLIP_X: sx = x, sy = h - 1 - y; break;
			case PDQ_FLIP_Y: sx = w - 1 - x, sy = y; break;
			case PDQ_FLIP_PLUS_1: sx = y, sy = x; break;
			case PDQ_FLIP_MINUS_1: sx = w - 1 - y, sy = h - 1 - x; break;
			default: break;
			}
			o[(size_t)y * ow + x] = l[(size_t)sy * w + sx];
		}
	*ret_w = ow;
	*ret_h = oh;
	return o;
}

/*
 * Each transformed image hashes to the variant that the original's DCT
 * predicts for it, within the match threshold, and that variant is the
 * nearest of the eight.  Exactly on a 320x320 image, whose sample points
 * are symmetric (5i + 2); not on 400x250, where neither the sample points
 * nor the box windows are (up to 22 bits on this noisy drawing).
 */
static int nearest(const struct pdq_hash *h, const struct pdq_hash var[PDQ_DIHEDRAL_COUNT])
{
	int best = 0;

	for (int k = 1; k < PDQ_DIHEDRAL_COUNT; k++)
		if (pdq_distance(h, &var[k]) < pdq_distance(h, &var[best]))
			best = k;
	return best;
}

static void test_dihedral_variants_predict_transforms(void)
{
	static const int sizes[][3] = { { 320, 320, 0 }, { 400, 250, PDQ_MATCH_DISTANCE } };

	for (size_t s = 0; s < 2; s++) {
		int w = sizes[s][0], h = sizes[s][1];
		float *l = scene_luma(w, h, 7 + s);
		struct pdq_hash var[PDQ_DIHEDRAL_COUNT];

		CU_ASSERT_EQUAL_FATAL(pdq_hash_luma_dihedral(l, w, h, var, NULL), 0);
		for (int d = 0; d < PDQ_DIHEDRAL_COUNT; d++) {
			int tw, th;
			float *t = transform(l, w, h, (enum pdq_dihedral)d, &tw, &th);
			struct pdq_hash got;
			CU_ASSERT_EQUAL(pdq_hash_luma(t, tw, th, &got, NULL), 0);
			CU_ASSERT(pdq_distance(&got, &var[d]) <= sizes[s][2]);
			CU_ASSERT_EQUAL(nearest(&got, var), d);
			free(t);
		}
		free(l);
	}
}

static void test_too_small_hashes_to_zero(void)
{
	float l[4 * 100];
	struct pdq_hash h, zero = { { 0 } };
	int q = -1;

	for (int i = 0; i < 400; i++)
		l[i] = (float)(i % 256);
	CU_ASSERT_EQUAL(pdq_hash_luma(l, 4, 100, &h, &q), 0);
	CU_ASSERT_EQUAL(memcmp(&h, &zero, sizeof(h)), 0);
	CU_ASSERT_EQUAL(q, 0);
	CU_ASSERT_EQUAL(pdq_hash_luma(l, 100, 4, &h, &q), 0);
	CU_ASSERT_EQUAL(q, 0);
}

static void test_flat_image_has_no_quality(void)
{
	float *l = malloc(sizeof(float) * 200 * 100);
	struct pdq_hash h;
	int q = -1;

	for (int i = 0; i < 200 * 100; i++)
		l[i] = 128.0f;
	CU_ASSERT_EQUAL(pdq_hash_luma(l, 200, 100, &h, &q), 0);
	CU_ASSERT_EQUAL(q, 0);
	free(l);
}

static void test_bad_luma_is_refused(void)
{
	float *l = scene_luma(100, 100, 3);
	struct pdq_hash h, before = { { 0xab } };
	int q = 77;

	h = before;
	CU_ASSERT_EQUAL(pdq_hash_luma(NULL, 100, 100, &h, &q), -EINVAL);
	CU_ASSERT_EQUAL(pdq_hash_luma(l, 0, 100, &h, &q), -EINVAL);
	CU_ASSERT_EQUAL(pdq_hash_luma(l, 100, -1, &h, &q), -EINVAL);
	l[5050] = NAN;
	CU_ASSERT_EQUAL(pdq_hash_luma(l, 100, 100, &h, &q), -EINVAL);
	l[5050] = 1e30f;
	CU_ASSERT_EQUAL(pdq_hash_luma(l, 100, 100, &h, &q), -EINVAL);
	/* untouched on failure */
	CU_ASSERT_EQUAL(memcmp(&h, &before, sizeof(h)), 0);
	CU_ASSERT_EQUAL(q, 77);
	free(l);
}

/* Half the bits are above the median (the coefficients of a drawn scene
 * are distinct), in every variant. */
static void test_half_the_bits_are_set(void)
{
	float *l = scene_luma(333, 222, 11);
	struct pdq_hash var[PDQ_DIHEDRAL_COUNT], zero = { { 0 } };

	CU_ASSERT_EQUAL_FATAL(pdq_hash_luma_dihedral(l, 333, 222, var, NULL), 0);
	for (int d = 0; d < PDQ_DIHEDRAL_COUNT; d++)
		CU_ASSERT_EQUAL(pdq_distance(&var[d], &zero), 128);
	free(l);
}

static void test_hex_round_trip(void)
{
	const char *hex = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22";
	char out[PDQ_HEX_LEN + 1];
	struct pdq_hash h, upper;

	CU_ASSERT_EQUAL(pdq_hash_parse(hex, strlen(hex), &h), 0);
	pdq_hash_format(&h, out);
	CU_ASSERT_STRING_EQUAL(out, hex);
	CU_ASSERT_EQUAL(pdq_hash_parse("F8F8F0CCE0F4E84D0E370A22028F67F0B36E2ED596623E1D33E6339C4E9C9B22",
				       64, &upper), 0);
	CU_ASSERT_EQUAL(pdq_distance(&h, &upper), 0);
}

static void test_hex_refuses_bad_text(void)
{
	struct pdq_hash h = { { 1 } }, before = h;

	CU_ASSERT_EQUAL(pdq_hash_parse("f8f8", 4, &h), -EINVAL);
	CU_ASSERT_EQUAL(pdq_hash_parse("g8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22",
				       64, &h), -EINVAL);
	CU_ASSERT_EQUAL(pdq_hash_parse("f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b2 ",
				       64, &h), -EINVAL);
	CU_ASSERT_EQUAL(pdq_hash_parse(NULL, 64, &h), -EINVAL);
	CU_ASSERT_EQUAL(memcmp(&h, &before, sizeof(h)), 0);
}

/* Bit k = 16 * row + column: word k / 16, bit k % 16, word 15 printed
 * first (the reference's Hash256). */
static void test_bit_layout(void)
{
	struct pdq_hash b0 = test_hash("0000000000000000000000000000000000000000000000000000000000000001");
	struct pdq_hash b17 = test_hash("0000000000000000000000000000000000000000000000000000000000020000");
	struct pdq_hash b255 = test_hash("8000000000000000000000000000000000000000000000000000000000000000");

	CU_ASSERT(pdq_hash_bit(&b0, 0));
	CU_ASSERT(!pdq_hash_bit(&b0, 1));
	CU_ASSERT(pdq_hash_bit(&b17, 17));
	CU_ASSERT(!pdq_hash_bit(&b17, 16));
	CU_ASSERT(pdq_hash_bit(&b255, 255));
	CU_ASSERT_EQUAL(pdq_distance(&b0, &b255), 2);
}

static void test_distance_counts_bits(void)
{
	uint64_t s = 42;

	for (int n = 0; n < 50; n++) {
		struct pdq_hash a, b;
		int want = 0;
		for (int i = 0; i < PDQ_HASH_BYTES; i++) {
			a.b[i] = (uint8_t)pdq_test_rand(&s);
			b.b[i] = (uint8_t)pdq_test_rand(&s);
			want += __builtin_popcount((unsigned int)(a.b[i] ^ b.b[i]));
		}
		CU_ASSERT_EQUAL(pdq_distance(&a, &b), want);
		CU_ASSERT_EQUAL(pdq_distance(&a, &a), 0);
	}
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(pdq_dihedral_name(PDQ_ROTATE_90), "rotate-90");
	CU_ASSERT_STRING_EQUAL(pdq_dihedral_name(PDQ_FLIP_MINUS_1), "flip-minus-1");
	CU_ASSERT_STRING_EQUAL(pdq_dihedral_name(PDQ_DIHEDRAL_COUNT), "unknown");
	CU_ASSERT_STRING_EQUAL(pdq_format_name(PDQ_FORMAT_WEBP), "webp");
	CU_ASSERT_STRING_EQUAL(pdq_format_name(PDQ_FORMAT_COUNT), "unknown");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "stream equals plain reference", test_stream_equals_plain_reference },
		{ "dihedral variants predict transforms", test_dihedral_variants_predict_transforms },
		{ "too small hashes to zero", test_too_small_hashes_to_zero },
		{ "flat image has no quality", test_flat_image_has_no_quality },
		{ "bad luma is refused", test_bad_luma_is_refused },
		{ "half the bits are set", test_half_the_bits_are_set },
		{ "hex round trip", test_hex_round_trip },
		{ "hex refuses bad text", test_hex_refuses_bad_text },
		{ "bit layout", test_bit_layout },
		{ "distance counts bits", test_distance_counts_bits },
		{ "names", test_names },
		CU_TEST_INFO_NULL,
	};

	return pdq_test_main("pdq_hash", tests);
}
