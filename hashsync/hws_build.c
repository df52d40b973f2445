/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws_build.c - the set builder: collects add/remove operations, sorts and
 * merges them, and writes a set file atomically (hws.h).
 *
 * Operations are kept as fixed-size records per algorithm:
 *   digest (digest_len) | ref u32 | seq u32 | category u8 | op u8
 * where seq is the order of arrival.  Writing sorts by (digest, seq) with
 * two counting-sort passes on the leading bits and a small sort per bucket,
 * then keeps, for each digest, what its last operation says.  Writing the
 * result is hws_write.c's job.
 */
#include "hashsync/hws.h"
#include "hashsync/hws_format.h"
#include "hashsync/hws_int.h"
#include "common/errors.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RADIX_BITS1 11 /* first pass: 2048 write streams */
#define RADIX_BITS2 16 /* second pass, inside one first-level bucket */
#define INSERTION_MAX 24

bool hws_id_valid(const char *id)
{
	size_t len = strlen(id);

	if (len == 0 || len > HWS_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (id[i] <= ' ' || id[i] > '~')
			return false;
	return true;
}

struct hws_builder *hws_builder_new(const char *id, uint64_t version)
{
	struct hws_builder *b;

	if (!id || !hws_id_valid(id)) {
		errno = EINVAL;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	strcpy(b->id, id);
	b->version = version;
	b->created = (int64_t)time(NULL);
	b->mode = 0600;
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		b->t[a].dlen = (unsigned int)hwall_algo_len((enum hwall_algo)a);
		b->t[a].stride = b->t[a].dlen + HWS_REC_EXTRA;
	}
	return b;
}

void hws_builder_set_times(struct hws_builder *b, int64_t created, int64_t expires)
{
	b->created = created;
	b->expires = expires;
}

void hws_builder_set_mode(struct hws_builder *b, mode_t mode)
{
	b->mode = mode & 07777;
}

static int push_op(struct hws_builder *b, enum hwall_algo algo, const uint8_t *digest,
		   uint8_t category, uint32_t ref, uint8_t op)
{
	struct hws_op_table *t;
	uint8_t *r;

	if ((unsigned int)algo >= HWALL_ALGO_COUNT || !digest)
		return -EINVAL;
	if (b->seq == UINT32_MAX)
		return -E2BIG;
	t = &b->t[algo];
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		uint8_t *recs = realloc(t->recs, cap * t->stride);
		if (!recs)
			return -ENOMEM;
		t->recs = recs;
		t->cap = cap;
	}
	r = t->recs + t->n++ * t->stride;
	memcpy(r, digest, t->dlen);
	memcpy(r + t->dlen, &ref, 4);
	memcpy(r + t->dlen + 4, &b->seq, 4);
	r[t->dlen + 8] = category;
	r[t->dlen + 9] = op;
	b->seq++;
	return 0;
}

int hws_builder_add(struct hws_builder *b, enum hwall_algo algo, const uint8_t *digest,
		    uint8_t category, uint32_t ref)
{
	return push_op(b, algo, digest, category, ref, HWS_OP_ADD);
}

int hws_builder_remove(struct hws_builder *b, enum hwall_algo algo, const uint8_t *digest)
{
	return push_op(b, algo, digest, 0, 0, HWS_OP_REMOVE);
}

static int add_entry(const struct hws_entry *e, void *ctx)
{
	return hws_builder_add(ctx, e->algo, e->digest, e->category, e->ref);
}

int hws_builder_add_set(struct hws_builder *b, const struct hws_set *set)
{
	if (!b->base && b->seq == 0) {
		b->base = set;
		return 0;
	}
	return hws_foreach(set, add_entry, b);
}

void hws_builder_free(struct hws_builder *b)
{
	if (!b)
		return;
	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		free(b->t[a].recs);
	free(b);
}

/* Order of records: digest, then arrival. */
static int rec_cmp(const void *x, const void *y, void *ctx)
{
	const struct hws_op_table *t = ctx;
	int c = hws_digest_cmp(x, y, t->dlen);
	uint32_t sx, sy;

	if (c)
		return c;
	memcpy(&sx, (const uint8_t *)x + t->dlen + 4, 4);
	memcpy(&sy, (const uint8_t *)y + t->dlen + 4, 4);
	return (sx > sy) - (sx < sy);
}

static void sort_small(const struct hws_op_table *t, uint8_t *base, size_t n)
{
	uint8_t tmp[HWALL_DIGEST_MAX + HWS_REC_EXTRA];

	if (n > INSERTION_MAX) {
		qsort_r(base, n, t->stride, rec_cmp, (void *)t);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		size_t j = i;
		memcpy(tmp, base + i * t->stride, t->stride);
		while (j > 0 && rec_cmp(base + (j - 1) * t->stride, tmp, (void *)t) > 0) {
			memcpy(base + j * t->stride, base + (j - 1) * t->stride, t->stride);
			j--;
		}
		memcpy(base + j * t->stride, tmp, t->stride);
	}
}

/* Bits [skip, skip + bits) of a record's leading 32 bits. */
static inline uint32_t radix_key(const uint8_t *r, unsigned int skip, unsigned int bits)
{
	uint32_t lead = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];

	return (lead << skip) >> (32 - bits);
}

/* Stable counting sort of @n records from @in to @out by radix_key();
 * afterwards ends[k] is where bucket k ends in @out (2^bits entries). */
static void scatter(const struct hws_op_table *t, const uint8_t *in, uint8_t *out, size_t n,
		    unsigned int skip, unsigned int bits, size_t *ends)
{
	size_t nb = (size_t)1 << bits, sum = 0;

	memset(ends, 0, nb * sizeof(*ends));
	for (size_t i = 0; i < n; i++)
		ends[radix_key(in + i * t->stride, skip, bits)]++;
	for (size_t k = 0; k < nb; k++) {
		size_t c = ends[k];
		ends[k] = sum;
		sum += c;
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *r = in + i * t->stride;
		memcpy(out + ends[radix_key(r, skip, bits)]++ * t->stride, r, t->stride);
	}
}

/* Sort one first-level bucket of @m records at @recs: counting sort by the
 * next bits into @tmp (it fits in cache), then a small sort per bucket. */
static void sort_bucket(const struct hws_op_table *t, uint8_t *recs, size_t m, uint8_t *tmp,
			size_t *ends)
{
	unsigned int bits = 1;

	if (m <= INSERTION_MAX) {
		sort_small(t, recs, m);
		return;
	}
	while (bits < RADIX_BITS2 && (2ull << bits) <= m)
		bits++;
	scatter(t, recs, tmp, m, RADIX_BITS1, bits, ends);
	for (size_t k = 0, lo = 0; k < (size_t)1 << bits; lo = ends[k], k++)
		sort_small(t, tmp + lo * t->stride, ends[k] - lo);
	memcpy(recs, tmp, m * t->stride);
}

/* Sort @t's records by (digest, seq).  Two counting-sort passes of 11 and
 * up to 16 bits keep every scatter's write streams few (one random scatter
 * over the whole table is bound by memory latency), then runs of about one
 * record are sorted by comparison.  Returns 0 or -ENOMEM. */
static int sort_ops(struct hws_op_table *t)
{
	size_t nb = (size_t)1 << RADIX_BITS1, max = 0, *ends1, *ends2;
	uint8_t *out, *tmp;

	if (t->n <= INSERTION_MAX * 16) {
		sort_small(t, t->recs, t->n);
		return 0;
	}
	ends1 = malloc(nb * sizeof(*ends1));
	ends2 = malloc(((size_t)1 << RADIX_BITS2) * sizeof(*ends2));
	out = malloc(t->n * t->stride);
	if (!ends1 || !ends2 || !out)
		goto out_nomem;
	scatter(t, t->recs, out, t->n, 0, RADIX_BITS1, ends1);
	for (size_t k = 0, lo = 0; k < nb; lo = ends1[k], k++)
		max = ends1[k] - lo > max ? ends1[k] - lo : max;
	tmp = malloc(max * t->stride);
	if (!tmp)
		goto out_nomem;
	for (size_t k = 0, lo = 0; k < nb; lo = ends1[k], k++)
		sort_bucket(t, out + lo * t->stride, ends1[k] - lo, tmp, ends2);
	free(tmp);
	free(ends1);
	free(ends2);
	free(t->recs);
	t->recs = out;
	t->cap = t->n;
	return 0;

out_nomem:
	free(ends1);
	free(ends2);
	free(out);
	return -ENOMEM;
}

/* Account for one digest's operations, whose last is @last and of which
 * @adds were adds, against @base (NULL when none); returns whether the last
 * operation must be kept as a record. */
static bool settle(const struct hws_op_table *t, const uint8_t *last, size_t adds,
		   const struct hws_set *base, enum hwall_algo algo, struct hws_write_stats *st)
{
	bool present = base && hws_lookup(base, algo, last, NULL);

	if (last[t->dlen + 9] == HWS_OP_ADD) {
		/* Every earlier add, and the base's entry, is merged into it. */
		st->duplicates += adds - 1 + present;
		st->entries += !present;
		return true;
	}
	if (present) {
		st->duplicates += adds;
		st->removed++;
		st->entries--;
		return true; /* the base's entry must be skipped when writing */
	}
	if (adds) {
		st->duplicates += adds - 1;
		st->removed++;
	} else {
		st->absent_removes++;
	}
	return false;
}

/* Keep, for each digest, its last operation when it changes anything: an
 * add, or a remove of one of @base's entries.  Counts the entries the table
 * will have into st->entries. */
static void merge_ops(struct hws_op_table *t, const struct hws_set *base, enum hwall_algo algo,
		      struct hws_write_stats *st)
{
	size_t w = 0, i = 0;

	st->entries += base ? hws_count(base, algo) : 0;
	while (i < t->n) {
		size_t j = i, adds = 0;
		while (j < t->n && hws_digest_cmp(t->recs + i * t->stride, t->recs + j * t->stride,
						  t->dlen) == 0) {
			adds += t->recs[j * t->stride + t->dlen + 9] == HWS_OP_ADD;
			j++;
		}
		const uint8_t *last = t->recs + (j - 1) * t->stride;
		if (settle(t, last, adds, base, algo, st))
			memmove(t->recs + w++ * t->stride, last, t->stride);
		i = j;
	}
	t->n = w;
}

int hws_builder_prepare(struct hws_builder *b, struct hws_write_stats *st)
{
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		struct hws_op_table *t = &b->t[a];
		uint64_t before = st->entries;

		HWALL_TRY(sort_ops(t));
		merge_ops(t, b->base && hws_count(b->base, (enum hwall_algo)a) ? b->base : NULL,
			  (enum hwall_algo)a, st);
		t->final_n = st->entries - before;
	}
	return 0;
}
