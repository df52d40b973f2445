/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mbh.h - multi-buffer MD5 and SHA-1 across the objects of one worker.
 *
 * Where it sits: the digest stage hands each object's body bytes to a
 * stream of this module instead of one OpenSSL context per object.  MD5 is
 * one serial dependency chain per stream, but a worker has many objects in
 * flight, so the blocks of up to 16 of them are hashed at once in the lanes
 * of a SIMD kernel (AVX-512: 16 lanes, AVX2: 8).  SHA-1 likewise.
 *
 * Reads: body bytes as pointers into the packet buffers of the current
 * burst.  Whole 64-byte blocks are queued by pointer, not copied; only a
 * partial block (< 64 bytes) is copied into the stream.  Writes: the final
 * digests, in canonical byte order (as OpenSSL and md5sum/sha1sum print).
 *
 * The burst contract: a pointer given to mbh_update() is referenced until
 * the next mbh_flush() (or mbh_sync()/mbh_final() of that stream) returns,
 * and never after.  The worker calls mbh_flush() at the end of each burst,
 * before the burst's mbufs are freed.
 *
 * One context per worker, used by that worker only (no locks, no atomics).
 * All memory is allocated by mbh_ctx_new(); nothing is allocated after it.
 * See docs/mbhash.md for the design, the scheduler and measured figures.
 */
#ifndef HASHWALL_DATAPLANE_MBHASH_MBH_H
#define HASHWALL_DATAPLANE_MBHASH_MBH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mbh_algo {
	MBH_MD5,
	MBH_SHA1,
	MBH_ALGO_COUNT
};

#define MBH_MD5_LEN 16
#define MBH_SHA1_LEN 20

/* The kernels a context can run.  AUTO resolves as mbh_impl_resolve() says. */
enum mbh_impl {
	MBH_IMPL_AUTO,
	MBH_IMPL_SCALAR, /* OpenSSL's single-stream block functions (SHA-NI for sha1) */
	MBH_IMPL_AVX2,   /* 8 lanes */
	MBH_IMPL_AVX512, /* 16 lanes */
	MBH_IMPL_COUNT
};

/* The environment variable that forces an implementation for MBH_IMPL_AUTO. */
#define MBH_IMPL_ENV "HASHWALL_MBH_IMPL"

/* Values of mbh_config.single_max[]. */
#define MBH_SINGLE_DEFAULT 0 /* the threshold measured for the implementation */
#define MBH_SINGLE_NEVER (-1) /* always the lanes, even for one stream (tests) */

struct mbh_config {
	enum mbh_impl impl;         /* MBH_IMPL_AUTO (0) unless forced */
	unsigned int max_streams;   /* streams open at once; 0: MBH_DEFAULT_STREAMS */
	unsigned int max_segments;  /* queued pieces between flushes; 0: MBH_DEFAULT_SEGMENTS */
	/*
	 * Per algorithm: when no more streams wait and at most this many are
	 * still in the lanes, they finish on the single-stream path, which is
	 * faster than a mostly empty kernel; and while no more streams than
	 * this were updated in the previous burst (and so far in this one),
	 * the algorithm is hashed right in mbh_update(), nothing queued.
	 * MBH_SINGLE_DEFAULT or MBH_SINGLE_NEVER or a count.
	 */
	int single_max[MBH_ALGO_COUNT];
	/*
	 * KiB of each of the two staging areas that mbh_flush() may copy
	 * the tail of a burst's work into, to hash it in the next flush's
	 * lanes rather than in mostly empty ones now (see mbh_flush());
	 * MBH_DEFER_DEFAULT or MBH_DEFER_OFF or a size.
	 */
	int defer_kib;
};

/* Values of mbh_config.defer_kib. */
#define MBH_DEFER_DEFAULT 0 /* MBH_DEFAULT_DEFER_KIB */
#define MBH_DEFER_OFF (-1)  /* hash everything in the flush it was queued for */

#define MBH_DEFAULT_STREAMS 1024
#define MBH_DEFAULT_SEGMENTS 1024
#define MBH_DEFAULT_DEFER_KIB 128

/* What a context did, for the stats event and telemetry.  Occupancy of
 * the lanes is lane_blocks / lane_slots. */
struct mbh_stats {
	uint64_t lane_blocks[MBH_ALGO_COUNT];   /* blocks hashed in the lanes of a kernel */
	uint64_t lane_slots[MBH_ALGO_COUNT];    /* kernel block steps x lanes */
	uint64_t single_blocks[MBH_ALGO_COUNT]; /* blocks hashed on the single-stream path */
	uint64_t deferred_blocks[MBH_ALGO_COUNT]; /* blocks copied to a staging area by a flush */
	uint64_t flushes;    /* mbh_flush() calls that had blocks queued */
	uint64_t drains;     /* streams run ahead of the flush by mbh_final()/mbh_sync() */
	uint64_t queue_full; /* flushes done inside mbh_update() because the queue was full */
};

/* The digests of one finished stream; only those of its algorithms are written. */
struct mbh_digests {
	uint8_t md5[MBH_MD5_LEN];
	uint8_t sha1[MBH_SHA1_LEN];
};

struct mbh_ctx;
struct mbh_stream;

/* "auto", "scalar", "avx2", "avx512"; "?" when out of range. */
const char *mbh_impl_name(enum mbh_impl impl);

/* Parse an implementation name (exact, lower case); the impl or -EINVAL. */
int mbh_impl_parse(const char *name);

/* True when @impl is compiled in and this CPU (and its OS) can run it. */
bool mbh_impl_supported(enum mbh_impl impl);

/*
 * Resolve @want to the implementation a context will run: AUTO becomes the
 * value of $HASHWALL_MBH_IMPL when it is set, else the best this CPU runs
 * (avx512, then avx2, then scalar).  Returns 0 with *ret_impl set, -EINVAL
 * (the variable names no implementation) or -ENOTSUP (not supported here).
 */
int mbh_impl_resolve(enum mbh_impl want, enum mbh_impl *ret_impl);

/* A context as @cfg says (NULL: all defaults); NULL with errno set to
 * EINVAL, ENOTSUP (as mbh_impl_resolve()) or ENOMEM.  Free with mbh_ctx_free(). */
struct mbh_ctx *mbh_ctx_new(const struct mbh_config *cfg);

/* Free @ctx and every stream of it; accepts NULL.  Queued pointers are dropped. */
void mbh_ctx_free(struct mbh_ctx *ctx);

/* The implementation @ctx runs (never AUTO). */
enum mbh_impl mbh_ctx_impl(const struct mbh_ctx *ctx);

/* The single-stream threshold @ctx uses for @algo (see mbh_config). */
int mbh_ctx_single_max(const struct mbh_ctx *ctx, enum mbh_algo algo);

/* Copy @ctx's counters to @ret. */
void mbh_ctx_stats(const struct mbh_ctx *ctx, struct mbh_stats *ret);

/*
 * Start an object hashed with the algorithms in @algos (bit 1u << algo,
 * at least one).  Returns 0 with *ret_stream set, -EINVAL (no or unknown
 * algorithm) or -ENOSPC (max_streams open).  The stream belongs to @ctx
 * until mbh_final() or mbh_abort().
 */
int mbh_open(struct mbh_ctx *ctx, unsigned int algos, struct mbh_stream **ret_stream);

/*
 * Hash @len more bytes at @data.  Whole blocks are queued by pointer:
 * @data must stay valid until the next mbh_flush() returns (the burst
 * contract above).  When the queue is full the queued blocks are hashed
 * right away, which is valid since all of them belong to this burst.
 * Returns 0, or -EINVAL after mbh_end().
 */
int mbh_update(struct mbh_ctx *ctx, struct mbh_stream *s, const void *data, size_t len);

/*
 * Hash every block queued on @ctx; afterwards no pointer given to
 * mbh_update() is referenced.  The streams with blocks ready are spread
 * over the lanes.  When nothing waits any more and only a few lanes are
 * busy, the streams in them either finish on the single-stream path, or,
 * when the burst had streams enough to fill the lanes, have what is left
 * of their blocks (a bounded amount) copied into the context, to be
 * hashed with the next flush's lanes (or by their mbh_final()).
 * Returns 0.
 */
int mbh_flush(struct mbh_ctx *ctx);

/*
 * Hash the blocks queued for @s now (other streams' queued blocks fill the
 * other lanes and make progress too), so that no pointer given for @s is
 * referenced any more: for callers whose buffer does not outlive the call
 * (a decompressor's output window).  Returns 0.
 */
int mbh_sync(struct mbh_ctx *ctx, struct mbh_stream *s);

/*
 * The object of @s ended: queue its padding, so that the next mbh_flush()
 * hashes its last blocks in the lanes with everyone else's; mbh_final()
 * after that flush only reads the digests.  This is the fast way to end
 * objects in the middle of a burst (finish them after the burst's flush).
 * Returns 0, or -EINVAL when @s has ended already.
 */
int mbh_end(struct mbh_ctx *ctx, struct mbh_stream *s);

/*
 * Finish @s: mbh_end() unless done already, hash what is still queued for
 * it now (as mbh_sync()), and write its digests to @ret.  @s is freed
 * (back to @ctx's pool).  Returns 0.
 */
int mbh_final(struct mbh_ctx *ctx, struct mbh_stream *s, struct mbh_digests *ret);

/* Give up @s without a digest (connection reset, object given up): its
 * queued blocks are dropped and it is freed.  Accepts NULL. */
void mbh_abort(struct mbh_ctx *ctx, struct mbh_stream *s);

/* Bytes given to @s so far. */
uint64_t mbh_stream_len(const struct mbh_stream *s);

#endif
