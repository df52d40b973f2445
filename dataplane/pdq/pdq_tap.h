/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_tap.h - the fast path's side of the PDQ stage: sniff response bodies,
 * copy image bodies, hand complete ones over (docs/pdq.md, "The dataplane's
 * PDQ stage").
 *
 * Reads: decoded body bytes as the HTTP stage passes them to the digest
 * stage (http.c calls dp_pdq_tap_data() and dp_pdq_tap_put()), and each
 * finished object with its event fields (worker.c calls
 * dp_pdq_tap_submit()).  Writes: jobs (the body, the object's event fields,
 * its flow) on a bounded single-producer single-consumer queue that the
 * PDQ stage (pdq_stage.h) drains, and the worker-side pdq_* counters.
 *
 * A body is copied only when its first bytes are a JPEG, PNG, WebP or GIF
 * signature (Content-Type is never trusted), at most max_bytes of it, into
 * anonymous memory kept out of core dumps; a body's bytes are zeroed as
 * soon as it is done with, and the buffers (up to 1 MiB) are reused, so
 * that the fast path neither faults pages in nor unmaps them per body.  Per
 * worker at most `copies` bodies are copied at once and `buffer_mib` bytes
 * are held (copies and queued bodies together).  A full queue, no copy
 * slot or no buffer room skips the body and counts it: the worker never
 * waits.  One tap per worker, used by that worker only, except that the
 * stage takes jobs and gives them back (dp_pdq_tap_take/done) and the
 * held-bytes count is shared (atomic).
 */
#ifndef HASHWALL_DATAPLANE_PDQ_TAP_H
#define HASHWALL_DATAPLANE_PDQ_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/events.h"
#include "dataplane/flow.h"
#include "dataplane/http.h"
#include "dataplane/pdq/pdq_config.h"

struct rte_ring;
struct dp_worker;

/* One body being copied (an object's o->pdq). */
struct dp_pdq_copy {
	struct dp_pdq_copy *next_free;
	uint8_t *buf;
	size_t len, cap;
	bool sniffed;       /* the signature was checked: an image */
	bool dead;          /* not copied further; counted as why at the end */
	enum dp_pdq_ctr why; /* DP_PDQ_COUNT: not an image (not counted) */
};

/* A complete image body and what its events need, queued for the stage. */
struct dp_pdq_job {
	uint8_t *buf;     /* pdq_buf_alloc()ed, cap bytes; the stage zeroes the body and
			   * gives the buffer back with the job (reused, never unmapped
			   * off the worker's thread) */
	size_t len, cap;
	bool quiet;       /* no events (replay's timing passes) */
	struct dp_event_obj ev; /* ev.obj = &obj */
	struct dp_obj obj;      /* obj.txn = &txn or NULL; obj.dg NULL */
	struct dp_txn txn;
	struct dp_flow_key flow;
};

struct dp_pdq_tap {
	const struct dp_pdq_conf *conf;
	struct dp_counters *ctr;
	struct dp_pdq_copy *slots, *free_slots;
	struct dp_pdq_copy none; /* o->pdq of an image body without a slot */
	struct dp_pdq_job *jobs;
	struct rte_ring *free_ring, *full_ring;
	uint64_t budget; /* bytes */
	uint64_t held;   /* atomic: bytes of the buffers of the slots and jobs */
};

/*
 * Set up @t with @conf (copies, buffer_mib, queue, min/max_bytes; must
 * outlive @t), counting into @ctr (or the worker's: dp_pdq_tap_attach).
 * Returns 0, -EINVAL or -ENOMEM.
 */
int dp_pdq_tap_init(struct dp_pdq_tap *t, const struct dp_pdq_conf *conf,
		    struct dp_counters *ctr);

/* Free everything, queued bodies too (zeroed); the stage must no longer
 * take from @t.  Accepts a zeroed @t. */
void dp_pdq_tap_fini(struct dp_pdq_tap *t);

/* Make @w copy image bodies into @t, counting in w->ctr (after
 * dp_worker_init(); @t must outlive @w's use of it). */
void dp_pdq_tap_attach(struct dp_pdq_tap *t, struct dp_worker *w);

/*
 * @len body bytes at @p, at body offset @off, of the object whose copy
 * state is *@copy (NULL before the first bytes).  At offset 0 a body whose
 * first byte can start a signature gets a copy slot; the signature itself
 * is checked once 12 bytes are in.  Never fails: what cannot be copied is
 * marked and counted when the object ends.
 */
void dp_pdq_tap_data(struct dp_pdq_tap *t, struct dp_pdq_copy **copy, uint64_t off,
		     const uint8_t *p, uint32_t len);

/*
 * The object that @copy belongs to ended: when @complete (every byte in
 * order, not a 206) queue its body with @e's fields (the object, server,
 * client pseudonym; @e->obj's request is copied) and @flow, else count it.
 * @quiet: the stage hashes it but reports nothing.  The copy keeps no
 * buffer afterwards.
 */
void dp_pdq_tap_submit(struct dp_pdq_tap *t, struct dp_pdq_copy *copy, bool complete,
		       const struct dp_event_obj *e, const struct dp_flow_key *flow, bool quiet);

/* Give back *@copy (what its buffer still holds is zeroed); *@copy becomes
 * NULL. */
void dp_pdq_tap_put(struct dp_pdq_tap *t, struct dp_pdq_copy **copy);

/* Stage side: the oldest queued job, or NULL. */
struct dp_pdq_job *dp_pdq_tap_take(struct dp_pdq_tap *t);

/* Stage side: @j is done: its body is zeroed, the job (with its buffer)
 * goes back to the worker. */
void dp_pdq_tap_done(struct dp_pdq_tap *t, struct dp_pdq_job *j);

/* Whether the first byte @c can begin a signature this stage copies. */
static inline bool dp_pdq_first_byte(uint8_t c)
{
	return c == 0xff || c == 0x89 || c == 'R' || c == 'G';
}

#endif
