/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_pdq_index_open.c - libFuzzer target: arbitrary bytes as a PDQ index
 * blob (hashsync/pdq/pdq_index_format.h), as a set file would carry one.
 *
 * pdqi_open() must refuse or accept without reading out of bounds; an
 * accepted blob is checked in full (the verdict does not matter) and
 * queried by every path at several thresholds with a query taken from the
 * input, and every match must carry its entry's true distance.  The
 * header's exact-layout rule would stop nearly every mutation at the door,
 * so inputs whose first byte is odd get a valid header for their own count
 * (byte 24) and bucket bits (byte 30), cut to that layout's size: the
 * bucket tables, postings and partners behind it get fuzzed too.
 */
#include "hashsync/pdq/pdq_index.h"
#include "hashsync/pdq/pdq_index_format.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Give @buf a valid header for a small count and bucket bits, and return
 * the layout's size (0 when @size is too short for it). */
static size_t fix_header(uint8_t *buf, size_t size)
{
	struct pdqi_disk_header h = { .layout_version = PDQI_LAYOUT_VERSION,
				      .header_size = PDQI_HEADER_SIZE,
				      .slice_bits = PDQI_SLICE_BITS };
	struct pdqi_layout l;

	h.count = buf[24];
	h.bucket_bits = (uint8_t)(buf[30] % 9);
	h.slices = h.bucket_bits ? PDQI_SLICES : 0;
	pdqi_layout_of(h.count, h.bucket_bits, &l);
	if (l.size > size)
		return 0;
	memcpy(h.magic, PDQI_MAGIC, PDQI_MAGIC_LEN);
	h.blob_size = l.size;
	h.hashes_off = l.hashes_off;
	h.starts_off = l.starts_off;
	h.postings_off = l.postings_off;
	h.partners_off = l.partners_off;
	memcpy(buf, &h, sizeof(h));
	return (size_t)l.size;
}

/* Query @idx at a few thresholds by every path; trap on a false distance. */
static void query_all(const struct pdqi *idx, const uint8_t *q)
{
	static const unsigned int dists[] = { 0, 7, 31, 47, 64, PDQI_MAX_DIST };
	struct pdqi_match out[32];
	size_t total;

	for (unsigned int i = 0; i < sizeof(dists) / sizeof(dists[0]); i++)
		for (int p = 0; p < PDQI_PATH_COUNT; p++) {
			if (pdqi_query(idx, q, dists[i], (enum pdqi_path)p, out, 32, &total) < 0)
				__builtin_trap();
			for (size_t k = 0; k < total && k < 32; k++)
				if (out[k].entry >= pdqi_count(idx) || out[k].distance > dists[i] ||
				    out[k].distance != pdqi_distance(q, pdqi_hash(idx, out[k].entry)))
					__builtin_trap();
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = aligned_alloc(PDQI_ALIGN, pdqi_align_up(size ? size : 1));
	uint8_t q[PDQI_HASH_LEN] = { 0 };
	struct pdqi *idx = NULL;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (size >= PDQI_HEADER_SIZE && (copy[0] & 1))
		size = fix_header(copy, size);
	/* The query: the input's last 32 bytes, or zeros. */
	if (size >= PDQI_HEADER_SIZE + PDQI_HASH_LEN)
		memcpy(q, data + size - PDQI_HASH_LEN, PDQI_HASH_LEN);
	if (pdqi_open(copy, size, &idx) == 0) {
		(void)pdqi_check(idx);
		query_all(idx, q);
		pdqi_close(idx);
	}
	free(copy);
	return 0;
}
