/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_stage.h - the PDQ stage: perceptual matching of served images, off
 * the fast path (docs/pdq.md, "The dataplane's PDQ stage").
 *
 * Reads: the jobs the workers' taps queue (pdq_tap.h: a complete image
 * body and its object's event fields), the published set list (as RCU
 * reader of its own) or a fixed one.  Per job: the cache by xxh3-128
 * (pdq_cache.h), on a miss the sandboxed decoder process (pdq_dec.h),
 * then the sets (pdq_match.h).  Writes: match events (events.h, algo
 * "pdq" with distance, quality and variant) through a callback, and the
 * stage-side pdq_* counters.  Every body is zeroed and freed when its job
 * is done.
 *
 * One thread of its own (dp_pdq_stage_start) or driven by hand
 * (dp_pdq_stage_poll, for tests).  The workers never wait for it: a slow
 * stage fills their queues and they skip (pdq_skip_queue_full).
 */
#ifndef HASHWALL_DATAPLANE_PDQ_STAGE_H
#define HASHWALL_DATAPLANE_PDQ_STAGE_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/counters.h"
#include "dataplane/flow.h"
#include "dataplane/pdq/pdq_cache.h"
#include "dataplane/pdq/pdq_config.h"
#include "dataplane/pdq/pdq_dec.h"
#include "dataplane/pdq/pdq_tap.h"
#include "dataplane/sets/set_publish.h"

#define DP_PDQ_TAPS_MAX 64

/* Receives each match event line (with its newline) and the object's flow
 * (for blocked-flow entries only, as dp_worker_event_fn). */
typedef void (*dp_pdq_event_fn)(void *ctx, const char *line, size_t len,
				const struct dp_flow_key *flow);

struct dp_pdq_stage {
	const struct dp_pdq_conf *conf;
	struct dp_pdq_tap *taps[DP_PDQ_TAPS_MAX];
	unsigned int n_taps;
	struct dp_setpub *live;          /* the sets, as RCU reader live_id ... */
	unsigned int live_id;
	const struct dp_setlist *fixed;  /* ... or these (tests) */
	struct dp_pdq_cache cache;
	struct dp_pdq_dec dec;
	struct dp_counters ctr;          /* pdq[] only; others read it relaxed */
	dp_pdq_event_fn event_fn;
	void *event_ctx;
	pthread_t thread;
	bool running;
	int stop;                        /* atomic */
	double spawn_err_at;             /* when a failed start was last logged */
};

/*
 * Set up @st with @conf (outliving it), the decoder at @decoder_path (NULL:
 * conf->decoder, else beside the executable), events to @fn.  Starts no
 * thread or process yet.  Returns 0 or -errno.
 */
int dp_pdq_stage_init(struct dp_pdq_stage *st, const struct dp_pdq_conf *conf,
		      dp_pdq_event_fn fn, void *fn_ctx);

/* Take jobs from @tap too (before the thread starts).  Returns 0 or -ENOSPC. */
int dp_pdq_stage_add_tap(struct dp_pdq_stage *st, struct dp_pdq_tap *tap);

/* Look up the sets @live publishes, as its RCU reader @id (the thread
 * registers itself), or the fixed list @l. */
void dp_pdq_stage_use_live(struct dp_pdq_stage *st, struct dp_setpub *live, unsigned int id);
void dp_pdq_stage_use_list(struct dp_pdq_stage *st, const struct dp_setlist *l);

/* Do every job queued now, tap by tap; returns how many were done. */
unsigned int dp_pdq_stage_poll(struct dp_pdq_stage *st);

/* Run dp_pdq_stage_poll() on a thread of its own until stopped, on the
 * CPUs of @cpus (NULL: the caller's; the decoder process inherits them).
 * Returns 0 or -errno. */
int dp_pdq_stage_start(struct dp_pdq_stage *st, const cpu_set_t *cpus);

/* Stop the thread once every queue is empty (the workers must have
 * stopped queueing, or it stops at the first empty moment). */
void dp_pdq_stage_stop(struct dp_pdq_stage *st);

/* Stop, end the decoder, free; accepts a zeroed @st. */
void dp_pdq_stage_fini(struct dp_pdq_stage *st);

#endif
