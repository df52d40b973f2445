/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws_format.h - the on-disk layout of a set file (internal to hws_*.c).
 *
 * All integers are little-endian; the project builds only for
 * little-endian hosts (asserted below), so the structs map the file as is.
 * docs/set-format.md describes the same layout for other implementers.
 *
 *   [header, 1536 bytes: fixed fields, then HWS_ALGO_SLOTS descriptors;
 *    slot a describes algorithm a of common/algo.h's table]
 *   per algorithm present, each section 64-byte aligned:
 *     base:  (groups + 1) u32, base[g] = first entry of bucket 16*g,
 *            base[groups] = count, groups = ceil(2^bucket_bits / 16)
 *     index: 2^bucket_bits offsets of off_width bytes (1, 2 or 4):
 *            bucket b starts at base[b / 16] + index[b]
 *     keys:  count * key_len bytes, the digests without their first
 *            `strip` bytes (implied by the bucket), sorted
 *     refs:  count * u32, the hotline's reference of each entry
 *     cats:  count * u8, the category of each entry
 *     aux:   a perceptual algorithm's own section, aux_len bytes: pdq's
 *            near-neighbour index (hashsync/pdq/pdq_index.h, layout in
 *            docs/pdq-index.md), whose entry i is key i; required for a
 *            perceptual algorithm with entries, refused for every other
 *
 * The bucket of a digest is its leading bucket_bits bits; strip is
 * bucket_bits / 8 whole bytes.  The index costs 1.25 bytes a bucket when
 * offsets fit a byte (always, short of crafted digests), small enough to
 * stay in cache, so a miss, the common case, reads from memory only the
 * bucket's keys; metadata is read on a hit only.
 */
#ifndef HASHWALL_HASHSYNC_HWS_FORMAT_H
#define HASHWALL_HASHSYNC_HWS_FORMAT_H

#include <stdint.h>

#include "common/algo.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "set files are little-endian");

#define HWS_MAGIC "HWSET\r\n\x1a" /* 8 bytes, no NUL: catches text-mode mangling */
#define HWS_MAGIC_LEN 8
#define HWS_FORMAT_VERSION 2u /* 1: 512-byte header, four algorithm slots */
#define HWS_PREAMBLE_SIZE 16u /* magic, format version, header size: every version has them */
#define HWS_HEADER_SIZE 1536u
#define HWS_ALGOS_OFF 256u    /* the descriptors, after the fixed fields and reserved room */
#define HWS_ALGO_SLOTS 16u    /* descriptors: room for the algorithms still to come */
#define HWS_SECTION_ALIGN 64u
#define HWS_MAX_BUCKET_BITS 28u
#define HWS_GROUP_SHIFT 4u /* 16 buckets share a base */
#define HWS_CHECKSUM_OFF 24u
#define HWS_CHECKSUM_LEN 16u

struct hws_disk_algo {
	uint64_t count;
	uint8_t digest_len;
	uint8_t bucket_bits;
	uint8_t strip;
	uint8_t key_len;
	uint8_t off_width;
	uint8_t reserved[3]; /* zero */
	uint64_t base_off;
	uint64_t index_off;
	uint64_t keys_off;
	uint64_t refs_off;
	uint64_t cats_off;
	uint64_t aux_off; /* a perceptual algorithm's index; 0 for the others */
	uint64_t aux_len;
	uint64_t reserved2; /* zero */
};

struct hws_disk_header {
	char magic[HWS_MAGIC_LEN];
	uint32_t format_version;
	uint32_t header_size;
	uint64_t file_size;
	uint8_t checksum[HWS_CHECKSUM_LEN]; /* XXH3-128, canonical, with this field as zeros */
	uint64_t set_version;
	int64_t created;
	int64_t expires;
	uint64_t entries;
	uint32_t flags; /* none defined: non-zero is refused */
	uint32_t reserved;
	char id[64];    /* NUL-terminated, NUL-padded */
	uint8_t reserved2[HWS_ALGOS_OFF - 144]; /* zero: room for header fields */
	struct hws_disk_algo algos[HWS_ALGO_SLOTS];
};

_Static_assert(sizeof(struct hws_disk_algo) == 80, "algo descriptor layout");
_Static_assert(sizeof(struct hws_disk_header) == HWS_HEADER_SIZE, "header layout");
_Static_assert(__builtin_offsetof(struct hws_disk_header, checksum) == HWS_CHECKSUM_OFF,
	       "checksum offset");
_Static_assert(__builtin_offsetof(struct hws_disk_header, header_size) + 4 <= HWS_PREAMBLE_SIZE,
	       "preamble");
_Static_assert(__builtin_offsetof(struct hws_disk_header, reserved2) == 144, "reserved offset");
_Static_assert(__builtin_offsetof(struct hws_disk_header, algos) == HWS_ALGOS_OFF, "algos offset");
_Static_assert(HWS_HEADER_SIZE % HWS_SECTION_ALIGN == 0, "sections after the header are aligned");

/* Every row of common/algo.h's table has a slot, and a digest the lookup
 * can take apart: the bucket comes from its first 4 bytes and
 * hws_digest_cmp() compares 8 and then 4 bytes at a time. */
_Static_assert(HWALL_ALGO_COUNT <= HWS_ALGO_SLOTS, "more algorithms than set file slots");
#define HWS_ALGO_LEN_CHECK_(id, name, len, kind, evp)                                   \
	_Static_assert((len) >= 4 && (len) % 4 == 0 && (len) <= UINT8_MAX,              \
		       name ": set files need a digest length of 4..255, a multiple of 4");
HWALL_ALGO_TABLE(HWS_ALGO_LEN_CHECK_)
#undef HWS_ALGO_LEN_CHECK_

/* Bucket bits for @count entries: 2.25 to 4.5 entries a bucket, so a
 * bucket's keys mostly fit one cache line and the index costs at most 0.56
 * bytes an entry (see docs/set-format.md). */
static inline unsigned int hws_bucket_bits(uint64_t count)
{
	unsigned int bits = 0;

	while (bits < HWS_MAX_BUCKET_BITS && (count * 4) / 9 >= (2ull << bits))
		bits++;
	return bits;
}

/* Number of base entries before the final one, for @bits bucket bits. */
static inline uint64_t hws_groups(unsigned int bits)
{
	return ((1ull << bits) + (1u << HWS_GROUP_SHIFT) - 1) >> HWS_GROUP_SHIFT;
}

/* The bucket of @digest: its leading @bits bits. */
static inline uint32_t hws_bucket_of(const uint8_t *digest, unsigned int bits)
{
	uint32_t lead = (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 |
			(uint32_t)digest[2] << 8 | digest[3];
	return bits ? lead >> (32 - bits) : 0;
}

/* Checksum of a whole file image (the checksum field read as zeros). */
void hws_checksum(const uint8_t *file, uint64_t len, uint8_t out[HWS_CHECKSUM_LEN]);

#endif
