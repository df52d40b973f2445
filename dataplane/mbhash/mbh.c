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
 * A flush must run as many kernel steps as its busiest stream has blocks,
 * so with a burst's packets spread unevenly the last steps run with most
 * lanes idle.  When a pass has had at least half as many streams as
 * lanes, and half the lanes or more are idle with nothing waiting, the
 * busy streams' remaining blocks (up to DEFER_STREAM_MAX each, as much as
 * the staging area holds in all) are copied there instead and queued first
 * for the next flush, where other streams fill the lanes beside them.  Two
 * areas take turns: a flush reads the one the previous flush filled and
 * fills the other.  Streams that ended (mbh_end()) are never deferred.
 *
 * With only a stream or two active, lanes would run mostly empty: the
 * single-stream path is faster, and then queueing only costs.  While the
 * previous burst updated no more streams than an algorithm's single-stream
 * threshold (and this one so far neither), a stream with nothing queued for
 * that algorithm has it hashed right in mbh_update(), as OpenSSL would.
 *
 * Between calls no stream is in a lane: its chaining values and cursors
 * are in the stream.  After a full flush the queue holds only the
 * deferred blocks, which are in the context's own memory.
 */
#include "dataplane/mbhash/mbh.h"
#include "dataplane/mbhash/mbh_int.h"

#include <errno.h>
#include <limits.h>
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
	uint32_t burst;        /* the context's burst in which it was last updated */
	unsigned int algos;    /* 0 while the stream is free */
	bool in_ready;         /* on the context's ready list */
	bool ended;            /* mbh_end(): padding queued */
	uint8_t tail_len;      /* bytes in @tail */
	uint8_t tail[MBH_BLOCK];
	uint8_t pad[MBH_ALGO_COUNT][2 * MBH_BLOCK]; /* the final blocks, per algorithm */
};

struct mbh_ctx {
	enum mbh_impl impl;
	const struct mbh_kernel *kernel[MBH_ALGO_COUNT]; /* NULL: single-stream only */
	mbh_single_fn single[MBH_ALGO_COUNT];
	int single_max[MBH_ALGO_COUNT];
	/* Direct hashing (see mbh_update()): an algorithm is hashed at the
	 * update while no more than direct_max[a] streams were updated in
	 * the previous burst and so far in this one. */
	unsigned int direct_max[MBH_ALGO_COUNT];
	unsigned int touched, touched_prev;
	uint32_t burst;

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

	/* Deferral: the staging areas (stage_blocks each; 0: off), the one
	 * this flush fills, and what it deferred. */
	uint8_t *stage[2];
	size_t stage_blocks, stage_used;
	unsigned int stage_cur;
	struct mbh_deferred *deferred;
	unsigned int ndeferred, max_deferred;

	struct mbh_stats stats;

	/* The lanes' chaining values while a pass runs (mbh_int.h layout). */
	_Alignas(64) uint32_t lane_st[MBH_STATE_WORDS_MAX * MBH_LANES_MAX];
};

/* Blocks of one stream and algorithm copied to the staging area. */
struct mbh_deferred {
	struct mbh_stream *s;
	const uint8_t *p;
	size_t nblocks;
	enum mbh_algo a;
};

/* The lanes while a pass runs; the kernel reads and advances ptr[] and
 * left[] (mbh_int.h).  An idle lane has no stream and IDLE blocks left. */
struct mbh_pass {
	enum mbh_algo a;
	unsigned int lanes, active;
	bool changed; /* a lane was loaded or emptied since the idle ones were aliased */
	struct mbh_stream *s[MBH_LANES_MAX];
	int32_t seg[MBH_LANES_MAX];
	const uint8_t *ptr[MBH_LANES_MAX];
	uint32_t left[MBH_LANES_MAX];
};

#define IDLE UINT32_MAX

/*
 * Deferral: at most this many blocks per stream and algorithm (a stream
 * deferred flush after flush is copied again each time, so its backlog
 * must stay small), and only once at most lanes * DEFER_BELOW_NUM /
 * DEFER_BELOW_DEN lanes are busy.  From a sweep (docs/mbhash.md; AVX-512
 * md5, 16 connections, segments from random connections): 64 blocks
 * leave the lanes 54% full, 256 and 1024 79%; deferring at 3/4 busy
 * instead of 1/2 fills them to 80% but copies each block 1.2 to 1.7
 * times, and runs 20% slower.
 */
#define DEFER_STREAM_MAX 256
#define DEFER_BELOW_NUM 1
#define DEFER_BELOW_DEN 2

/* Segments are cut at this many blocks (1 GiB): a lane counts in 32 bits. */
#define SEG_MAX_BLOCKS (1u << 24)

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
		const struct mbh_kernel *k = mbh_impl_kernel(impl, (enum mbh_algo)a);
		int smax = cfg->single_max[a];

		if (smax == MBH_SINGLE_DEFAULT)
			smax = mbh_impl_single_default(impl, (enum mbh_algo)a);
		ctx->single_max[a] = smax < 0 ? -1 : smax;
		ctx->kernel[a] = k && !(smax >= 0 && (unsigned int)smax >= k->lanes) ? k : NULL;
		ctx->direct_max[a] = !ctx->kernel[a] ? UINT_MAX : smax < 0 ? 0 : (unsigned int)smax;
	}
	if (cfg->defer_kib != MBH_DEFER_OFF) {
		size_t kib = cfg->defer_kib > 0 ? (size_t)cfg->defer_kib : MBH_DEFAULT_DEFER_KIB;

		ctx->stage_blocks = kib * 1024 / MBH_BLOCK;
	}
	ctx->max_deferred = ctx->max_streams * MBH_ALGO_COUNT;
	ctx->streams = calloc(ctx->max_streams, sizeof(*ctx->streams));
	ctx->ready = calloc(ctx->max_streams, sizeof(*ctx->ready));
	ctx->segs = calloc(ctx->max_segs, sizeof(*ctx->segs));
	ctx->carry = calloc(ctx->max_segs, sizeof(*ctx->carry));
	ctx->deferred = calloc(ctx->max_deferred, sizeof(*ctx->deferred));
	for (int i = 0; i < 2 && ctx->stage_blocks; i++)
		ctx->stage[i] = aligned_alloc(64, ctx->stage_blocks * MBH_BLOCK);
	if (!ctx->streams || !ctx->ready || !ctx->segs || !ctx->carry || !ctx->deferred ||
	    (ctx->stage_blocks && (!ctx->stage[0] || !ctx->stage[1]))) {
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
	free(ctx->stage[0]);
	free(ctx->stage[1]);
	free(ctx->deferred);
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
	s->ended = false;
	s->burst = ctx->burst - 1;
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
static void lane_load(struct mbh_ctx *ctx, struct mbh_pass *p, unsigned int i, struct mbh_stream *s)
{
	const struct mbh_cursor *c = &s->cur[p->a];
	const struct mbh_seg *g = &ctx->segs[c->seg];

	for (unsigned int w = 0; w < mbh_state_words[p->a]; w++)
		ctx->lane_st[w * p->lanes + i] = s->st[p->a][w];
	p->s[i] = s;
	p->seg[i] = c->seg;
	p->ptr[i] = g->p + c->off * MBH_BLOCK;
	p->left[i] = (uint32_t)(g->nblocks - c->off);
	p->active++;
	p->changed = true;
}

/* Take lane @i's stream out: chaining value and cursor back into it. */
static void lane_store(struct mbh_ctx *ctx, struct mbh_pass *p, unsigned int i)
{
	struct mbh_stream *s = p->s[i];

	for (unsigned int w = 0; w < mbh_state_words[p->a]; w++)
		s->st[p->a][w] = ctx->lane_st[w * p->lanes + i];
	if (p->seg[i] >= 0)
		s->cur[p->a] = (struct mbh_cursor){ .seg = p->seg[i],
						    .off = ctx->segs[p->seg[i]].nblocks - p->left[i] };
	else
		s->cur[p->a] = (struct mbh_cursor){ .seg = -1 };
	p->s[i] = NULL;
	p->left[i] = IDLE;
	p->active--;
	p->changed = true;
}

/* Point the idle lanes at the busy lane with the most blocks left in its
 * run: valid memory for as many steps as the kernel will take (it stops
 * when the first busy lane's run ends), hashed into chaining values that
 * nobody reads, and no branch in the kernel. */
static void lanes_alias_idle(struct mbh_pass *p)
{
	unsigned int j = 0;

	for (unsigned int i = 0; i < p->lanes; i++)
		if (p->s[i] && (!p->s[j] || p->left[i] > p->left[j]))
			j = i;
	for (unsigned int i = 0; i < p->lanes; i++) {
		if (p->s[i])
			continue;
		p->ptr[i] = p->ptr[j];
		p->left[i] = IDLE;
	}
	p->changed = false;
}

/*
 * Copy what lane @i's stream has left (the rest of the run and the
 * segments after it) to the staging area, queue it for the next flush and
 * free the lane.  False, and nothing done, when it does not fit or the
 * stream has ended (its digests are awaited after this flush).
 */
static bool lane_defer(struct mbh_ctx *ctx, struct mbh_pass *p, unsigned int i)
{
	enum mbh_algo a = p->a;
	size_t n = p->left[i], off;
	uint8_t *dst;

	for (int32_t g = seg_next(ctx, p->seg[i], a); g >= 0; g = seg_next(ctx, g, a))
		n += ctx->segs[g].nblocks;
	/* The deferred segments are queued again by mbh_flush(): keep room
	 * for the updates of the next burst. */
	if (p->s[i]->ended || n > DEFER_STREAM_MAX || ctx->stage_used + n > ctx->stage_blocks ||
	    ctx->ndeferred >= ctx->max_deferred || ctx->ndeferred >= ctx->max_segs / 4)
		return false;
	dst = ctx->stage[ctx->stage_cur] + ctx->stage_used * MBH_BLOCK;
	memcpy(dst, p->ptr[i], (size_t)p->left[i] * MBH_BLOCK);
	off = p->left[i];
	for (int32_t g = seg_next(ctx, p->seg[i], a); g >= 0; g = seg_next(ctx, g, a)) {
		memcpy(dst + off * MBH_BLOCK, ctx->segs[g].p, ctx->segs[g].nblocks * MBH_BLOCK);
		off += ctx->segs[g].nblocks;
	}
	ctx->deferred[ctx->ndeferred++] =
		(struct mbh_deferred){ .s = p->s[i], .p = dst, .nblocks = n, .a = a };
	ctx->stage_used += n;
	ctx->stats.deferred_blocks[a] += n;
	p->seg[i] = -1;
	lane_store(ctx, p, i);
	return true;
}

/*
 * One pass of algorithm @a over the ready streams.  With @target NULL it
 * hashes everything queued for @a (or defers some); otherwise it stops as
 * soon as @target has nothing queued for @a, the other streams keeping
 * what they did.
 */
static void run_pass(struct mbh_ctx *ctx, enum mbh_algo a, struct mbh_stream *target)
{
	const struct mbh_kernel *k = ctx->kernel[a];
	struct mbh_pass p = { .a = a };
	unsigned int pos = 0, loaded = 0;
	struct mbh_stream *s;
	bool done = false, deferral = !target && ctx->stage_blocks;

	if (!k) {
		if (target) {
			run_single(ctx, target, a);
			return;
		}
		while ((s = ready_next(ctx, a, &pos, NULL)))
			run_single(ctx, s, a);
		return;
	}
	p.lanes = k->lanes;
	for (unsigned int i = 0; i < p.lanes; i++)
		p.left[i] = IDLE;
	if (target) {
		if (target->cur[a].seg < 0)
			return;
		lane_load(ctx, &p, 0, target);
	}
	for (unsigned int i = 0; i < p.lanes && (s = ready_next(ctx, a, &pos, target)); i++) {
		if (p.s[i])
			continue;
		lane_load(ctx, &p, i, s);
		pos++;
		loaded++;
	}
	while (p.active && !done) {
		unsigned int busy = p.active;
		size_t n;

		if (!ready_next(ctx, a, &pos, target)) {
			if ((int)p.active <= ctx->single_max[a])
				break;
			/* Once per pass: a lane too busy to defer now stays so. */
			if (deferral && 2 * loaded >= p.lanes &&
			    p.active * DEFER_BELOW_DEN <= p.lanes * DEFER_BELOW_NUM) {
				deferral = false;
				for (unsigned int i = 0; i < p.lanes; i++)
					if (p.s[i])
						lane_defer(ctx, &p, i);
				continue;
			}
		}
		if (p.changed && p.active < p.lanes)
			lanes_alias_idle(&p);
		n = k->blocks(ctx->lane_st, p.ptr, p.left);
		ctx->stats.lane_blocks[a] += n * busy;
		ctx->stats.lane_slots[a] += n * p.lanes;
		for (unsigned int i = 0; i < p.lanes; i++) {
			int32_t next;

			if (p.left[i])
				continue;
			/* Lane i's run ended: its stream's next segment, or
			 * the next stream. */
			next = seg_next(ctx, p.seg[i], a);
			p.seg[i] = next;
			if (next >= 0) {
				p.ptr[i] = ctx->segs[next].p;
				p.left[i] = (uint32_t)ctx->segs[next].nblocks;
				/* Idle lanes may point into the run that ended. */
				p.changed = true;
				continue;
			}
			done |= p.s[i] == target;
			lane_store(ctx, &p, i);
			if (!done && (s = ready_next(ctx, a, &pos, target))) {
				lane_load(ctx, &p, i, s);
				pos++;
				loaded++;
			}
		}
	}
	/* Stopped early, or few enough lanes left for the single-stream path. */
	for (unsigned int i = 0; i < p.lanes; i++) {
		if (!p.s[i])
			continue;
		s = p.s[i];
		lane_store(ctx, &p, i);
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
	/* What was deferred goes first in the next flush, from the area just
	 * filled; the next flush fills the other one. */
	for (unsigned int i = 0; i < ctx->ndeferred; i++) {
		const struct mbh_deferred *d = &ctx->deferred[i];

		seg_push(ctx, d->s, d->p, d->nblocks, 1u << d->a);
	}
	ctx->ndeferred = 0;
	ctx->stage_cur ^= 1;
	ctx->stage_used = 0;
	ctx->touched_prev = ctx->touched;
	ctx->touched = 0;
	ctx->burst++;
	return 0;
}

/*
 * Copy @n (< 64) bytes in 8-byte moves, the last one overlapping.  A short
 * memcpy() of variable length is inlined as `rep movsq`, whose start-up
 * cost was a third of mbh_update()'s time.
 */
static inline void copy_small(uint8_t *dst, const uint8_t *src, size_t n)
{
	uint64_t w;

	if (n < 8) {
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
		return;
	}
	for (size_t i = 0; i < n - 8; i += 8) {
		memcpy(&w, src + i, 8);
		memcpy(dst + i, &w, 8);
	}
	memcpy(&w, src + n - 8, 8);
	memcpy(dst + n - 8, &w, 8);
}

/* Make room for @n more segments: a flush when the queue is full, valid
 * since everything queued belongs to the current burst. */
static void queue_room(struct mbh_ctx *ctx, unsigned int n)
{
	if (ctx->nsegs + n <= ctx->max_segs)
		return;
	ctx->stats.queue_full++;
	mbh_flush(ctx);
}

/* The algorithms of @s to hash right away (see the top of this file):
 * few streams lately, and nothing of @s queued for them. */
static unsigned int direct_algos(struct mbh_ctx *ctx, struct mbh_stream *s)
{
	unsigned int direct = 0;

	if (s->burst != ctx->burst) {
		s->burst = ctx->burst;
		ctx->touched++;
	}
	for (int a = 0; a < MBH_ALGO_COUNT; a++)
		if ((s->algos & (1u << a)) && s->cur[a].seg < 0 &&
		    ctx->touched_prev <= ctx->direct_max[a] && ctx->touched <= ctx->direct_max[a])
			direct |= 1u << a;
	return direct;
}

/* Hash @nblocks blocks at @p for the algorithms @algos of @s now. */
static void hash_direct(struct mbh_ctx *ctx, struct mbh_stream *s, unsigned int algos,
			const uint8_t *p, size_t nblocks)
{
	for (int a = 0; a < MBH_ALGO_COUNT && nblocks; a++) {
		if (!(algos & (1u << a)))
			continue;
		ctx->single[a](s->st[a], p, nblocks);
		ctx->stats.single_blocks[a] += nblocks;
	}
}

int mbh_update(struct mbh_ctx *ctx, struct mbh_stream *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	unsigned int direct, queued;
	size_t nblocks;

	if (s->ended)
		return -EINVAL;
	if (!len)
		return 0;
	s->len += len;
	/* Before the choice below: a flush may defer blocks of @s. */
	queue_room(ctx, 2);
	direct = direct_algos(ctx, s);
	queued = s->algos & ~direct;
	if (s->tail_len) {
		size_t n = MBH_BLOCK - s->tail_len;

		if (len < n) {
			copy_small(s->tail + s->tail_len, p, len);
			s->tail_len += (uint8_t)len;
			return 0;
		}
		/* The tail is complete: hashed now, or a block of its own in
		 * the carry area, since the tail buffer takes the next partial
		 * block. */
		copy_small(s->tail + s->tail_len, p, n);
		hash_direct(ctx, s, direct, s->tail, 1);
		if (queued) {
			memcpy(ctx->carry[ctx->ncarry], s->tail, MBH_BLOCK);
			seg_push(ctx, s, ctx->carry[ctx->ncarry++], 1, queued);
		}
		s->tail_len = 0;
		p += n;
		len -= n;
	}
	nblocks = len / MBH_BLOCK;
	hash_direct(ctx, s, direct, p, nblocks);
	while (queued && nblocks) {
		size_t n = nblocks < SEG_MAX_BLOCKS ? nblocks : SEG_MAX_BLOCKS;

		queue_room(ctx, 1);
		seg_push(ctx, s, p, n, queued);
		p += n * MBH_BLOCK;
		len -= n * MBH_BLOCK;
		nblocks -= n;
	}
	p += nblocks * MBH_BLOCK;
	len -= nblocks * MBH_BLOCK;
	s->tail_len = (uint8_t)len;
	copy_small(s->tail, p, len);
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

int mbh_end(struct mbh_ctx *ctx, struct mbh_stream *s)
{
	unsigned int direct;

	if (s->ended)
		return -EINVAL;
	queue_room(ctx, MBH_ALGO_COUNT);
	direct = direct_algos(ctx, s);
	for (int a = 0; a < MBH_ALGO_COUNT; a++) {
		size_t n;

		if (!(s->algos & (1u << a)))
			continue;
		n = pad_blocks(s, (enum mbh_algo)a);
		if (direct & (1u << a))
			hash_direct(ctx, s, 1u << a, s->pad[a], n);
		else
			seg_push(ctx, s, s->pad[a], n, 1u << a);
	}
	s->ended = true;
	return 0;
}

int mbh_final(struct mbh_ctx *ctx, struct mbh_stream *s, struct mbh_digests *ret)
{
	if (!s->ended)
		mbh_end(ctx, s);
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
