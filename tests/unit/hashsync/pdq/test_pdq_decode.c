/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the PDQ decoders (hashsync/pdq/pdq_decode.c and one file
 * per format): sniffing, pixels of each format and colour type, and
 * hostile input - huge declared sizes refused before allocation,
 * truncations, corrupt chunks, too many scans, random mutations - refused
 * with the documented errors and without a crash.
 */
#include "pdq_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A drawn scene in each format, made once. */
static struct test_img scene;
static struct test_buf png, jpeg, pjpeg, webp, webp_lossless, gif;

static int setup(void)
{
	const char *src = test_path("scene.png"), *out = test_path("scene.gif");

	test_draw_scene(&scene, 97, 61, 5);
	if (test_encode_png(&scene, &png) || test_encode_jpeg(&scene, 95, 0, &jpeg) ||
	    test_encode_jpeg(&scene, 90, 1, &pjpeg) || test_encode_webp(&scene, 90, &webp) ||
	    test_encode_webp(&scene, -1, &webp_lossless) || test_write(src, &png) ||
	    test_convert(src, "", out) || test_read(out, &gif))
		return -1;
	return 0;
}

static int teardown(void)
{
	test_img_free(&scene);
	test_buf_free(&png);
	test_buf_free(&jpeg);
	test_buf_free(&pjpeg);
	test_buf_free(&webp);
	test_buf_free(&webp_lossless);
	test_buf_free(&gif);
	return 0;
}

static int decode(const struct test_buf *b, const struct pdq_limits *lim, struct pdq_image *img)
{
	return pdq_decode(b->data, b->len, lim, img);
}

/* pdq_decode() after ImageMagick turned the scene into file @name with
 * @args (and an output format prefix such as "PNG8:", or ""). */
static int decode_converted(const char *args, const char *prefix, const char *name,
			    struct pdq_image *img)
{
	char out[512];
	struct test_buf b = { NULL, 0 };
	int r;

	snprintf(out, sizeof(out), "%s%s", prefix, test_path(name));
	r = test_convert(test_path("scene.png"), args, out);

	if (r == 0)
		r = test_read(test_path(name), &b);
	if (r == 0)
		r = decode(&b, NULL, img);
	test_buf_free(&b);
	return r;
}

static void test_sniff(void)
{
	CU_ASSERT_EQUAL(pdq_sniff(png.data, png.len), PDQ_FORMAT_PNG);
	CU_ASSERT_EQUAL(pdq_sniff(jpeg.data, jpeg.len), PDQ_FORMAT_JPEG);
	CU_ASSERT_EQUAL(pdq_sniff(webp.data, webp.len), PDQ_FORMAT_WEBP);
	CU_ASSERT_EQUAL(pdq_sniff(gif.data, gif.len), PDQ_FORMAT_GIF);
	CU_ASSERT_EQUAL(pdq_sniff("GIF87a", 6), PDQ_FORMAT_GIF);
	CU_ASSERT_EQUAL(pdq_sniff("\xff\xd8", 2), PDQ_FORMAT_UNKNOWN);
	CU_ASSERT_EQUAL(pdq_sniff("RIFF\0\0\0\0WAVE", 12), PDQ_FORMAT_UNKNOWN);
	CU_ASSERT_EQUAL(pdq_sniff("<html>", 6), PDQ_FORMAT_UNKNOWN);
	CU_ASSERT_EQUAL(pdq_sniff(NULL, 10), PDQ_FORMAT_UNKNOWN);
}

/* Lossless formats give back the drawn pixels exactly. */
static void test_lossless_pixels(void)
{
	const struct test_buf *bufs[] = { &png, &webp_lossless };

	for (int i = 0; i < 2; i++) {
		struct pdq_image img;
		CU_ASSERT_EQUAL_FATAL(decode(bufs[i], NULL, &img), 0);
		CU_ASSERT_EQUAL(img.width, 97);
		CU_ASSERT_EQUAL(img.height, 61);
		CU_ASSERT_EQUAL(img.channels, 3);
		CU_ASSERT_EQUAL(memcmp(img.pixels, scene.px, 97 * 61 * 3), 0);
		pdq_image_release(&img);
		CU_ASSERT_PTR_NULL(img.pixels);
	}
}

static double mean_abs_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += abs((int)a[i] - (int)b[i]);
	return s / (double)n;
}

/* Lossy and palette formats give back pixels near the drawn ones. */
static void test_lossy_pixels(void)
{
	const struct test_buf *bufs[] = { &jpeg, &pjpeg, &webp, &gif };
	const enum pdq_format fmts[] = { PDQ_FORMAT_JPEG, PDQ_FORMAT_JPEG, PDQ_FORMAT_WEBP,
					 PDQ_FORMAT_GIF };

	for (int i = 0; i < 4; i++) {
		struct pdq_image img;
		CU_ASSERT_EQUAL_FATAL(decode(bufs[i], NULL, &img), 0);
		CU_ASSERT_EQUAL(img.format, fmts[i]);
		CU_ASSERT_EQUAL(img.width, 97);
		CU_ASSERT_EQUAL(img.height, 61);
		CU_ASSERT_EQUAL(img.channels, 3);
		CU_ASSERT(mean_abs_diff(img.pixels, scene.px, 97 * 61 * 3) < 8.0);
		pdq_image_release(&img);
	}
}

/* Interlaced PNG and GIF give the same pixels as their plain forms. */
static void test_interlaced_equals_plain(void)
{
	static const char *const args[][2] = {
		{ "-interlace PNG", "i.png" }, { "-interlace none", "p.png" },
		{ "-interlace GIF", "i.gif" }, { "-interlace none", "p.gif" },
	};

	for (int i = 0; i < 4; i += 2) {
		struct pdq_image a, b;
		CU_ASSERT_EQUAL_FATAL(decode_converted(args[i][0], "", args[i][1], &a), 0);
		CU_ASSERT_EQUAL_FATAL(decode_converted(args[i + 1][0], "", args[i + 1][1], &b), 0);
		CU_ASSERT_EQUAL(memcmp(a.pixels, b.pixels, 97 * 61 * 3), 0);
		pdq_image_release(&a);
		pdq_image_release(&b);
	}
}

/* Colour types: grey stays one channel (with or without alpha, 2, 8 or
 * 16 bits), palette and 16-bit RGB become RGB, alpha is dropped. */
static void test_png_colour_types(void)
{
	static const struct {
		const char *args, *prefix, *name;
		unsigned int channels;
	} cases[] = {
		{ "-colorspace Gray -depth 8", "", "g8.png", 1 },
		{ "-colorspace Gray -alpha set -channel A -evaluate set 50% +channel", "", "ga8.png", 1 },
		{ "-colorspace Gray -depth 16", "", "g16.png", 1 },
		{ "-colorspace Gray -depth 2", "", "g2.png", 1 },
		{ "-colors 16", "PNG8:", "p8.png", 3 },
		{ "-depth 16", "PNG48:", "rgb16.png", 3 },
		{ "-alpha set -channel A -evaluate set 30% +channel", "PNG32:", "rgba.png", 3 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pdq_image img;
		CU_ASSERT_EQUAL_FATAL(decode_converted(cases[i].args, cases[i].prefix, cases[i].name,
						       &img), 0);
		CU_ASSERT_EQUAL(img.channels, cases[i].channels);
		CU_ASSERT_EQUAL(img.width, 97);
		pdq_image_release(&img);
	}
}

/* Animations give their first frame. */
static void test_first_frame_of_animations(void)
{
	static const char *const names[] = { "anim.gif", "anim.webp" };
	char red[256], blue[256];

	snprintf(red, sizeof(red), "%s", test_path("red.png"));
	snprintf(blue, sizeof(blue), "%s", test_path("blue.png"));

	CU_ASSERT_EQUAL_FATAL(test_convert("xc:red", "-resize 40x30!", red), 0);
	CU_ASSERT_EQUAL_FATAL(test_convert("xc:blue", "-resize 40x30!", blue), 0);
	for (int i = 0; i < 2; i++) {
		char args[512];
		struct test_buf b;
		struct pdq_image img;
		snprintf(args, sizeof(args), "'%s' -delay 10 -loop 0", blue);
		CU_ASSERT_EQUAL_FATAL(test_convert(red, args, test_path(names[i])), 0);
		CU_ASSERT_EQUAL_FATAL(test_read(test_path(names[i]), &b), 0);
		CU_ASSERT_EQUAL_FATAL(decode(&b, NULL, &img), 0);
		CU_ASSERT_EQUAL(img.width, 40);
		CU_ASSERT(img.pixels[0] > 200 && img.pixels[2] < 50); /* red, not blue */
		pdq_image_release(&img);
		test_buf_free(&b);
	}
}

static void test_cmyk_jpeg(void)
{
	struct pdq_image img;

	CU_ASSERT_EQUAL_FATAL(decode_converted("-colorspace CMYK -quality 95", "", "cmyk.jpg", &img), 0);
	CU_ASSERT_EQUAL(img.channels, 3);
	CU_ASSERT(mean_abs_diff(img.pixels, scene.px, 97 * 61 * 3) < 12.0);
	pdq_image_release(&img);
}

/* Whether the mapping that holds @addr is marked "dd" (MADV_DONTDUMP) in
 * /proc/self/smaps. */
static int excluded_from_core_dumps(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int inside = 0, dd = 0;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			inside = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
		else if (inside && strncmp(line, "VmFlags:", 8) == 0)
			dd = strstr(line, " dd") != NULL;
	}
	if (f)
		fclose(f);
	return dd;
}

/* Decoded pixels never reach a core file. */
static void test_pixels_excluded_from_core_dumps(void)
{
	const struct test_buf *bufs[] = { &png, &jpeg, &webp, &gif };

	for (int i = 0; i < 4; i++) {
		struct pdq_image img;
		CU_ASSERT_EQUAL_FATAL(decode(bufs[i], NULL, &img), 0);
		CU_ASSERT(excluded_from_core_dumps(img.pixels));
		CU_ASSERT(excluded_from_core_dumps(img.pixels + img.alloc_len - 1));
		pdq_image_release(&img);
	}
}

static void test_unknown_and_empty(void)
{
	struct pdq_image img = { .width = 7 };
	struct pdq_result res = { .quality = 7 };

	CU_ASSERT_EQUAL(pdq_decode("<html></html>", 13, NULL, &img), -ENOTSUP);
	CU_ASSERT_EQUAL(pdq_decode("", 0, NULL, &img), -ENOTSUP);
	CU_ASSERT_EQUAL(pdq_decode(NULL, 10, NULL, &img), -EINVAL);
	CU_ASSERT_EQUAL(pdq_hash_image("\x89PNG\r\n\x1a\n", 8, NULL, &res), -EINVAL);
	CU_ASSERT_EQUAL(pdq_hash_image("GIF89a", 6, NULL, &res), -EINVAL);
	CU_ASSERT_EQUAL(pdq_hash_image("\xff\xd8\xff", 3, NULL, &res), -EINVAL);
	CU_ASSERT_EQUAL(pdq_hash_image("RIFF\0\0\0\0WEBP", 12, NULL, &res), -EINVAL);
	/* untouched on failure */
	CU_ASSERT_EQUAL(img.width, 7);
	CU_ASSERT_EQUAL(res.quality, 7);
	pdq_image_release(NULL);
}

/* Cut anywhere in the first 85%: refused as corrupt, in every format. */
static void test_truncated(void)
{
	const struct test_buf *bufs[] = { &png, &jpeg, &pjpeg, &webp, &webp_lossless, &gif };

	for (int i = 0; i < 6; i++)
		for (int k = 1; k <= 17; k++) {
			struct pdq_image img;
			struct pdq_result res;
			size_t cut = bufs[i]->len * (size_t)k / 20;
			CU_ASSERT_EQUAL(pdq_decode(bufs[i]->data, cut, NULL, &img), -EINVAL);
			CU_ASSERT_EQUAL(pdq_hash_image(bufs[i]->data, cut, NULL, &res), -EINVAL);
		}
}

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* A PNG whose IHDR declares @w x @h (correct CRC), with one tiny IDAT. */
static struct test_buf png_declaring(uint32_t w, uint32_t h)
{
	static const uint8_t idat[] = { 0, 0, 0, 8, 'I', 'D', 'A', 'T',
					0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 0, 0, 0, 0 };
	struct test_buf b = { malloc(33 + sizeof(idat) + 12), 33 + sizeof(idat) + 12 };
	uint8_t *p = b.data;

	memcpy(p, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
	put32(p + 16, w);
	put32(p + 20, h);
	memcpy(p + 24, "\x08\x02\0\0\0", 5);
	put32(p + 29, crc32_png(p + 12, 17));
	memcpy(p + 33, idat, sizeof(idat));
	put32(p + 33 + 16, crc32_png(p + 33 + 4, 12));
	memcpy(p + 33 + sizeof(idat), "\0\0\0\0IEND\xae\x42\x60\x82", 12);
	return b;
}

/* @src with its SOF patched to declare @w x @h. */
static struct test_buf jpeg_declaring(const struct test_buf *src, uint16_t w, uint16_t h)
{
	struct test_buf b = { malloc(src->len), src->len };

	memcpy(b.data, src->data, src->len);
	for (size_t i = 2; i + 9 < b.len; i++)
		if (b.data[i] == 0xff && (b.data[i + 1] == 0xc0 || b.data[i + 1] == 0xc2)) {
			b.data[i + 5] = (uint8_t)(h >> 8), b.data[i + 6] = (uint8_t)h;
			b.data[i + 7] = (uint8_t)(w >> 8), b.data[i + 8] = (uint8_t)w;
			break;
		}
	return b;
}

/* A GIF whose screen and first image declare 65535 x 65535. */
static struct test_buf gif_declaring_max(void)
{
	static const uint8_t g[] = {
		'G', 'I', 'F', '8', '9', 'a', 0xff, 0xff, 0xff, 0xff, 0x80, 0, 0,
		0, 0, 0, 255, 255, 255,                   /* 2-colour global map */
		',', 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, /* image descriptor */
		2, 2, 0x4c, 0x01, 0, ';',
	};
	struct test_buf b = { malloc(sizeof(g)), sizeof(g) };

	memcpy(b.data, g, sizeof(g));
	return b;
}

/* Declared sizes over the limits are refused before allocation: -E2BIG,
 * with the defaults for giant headers and with tight limits for the
 * ordinary files. */
static void test_huge_declared_sizes(void)
{
	struct test_buf bufs[] = {
		png_declaring(100000, 100000), png_declaring(16384, 16384),
		png_declaring(1, 0x7fffffff), jpeg_declaring(&jpeg, 65000, 65000),
		jpeg_declaring(&pjpeg, 30000, 30000), gif_declaring_max(),
	};
	const struct test_buf *small[] = { &png, &jpeg, &pjpeg, &webp, &webp_lossless, &gif };
	const struct pdq_limits side = { .max_side = 96 }, pixels = { .max_pixels = 97 * 60 };
	const struct pdq_limits memory = { .max_memory = 1000 };

	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		struct pdq_image img;
		struct pdq_result res;
		CU_ASSERT_EQUAL(decode(&bufs[i], NULL, &img), -E2BIG);
		CU_ASSERT_EQUAL(pdq_hash_image(bufs[i].data, bufs[i].len, NULL, &res), -E2BIG);
		test_buf_free(&bufs[i]);
	}
	for (int i = 0; i < 6; i++) {
		struct pdq_image img;
		CU_ASSERT_EQUAL(decode(small[i], &side, &img), -E2BIG);
		CU_ASSERT_EQUAL(decode(small[i], &pixels, &img), -E2BIG);
		CU_ASSERT_EQUAL(decode(small[i], &memory, &img), -E2BIG);
	}
}

/* A progressive JPEG with more scans than allowed is stopped. */
static void test_jpeg_scan_limit(void)
{
	const struct pdq_limits few = { .max_jpeg_scans = 3 }, enough = { .max_jpeg_scans = 20 };
	struct pdq_image img;

	CU_ASSERT_EQUAL(decode(&pjpeg, &few, &img), -E2BIG);
	CU_ASSERT_EQUAL_FATAL(decode(&pjpeg, &enough, &img), 0);
	pdq_image_release(&img);
}

static struct test_buf dup_buf(const struct test_buf *src)
{
	struct test_buf b = { malloc(src->len), src->len };

	memcpy(b.data, src->data, src->len);
	return b;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Offset of the LZW minimum code size byte of a GIF's first image: after
 * the screen, its colour map, any extensions, the image descriptor and
 * its colour map. */
static size_t gif_lzw_size_offset(const struct test_buf *b)
{
	size_t off = 13 + (b->data[10] & 0x80 ? 3u << ((b->data[10] & 7) + 1) : 0);

	while (off < b->len && b->data[off] == '!') {
		off += 2;
		while (off < b->len && b->data[off])
			off += 1 + b->data[off];
		off++;
	}
	return off + 10 + (b->data[off + 9] & 0x80 ? 3u << ((b->data[off + 9] & 7) + 1) : 0);
}

/* Corrupt chunks and tables: -EINVAL. */
static void test_corrupt_chunks(void)
{
	struct test_buf b = dup_buf(&png);
	struct pdq_image img;
	uint8_t *idat = memmem(b.data, b.len, "IDAT", 4);
	uint32_t idat_len = get32(idat - 4);

	idat[10] ^= 0x55; /* compressed data; the CRC is now wrong */
	CU_ASSERT_EQUAL(decode(&b, NULL, &img), -EINVAL);
	put32(idat + 4 + idat_len, crc32_png(idat, 4 + idat_len));
	CU_ASSERT_EQUAL(decode(&b, NULL, &img), -EINVAL); /* CRC right, zlib data wrong */
	test_buf_free(&b);

	b = dup_buf(&jpeg);
	memset((uint8_t *)memmem(b.data, b.len, "\xff\xc4", 2) + 5, 0xff, 16); /* DHT counts */
	CU_ASSERT_EQUAL(decode(&b, NULL, &img), -EINVAL);
	test_buf_free(&b);

	b = dup_buf(&gif);
	b.data[gif_lzw_size_offset(&b)] = 12;
	CU_ASSERT_EQUAL(decode(&b, NULL, &img), -EINVAL);
	test_buf_free(&b);
}

/* Random byte mutations: any outcome but a crash, and only the documented
 * errors. */
static void test_random_mutations(void)
{
	const struct test_buf *bufs[] = { &png, &jpeg, &pjpeg, &webp, &webp_lossless, &gif };
	uint64_t s = 99;
	int bad = 0;

	for (int i = 0; i < 6; i++)
		for (int n = 0; n < 300; n++) {
			struct test_buf b = dup_buf(bufs[i]);
			struct pdq_result res;
			int r;
			for (int k = 0; k < 1 + n % 8; k++)
				b.data[pdq_test_rand(&s) % b.len] ^= (uint8_t)(1 + pdq_test_rand(&s) % 255);
			r = pdq_hash_image(b.data, b.len, NULL, &res);
			bad += r != 0 && r != -EINVAL && r != -E2BIG && r != -ENOTSUP;
			test_buf_free(&b);
		}
	CU_ASSERT_EQUAL(bad, 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "sniff", test_sniff },
		{ "lossless pixels", test_lossless_pixels },
		{ "lossy pixels", test_lossy_pixels },
		{ "interlaced equals plain", test_interlaced_equals_plain },
		{ "png colour types", test_png_colour_types },
		{ "first frame of animations", test_first_frame_of_animations },
		{ "cmyk jpeg", test_cmyk_jpeg },
		{ "pixels excluded from core dumps", test_pixels_excluded_from_core_dumps },
		{ "unknown and empty", test_unknown_and_empty },
		{ "truncated", test_truncated },
		{ "huge declared sizes", test_huge_declared_sizes },
		{ "jpeg scan limit", test_jpeg_scan_limit },
		{ "corrupt chunks", test_corrupt_chunks },
		{ "random mutations", test_random_mutations },
		CU_TEST_INFO_NULL,
	};

	return pdq_test_main_fixture("pdq_decode", setup, teardown, tests);
}
