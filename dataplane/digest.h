/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * digest.h - stage 7: streaming digests of one object body.
 *
 * Reads: decoded body bytes, straight from the mbufs (no copy).  Writes: the
 * final digests, in common/algo.h's canonical byte order (xxh3-128 as
 * XXH128_canonicalFromHash, big-endian).  xxh3-128 is always computed;
 * the table's OpenSSL EVP digests (md5, sha1, sha256) only when the
 * worker's algorithm mask asks for them (a loaded set holds them, or
 * --hash); perceptual ones never here.  A context is allocated once and
 * reused for object after object.
 *
 * md5 and sha1 go through the worker's multi-buffer context
 * (dataplane/mbhash/mbh.h) when the object is started with one: the body
 * bytes are then queued by pointer and must stay valid until the worker's
 * next mbh_flush() (the end of the burst) or dp_digest_sync().
 */
#ifndef HASHWALL_DATAPLANE_DIGEST_H
#define HASHWALL_DATAPLANE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/algo.h"

struct dp_digest;

/* The digests of one finished object; bit a of @mask set for each algo a. */
struct dp_digests {
	unsigned int mask;
	uint8_t bytes[HWALL_ALGO_COUNT][HWALL_DIGEST_MAX];
};

struct dp_xxh3_impl;
struct mbh_ctx;

/* The xxh3-128 variant this CPU runs (AVX2 when it has it). */
const struct dp_xxh3_impl *dp_digest_xxh3_impl(void);

/* A context; NULL with errno = ENOMEM, or ENOSYS when OpenSSL lacks an
 * EVP digest of the table.  Free with dp_digest_free(). */
struct dp_digest *dp_digest_new(void);

/* Free @d; accepts NULL. */
void dp_digest_free(struct dp_digest *d);

/* Start a new object hashing xxh3-128 and the EVP algorithms in @mask
 * (1u << algo; other bits are ignored).  Returns 0 or -ENOMEM. */
int dp_digest_start(struct dp_digest *d, unsigned int mask);

/*
 * As dp_digest_start(), with md5 and sha1 (when in @mask) on a stream of
 * @mb.  Returns 0, 1 when every stream of @mb was open and OpenSSL hashes
 * this object instead (the caller counts it), or -ENOMEM.
 */
int dp_digest_start_mb(struct dp_digest *d, unsigned int mask, struct mbh_ctx *mb);

/* Stop referencing the body bytes given so far (their buffer is about to
 * be freed before the end of the burst).  Returns 0. */
int dp_digest_sync(struct dp_digest *d);

/* Hash @len more body bytes. */
void dp_digest_update(struct dp_digest *d, const void *data, size_t len);

/*
 * The object's body is all given: queue md5/sha1's padding in the lanes
 * (mbh_end()).  Returns true when md5/sha1 are still to be hashed by the
 * worker's next mbh_flush(): dp_digest_finish() then belongs after that
 * flush (it would run this stream ahead of the others inside the burst),
 * and the body bytes given so far live until then or dp_digest_sync().
 * False when dp_digest_finish() only reads results (no mbhash stream).
 */
bool dp_digest_end(struct dp_digest *d);

/* The object was given up (its body is not whole): drop its md5/sha1
 * stream unhashed (mbh_abort()); dp_digest_finish() then gives the other
 * digests only. */
void dp_digest_abandon(struct dp_digest *d);

/* Finish the object and write every started digest to @ret (an mbhash
 * stream is finished right away, see mbh_final()). */
void dp_digest_finish(struct dp_digest *d, struct dp_digests *ret);

#endif
