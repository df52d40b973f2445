/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: pdq entries in set files.  The writer builds the pdq slot
 * and its near-neighbour index; exact lookups (distance 0) and near
 * lookups answer what a brute-force comparison with every listed entry
 * answers, on random hashes and clusters of near copies, after a fresh
 * build and after deltas that add and remove pdq entries.
 */
#include "hws_test_util.h"
#include "hashsync/pdq/pdq_index.h"

#include <errno.h>

#define N_RANDOM 3000
#define N_CENTRES 100
#define PER_CENTRE 6
#define N_ENTRIES (N_RANDOM + N_CENTRES * PER_CENTRE)
#define N_QUERIES 150

/* The expected content of the pdq slot: distinct digests, sorted. */
struct model {
	struct hws_entry e[N_ENTRIES + 200];
	size_t n;
};

static struct model model;
static uint8_t centres[N_CENTRES][32];

/* Flip @k distinct random bits of @h. */
static void flip_bits(uint64_t *seed, uint8_t *h, unsigned int k)
{
	uint8_t done[32] = { 0 };

	while (k) {
		unsigned int bit = (unsigned int)(hwall_test_rand(seed) % 256);
		if (done[bit / 8] & (1u << (bit % 8)))
			continue;
		done[bit / 8] |= (uint8_t)(1u << (bit % 8));
		h[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		k--;
	}
}

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct hws_entry *)a)->digest, ((const struct hws_entry *)b)->digest, 32);
}

/* Random hashes and, around each centre, copies 1 to 40 bits away. */
static void make_entries(void)
{
	uint64_t seed = 1515;

	hws_test_entries(77, HWALL_ALGO_PDQ, model.e, N_RANDOM);
	for (size_t c = 0; c < N_CENTRES; c++) {
		hwall_test_rand_bytes(&seed, centres[c], 32);
		for (size_t k = 0; k < PER_CENTRE; k++) {
			struct hws_entry *e = &model.e[N_RANDOM + c * PER_CENTRE + k];

			memset(e, 0, sizeof(*e));
			e->algo = HWALL_ALGO_PDQ;
			memcpy(e->digest, centres[c], 32);
			flip_bits(&seed, e->digest, 1 + (unsigned int)(hwall_test_rand(&seed) % 40));
			e->category = (uint8_t)(1 + k % 3);
			e->ref = (uint32_t)(100000 + c * PER_CENTRE + k);
		}
	}
	model.n = N_ENTRIES;
	qsort(model.e, model.n, sizeof(model.e[0]), cmp_entry);
}

static struct hws_set *write_and_open(struct hws_builder *b, const char *name)
{
	struct hws_set *set = NULL;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(hws_builder_write(b, hws_test_path(name), NULL, &err), 0);
	CU_ASSERT_EQUAL(hws_open(hws_test_path(name), &set, &err), 0);
	return set;
}

static int cmp_near(const void *a, const void *b)
{
	const struct hws_near *x = a, *y = b;

	if (x->distance != y->distance)
		return x->distance < y->distance ? -1 : 1;
	return memcmp(x->digest, y->digest, 32);
}

/* Every entry of the model within @d of @q, nearest first, into @out;
 * returns how many. */
static size_t brute_force(const uint8_t *q, unsigned int d, struct hws_near *out)
{
	size_t n = 0;

	for (size_t i = 0; i < model.n; i++) {
		unsigned int dist = pdqi_distance(q, model.e[i].digest);
		if (dist > d)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(out[n].digest, model.e[i].digest, 32);
		out[n].distance = dist;
		out[n].ref = model.e[i].ref;
		out[n].category = model.e[i].category;
		n++;
	}
	qsort(out, n, sizeof(out[0]), cmp_near);
	return n;
}

/* Near lookups of @set agree with the brute force on the model, at
 * several thresholds, for queries near the centres, near entries and far
 * from everything; returns how many queries had a match. */
static unsigned int cross_check(const struct hws_set *set)
{
	static struct hws_near want[N_ENTRIES + 200], got[HWS_NEAR_MAX];
	static const unsigned int dists[] = { 0, 8, 31, 48 };
	uint64_t seed = 99;
	unsigned int answered = 0, mismatches = 0;

	for (unsigned int qi = 0; qi < N_QUERIES; qi++) {
		uint8_t q[32];

		if (qi % 3 == 0)
			memcpy(q, centres[qi % N_CENTRES], 32);
		else if (qi % 3 == 1)
			memcpy(q, model.e[hwall_test_rand(&seed) % model.n].digest, 32);
		else
			hwall_test_rand_bytes(&seed, q, 32);
		flip_bits(&seed, q, (unsigned int)(hwall_test_rand(&seed) % 20));
		for (size_t k = 0; k < sizeof(dists) / sizeof(dists[0]); k++) {
			size_t total = 0, n = brute_force(q, dists[k], want);

			CU_ASSERT_EQUAL(hws_lookup_near(set, HWALL_ALGO_PDQ, q, dists[k], got,
							HWS_NEAR_MAX, &total), 0);
			mismatches += total != n ||
				      memcmp(got, want, (n < HWS_NEAR_MAX ? n : HWS_NEAR_MAX) * sizeof(got[0]));
			answered += k == 2 && n > 0;
		}
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	return answered;
}

/* Every listed pdq digest is found exactly, with its metadata. */
static void check_exact(const struct hws_set *set)
{
	unsigned int wrong = 0;
	struct hws_hit hit;

	CU_ASSERT_EQUAL(hws_count(set, HWALL_ALGO_PDQ), model.n);
	for (size_t i = 0; i < model.n; i++)
		wrong += !hws_lookup(set, HWALL_ALGO_PDQ, model.e[i].digest, &hit) ||
			 hit.ref != model.e[i].ref || hit.category != model.e[i].category;
	CU_ASSERT_EQUAL(wrong, 0);
}

static struct hws_set *build_base(void)
{
	struct hws_builder *b = hws_builder_new("pdq", 1);
	uint8_t md5[16] = { 1, 2, 3 };
	struct hws_set *set;

	for (size_t i = 0; i < model.n; i++)
		hws_builder_add(b, HWALL_ALGO_PDQ, model.e[i].digest, model.e[i].category, model.e[i].ref);
	hws_builder_add(b, HWALL_ALGO_MD5, md5, 1, 1);
	set = write_and_open(b, "base.hws");
	hws_builder_free(b);
	return set;
}

static void test_build_exact_near(void)
{
	struct hws_set *set = build_base();
	struct hws_info info;

	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	hws_info(set, &info);
	CU_ASSERT(info.aux_bytes[HWALL_ALGO_PDQ] > 0);
	CU_ASSERT_EQUAL(info.aux_bytes[HWALL_ALGO_MD5], 0);
	check_exact(set);
	/* The clusters make most queries near a centre answer. */
	CU_ASSERT(cross_check(set) >= N_QUERIES / 3);
	hws_close(set);
}

/* A cap keeps the nearest; the total counts them all. */
static void test_cap(void)
{
	struct hws_set *set = build_base();
	struct hws_near want[N_ENTRIES], got[3];
	size_t total = 0, n = brute_force(centres[5], 64, want);

	CU_ASSERT_FATAL(n > 3);
	CU_ASSERT_EQUAL(hws_lookup_near(set, HWALL_ALGO_PDQ, centres[5], 64, got, 3, &total), 0);
	CU_ASSERT_EQUAL(total, n);
	CU_ASSERT_EQUAL(memcmp(got, want, sizeof(got)), 0);
	CU_ASSERT_EQUAL(hws_lookup_near(set, HWALL_ALGO_PDQ, centres[5], 64, NULL, 0, &total), 0);
	CU_ASSERT_EQUAL(total, n);
	hws_close(set);
}

/* Only a perceptual algorithm matches by distance; a bad threshold and a
 * set without pdq entries are answered without touching @out. */
static void test_refusals(void)
{
	struct hws_builder *b = hws_builder_new("nopdq", 1);
	uint8_t md5[16] = { 9 };
	struct hws_set *set = build_base(), *plain;
	struct hws_near got[1] = { { .distance = 77 } };
	size_t total = 5;

	CU_ASSERT_EQUAL(hws_lookup_near(set, HWALL_ALGO_MD5, md5, 0, got, 1, &total), -EINVAL);
	CU_ASSERT_EQUAL(hws_lookup_near(set, HWALL_ALGO_PDQ, centres[0], 257, got, 1, &total), -EINVAL);
	CU_ASSERT_EQUAL(hws_lookup_near(set, HWALL_ALGO_COUNT, centres[0], 1, got, 1, &total), -EINVAL);
	CU_ASSERT_EQUAL(total, 5);
	CU_ASSERT_EQUAL(got[0].distance, 77);
	hws_builder_add(b, HWALL_ALGO_MD5, md5, 1, 1);
	plain = write_and_open(b, "plain.hws");
	CU_ASSERT_EQUAL(hws_lookup_near(plain, HWALL_ALGO_PDQ, centres[0], 31, got, 1, &total), 0);
	CU_ASSERT_EQUAL(total, 0);
	hws_close(plain);
	hws_builder_free(b);
	hws_close(set);
}

/* Drop model entry @i (keeping the model sorted). */
static void model_remove(size_t i)
{
	memmove(&model.e[i], &model.e[i + 1], (model.n - i - 1) * sizeof(model.e[0]));
	model.n--;
}

/* A delta on the base (the writer's run-copy path: the bucket bits stay)
 * adds and removes pdq entries; the index is rebuilt to match.  A second
 * delta removes every pdq entry: the slot and its index are gone. */
static void test_delta_rebuilds_index(void)
{
	struct hws_set *base = build_base(), *next, *empty;
	struct hws_builder *b = hws_builder_new("pdq", 2), *b2;
	uint64_t seed = 4242;

	hws_builder_add_set(b, base);
	for (size_t i = 0; i < 40; i++) { /* remove every 80th entry, from the end */
		size_t k = model.n - 1 - i * 80;
		hws_builder_remove(b, HWALL_ALGO_PDQ, model.e[k].digest);
		model_remove(k);
	}
	for (size_t i = 0; i < 60; i++) { /* near copies of centres, and new ones */
		struct hws_entry *e = &model.e[model.n++];

		memset(e, 0, sizeof(*e));
		e->algo = HWALL_ALGO_PDQ;
		memcpy(e->digest, centres[i % N_CENTRES], 32);
		flip_bits(&seed, e->digest, 2 + (unsigned int)(i % 25));
		e->category = 7;
		e->ref = (uint32_t)(900000 + i);
		hws_builder_add(b, HWALL_ALGO_PDQ, e->digest, e->category, e->ref);
	}
	qsort(model.e, model.n, sizeof(model.e[0]), cmp_entry);
	next = write_and_open(b, "next.hws");
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	check_exact(next);
	CU_ASSERT(cross_check(next) >= N_QUERIES / 3);

	b2 = hws_builder_new("pdq", 3);
	hws_builder_add_set(b2, next);
	for (size_t i = 0; i < model.n; i++)
		hws_builder_remove(b2, HWALL_ALGO_PDQ, model.e[i].digest);
	empty = write_and_open(b2, "empty.hws");
	CU_ASSERT_PTR_NOT_NULL_FATAL(empty);
	CU_ASSERT_EQUAL(hws_count(empty, HWALL_ALGO_PDQ), 0);
	CU_ASSERT_EQUAL(hws_count(empty, HWALL_ALGO_MD5), 1);

	hws_close(empty);
	hws_builder_free(b2);
	hws_close(next);
	hws_builder_free(b);
	hws_close(base);
	make_entries(); /* the model of the base again, for the tests after */
}

/* A set of one pdq entry: an index without slice tables. */
static void test_one_entry(void)
{
	struct hws_builder *b = hws_builder_new("one", 1);
	struct hws_near got[2];
	struct hws_set *set;
	uint8_t q[32];
	size_t total = 0;

	hws_builder_add(b, HWALL_ALGO_PDQ, centres[3], 4, 44);
	set = write_and_open(b, "one.hws");
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_TRUE(hws_lookup(set, HWALL_ALGO_PDQ, centres[3], NULL));
	memcpy(q, centres[3], 32);
	q[31] ^= 0x0f;
	CU_ASSERT_EQUAL(hws_lookup_near(set, HWALL_ALGO_PDQ, q, 31, got, 2, &total), 0);
	CU_ASSERT_EQUAL_FATAL(total, 1);
	CU_ASSERT_EQUAL(got[0].distance, 4);
	CU_ASSERT_EQUAL(got[0].ref, 44);
	CU_ASSERT_EQUAL(got[0].category, 4);
	CU_ASSERT_EQUAL(memcmp(got[0].digest, centres[3], 32), 0);
	CU_ASSERT_EQUAL(hws_lookup_near(set, HWALL_ALGO_PDQ, q, 3, got, 2, &total), 0);
	CU_ASSERT_EQUAL(total, 0);
	hws_close(set);
	hws_builder_free(b);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "build, exact and near lookups vs brute force", test_build_exact_near },
		{ "cap keeps the nearest", test_cap },
		{ "refusals", test_refusals },
		{ "delta rebuilds the index", test_delta_rebuilds_index },
		{ "one entry", test_one_entry },
		CU_TEST_INFO_NULL,
	};

	make_entries();
	hws_test_dir_init();
	return hwall_test_main("hashsync/hws_near", tests);
}
