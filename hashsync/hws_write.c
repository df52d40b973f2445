/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws_write.c - laying out a prepared builder as a set file and writing it
 * atomically (hws.h, docs/set-format.md).
 *
 * The file is written through a shared mapping of a temporary file in the
 * target's directory (space reserved first, so a full disk is an error and
 * not a SIGBUS), then committed with hwall_atomic_commit(): fsync'ed,
 * renamed over the target, and the directory fsync'ed.  A crash leaves
 * either the old file or the new one.
 */
#include "hashsync/hws.h"
#include "hashsync/hws_format.h"
#include "hashsync/hws_int.h"
#include "hashsync/hws_delta.h"
#include "common/errors.h"
#include "common/fileio.h"
#include "hashsync/pdq/pdq_index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static uint64_t align_up(uint64_t v)
{
	return (v + HWS_SECTION_ALIGN - 1) & ~(uint64_t)(HWS_SECTION_ALIGN - 1);
}

/* The entries of one table in sorted order: the builder's records, merged
 * on the fly with the base set's entries when there is one. */
struct table_src {
	const struct hws_op_table *t;
	size_t i;
	bool have;          /* e holds the base's next entry */
	struct hws_cursor c;
	struct hws_entry e;
	uint8_t out[HWALL_DIGEST_MAX]; /* the base digest handed out last */
};

static void src_init(struct table_src *s, const struct hws_builder *b, enum hwall_algo algo)
{
	memset(s, 0, sizeof(*s));
	s->t = &b->t[algo];
	if (b->base) {
		hws_cursor_init(&s->c, b->base, algo);
		s->have = hws_cursor_next(&s->c, &s->e);
	}
}

/* The next entry: its digest, reference and category.  A record equal to a
 * base entry replaces it (an add) or drops it (a remove). */
static bool src_next(struct table_src *s, const uint8_t **digest, uint32_t *ref, uint8_t *cat)
{
	const struct hws_op_table *t = s->t;

	for (;;) {
		const uint8_t *op = s->i < t->n ? t->recs + s->i * t->stride : NULL;
		int c = s->have && op ? hws_digest_cmp(s->e.digest, op, t->dlen) : op ? 1 : -1;

		if (c < 0 && s->have) {
			memcpy(s->out, s->e.digest, t->dlen);
			*digest = s->out;
			*ref = s->e.ref;
			*cat = s->e.category;
			s->have = hws_cursor_next(&s->c, &s->e);
			return true;
		}
		if (!op)
			return false;
		s->i++;
		if (c == 0)
			s->have = hws_cursor_next(&s->c, &s->e);
		if (op[t->dlen + 9] == HWS_OP_REMOVE)
			continue;
		*digest = op;
		memcpy(ref, op + t->dlen, 4);
		*cat = op[t->dlen + 8];
		return true;
	}
}

/* Where each bucket of table @algo starts, for @bits bucket bits: 2^bits + 1
 * positions, or NULL when out of memory. */
static uint32_t *bucket_starts(const struct hws_builder *bld, enum hwall_algo algo, unsigned int bits)
{
	uint64_t nb = 1ull << bits, b = 0, i = 0;
	uint32_t *start = malloc((nb + 1) * sizeof(*start));
	struct table_src s;
	const uint8_t *d;
	uint32_t ref;
	uint8_t cat;

	if (!start)
		return NULL;
	src_init(&s, bld, algo);
	for (; src_next(&s, &d, &ref, &cat); i++)
		for (uint32_t k = hws_bucket_of(d, bits); b <= k; b++)
			start[b] = (uint32_t)i;
	for (; b <= nb; b++)
		start[b] = (uint32_t)i;
	return start;
}

/* The narrowest index width that holds every bucket's offset in its group. */
static uint8_t offset_width(const uint32_t *start, unsigned int bits)
{
	uint64_t nb = 1ull << bits, max = 0;

	for (uint64_t b = 0; b < nb; b++) {
		uint64_t off = start[b] - start[b & ~(uint64_t)((1u << HWS_GROUP_SHIFT) - 1)];
		if (off > max)
			max = off;
	}
	return max <= UINT8_MAX ? 1 : max <= UINT16_MAX ? 2 : 4;
}

/* Fill the header's table descriptors and return the file size, or 0 when
 * out of memory.  @starts receives each table's bucket starts. */
static uint64_t layout(const struct hws_builder *b, struct hws_disk_header *h,
		       uint32_t *starts[HWALL_ALGO_COUNT])
{
	uint64_t off = HWS_HEADER_SIZE;

	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		const struct hws_op_table *t = &b->t[a];
		struct hws_disk_algo *d = &h->algos[a];

		if (t->final_n == 0)
			continue;
		d->count = t->final_n;
		d->digest_len = (uint8_t)t->dlen;
		d->bucket_bits = (uint8_t)hws_bucket_bits(t->final_n);
		d->strip = d->bucket_bits / 8;
		d->key_len = (uint8_t)(t->dlen - d->strip);
		starts[a] = hws_delta_applies(b, (enum hwall_algo)a, d->bucket_bits)
				    ? hws_delta_starts(b, (enum hwall_algo)a, d->bucket_bits)
				    : bucket_starts(b, (enum hwall_algo)a, d->bucket_bits);
		if (!starts[a])
			return 0;
		d->off_width = offset_width(starts[a], d->bucket_bits);
		d->base_off = align_up(off);
		d->index_off = align_up(d->base_off + (hws_groups(d->bucket_bits) + 1) * 4);
		d->keys_off = align_up(d->index_off + (1ull << d->bucket_bits) * d->off_width);
		d->refs_off = align_up(d->keys_off + t->final_n * d->key_len);
		d->cats_off = align_up(d->refs_off + t->final_n * 4);
		off = d->cats_off + t->final_n;
		if (hwall_algo_kind((enum hwall_algo)a) == HWALL_ALGO_KIND_PERCEPTUAL) {
			size_t len;
			if (pdqi_build_size(t->final_n, NULL, &len) < 0)
				return 0;
			d->aux_off = align_up(off);
			d->aux_len = len;
			off = d->aux_off + len;
		}
		h->entries += t->final_n;
	}
	return off;
}

/*
 * Build table @algo's near-neighbour index into its aux section, from the
 * keys just written (so a delta's table, copied in runs, gets its index
 * rebuilt like any other): entry i is key i, whose stripped leading bytes
 * are its bucket's.  Returns 0 or -ENOMEM.
 */
static int fill_near(const struct hws_disk_algo *d, const uint32_t *start, uint8_t *file)
{
	uint8_t (*hashes)[PDQI_HASH_LEN] = malloc(d->count * PDQI_HASH_LEN);
	const uint8_t *keys = file + d->keys_off;
	uint64_t nb = 1ull << d->bucket_bits;
	int r;

	if (!hashes)
		return -ENOMEM;
	for (uint64_t b = 0; b < nb; b++) {
		uint32_t lead = d->bucket_bits ? __builtin_bswap32((uint32_t)(b << (32 - d->bucket_bits))) : 0;

		for (uint64_t i = start[b]; i < start[b + 1] && i < d->count; i++) {
			memcpy(hashes[i], &lead, d->strip);
			memcpy(hashes[i] + d->strip, keys + i * d->key_len, d->key_len);
		}
	}
	r = pdqi_build_into((const uint8_t (*)[PDQI_HASH_LEN])hashes, d->count, NULL,
			    file + d->aux_off, d->aux_len);
	/* The index copies the hashes; the list is of no use once built. */
	free(hashes);
	return r;
}

/* Write table @algo's sections from its entries and the bucket starts
 * computed by layout(). */
static void fill_table(const struct hws_builder *bld, enum hwall_algo algo,
		       const struct hws_disk_algo *d, const uint32_t *start, uint8_t *file)
{
	const uint64_t nb = 1ull << d->bucket_bits, groups = hws_groups(d->bucket_bits);
	const uint64_t gmask = (1u << HWS_GROUP_SHIFT) - 1;
	uint32_t *base = (uint32_t *)(file + d->base_off);
	uint8_t *index = file + d->index_off, *keys = file + d->keys_off, *cats = file + d->cats_off;
	uint32_t *refs = (uint32_t *)(file + d->refs_off);
	struct table_src s;
	const uint8_t *dg;

	for (uint64_t g = 0; g < groups; g++)
		base[g] = start[g << HWS_GROUP_SHIFT];
	base[groups] = (uint32_t)d->count;
	for (uint64_t b = 0; b < nb; b++) {
		uint32_t off = start[b] - start[b & ~gmask];
		if (d->off_width == 1)
			index[b] = (uint8_t)off;
		else if (d->off_width == 2)
			((uint16_t *)index)[b] = (uint16_t)off;
		else
			((uint32_t *)index)[b] = off;
	}
	if (hws_delta_applies(bld, algo, d->bucket_bits)) {
		hws_delta_fill(bld, algo, d, file);
		return;
	}
	src_init(&s, bld, algo);
	for (uint64_t i = 0; i < d->count && src_next(&s, &dg, &refs[i], &cats[i]); i++)
		memcpy(keys + i * d->key_len, dg + d->strip, d->key_len);
}

/* Map @fd at @size bytes and write the whole file image into it. */
static int write_image(const struct hws_builder *b, struct hws_disk_header *h,
		       uint32_t *const starts[HWALL_ALGO_COUNT], int fd, struct hwall_err *err)
{
	uint8_t *map;
	int r;

	r = posix_fallocate(fd, 0, (off_t)h->file_size);
	if (r != 0)
		return hwall_err_set(err, -r, "reserve %llu bytes: %s", (unsigned long long)h->file_size,
			    strerror(r));
	map = mmap(NULL, h->file_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		r = hwall_neg_errno();
		return hwall_err_set(err, r, "mmap: %s", hwall_strerror(r));
	}
	memset(map, 0, HWS_HEADER_SIZE);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		if (!h->algos[a].count)
			continue;
		fill_table(b, (enum hwall_algo)a, &h->algos[a], starts[a], map);
		r = h->algos[a].aux_len ? fill_near(&h->algos[a], starts[a], map) : 0;
		if (r < 0) {
			munmap(map, h->file_size);
			return hwall_err_set(err, r, "%s: building the near-neighbour index: %s",
					     hwall_algo_name((enum hwall_algo)a), hwall_strerror(r));
		}
	}
	memcpy(map, h, sizeof(*h));
	hws_checksum(map, h->file_size, ((struct hws_disk_header *)map)->checksum);
	munmap(map, h->file_size); /* hwall_atomic_commit() fsyncs the pages */
	return 0;
}

int hws_builder_write(struct hws_builder *b, const char *path, struct hws_write_stats *ret_stats,
		      struct hwall_err *err)
{
	struct hws_write_stats st = { 0 };
	struct hws_disk_header h = { 0 };
	uint32_t *starts[HWALL_ALGO_COUNT] = { NULL };
	struct hwall_atomic tmp;
	int r;

	r = hws_builder_prepare(b, &st);
	if (r < 0)
		return hwall_err_set(err, r, "sorting entries: %s", hwall_strerror(r));
	memcpy(h.magic, HWS_MAGIC, HWS_MAGIC_LEN);
	h.format_version = HWS_FORMAT_VERSION;
	h.header_size = HWS_HEADER_SIZE;
	h.set_version = b->version;
	h.created = b->created;
	h.expires = b->expires;
	memcpy(h.id, b->id, sizeof(b->id));
	h.file_size = layout(b, &h, starts);
	if (h.file_size == 0) {
		r = hwall_err_set(err, -ENOMEM, "out of memory");
		goto out_free;
	}
	r = hwall_atomic_begin(path, b->mode, &tmp);
	if (r < 0) {
		hwall_err_set(err, r, "create a temporary file next to %s: %s", path, hwall_strerror(r));
		goto out_free;
	}
	r = write_image(b, &h, starts, tmp.fd, err);
	if (r < 0) {
		hwall_atomic_abort(&tmp);
		goto out_free;
	}
	r = hwall_atomic_commit(&tmp, true);
	if (r < 0) {
		hwall_err_set(err, r, "%s %s: %s", tmp.step, path, hwall_strerror(r));
		goto out_free;
	}
	st.bytes = h.file_size;
	if (ret_stats)
		*ret_stats = st;
out_free:
	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		free(starts[a]);
	return r;
}
