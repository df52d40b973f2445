/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_pdq_index_build.c - libFuzzer target: PDQ hashes from the input are
 * indexed and queried, and every answer is cross-checked with brute force.
 *
 * Input: byte 0 picks the bucket bits (auto, none, or 1..12), byte 1 the
 * threshold (0..63), byte 2 how many queries (1..4); then 32-byte
 * hashes, the last ones being the queries (each also the entry it was cut
 * from, so near and exact matches happen).  The index must build, open,
 * pass its full check, and answer every query by every path with exactly
 * the entries a brute-force loop finds, in (distance, entry) order.
 */
#include "hashsync/pdq/pdq_index.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ENTRIES 2048u

/* Does @out (@total matches) hold exactly the entries of @set within @d
 * of @q by brute force, with their distances, in (distance, entry) order? */
static int agrees(const uint8_t (*set)[PDQI_HASH_LEN], size_t n, const uint8_t *q,
		  unsigned int d, const struct pdqi_match *out, size_t total)
{
	static unsigned int dist[MAX_ENTRIES];
	size_t want = 0;

	for (size_t e = 0; e < n; e++) {
		dist[e] = 0;
		for (unsigned int i = 0; i < PDQI_HASH_LEN; i++)
			dist[e] += (unsigned int)__builtin_popcount(set[e][i] ^ q[i]);
		want += dist[e] <= d;
	}
	if (total != want)
		return 0;
	for (size_t k = 0; k < total; k++) {
		if (out[k].entry >= n || out[k].distance != dist[out[k].entry] || out[k].distance > d)
			return 0;
		if (k && (out[k].distance < out[k - 1].distance ||
			  (out[k].distance == out[k - 1].distance && out[k].entry <= out[k - 1].entry)))
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pdqi_match out[MAX_ENTRIES];
	struct pdqi_build_opts opts;
	const uint8_t (*set)[PDQI_HASH_LEN];
	size_t n, len, total;
	unsigned int d, nq;
	struct pdqi *idx;
	void *blob;

	if (size < 3)
		return 0;
	/* 13..16 bucket bits run the same code as 12, only with bigger (and
	 * for a fuzzer, slower) tables. */
	opts.bucket_bits = data[0] % 14 == 13 ? PDQI_BITS_NONE : data[0] % 14;
	d = data[1] % 64;
	nq = 1 + data[2] % 4;
	n = (size - 3) / PDQI_HASH_LEN;
	n = n > MAX_ENTRIES ? MAX_ENTRIES : n;
	set = (const uint8_t (*)[PDQI_HASH_LEN])(data + 3);
	if (pdqi_build(n ? set : NULL, n, &opts, &blob, &len) < 0)
		__builtin_trap();
	if (pdqi_open(blob, len, &idx) < 0 || pdqi_check(idx) < 0)
		__builtin_trap();
	for (unsigned int i = 0; i < nq && i < n; i++) {
		const uint8_t *q = set[n - 1 - i];
		for (int p = 0; p < PDQI_PATH_COUNT; p++) {
			if (pdqi_query(idx, q, d, (enum pdqi_path)p, out, MAX_ENTRIES, &total) < 0 ||
			    !agrees(set, n, q, d, out, total))
				__builtin_trap();
		}
	}
	pdqi_close(idx);
	free(blob);
	return 0;
}
