/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reasm.c - TCP reassembly (see reasm.h for the rules).
 */
#include "dataplane/reasm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dataplane/parse.h"

/* Segments further ahead than this are not from this connection's window
 * (RFC 7323 caps the window at 2^30). */
#define WINDOW_MAX (1u << 30)
#define CMP_CHUNK 256

/* A held out-of-order segment: a reference on its mbuf, no copy. */
struct dp_held {
	struct dp_held *next;
	struct rte_mbuf *m;
	uint32_t seq;
	uint32_t ack;
	uint32_t off;
	uint32_t len;
};

int dp_reasm_init(struct dp_reasm *r, uint32_t max_held, uint32_t dir_cap, uint64_t global_cap,
		  struct dp_counters *ctr)
{
	memset(r, 0, sizeof(*r));
	r->pool = calloc(max_held ? max_held : 1, sizeof(*r->pool));
	if (!r->pool)
		return -ENOMEM;
	for (uint32_t i = 0; i < max_held; i++) {
		r->pool[i].next = r->free_list;
		r->free_list = &r->pool[i];
	}
	r->dir_cap = dir_cap;
	r->global_cap = global_cap;
	r->ctr = ctr;
	return 0;
}

void dp_reasm_fini(struct dp_reasm *r)
{
	free(r->pool);
	r->pool = NULL;
	r->free_list = NULL;
}

static void held_free(struct dp_reasm *r, struct dp_reasm_dir *d, struct dp_held *h)
{
	d->held_bytes -= h->len;
	r->held_total -= h->len;
	rte_pktmbuf_free(h->m);
	h->next = r->free_list;
	r->free_list = h;
}

void dp_reasm_release(struct dp_reasm *r, struct dp_reasm_dir *d)
{
	while (d->held) {
		struct dp_held *h = d->held;
		d->held = h->next;
		held_free(r, d, h);
	}
	memset(d, 0, sizeof(*d));
}

/* Hand @len bytes at @off of @m to the consumer, segment by segment. */
static int deliver(struct dp_reasm_dir *d, const struct rte_mbuf *m, uint32_t ack, uint32_t off,
		   uint32_t len, const struct dp_reasm_ops *ops, void *ctx)
{
	uint32_t seq = d->next_seq;

	d->next_seq += len;
	while (m && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (len && m) {
		uint32_t n = m->data_len - off < len ? m->data_len - off : len;
		if (ops->data(ctx, seq, ack, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n) < 0)
			return -1;
		seq += n;
		len -= n;
		off = 0;
		m = m->next;
	}
	return 0;
}

/* Whether @len bytes at @aoff of @a equal those at @boff of @b. */
static bool same_bytes(const struct rte_mbuf *a, uint32_t aoff, const struct rte_mbuf *b,
		       uint32_t boff, uint32_t len)
{
	uint8_t abuf[CMP_CHUNK], bbuf[CMP_CHUNK];

	while (len) {
		uint32_t n = len < CMP_CHUNK ? len : CMP_CHUNK;
		const void *pa = rte_pktmbuf_read(a, aoff, n, abuf);
		const void *pb = rte_pktmbuf_read(b, boff, n, bbuf);
		if (!pa || !pb || memcmp(pa, pb, n) != 0)
			return false;
		aoff += n;
		boff += n;
		len -= n;
	}
	return true;
}

/* Compare [seq, seq+len) of the new segment with every held segment it
 * overlaps.  Returns true when one held segment covers it entirely. */
static bool check_overlaps(struct dp_reasm *r, const struct dp_reasm_dir *d, const struct rte_mbuf *m,
			   uint32_t off, uint32_t seq, uint32_t len, const struct dp_reasm_ops *ops,
			   void *ctx)
{
	uint32_t end = seq + len;
	bool covered = false, conflict = false;

	for (const struct dp_held *h = d->held; h && dp_seq_lt(h->seq, end); h = h->next) {
		uint32_t hend = h->seq + h->len;
		uint32_t lo = dp_seq_lt(seq, h->seq) ? h->seq : seq;
		uint32_t hi = dp_seq_lt(end, hend) ? end : hend;

		if (!dp_seq_lt(lo, hi))
			continue;
		if (!same_bytes(m, off + (lo - seq), h->m, h->off + (lo - h->seq), hi - lo))
			conflict = true;
		if (dp_seq_leq(h->seq, seq) && dp_seq_leq(end, hend))
			covered = true;
	}
	if (conflict) {
		r->ctr->drop[DP_DROP_seg_overlap_conflict]++;
		ops->conflict(ctx);
	}
	return covered;
}

/* Deliver every held segment that the stream has reached. */
static int drain(struct dp_reasm *r, struct dp_reasm_dir *d, const struct dp_reasm_ops *ops, void *ctx)
{
	while (d->held && dp_seq_leq(d->held->seq, d->next_seq)) {
		struct dp_held *h = d->held;
		uint32_t hend = h->seq + h->len;
		int ret = 0;

		d->held = h->next;
		if (dp_seq_lt(d->next_seq, hend)) {
			uint32_t skip = d->next_seq - h->seq;
			ret = deliver(d, h->m, h->ack, h->off + skip, h->len - skip, ops, ctx);
			if (ops->unref)
				ops->unref(ctx);
		}
		held_free(r, d, h);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Give up the bytes before @to (the first held byte or the new segment),
 * counted as @why. */
static int skip_gap(struct dp_reasm *r, struct dp_reasm_dir *d, uint32_t to, enum dp_drop why,
		    const struct dp_reasm_ops *ops, void *ctx)
{
	uint32_t len = to - d->next_seq;

	r->ctr->drop[why]++;
	d->next_seq = to;
	if (ops->gap(ctx, len) < 0)
		return -1;
	return drain(r, d, ops, ctx);
}

static int hold(struct dp_reasm *r, struct dp_reasm_dir *d, const struct dp_seg_in *s, uint32_t off,
		uint32_t seq, uint32_t len)
{
	struct dp_held *h = r->free_list, **pp = &d->held;

	if (!h || r->held_total + len > r->global_cap) {
		r->ctr->drop[DP_DROP_seg_ooo_no_room]++;
		return 0;
	}
	r->free_list = h->next;
	rte_pktmbuf_refcnt_update(s->m, 1); /* every segment of a chain */
	*h = (struct dp_held){ .m = s->m, .seq = seq, .ack = s->ack, .off = off, .len = len };
	while (*pp && dp_seq_leq((*pp)->seq, seq))
		pp = &(*pp)->next;
	h->next = *pp;
	*pp = h;
	d->held_bytes += len;
	r->held_total += len;
	r->ctr->info[DP_INFO_seg_out_of_order]++;
	return 0;
}

static int add_data(struct dp_reasm *r, struct dp_reasm_dir *d, const struct dp_seg_in *s,
		    uint32_t seq, uint32_t off, uint32_t len, const struct dp_reasm_ops *ops, void *ctx)
{
	for (;;) {
		uint32_t ahead = seq - d->next_seq; /* modulo 2^32 */
		uint32_t behind = d->next_seq - seq;

		if ((int32_t)ahead > 0 && ahead > WINDOW_MAX) {
			r->ctr->drop[DP_DROP_seg_out_of_window]++;
			return 0;
		}
		if ((int32_t)ahead < 0 && behind >= len) {
			r->ctr->drop[DP_DROP_seg_duplicate]++;
			r->ctr->info[DP_INFO_seg_retransmit_bytes] += len;
			return 0;
		}
		if ((int32_t)ahead < 0) { /* starts with bytes already delivered */
			r->ctr->info[DP_INFO_seg_retransmit_bytes] += behind;
			off += behind;
			len -= behind;
			seq = d->next_seq;
			ahead = 0;
		}
		if (check_overlaps(r, d, s->m, off, seq, len, ops, ctx)) {
			r->ctr->drop[DP_DROP_seg_duplicate]++;
			r->ctr->info[DP_INFO_seg_retransmit_bytes] += len;
			return 0;
		}
		if (ahead == 0) {
			if (deliver(d, s->m, s->ack, off, len, ops, ctx) < 0)
				return -1;
			return drain(r, d, ops, ctx);
		}
		if (d->held_bytes + len <= r->dir_cap)
			return hold(r, d, s, off, seq, len);
		/* Over the per-direction cap: give up the first hole, retry. */
		if (skip_gap(r, d, d->held && dp_seq_lt(d->held->seq, seq) ? d->held->seq : seq,
			     DP_DROP_reasm_gap, ops, ctx) < 0)
			return -1;
	}
}

/* Synchronise a direction without a SYN at a message start, or skip. */
static bool try_sync(struct dp_reasm *r, struct dp_reasm_dir *d, const struct dp_seg_in *s,
		     uint32_t seq, const struct dp_reasm_ops *ops, void *ctx)
{
	uint32_t first = s->m->data_len > s->off ? s->m->data_len - s->off : 0;

	if (first > s->len)
		first = s->len;
	if (!ops->sync(ctx, rte_pktmbuf_mtod_offset(s->m, const uint8_t *, s->off), first, s->ack)) {
		r->ctr->drop[DP_DROP_seg_unsynced]++;
		return false;
	}
	d->next_seq = seq;
	d->state = DP_REASM_OPEN;
	d->midstream = true;
	return true;
}

/*
 * The hole before the first held byte (or before the FIN) when the peer
 * acknowledged past it: *ret_to is where it ends.  The ACK must lie within
 * a window ahead of the stream: an ACK from before a pick-up, or garbage,
 * proves nothing.
 */
static bool acked_hole(const struct dp_reasm_dir *d, uint32_t *ret_to)
{
	uint32_t to;

	if (!d->peer_acked || d->state == DP_REASM_NONE || d->state == DP_REASM_CLOSED)
		return false;
	if (d->held)
		to = d->held->seq;
	else if (d->state == DP_REASM_FIN_SEEN)
		to = d->fin_seq;
	else
		return false;
	if (!dp_seq_lt(d->next_seq, to) || !dp_seq_leq(to, d->peer_ack) ||
	    d->peer_ack - d->next_seq > WINDOW_MAX)
		return false;
	*ret_to = to;
	return true;
}

/* Give up every acknowledged hole; ops->fin() when that reaches the FIN. */
static int skip_acked_gaps(struct dp_reasm *r, struct dp_reasm_dir *d,
			   const struct dp_reasm_ops *ops, void *ctx)
{
	uint32_t to;

	while (acked_hole(d, &to))
		if (skip_gap(r, d, to, DP_DROP_reasm_gap_acked, ops, ctx) < 0)
			return -1;
	if (d->state == DP_REASM_FIN_SEEN && d->next_seq == d->fin_seq) {
		d->state = DP_REASM_CLOSED;
		ops->fin(ctx);
	}
	return 0;
}

int dp_reasm_ack(struct dp_reasm *r, struct dp_reasm_dir *d, uint32_t ack,
		 const struct dp_reasm_ops *ops, void *ctx)
{
	/* Only an ACK ahead of the stream, within a window, says anything
	 * (an old one says nothing, a wild one must not stick). */
	if (d->state == DP_REASM_NONE || ack - d->next_seq > WINDOW_MAX)
		return 0;
	if (!d->peer_acked || dp_seq_lt(d->peer_ack, ack)) {
		d->peer_ack = ack;
		d->peer_acked = true;
	}
	return skip_acked_gaps(r, d, ops, ctx);
}

int dp_reasm_segment(struct dp_reasm *r, struct dp_reasm_dir *d, const struct dp_seg_in *s,
		     const struct dp_reasm_ops *ops, void *ctx)
{
	uint32_t seq = s->seq, len = s->len;

	if (s->flags & DP_TCP_SYN) {
		if (d->state == DP_REASM_NONE) {
			d->isn = seq;
			d->next_seq = seq + 1;
			d->state = DP_REASM_OPEN;
		}
		seq++; /* the SYN takes one sequence number */
	}
	if (d->state == DP_REASM_NONE && len > 0 && !try_sync(r, d, s, seq, ops, ctx))
		return 0;
	if (d->state == DP_REASM_NONE)
		return 0;
	if ((s->flags & DP_TCP_FIN) && d->state == DP_REASM_OPEN) {
		d->fin_seq = seq + len;
		d->state = DP_REASM_FIN_SEEN;
	}
	if (len > 0 && d->state != DP_REASM_OPEN && !dp_seq_lt(seq, d->fin_seq)) {
		r->ctr->drop[DP_DROP_seg_after_fin]++;
		return 0;
	}
	if (len > 0 && d->state != DP_REASM_OPEN && dp_seq_lt(d->fin_seq, seq + len))
		len = d->fin_seq - seq;
	if (len > 0 && add_data(r, d, s, seq, s->off, len, ops, ctx) < 0)
		return -1;
	return skip_acked_gaps(r, d, ops, ctx);
}
