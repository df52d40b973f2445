/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_index_format.h - the byte layout of a PDQ index blob (internal to
 * pdq_index*.c; docs/pdq-index.md describes it for other implementers).
 *
 * All integers are little-endian (asserted: the project builds for
 * little-endian hosts only), offsets are from the start of the blob, and
 * every section starts on a 64-byte boundary right after the previous one
 * (pdqi_layout_of(): a reader accepts nothing else):
 *
 *   [header, 64 bytes]
 *   hashes:   count * 32 bytes, entry i at 32*i, as given to the builder
 *   starts:   16 tables, one per slice, each (2^bucket_bits + 1) u32 padded
 *             to 64 bytes: bucket b of slice s lists postings
 *             [starts[s][b], starts[s][b+1])
 *   postings: 16 lists, one per slice, each count u32 padded to 64 bytes:
 *             entry numbers grouped by bucket, ascending within a bucket
 *   partners: 16 lists parallel to the postings, each count u16 padded to
 *             64 bytes: slice s^1 of the posting's entry
 *
 * Slice s of a hash is the big-endian u16 of its bytes 2s and 2s+1 (hex
 * digits 4s..4s+3); its bucket is the slice's leading bucket_bits bits.
 * Slices 2j and 2j+1 are partners: together they form block j (32 bits).
 * With bucket_bits 0 there are no starts, postings or partners (offsets
 * 0), and every query scans the hashes.
 */
#ifndef HASHWALL_HASHSYNC_PDQ_INDEX_FORMAT_H
#define HASHWALL_HASHSYNC_PDQ_INDEX_FORMAT_H

#include <stdint.h>

#include "hashsync/pdq/pdq_index.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "PDQ index blobs are little-endian");

#define PDQI_MAGIC "HWPDQ\r\n\x1a" /* 8 bytes, no NUL */
#define PDQI_MAGIC_LEN 8u
#define PDQI_LAYOUT_VERSION 1u
#define PDQI_HEADER_SIZE 64u
#define PDQI_ALIGN 64u
#define PDQI_SLICE_BITS 16u
#define PDQI_BLOCKS 8u /* pairs of slices */

struct pdqi_disk_header {
	char magic[PDQI_MAGIC_LEN];
	uint32_t layout_version;
	uint32_t header_size;
	uint64_t blob_size;
	uint32_t count;
	uint8_t slices;      /* 16, or 0 with bucket_bits 0 */
	uint8_t slice_bits;  /* 16 */
	uint8_t bucket_bits; /* 1..16, or 0: no slice tables */
	uint8_t reserved0;   /* 0 */
	uint64_t hashes_off;
	uint64_t starts_off;   /* 0 when bucket_bits is 0 */
	uint64_t postings_off; /* 0 when bucket_bits is 0 */
	uint64_t partners_off; /* 0 when bucket_bits is 0 */
};

_Static_assert(sizeof(struct pdqi_disk_header) == PDQI_HEADER_SIZE, "header layout");
_Static_assert(__builtin_offsetof(struct pdqi_disk_header, count) == 24, "count offset");
_Static_assert(__builtin_offsetof(struct pdqi_disk_header, hashes_off) == 32, "offsets");
_Static_assert(PDQI_SLICES * PDQI_SLICE_BITS == PDQI_HASH_LEN * 8, "slices cover the hash");

static inline uint64_t pdqi_align_up(uint64_t x)
{
	return (x + PDQI_ALIGN - 1) & ~(uint64_t)(PDQI_ALIGN - 1);
}

/* Bytes from one slice's starts table to the next. */
static inline uint64_t pdqi_starts_stride(unsigned int bucket_bits)
{
	return pdqi_align_up(((1ull << bucket_bits) + 1) * 4);
}

/* Bytes from one slice's postings to the next. */
static inline uint64_t pdqi_postings_stride(uint64_t count)
{
	return pdqi_align_up(count * 4);
}

/* Bytes from one slice's partners to the next. */
static inline uint64_t pdqi_partners_stride(uint64_t count)
{
	return pdqi_align_up(count * 2);
}

/* Where the sections of a blob of @count entries and @bucket_bits go: the
 * only layout a reader accepts (so no two blobs mean the same). */
struct pdqi_layout {
	uint64_t hashes_off;
	uint64_t starts_off;   /* 0 without slice tables */
	uint64_t postings_off; /* 0 without slice tables */
	uint64_t partners_off; /* 0 without slice tables */
	uint64_t size;
};

static inline void pdqi_layout_of(uint64_t count, unsigned int bucket_bits, struct pdqi_layout *l)
{
	l->hashes_off = PDQI_HEADER_SIZE;
	l->size = pdqi_align_up(l->hashes_off + count * PDQI_HASH_LEN);
	l->starts_off = 0;
	l->postings_off = 0;
	l->partners_off = 0;
	if (bucket_bits) {
		l->starts_off = l->size;
		l->size += PDQI_SLICES * pdqi_starts_stride(bucket_bits);
		l->postings_off = l->size;
		l->size += PDQI_SLICES * pdqi_postings_stride(count);
		l->partners_off = l->size;
		l->size += PDQI_SLICES * pdqi_partners_stride(count);
	}
}

/* Slice @s of @hash. */
static inline uint32_t pdqi_slice(const uint8_t *hash, unsigned int s)
{
	return (uint32_t)hash[2 * s] << 8 | hash[2 * s + 1];
}

#endif
