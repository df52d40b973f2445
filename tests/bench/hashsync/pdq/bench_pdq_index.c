/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_pdq_index.c - the PDQ index's figures (issue 15's target in
 * brackets):
 *   build time and bytes per entry for N hashes
 *   open time (bucket tables checked) and pdqi_check time
 *   queries per second on one core at distance 31, misses and hits,
 *   by the index and by brute force in the same run  [>= 20,000/s at 1M]
 *   the same at other thresholds (where the cost model switches to a scan)
 *   distance 31 again with the blob on transparent huge pages
 *
 *   bench_pdq_index [N] [QUERIES]       (default 1000000 20000)
 *
 * Hashes are PRNG bytes: 99% uniform, 1% in clusters of 10 around random
 * centres (0..20 bits off), so that queries near a cluster have several
 * matches.  Misses are fresh random hashes; hits are entries with 0..24
 * random bits flipped.  Rates are per CPU second of this thread (the
 * machine may be shared) with the wall-clock rate beside.  Prints figures,
 * asserts nothing about time; exits 1 if the index and the scan disagree.
 */
#include "hashsync/pdq/pdq_index.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define CLUSTER 10u

struct clock_pair {
	double cpu, wall;
};

static struct clock_pair now(void)
{
	struct timespec c, w;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c);
	clock_gettime(CLOCK_MONOTONIC, &w);
	return (struct clock_pair){ c.tv_sec + c.tv_nsec * 1e-9, w.tv_sec + w.tv_nsec * 1e-9 };
}

static struct clock_pair since(struct clock_pair t0)
{
	struct clock_pair t = now();

	return (struct clock_pair){ t.cpu - t0.cpu, t.wall - t0.wall };
}

static uint64_t mix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rand_hash(uint64_t *seed, uint8_t *h)
{
	for (unsigned int i = 0; i < PDQI_HASH_LEN; i += 8) {
		uint64_t r = mix(seed);
		memcpy(h + i, &r, 8);
	}
}

/* Flip @k random bits of @h (a bit may flip twice: at most @k apart). */
static void flip(uint64_t *seed, uint8_t *h, unsigned int k)
{
	for (unsigned int i = 0; i < k; i++) {
		unsigned int bit = (unsigned int)(mix(seed) % 256);
		h[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
}

static uint8_t (*make_set(size_t n, uint64_t seed))[PDQI_HASH_LEN]
{
	uint8_t (*set)[PDQI_HASH_LEN] = malloc(n * PDQI_HASH_LEN);
	size_t clustered = n / 100 / CLUSTER * CLUSTER;

	if (!set)
		return NULL;
	for (size_t i = 0; i < n - clustered; i++)
		rand_hash(&seed, set[i]);
	for (size_t i = n - clustered; i < n; i += CLUSTER) {
		rand_hash(&seed, set[i]);
		for (unsigned int m = 1; m < CLUSTER; m++) {
			memcpy(set[i + m], set[i], PDQI_HASH_LEN);
			flip(&seed, set[i + m], (unsigned int)(mix(&seed) % 21));
		}
	}
	return set;
}

/* Run every query at @d by @path; prints the rate and the mean matches;
 * returns the total number of matches. */
static size_t run(const struct pdqi *idx, const char *what, uint8_t (*q)[PDQI_HASH_LEN], size_t nq,
		  unsigned int d, enum pdqi_path path)
{
	static const char *const names[PDQI_PATH_COUNT] = { "auto", "index", "scan" };
	struct pdqi_match out[64];
	size_t matches = 0, total;
	struct clock_pair t0 = now(), t;

	for (size_t i = 0; i < nq; i++) {
		pdqi_query(idx, q[i], d, path, out, 64, &total);
		matches += total;
	}
	t = since(t0);
	printf("  d=%-3u %-7s %-5s %10.0f q/s  (wall %10.0f q/s)  %8.2f us/query  %.2f matches/query\n",
	       d, what, names[path], nq / t.cpu, nq / t.wall, t.cpu * 1e6 / nq,
	       (double)matches / nq);
	return matches;
}

/* The index of @set built into anonymous memory advised onto transparent
 * huge pages (2 MiB aligned), as a loader could place it; NULL if that
 * fails.  Returns the mapping in *ret_map and *ret_len. */
static struct pdqi *open_on_huge_pages(uint8_t (*set)[PDQI_HASH_LEN], size_t n, void **ret_map,
				       size_t *ret_len)
{
	size_t len, huge = 2u << 20;
	struct pdqi *idx;
	uint8_t *map, *blob;

	if (pdqi_build_size(n, NULL, &len) < 0)
		return NULL;
	map = mmap(NULL, len + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	blob = (uint8_t *)(((uintptr_t)map + huge - 1) & ~(uintptr_t)(huge - 1));
	madvise(blob, len, MADV_HUGEPAGE);
	if (pdqi_build_into(set, n, NULL, blob, len) < 0 || pdqi_open(blob, len, &idx) < 0) {
		munmap(map, len + huge);
		return NULL;
	}
	*ret_map = map;
	*ret_len = len + huge;
	return idx;
}

static int bench(size_t n, size_t nq)
{
	static const unsigned int dists[] = { 0, 8, 15, 16, 24, 31, 32, 40, 47, 48, 56, 63 };
	uint8_t (*set)[PDQI_HASH_LEN] = make_set(n, n);
	uint8_t (*miss)[PDQI_HASH_LEN] = malloc(nq * PDQI_HASH_LEN);
	uint8_t (*hit)[PDQI_HASH_LEN] = malloc(nq * PDQI_HASH_LEN);
	size_t nscan = nq / 20 ? nq / 20 : 1, len;
	uint64_t seed = 42;
	struct clock_pair t0, t;
	struct pdqi *idx;
	void *blob;
	int bad = 0;

	if (!set || !miss || !hit)
		return -ENOMEM;
	for (size_t i = 0; i < nq; i++) {
		rand_hash(&seed, miss[i]);
		memcpy(hit[i], set[mix(&seed) % n], PDQI_HASH_LEN);
		flip(&seed, hit[i], (unsigned int)(mix(&seed) % 25));
	}

	t0 = now();
	if (pdqi_build(set, n, NULL, &blob, &len) < 0)
		return -ENOMEM;
	t = since(t0);
	printf("pdq index: %zu entries (%zu in clusters of %u)\n", n, n / 100 / CLUSTER * CLUSTER,
	       CLUSTER);
	printf("  build %.3f s (wall %.3f s); blob %.1f MB = %.1f bytes/entry\n", t.cpu, t.wall,
	       len / 1e6, (double)len / n);
	t0 = now();
	if (pdqi_open(blob, len, &idx) < 0)
		return -EINVAL;
	t = since(t0);
	printf("  %u bucket bits; open %.2f ms", pdqi_bucket_bits(idx), t.cpu * 1e3);
	t0 = now();
	bad |= pdqi_check(idx) < 0;
	t = since(t0);
	printf("; full check %.1f ms\n", t.cpu * 1e3);

	printf("queries, one thread (%zu each; scans %zu):\n", nq, nscan);
	bad |= run(idx, "misses", miss, nscan, 31, PDQI_PATH_INDEX) !=
	       run(idx, "misses", miss, nscan, 31, PDQI_PATH_SCAN);
	bad |= run(idx, "hits", hit, nscan, 31, PDQI_PATH_INDEX) !=
	       run(idx, "hits", hit, nscan, 31, PDQI_PATH_SCAN);
	run(idx, "misses", miss, nq, 31, PDQI_PATH_AUTO);
	run(idx, "hits", hit, nq, 31, PDQI_PATH_AUTO);
	for (unsigned int i = 0; i < sizeof(dists) / sizeof(dists[0]); i++) {
		unsigned int d = dists[i];
		bad |= run(idx, "hits", hit, nscan, d, PDQI_PATH_INDEX) !=
		       run(idx, "hits", hit, nscan, d, PDQI_PATH_SCAN);
		run(idx, "hits", hit, nscan, d, PDQI_PATH_AUTO);
	}
	pdqi_close(idx);
	free(blob);
	idx = open_on_huge_pages(set, n, &blob, &len);
	if (idx) {
		printf("the same blob on transparent huge pages (madvise):\n");
		run(idx, "misses", miss, nq, 31, PDQI_PATH_AUTO);
		run(idx, "hits", hit, nq, 31, PDQI_PATH_AUTO);
		pdqi_close(idx);
		munmap(blob, len);
	}
	if (bad)
		fprintf(stderr, "bench_pdq_index: the index and the scan disagree\n");
	free(set);
	free(miss);
	free(hit);
	return bad ? -EPROTO : 0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	size_t nq = argc > 2 ? strtoull(argv[2], NULL, 10) : 20000;

	if (n < 100 || nq < 1) {
		fprintf(stderr, "usage: bench_pdq_index [N >= 100] [QUERIES]\n");
		return 2;
	}
	return bench(n, nq) < 0 ? 1 : 0;
}
