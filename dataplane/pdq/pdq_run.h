/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_run.h - the PDQ stage as replay and live mode run it: one tap per
 * worker, the stage thread following the published set list as its own
 * RCU reader, started before the workers and drained after them.
 */
#ifndef HASHWALL_DATAPLANE_PDQ_RUN_H
#define HASHWALL_DATAPLANE_PDQ_RUN_H

#include "dataplane/pdq/pdq_stage.h"
#include "dataplane/pdq/pdq_tap.h"
#include "dataplane/worker.h"

struct dp_pdq_run {
	struct dp_pdq_stage stage;
	struct dp_pdq_tap *taps;
	unsigned int n_taps;
};

/*
 * Set up the stage for @workers workers under @conf (outliving @r), with
 * the sets @live publishes (reader id @reader_id, which @live must have
 * room for) and events to @fn.  Returns 0 or -errno with @err set.
 */
int dp_pdq_run_init(struct dp_pdq_run *r, const struct dp_pdq_conf *conf, unsigned int workers,
		    struct dp_setpub *live, unsigned int reader_id, dp_pdq_event_fn fn,
		    void *fn_ctx, struct hwall_err *err);

/* Worker @k (after dp_worker_init) copies image bodies from now on. */
void dp_pdq_run_attach(struct dp_pdq_run *r, unsigned int k, struct dp_worker *w);

/* Start the stage thread on every online CPU but the @n_busy CPUs of the
 * workers @busy (all of them if that leaves none): decoding must never
 * take a worker's core.  Returns 0 or -errno. */
int dp_pdq_run_start(struct dp_pdq_run *r, const unsigned int *busy, unsigned int n_busy);

/* Once the workers stopped: finish what they queued and stop the thread. */
void dp_pdq_run_stop(struct dp_pdq_run *r);

/* Stop and free; after the workers are finished (dp_worker_fini gives
 * copies back to the taps).  Accepts a zeroed @r. */
void dp_pdq_run_fini(struct dp_pdq_run *r);

#endif
