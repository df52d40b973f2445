/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the PDQ near-neighbour index (hashsync/pdq/pdq_index*.c):
 * on seeded random sets with clusters, every query path returns exactly
 * what brute force returns, in order, for every threshold 0..63; the edge
 * cases (empty, one entry, duplicates, a capped output); and corrupted or
 * crafted blobs are refused at open or, where open cannot tell, never make
 * a query read outside the blob (the sanitizer tree checks that).
 */
#include "hashsync/pdq/pdq_index.h"
#include "hashsync/pdq/pdq_index_format.h"
#include "hwall_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SET_RANDOM 8000u
#define SET_CLUSTERS 40u
#define SET_PER_CLUSTER 50u
#define SET_N (SET_RANDOM + SET_CLUSTERS * SET_PER_CLUSTER) /* 10,000 */
#define Q_NEAR 123u   /* entries with 0..40 bits flipped, 3 of each */
#define Q_RANDOM 30u
#define Q_N (Q_NEAR + Q_RANDOM + SET_CLUSTERS)
#define MAX_TESTED_DIST 63u

static uint8_t (*set)[PDQI_HASH_LEN];     /* SET_N entries */
static uint8_t (*queries)[PDQI_HASH_LEN]; /* Q_N queries */
static struct pdqi_match *buf;

/* ---- helpers (the test bodies stay free of conditionals) ---- */

/* Flip @k distinct random bits of @h. */
static void flip_bits(uint64_t *seed, uint8_t *h, unsigned int k)
{
	uint8_t pos[256];

	for (unsigned int i = 0; i < 256; i++)
		pos[i] = (uint8_t)i;
	for (unsigned int i = 0; i < k; i++) {
		unsigned int j = i + (unsigned int)(hwall_test_rand(seed) % (256 - i));
		uint8_t t = pos[i];
		pos[i] = pos[j];
		pos[j] = t;
		h[pos[i] / 8] ^= (uint8_t)(1u << (pos[i] % 8));
	}
}

/* Random entries, then clusters: a random centre and members 0..24 bits
 * from it, so that near queries have many neighbours in many slices. */
static void make_set(uint64_t seed)
{
	set = malloc(SET_N * sizeof(*set));
	hwall_test_rand_bytes(&seed, set, SET_RANDOM * sizeof(*set));
	for (unsigned int c = 0; c < SET_CLUSTERS; c++) {
		uint8_t centre[PDQI_HASH_LEN];
		hwall_test_rand_bytes(&seed, centre, sizeof(centre));
		for (unsigned int m = 0; m < SET_PER_CLUSTER; m++) {
			uint8_t *h = set[SET_RANDOM + c * SET_PER_CLUSTER + m];
			memcpy(h, centre, PDQI_HASH_LEN);
			flip_bits(&seed, h, m % 25);
		}
	}
}

/* Entries with 0..40 bits flipped, random hashes, and the cluster centres
 * give or take a bit. */
static void make_queries(uint64_t seed)
{
	queries = malloc(Q_N * sizeof(*queries));
	for (unsigned int i = 0; i < Q_NEAR; i++) {
		memcpy(queries[i], set[(i * 7919u) % SET_N], PDQI_HASH_LEN);
		flip_bits(&seed, queries[i], i % 41);
	}
	hwall_test_rand_bytes(&seed, queries[Q_NEAR], Q_RANDOM * sizeof(*queries));
	for (unsigned int c = 0; c < SET_CLUSTERS; c++) {
		uint8_t *q = queries[Q_NEAR + Q_RANDOM + c];
		memcpy(q, set[SET_RANDOM + c * SET_PER_CLUSTER], PDQI_HASH_LEN);
		flip_bits(&seed, q, c % 2);
	}
}

/* What brute force says about one query. */
struct expected {
	unsigned int *dist; /* of every entry */
	uint32_t *order;    /* the entries by (distance, entry) */
	size_t upto[257];   /* how many are within each distance */
};

/* Brute force, written independently of the library (a byte table, no
 * builtins): what a query @q over @n entries @s must return. */
static void brute(const uint8_t (*s)[PDQI_HASH_LEN], size_t n, const uint8_t *q,
		  struct expected *ex)
{
	static uint8_t ones[256];
	size_t count[258] = { 0 };

	for (unsigned int x = 1; x < 256; x++)
		ones[x] = (uint8_t)((x & 1) + ones[x / 2]);
	ex->dist = malloc((n + 1) * sizeof(*ex->dist));
	ex->order = malloc((n + 1) * sizeof(*ex->order));
	for (size_t e = 0; e < n; e++) {
		unsigned int d = 0;
		for (unsigned int i = 0; i < PDQI_HASH_LEN; i++)
			d += ones[s[e][i] ^ q[i]];
		ex->dist[e] = d;
		count[d + 1]++;
	}
	for (unsigned int d = 1; d < 258; d++)
		count[d] += count[d - 1];
	for (unsigned int d = 0; d < 257; d++)
		ex->upto[d] = count[d + 1];
	for (size_t e = 0; e < n; e++)
		ex->order[count[ex->dist[e]]++] = (uint32_t)e;
}

static void expected_free(struct expected *ex)
{
	free(ex->dist);
	free(ex->order);
}

/* Thresholds 0..@max_d at which query @q over @idx via @path differs from
 * @ex in total, entries, distances or order. */
static unsigned int differences(const struct pdqi *idx, const uint8_t *q, enum pdqi_path path,
				unsigned int max_d, const struct expected *ex)
{
	unsigned int bad = 0;
	size_t total;

	for (unsigned int d = 0; d <= max_d; d++) {
		unsigned int wrong = pdqi_query(idx, q, d, path, buf, pdqi_count(idx), &total) != 0 ||
				     total != ex->upto[d];
		for (size_t i = 0; !wrong && i < total; i++)
			wrong = buf[i].entry != ex->order[i] ||
				buf[i].distance != ex->dist[ex->order[i]];
		bad += wrong;
	}
	return bad;
}

/* The same, brute force included, for @idx built from @n entries @s. */
static unsigned int mismatches(const struct pdqi *idx, const uint8_t (*s)[PDQI_HASH_LEN],
			       size_t n, const uint8_t *q, enum pdqi_path path, unsigned int max_d)
{
	struct expected ex;
	unsigned int bad;

	brute(s, n, q, &ex);
	bad = differences(idx, q, path, max_d, &ex);
	expected_free(&ex);
	return bad;
}

/* Build @s with @bits, open and check it; NULL on any failure. */
static struct pdqi *build_open(const uint8_t (*s)[PDQI_HASH_LEN], size_t n, unsigned int bits, void **ret_blob,
			       size_t *ret_len)
{
	struct pdqi_build_opts opts = { .bucket_bits = bits };
	struct pdqi *idx = NULL;

	if (pdqi_build(s, n, &opts, ret_blob, ret_len) < 0)
		return NULL;
	if (pdqi_open(*ret_blob, *ret_len, &idx) < 0 || pdqi_check(idx) < 0) {
		pdqi_close(idx);
		free(*ret_blob);
		return NULL;
	}
	return idx;
}

/* All queries, all thresholds 0..63, over the set built with @bits, by
 * each path in @paths (bit i: enum pdqi_path i); returns the number of
 * mismatches and the bucket bits used. */
static unsigned int cross_check(unsigned int bits, unsigned int paths, unsigned int *ret_bits)
{
	void *blob;
	size_t len;
	struct pdqi *idx = build_open(set, SET_N, bits, &blob, &len);
	unsigned int bad = 0;

	if (!idx)
		return ~0u;
	*ret_bits = pdqi_bucket_bits(idx);
	for (unsigned int i = 0; i < Q_N; i++) {
		struct expected ex;
		brute(set, SET_N, queries[i], &ex);
		for (int p = 0; p < PDQI_PATH_COUNT; p++)
			if (paths >> p & 1)
				bad += differences(idx, queries[i], (enum pdqi_path)p,
						   MAX_TESTED_DIST, &ex);
		expected_free(&ex);
	}
	pdqi_close(idx);
	free(blob);
	return bad;
}

/* Opens of a copy of @blob with @len bytes, in a buffer of its own (so
 * that ASan sees any read past it). */
static int open_copy(const void *blob, size_t len)
{
	void *copy = aligned_alloc(PDQI_ALIGN, pdqi_align_up(len ? len : 1));
	struct pdqi *idx = NULL;
	int r;

	memcpy(copy, blob, len);
	r = pdqi_open(copy, len, &idx);
	pdqi_close(idx);
	free(copy);
	return r;
}

/* Every single-bit flip in the first @bytes bytes of @blob: how many opens
 * are refused with -EINVAL. */
static size_t refused_flips(const uint8_t *blob, size_t len, size_t bytes)
{
	uint8_t *copy = aligned_alloc(PDQI_ALIGN, len);
	size_t refused = 0;

	memcpy(copy, blob, len);
	for (size_t i = 0; i < bytes * 8; i++) {
		copy[i / 8] ^= (uint8_t)(1u << (i % 8));
		refused += open_copy(copy, len) == -EINVAL;
		copy[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	free(copy);
	return refused;
}

/* Matches reported for every query 0..63 over @idx (index path) whose
 * entry is out of range or whose distance is not the entry's true one. */
static size_t false_reports(const struct pdqi *idx, const uint8_t (*s)[PDQI_HASH_LEN], size_t n)
{
	size_t wrong = 0, total;

	for (unsigned int i = 0; i < 40; i++)
		for (unsigned int d = 0; d <= MAX_TESTED_DIST; d += 9) {
			pdqi_query(idx, queries[i], d, PDQI_PATH_INDEX, buf, SET_N, &total);
			for (size_t k = 0; k < total && k < SET_N; k++)
				wrong += buf[k].entry >= n ||
					 buf[k].distance != pdqi_distance(queries[i], s[buf[k].entry]);
		}
	return wrong;
}

/* Header field at @off of a copy of @blob set to @val (@size bytes). */
static int open_with_field(const uint8_t *blob, size_t len, size_t off, uint64_t val,
			   size_t size)
{
	uint8_t *copy = aligned_alloc(PDQI_ALIGN, len);
	int r;

	memcpy(copy, blob, len);
	memcpy(copy + off, &val, size);
	r = open_copy(copy, len);
	free(copy);
	return r;
}

/* ---- tests ---- */

static void test_cross_check_auto_bits(void)
{
	unsigned int bits = 0;

	CU_ASSERT_EQUAL(cross_check(PDQI_BITS_AUTO, 1u << PDQI_PATH_AUTO | 1u << PDQI_PATH_INDEX, &bits), 0);
	CU_ASSERT_EQUAL(bits, 12); /* 2^12 <= 10,000 / 2 < 2^13 */
}

static void test_cross_check_16_bits(void)
{
	unsigned int bits = 0;

	CU_ASSERT_EQUAL(cross_check(16, 1u << PDQI_PATH_INDEX, &bits), 0);
	CU_ASSERT_EQUAL(bits, 16);
}

static void test_cross_check_scan_only(void)
{
	unsigned int bits = 99;

	CU_ASSERT_EQUAL(cross_check(PDQI_BITS_NONE, 1u << PDQI_PATH_SCAN | 1u << PDQI_PATH_INDEX, &bits), 0);
	CU_ASSERT_EQUAL(bits, 0);
}

/* Two bucket bits: radii from 2 up probe every bucket of a slice. */
static void test_cross_check_few_bits(void)
{
	void *blob;
	size_t len;
	struct pdqi *idx = build_open(set, 500, 2, &blob, &len);
	unsigned int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(idx);
	for (unsigned int i = 0; i < 60; i++)
		bad += mismatches(idx, set, 500, queries[i], PDQI_PATH_INDEX, MAX_TESTED_DIST);
	CU_ASSERT_EQUAL(bad, 0);
	pdqi_close(idx);
	free(blob);
}

/* Thresholds above 63, up to every entry. */
static void test_large_thresholds(void)
{
	void *blob;
	size_t len, total = 0;
	struct pdqi *idx = build_open(set, 2000, PDQI_BITS_AUTO, &blob, &len);
	unsigned int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(idx);
	for (unsigned int i = 0; i < 5; i++)
		for (int p = 0; p < PDQI_PATH_COUNT; p++)
			bad += mismatches(idx, set, 2000, queries[i], (enum pdqi_path)p, 100);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(pdqi_query(idx, queries[0], PDQI_MAX_DIST, PDQI_PATH_AUTO, NULL, 0, &total), 0);
	CU_ASSERT_EQUAL(total, 2000);
	pdqi_close(idx);
	free(blob);
}

static void test_empty_set(void)
{
	void *blob, *blob16;
	size_t len, len16, t0 = 9, t1 = 9, t2 = 9, t3 = 9;
	struct pdqi *idx = build_open(NULL, 0, PDQI_BITS_AUTO, &blob, &len);
	struct pdqi *idx16 = build_open(NULL, 0, 16, &blob16, &len16);

	CU_ASSERT_PTR_NOT_NULL_FATAL(idx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(idx16);
	CU_ASSERT_EQUAL(len, PDQI_HEADER_SIZE);
	CU_ASSERT_EQUAL(pdqi_count(idx), 0);
	CU_ASSERT_EQUAL(pdqi_bucket_bits(idx), 0);
	CU_ASSERT_EQUAL(pdqi_query(idx, queries[0], 0, PDQI_PATH_AUTO, buf, 10, &t0), 0);
	CU_ASSERT_EQUAL(pdqi_query(idx, queries[0], PDQI_MAX_DIST, PDQI_PATH_INDEX, buf, 10, &t1), 0);
	CU_ASSERT_EQUAL(pdqi_query(idx16, queries[0], 31, PDQI_PATH_INDEX, buf, 10, &t2), 0);
	CU_ASSERT_EQUAL(pdqi_query(idx16, queries[0], PDQI_MAX_DIST, PDQI_PATH_SCAN, buf, 10, &t3), 0);
	CU_ASSERT_EQUAL(t0 + t1 + t2 + t3, 0);
	pdqi_close(idx);
	pdqi_close(idx16);
	free(blob);
	free(blob16);
}

static void test_one_entry(void)
{
	void *blob;
	size_t len, total = 9;
	struct pdqi *idx = build_open(set, 1, 16, &blob, &len);
	uint8_t q[PDQI_HASH_LEN];
	uint64_t seed = 7;

	CU_ASSERT_PTR_NOT_NULL_FATAL(idx);
	CU_ASSERT_EQUAL(pdqi_query(idx, set[0], 0, PDQI_PATH_INDEX, buf, 4, &total), 0);
	CU_ASSERT_EQUAL(total, 1);
	CU_ASSERT_EQUAL(buf[0].entry, 0);
	CU_ASSERT_EQUAL(buf[0].distance, 0);
	memcpy(q, set[0], sizeof(q));
	flip_bits(&seed, q, 31);
	CU_ASSERT_EQUAL(pdqi_query(idx, q, 30, PDQI_PATH_INDEX, buf, 4, &total), 0);
	CU_ASSERT_EQUAL(total, 0);
	CU_ASSERT_EQUAL(pdqi_query(idx, q, 31, PDQI_PATH_INDEX, buf, 4, &total), 0);
	CU_ASSERT_EQUAL(total, 1);
	CU_ASSERT_EQUAL(buf[0].distance, 31);
	CU_ASSERT_EQUAL(mismatches(idx, set, 1, q, PDQI_PATH_AUTO, MAX_TESTED_DIST), 0);
	pdqi_close(idx);
	free(blob);
}

/* 50 copies of one hash among 200 others: each copy once, at distance 0,
 * in entry order, from every path. */
static void test_duplicates(void)
{
	uint8_t (*dup)[PDQI_HASH_LEN] = malloc(250 * sizeof(*dup));
	void *blob;
	size_t len, total[PDQI_PATH_COUNT] = { 0 }, in_order = 0;
	struct pdqi *idx;

	memcpy(dup, set, 250 * sizeof(*dup));
	for (unsigned int i = 0; i < 50; i++)
		memcpy(dup[i * 5], set[SET_N - 1], PDQI_HASH_LEN);
	idx = build_open((const uint8_t (*)[PDQI_HASH_LEN])dup, 250, 16, &blob, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(idx);
	for (int p = 0; p < PDQI_PATH_COUNT; p++) {
		CU_ASSERT_EQUAL(pdqi_query(idx, set[SET_N - 1], 0, (enum pdqi_path)p, buf, SET_N, &total[p]), 0);
		for (unsigned int i = 0; i < 50; i++)
			in_order += buf[i].entry == i * 5 && buf[i].distance == 0;
	}
	CU_ASSERT_EQUAL(total[PDQI_PATH_AUTO], 50);
	CU_ASSERT_EQUAL(total[PDQI_PATH_INDEX], 50);
	CU_ASSERT_EQUAL(total[PDQI_PATH_SCAN], 50);
	CU_ASSERT_EQUAL(in_order, 50 * PDQI_PATH_COUNT);
	CU_ASSERT_EQUAL(mismatches(idx, (const uint8_t (*)[PDQI_HASH_LEN])dup, 250, set[SET_N - 1], PDQI_PATH_INDEX, 63), 0);
	pdqi_close(idx);
	free(blob);
	free(dup);
}

/* Fewer slots than matches: the nearest ones, in order, and the total. */
static void test_capped_output(void)
{
	void *blob;
	size_t len, total = 0, all = 0, none = 0;
	struct pdqi *idx = build_open(set, SET_N, PDQI_BITS_AUTO, &blob, &len);
	struct pdqi_match top[5];
	const uint8_t *centre = set[SET_RANDOM];

	CU_ASSERT_PTR_NOT_NULL_FATAL(idx);
	CU_ASSERT_EQUAL(pdqi_query(idx, centre, 31, PDQI_PATH_INDEX, buf, SET_N, &all), 0);
	CU_ASSERT(all >= 50);
	CU_ASSERT_EQUAL(pdqi_query(idx, centre, 31, PDQI_PATH_INDEX, top, 5, &total), 0);
	CU_ASSERT_EQUAL(total, all);
	CU_ASSERT_EQUAL(memcmp(top, buf, sizeof(top)), 0);
	CU_ASSERT_EQUAL(pdqi_query(idx, centre, 31, PDQI_PATH_SCAN, top, 5, &total), 0);
	CU_ASSERT_EQUAL(memcmp(top, buf, sizeof(top)), 0);
	CU_ASSERT_EQUAL(pdqi_query(idx, centre, 31, PDQI_PATH_AUTO, NULL, 0, &none), 0);
	CU_ASSERT_EQUAL(none, all);
	pdqi_close(idx);
	free(blob);
}

static void test_bad_arguments(void)
{
	struct pdqi_build_opts bad_bits = { .bucket_bits = 17 };
	void *blob, *buf64 = aligned_alloc(64, 4096);
	size_t len, len1 = 0, total = 0;
	struct pdqi *idx = build_open(set, 100, PDQI_BITS_AUTO, &blob, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(idx);
	CU_ASSERT_EQUAL(pdqi_query(idx, set[0], PDQI_MAX_DIST + 1, PDQI_PATH_AUTO, buf, 1, &total), -EINVAL);
	CU_ASSERT_EQUAL(pdqi_query(idx, set[0], 31, PDQI_PATH_COUNT, buf, 1, &total), -EINVAL);
	CU_ASSERT_EQUAL(pdqi_build_size(100, &bad_bits, &len), -EINVAL);
	CU_ASSERT_EQUAL(pdqi_build_size((size_t)PDQI_MAX_ENTRIES + 1, NULL, &len), -EINVAL);
	CU_ASSERT_EQUAL(pdqi_build_size(1, NULL, &len1), 0);
	CU_ASSERT_EQUAL(len1, 128);
	CU_ASSERT_EQUAL(pdqi_build_into(set, 1, NULL, (uint8_t *)buf64 + 8, 128), -EINVAL);
	CU_ASSERT_EQUAL(pdqi_build_into(set, 1, NULL, buf64, 192), -EINVAL);
	CU_ASSERT_EQUAL(pdqi_build_into(set, 1, NULL, buf64, 128), 0);
	CU_ASSERT_EQUAL(pdqi_open((uint8_t *)blob + 1, len - 1, &idx), -EINVAL);
	CU_ASSERT_EQUAL(pdqi_distance(set[0], set[0]), 0);
	pdqi_close(idx);
	free(buf64);
	free(blob);
}

/* The same hashes give the same bytes. */
static void test_deterministic(void)
{
	void *a, *b;
	size_t la = 0, lb = 1;

	CU_ASSERT_EQUAL_FATAL(pdqi_build(set, 3000, NULL, &a, &la), 0);
	CU_ASSERT_EQUAL_FATAL(pdqi_build(set, 3000, NULL, &b, &lb), 0);
	CU_ASSERT_EQUAL(la, lb);
	CU_ASSERT_EQUAL(memcmp(a, b, la), 0);
	free(a);
	free(b);
}

static void test_truncated_everywhere(void)
{
	void *blob, *flat;
	size_t len, flat_len, refused = 0;
	struct pdqi_build_opts none = { .bucket_bits = PDQI_BITS_NONE };

	CU_ASSERT_EQUAL_FATAL(pdqi_build(set, 200, NULL, &blob, &len), 0);
	CU_ASSERT_EQUAL_FATAL(pdqi_build(set, 200, &none, &flat, &flat_len), 0);
	for (size_t l = 0; l < len; l++)
		refused += open_copy(blob, l) == -EINVAL;
	for (size_t l = 0; l < flat_len; l++)
		refused += open_copy(flat, l) == -EINVAL;
	CU_ASSERT_EQUAL(refused, len + flat_len);
	CU_ASSERT_EQUAL(open_copy(blob, len), 0);
	CU_ASSERT_EQUAL(open_copy(flat, flat_len), 0);
	free(blob);
	free(flat);
}

static void test_extended(void)
{
	void *blob;
	size_t len;
	uint8_t *longer;

	CU_ASSERT_EQUAL_FATAL(pdqi_build(set, 200, NULL, &blob, &len), 0);
	longer = calloc(1, len + 64);
	memcpy(longer, blob, len);
	CU_ASSERT_EQUAL(open_copy(longer, len + 1), -EINVAL);
	CU_ASSERT_EQUAL(open_copy(longer, len + 64), -EINVAL);
	free(longer);
	free(blob);
}

/* Every bit of the header matters: any single flip is refused. */
static void test_header_bit_flips(void)
{
	void *blob, *flat;
	size_t len, flat_len;
	struct pdqi_build_opts none = { .bucket_bits = PDQI_BITS_NONE };

	CU_ASSERT_EQUAL_FATAL(pdqi_build(set, 200, NULL, &blob, &len), 0);
	CU_ASSERT_EQUAL_FATAL(pdqi_build(set, 201, &none, &flat, &flat_len), 0);
	CU_ASSERT_EQUAL(refused_flips(blob, len, PDQI_HEADER_SIZE), PDQI_HEADER_SIZE * 8);
	CU_ASSERT_EQUAL(refused_flips(flat, flat_len, PDQI_HEADER_SIZE), PDQI_HEADER_SIZE * 8);
	free(blob);
	free(flat);
}

static void test_offsets_and_counts(void)
{
	void *blob;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(pdqi_build(set, 200, NULL, &blob, &len), 0);
	CU_ASSERT_EQUAL(open_with_field(blob, len, 32, len, 8), -EINVAL);         /* hashes at the end */
	CU_ASSERT_EQUAL(open_with_field(blob, len, 40, len + 64, 8), -EINVAL);    /* starts past it */
	CU_ASSERT_EQUAL(open_with_field(blob, len, 48, ~0ull - 63, 8), -EINVAL);  /* postings wrap */
	CU_ASSERT_EQUAL(open_with_field(blob, len, 32, 0, 8), -EINVAL);           /* over the header */
	CU_ASSERT_EQUAL(open_with_field(blob, len, 40, 64, 8), -EINVAL);          /* over the hashes */
	CU_ASSERT_EQUAL(open_with_field(blob, len, 24, 0xffffffffu, 4), -EINVAL); /* count */
	CU_ASSERT_EQUAL(open_with_field(blob, len, 24, 0, 4), -EINVAL);
	CU_ASSERT_EQUAL(open_with_field(blob, len, 16, ~0ull, 8), -EINVAL);       /* blob size */
	CU_ASSERT_EQUAL(open_with_field(blob, len, 30, 17, 1), -EINVAL);          /* bucket bits */
	CU_ASSERT_EQUAL(open_with_field(blob, len, 30, 0, 1), -EINVAL);
	CU_ASSERT_EQUAL(open_with_field(blob, len, 28, 0, 1), -EINVAL);           /* slices */
	free(blob);
}

/* Bucket tables that start late, end early or go backwards are refused. */
static void test_bad_bucket_tables(void)
{
	void *blob;
	size_t len;
	const struct pdqi_disk_header *h;
	uint64_t last, s3;

	CU_ASSERT_EQUAL_FATAL(pdqi_build(set, 200, NULL, &blob, &len), 0);
	h = blob;
	last = h->starts_off + 15 * pdqi_starts_stride(h->bucket_bits);
	s3 = h->starts_off + 3 * pdqi_starts_stride(h->bucket_bits);
	CU_ASSERT_EQUAL(open_with_field(blob, len, h->starts_off, 1, 4), -EINVAL);
	CU_ASSERT_EQUAL(open_with_field(blob, len, last + 4 * (1u << h->bucket_bits), 199, 4), -EINVAL);
	CU_ASSERT_EQUAL(open_with_field(blob, len, s3 + 4 * 5, 201, 4), -EINVAL);
	CU_ASSERT_EQUAL(open_with_field(blob, len, s3 + 4 * 5, 0, 4), -EINVAL);
	free(blob);
}

/* Postings open cannot judge (entries past the count, entries in the wrong
 * bucket, all one entry): the full check refuses them, and queries stay in
 * the blob and report true distances only. */
static void test_crafted_postings(void)
{
	void *blob;
	size_t len;
	struct pdqi *idx = build_open(set, SET_N, PDQI_BITS_AUTO, &blob, &len);
	struct pdqi_disk_header *h = blob;
	uint32_t *post = (uint32_t *)((uint8_t *)blob + h->postings_off);
	size_t n_post = (len - h->postings_off) / 4;
	uint64_t seed = 99;

	CU_ASSERT_PTR_NOT_NULL_FATAL(idx);
	memset(post, 0xff, n_post * 4);
	CU_ASSERT_EQUAL(pdqi_check(idx), -EINVAL);
	CU_ASSERT_EQUAL(false_reports(idx, set, SET_N), 0);
	memset(post, 0, n_post * 4);
	CU_ASSERT_EQUAL(pdqi_check(idx), -EINVAL);
	CU_ASSERT_EQUAL(false_reports(idx, set, SET_N), 0);
	for (size_t i = 0; i < n_post; i++)
		post[i] = (uint32_t)(hwall_test_rand(&seed) % (SET_N + 100));
	CU_ASSERT_EQUAL(pdqi_check(idx), -EINVAL);
	CU_ASSERT_EQUAL(false_reports(idx, set, SET_N), 0);
	pdqi_close(idx);
	free(blob);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "cross-check, auto bucket bits", test_cross_check_auto_bits },
		{ "cross-check, 16 bucket bits", test_cross_check_16_bits },
		{ "cross-check, scan only", test_cross_check_scan_only },
		{ "cross-check, 2 bucket bits", test_cross_check_few_bits },
		{ "thresholds above 63", test_large_thresholds },
		{ "empty set", test_empty_set },
		{ "one entry", test_one_entry },
		{ "duplicates", test_duplicates },
		{ "capped output", test_capped_output },
		{ "bad arguments", test_bad_arguments },
		{ "deterministic", test_deterministic },
		{ "truncated at every offset", test_truncated_everywhere },
		{ "extended", test_extended },
		{ "header bit flips", test_header_bit_flips },
		{ "offsets and counts", test_offsets_and_counts },
		{ "bad bucket tables", test_bad_bucket_tables },
		{ "crafted postings", test_crafted_postings },
		CU_TEST_INFO_NULL,
	};
	int rc;

	make_set(15);
	make_queries(1515);
	buf = malloc(SET_N * sizeof(*buf));
	rc = hwall_test_main("hashsync/pdq_index", tests);
	free(buf);
	free(queries);
	free(set);
	return rc;
}
