/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reasm.h - stage 4: TCP reassembly, one direction at a time.
 *
 * Reads: a segment (mbuf, sequence number, flags, payload position) and the
 * direction's reassembly state.  Writes: in-order stream bytes handed to a
 * consumer (the HTTP stage) as pointers into the mbufs, never copied;
 * out-of-order segments are held by taking an mbuf reference, up to a
 * per-direction byte cap and a per-worker (global) byte cap.
 *
 * Rules:
 *  - Bytes before the next expected sequence number were delivered already:
 *    they are trimmed (retransmissions are never hashed twice).  What was
 *    delivered is not kept, so a retransmission that differs from bytes
 *    already delivered cannot be detected; overlaps between bytes still held
 *    and new bytes are compared, and a difference calls ops->conflict (the
 *    object becomes incomplete) and counts seg_overlap_conflict.  The bytes
 *    first received win.
 *  - Sequence numbers compare modulo 2^32 (wraparound).
 *  - When holding a segment would pass the per-direction cap, the hole
 *    before the first held byte is given up: ops->gap() with its length,
 *    counted reasm_gap, and delivery continues after it.
 *  - A hole that the receiver has acknowledged (its ACK reaches the first
 *    held byte, or the FIN) was lost by the capture, not by the network:
 *    nobody will send it again, so it is given up at once (reasm_gap_acked)
 *    instead of waiting for the cap.  The receiver's ACKs reach a
 *    direction through dp_reasm_ack().
 *  - A direction first seen without a SYN (picked up mid-stream) asks
 *    ops->sync() whether a segment starts a message, and is synchronised
 *    there; earlier segments count seg_unsynced.
 *  - FIN: once every byte up to the FIN was delivered, ops->fin().  RST is
 *    the caller's business (the whole connection is given up).
 */
#ifndef HASHWALL_DATAPLANE_REASM_H
#define HASHWALL_DATAPLANE_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/counters.h"

struct rte_mbuf;
struct dp_held;

enum dp_reasm_state {
	DP_REASM_NONE,     /* no SYN and no message start seen yet */
	DP_REASM_OPEN,
	DP_REASM_FIN_SEEN, /* FIN received, bytes before it still missing */
	DP_REASM_CLOSED,   /* every byte up to the FIN delivered */
	DP_REASM_STATE_COUNT
};

/* One direction's state; lives in the flow (24 bytes + a pointer). */
struct dp_reasm_dir {
	struct dp_held *held; /* out-of-order segments, sorted by sequence */
	uint32_t next_seq;    /* next byte to deliver */
	uint32_t fin_seq;     /* sequence number of the FIN */
	uint32_t held_bytes;
	uint32_t isn;         /* sequence number of the SYN, when one was seen */
	uint32_t peer_ack;    /* highest ACK of this direction's bytes the peer sent */
	uint8_t state;        /* enum dp_reasm_state */
	bool midstream;       /* synchronised by ops->sync() */
	bool peer_acked;      /* peer_ack is set */
};

/* The consumer of one direction's bytes. */
struct dp_reasm_ops {
	/* @len in-order bytes starting at sequence @seq, from a segment that
	 * acknowledged @ack.  Return 0, or -1 to give up the connection (reasm
	 * then stops delivering). */
	int (*data)(void *ctx, uint32_t seq, uint32_t ack, const uint8_t *p, uint32_t len);
	/* @len bytes will never come.  Return 0 or -1 as for data. */
	int (*gap)(void *ctx, uint32_t len);
	/* Every byte up to the FIN was delivered. */
	void (*fin)(void *ctx);
	/* Bytes held and bytes received again differ. */
	void (*conflict)(void *ctx);
	/* Direction not synchronised: does a message start at @p (the first
	 * @len contiguous payload bytes; @ack is the segment's ACK)? */
	bool (*sync)(void *ctx, const uint8_t *p, uint32_t len, uint32_t ack);
	/* Optional: the bytes of a held segment that data() got are about to
	 * be freed (its mbuf may be older than the burst), so whoever kept a
	 * pointer to them stops now. */
	void (*unref)(void *ctx);
};

/* One segment as parse found it. */
struct dp_seg_in {
	struct rte_mbuf *m;
	uint32_t seq;
	uint32_t ack;
	uint32_t off; /* payload offset in the frame */
	uint32_t len; /* payload bytes */
	uint8_t flags;
};

/* Per-worker reassembly context: the pool of held-segment records and the
 * global cap.  Only its worker touches it. */
struct dp_reasm {
	struct dp_held *pool;
	struct dp_held *free_list;
	uint64_t held_total;
	uint64_t global_cap; /* bytes held over all flows */
	uint32_t dir_cap;    /* bytes held per direction */
	struct dp_counters *ctr;
};

/*
 * Set up @r with room for @max_held held segments.  Returns 0 or -ENOMEM.
 * @ctr receives the drop counters and must outlive @r.
 */
int dp_reasm_init(struct dp_reasm *r, uint32_t max_held, uint32_t dir_cap, uint64_t global_cap,
		  struct dp_counters *ctr);

/* Free the pool; every direction must have been released.  Accepts a
 * zeroed @r. */
void dp_reasm_fini(struct dp_reasm *r);

/*
 * Feed one segment of direction @d.  Returns 0, or -1 when the consumer gave
 * up the connection.  Takes an mbuf reference for every segment it holds;
 * the caller keeps its own reference and frees the mbuf as usual.
 */
int dp_reasm_segment(struct dp_reasm *r, struct dp_reasm_dir *d, const struct dp_seg_in *s,
		     const struct dp_reasm_ops *ops, void *ctx);

/*
 * The peer acknowledged @d's bytes up to @ack (a segment of the other
 * direction with the ACK flag).  A hole of @d the peer has acknowledged
 * past is given up now (see the rules above).  Returns 0, or -1 when the
 * consumer gave up the connection.
 */
int dp_reasm_ack(struct dp_reasm *r, struct dp_reasm_dir *d, uint32_t ack,
		 const struct dp_reasm_ops *ops, void *ctx);

/* Drop every held segment of @d (their mbuf references) and reset it. */
void dp_reasm_release(struct dp_reasm *r, struct dp_reasm_dir *d);

/* Sequence comparisons modulo 2^32. */
static inline bool dp_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool dp_seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

#endif
