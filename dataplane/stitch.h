/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stitch.h - part of stage 6 (body): 206 ranges of one representation
 * stitched into a whole-object digest.
 *
 * Reads: each 206 response with a Content-Range, its URL (Host, target)
 * and validator (a strong ETag, else Last-Modified), and its body bytes
 * as they are hashed.  Writes: when ranges of one URL + validator +
 * complete length, on one connection or several, have covered bytes 0 to
 * total-1 in order (each one starting at or before the next byte wanted,
 * overlaps skipped), the digests of the whole, which http.c reports as an
 * extra object (stitched, looked up like any object).
 *
 * Bounded: at most DP_STITCH_MAX entries per worker, each with its own
 * digest state (OpenSSL for md5/sha1: an entry outlives any one flow's
 * mbhash stream); an entry idle for DP_STITCH_IDLE_NS of packet time is
 * dropped when next seen, and when the table is full a new range from byte
 * 0 takes the entry idle longest (stitch_evicted).  A range that does not
 * continue an entry (a later start, another range of it in flight) is not
 * stitched; one that ends incomplete drops its entry (stitch_broken).
 * Entries are found by a 64-bit hash of URL and validator plus the total
 * (a linear scan: a 206 head at a time).
 */
#ifndef HASHWALL_DATAPLANE_STITCH_H
#define HASHWALL_DATAPLANE_STITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/counters.h"
#include "dataplane/digest.h"

#define DP_STITCH_MAX 1024
#define DP_STITCH_IDLE_NS (60ull * 1000000000ull)
#define DP_STITCH_VALIDATOR_MAX 129 /* with the NUL; longer ones are not used */

struct dp_range;

/* One representation being stitched. */
struct dp_stitch_ent {
	uint64_t key;     /* hash of URL and validator */
	uint64_t total;   /* complete length */
	uint64_t next;    /* bytes 0..next-1 are hashed */
	uint64_t last_ns; /* packet time it was last used */
	struct dp_digest *dg;
	bool used;
	bool busy;        /* a range feeding it is in flight */
};

/* A worker's stitching table. */
struct dp_stitch {
	struct dp_stitch_ent *ents; /* DP_STITCH_MAX, allocated at first use */
	struct dp_counters *ctr;
	unsigned int algo_mask;     /* digests besides xxh3-128 */
};

/* The key of @host, @path and @validator (all NUL-terminated). */
uint64_t dp_stitch_key(const char *host, const char *path, const char *validator);

/*
 * A 206 of @r (start, end, known total) of the representation @key begins
 * at packet time @now: the entry it continues, claimed (busy) until
 * dp_stitch_done(), with *ret_skip of its first body bytes already
 * stitched; NULL when it continues none.  A range from byte 0 starts a new
 * entry (or restarts one).
 */
struct dp_stitch_ent *dp_stitch_claim(struct dp_stitch *s, uint64_t key, const struct dp_range *r,
				      uint64_t now, uint64_t *ret_skip);

/* Body bytes of the claiming range, *skip of them first left out. */
void dp_stitch_feed(struct dp_stitch_ent *e, const uint8_t *p, uint32_t len, uint64_t *skip);

/*
 * The claiming range (ending at byte @end) is over: when @complete the
 * entry moves on to @end+1, else it is dropped.  Returns true, with the
 * whole object's digests in *ret and the entry freed, when that reached
 * the total.
 */
bool dp_stitch_done(struct dp_stitch *s, struct dp_stitch_ent *e, bool complete, uint64_t end,
		    struct dp_digests *ret);

/* Free the table (and every entry's digest state); accepts a zeroed @s. */
void dp_stitch_fini(struct dp_stitch *s);

#endif
