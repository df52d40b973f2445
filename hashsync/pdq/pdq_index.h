/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_index.h - near-neighbour index over PDQ hashes (pdqi_*).
 *
 * A PDQ hash is 256 bits; two images match when the Hamming distance of
 * their hashes is at most a threshold (31 by default).  The index is
 * multi-index hashing (Norouzi, Punjani, Fleet) over 8 blocks of 32 bits,
 * each searched through its two 16-bit slices: per slice, a bucket table
 * lists the entries by the slice's leading bucket bits, and each posting
 * carries the entry's other slice of the block.  A query probes, in each
 * slice, the buckets within a small radius of its own, drops the postings
 * whose partner slice is too far for the block to be close (about 99% at
 * distance 31), verifies the rest with the full distance and reports each
 * entry once.  docs/pdq-index.md has the design, the byte layout and the
 * figures.
 *
 * Where it sits: the set writer (hashwall-set, syncd) builds the index of a
 * set's PDQ entries into a flat, read-only, 64-byte aligned blob with
 * offsets, not pointers, which lives inside the set file; the PDQ stage
 * opens the mapped blob and queries it.  An opened index is immutable: any
 * number of threads may query it at once.  The library allocates nothing
 * per query and never logs.
 */
#ifndef HASHWALL_HASHSYNC_PDQ_INDEX_H
#define HASHWALL_HASHSYNC_PDQ_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define PDQI_HASH_LEN 32u         /* bytes of a PDQ hash */
#define PDQI_SLICES 16u           /* 16-bit slices of a hash */
#define PDQI_MAX_BUCKET_BITS 16u  /* leading bits of a slice that pick its bucket */
#define PDQI_MAX_ENTRIES 0xffffffffu
#define PDQI_MAX_DIST 256u        /* a query threshold above this is refused */
#define PDQI_DEFAULT_DIST 31u     /* Meta's default match threshold */

struct pdqi;

/* One entry within a query's threshold: its position in the array the
 * index was built from, and its Hamming distance to the query. */
struct pdqi_match {
	uint32_t entry;
	uint32_t distance;
};

/* Bucket bits to build with: PDQI_BITS_AUTO picks them from the count
 * (docs/pdq-index.md), PDQI_BITS_NONE builds no slice tables (every query
 * scans: the right choice for a handful of entries), 1..16 forces them. */
#define PDQI_BITS_AUTO 0u
#define PDQI_BITS_NONE 255u

struct pdqi_build_opts {
	unsigned int bucket_bits;
};

/* How a query finds its candidates. */
enum pdqi_path {
	PDQI_PATH_AUTO,  /* the cheaper of the two by the index's cost model */
	PDQI_PATH_INDEX, /* probe the slice tables (a scan when there are none) */
	PDQI_PATH_SCAN,  /* compare with every entry */
	PDQI_PATH_COUNT,
};

/*
 * Size in bytes of the blob that pdqi_build_into() writes for @n entries
 * with @opts (NULL: defaults), in *ret_len.  Returns 0, or -EINVAL when
 * @n exceeds PDQI_MAX_ENTRIES or the bucket bits are out of range.
 */
int pdqi_build_size(size_t n, const struct pdqi_build_opts *opts, size_t *ret_len);

/*
 * Build the index of @n hashes (@hashes[i] is entry i) into @buf, which
 * must be 64-byte aligned and exactly pdqi_build_size() bytes long.
 * Duplicates are kept as separate entries.  Needs no memory beyond @buf.
 * Returns 0, or -EINVAL for a bad count, options, alignment or length.
 */
int pdqi_build_into(const uint8_t (*hashes)[PDQI_HASH_LEN], size_t n,
		    const struct pdqi_build_opts *opts, void *buf, size_t len);

/*
 * Like pdqi_build_into(), into a new 64-byte aligned buffer: *ret_blob and
 * *ret_len on success, which the caller writes out and frees with free().
 * Returns 0, -EINVAL as above, or -ENOMEM.
 */
int pdqi_build(const uint8_t (*hashes)[PDQI_HASH_LEN], size_t n,
	       const struct pdqi_build_opts *opts, void **ret_blob, size_t *ret_len);

/*
 * Validate @len bytes at @blob (64-byte aligned, typically a section of a
 * mapped set file) as an index and wrap them without copying; @blob must
 * stay mapped and unchanged until pdqi_close().  Checks the header (its
 * offsets and size must be the one layout of its count and bucket bits)
 * and every bucket table (O(16 * 2^bucket_bits)), so that no query can
 * read outside the blob; the postings are checked at query time, see
 * pdqi_check().  Returns 0 with *ret_idx set, -EINVAL for a bad blob, or
 * -ENOMEM.
 */
int pdqi_open(const void *blob, size_t len, struct pdqi **ret_idx);

/* Free what pdqi_open() allocated (not the blob); accepts NULL. */
void pdqi_close(struct pdqi *idx);

/*
 * Full consistency check, O(16 * entries): every entry is listed exactly
 * once in every slice, in its own bucket, in ascending order.  pdqi_open()
 * does not do this; a blob that passes it answers every query exactly like
 * a scan.  Returns 0 or -EINVAL.
 */
int pdqi_check(const struct pdqi *idx);

/* Number of entries. */
size_t pdqi_count(const struct pdqi *idx);

/* Bucket bits of the slice tables, 0 when the index has none. */
unsigned int pdqi_bucket_bits(const struct pdqi *idx);

/* The hash of @entry (< pdqi_count()), inside the blob. */
const uint8_t *pdqi_hash(const struct pdqi *idx, size_t entry);

/* Hamming distance between two PDQ hashes, 0..256. */
unsigned int pdqi_distance(const uint8_t a[PDQI_HASH_LEN], const uint8_t b[PDQI_HASH_LEN]);

/*
 * Every entry within Hamming distance @max_dist (0..PDQI_MAX_DIST) of @q,
 * each once.  *ret_total is how many there are; the first min(total, @cap)
 * of them, nearest first (by distance, then entry), are stored in @out
 * (which may be NULL when @cap is 0).  @path picks the candidate search;
 * all paths give the same answer.  Returns 0, or -EINVAL for a bad
 * @max_dist or @path.
 */
int pdqi_query(const struct pdqi *idx, const uint8_t q[PDQI_HASH_LEN], unsigned int max_dist,
	       enum pdqi_path path, struct pdqi_match *out, size_t cap, size_t *ret_total);

#endif
