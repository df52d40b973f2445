/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_test.h - what the PDQ tests share: a CUnit runner, images the tests
 * draw themselves (gradients, shapes, PRNG noise; never real content), the
 * encoders that turn them into PNG, JPEG and WebP bytes, ImageMagick for
 * the variants (resized, cropped, rotated, GIF), and a temporary directory
 * that is removed at exit.
 *
 * PDQ_TESTDATA (a -D from meson) is ../shared/testdata/pdq: Meta's public
 * reference images and expected.csv.
 */
#ifndef HASHWALL_TESTS_PDQ_TEST_H
#define HASHWALL_TESTS_PDQ_TEST_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include "hashsync/pdq/pdq.h"

/* An RGB image, 3 bytes a pixel, rows packed. */
struct test_img {
	uint8_t *px;
	uint32_t w, h;
};

/* A byte buffer (malloc'ed). */
struct test_buf {
	uint8_t *data;
	size_t len;
};

/* Run @tests as suite @name; the exit status for main(). */
int pdq_test_main(const char *name, CU_TestInfo *tests);

/* The same with a suite set-up (@init) and tear-down (@clean). */
int pdq_test_main_fixture(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean,
			  CU_TestInfo *tests);

/* splitmix64. */
uint64_t pdq_test_rand(uint64_t *state);

/*
 * Draw scene @seed at @w x @h: a two-colour gradient in a random direction,
 * a dozen random rectangles and discs, and mild PRNG noise.  Different
 * seeds give unrelated pictures; the same seed at another size gives the
 * same picture scaled.
 */
void test_draw_scene(struct test_img *img, uint32_t w, uint32_t h, uint64_t seed);
void test_img_free(struct test_img *img);

/* Encoders: 0 on success.  @quality 0..100; WebP @quality < 0: lossless. */
int test_encode_png(const struct test_img *img, struct test_buf *ret);
int test_encode_jpeg(const struct test_img *img, int quality, int progressive,
		     struct test_buf *ret);
int test_encode_webp(const struct test_img *img, int quality, struct test_buf *ret);
void test_buf_free(struct test_buf *buf);

/* The test's temporary directory (created on first use, removed at exit)
 * and a path in it (one of 16 static buffers, reused in turn: copy a path
 * that must live long). */
const char *test_path(const char *name);

int test_write(const char *path, const struct test_buf *buf);
int test_read(const char *path, struct test_buf *ret);

/* Run `convert IN ARGS OUT` (ImageMagick); 0 on success. */
int test_convert(const char *in, const char *args, const char *out);

/* Read @path and pdq_hash_image() it; returns its result or -errno. */
int test_hash_file(const char *path, const struct pdq_options *opts, struct pdq_result *ret);

/* pdq_hash_image() on an encoded buffer. */
int test_hash_buf(const struct test_buf *buf, const struct pdq_options *opts,
		  struct pdq_result *ret);

/* Parse 64 hex digits; aborts the test program on a typo in a constant. */
struct pdq_hash test_hash(const char *hex);

#endif
