/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_index.c - opens a PDQ index blob (layout: pdq_index_format.h) and
 * answers near-neighbour queries over it; the PDQ stage's matcher.
 *
 * The 16 slices of a hash pair up into 8 blocks of 32 bits.  A hash within
 * distance d = 8q + a (0 <= a < 8) of the query is within rho = q of it in
 * some block 0..a or within rho = q-1 in some block a+1..7: otherwise it
 * would differ by at least (a+1)(q+1) + (7-a)q = d + 1 bits (the
 * pigeonhole principle refined, Norouzi et al. 2014).  Within that block,
 * with rho = 2p + c, either the first slice is within p or the second
 * within p-1+c; and the other slice is within rho minus that.  So a query
 * probes each slice's buckets within the slice's radius and keeps, of each
 * posting, only those whose partner slice (stored beside the posting) is
 * close enough.  At d = 31 that is radius 1 in all 16 slices (16 x 17
 * buckets, as plain 16-slice MIH) but only about 1% of the postings get
 * past their partner: the hashes of the others are never fetched.
 *
 * Work goes in batches: the bucket tables of a batch of probes are
 * prefetched, then their partner lists, then the survivors' hashes through
 * a small ring, so that many cache misses are in flight at once.  An entry
 * reached by several probes is reported only from the first, which needs
 * no memory of what was seen.
 */
#include "hashsync/pdq/pdq_index.h"
#include "hashsync/pdq/pdq_index_format.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PDQI_RING 16u  /* candidates in flight: how far hashes are prefetched */
#define PDQI_BATCH 32u /* buckets probed together */

#if defined(__x86_64__)
#define PDQI_X86_DISPATCH 1
#endif

struct pdqi {
	const uint8_t *hashes;
	const uint32_t *starts;   /* slice s's table at starts + s * starts_stride */
	const uint32_t *postings; /* slice s's list at postings + s * postings_stride */
	const uint16_t *partners; /* slice s's at partners + s * partners_stride */
	size_t starts_stride;     /* in u32 */
	size_t postings_stride;   /* in u32 */
	size_t partners_stride;   /* in u16 */
	uint32_t count;
	unsigned int bucket_bits;
	unsigned int scan_from; /* PDQI_PATH_AUTO scans from this threshold */
};

/* The header describes the one layout of its count and bucket bits. */
static int pdqi_check_header(const struct pdqi_disk_header *h, size_t len)
{
	struct pdqi_layout l;

	if (memcmp(h->magic, PDQI_MAGIC, PDQI_MAGIC_LEN) != 0 ||
	    h->layout_version != PDQI_LAYOUT_VERSION || h->header_size != PDQI_HEADER_SIZE ||
	    h->reserved0)
		return -EINVAL;
	if (h->slice_bits != PDQI_SLICE_BITS || h->bucket_bits > PDQI_MAX_BUCKET_BITS ||
	    h->slices != (h->bucket_bits ? PDQI_SLICES : 0))
		return -EINVAL;
	pdqi_layout_of(h->count, h->bucket_bits, &l);
	if (h->blob_size != len || l.size != len || h->hashes_off != l.hashes_off ||
	    h->starts_off != l.starts_off || h->postings_off != l.postings_off ||
	    h->partners_off != l.partners_off)
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

/* Radii for threshold @d (see the top): block j's rho, and for
 * rho = 2p + c, radius p for its first slice and p - 1 + c for its
 * second; -1 where a block or slice is not probed. */
static void pdqi_radii(unsigned int d, int block_radius[PDQI_BLOCKS], int radius[PDQI_SLICES])
{
	int q = (int)(d / PDQI_BLOCKS);
	unsigned int a = d % PDQI_BLOCKS;

	for (unsigned int j = 0; j < PDQI_BLOCKS; j++) {
		int rho = j <= a ? q : q - 1;
		block_radius[j] = rho;
		radius[2 * j] = rho < 0 ? -1 : rho / 2;
		radius[2 * j + 1] = rho < 0 ? -1 : rho / 2 - 1 + rho % 2;
	}
}

/* Share of uniform 16-bit partners within @limit bits of the query's:
 * the sum of C(16, i) for i <= limit, over 2^16. */
static double pdqi_pass_rate(int limit)
{
	double c = 1, sum = 0;

	for (int i = 0; i <= limit && i <= 16; i++) {
		sum += c;
		c = c * (16 - i) / (i + 1);
	}
	return sum / 65536.0;
}

/* The cost model, for uniform hashes: at threshold @d, buckets probed,
 * postings filtered and hashes compared, against comparing every hash.
 * The unit is the cost of one hash in a scan; the weights (12, 0.5, 8)
 * are fitted to the benchmark at 10^4, 10^5 and 10^6 entries, where they
 * put the switch within a few thresholds of the measured crossover
 * (docs/pdq-index.md). */
static bool pdqi_index_cheaper(const struct pdqi *idx, unsigned int d)
{
	double per_bucket = idx->count / (double)(1u << idx->bucket_bits);
	double buckets = 0, survivors = 0;
	int block_radius[PDQI_BLOCKS], radius[PDQI_SLICES];

	pdqi_radii(d, block_radius, radius);
	for (unsigned int s = 0; s < PDQI_SLICES; s++) {
		double nb = 1; /* C(bucket bits, k): buckets at distance k */
		for (int k = 0; k <= radius[s] && k <= (int)idx->bucket_bits; k++) {
			buckets += nb;
			survivors += nb * per_bucket * pdqi_pass_rate(block_radius[s / 2] - k);
			nb = nb * (idx->bucket_bits - k) / (k + 1);
		}
	}
	return buckets * 12.0 + buckets * per_bucket * 0.5 + survivors * 8.0 < idx->count;
}

/* The lowest threshold from which a scan costs less than the index (the
 * index's cost grows with the threshold, the scan's does not). */
static unsigned int pdqi_scan_threshold(const struct pdqi *idx)
{
	unsigned int d = 0;

	while (idx->bucket_bits && d <= PDQI_MAX_DIST && pdqi_index_cheaper(idx, d))
		d++;
	return d;
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
		idx->partners = (const uint16_t *)(base + h->partners_off);
		idx->starts_stride = pdqi_starts_stride(h->bucket_bits) / 4;
		idx->postings_stride = pdqi_postings_stride(h->count) / 4;
		idx->partners_stride = pdqi_partners_stride(h->count) / 2;
		r = pdqi_check_starts(idx);
		if (r < 0)
			goto out_free_idx;
	}
	idx->scan_from = pdqi_scan_threshold(idx);
	*ret_idx = idx;
	return 0;

out_free_idx:
	free(idx);
	return r;
}

void pdqi_close(struct pdqi *idx)
{
	free(idx);
}

/* Slice @s's postings: strictly ascending entries, each in its bucket,
 * each beside its partner slice. */
static int pdqi_check_slice(const struct pdqi *idx, unsigned int s)
{
	const uint32_t *st = idx->starts + s * idx->starts_stride;
	const uint32_t *post = idx->postings + s * idx->postings_stride;
	const uint16_t *part = idx->partners + s * idx->partners_stride;
	unsigned int shift = PDQI_SLICE_BITS - idx->bucket_bits;
	uint32_t nb = 1u << idx->bucket_bits;

	for (uint32_t b = 0; b < nb; b++)
		for (uint32_t k = st[b]; k < st[b + 1]; k++) {
			uint32_t e = post[k];
			if (e >= idx->count || (k > st[b] && e <= post[k - 1]) ||
			    pdqi_slice(idx->hashes + (size_t)e * PDQI_HASH_LEN, s) >> shift != b ||
			    pdqi_slice(idx->hashes + (size_t)e * PDQI_HASH_LEN, s ^ 1) != part[k])
				return -EINVAL;
		}
	return 0;
}

int pdqi_check(const struct pdqi *idx)
{
	/* A slice lists count postings, each in its entry's own bucket and
	 * strictly ascending within a bucket: no entry twice, so each of the
	 * count entries exactly once. */
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
	uint64_t q[4]; /* the query as words, for the distance */
	unsigned int max_dist;
	unsigned int shift;                /* 16 - bucket bits */
	int block_radius[PDQI_BLOCKS];     /* -1: block not probed */
	int radius[PDQI_SLICES];           /* -1: slice not probed */
	uint32_t qs[PDQI_SLICES];          /* the query's slices... */
	uint32_t qb[PDQI_SLICES];          /* ...and buckets */
	unsigned int s;                    /* the next probe: slice, weight, mask */
	unsigned int k;
	uint32_t m;
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

/* Would the probes of slice @s have passed @hash on: its bucket within the
 * slice's radius of the query's, and its partner within what is left of
 * the block's radius?  Exactly the test the probe and the filter make. */
static bool pdqi_reached(const struct pdqi_q *st, const uint8_t *hash, unsigned int s)
{
	int w = __builtin_popcount((pdqi_slice(hash, s) ^ st->qs[s]) >> st->shift);
	int pw = __builtin_popcount(pdqi_slice(hash, s ^ 1) ^ st->qs[s ^ 1]);

	return st->radius[s] >= 0 && w <= st->radius[s] && pw <= st->block_radius[s / 2] - w;
}

/* A candidate within the threshold, found through slice @s: reported only
 * when no earlier slice passed it on too. */
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

/* The next bucket to probe and the weight of its mask, slice by slice:
 * the masks of each weight k <= radius over the bucket bits, in colex
 * order (Gosper's next combination).  Returns false after the last. */
static inline __attribute__((always_inline)) bool pdqi_next_probe(struct pdqi_q *st,
								  unsigned int *ret_s,
								  uint32_t *ret_b,
								  unsigned int *ret_k)
{
	unsigned int bits = st->idx->bucket_bits;
	uint32_t end = 1u << bits, m;

	while (st->s < PDQI_SLICES) {
		if ((int)st->k > st->radius[st->s] || st->k > bits) {
			st->s++;
			st->k = 0;
			st->m = 0;
		} else if (st->m >= end) {
			st->k++;
			st->m = (1u << st->k) - 1;
		} else {
			m = st->m;
			*ret_s = st->s;
			*ret_b = st->qb[st->s] ^ m;
			*ret_k = st->k;
			if (m) {
				uint32_t c = (uint32_t)__builtin_ctz(m), r = m + (1u << c);
				st->m = r | (((r ^ m) >> 2) >> c);
			} else {
				st->m = end;
			}
			return true;
		}
	}
	return false;
}

/* Postings [lo, hi) of slice @s whose partner slice is within @limit of
 * the query's go on to have their hash compared. */
static inline __attribute__((always_inline)) void pdqi_filter(struct pdqi_q *st, unsigned int s,
							      uint32_t lo, uint32_t hi, int limit)
{
	const struct pdqi *idx = st->idx;
	const uint32_t *post = idx->postings + s * idx->postings_stride;
	const uint16_t *part = idx->partners + s * idx->partners_stride;
	uint32_t qp = st->qs[s ^ 1];

	for (uint32_t i = lo; i < hi; i++)
		if (__builtin_popcount(part[i] ^ qp) <= limit)
			pdqi_push(st, post[i], s);
}

/* Probes go in batches: the bucket tables of a whole batch are
 * prefetched, then its partner lists, then its survivors are queued. */
static inline __attribute__((always_inline)) void pdqi_index_body(struct pdqi_q *st)
{
	const struct pdqi *idx = st->idx;
	uint32_t bucket[PDQI_BATCH], lo[PDQI_BATCH], hi[PDQI_BATCH];
	uint8_t slice[PDQI_BATCH], weight[PDQI_BATCH];
	unsigned int n, s, k;
	uint32_t b;

	do {
		for (n = 0; n < PDQI_BATCH && pdqi_next_probe(st, &s, &b, &k); n++) {
			slice[n] = (uint8_t)s;
			bucket[n] = b;
			weight[n] = (uint8_t)k;
			__builtin_prefetch(idx->starts + s * idx->starts_stride + b);
		}
		for (unsigned int i = 0; i < n; i++) {
			const uint32_t *starts = idx->starts + slice[i] * idx->starts_stride;
			lo[i] = starts[bucket[i]];
			hi[i] = starts[bucket[i] + 1];
			__builtin_prefetch(idx->partners + slice[i] * idx->partners_stride + lo[i]);
		}
		for (unsigned int i = 0; i < n; i++)
			pdqi_filter(st, slice[i], lo[i], hi[i],
				    st->block_radius[slice[i] / 2] - weight[i]);
	} while (n);
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

int pdqi_query(const struct pdqi *idx, const uint8_t q[PDQI_HASH_LEN], unsigned int max_dist,
	       enum pdqi_path path, struct pdqi_match *out, size_t cap, size_t *ret_total)
{
	struct pdqi_q st = { .idx = idx, .max_dist = max_dist, .out = out, .cap = out ? cap : 0 };
	bool scan;

	if (max_dist > PDQI_MAX_DIST || (unsigned int)path >= PDQI_PATH_COUNT)
		return -EINVAL;
	memcpy(st.q, q, PDQI_HASH_LEN);
	st.shift = PDQI_SLICE_BITS - idx->bucket_bits;
	pdqi_radii(max_dist, st.block_radius, st.radius);
	for (unsigned int s = 0; s < PDQI_SLICES; s++) {
		st.qs[s] = pdqi_slice(q, s);
		st.qb[s] = st.qs[s] >> st.shift;
	}
	scan = !idx->bucket_bits || path == PDQI_PATH_SCAN ||
	       (path == PDQI_PATH_AUTO && max_dist >= idx->scan_from);
	pdqi_run(&st, scan);
	*ret_total = st.total;
	return 0;
}
