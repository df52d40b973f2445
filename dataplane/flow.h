/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flow.h - stage 3: the per-worker flow table.
 *
 * Reads: a parsed packet's addresses and ports.  Writes: finds or creates
 * the connection's struct dp_flow (key normalised so that both directions
 * meet; which side is the server comes from the HTTP port), keeps flows in
 * least-recently-used order, removes flows idle for longer than the
 * timeout, and when the table is full evicts the longest-idle flow (counted
 * flows_evicted).  Each removal calls the owner's callback first, which
 * gives back whatever the flow held (held segments, head buffers, objects).
 *
 * The table is a fixed array of flows (no allocation after creation) with
 * chained buckets; a flow is at most 256 bytes, buffers and digest state are
 * attached only while a head or body is in flight.  One table per worker:
 * no locks.
 */
#ifndef HASHWALL_DATAPLANE_FLOW_H
#define HASHWALL_DATAPLANE_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/http.h"
#include "dataplane/parse.h"
#include "dataplane/reasm.h"

#define DP_FLOW_NONE UINT32_MAX

/* Why a flow leaves the table. */
enum dp_flow_end {
	DP_FLOW_END_CLOSED,  /* FIN both ways or RST */
	DP_FLOW_END_TIMEOUT, /* idle too long */
	DP_FLOW_END_EVICTED, /* table full */
	DP_FLOW_END_FLUSH,   /* end of a capture, or shutdown */
	DP_FLOW_END_REUSED,  /* a new SYN on the same addresses and ports */
	DP_FLOW_END_COUNT
};

struct dp_flow_key {
	uint8_t server[16];
	uint8_t client[16];
	uint16_t server_port;
	uint16_t client_port;
};

struct dp_flow {
	struct dp_flow_key key;
	uint32_t hnext;    /* bucket chain */
	uint32_t lru_prev; /* towards the longest idle */
	uint32_t lru_next;
	uint64_t last_seen; /* ns */
	struct dp_reasm_dir tcp[DP_DIR_COUNT];
	struct dp_http_conn http;
	uint8_t family;     /* 4 or 6 */
	bool in_use;
	bool unusable;      /* given up: packets are counted and ignored */
};

_Static_assert(sizeof(struct dp_flow) <= 256, "a flow must fit in 256 bytes");

typedef void (*dp_flow_remove_fn)(void *ctx, struct dp_flow *f, enum dp_flow_end why);

struct dp_flow_table {
	struct dp_flow *flows;
	uint32_t *buckets;
	uint32_t cap;
	uint32_t bucket_mask;
	uint64_t seed;      /* random per table: bucket positions are not predictable */
	uint32_t count;
	uint32_t free_head; /* chained through hnext */
	uint32_t lru_head;  /* longest idle */
	uint32_t lru_tail;  /* most recent */
	uint64_t idle_ns;
	dp_flow_remove_fn remove_fn;
	void *remove_ctx;
	struct dp_counters *ctr;
};

/*
 * Set up @t for @cap flows (at least 1) that time out after @idle_ns without
 * packets.  @fn is called for every flow that leaves.  Returns 0 or -ENOMEM.
 */
int dp_flow_table_init(struct dp_flow_table *t, uint32_t cap, uint64_t idle_ns,
		       dp_flow_remove_fn fn, void *fn_ctx, struct dp_counters *ctr);

/* Free the arrays (call dp_flow_flush() first).  Accepts a zeroed @t. */
void dp_flow_table_fini(struct dp_flow_table *t);

/* The key of @pkt's connection (server side from pkt->to_server). */
void dp_flow_key_of(const struct dp_pkt *pkt, struct dp_flow_key *ret_key);

/* The flow for @key, or NULL. */
struct dp_flow *dp_flow_lookup(struct dp_flow_table *t, const struct dp_flow_key *key);

/*
 * Add a flow for @key (not present) seen at @now, evicting the longest-idle
 * flow when the table is full.  Never fails when cap >= 1.
 */
struct dp_flow *dp_flow_add(struct dp_flow_table *t, const struct dp_flow_key *key, uint64_t now);

/* Mark @f as seen at @now (most recently used). */
void dp_flow_touch(struct dp_flow_table *t, struct dp_flow *f, uint64_t now);

/* Remove @f, calling the remove callback with @why first. */
void dp_flow_remove(struct dp_flow_table *t, struct dp_flow *f, enum dp_flow_end why);

/* Remove up to @max flows idle since before @now - idle timeout; returns
 * how many were removed. */
uint32_t dp_flow_expire(struct dp_flow_table *t, uint64_t now, uint32_t max);

/* Remove every flow with reason @why. */
void dp_flow_flush(struct dp_flow_table *t, enum dp_flow_end why);

#endif
