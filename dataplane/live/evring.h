/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * evring.h - a worker's event ring: how a live worker hands its event lines
 * to the service thread without locks or waits.
 *
 * Each worker owns one evring: a fixed array of records and two
 * single-producer single-consumer rte_rings of record pointers, "free"
 * (service -> worker) and "full" (worker -> service).  The worker takes a
 * free record, copies the formatted line and the flow's addresses into it
 * and puts it on the full ring; the service thread drains the full ring,
 * writes the records out and gives them back.  When no record is free the
 * worker drops the event and counts it (dropped): a slow disk or controld
 * never stalls packet processing.
 *
 * The flow's addresses travel with a match only for the ingest socket
 * (blocked-flow entries, docs/ingest-protocol.md); they are never written
 * to a log.
 */
#ifndef HASHWALL_DATAPLANE_EVRING_H
#define HASHWALL_DATAPLANE_EVRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/events.h"
#include "dataplane/flow.h"

struct rte_ring;

struct dp_evrec {
	uint32_t len;  /* bytes of line, with its newline */
	bool match;    /* a match event (else an object event) */
	struct dp_flow_key flow;
	char line[DP_EVENT_MAX];
};

struct dp_evring {
	struct dp_evrec *recs;
	struct rte_ring *free_ring, *full_ring;
	uint32_t size;
	uint64_t dropped; /* written by the worker only */
};

/* An rte_ring of @size slots (a power of two) with rte_ring_init @flags in
 * ordinary memory (no EAL needed); free() it.  NULL when out of memory. */
struct rte_ring *dp_ring_alloc(const char *name, uint32_t size, unsigned int flags);

/*
 * Set up @er with @size records (a power of two, 64..65536).  Works
 * without the EAL (the rings live in ordinary memory).  Returns 0,
 * -EINVAL or -ENOMEM.
 */
int dp_evring_init(struct dp_evring *er, uint32_t size);

/* Free everything; accepts a zeroed @er. */
void dp_evring_fini(struct dp_evring *er);

/*
 * Worker side: queue one event line (with its newline) with its flow.
 * Returns true, or false when no record was free (counted in dropped).
 */
bool dp_evring_put(struct dp_evring *er, const char *line, size_t len, bool match,
		   const struct dp_flow_key *flow);

/* Service side: up to @max full records into @out; give each back with
 * dp_evring_release() once written. */
unsigned int dp_evring_take(struct dp_evring *er, struct dp_evrec **out, unsigned int max);
void dp_evring_release(struct dp_evring *er, struct dp_evrec **recs, unsigned int n);

#endif
