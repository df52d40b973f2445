/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws_read.c - opening, validating and looking up in set files (hws.h).
 *
 * A set is mapped read-only and checked once at open: the header, every
 * section's bounds, the checksum, and a perceptual algorithm's
 * near-neighbour index (pdqi_open(): its header and bucket tables).  The index is not walked at open (no
 * per-entry work), so lookups clamp every bucket range they read: a crafted
 * file that passes the checksum can give wrong answers but never makes a
 * lookup read outside the mapping.
 */
#include "hashsync/hws.h"
#include "hashsync/hws_format.h"
#include "hashsync/hws_int.h"
#include "common/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

void hws_checksum(const uint8_t *file, uint64_t len, uint8_t out[HWS_CHECKSUM_LEN])
{
	static const uint8_t zeros[HWS_CHECKSUM_LEN];
	XXH3_state_t st;
	XXH128_canonical_t c;

	XXH3_128bits_reset(&st);
	XXH3_128bits_update(&st, file, HWS_CHECKSUM_OFF);
	XXH3_128bits_update(&st, zeros, HWS_CHECKSUM_LEN);
	XXH3_128bits_update(&st, file + HWS_CHECKSUM_OFF + HWS_CHECKSUM_LEN,
			    len - HWS_CHECKSUM_OFF - HWS_CHECKSUM_LEN);
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(&st));
	memcpy(out, c.digest, HWS_CHECKSUM_LEN);
}

/* Is [off, off + size) inside the file, past the header and aligned? */
static bool section_ok(uint64_t off, uint64_t size, uint64_t file_size)
{
	return off >= HWS_HEADER_SIZE && off % HWS_SECTION_ALIGN == 0 && off <= file_size &&
	       size <= file_size - off;
}

/* All zeros: an algorithm without entries, or a slot no algorithm has yet. */
static bool descriptor_empty(const struct hws_disk_algo *d)
{
	static const struct hws_disk_algo zero;

	return memcmp(d, &zero, sizeof(zero)) == 0;
}

static int check_sections(const struct hws_disk_algo *d, const char *name, uint64_t file_size,
			  struct hwall_err *err)
{
	if (!section_ok(d->base_off, (hws_groups(d->bucket_bits) + 1) * 4, file_size))
		return hwall_err_set(err, -EINVAL, "%s: base section outside the file or misaligned", name);
	if (!section_ok(d->index_off, (1ull << d->bucket_bits) * d->off_width, file_size))
		return hwall_err_set(err, -EINVAL, "%s: index section outside the file or misaligned", name);
	if (!section_ok(d->keys_off, d->count * d->key_len, file_size))
		return hwall_err_set(err, -EINVAL, "%s: key section outside the file or misaligned", name);
	if (!section_ok(d->refs_off, d->count * 4, file_size))
		return hwall_err_set(err, -EINVAL, "%s: reference section outside the file or misaligned",
				     name);
	if (!section_ok(d->cats_off, d->count, file_size))
		return hwall_err_set(err, -EINVAL, "%s: category section outside the file or misaligned",
				     name);
	return 0;
}

static int check_algo(const struct hws_disk_header *h, enum hwall_algo a, uint64_t file_size,
		      struct hwall_err *err)
{
	const struct hws_disk_algo *d = &h->algos[a];
	const char *name = hwall_algo_name(a);

	if (d->count == 0)
		return descriptor_empty(d) ? 0 : hwall_err_set(err, -EINVAL,
							 "%s: sections given for an empty table", name);
	if (d->digest_len != hwall_algo_len(a))
		return hwall_err_set(err, -EINVAL, "%s: digest length %u, expected %zu", name, d->digest_len,
			    hwall_algo_len(a));
	if (d->bucket_bits > HWS_MAX_BUCKET_BITS || d->strip != d->bucket_bits / 8 ||
	    d->key_len != d->digest_len - d->strip)
		return hwall_err_set(err, -EINVAL, "%s: inconsistent bucket bits %u, strip %u, key length %u",
				     name, d->bucket_bits, d->strip, d->key_len);
	if (d->count > UINT32_MAX)
		return hwall_err_set(err, -EINVAL, "%s: %llu entries, at most 2^32-1 allowed", name,
			    (unsigned long long)d->count);
	if (d->off_width != 1 && d->off_width != 2 && d->off_width != 4)
		return hwall_err_set(err, -EINVAL, "%s: index offset width %u, expected 1, 2 or 4", name,
				d->off_width);
	if (d->reserved2 || d->reserved[0] || d->reserved[1] || d->reserved[2])
		return hwall_err_set(err, -EINVAL, "%s: reserved descriptor fields are not zero", name);
	/* Only a perceptual algorithm has a section of its own, its
	 * near-neighbour index, and cannot be looked up without it;
	 * validate() opens it. */
	if (hwall_algo_kind(a) != HWALL_ALGO_KIND_PERCEPTUAL) {
		if (d->aux_off || d->aux_len)
			return hwall_err_set(err, -EINVAL, "%s: an aux section is given, but only a "
					"perceptual algorithm has one", name);
	} else if (d->aux_len == 0 || !section_ok(d->aux_off, d->aux_len, file_size)) {
		return hwall_err_set(err, -EINVAL, "%s: index (aux) section missing, outside the file "
				"or misaligned", name);
	}
	return check_sections(d, name, file_size, err);
}

/* Every slot: the table's algorithms, then the slots no algorithm has yet. */
static int check_algos(const struct hws_disk_header *h, uint64_t file_size, struct hwall_err *err)
{
	uint64_t total = 0;

	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		HWALL_TRY(check_algo(h, (enum hwall_algo)a, file_size, err));
		total += h->algos[a].count;
	}
	for (unsigned int a = HWALL_ALGO_COUNT; a < HWS_ALGO_SLOTS; a++)
		if (!descriptor_empty(&h->algos[a]))
			return hwall_err_set(err, -EINVAL,
					     "algorithm slot %u is in use, but this build knows "
					     "only %d algorithms (%s): written by a newer hashwall?", a,
					     HWALL_ALGO_COUNT, hwall_algo_names());
	if (total != h->entries)
		return hwall_err_set(err, -EINVAL, "entry counts add up to %llu, header says %llu",
			    (unsigned long long)total, (unsigned long long)h->entries);
	return 0;
}

/* Magic and version, the part every format version shares (@len bytes,
 * at least HWS_PREAMBLE_SIZE), so that an old file is named as such. */
static int check_preamble(const struct hws_disk_header *h, size_t len, struct hwall_err *err)
{
	if (memcmp(h->magic, HWS_MAGIC, HWS_MAGIC_LEN) != 0)
		return hwall_err_set(err, -EINVAL, "bad magic: not a hashwall set file");
	if (h->format_version < HWS_FORMAT_VERSION)
		return hwall_err_set(err, -EINVAL, "format version %u is older than this build's %u and is "
				"not read: build the set again from its list (hashwall-set build), "
				"or let syncd install a new snapshot", h->format_version,
				HWS_FORMAT_VERSION);
	if (h->format_version > HWS_FORMAT_VERSION)
		return hwall_err_set(err, -EINVAL, "format version %u is newer than this build's %u",
				     h->format_version, HWS_FORMAT_VERSION);
	if (len < HWS_HEADER_SIZE)
		return hwall_err_set(err, -EINVAL, "file is %zu bytes, shorter than the %u-byte header", len,
			    HWS_HEADER_SIZE);
	return 0;
}

static int check_header(const struct hws_disk_header *h, size_t len, struct hwall_err *err)
{
	static const uint8_t zero[sizeof(h->reserved2)];
	size_t idlen;

	if (h->header_size != HWS_HEADER_SIZE)
		return hwall_err_set(err, -EINVAL, "header size %u, expected %u", h->header_size,
				     HWS_HEADER_SIZE);
	if (h->file_size != len)
		return hwall_err_set(err, -EINVAL, "file is %zu bytes, header says %llu (truncated or extended)",
				     len, (unsigned long long)h->file_size);
	if (h->flags != 0)
		return hwall_err_set(err, -EINVAL, "unknown flags 0x%x", h->flags);
	if (h->reserved != 0 || memcmp(h->reserved2, zero, sizeof(zero)) != 0)
		return hwall_err_set(err, -EINVAL, "reserved header bytes are not zero");
	idlen = strnlen(h->id, sizeof(h->id));
	if (idlen == 0 || idlen == sizeof(h->id))
		return hwall_err_set(err, -EINVAL, "set id empty or not terminated");
	for (size_t i = 0; i < idlen; i++)
		if (h->id[i] <= ' ' || h->id[i] > '~')
			return hwall_err_set(err, -EINVAL, "set id has a non-printable character");
	return check_algos(h, len, err);
}

/* Close the near-neighbour indexes of @set's views. */
static void close_near(struct hws_set *set)
{
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		pdqi_close(set->views[a].near);
		set->views[a].near = NULL;
	}
}

/*
 * Open table @a's aux section as its PDQ index (pdqi_open() bounds-checks
 * the header and every bucket table).  It must have an entry for each key,
 * and its first and last entries must be the table's first and last keys:
 * a cheap check that entry i is key i (the checksum guards the rest, and a
 * crafted index can only give wrong answers, never read outside the file).
 */
static int open_near(struct hws_set *set, enum hwall_algo a, const struct hws_disk_algo *d,
		     struct hwall_err *err)
{
	struct hws_view *v = &set->views[a];
	const char *name = hwall_algo_name(a);
	int r;

	/* hws_open_mem() takes 8-byte aligned buffers; the index needs 64. */
	if ((uintptr_t)(set->base + d->aux_off) % HWS_SECTION_ALIGN)
		return hwall_err_set(err, -EINVAL, "%s: index (aux) section not 64-byte aligned in memory",
				name);
	r = pdqi_open(set->base + d->aux_off, d->aux_len, &v->near);
	if (r < 0)
		return hwall_err_set(err, r == -ENOMEM ? r : -EINVAL, "%s: index (aux) section refused: %s",
				name, r == -ENOMEM ? "out of memory" : "not a valid PDQ index");
	if (pdqi_count(v->near) != d->count)
		return hwall_err_set(err, -EINVAL, "%s: index has %zu entries, the table %llu", name,
				pdqi_count(v->near), (unsigned long long)d->count);
	for (int end = 0; end < 2; end++) {
		uint64_t i = end ? d->count - 1 : 0;

		if (memcmp(pdqi_hash(v->near, i) + d->strip, v->keys + i * d->key_len, d->key_len))
			return hwall_err_set(err, -EINVAL, "%s: index entry %llu is not the table's key",
					name, (unsigned long long)i);
	}
	return 0;
}

/* validate()'s work; may leave indexes open on failure. */
static int validate_views(struct hws_set *set, const uint8_t *base, size_t len,
			  struct hwall_err *err)
{
	const struct hws_disk_header *h = (const void *)base;
	uint8_t sum[HWS_CHECKSUM_LEN];

	if (len < HWS_PREAMBLE_SIZE)
		return hwall_err_set(err, -EINVAL, "file is %zu bytes, too short for a set file", len);
	HWALL_TRY(check_preamble(h, len, err));
	HWALL_TRY(check_header(h, len, err));
	hws_checksum(base, len, sum);
	if (memcmp(sum, h->checksum, sizeof(sum)) != 0)
		return hwall_err_set(err, -EINVAL, "checksum mismatch: the file is corrupt");

	set->base = base;
	set->len = len;
	memcpy(set->info.id, h->id, sizeof(h->id));
	set->info.version = h->set_version;
	set->info.created = h->created;
	set->info.expires = h->expires;
	set->info.entries = h->entries;
	set->info.file_bytes = len;
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		const struct hws_disk_algo *d = &h->algos[a];
		struct hws_view *v = &set->views[a];

		set->info.counts[a] = d->count;
		set->info.aux_bytes[a] = d->aux_len;
		if (d->count == 0)
			continue;
		v->base = (const uint32_t *)(base + d->base_off);
		v->index = base + d->index_off;
		/* The two ends of the base are checked here; every range is
		 * clamped at lookup. */
		if (v->base[0] != 0 || v->base[hws_groups(d->bucket_bits)] != d->count)
			return hwall_err_set(err, -EINVAL, "%s: index does not span the entries",
					hwall_algo_name(a));
		v->off_width = d->off_width;
		v->shift = 32 - d->bucket_bits;
		v->last_mask = ((1ull << d->bucket_bits) - 1) & ((1u << HWS_GROUP_SHIFT) - 1);
		v->keys = base + d->keys_off;
		v->refs = (const uint32_t *)(base + d->refs_off);
		v->cats = base + d->cats_off;
		v->count = d->count;
		v->bits = d->bucket_bits;
		v->strip = d->strip;
		v->key_len = d->key_len;
		v->digest_len = d->digest_len;
		if (d->aux_len)
			HWALL_TRY(open_near(set, (enum hwall_algo)a, d, err));
	}
	return 0;
}

/* Validate @len bytes at @base and fill @set's views; no per-entry work
 * beyond the checksum.  On failure the views hold no open index. */
static int validate(struct hws_set *set, const uint8_t *base, size_t len, struct hwall_err *err)
{
	int r;

	memset(set, 0, sizeof(*set));
	r = validate_views(set, base, len, err);
	if (r < 0)
		close_near(set);
	return r;
}

int hws_open_mem(const void *buf, size_t len, struct hws_set **ret_set, struct hwall_err *err)
{
	struct hws_set *set = malloc(sizeof(*set));
	int r;

	if (!set)
		return -ENOMEM;
	/* The header and sections are read in place as integers. */
	if ((uintptr_t)buf % 8 != 0) {
		free(set);
		return hwall_err_set(err, -EINVAL, "buffer not 8-byte aligned");
	}
	r = validate(set, buf, len, err);
	if (r < 0) {
		free(set);
		return r;
	}
	*ret_set = set;
	return 0;
}

int hws_open(const char *path, struct hws_set **ret_set, struct hwall_err *err)
{
	struct hws_set *set;
	struct stat st;
	void *map;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = hwall_neg_errno();
		return hwall_err_set(err, r, "%s", hwall_strerror(r));
	}
	if (fstat(fd, &st) < 0) {
		r = hwall_neg_errno();
		hwall_err_set(err, r, "stat: %s", hwall_strerror(r));
		goto out_close;
	}
	/* Only the preamble here: validate() names an old format version
	 * before it asks for the whole header. */
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)HWS_PREAMBLE_SIZE) {
		r = hwall_err_set(err, -EINVAL,
				  S_ISREG(st.st_mode) ? "file is %lld bytes, too short for a set file"
						      : "not a regular file (%lld)",
				  (long long)st.st_size);
		goto out_close;
	}
	/* Populate: the checksum reads every page anyway, and lookups on the
	 * data path must not take page faults. */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (map == MAP_FAILED) {
		r = hwall_neg_errno();
		hwall_err_set(err, r, "mmap: %s", hwall_strerror(r));
		goto out_close;
	}
	set = malloc(sizeof(*set));
	if (!set) {
		r = hwall_err_set(err, -ENOMEM, "out of memory");
		goto out_unmap;
	}
	r = validate(set, map, (size_t)st.st_size, err);
	if (r < 0) {
		free(set);
		goto out_unmap;
	}
	set->mapped = true;
	close(fd);
	*ret_set = set;
	return 0;

out_unmap:
	munmap(map, (size_t)st.st_size);
out_close:
	close(fd);
	return r;
}

void hws_close(struct hws_set *set)
{
	if (!set)
		return;
	close_near(set);
	if (set->mapped)
		munmap((void *)set->base, set->len);
	free(set);
}

void hws_info(const struct hws_set *set, struct hws_info *ret_info)
{
	*ret_info = set->info;
}

uint64_t hws_count(const struct hws_set *set, enum hwall_algo algo)
{
	return (unsigned int)algo < HWALL_ALGO_COUNT ? set->views[algo].count : 0;
}
