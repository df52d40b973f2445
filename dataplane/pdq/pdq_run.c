/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_run.c - taps and stage wired for replay and live mode (see
 * pdq_run.h).
 */
#include "dataplane/pdq/pdq_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/errors.h"

int dp_pdq_run_init(struct dp_pdq_run *r, const struct dp_pdq_conf *conf, unsigned int workers,
		    struct dp_setpub *live, unsigned int reader_id, dp_pdq_event_fn fn,
		    void *fn_ctx, struct hwall_err *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (workers > DP_PDQ_TAPS_MAX)
		return hwall_err_set(err, -E2BIG, "pdq: at most %d workers", DP_PDQ_TAPS_MAX);
	rc = dp_pdq_stage_init(&r->stage, conf, fn, fn_ctx);
	if (rc < 0)
		return hwall_err_set(err, rc, "pdq: decoder: %s", hwall_strerror(rc));
	dp_pdq_stage_use_live(&r->stage, live, reader_id);
	r->taps = calloc(workers, sizeof(*r->taps));
	if (!r->taps) {
		dp_pdq_run_fini(r);
		return hwall_err_set(err, -ENOMEM, "pdq: out of memory");
	}
	for (unsigned int k = 0; k < workers; k++) {
		rc = dp_pdq_tap_init(&r->taps[k], conf, NULL);
		if (rc == 0) {
			r->n_taps++;
			rc = dp_pdq_stage_add_tap(&r->stage, &r->taps[k]);
		}
		if (rc < 0) {
			dp_pdq_run_fini(r);
			return hwall_err_set(err, rc, "pdq: worker %u: %s", k, hwall_strerror(rc));
		}
	}
	return 0;
}

void dp_pdq_run_attach(struct dp_pdq_run *r, unsigned int k, struct dp_worker *w)
{
	if (k < r->n_taps)
		dp_pdq_tap_attach(&r->taps[k], w);
}

int dp_pdq_run_start(struct dp_pdq_run *r, const unsigned int *busy, unsigned int n_busy)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	for (long c = 0; c < n && c < CPU_SETSIZE; c++)
		CPU_SET(c, &cpus);
	for (unsigned int i = 0; i < n_busy; i++)
		if (busy[i] < CPU_SETSIZE)
			CPU_CLR(busy[i], &cpus);
	if (CPU_COUNT(&cpus) == 0)
		for (long c = 0; c < n && c < CPU_SETSIZE; c++)
			CPU_SET(c, &cpus);
	return dp_pdq_stage_start(&r->stage, &cpus);
}

void dp_pdq_run_stop(struct dp_pdq_run *r)
{
	dp_pdq_stage_stop(&r->stage);
}

void dp_pdq_run_fini(struct dp_pdq_run *r)
{
	dp_pdq_stage_fini(&r->stage);
	for (unsigned int k = 0; k < r->n_taps; k++)
		dp_pdq_tap_fini(&r->taps[k]);
	free(r->taps);
	memset(r, 0, sizeof(*r));
}
