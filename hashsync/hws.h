/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws.h - the hash-set store: one read-only, mmap-able file per hash set.
 *
 * A set file holds the digests of one hash set (every algorithm of
 * common/algo.h's table side by side, each in its own slot), each with a
 * category (a small integer such as a hotline's A/B/C) and a reference
 * (the hotline's own numeric entry id).
 * The dataplane maps set files and looks digests up in them; hashwall-set
 * and syncd build them.  The on-disk format is described in
 * docs/set-format.md.
 *
 * Reading: hws_open() maps and validates a file (magic, version, sizes and
 * offsets, checksum, and a perceptual algorithm's near-neighbour index)
 * and does no per-entry work beyond the checksum.  Exact digests are
 * looked up with hws_lookup(); pdq also by distance, hws_lookup_near().  A
 * struct hws_set is immutable, so any number of threads may look up in it
 * at once.  Lookups are bounds-safe even on a crafted file that passes the
 * checksum.
 *
 * Writing: a struct hws_builder collects add and remove operations and
 * writes a new file atomically (temporary file, fsync, rename, fsync of the
 * directory): after a crash the path holds the old file or the new one.
 * For the same algorithm and digest the last operation wins: a later add
 * replaces the category and reference of an earlier one, a remove after an
 * add drops the entry, an add after a remove brings it back.
 */
#ifndef HASHWALL_HASHSYNC_HWS_H
#define HASHWALL_HASHSYNC_HWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/algo.h"
#include "common/errors.h"

#define HWS_ID_MAX 63          /* bytes of a set id, without the NUL */
#define HWS_BULK_MAX 64        /* digests per hws_lookup_bulk() call */

struct hws_set;
struct hws_builder;

/* What a lookup returns for a digest that is in the set. */
struct hws_hit {
	uint32_t ref;
	uint8_t category;
};

/* One entry, as iteration returns it. */
struct hws_entry {
	enum hwall_algo algo;
	uint8_t digest[HWALL_DIGEST_MAX];
	uint8_t category;
	uint32_t ref;
};

/* The header of a set, as hws_info() returns it. */
struct hws_info {
	char id[HWS_ID_MAX + 1];
	uint64_t version;
	int64_t created;  /* unix seconds */
	int64_t expires;  /* unix seconds, 0 = never */
	uint64_t entries; /* over all algorithms */
	uint64_t counts[HWALL_ALGO_COUNT];
	uint64_t aux_bytes[HWALL_ALGO_COUNT]; /* the algorithm's own section: pdq's index */
	uint64_t file_bytes;
};

/*
 * Map and validate the set file at @path.  On success *ret_set owns the
 * mapping; close it with hws_close().  Errors: -ENOENT, -EACCES ... from
 * opening, -EINVAL (with @err saying which check failed) for a bad file.
 */
int hws_open(const char *path, struct hws_set **ret_set, struct hwall_err *err);

/*
 * Validate @len bytes at @buf as a set file and wrap them without copying;
 * @buf must stay valid and unchanged until hws_close().  Used by tests and
 * the fuzzer.  Returns 0 or -EINVAL with @err set.
 */
int hws_open_mem(const void *buf, size_t len, struct hws_set **ret_set, struct hwall_err *err);

/* Unmap and free; accepts NULL. */
void hws_close(struct hws_set *set);

/* Header fields of @set. */
void hws_info(const struct hws_set *set, struct hws_info *ret_info);

/* Number of @algo entries in @set (0 when the set has none). */
uint64_t hws_count(const struct hws_set *set, enum hwall_algo algo);

/*
 * Look up one digest of @algo (hwall_algo_len(algo) bytes).  Returns true and
 * fills *ret_hit (when not NULL) when the digest is in the set.
 */
bool hws_lookup(const struct hws_set *set, enum hwall_algo algo, const uint8_t *digest,
		struct hws_hit *ret_hit);

/*
 * Look up @n (at most HWS_BULK_MAX) digests of @algo at once, prefetching
 * ahead.  Bit i of the result is set when digests[i] is in the set, and
 * then hits[i] (when @hits is not NULL) holds its metadata.
 */
uint64_t hws_lookup_bulk(const struct hws_set *set, enum hwall_algo algo,
			 const uint8_t *const *digests, unsigned int n, struct hws_hit *hits);

/* One entry near a query, as hws_lookup_near() returns it. */
struct hws_near {
	uint8_t digest[HWALL_DIGEST_MAX]; /* the listed entry's hwall_algo_len() bytes */
	uint32_t distance;                /* Hamming distance to the query, in bits */
	uint32_t ref;
	uint8_t category;
};

#define HWS_NEAR_MAX 256 /* entries one hws_lookup_near() call returns at most */

/*
 * The entries of a perceptual algorithm (pdq) within Hamming distance
 * @max_dist (0..256; PDQI_DEFAULT_DIST, 31, is Meta's match threshold) of
 * @digest, through the set's near-neighbour index.  *ret_total is how many
 * there are; the first min(total, @cap, HWS_NEAR_MAX) of them, nearest
 * first (then in digest order), are stored in @out (NULL when @cap is 0).
 * A set without entries of @algo has none.  Allocates nothing; safe from
 * any number of threads.  Returns 0, or -EINVAL for an algorithm that is
 * not perceptual or a @max_dist over 256 (nothing touched then).
 * hws_lookup() still answers the exact question (distance 0).
 */
int hws_lookup_near(const struct hws_set *set, enum hwall_algo algo, const uint8_t *digest,
		    unsigned int max_dist, struct hws_near *out, size_t cap, size_t *ret_total);

/*
 * Call @fn for every entry of @set, algorithm by algorithm, in sorted
 * digest order.  Stops early and returns what @fn returned when non-zero.
 */
int hws_foreach(const struct hws_set *set, int (*fn)(const struct hws_entry *e, void *ctx),
		void *ctx);

/*
 * Read a list file (path, or "-" for stdin): one entry a line,
 * `<algo> <hex> [<category> [<ref>]]`, `#` comments and blank lines allowed
 * (docs/hashwall-set.md).  Calls @fn for each entry in order; a non-zero
 * return from @fn stops the read and is returned.  A bad line returns
 * -EINVAL with @err saying "PATH:LINE: reason".
 */
int hws_list_parse(const char *path, int (*fn)(const struct hws_entry *e, void *ctx), void *ctx,
		   struct hwall_err *err);

/* Whether @id can name a set: 1..HWS_ID_MAX printable ASCII characters,
 * no spaces (so it is one token in a line of text). */
bool hws_id_valid(const char *id);

/*
 * A builder for a set named @id (1..HWS_ID_MAX printable ASCII characters,
 * no spaces) at @version.  Returns NULL with errno set (EINVAL for a bad id,
 * ENOMEM).  created defaults to now, expires to 0 (never).
 */
struct hws_builder *hws_builder_new(const char *id, uint64_t version);

/* Set the created and expires times (unix seconds; expires 0 = never). */
void hws_builder_set_times(struct hws_builder *b, int64_t created, int64_t expires);

/*
 * The mode hws_builder_write() gives the file, exactly (the umask does not
 * apply).  0600 unless set: a hash list is confidential, and its reader is
 * the caller's to name (hashwall-syncd: 0640; hashwall-set build: 0666
 * less the umask, like any file a command creates).
 */
void hws_builder_set_mode(struct hws_builder *b, mode_t mode);

/* Add an entry (see the merge rule above).  Returns 0, -EINVAL, -ENOMEM. */
int hws_builder_add(struct hws_builder *b, enum hwall_algo algo, const uint8_t *digest,
		    uint8_t category, uint32_t ref);

/* Remove an entry if present at write time.  Returns 0, -EINVAL, -ENOMEM. */
int hws_builder_remove(struct hws_builder *b, enum hwall_algo algo, const uint8_t *digest);

/*
 * Add every entry of @set, as if by hws_builder_add() in its order.  When
 * @b has no operations yet, @set becomes its base: its entries are merged
 * in at write time as they are, already sorted, so applying a delta to a
 * large set costs one linear pass instead of a sort.  The base must then
 * stay open until hws_builder_free().
 * Returns 0 or -ENOMEM.
 */
int hws_builder_add_set(struct hws_builder *b, const struct hws_set *set);

/* What a write produced. */
struct hws_write_stats {
	uint64_t entries;    /* written, over all algorithms */
	uint64_t duplicates; /* adds merged into another add of the same digest */
	uint64_t removed;    /* entries dropped by a remove */
	uint64_t absent_removes; /* removes of digests that were not there */
	uint64_t bytes;      /* file size */
};

/*
 * Sort, merge and write the set to @path atomically.  The builder stays
 * usable (more operations may follow and be written again).  Returns 0, or
 * -errno with @err set; on failure @path is untouched and no temporary file
 * is left behind.  @ret_stats may be NULL.
 */
int hws_builder_write(struct hws_builder *b, const char *path, struct hws_write_stats *ret_stats,
		      struct hwall_err *err);

/* Free; accepts NULL. */
void hws_builder_free(struct hws_builder *b);

#endif
