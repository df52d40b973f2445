/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_pdq_image.c - libFuzzer target over what the PDQ stage does with a
 * served body: sniff, decode (JPEG, PNG, WebP, GIF) and hash, with each
 * of the pipelines (full decode, fast JPEG, the 512x512 resize) and
 * pdq_decode() on its own.  The limits are tight so that the fuzzer
 * explores parsers rather than big allocations; the checks are the
 * library's promises: only documented errors, results in range, pixels
 * readable in full.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashsync/pdq/pdq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pdq_limits lim = {
	.max_side = 4096, .max_pixels = 2u << 20, .max_memory = 32u << 20,
	.max_jpeg_scans = 32, .max_gif_records = 64,
};

static void check_error(int r)
{
	if (r != 0 && r != -EINVAL && r != -E2BIG && r != -ENOTSUP)
		abort();
}

static void hash_with(const uint8_t *data, size_t size, struct pdq_options opts)
{
	struct pdq_result res;
	int r;

	opts.limits = lim;
	r = pdq_hash_image(data, size, &opts, &res);
	check_error(r);
	if (r == 0 && (res.quality < 0 || res.quality > 100 || res.width > lim.max_side ||
		       res.height > lim.max_side))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pdq_options full = { .resize_512 = false }, fast = PDQ_OPTIONS_FAST;
	const struct pdq_options resize = { .resize_512 = true, .jpeg_luma_only = true,
					    .jpeg_min_side = PDQ_REF_SIDE };
	struct pdq_image img;
	unsigned int sum = 0;
	int r;

	hash_with(data, size, full);
	hash_with(data, size, fast);
	hash_with(data, size, resize);
	r = pdq_decode(data, size, &lim, &img);
	check_error(r);
	if (r == 0) {
		size_t n = (size_t)img.width * img.height * img.channels;
		for (size_t i = 0; i < n; i++)
			sum += img.pixels[i];
		pdq_image_release(&img);
	}
	return (int)(sum & 0);
}
