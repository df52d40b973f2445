/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_cache.h - PDQ results by the object's xxh3-128, so that an image
 * served again and again is decoded once.
 *
 * Set-associative: 4 ways a bucket, the bucket chosen by the digest's
 * first bytes (xxh3 is uniform), the oldest way replaced.  A result is
 * the eight dihedral hashes and the quality, or "refused" (a corrupt or
 * over-limit image, or one the decoder died or hung on: served again, it
 * would do so again).  About 300 bytes an entry; owned by the stage
 * thread (no locks).
 */
#ifndef HASHWALL_DATAPLANE_PDQ_CACHE_H
#define HASHWALL_DATAPLANE_PDQ_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hashsync/pdq/pdq.h"

#define DP_PDQ_CACHE_KEY 16 /* xxh3-128, canonical bytes */

struct dp_pdq_cache_val {
	int status; /* 0: hashed; else the refusal (-EINVAL, -ECHILD, ...) */
	struct pdq_result res;
};

struct dp_pdq_cache_ent;

struct dp_pdq_cache {
	struct dp_pdq_cache_ent *ents;
	uint32_t buckets; /* a power of two */
	uint64_t tick;
};

/* A cache of about @entries results (rounded up to 4 x a power of two; 0:
 * no cache, every lookup misses).  Returns 0 or -ENOMEM. */
int dp_pdq_cache_init(struct dp_pdq_cache *c, uint32_t entries);

/* Free @c; accepts a zeroed @c. */
void dp_pdq_cache_fini(struct dp_pdq_cache *c);

/* Copy the result cached for @key to *ret; false when there is none. */
bool dp_pdq_cache_get(struct dp_pdq_cache *c, const uint8_t key[DP_PDQ_CACHE_KEY],
		      struct dp_pdq_cache_val *ret);

/* Remember @val for @key (replacing the bucket's oldest entry). */
void dp_pdq_cache_put(struct dp_pdq_cache *c, const uint8_t key[DP_PDQ_CACHE_KEY],
		      const struct dp_pdq_cache_val *val);

#endif
