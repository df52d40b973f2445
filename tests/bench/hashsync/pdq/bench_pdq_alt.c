/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_pdq_alt.c - why the PDQ index is built the way it is: the same
 * hashes and queries (distance 31) through the shipped index and through
 * in-memory versions of the alternatives it was chosen over
 * (docs/pdq-index.md, "Alternatives measured"):
 *
 *   mih16-table   16 slices of 16 bits, a bucket table per slice, postings
 *                 of entry numbers; every candidate's hash is compared
 *                 (plain multi-index hashing, as Meta's MIH)
 *   mih16-sorted  the same with a sorted array of slice values per slice
 *                 and a binary search per probe instead of a table
 *   mih8x32       8 slices of 32 bits, sorted arrays, a binary search for
 *                 each of the 5,489 values within 3 bits of each slice
 *   paired        the shipped index: mih16-table plus the partner slice
 *                 beside each posting as a filter (hashsync/pdq)
 *
 *   bench_pdq_alt [N] [QUERIES]          (default 1000000 1000)
 *
 * Prints rates per CPU second of the thread and bytes per entry; exits 1
 * when a variant's match count differs from a scan's.
 */
#include "hashsync/pdq/pdq_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define D 31u

static double cpu_now(void)
{
	struct timespec c;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c);
	return (double)c.tv_sec + (double)c.tv_nsec * 1e-9;
}

static uint64_t mix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t n;
static uint8_t (*set)[PDQI_HASH_LEN];

static unsigned int slice16(const uint8_t *h, unsigned int s)
{
	return (unsigned int)h[2 * s] << 8 | h[2 * s + 1];
}

static uint32_t slice32(const uint8_t *h, unsigned int s)
{
	return (uint32_t)slice16(h, 2 * s) << 16 | slice16(h, 2 * s + 1);
}

static __attribute__((target("popcnt"))) unsigned int dist(const uint8_t *a, const uint8_t *b)
{
	uint64_t x[4], y[4];
	unsigned int d = 0;

	memcpy(x, a, 32);
	memcpy(y, b, 32);
	for (int i = 0; i < 4; i++)
		d += (unsigned int)__builtin_popcountll(x[i] ^ y[i]);
	return d;
}

/* ---- 16 slices of 16 bits: tables or sorted arrays ---- */

static uint32_t *start16[16], *ids16[16];
static uint16_t *vals16[16]; /* sorted slice values, for the binary search */

static void build16(void)
{
	for (unsigned int s = 0; s < 16; s++) {
		uint32_t *st = calloc(65537, 4), *id = malloc(n * 4), *cur = malloc(65536 * 4);
		uint16_t *v = malloc(n * 2);
		for (size_t i = 0; i < n; i++)
			st[slice16(set[i], s) + 1]++;
		for (unsigned int b = 0; b < 65536; b++)
			st[b + 1] += st[b];
		memcpy(cur, st, 65536 * 4);
		for (size_t i = 0; i < n; i++) {
			uint32_t k = cur[slice16(set[i], s)]++;
			id[k] = (uint32_t)i;
			v[k] = (uint16_t)slice16(set[i], s);
		}
		free(cur);
		start16[s] = st;
		ids16[s] = id;
		vals16[s] = v;
	}
}

static uint32_t lower16(const uint16_t *v, uint32_t key)
{
	uint32_t lo = 0, hi = (uint32_t)n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First slice at which @h is within 1 of @q: the one that reports it. */
static unsigned int first16(const uint8_t *q, const uint8_t *h)
{
	unsigned int s = 0;

	while (__builtin_popcount(slice16(q, s) ^ slice16(h, s)) > 1)
		s++;
	return s;
}

static __attribute__((target("popcnt"))) size_t query16(const uint8_t *q, int sorted)
{
	size_t matches = 0;

	for (unsigned int s = 0; s < 16; s++)
		for (int bit = -1; bit < 16; bit++) {
			uint32_t v = slice16(q, s) ^ (bit < 0 ? 0 : 1u << bit), lo, hi;
			lo = sorted ? lower16(vals16[s], v) : start16[s][v];
			hi = sorted ? lower16(vals16[s], v + 1) : start16[s][v + 1];
			for (uint32_t k = lo; k < hi; k++) {
				const uint8_t *h = set[ids16[s][k]];
				matches += dist(q, h) <= D && first16(q, h) == s;
			}
		}
	return matches;
}

/* ---- 8 slices of 32 bits, sorted arrays ---- */

static uint32_t *vals32[8], *ids32[8];

static int cmp_pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return (*x > *y) - (*x < *y);
}

static void build32(void)
{
	uint64_t *pairs = malloc(n * 8);

	for (unsigned int s = 0; s < 8; s++) {
		for (size_t i = 0; i < n; i++)
			pairs[i] = (uint64_t)slice32(set[i], s) << 32 | i;
		qsort(pairs, n, 8, cmp_pair);
		vals32[s] = malloc(n * 4);
		ids32[s] = malloc(n * 4);
		for (size_t i = 0; i < n; i++) {
			vals32[s][i] = (uint32_t)(pairs[i] >> 32);
			ids32[s][i] = (uint32_t)pairs[i];
		}
	}
	free(pairs);
}

static uint32_t lower32(const uint32_t *v, uint64_t key)
{
	uint32_t lo = 0, hi = (uint32_t)n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static __attribute__((target("popcnt"))) size_t probe32(const uint8_t *q, unsigned int s,
							 uint32_t v)
{
	size_t matches = 0;

	for (uint32_t k = lower32(vals32[s], v); k < n && vals32[s][k] == v; k++) {
		const uint8_t *h = set[ids32[s][k]];
		unsigned int first = 0;
		while (__builtin_popcount(slice32(q, first) ^ slice32(h, first)) > 3)
			first++;
		matches += dist(q, h) <= D && first == s;
	}
	return matches;
}

/* d = 31 = 8 * 3 + 7: radius 3 in every slice: 1 + 32 + 496 + 4960 values. */
static size_t query32(const uint8_t *q)
{
	size_t matches = 0;

	for (unsigned int s = 0; s < 8; s++) {
		uint32_t v = slice32(q, s);
		matches += probe32(q, s, v);
		for (unsigned int a = 0; a < 32; a++) {
			matches += probe32(q, s, v ^ 1u << a);
			for (unsigned int b = a + 1; b < 32; b++) {
				matches += probe32(q, s, v ^ 1u << a ^ 1u << b);
				for (unsigned int c = b + 1; c < 32; c++)
					matches += probe32(q, s, v ^ 1u << a ^ 1u << b ^ 1u << c);
			}
		}
	}
	return matches;
}

/* ---- the runs ---- */

static const struct pdqi *lib;

static size_t query_variant(int v, const uint8_t *q)
{
	size_t total = 0;

	switch (v) {
	case 0:
		return query16(q, 0);
	case 1:
		return query16(q, 1);
	case 2:
		return query32(q);
	case 3:
		pdqi_query(lib, q, D, PDQI_PATH_INDEX, NULL, 0, &total);
		return total;
	default:
		pdqi_query(lib, q, D, PDQI_PATH_SCAN, NULL, 0, &total);
		return total;
	}
}

static int run(int v, const char *name, double bytes, uint8_t (*q)[32], size_t nq, const char *what,
	       const size_t *truth)
{
	size_t matches = 0, wrong = 0;
	double t0 = cpu_now(), t;

	for (size_t i = 0; i < nq; i++) {
		size_t m = query_variant(v, q[i]);
		matches += m;
		wrong += truth && m != truth[i];
	}
	t = cpu_now() - t0;
	printf("  %-13s %-6s %9.0f q/s  %9.2f us/query  %6.1f bytes/entry  %.2f matches/query%s\n",
	       name, what, nq / t, t * 1e6 / nq, bytes, (double)matches / nq,
	       wrong ? "  WRONG" : "");
	return wrong ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "mih16-table", "mih16-sorted", "mih8x32", "paired",
					     "scan" };
	size_t nq = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000, len;
	uint8_t (*miss)[32], (*hit)[32];
	size_t *truth_miss, *truth_hit;
	uint64_t seed = 7;
	double bytes[5];
	void *blob;
	struct pdqi *idx;
	int bad = 0;

	n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	set = malloc(n * 32);
	miss = malloc(nq * 32);
	hit = malloc(nq * 32);
	truth_miss = malloc(nq * sizeof(size_t));
	truth_hit = malloc(nq * sizeof(size_t));
	for (size_t i = 0; i < n * 4; i++)
		((uint64_t *)set)[i] = mix(&seed);
	for (size_t i = 0; i < nq; i++) {
		for (int w = 0; w < 4; w++)
			((uint64_t *)miss[i])[w] = mix(&seed);
		memcpy(hit[i], set[mix(&seed) % n], 32);
		for (unsigned int k = (unsigned int)(mix(&seed) % 25); k; k--) {
			unsigned int bit = (unsigned int)(mix(&seed) % 256);
			hit[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
	}
	build16();
	build32();
	if (pdqi_build(set, n, NULL, &blob, &len) < 0 || pdqi_open(blob, len, &idx) < 0)
		return 1;
	lib = idx;
	bytes[0] = 32 + 16 * 4 + 16 * 65537 * 4.0 / n;
	bytes[1] = 32 + 16 * (4 + 2);
	bytes[2] = 32 + 8 * (4 + 4);
	bytes[3] = (double)len / n;
	bytes[4] = 32;
	printf("pdq index alternatives: %zu random entries, d=%u, one thread\n", n, D);
	for (size_t i = 0; i < nq; i++) {
		truth_miss[i] = query_variant(4, miss[i]);
		truth_hit[i] = query_variant(4, hit[i]);
	}
	for (int v = 0; v < 5; v++) {
		size_t k = v == 2 || v == 4 ? nq / 10 + 1 : nq; /* the slow ones: fewer */
		bad |= run(v, names[v], bytes[v], miss, k, "misses", truth_miss);
		bad |= run(v, names[v], bytes[v], hit, k, "hits", truth_hit);
	}
	pdqi_close(idx);
	free(blob);
	for (unsigned int s = 0; s < 16; s++) {
		free(start16[s]);
		free(ids16[s]);
		free(vals16[s]);
		free(s < 8 ? vals32[s] : NULL);
		free(s < 8 ? ids32[s] : NULL);
	}
	free(set);
	free(miss);
	free(hit);
	free(truth_miss);
	free(truth_hit);
	return bad ? 1 : 0;
}
