/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_index.c - opens a PDQ index blob (layout: pdq_index_format.h) and
 * answers near-neighbour queries over it; the PDQ stage's matcher.
 *
 * A query within distance d = 16q + a (0 <= a < 16) probes slices 0..a
 * within radius q of the query's bucket and slices a+1..15 within radius
 * q-1: a hash that differed by more in every slice would differ by at
 * least (a+1)(q+1) + (15-a)q = d + 1 bits in all (Norouzi et al., 2014,
 * the pigeonhole principle refined).  At d = 31 that is radius 1 in all 16
 * slices: 16 x 17 buckets.  Candidates go through a small ring so that
 * their hashes are prefetched well before the full distance is computed.
 * An entry close to the query in several slices is a candidate several
 * times; it is reported only from the first slice whose probe reaches it,
 * which needs no memory of what was seen.
 */
#include "hashsync/pdq/pdq_index.h"
#include "hashsync/pdq/pdq_index_format.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PDQI_RING 16u /* candidates in flight: how far hashes are prefetched */

#if defined(__x86_64__)
#define PDQI_X86_DISPATCH 1
#endif

struct pdqi {
	const uint8_t *hashes;
	const uint32_t *starts;   /* slice s's table at starts + s * starts_stride */
	const uint32_t *postings; /* slice s's list at postings + s * postings_stride */
	size_t starts_stride;     /* in u32 */
	size_t postings_stride;   /* in u32 */
	uint32_t count;
	unsigned int bucket_bits;
};

/* The header describes the one layout of its count and bucket bits. */
static int pdqi_check_header(const struct pdqi_disk_header *h, size_t len)
{
	struct pdqi_layout l;

	if (memcmp(h->magic, PDQI_MAGIC, PDQI_MAGIC_LEN) != 0 ||
	    h->layout_version != PDQI_LAYOUT_VERSION || h->header_size != PDQI_HEADER_SIZE ||
	    h->reserved0 || h->reserved1)
		return -EINVAL;
	if (h->slice_bits != PDQI_SLICE_BITS || h->bucket_bits > PDQI_MAX_BUCKET_BITS ||
	    h->slices != (h->bucket_bits ? PDQI_SLICES : 0))
		return -EINVAL;
	pdqi_layout_of(h->count, h->bucket_bits, &l);
	if (h->blob_size != len || l.size != len || h->hashes_off != l.hashes_off ||
	    h->starts_off != l.starts_off || h->postings_off != l.postings_off)
		return -EINVAL;
	return 0;
}

/* Every bucket table runs from 0 to count without going backwards, so a
 * bucket's postings lie inside its slice's list. */
static int pdqi_check_starts(const struct pdqi *idx)
{
	uint32_t nb = 1u << idx->bucket_bits;

	for (unsigned int s = 0; s < PDQI_SLICES; s++) {
		const uint32_t *st = idx->starts + s * idx->starts_stride;
		uint32_t bad = st[0] != 0 || st[nb] != idx->count;

		for (uint32_t b = 0; b < nb; b++)
			bad |= st[b] > st[b + 1];
		if (bad)
			return -EINVAL;
	}
	return 0;
}

int pdqi_open(const void *blob, size_t len, struct pdqi **ret_idx)
{
	const struct pdqi_disk_header *h = blob;
	const uint8_t *base = blob;
	struct pdqi *idx;
	int r;

	if (!blob || (uintptr_t)blob % PDQI_ALIGN || len < PDQI_HEADER_SIZE)
		return -EINVAL;
	r = pdqi_check_header(h, len);
	if (r < 0)
		return r;
	idx = calloc(1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	idx->hashes = base + h->hashes_off;
	idx->count = h->count;
	idx->bucket_bits = h->bucket_bits;
	if (h->bucket_bits) {
		idx->starts = (const uint32_t *)(base + h->starts_off);
		idx->postings = (const uint32_t *)(base + h->postings_off);
		idx->starts_stride = pdqi_starts_stride(h->bucket_bits) / 4;
		idx->postings_stride = pdqi_postings_stride(h->count) / 4;
		r = pdqi_check_starts(idx);
		if (r < 0) {
			free(idx);
			return r;
		}
	}
	*ret_idx = idx;
	return 0;
}

void pdqi_close(struct pdqi *idx)
{
	free(idx);
}

/* Slice @s's postings: strictly ascending entries, each in its bucket. */
static int pdqi_check_slice(const struct pdqi *idx, unsigned int s)
{
	const uint32_t *st = idx->starts + s * idx->starts_stride;
	const uint32_t *post = idx->postings + s * idx->postings_stride;
	unsigned int shift = PDQI_SLICE_BITS - idx->bucket_bits;
	uint32_t nb = 1u << idx->bucket_bits;

	for (uint32_t b = 0; b < nb; b++)
		for (uint32_t k = st[b]; k < st[b + 1]; k++) {
			uint32_t e = post[k];
			if (e >= idx->count || (k > st[b] && e <= post[k - 1]) ||
			    pdqi_slice(idx->hashes + (size_t)e * PDQI_HASH_LEN, s) >> shift != b)
				return -EINVAL;
		}
	return 0;
}

int pdqi_check(const struct pdqi *idx)
{
	/* count postings per slice, each entry in its own bucket, strictly
	 * ascending within a bucket: so each entry is listed exactly once. */
	for (unsigned int s = 0; idx->bucket_bits && s < PDQI_SLICES; s++)
		if (pdqi_check_slice(idx, s) < 0)
			return -EINVAL;
	return 0;
}

size_t pdqi_count(const struct pdqi *idx)
{
	return idx->count;
}

unsigned int pdqi_bucket_bits(const struct pdqi *idx)
{
	return idx->bucket_bits;
}

const uint8_t *pdqi_hash(const struct pdqi *idx, size_t entry)
{
	return idx->hashes + entry * PDQI_HASH_LEN;
}

unsigned int pdqi_distance(const uint8_t a[PDQI_HASH_LEN], const uint8_t b[PDQI_HASH_LEN])
{
	unsigned int d = 0;

	for (unsigned int i = 0; i < PDQI_HASH_LEN; i++)
		d += (unsigned int)__builtin_popcount(a[i] ^ b[i]);
	return d;
}

/* ---- queries ---- */

/* One query in progress. */
struct pdqi_q {
	const struct pdqi *idx;
	uint64_t q[4];         /* the query as words, for the distance */
	uint8_t qbytes[PDQI_HASH_LEN];
	unsigned int max_dist;
	unsigned int shift;    /* 16 - bucket bits */
	int radius[PDQI_SLICES]; /* -1: slice not probed */
	uint32_t ring_entry[PDQI_RING];
	uint8_t ring_slice[PDQI_RING];
	unsigned int head, tail;
	struct pdqi_match *out;
	size_t cap, kept, total;
};

static bool pdqi_before(unsigned int dist, uint32_t entry, const struct pdqi_match *m)
{
	return dist < m->distance || (dist == m->distance && entry < m->entry);
}

/* Count a match and keep it among the cap nearest, in order. */
static void pdqi_record(struct pdqi_q *st, uint32_t entry, unsigned int dist)
{
	size_t i = st->kept;

	st->total++;
	if (i == st->cap) {
		if (!i || !pdqi_before(dist, entry, &st->out[i - 1]))
			return;
		i--; /* the farthest kept one drops out */
	}
	st->kept = i + 1;
	for (; i > 0 && pdqi_before(dist, entry, &st->out[i - 1]); i--)
		st->out[i] = st->out[i - 1];
	st->out[i] = (struct pdqi_match){ .entry = entry, .distance = dist };
}

/* Would a probe of slice @s have reached @hash (its bucket within the
 * slice's radius of the query's)? */
static bool pdqi_reached(const struct pdqi_q *st, const uint8_t *hash, unsigned int s)
{
	uint32_t x = pdqi_slice(hash, s) ^ pdqi_slice(st->qbytes, s);

	return st->radius[s] >= 0 && __builtin_popcount(x >> st->shift) <= st->radius[s];
}

/* A candidate within the threshold, found through slice @s: reported only
 * when no earlier slice's probe reached it too. */
static __attribute__((noinline)) void pdqi_found(struct pdqi_q *st, uint32_t entry,
						 unsigned int dist, unsigned int s)
{
	const uint8_t *hash = st->idx->hashes + (size_t)entry * PDQI_HASH_LEN;

	for (unsigned int j = 0; j < s; j++)
		if (pdqi_reached(st, hash, j))
			return;
	pdqi_record(st, entry, dist);
}

static inline __attribute__((always_inline)) unsigned int pdqi_dist_words(const uint64_t q[4],
									    const uint8_t *hash)
{
	uint64_t w[4];

	memcpy(w, hash, sizeof(w));
	return (unsigned int)(__builtin_popcountll(q[0] ^ w[0]) + __builtin_popcountll(q[1] ^ w[1]) +
			      __builtin_popcountll(q[2] ^ w[2]) + __builtin_popcountll(q[3] ^ w[3]));
}

static inline __attribute__((always_inline)) void pdqi_verify_oldest(struct pdqi_q *st)
{
	unsigned int slot = st->head++ % PDQI_RING;
	uint32_t e = st->ring_entry[slot];
	unsigned int dist = pdqi_dist_words(st->q, st->idx->hashes + (size_t)e * PDQI_HASH_LEN);

	if (dist <= st->max_dist)
		pdqi_found(st, e, dist, st->ring_slice[slot]);
}

/* Queue a candidate and prefetch its hash; verify the oldest when full.
 * Entries past the count (only in a crafted blob) are dropped. */
static inline __attribute__((always_inline)) void pdqi_push(struct pdqi_q *st, uint32_t e,
							    unsigned int s)
{
	unsigned int slot;

	if (e >= st->idx->count)
		return;
	if (st->tail - st->head == PDQI_RING)
		pdqi_verify_oldest(st);
	slot = st->tail++ % PDQI_RING;
	st->ring_entry[slot] = e;
	st->ring_slice[slot] = (uint8_t)s;
	__builtin_prefetch(st->idx->hashes + (size_t)e * PDQI_HASH_LEN);
}

/* Every bucket of slice @s within its radius of the query's bucket: the
 * masks of each weight k <= radius over the bucket bits, in colex order
 * (Gosper's next-combination step). */
static inline __attribute__((always_inline)) void pdqi_probe_slice(struct pdqi_q *st,
								   unsigned int s)
{
	const struct pdqi *idx = st->idx;
	const uint32_t *starts = idx->starts + s * idx->starts_stride;
	const uint32_t *post = idx->postings + s * idx->postings_stride;
	unsigned int bits = idx->bucket_bits;
	uint32_t qb = pdqi_slice(st->qbytes, s) >> st->shift, end = 1u << bits;

	for (int k = 0; k <= st->radius[s] && k <= (int)bits; k++) {
		uint32_t m = (1u << k) - 1;
		while (m < end) {
			uint32_t b = qb ^ m, lo = starts[b], hi = starts[b + 1];
			for (uint32_t i = lo; i < hi; i++)
				pdqi_push(st, post[i], s);
			if (!m)
				break;
			uint32_t c = (uint32_t)__builtin_ctz(m), r = m + (1u << c);
			m = r | (((r ^ m) >> 2) >> c);
		}
	}
}

static inline __attribute__((always_inline)) void pdqi_index_body(struct pdqi_q *st)
{
	for (unsigned int s = 0; s < PDQI_SLICES; s++)
		pdqi_probe_slice(st, s);
	while (st->head != st->tail)
		pdqi_verify_oldest(st);
}

static inline __attribute__((always_inline)) void pdqi_scan_body(struct pdqi_q *st)
{
	const uint8_t *h = st->idx->hashes;

	for (uint32_t e = 0; e < st->idx->count; e++) {
		unsigned int dist = pdqi_dist_words(st->q, h + (size_t)e * PDQI_HASH_LEN);
		if (dist <= st->max_dist)
			pdqi_record(st, e, dist);
	}
}

/* The two loops twice: with the popcnt instruction where the CPU has it
 * (every x86-64 since 2008, but not the baseline), and without. */
static void pdqi_index_base(struct pdqi_q *st)
{
	pdqi_index_body(st);
}

static void pdqi_scan_base(struct pdqi_q *st)
{
	pdqi_scan_body(st);
}

#ifdef PDQI_X86_DISPATCH
static __attribute__((target("popcnt"))) void pdqi_index_popcnt(struct pdqi_q *st)
{
	pdqi_index_body(st);
}

static __attribute__((target("popcnt"))) void pdqi_scan_popcnt(struct pdqi_q *st)
{
	pdqi_scan_body(st);
}
#endif

/* Run the query's loop, with popcnt where the CPU has it. */
static void pdqi_run(struct pdqi_q *st, bool scan)
{
#ifdef PDQI_X86_DISPATCH
	if (__builtin_cpu_supports("popcnt")) {
		(scan ? pdqi_scan_popcnt : pdqi_index_popcnt)(st);
		return;
	}
#endif
	(scan ? pdqi_scan_base : pdqi_index_base)(st);
}

/* Binomial coefficient C(n, k) for n <= 16. */
static uint64_t pdqi_choose(unsigned int n, unsigned int k)
{
	uint64_t c = 1;

	for (unsigned int i = 1; i <= k && i <= n; i++)
		c = c * (n - k + i) / i;
	return k > n ? 0 : c;
}

/* The radius of each slice for the query's threshold (see the top). */
static void pdqi_set_radii(struct pdqi_q *st)
{
	int q = (int)(st->max_dist / PDQI_SLICES);
	unsigned int a = st->max_dist % PDQI_SLICES;

	for (unsigned int s = 0; s < PDQI_SLICES; s++)
		st->radius[s] = s <= a ? q : q - 1;
}

/* The index's cost model: buckets probed and candidates expected (for
 * uniform hashes) against a scan, in the units measured by the benchmark
 * (docs/pdq-index.md). */
static bool pdqi_index_cheaper(const struct pdqi_q *st)
{
	const struct pdqi *idx = st->idx;
	double buckets = 0, cands;

	for (unsigned int s = 0; s < PDQI_SLICES; s++)
		for (int k = 0; k <= st->radius[s]; k++)
			buckets += (double)pdqi_choose(idx->bucket_bits, (unsigned int)k);
	cands = buckets * idx->count / (double)(1u << idx->bucket_bits);
	return buckets * 4.0 + cands * 4.0 < idx->count;
}

int pdqi_query(const struct pdqi *idx, const uint8_t q[PDQI_HASH_LEN], unsigned int max_dist,
	       enum pdqi_path path, struct pdqi_match *out, size_t cap, size_t *ret_total)
{
	struct pdqi_q st = { .idx = idx, .max_dist = max_dist, .out = out, .cap = out ? cap : 0 };
	bool scan;

	if (max_dist > PDQI_MAX_DIST || (unsigned int)path >= PDQI_PATH_COUNT)
		return -EINVAL;
	memcpy(st.q, q, PDQI_HASH_LEN);
	memcpy(st.qbytes, q, PDQI_HASH_LEN);
	st.shift = PDQI_SLICE_BITS - idx->bucket_bits;
	pdqi_set_radii(&st);
	scan = !idx->bucket_bits || path == PDQI_PATH_SCAN ||
	       (path == PDQI_PATH_AUTO && !pdqi_index_cheaper(&st));
	pdqi_run(&st, scan);
	*ret_total = st.total;
	return 0;
}
