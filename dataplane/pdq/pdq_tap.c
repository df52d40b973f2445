/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_tap.c - sniff, copy and hand over image bodies (see pdq_tap.h).
 */
#include "dataplane/pdq/pdq_tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ring.h>

#include "dataplane/live/evring.h"
#include "dataplane/worker.h"
#include "hashsync/pdq/pdq.h"

#define SNIFF_BYTES 12          /* RIFF....WEBP is the longest signature */
#define COPY_FIRST (64u << 10)  /* the first buffer of a copy; doubled as it fills */
#define COPY_KEEP (4u << 20)    /* buffers up to this size are kept for the next body */

static void buf_free(struct dp_pdq_tap *t, uint8_t **buf, size_t len, size_t *cap);

int dp_pdq_tap_init(struct dp_pdq_tap *t, const struct dp_pdq_conf *conf,
		    struct dp_counters *ctr)
{
	memset(t, 0, sizeof(*t));
	if (!conf->copies || conf->queue < 2 || (conf->queue & (conf->queue - 1)))
		return -EINVAL;
	t->conf = conf;
	t->ctr = ctr;
	t->budget = (uint64_t)conf->buffer_mib << 20;
	t->none = (struct dp_pdq_copy){ .sniffed = true, .dead = true, .why = DP_PDQ_pdq_skip_no_buffer };
	t->slots = calloc(conf->copies, sizeof(*t->slots));
	t->jobs = calloc(conf->queue, sizeof(*t->jobs));
	/* A ring of N slots holds N - 1: twice the jobs, as the evring does. */
	t->free_ring = dp_ring_alloc("dp_pdq_free", conf->queue * 2, RING_F_SP_ENQ | RING_F_SC_DEQ);
	t->full_ring = dp_ring_alloc("dp_pdq_full", conf->queue * 2, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!t->slots || !t->jobs || !t->free_ring || !t->full_ring) {
		dp_pdq_tap_fini(t);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < conf->copies; i++) {
		t->slots[i].next_free = t->free_slots;
		t->free_slots = &t->slots[i];
	}
	for (uint32_t i = 0; i < conf->queue; i++)
		rte_ring_sp_enqueue(t->free_ring, &t->jobs[i]);
	return 0;
}

void dp_pdq_tap_fini(struct dp_pdq_tap *t)
{
	struct dp_pdq_job *j;

	while (t->full_ring && (j = dp_pdq_tap_take(t)))
		dp_pdq_tap_done(t, j);
	for (uint32_t i = 0; t->slots && i < t->conf->copies; i++)
		buf_free(t, &t->slots[i].buf, t->slots[i].len, &t->slots[i].cap);
	for (uint32_t i = 0; t->jobs && i < t->conf->queue; i++)
		buf_free(t, &t->jobs[i].buf, 0, &t->jobs[i].cap);
	free(t->slots);
	free(t->jobs);
	free(t->free_ring);
	free(t->full_ring);
	memset(t, 0, sizeof(*t));
}

void dp_pdq_tap_attach(struct dp_pdq_tap *t, struct dp_worker *w)
{
	t->ctr = &w->ctr;
	w->pdq = t;
	w->http.pdq = t;
}

static void held_add(struct dp_pdq_tap *t, int64_t n)
{
	__atomic_fetch_add(&t->held, (uint64_t)n, __ATOMIC_RELAXED);
}

/* Zero and unmap the buffer *@buf of *@cap bytes (@len of them used). */
static void buf_free(struct dp_pdq_tap *t, uint8_t **buf, size_t len, size_t *cap)
{
	if (!*buf)
		return;
	pdq_buf_free(*buf, len);
	held_add(t, -(int64_t)*cap);
	*buf = NULL;
	*cap = 0;
}

/* @c's body is not wanted (any more): its bytes are zeroed now.  The
 * buffer is kept for the next body (pages already faulted in, no munmap
 * and its TLB shootdown on the fast path) unless it is larger than
 * COPY_KEEP. */
static void copy_clear(struct dp_pdq_tap *t, struct dp_pdq_copy *c)
{
	if (c->cap > COPY_KEEP) {
		buf_free(t, &c->buf, c->len, &c->cap);
	} else if (c->len) {
		explicit_bzero(c->buf, c->len);
	}
	c->len = 0;
}

static void copy_kill(struct dp_pdq_tap *t, struct dp_pdq_copy *c, enum dp_pdq_ctr why)
{
	copy_clear(t, c);
	c->dead = true;
	c->why = why;
}

/* Whether @more bytes fit in the budget, after giving back the buffers
 * that idle slots keep if need be. */
static bool room_for(struct dp_pdq_tap *t, size_t more)
{
	if (__atomic_load_n(&t->held, __ATOMIC_RELAXED) + more <= t->budget)
		return true;
	for (struct dp_pdq_copy *f = t->free_slots; f; f = f->next_free)
		buf_free(t, &f->buf, 0, &f->cap);
	return __atomic_load_n(&t->held, __ATOMIC_RELAXED) + more <= t->budget;
}

/* Room for @need bytes in @c: the next power-of-two buffer, within
 * max_bytes and the worker's budget.  Returns false with @c killed. */
static bool copy_room(struct dp_pdq_tap *t, struct dp_pdq_copy *c, size_t need)
{
	size_t cap = c->cap ? c->cap : COPY_FIRST;
	uint8_t *nb;

	if (need > t->conf->max_bytes) {
		copy_kill(t, c, DP_PDQ_pdq_skip_large);
		return false;
	}
	if (need <= c->cap)
		return true;
	while (cap < need)
		cap *= 2;
	if (cap > t->conf->max_bytes)
		cap = t->conf->max_bytes;
	if (!room_for(t, cap - c->cap) || !(nb = pdq_buf_alloc(cap))) {
		copy_kill(t, c, DP_PDQ_pdq_skip_no_buffer);
		return false;
	}
	held_add(t, (int64_t)cap);
	if (c->buf)
		memcpy(nb, c->buf, c->len);
	buf_free(t, &c->buf, c->len, &c->cap);
	c->buf = nb;
	c->cap = cap;
	return true;
}

void dp_pdq_tap_data(struct dp_pdq_tap *t, struct dp_pdq_copy **copy, uint64_t off,
		     const uint8_t *p, uint32_t len)
{
	struct dp_pdq_copy *c = *copy;

	if (!c) {
		if (off != 0 || len == 0 || !dp_pdq_first_byte(p[0]))
			return;
		c = t->free_slots;
		if (!c) {
			*copy = &t->none;
			return;
		}
		t->free_slots = c->next_free;
		c->len = 0;
		c->sniffed = c->dead = false;
		c->why = DP_PDQ_COUNT;
		*copy = c;
	}
	if (c->dead || !copy_room(t, c, c->len + len))
		return;
	memcpy(c->buf + c->len, p, len);
	c->len += len;
	if (!c->sniffed && c->len >= SNIFF_BYTES) {
		c->sniffed = true;
		if (pdq_sniff(c->buf, c->len) == PDQ_FORMAT_UNKNOWN)
			copy_kill(t, c, DP_PDQ_COUNT);
	}
}

/* The job's copies of the object's event fields: nothing points into the
 * worker's pools any more. */
static void job_fill(struct dp_pdq_job *j, const struct dp_event_obj *e,
		     const struct dp_flow_key *flow, bool quiet)
{
	const struct dp_obj *o = e->obj;

	j->quiet = quiet;
	j->ev = *e;
	j->obj = *o;
	j->obj.next_free = NULL;
	j->obj.dg = NULL;
	j->obj.pdq = NULL;
	j->obj.txn = NULL;
	if (o->txn) {
		j->txn = *o->txn;
		j->txn.next = NULL;
		j->obj.txn = &j->txn;
	}
	j->ev.obj = &j->obj;
	j->flow = *flow;
}

void dp_pdq_tap_submit(struct dp_pdq_tap *t, struct dp_pdq_copy *c, bool complete,
		       const struct dp_event_obj *e, const struct dp_flow_key *flow, bool quiet)
{
	struct dp_pdq_job *j;

	/* Not an image, or under 12 bytes: no signature was ever checked
	 * (and min_bytes is more than that). */
	if (!c || !c->sniffed || (c->dead && c->why == DP_PDQ_COUNT))
		return;
	if (!complete)
		t->ctr->pdq[DP_PDQ_pdq_skip_incomplete]++;
	else if (c->dead)
		t->ctr->pdq[c->why]++;
	else if (c->len < t->conf->min_bytes)
		t->ctr->pdq[DP_PDQ_pdq_skip_small]++;
	else if (rte_ring_sc_dequeue(t->free_ring, (void **)&j) != 0)
		t->ctr->pdq[DP_PDQ_pdq_skip_queue_full]++;
	else {
		uint8_t *spare = j->buf;
		size_t spare_cap = j->cap;

		/* The body goes with the job; the job's zeroed buffer (from an
		 * earlier body, or none) becomes the slot's. */
		job_fill(j, e, flow, quiet);
		j->buf = c->buf;
		j->len = c->len;
		j->cap = c->cap;
		c->buf = spare;
		c->cap = spare_cap;
		c->len = 0;
		rte_ring_sp_enqueue(t->full_ring, j);
		t->ctr->pdq[DP_PDQ_pdq_queued]++;
	}
	if (c == &t->none)
		return;
	copy_clear(t, c);
	c->dead = true;
	c->why = DP_PDQ_COUNT;
}

void dp_pdq_tap_put(struct dp_pdq_tap *t, struct dp_pdq_copy **copy)
{
	struct dp_pdq_copy *c = *copy;

	*copy = NULL;
	if (!c || c == &t->none)
		return;
	copy_clear(t, c);
	c->next_free = t->free_slots;
	t->free_slots = c;
}

struct dp_pdq_job *dp_pdq_tap_take(struct dp_pdq_tap *t)
{
	void *j;

	return rte_ring_sc_dequeue(t->full_ring, &j) == 0 ? j : NULL;
}

void dp_pdq_tap_done(struct dp_pdq_tap *t, struct dp_pdq_job *j)
{
	uint8_t *buf = j->buf;
	size_t cap = j->cap;

	(void)t;
	/* The body is zeroed here, by the stage; the buffer itself goes back
	 * to the worker with the job (no munmap off the worker's thread).
	 * The request's host and path are wire bytes, not content, but
	 * nothing of a job outlives it either. */
	if (j->len)
		explicit_bzero(buf, j->len);
	explicit_bzero(j, sizeof(*j));
	j->buf = buf;
	j->cap = cap;
	rte_ring_sp_enqueue(t->free_ring, j);
}
