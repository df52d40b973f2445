/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_hws_open.c - libFuzzer target: arbitrary bytes as a set file.
 *
 * hws_open_mem() must refuse or accept without reading out of bounds; an
 * accepted set is then looked up (digests taken from the input itself, so
 * the fuzzer can steer them), near-looked-up for pdq (its index is the
 * aux section) and iterated completely.  The checksum would
 * stop nearly every mutation at the door, so inputs whose first byte is odd
 * get their checksum fixed before opening: the checks and lookups behind
 * it get fuzzed too.
 */
#include "hashsync/hws.h"
#include "hashsync/hws_format.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visit(const struct hws_entry *e, void *ctx)
{
	/* Touch what iteration hands out. */
	*(uint64_t *)ctx += e->digest[0] + e->ref + e->category;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = aligned_alloc(64, (size + 63) & ~(size_t)63);
	struct hws_set *set = NULL;
	struct hwall_err err;
	uint64_t sink = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (size >= HWS_HEADER_SIZE && (copy[size - 1] & 1))
		hws_checksum(copy, size, copy + HWS_CHECKSUM_OFF);
	if (hws_open_mem(copy, size, &set, &err) == 0) {
		const uint8_t *ptrs[HWS_BULK_MAX];
		unsigned int n = 0;
		for (size_t off = 0; off + HWALL_DIGEST_MAX <= size && n < HWS_BULK_MAX; off += 97)
			ptrs[n++] = copy + off;
		for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
			for (unsigned int i = 0; i < n; i++)
				sink += hws_lookup(set, (enum hwall_algo)a, ptrs[i], NULL);
			sink += hws_lookup_bulk(set, (enum hwall_algo)a, ptrs, n, NULL);
		}
		for (unsigned int i = 0; i < n; i++) {
			struct hws_near near[4];
			size_t total = 0;

			hws_lookup_near(set, HWALL_ALGO_PDQ, ptrs[i], i % 2 ? 31 : 70, near, 4, &total);
			sink += total + (total ? near[0].ref : 0);
		}
		hws_foreach(set, visit, &sink);
		hws_close(set);
	}
	free(copy);
	return (int)(sink & 0);
}
