/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mbh.c - the mbhash job manager: streams, the queue of block runs, and the
 * scheduler that feeds the lanes of a kernel (see mbh.h for the contract,
 * docs/mbhash.md for the design).
 *
 * mbh_update() queues each run of whole blocks as a segment {pointer,
 * count} chained to its stream; a partial block is copied into the stream
 * and, once completed by a later update, into a per-context carry block
 * that is queued like any other segment.  A pass hashes one algorithm: it
 * puts the streams with queued blocks into the lanes, runs the kernel for
 * as many blocks as the shortest lane has left in its segment, moves lanes
 * on to their stream's next segment or to the next waiting stream, and when
 * nothing waits and only a few lanes are still busy, finishes those on the
 * single-stream path.  Each stream keeps a cursor per algorithm, so md5 and
 * sha1 read the same segments in passes of their own.
 *
 * Between calls no stream is in a lane: its chaining values and cursors
 * are in the stream.  After a full flush the queue and the carry blocks
 * are empty.
 */
#include "dataplane/mbhash/mbh.h"
#include "dataplane/mbhash/mbh_kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A run of whole blocks of one stream, in the order they were given. */
struct mbh_seg {
	const uint8_t *p;
	size_t nblocks;
	int32_t next;      /* the stream's next segment; -1: none (yet) */
	unsigned int algos; /* the algorithms that hash it (padding is per algorithm) */
};

/* Where an algorithm is in its stream's chain: block @off of segment @seg. */
struct mbh_cursor {
	int32_t seg; /* -1: nothing queued for this algorithm */
	size_t off;
};

struct mbh_stream {
	uint32_t st[MBH_ALGO_COUNT][MBH_STATE_WORDS_MAX]; /* chaining values */
	struct mbh_cursor cur[MBH_ALGO_COUNT];
	uint64_t len;          /* bytes given */
	int32_t last;          /* last queued segment; -1: none since the last flush */
	int32_t next_free;     /* free list of the context's pool */
	unsigned int algos;    /* 0 while the stream is free */
	bool in_ready;         /* on the context's ready list */
	uint8_t tail_len;      /* bytes in @tail */
	uint8_t tail[MBH_BLOCK];
	uint8_t pad[MBH_ALGO_COUNT][2 * MBH_BLOCK]; /* the final blocks, per algorithm */
};

struct mbh_ctx {
	enum mbh_impl impl;
	const struct mbh_kernel *kernel[MBH_ALGO_COUNT]; /* NULL: single-stream only */
	mbh_single_fn single[MBH_ALGO_COUNT];
	int single_max[MBH_ALGO_COUNT];

	struct mbh_stream *streams;
	unsigned int max_streams;
	int32_t free_head;

	/* Streams with queued segments, in the order they first queued one. */
	struct mbh_stream **ready;
	unsigned int nready;

	struct mbh_seg *segs;
	unsigned int nsegs, max_segs;
	uint8_t (*carry)[MBH_BLOCK];
	unsigned int ncarry;

	struct mbh_stats stats;

	/* The lanes' chaining values while a pass runs (mbh_kernel.h layout). */
	_Alignas(64) uint32_t lane_st[MBH_STATE_WORDS_MAX * MBH_LANES_MAX];
};

/* One lane while a pass runs: whose blocks, and what is left of the segment. */
struct mbh_lane {
	struct mbh_stream *s;
	const uint8_t *p;
	size_t left;
	int32_t seg;
};

/*
 * Streams at or below which the single-stream path beats a kernel's
 * mostly empty lanes, per implementation and algorithm.  Measured with
 * tests/bench/dataplane/bench_mbhash.c (the "crossover" lines) on the
 * machine of docs/mbhash.md; a value of at least the kernel's lane count
 * means the kernel never wins and is not used.
 */
static const int single_default[MBH_IMPL_COUNT][MBH_ALGO_COUNT] = {
	[MBH_IMPL_AVX2] = { [MBH_MD5] = 1, [MBH_SHA1] = 8 },
	[MBH_IMPL_AVX512] = { [MBH_MD5] = 1, [MBH_SHA1] = 4 },
};

static const char *const impl_names[MBH_IMPL_COUNT] = {
	[MBH_IMPL_AUTO] = "auto",
	[MBH_IMPL_SCALAR] = "scalar",
	[MBH_IMPL_AVX2] = "avx2",
	[MBH_IMPL_AVX512] = "avx512",
};

const char *mbh_impl_name(enum mbh_impl impl)
{
	return (unsigned int)impl < MBH_IMPL_COUNT ? impl_names[impl] : "?";
}

int mbh_impl_parse(const char *name)
{
	for (int i = 0; i < MBH_IMPL_COUNT; i++)
		if (strcmp(name, impl_names[i]) == 0)
			return i;
	return -EINVAL;
}

bool mbh_impl_supported(enum mbh_impl impl)
{
	switch (impl) {
	case MBH_IMPL_SCALAR:
		return true;
#ifdef MBH_HAVE_AVX2
	case MBH_IMPL_AVX2:
		return __builtin_cpu_supports("avx2");
#endif
#ifdef MBH_HAVE_AVX512
	case MBH_IMPL_AVX512:
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vl");
#endif
	default:
		return false;
	}
}

int mbh_impl_resolve(enum mbh_impl want, enum mbh_impl *ret_impl)
{
	const char *env;
	int r;

	if (want == MBH_IMPL_AUTO && (env = getenv(MBH_IMPL_ENV)) && *env) {
		if ((r = mbh_impl_parse(env)) < 0)
			return r;
		want = (enum mbh_impl)r;
	}
	if (want == MBH_IMPL_AUTO) {
		want = mbh_impl_supported(MBH_IMPL_AVX512) ? MBH_IMPL_AVX512 :
		       mbh_impl_supported(MBH_IMPL_AVX2)   ? MBH_IMPL_AVX2 :
							     MBH_IMPL_SCALAR;
	}
	if ((unsigned int)want >= MBH_IMPL_COUNT)
		return -EINVAL;
	if (!mbh_impl_supported(want))
		return -ENOTSUP;
	*ret_impl = want;
	return 0;
}

/* The kernel @impl has for @algo; NULL for the scalar implementation. */
static const struct mbh_kernel *impl_kernel(enum mbh_impl impl, enum mbh_algo algo)
{
	switch (impl) {
#ifdef MBH_HAVE_AVX2
	case MBH_IMPL_AVX2:
		return algo == MBH_MD5 ? &mbh_md5_avx2 : &mbh_sha1_avx2;
#endif
#ifdef MBH_HAVE_AVX512
	case MBH_IMPL_AVX512:
		return algo == MBH_MD5 ? &mbh_md5_avx512 : &mbh_sha1_avx512;
#endif
	default:
		(void)algo;
		return NULL;
	}
}

struct mbh_ctx *mbh_ctx_new(const struct mbh_config *cfg)
{
	static const struct mbh_config defaults;
	struct mbh_ctx *ctx;
	enum mbh_impl impl;
	int r;

	if (!cfg)
		cfg = &defaults;
	if ((r = mbh_impl_resolve(cfg->impl, &impl)) < 0) {
		errno = -r;
		return NULL;
	}
	ctx = aligned_alloc(64, (sizeof(*ctx) + 63) & ~(size_t)63);
	if (!ctx) {
		errno = ENOMEM;
		return NULL;
	}
	memset(ctx, 0, sizeof(*ctx));
	ctx->impl = impl;
	ctx->max_streams = cfg->max_streams ? cfg->max_streams : MBH_DEFAULT_STREAMS;
	ctx->max_segs = cfg->max_segments ? cfg->max_segments : MBH_DEFAULT_SEGMENTS;
	/* An update queues at most two segments, one of them a carry block. */
	if (ctx->max_segs < 2 || ctx->max_streams > INT32_MAX || ctx->max_segs > INT32_MAX) {
		free(ctx);
		errno = EINVAL;
		return NULL;
	}
	ctx->single[MBH_MD5] = mbh_md5_single;
	ctx->single[MBH_SHA1] = mbh_sha1_single;
	for (int a = 0; a < MBH_ALGO_COUNT; a++) {
		const struct mbh_kernel *k = impl_kernel(impl, (enum mbh_algo)a);
		int smax = cfg->single_max[a] == MBH_SINGLE_DEFAULT ? single_default[impl][a] :
								       cfg->single_max[a];

		ctx->single_max[a] = smax < 0 ? -1 : smax;
		ctx->kernel[a] = k && !(smax >= 0 && (unsigned int)smax >= k->lanes) ? k : NULL;
	}
	ctx->streams = calloc(ctx->max_streams, sizeof(*ctx->streams));
	ctx->ready = calloc(ctx->max_streams, sizeof(*ctx->ready));
	ctx->segs = calloc(ctx->max_segs, sizeof(*ctx->segs));
	ctx->carry = calloc(ctx->max_segs, sizeof(*ctx->carry));
	if (!ctx->streams || !ctx->ready || !ctx->segs || !ctx->carry) {
		mbh_ctx_free(ctx);
		errno = ENOMEM;
		return NULL;
	}
	for (unsigned int i = 0; i < ctx->max_streams; i++)
		ctx->streams[i].next_free = i + 1 < ctx->max_streams ? (int32_t)i + 1 : -1;
	ctx->free_head = 0;
	return ctx;
}

void mbh_ctx_free(struct mbh_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->carry);
	free(ctx->segs);
	free(ctx->ready);
	free(ctx->streams);
	free(ctx);
}

enum mbh_impl mbh_ctx_impl(const struct mbh_ctx *ctx)
{
	return ctx->impl;
}

int mbh_ctx_single_max(const struct mbh_ctx *ctx, enum mbh_algo algo)
{
	return ctx->single_max[algo];
}

void mbh_ctx_stats(const struct mbh_ctx *ctx, struct mbh_stats *ret)
{
	*ret = ctx->stats;
}

uint64_t mbh_stream_len(const struct mbh_stream *s)
{
	return s->len;
}

int mbh_open(struct mbh_ctx *ctx, unsigned int algos, struct mbh_stream **ret_stream)
{
	struct mbh_stream *s;

	if (!algos || algos >> MBH_ALGO_COUNT)
		return -EINVAL;
	if (ctx->free_head < 0)
		return -ENOSPC;
	s = &ctx->streams[ctx->free_head];
	ctx->free_head = s->next_free;
	memcpy(s->st[MBH_MD5], mbh_md5_iv, sizeof(mbh_md5_iv));
	memcpy(s->st[MBH_SHA1], mbh_sha1_iv, sizeof(mbh_sha1_iv));
	for (int a = 0; a < MBH_ALGO_COUNT; a++)
		s->cur[a] = (struct mbh_cursor){ .seg = -1 };
	s->len = 0;
	s->last = -1;
	s->algos = algos;
	s->in_ready = false;
	s->tail_len = 0;
	*ret_stream = s;
	return 0;
}

/* Take @s off the ready list (keeping the others' order) and free it. */
static void stream_free(struct mbh_ctx *ctx, struct mbh_stream *s)
{
	if (s->in_ready) {
		for (unsigned int i = 0; i < ctx->nready; i++) {
			if (ctx->ready[i] == s) {
				memmove(&ctx->ready[i], &ctx->ready[i + 1],
					(ctx->nready - i - 1) * sizeof(*ctx->ready));
				ctx->nready--;
				break;
			}
		}
	}
	s->algos = 0;
	s->in_ready = false;
	s->next_free = ctx->free_head;
	ctx->free_head = (int32_t)(s - ctx->streams);
}

void mbh_abort(struct mbh_ctx *ctx, struct mbh_stream *s)
{
	if (!s)
		return;
	/* Its segments stay in the queue, unreachable: nothing reads them. */
	stream_free(ctx, s);
}

/* Queue @nblocks blocks at @p for the algorithms @algos of @s. */
static void seg_push(struct mbh_ctx *ctx, struct mbh_stream *s, const uint8_t *p, size_t nblocks,
		     unsigned int algos)
{
	int32_t i = (int32_t)ctx->nsegs++;

	ctx->segs[i] = (struct mbh_seg){ .p = p, .nblocks = nblocks, .next = -1, .algos = algos };
	if (s->last >= 0)
		ctx->segs[s->last].next = i;
	s->last = i;
	for (int a = 0; a < MBH_ALGO_COUNT; a++)
		if ((algos & (1u << a)) && s->cur[a].seg < 0)
			s->cur[a] = (struct mbh_cursor){ .seg = i };
	if (!s->in_ready) {
		ctx->ready[ctx->nready++] = s;
		s->in_ready = true;
	}
}

/* The segment after @seg that @a hashes; -1 when none is queued. */
static int32_t seg_next(const struct mbh_ctx *ctx, int32_t seg, enum mbh_algo a)
{
	do
		seg = ctx->segs[seg].next;
	while (seg >= 0 && !(ctx->segs[seg].algos & (1u << a)));
	return seg;
}

/* Hash what is queued for @a of @s on the single-stream path. */
static void run_single(struct mbh_ctx *ctx, struct mbh_stream *s, enum mbh_algo a)
{
	struct mbh_cursor *c = &s->cur[a];

	while (c->seg >= 0) {
		const struct mbh_seg *g = &ctx->segs[c->seg];
		size_t n = g->nblocks - c->off;

		ctx->single[a](s->st[a], g->p + c->off * MBH_BLOCK, n);
		ctx->stats.single_blocks[a] += n;
		*c = (struct mbh_cursor){ .seg = seg_next(ctx, c->seg, a) };
	}
}

/* The next stream on the ready list from *pos with blocks queued for @a,
 * other than @skip; NULL when there is none.  *pos moves past it. */
static struct mbh_stream *ready_next(struct mbh_ctx *ctx, enum mbh_algo a, unsigned int *pos,
				     const struct mbh_stream *skip)
{
	while (*pos < ctx->nready) {
		struct mbh_stream *s = ctx->ready[*pos];

		if (s != skip && s->cur[a].seg >= 0)
			return s;
		(*pos)++;
	}
	return NULL;
}

/* Put @s into lane @i: its chaining value and where its blocks are. */
static void lane_load(struct mbh_ctx *ctx, unsigned int lanes, struct mbh_lane *l, unsigned int i,
		      struct mbh_stream *s, enum mbh_algo a)
{
	const struct mbh_seg *g = &ctx->segs[s->cur[a].seg];

	for (unsigned int w = 0; w < mbh_state_words[a]; w++)
		ctx->lane_st[w * lanes + i] = s->st[a][w];
	l->s = s;
	l->seg = s->cur[a].seg;
	l->p = g->p + s->cur[a].off * MBH_BLOCK;
	l->left = g->nblocks - s->cur[a].off;
}

/* Take lane @i's stream out: chaining value and cursor back into it. */
static void lane_store(struct mbh_ctx *ctx, unsigned int lanes, struct mbh_lane *l, unsigned int i,
		       enum mbh_algo a)
{
	struct mbh_stream *s = l->s;

	for (unsigned int w = 0; w < mbh_state_words[a]; w++)
		s->st[a][w] = ctx->lane_st[w * lanes + i];
	if (l->seg >= 0)
		s->cur[a] = (struct mbh_cursor){ .seg = l->seg,
						 .off = ctx->segs[l->seg].nblocks - l->left };
	else
		s->cur[a] = (struct mbh_cursor){ .seg = -1 };
	l->s = NULL;
}

/*
 * One pass of algorithm @a over the ready streams.  With @target NULL it
 * hashes everything queued for @a; otherwise it stops as soon as @target
 * has nothing queued for @a, the other streams keeping what they did.
 */
static void run_pass(struct mbh_ctx *ctx, enum mbh_algo a, struct mbh_stream *target)
{
	const struct mbh_kernel *k = ctx->kernel[a];
	struct mbh_lane lane[MBH_LANES_MAX] = { { 0 } };
	const uint8_t *ptr[MBH_LANES_MAX];
	unsigned int pos = 0, active = 0, lanes;
	struct mbh_stream *s;
	bool done = false;

	if (!k) {
		if (target) {
			run_single(ctx, target, a);
			return;
		}
		while ((s = ready_next(ctx, a, &pos, NULL)))
			run_single(ctx, s, a);
		return;
	}
	lanes = k->lanes;
	if (target) {
		if (target->cur[a].seg < 0)
			return;
		lane_load(ctx, lanes, &lane[0], 0, target, a);
		active = 1;
	}
	for (unsigned int i = 0; i < lanes && (s = ready_next(ctx, a, &pos, target)); i++) {
		if (lane[i].s)
			continue;
		lane_load(ctx, lanes, &lane[i], i, s, a);
		pos++;
		active++;
	}
	while (active && !done) {
		size_t n = SIZE_MAX;
		const uint8_t *alias = NULL;

		if ((int)active <= ctx->single_max[a] && !ready_next(ctx, a, &pos, target))
			break;
		for (unsigned int i = 0; i < lanes; i++) {
			if (lane[i].s && lane[i].left < n)
				n = lane[i].left;
			if (lane[i].s && !alias)
				alias = lane[i].p;
		}
		/* An idle lane hashes a busy lane's bytes into a chaining
		 * value nobody reads: valid memory for n blocks, no branch
		 * in the kernel. */
		for (unsigned int i = 0; i < lanes; i++)
			ptr[i] = lane[i].s ? lane[i].p : alias;
		k->blocks(ctx->lane_st, ptr, n);
		ctx->stats.lane_blocks[a] += n * active;
		ctx->stats.lane_slots[a] += n * lanes;
		for (unsigned int i = 0; i < lanes; i++) {
			struct mbh_lane *l = &lane[i];

			if (!l->s)
				continue;
			l->p += n * MBH_BLOCK;
			l->left -= n;
			if (l->left)
				continue;
			l->seg = seg_next(ctx, l->seg, a);
			if (l->seg >= 0) {
				l->p = ctx->segs[l->seg].p;
				l->left = ctx->segs[l->seg].nblocks;
				continue;
			}
			done |= l->s == target;
			lane_store(ctx, lanes, l, i, a);
			active--;
			if (!done && (s = ready_next(ctx, a, &pos, target))) {
				lane_load(ctx, lanes, l, i, s, a);
				pos++;
				active++;
			}
		}
	}
	/* Stopped early, or few enough lanes left for the single-stream path. */
	for (unsigned int i = 0; i < lanes; i++) {
		if (!lane[i].s)
			continue;
		s = lane[i].s;
		lane_store(ctx, lanes, &lane[i], i, a);
		if (!done && (!target || s == target))
			run_single(ctx, s, a);
	}
}

int mbh_flush(struct mbh_ctx *ctx)
{
	/* With no stream ready the queue may still hold the segments of
	 * streams that ended or were aborted: emptied all the same. */
	if (ctx->nready) {
		ctx->stats.flushes++;
		for (int a = 0; a < MBH_ALGO_COUNT; a++)
			run_pass(ctx, (enum mbh_algo)a, NULL);
	}
	for (unsigned int i = 0; i < ctx->nready; i++) {
		ctx->ready[i]->last = -1;
		ctx->ready[i]->in_ready = false;
	}
	ctx->nready = 0;
	ctx->nsegs = 0;
	ctx->ncarry = 0;
	return 0;
}

int mbh_update(struct mbh_ctx *ctx, struct mbh_stream *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t nblocks;

	if (!len)
		return 0;
	s->len += len;
	if (ctx->nsegs + 2 > ctx->max_segs) {
		ctx->stats.queue_full++;
		mbh_flush(ctx);
	}
	if (s->tail_len) {
		size_t n = MBH_BLOCK - s->tail_len;

		if (len < n) {
			memcpy(s->tail + s->tail_len, p, len);
			s->tail_len += (uint8_t)len;
			return 0;
		}
		/* The tail is complete: a block of its own in the carry area,
		 * since the tail buffer takes the next partial block. */
		memcpy(ctx->carry[ctx->ncarry], s->tail, s->tail_len);
		memcpy(ctx->carry[ctx->ncarry] + s->tail_len, p, n);
		seg_push(ctx, s, ctx->carry[ctx->ncarry++], 1, s->algos);
		s->tail_len = 0;
		p += n;
		len -= n;
	}
	nblocks = len / MBH_BLOCK;
	if (nblocks)
		seg_push(ctx, s, p, nblocks, s->algos);
	s->tail_len = (uint8_t)(len % MBH_BLOCK);
	memcpy(s->tail, p + nblocks * MBH_BLOCK, s->tail_len);
	return 0;
}

int mbh_sync(struct mbh_ctx *ctx, struct mbh_stream *s)
{
	bool queued = false;

	for (int a = 0; a < MBH_ALGO_COUNT; a++)
		queued |= s->cur[a].seg >= 0;
	if (!queued)
		return 0;
	ctx->stats.drains++;
	for (int a = 0; a < MBH_ALGO_COUNT; a++)
		if (s->algos & (1u << a))
			run_pass(ctx, (enum mbh_algo)a, s);
	return 0;
}

/* Write the padded final block(s) of @a for @s (RFC 1321 section 3.1-3.2,
 * FIPS 180-4 section 5.1.1); returns how many. */
static size_t pad_blocks(struct mbh_stream *s, enum mbh_algo a)
{
	uint8_t *b = s->pad[a];
	size_t n = s->tail_len + 1 + 8 <= MBH_BLOCK ? 1 : 2;
	uint64_t bits = s->len * 8;
	uint8_t *end = b + n * MBH_BLOCK - 8;

	memcpy(b, s->tail, s->tail_len);
	b[s->tail_len] = 0x80;
	memset(b + s->tail_len + 1, 0, (size_t)(end - b) - s->tail_len - 1);
	for (int i = 0; i < 8; i++)
		end[i] = (uint8_t)(a == MBH_MD5 ? bits >> (8 * i) : bits >> (56 - 8 * i));
	return n;
}

int mbh_final(struct mbh_ctx *ctx, struct mbh_stream *s, struct mbh_digests *ret)
{
	/* A full queue would need two more segments per algorithm. */
	if (ctx->nsegs + MBH_ALGO_COUNT > ctx->max_segs) {
		ctx->stats.queue_full++;
		mbh_flush(ctx);
	}
	for (int a = 0; a < MBH_ALGO_COUNT; a++)
		if (s->algos & (1u << a))
			seg_push(ctx, s, s->pad[a], pad_blocks(s, (enum mbh_algo)a), 1u << a);
	mbh_sync(ctx, s);
	if (s->algos & (1u << MBH_MD5))
		for (int w = 0; w < 4; w++)
			for (int i = 0; i < 4; i++)
				ret->md5[4 * w + i] = (uint8_t)(s->st[MBH_MD5][w] >> (8 * i));
	if (s->algos & (1u << MBH_SHA1))
		for (int w = 0; w < 5; w++)
			for (int i = 0; i < 4; i++)
				ret->sha1[4 * w + i] = (uint8_t)(s->st[MBH_SHA1][w] >> (24 - 8 * i));
	stream_free(ctx, s);
	return 0;
}
