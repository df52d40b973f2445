/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * evring.c - worker to service event records (see evring.h).
 */
#include "dataplane/live/evring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ring.h>

struct rte_ring *dp_ring_alloc(const char *name, uint32_t size, unsigned int flags)
{
	ssize_t sz = rte_ring_get_memsize(size);
	struct rte_ring *r;

	if (sz < 0)
		return NULL;
	r = aligned_alloc(RTE_CACHE_LINE_SIZE, ((size_t)sz + RTE_CACHE_LINE_SIZE - 1) &
						       ~(size_t)(RTE_CACHE_LINE_SIZE - 1));
	if (r && rte_ring_init(r, name, size, flags) != 0) {
		free(r);
		r = NULL;
	}
	return r;
}

int dp_evring_init(struct dp_evring *er, uint32_t size)
{
	memset(er, 0, sizeof(*er));
	if (size < 64 || size > 65536 || (size & (size - 1)))
		return -EINVAL;
	/* A ring of N slots holds N - 1 pointers: one more slot than records. */
	er->recs = calloc(size, sizeof(*er->recs));
	er->free_ring = dp_ring_alloc("dp_ev_free", size * 2, RING_F_SP_ENQ | RING_F_SC_DEQ);
	er->full_ring = dp_ring_alloc("dp_ev_full", size * 2, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!er->recs || !er->free_ring || !er->full_ring) {
		dp_evring_fini(er);
		return -ENOMEM;
	}
	er->size = size;
	for (uint32_t i = 0; i < size; i++) {
		void *p = &er->recs[i];
		rte_ring_sp_enqueue(er->free_ring, p);
	}
	return 0;
}

void dp_evring_fini(struct dp_evring *er)
{
	free(er->recs);
	free(er->free_ring);
	free(er->full_ring);
	memset(er, 0, sizeof(*er));
}

bool dp_evring_put(struct dp_evring *er, const char *line, size_t len, bool match,
		   const struct dp_flow_key *flow)
{
	void *p;
	struct dp_evrec *rec;

	if (len > sizeof(rec->line) || rte_ring_sc_dequeue(er->free_ring, &p) != 0) {
		er->dropped++;
		return false;
	}
	rec = p;
	memcpy(rec->line, line, len);
	rec->len = (uint32_t)len;
	rec->match = match;
	rec->flow = *flow;
	/* Cannot fail: the full ring has room for every record. */
	rte_ring_sp_enqueue(er->full_ring, p);
	return true;
}

unsigned int dp_evring_take(struct dp_evring *er, struct dp_evrec **out, unsigned int max)
{
	return rte_ring_sc_dequeue_burst(er->full_ring, (void **)out, max, NULL);
}

void dp_evring_release(struct dp_evring *er, struct dp_evrec **recs, unsigned int n)
{
	rte_ring_sp_enqueue_burst(er->free_ring, (void *const *)recs, n, NULL);
}
