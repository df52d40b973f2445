/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for the hash-set store: round trips for every algorithm,
 * merging of duplicates and removals, empty sets, boundary digests, bucket
 * edges, bulk lookups, iteration and the atomic write.
 */
#include "hws_test_util.h"
#include "hashsync/hws_format.h"

#include <errno.h>
#include <sys/stat.h>

/* Build a set of @n random entries of @algo into @name; returns the entries. */
static struct hws_entry *build_random(const char *name, enum hwall_algo algo, size_t n,
				      uint64_t seed, struct hws_write_stats *st)
{
	struct hws_entry *e = calloc(n ? n : 1, sizeof(*e));
	struct hws_builder *b = hws_builder_new("test-set", 7);
	struct hwall_err err;

	hws_test_entries(seed, algo, e, n);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(hws_builder_add(b, algo, e[i].digest, e[i].category, e[i].ref), 0);
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path(name), st, &err), 0);
	hws_builder_free(b);
	return e;
}

/* Lookups of every entry (single and bulk) with their metadata, and of
 * random digests that are not there. */
static void check_round_trip(enum hwall_algo algo, size_t n)
{
	struct hws_write_stats st;
	struct hws_entry *e = build_random("rt.hws", algo, n, 1000 + algo, &st);
	struct hws_entry miss[256];
	struct hws_set *set = NULL;
	struct hwall_err err;
	struct hws_hit hit, hits[HWS_BULK_MAX];
	const uint8_t *ptrs[HWS_BULK_MAX];
	size_t bad = 0;

	CU_ASSERT_EQUAL(st.entries, n);
	CU_ASSERT_EQUAL_FATAL(hws_open(hws_test_path("rt.hws"), &set, &err), 0);
	CU_ASSERT_EQUAL(hws_count(set, algo), n);
	for (size_t i = 0; i < n; i++) {
		bool found = hws_lookup(set, algo, e[i].digest, &hit);
		bad += !found || hit.category != e[i].category || hit.ref != e[i].ref;
	}
	CU_ASSERT_EQUAL(bad, 0);
	for (size_t i = 0; i < n; i += HWS_BULK_MAX) {
		unsigned int m = n - i < HWS_BULK_MAX ? (unsigned int)(n - i) : HWS_BULK_MAX;
		for (unsigned int j = 0; j < m; j++)
			ptrs[j] = e[i + j].digest;
		uint64_t mask = hws_lookup_bulk(set, algo, ptrs, m, hits);
		bad += (size_t)__builtin_popcountll(mask) != m;
		for (unsigned int j = 0; j < m; j++)
			bad += hits[j].ref != e[i + j].ref || hits[j].category != e[i + j].category;
	}
	CU_ASSERT_EQUAL(bad, 0);
	hws_test_entries(99, algo, miss, 256);
	for (size_t i = 0; i < 256; i++)
		bad += hws_lookup(set, algo, miss[i].digest, NULL);
	for (size_t i = 0; i < 256; i += HWS_BULK_MAX) {
		for (unsigned int j = 0; j < HWS_BULK_MAX; j++)
			ptrs[j] = miss[i + j].digest;
		bad += hws_lookup_bulk(set, algo, ptrs, HWS_BULK_MAX, NULL) != 0;
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* No other algorithm answers for these digests. */
	CU_ASSERT_FALSE(hws_lookup(set, (enum hwall_algo)((algo + 1) % HWALL_ALGO_COUNT), e[0].digest, NULL));
	hws_close(set);
	free(e);
}

static void test_round_trip_xxh3(void) { check_round_trip(HWALL_ALGO_XXH3_128, 5000); }
static void test_round_trip_md5(void) { check_round_trip(HWALL_ALGO_MD5, 20000); }
static void test_round_trip_sha1(void) { check_round_trip(HWALL_ALGO_SHA1, 3000); }
static void test_round_trip_sha256(void) { check_round_trip(HWALL_ALGO_SHA256, 3000); }
/* 300,000 entries: 16 bucket bits, so two leading bytes live in the bucket. */
static void test_round_trip_strip2(void) { check_round_trip(HWALL_ALGO_MD5, 300000); }
/* Tiny sets: one bucket, and a long run searched in halves. */
static void test_round_trip_tiny(void) { check_round_trip(HWALL_ALGO_SHA1, 1); }
static void test_round_trip_one_bucket(void) { check_round_trip(HWALL_ALGO_MD5, 8); }

static int collect(const struct hws_entry *e, void *ctx)
{
	struct hws_entry **next = ctx;
	*(*next)++ = *e;
	return 0;
}

static void test_all_algorithms_in_one_file(void)
{
	struct hws_builder *b = hws_builder_new("multi", 1);
	struct hws_entry e[HWALL_ALGO_COUNT][50], got[HWALL_ALGO_COUNT * 50 + 1], *next = got;
	struct hws_set *set = NULL;
	struct hwall_err err;
	struct hws_info info;
	size_t bad = 0;

	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		hws_test_entries(7 + a, (enum hwall_algo)a, e[a], 50);
		for (int i = 0; i < 50; i++)
			hws_builder_add(b, (enum hwall_algo)a, e[a][i].digest, e[a][i].category, e[a][i].ref);
	}
	hws_builder_set_times(b, 1700000000, 1800000000);
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("multi.hws"), NULL, &err), 0);
	hws_builder_free(b);
	CU_ASSERT_EQUAL_FATAL(hws_open(hws_test_path("multi.hws"), &set, &err), 0);
	hws_info(set, &info);
	CU_ASSERT_STRING_EQUAL(info.id, "multi");
	CU_ASSERT_EQUAL(info.version, 1);
	CU_ASSERT_EQUAL(info.created, 1700000000);
	CU_ASSERT_EQUAL(info.expires, 1800000000);
	CU_ASSERT_EQUAL(info.entries, HWALL_ALGO_COUNT * 50);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		CU_ASSERT_EQUAL(info.counts[a], 50);
		for (int i = 0; i < 50; i++)
			bad += !hws_lookup(set, (enum hwall_algo)a, e[a][i].digest, NULL);
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* Iteration: every entry once, algorithm by algorithm, sorted. */
	CU_ASSERT_EQUAL(hws_foreach(set, collect, &next), 0);
	CU_ASSERT_EQUAL_FATAL(next - got, HWALL_ALGO_COUNT * 50);
	for (int i = 1; i < HWALL_ALGO_COUNT * 50; i++)
		bad += got[i - 1].algo > got[i].algo ||
		       (got[i - 1].algo == got[i].algo &&
			memcmp(got[i - 1].digest, got[i].digest, hwall_algo_len(got[i].algo)) >= 0);
	CU_ASSERT_EQUAL(bad, 0);
	hws_close(set);
}

static void test_duplicates_last_wins(void)
{
	struct hws_builder *b = hws_builder_new("dups", 1);
	uint8_t d1[16], d2[16], d3[16], d4[32];
	struct hws_write_stats st;
	struct hws_set *set = NULL;
	struct hwall_err err;
	struct hws_hit hit;
	uint64_t seed = 5;

	hwall_test_rand_bytes(&seed, d1, 16);
	hwall_test_rand_bytes(&seed, d2, 16);
	hwall_test_rand_bytes(&seed, d3, 16);
	hwall_test_rand_bytes(&seed, d4, 32);
	hws_builder_add(b, HWALL_ALGO_MD5, d1, 1, 10);
	hws_builder_add(b, HWALL_ALGO_MD5, d2, 2, 20);
	hws_builder_add(b, HWALL_ALGO_MD5, d1, 3, 30);     /* replaces d1's metadata */
	hws_builder_remove(b, HWALL_ALGO_MD5, d2);         /* drops d2 */
	hws_builder_remove(b, HWALL_ALGO_MD5, d3);         /* d3 was never there */
	hws_builder_add(b, HWALL_ALGO_MD5, d3, 4, 40);     /* ... and now is */
	hws_builder_add(b, HWALL_ALGO_SHA256, d4, 5, 50);  /* other algorithms: separate */
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("dups.hws"), &st, &err), 0);
	CU_ASSERT_EQUAL(st.entries, 3);
	CU_ASSERT_EQUAL(st.duplicates, 1);
	CU_ASSERT_EQUAL(st.removed, 1);
	CU_ASSERT_EQUAL(st.absent_removes, 0);
	CU_ASSERT_EQUAL_FATAL(hws_open(hws_test_path("dups.hws"), &set, &err), 0);
	CU_ASSERT_TRUE(hws_lookup(set, HWALL_ALGO_MD5, d1, &hit));
	CU_ASSERT_EQUAL(hit.category, 3);
	CU_ASSERT_EQUAL(hit.ref, 30);
	CU_ASSERT_FALSE(hws_lookup(set, HWALL_ALGO_MD5, d2, NULL));
	CU_ASSERT_TRUE(hws_lookup(set, HWALL_ALGO_MD5, d3, &hit));
	CU_ASSERT_EQUAL(hit.ref, 40);
	hws_close(set);

	/* The builder stays usable: a later remove of an absent digest is counted. */
	hws_builder_remove(b, HWALL_ALGO_MD5, d2);
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("dups.hws"), &st, &err), 0);
	CU_ASSERT_EQUAL(st.entries, 3);
	CU_ASSERT_EQUAL(st.absent_removes, 1);
	hws_builder_free(b);
}

/* The same rule through the radix-sort path: 20,000 adds, then a second
 * add of every third entry with new metadata and a remove of every fifth. */
static void test_duplicates_large(void)
{
	enum { N = 20000 };
	struct hws_builder *b = hws_builder_new("dups-large", 1);
	struct hws_entry *e = calloc(N, sizeof(*e));
	struct hws_write_stats st;
	struct hws_set *set = NULL;
	struct hwall_err err;
	size_t bad = 0, present = 0;

	hws_test_entries(77, HWALL_ALGO_XXH3_128, e, N);
	for (size_t i = 0; i < N; i++)
		hws_builder_add(b, HWALL_ALGO_XXH3_128, e[i].digest, 1, (uint32_t)i);
	for (size_t i = 0; i < N; i += 3)
		hws_builder_add(b, HWALL_ALGO_XXH3_128, e[i].digest, 2, (uint32_t)i + N);
	for (size_t i = 0; i < N; i += 5)
		hws_builder_remove(b, HWALL_ALGO_XXH3_128, e[i].digest);
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("dl.hws"), &st, &err), 0);
	CU_ASSERT_EQUAL(st.removed, N / 5);
	CU_ASSERT_EQUAL(st.duplicates, (N + 2) / 3);
	CU_ASSERT_EQUAL(st.entries, N - N / 5);
	CU_ASSERT_EQUAL_FATAL(hws_open(hws_test_path("dl.hws"), &set, &err), 0);
	for (size_t i = 0; i < N; i++) {
		struct hws_hit hit = { 0 };
		bool found = hws_lookup(set, HWALL_ALGO_XXH3_128, e[i].digest, &hit);
		uint32_t want_ref = i % 3 == 0 ? (uint32_t)i + N : (uint32_t)i;
		present += found;
		bad += found != (i % 5 != 0);
		bad += found && (hit.ref != want_ref || hit.category != (i % 3 == 0 ? 2 : 1));
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(present, N - N / 5);
	hws_close(set);
	hws_builder_free(b);
	free(e);
}

static void test_empty_set(void)
{
	struct hws_builder *b = hws_builder_new("empty", 3);
	struct hws_entry none[1], *next = none;
	struct hws_write_stats st;
	struct hws_set *set = NULL;
	struct hwall_err err;
	struct hws_info info;
	uint8_t d[32] = { 0 };
	const uint8_t *p = d;

	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("empty.hws"), &st, &err), 0);
	hws_builder_free(b);
	CU_ASSERT_EQUAL(st.entries, 0);
	CU_ASSERT_EQUAL(st.bytes, HWS_HEADER_SIZE);
	CU_ASSERT_EQUAL_FATAL(hws_open(hws_test_path("empty.hws"), &set, &err), 0);
	hws_info(set, &info);
	CU_ASSERT_EQUAL(info.entries, 0);
	CU_ASSERT_EQUAL(info.version, 3);
	CU_ASSERT_FALSE(hws_lookup(set, HWALL_ALGO_SHA256, d, NULL));
	CU_ASSERT_EQUAL(hws_lookup_bulk(set, HWALL_ALGO_MD5, &p, 1, NULL), 0);
	CU_ASSERT_EQUAL(hws_foreach(set, collect, &next), 0);
	CU_ASSERT_PTR_EQUAL(next, none);
	hws_close(set);
}

/* All-zero and all-0xff digests and their neighbours, in a set large enough
 * that the leading bytes are stripped into the bucket. */
static void test_boundary_digests(void)
{
	struct hws_write_stats st;
	struct hws_entry *e = build_random("edge-base.hws", HWALL_ALGO_MD5, 100000, 3, &st);
	struct hws_builder *b = hws_builder_new("edges", 1);
	uint8_t zero[16] = { 0 }, ones[16], zero1[16] = { 0 }, ones1[16];
	struct hws_set *set = NULL;
	struct hwall_err err;
	struct hws_hit hit;

	memset(ones, 0xff, 16);
	memset(ones1, 0xff, 16);
	zero1[15] = 1;
	ones1[15] = 0xfe;
	for (size_t i = 0; i < 100000; i++)
		hws_builder_add(b, HWALL_ALGO_MD5, e[i].digest, 0, 0);
	hws_builder_add(b, HWALL_ALGO_MD5, zero, 1, 1);
	hws_builder_add(b, HWALL_ALGO_MD5, ones, 2, 2);
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("edges.hws"), NULL, &err), 0);
	hws_builder_free(b);
	CU_ASSERT_EQUAL_FATAL(hws_open(hws_test_path("edges.hws"), &set, &err), 0);
	CU_ASSERT_TRUE(hws_lookup(set, HWALL_ALGO_MD5, zero, &hit));
	CU_ASSERT_EQUAL(hit.ref, 1);
	CU_ASSERT_TRUE(hws_lookup(set, HWALL_ALGO_MD5, ones, &hit));
	CU_ASSERT_EQUAL(hit.ref, 2);
	CU_ASSERT_FALSE(hws_lookup(set, HWALL_ALGO_MD5, zero1, NULL));
	CU_ASSERT_FALSE(hws_lookup(set, HWALL_ALGO_MD5, ones1, NULL));
	hws_close(set);
	free(e);
}

/* Digests on both sides of every bucket edge of a 14-bit index: the last
 * digest of bucket k and the first of bucket k+1 are both found, and the
 * digests just past them are not. */
static void test_bucket_edges(void)
{
	struct hws_builder *b = hws_builder_new("bucket-edges", 1);
	enum { N = 80000, EDGES = 64 };
	uint8_t last[EDGES][16], first[EDGES][16], past_last[EDGES][16], before_first[EDGES][16];
	struct hws_entry *e = calloc(N, sizeof(*e));
	struct hws_set *set = NULL;
	struct hwall_err err;
	size_t bad = 0;

	hws_test_entries(11, HWALL_ALGO_MD5, e, N);
	for (size_t i = 0; i < N; i++)
		hws_builder_add(b, HWALL_ALGO_MD5, e[i].digest, 0, 0);
	for (int k = 0; k < EDGES; k++) {
		/* 80,000 entries give 14 bucket bits: bucket = top 14 bits. */
		uint32_t bucket = (uint32_t)k * 251u + 17u;
		uint32_t lead_last = (bucket << 18) | 0x3ffff, lead_first = (bucket + 1) << 18;
		memset(last[k], 0xff, 16);
		memset(first[k], 0x00, 16);
		for (int s = 0; s < 4; s++) {
			last[k][s] = (uint8_t)(lead_last >> (24 - 8 * s));
			first[k][s] = (uint8_t)(lead_first >> (24 - 8 * s));
		}
		last[k][15] = 0xfe; /* keep room for a digest just past it */
		first[k][15] = 0x01;
		memcpy(past_last[k], last[k], 16);
		past_last[k][15] = 0xff;
		memcpy(before_first[k], first[k], 16);
		before_first[k][15] = 0x00;
		hws_builder_add(b, HWALL_ALGO_MD5, last[k], 0, (uint32_t)k);
		hws_builder_add(b, HWALL_ALGO_MD5, first[k], 0, (uint32_t)k + 1000);
	}
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("bedges.hws"), NULL, &err), 0);
	hws_builder_free(b);
	CU_ASSERT_EQUAL_FATAL(hws_open(hws_test_path("bedges.hws"), &set, &err), 0);
	for (int k = 0; k < EDGES; k++) {
		struct hws_hit h1 = { 0 }, h2 = { 0 };
		bad += !hws_lookup(set, HWALL_ALGO_MD5, last[k], &h1) || h1.ref != (uint32_t)k;
		bad += !hws_lookup(set, HWALL_ALGO_MD5, first[k], &h2) || h2.ref != (uint32_t)k + 1000;
		bad += hws_lookup(set, HWALL_ALGO_MD5, past_last[k], NULL);
		bad += hws_lookup(set, HWALL_ALGO_MD5, before_first[k], NULL);
	}
	CU_ASSERT_EQUAL(bad, 0);
	hws_close(set);
	free(e);
}

static void test_rebuild_from_set(void)
{
	struct hws_write_stats st;
	struct hws_entry *e = build_random("base.hws", HWALL_ALGO_SHA1, 1000, 21, &st);
	struct hws_set *base = NULL, *next = NULL;
	struct hws_builder *b = hws_builder_new("test-set", 8);
	struct hwall_err err;
	size_t bad = 0;

	CU_ASSERT_EQUAL_FATAL(hws_open(hws_test_path("base.hws"), &base, &err), 0);
	CU_ASSERT_EQUAL(hws_builder_add_set(b, base), 0);
	/* A delta: drop the first 100 entries. */
	for (int i = 0; i < 100; i++)
		hws_builder_remove(b, HWALL_ALGO_SHA1, e[i].digest);
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("next.hws"), &st, &err), 0);
	CU_ASSERT_EQUAL(st.entries, 900);
	CU_ASSERT_EQUAL(st.removed, 100);
	CU_ASSERT_EQUAL_FATAL(hws_open(hws_test_path("next.hws"), &next, &err), 0);
	for (int i = 0; i < 1000; i++) {
		struct hws_hit hit = { 0 };
		bool found = hws_lookup(next, HWALL_ALGO_SHA1, e[i].digest, &hit);
		bad += found != (i >= 100) || (found && hit.ref != e[i].ref);
	}
	CU_ASSERT_EQUAL(bad, 0);
	hws_close(base);
	hws_close(next);
	hws_builder_free(b);
	free(e);
}

static int dump_entry(const struct hws_entry *e, void *ctx)
{
	fprintf(ctx, "%d %02x%02x%02x%02x %u %u\n", e->algo, e->digest[0], e->digest[1],
		e->digest[2], e->digest[15], e->category, e->ref);
	return 0;
}

static int keep_first_last(const struct hws_entry *e, void *ctx)
{
	struct hws_entry *fl = ctx;

	if (fl[0].algo == HWALL_ALGO_COUNT)
		fl[0] = *e;
	fl[1] = *e;
	return 0;
}

/* A delta applied on a base set (merged at write time) gives the same set
 * as the same operations with the base copied in as plain adds.  With
 * 5000 entries the bucket bits change (entries are visited one by one);
 * with 6000 they stay (the base is copied in runs between operations).
 * The first and last base entries are removed and digests below and above
 * every base entry added, so runs start and end at the table's edges. */
static void check_delta_on_base(size_t N)
{
	struct hws_write_stats st;
	struct hws_entry *e = build_random("dbase.hws", HWALL_ALGO_MD5, N, 31, &st);
	struct hws_entry fl[2] = { { .algo = HWALL_ALGO_COUNT }, { .algo = HWALL_ALGO_COUNT } };
	uint8_t lowest[16] = { 0 }, highest[16];
	struct hws_entry extra[100];
	struct hws_set *base = NULL;
	struct hws_builder *merged = hws_builder_new("test-set", 8);
	struct hws_builder *copied = hws_builder_new("test-set", 8);
	struct hws_builder *bs[2] = { merged, copied };
	struct hwall_err err;
	uint8_t none[16] = { 0 };
	char *text[2] = { NULL, NULL };
	size_t len[2];

	CU_ASSERT_EQUAL_FATAL(hws_open(hws_test_path("dbase.hws"), &base, &err), 0);
	hws_foreach(base, keep_first_last, fl);
	memset(highest, 0xff, sizeof(highest));
	hws_test_entries(32, HWALL_ALGO_MD5, extra, 100);
	CU_ASSERT_EQUAL(hws_builder_add_set(merged, base), 0);
	/* An operation first: the base is copied in instead. */
	hws_builder_remove(copied, HWALL_ALGO_MD5, none);
	CU_ASSERT_EQUAL(hws_builder_add_set(copied, base), 0);
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 100; i++)
			hws_builder_add(bs[k], HWALL_ALGO_MD5, extra[i].digest, 5, 555);
		for (size_t i = 0; i < N; i += 10)
			hws_builder_remove(bs[k], HWALL_ALGO_MD5, e[i].digest);
		for (size_t i = 5; i < N; i += 10)
			hws_builder_add(bs[k], HWALL_ALGO_MD5, e[i].digest, 6, 666);
		hws_builder_remove(bs[k], HWALL_ALGO_MD5, fl[0].digest);
		hws_builder_remove(bs[k], HWALL_ALGO_MD5, fl[1].digest);
		hws_builder_add(bs[k], HWALL_ALGO_MD5, lowest, 7, 1);
		hws_builder_add(bs[k], HWALL_ALGO_MD5, highest, 7, 2);
	}
	CU_ASSERT_EQUAL(hws_builder_write(merged, hws_test_path("dm.hws"), &st, &err), 0);
	/* The first and last entries may already be among the removed tenth. */
	CU_ASSERT(st.removed >= N / 10 && st.removed <= N / 10 + 2);
	CU_ASSERT_EQUAL(st.entries + st.removed, N + 102);
	CU_ASSERT_EQUAL(hws_builder_write(copied, hws_test_path("dc.hws"), &st, &err), 0);
	for (int k = 0; k < 2; k++) {
		struct hws_set *set = NULL;
		FILE *f = open_memstream(&text[k], &len[k]);
		CU_ASSERT_EQUAL_FATAL(hws_open(hws_test_path(k ? "dc.hws" : "dm.hws"), &set, &err), 0);
		hws_foreach(set, dump_entry, f);
		fclose(f);
		hws_close(set);
	}
	CU_ASSERT_EQUAL(len[0], len[1]);
	CU_ASSERT_STRING_EQUAL(text[0], text[1]);
	CU_ASSERT_PTR_NOT_NULL(strstr(text[0], " 6 666\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text[0], " 5 555\n"));
	/* The new lowest and highest digests open and close the table. */
	CU_ASSERT_EQUAL(strncmp(text[0], "1 00000000 7 1\n", 15), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text[0], "1 ffffffff 7 2\n"));
	free(text[0]);
	free(text[1]);
	hws_builder_free(merged);
	hws_builder_free(copied);
	hws_close(base); /* a base stays open until its builder is freed */
	free(e);
}

static void test_delta_bits_change(void) { check_delta_on_base(5000); }
static void test_delta_bits_kept(void) { check_delta_on_base(6000); }

static void test_atomic_write(void)
{
	struct hws_builder *b = hws_builder_new("atomic", 1);
	struct hwall_err err;
	uint8_t d[16] = { 1 };
	int before;

	hws_builder_add(b, HWALL_ALGO_MD5, d, 0, 0);
	/* Writing over a directory fails at the rename: no temporary left. */
	CU_ASSERT_EQUAL(mkdir(hws_test_path("adir"), 0755), 0);
	before = hws_test_dir_files();
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("adir"), NULL, &err), -EISDIR);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "rename"));
	CU_ASSERT_EQUAL(hws_test_dir_files(), before);
	rmdir(hws_test_path("adir"));
	/* A directory that does not exist: refused before anything exists. */
	CU_ASSERT_EQUAL(hws_builder_write(b, "/nonexistent-hws-dir/x.hws", NULL, &err), -ENOENT);
	hws_builder_free(b);
}

/* Issue 14, item 10: the file gets the builder's mode whatever the umask
 * (0600 unless set), never a forced 0644. */
static void test_file_mode(void)
{
	struct hws_builder *b = hws_builder_new("modes", 1);
	mode_t old = umask(022);
	struct hwall_err err;
	struct stat st;
	uint8_t d[16] = { 2 };

	hws_builder_add(b, HWALL_ALGO_MD5, d, 0, 0);
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("m.hws"), NULL, &err), 0);
	CU_ASSERT_EQUAL(stat(hws_test_path("m.hws"), &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	hws_builder_set_mode(b, 0640);
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("m.hws"), NULL, &err), 0);
	CU_ASSERT_EQUAL(stat(hws_test_path("m.hws"), &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0640);
	umask(077);
	hws_builder_set_mode(b, 0644);
	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path("m.hws"), NULL, &err), 0);
	CU_ASSERT_EQUAL(stat(hws_test_path("m.hws"), &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0644);
	umask(old);
	hws_builder_free(b);
}

static void test_builder_rejects(void)
{
	struct hws_builder *b;
	uint8_t d[16] = { 0 };

	errno = 0;
	CU_ASSERT_PTR_NULL(hws_builder_new("", 1));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(hws_builder_new("has space", 1));
	CU_ASSERT_PTR_NULL(hws_builder_new("0123456789012345678901234567890123456789012345678901234567890123", 1));
	b = hws_builder_new("ok", 1);
	CU_ASSERT_EQUAL(hws_builder_add(b, HWALL_ALGO_COUNT, d, 0, 0), -EINVAL);
	CU_ASSERT_EQUAL(hws_builder_add(b, HWALL_ALGO_MD5, NULL, 0, 0), -EINVAL);
	hws_builder_free(b);
	hws_builder_free(NULL);
	hws_close(NULL);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "round trip xxh3-128", test_round_trip_xxh3 },
		{ "round trip md5", test_round_trip_md5 },
		{ "round trip sha1", test_round_trip_sha1 },
		{ "round trip sha256", test_round_trip_sha256 },
		{ "round trip with 2 stripped bytes", test_round_trip_strip2 },
		{ "round trip of one entry", test_round_trip_tiny },
		{ "round trip in one bucket", test_round_trip_one_bucket },
		{ "all algorithms in one file", test_all_algorithms_in_one_file },
		{ "duplicates: last wins", test_duplicates_last_wins },
		{ "duplicates: last wins, large", test_duplicates_large },
		{ "empty set", test_empty_set },
		{ "boundary digests", test_boundary_digests },
		{ "bucket edges", test_bucket_edges },
		{ "rebuild from a set", test_rebuild_from_set },
		{ "delta on a base, bucket bits change", test_delta_bits_change },
		{ "delta on a base, bucket bits kept", test_delta_bits_kept },
		{ "atomic write", test_atomic_write },
		{ "file mode: the builder's, not the umask's", test_file_mode },
		{ "builder rejects", test_builder_rejects },
		CU_TEST_INFO_NULL,
	};

	hws_test_dir_init();
	return hwall_test_main("hashsync/hws", tests);
}
