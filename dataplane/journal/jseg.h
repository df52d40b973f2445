/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jseg.h - a closed segment of the served-object journal: the records of
 * one period, sorted and indexed by digest (docs/journal.md, "Segments").
 *
 * A closed segment is two files in the journal directory, both 0600:
 *
 *   seg-<start>.idx  the digest index: a set file (docs/set-format.md)
 *                    built by the hws builder, one entry per distinct
 *                    (algorithm, digest) whose reference is the offset of
 *                    its posting list; pdq entries get the set format's
 *                    near-neighbour index for free.
 *   seg-<start>.jrn  header, the records (jrec.h), their offsets, and the
 *                    postings (u32 words: n, then n record ids).
 *
 * The .idx is written first and the .jrn last, each atomically; the .jrn
 * carries the .idx's checksum, so a segment is closed exactly when its
 * .jrn exists and both files agree.  A file whose checksum or structure
 * is wrong is refused with the reason; the journal keeps using the
 * others.  Lookups bound every offset they read, so even a crafted file
 * with a correct checksum cannot make them read outside it.
 */
#ifndef HASHWALL_DATAPLANE_JSEG_H
#define HASHWALL_DATAPLANE_JSEG_H

#include <stddef.h>
#include <stdint.h>

#include "common/algo.h"
#include "common/errors.h"
#include "dataplane/journal/jrec.h"

#define DP_JSEG_MAGIC "HWJRNL\r\n"
#define DP_JSEG_VERSION 1u
#define DP_JSEG_HEADER 128u

struct dp_jseg;
struct hws_set;

/* "<dir>/seg-<start>.<ext>" into @buf; returns -ENAMETOOLONG or 0. */
int dp_jseg_path(char *buf, size_t cap, const char *dir, int64_t start, const char *ext);

/*
 * Write the closed segment of period [@start, @end) holding @recs[0..n)
 * (record i must have id i) into @dir: the .idx, then the .jrn.  Returns
 * 0, or -errno with @err saying which file and why; on failure no .jrn
 * exists (a stale .idx may: the next write replaces it).
 */
int dp_jseg_write(const char *dir, int64_t start, int64_t end, const struct dp_jrec *recs,
		  uint32_t n, struct hwall_err *err);

/* Open and validate the segment of @start in @dir (both files). */
int dp_jseg_open(const char *dir, int64_t start, struct dp_jseg **ret_seg, struct hwall_err *err);

/*
 * Validate a segment from memory: @jrn and @idx must stay valid until
 * dp_jseg_close().  The fuzzer's entry point.  Returns 0 or -EINVAL.
 */
int dp_jseg_open_mem(const void *jrn, size_t jrn_len, const void *idx, size_t idx_len,
		     struct dp_jseg **ret_seg, struct hwall_err *err);

/* Unmap and free; accepts NULL. */
void dp_jseg_close(struct dp_jseg *s);

/* Period and size of @s. */
int64_t dp_jseg_start(const struct dp_jseg *s);
int64_t dp_jseg_end(const struct dp_jseg *s);
uint32_t dp_jseg_records(const struct dp_jseg *s);
uint64_t dp_jseg_bytes(const struct dp_jseg *s); /* both files */

/* Called for each record a lookup finds, with the distance of its digest
 * (0 for exact algorithms); a non-zero return stops the lookup. */
typedef int (*dp_jseg_hit_fn)(void *ctx, const struct dp_jrec *rec, unsigned int distance);

/*
 * Every record of @s with digest @digest of @algo (perceptual algorithms:
 * within Hamming distance @max_dist; ignored for exact ones).  A record
 * the index names but that fails to decode, or an offset out of bounds,
 * is skipped and counted in *ret_bad (when not NULL).  Returns what @fn
 * returned to stop, else 0; -EINVAL for a bad @max_dist.
 */
int dp_jseg_lookup(const struct dp_jseg *s, enum hwall_algo algo, const uint8_t *digest,
		   unsigned int max_dist, dp_jseg_hit_fn fn, void *ctx, uint64_t *ret_bad);

/* Record @id of @s into @ret; -EINVAL when it is out of range or fails
 * to decode. */
int dp_jseg_record(const struct dp_jseg *s, uint32_t id, struct dp_jrec *ret);

#endif
