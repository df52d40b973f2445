/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * set_bench.c - lookup throughput of an open set (set_bench.h).
 *
 * Hit digests are sampled from the set itself, miss digests come from a
 * PRNG (a random 128-bit digest is in a set of 10^8 entries with odds of
 * 10^-30).  Every lookup's answer is checked, so a fast wrong lookup cannot
 * pass as a good figure.
 */
#include "hashsync/set_bench.h"
#include "common/clock.h"
#include "common/errors.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_DIGESTS (1u << 20)
#define BENCH_ROUNDS 4

struct sample {
	enum hwall_algo algo;
	uint64_t every, seen;
	uint8_t *out;
	size_t n, dlen;
};

static int take_sample(const struct hws_entry *e, void *ctx)
{
	struct sample *s = ctx;

	if (e->algo != s->algo)
		return 0;
	if (s->seen++ % s->every == 0 && s->n < BENCH_DIGESTS)
		memcpy(s->out + s->n++ * s->dlen, e->digest, s->dlen);
	return 0;
}

static uint64_t mix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Lookups per second over @n digests at @d, each answer checked. */
static double run(const struct hws_set *set, enum hwall_algo algo, const uint8_t *d, size_t n,
		  size_t dlen, bool bulk, bool expect)
{
	const uint8_t *ptrs[HWS_BULK_MAX];
	uint64_t wrong = 0;
	double t0 = hwall_mono_s();

	for (int round = 0; round < BENCH_ROUNDS; round++) {
		if (!bulk) {
			for (size_t i = 0; i < n; i++)
				wrong += hws_lookup(set, algo, d + i * dlen, NULL) != expect;
			continue;
		}
		for (size_t i = 0; i < n; i += HWS_BULK_MAX) {
			unsigned int m = n - i < HWS_BULK_MAX ? (unsigned int)(n - i) : HWS_BULK_MAX;
			for (unsigned int j = 0; j < m; j++)
				ptrs[j] = d + (i + j) * dlen;
			uint64_t mask = hws_lookup_bulk(set, algo, ptrs, m, NULL);
			uint64_t all = m == 64 ? ~0ull : (1ull << m) - 1;
			wrong += (uint64_t)__builtin_popcountll(mask ^ (expect ? all : 0));
		}
	}
	if (wrong)
		return -1;
	return (double)n * BENCH_ROUNDS / (hwall_mono_s() - t0);
}

int hws_bench_algo(const struct hws_set *set, enum hwall_algo algo, struct hws_bench_result *ret)
{
	uint64_t count = hws_count(set, algo), seed = 42;
	size_t dlen = hwall_algo_len(algo);
	struct sample s = { .algo = algo, .dlen = dlen };
	struct hws_bench_result r;
	uint8_t *miss;

	if (count == 0)
		return -ENOENT;
	s.every = count > BENCH_DIGESTS ? count / BENCH_DIGESTS : 1;
	s.out = malloc(BENCH_DIGESTS * dlen);
	miss = malloc(BENCH_DIGESTS * dlen);
	if (!s.out || !miss) {
		free(s.out);
		free(miss);
		return -ENOMEM;
	}
	hws_foreach(set, take_sample, &s);
	for (size_t i = 0, total = BENCH_DIGESTS * dlen; i < total; i += 8) {
		uint64_t v = mix(&seed);
		memcpy(miss + i, &v, total - i < 8 ? total - i : 8);
	}
	/* Shuffle the hits so that they do not walk the table in order. */
	for (size_t i = s.n; i > 1; i--) {
		size_t j = mix(&seed) % i;
		uint8_t tmp[HWALL_DIGEST_MAX];
		memcpy(tmp, s.out + (i - 1) * dlen, dlen);
		memcpy(s.out + (i - 1) * dlen, s.out + j * dlen, dlen);
		memcpy(s.out + j * dlen, tmp, dlen);
	}
	r.lookups = (uint64_t)BENCH_DIGESTS * BENCH_ROUNDS;
	r.single_hit = run(set, algo, s.out, s.n, dlen, false, true);
	r.bulk_hit = run(set, algo, s.out, s.n, dlen, true, true);
	r.single_miss = run(set, algo, miss, BENCH_DIGESTS, dlen, false, false);
	r.bulk_miss = run(set, algo, miss, BENCH_DIGESTS, dlen, true, false);
	free(s.out);
	free(miss);
	if (r.single_hit < 0 || r.bulk_hit < 0 || r.single_miss < 0 || r.bulk_miss < 0)
		return -EIO;
	*ret = r;
	return 0;
}

void hws_bench_print(FILE *out, enum hwall_algo algo, const struct hws_bench_result *r)
{
	fprintf(out, "%-8s single hit   %8.2f M lookups/s\n", hwall_algo_name(algo), r->single_hit / 1e6);
	fprintf(out, "%-8s single miss  %8.2f M lookups/s\n", hwall_algo_name(algo), r->single_miss / 1e6);
	fprintf(out, "%-8s bulk hit     %8.2f M lookups/s\n", hwall_algo_name(algo), r->bulk_hit / 1e6);
	fprintf(out, "%-8s bulk miss    %8.2f M lookups/s\n", hwall_algo_name(algo), r->bulk_miss / 1e6);
}
