/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws_lookup.c - digest lookups and iteration over an open set (hws.h).
 *
 * A lookup finds the digest's bucket b from its leading bits, reads where
 * the bucket starts and ends from the base and index arrays (1.25 bytes a
 * bucket: they stay in cache), and scans that bucket's keys (2.25 to 4.5 on
 * average, mostly one cache line); metadata is read only on a hit.  Bucket
 * ranges are clamped to the table, so a crafted index cannot make a lookup
 * read outside the mapping.
 */
#include "hashsync/hws.h"
#include "hashsync/hws_format.h"
#include "hashsync/hws_int.h"

#include <string.h>

/* Runs longer than this are binary-searched (only small sets and crafted
 * files have them). */
#define LINEAR_MAX 16

static inline uint64_t load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return __builtin_bswap64(v);
}

/* The bucket of @digest in @v. */
static inline uint32_t bucket_of(const struct hws_view *v, const uint8_t *digest)
{
	uint32_t lead;

	memcpy(&lead, digest, sizeof(lead));
	return (uint32_t)((uint64_t)__builtin_bswap32(lead) >> v->shift);
}

/* Offset of bucket @b from its group's base (0 for a group's first). */
static inline uint64_t index_at(const struct hws_view *v, uint64_t b)
{
	switch (v->off_width) {
	case 1: return ((const uint8_t *)v->index)[b];
	case 2: return ((const uint16_t *)v->index)[b];
	default: return ((const uint32_t *)v->index)[b];
	}
}

/* The bucket's entry range [*lo, *hi), clamped to the table.  A group's
 * last bucket ends at the next group's base; the table's last bucket is
 * the last of its group. */
static inline void bucket_range(const struct hws_view *v, uint32_t b, uint64_t *lo,
				uint64_t *hi)
{
	uint64_t g = b >> HWS_GROUP_SHIFT, base = v->base[g];
	uint64_t l = base + index_at(v, b);
	uint64_t h = ((b + 1) & v->last_mask) == 0 ? v->base[g + 1] : base + index_at(v, b + 1);

	if (h > v->count)
		h = v->count;
	if (l > h)
		l = h;
	*lo = l;
	*hi = h;
}

/* Find @key (@kl = v->key_len bytes) in the sorted keys [lo, hi); -1 when
 * absent.  Callers pass @kl as a constant where they can, so that the key
 * compares compile to a few loads. */
static inline __attribute__((always_inline)) int64_t
scan(const struct hws_view *v, const uint8_t *key, uint64_t lo, uint64_t hi, unsigned int kl)
{
	const uint64_t head = load_be64(key);

	if (hi - lo > LINEAR_MAX) {
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;
			int c = memcmp(v->keys + mid * kl, key, kl);
			if (c == 0)
				return (int64_t)mid;
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return -1;
	}
	for (uint64_t i = lo; i < hi; i++) {
		const uint8_t *k = v->keys + i * kl;
		uint64_t kh = load_be64(k);
		if (kh < head)
			continue;
		if (kh > head)
			return -1;
		int c = memcmp(k + 8, key + 8, kl - 8);
		if (c == 0)
			return (int64_t)i;
		if (c > 0)
			return -1;
	}
	return -1;
}

static inline void fill_hit(const struct hws_view *v, int64_t i, struct hws_hit *hit)
{
	if (hit) {
		hit->ref = v->refs[i];
		hit->category = v->cats[i];
	}
}

bool hws_lookup(const struct hws_set *set, enum hwall_algo algo, const uint8_t *digest,
		struct hws_hit *ret_hit)
{
	const struct hws_view *v;
	uint64_t lo, hi;
	int64_t i;

	if ((unsigned int)algo >= HWALL_ALGO_COUNT)
		return false;
	v = &set->views[algo];
	if (v->count == 0)
		return false;
	bucket_range(v, bucket_of(v, digest), &lo, &hi);
	i = scan(v, digest + v->strip, lo, hi, v->key_len);
	if (i < 0)
		return false;
	fill_hit(v, i, ret_hit);
	return true;
}

/* The compare pass of hws_lookup_bulk(). */
static inline __attribute__((always_inline)) uint64_t
scan_all(const struct hws_view *v, const uint8_t *const *digests, unsigned int n,
	 const uint64_t *lo, const uint64_t *hi, struct hws_hit *hits, unsigned int kl)
{
	uint64_t mask = 0;

	for (unsigned int j = 0; j < n; j++) {
		int64_t i = scan(v, digests[j] + v->strip, lo[j], hi[j], kl);
		if (i >= 0) {
			mask |= 1ull << j;
			fill_hit(v, i, hits ? &hits[j] : NULL);
		}
	}
	return mask;
}

uint64_t hws_lookup_bulk(const struct hws_set *set, enum hwall_algo algo,
			 const uint8_t *const *digests, unsigned int n, struct hws_hit *hits)
{
	uint32_t bucket[HWS_BULK_MAX];
	uint64_t lo[HWS_BULK_MAX], hi[HWS_BULK_MAX];
	const struct hws_view *v;

	if ((unsigned int)algo >= HWALL_ALGO_COUNT || n == 0)
		return 0;
	v = &set->views[algo];
	if (v->count == 0)
		return 0;
	if (n > HWS_BULK_MAX)
		n = HWS_BULK_MAX;

	/* Three passes so that the memory reads of all n lookups overlap:
	 * base and index, then keys, then the compares. */
	for (unsigned int j = 0; j < n; j++) {
		bucket[j] = bucket_of(v, digests[j]);
		__builtin_prefetch(&v->base[bucket[j] >> HWS_GROUP_SHIFT]);
		__builtin_prefetch((const uint8_t *)v->index + (uint64_t)bucket[j] * v->off_width);
	}
	for (unsigned int j = 0; j < n; j++) {
		bucket_range(v, bucket[j], &lo[j], &hi[j]);
		uintptr_t first = (uintptr_t)(v->keys + lo[j] * v->key_len);
		uintptr_t last = (uintptr_t)(v->keys + hi[j] * v->key_len) - 1;
		__builtin_prefetch((const void *)first);
		/* A miss scans half the bucket on average: the second line
		 * only when the bucket's keys cross into it. */
		if ((last >> 6) != (first >> 6) && hi[j] > lo[j])
			__builtin_prefetch((const void *)(first + 64));
	}
	/* md5 and xxh3-128 keys of sets from 2^16 to 2^24 buckets (about
	 * 150,000 to 38 million entries) are 14 bytes: the common case gets
	 * its own copy of the loop. */
	if (v->key_len == 14)
		return scan_all(v, digests, n, lo, hi, hits, 14);
	return scan_all(v, digests, n, lo, hi, hits, v->key_len);
}

/* The leading bytes of every digest in bucket @b, as big-endian bytes. */
static inline void bucket_prefix(const struct hws_view *v, uint32_t b, uint8_t out[4])
{
	uint32_t lead = v->bits ? __builtin_bswap32(b << (32 - v->bits)) : 0;

	memcpy(out, &lead, 4);
}

uint64_t hws_view_bucket_start(const struct hws_view *v, uint32_t b)
{
	uint64_t lo, hi;

	bucket_range(v, b, &lo, &hi);
	return lo;
}

uint64_t hws_view_lower_bound(const struct hws_view *v, const uint8_t *digest, bool *ret_found)
{
	const uint8_t *key = digest + v->strip;
	uint64_t lo, hi, end;

	bucket_range(v, bucket_of(v, digest), &lo, &hi);
	end = hi;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (memcmp(v->keys + mid * v->key_len, key, v->key_len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Past the bucket's end the keys belong to other leading bytes. */
	*ret_found = lo < end && memcmp(v->keys + lo * v->key_len, key, v->key_len) == 0;
	return lo;
}

void hws_cursor_init(struct hws_cursor *c, const struct hws_set *set, enum hwall_algo algo)
{
	memset(c, 0, sizeof(*c));
	c->v = &set->views[algo];
	c->algo = algo;
	c->nb = c->v->count ? 1ull << c->v->bits : 0;
}

bool hws_cursor_next(struct hws_cursor *c, struct hws_entry *ret)
{
	const struct hws_view *v = c->v;

	while (c->i >= c->hi) {
		uint64_t lo, hi;
		if (c->b >= c->nb)
			return false;
		bucket_range(v, (uint32_t)c->b, &lo, &hi);
		/* A crafted index could list an entry twice; visit each once. */
		c->i = lo > c->next ? lo : c->next;
		c->hi = hi;
		if (hi > c->next)
			c->next = hi;
		bucket_prefix(v, (uint32_t)c->b++, c->prefix);
	}
	ret->algo = c->algo;
	memcpy(ret->digest, c->prefix, 4); /* the first strip (<= 3) bytes count */
	memcpy(ret->digest + v->strip, v->keys + c->i * v->key_len, v->key_len);
	ret->category = v->cats[c->i];
	ret->ref = v->refs[c->i];
	c->i++;
	return true;
}

int hws_foreach(const struct hws_set *set, int (*fn)(const struct hws_entry *e, void *ctx),
		void *ctx)
{
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		struct hws_cursor c;
		struct hws_entry e;

		hws_cursor_init(&c, set, (enum hwall_algo)a);
		while (hws_cursor_next(&c, &e)) {
			int r = fn(&e, ctx);
			if (r != 0)
				return r;
		}
	}
	return 0;
}
