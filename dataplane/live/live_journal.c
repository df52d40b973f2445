/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * live_journal.c - the live dataplane's served-object journal: the writer
 * thread, the workers' rings, the hand-over of set loads to the re-check,
 * and the re-check's hits to the service thread (docs/journal.md).
 */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "dataplane/journal/jwriter.h"
#include "dataplane/live/live_run.h"

static const struct dp_flow_key no_flow;

/* A re-check hit to the service thread, which sends it to controld like
 * any match (without a flow: there is no connection). */
static bool emit(void *ctx, const char *line, size_t len)
{
	struct dp_evring *out = ctx;
	uint64_t dropped = out->dropped;
	bool ok = dp_evring_put(out, line, len, true, &no_flow);

	/* Full: the writer tries again, so this is not a drop. */
	if (!ok)
		out->dropped = dropped;
	return ok;
}

/* dp_setpub_load()'s hand-over: the set syncd installed is re-checked. */
static void on_loaded(void *ctx, const struct hws_info *info, const char *path,
		      struct hws_set *replaced)
{
	struct dp_run *run = ctx;
	int r = dp_jwriter_recheck(run->jw, info->id, info->version, path, replaced);

	if (r < 0)
		HWALL_LOG(ERR, "dp.journal", "set %s version %lu: re-check not queued: %s", info->id,
			  (unsigned long)info->version, hwall_strerror(r));
}

int dp_live_journal_start(struct dp_run *run)
{
	const struct dp_lcfg *c = &run->cfg;
	struct dp_jwriter_conf jc = { .pdq_dist = c->journal_pdq_distance, .rings = c->workers,
				      .ring_size = c->journal_ring };
	struct hwall_err err = { { 0 } };
	int r;

	if (!c->journal_dir)
		return 0;
	dp_journal_conf_default(&jc.journal);
	jc.journal.dir = c->journal_dir;
	jc.journal.period = c->journal_period;
	jc.journal.retention = (int64_t)c->journal_retention_days * 86400;
	jc.journal.max_open = c->journal_max_open;
	r = dp_evring_init(&run->jout, 1024);
	if (r == 0)
		r = dp_service_add_ring(&run->svc, &run->jout);
	if (r < 0) {
		HWALL_LOG(ERR, "dp.journal", "%s", hwall_strerror(r));
		return r;
	}
	r = dp_jwriter_start(&jc, emit, &run->jout, &run->jw, &err);
	if (r < 0) {
		HWALL_LOG(ERR, "dp.journal", "journal_dir %s: %s", c->journal_dir, err.msg);
		return r;
	}
	run->live.loaded = on_loaded;
	run->live.loaded_ctx = run;
	HWALL_LOG(INFO, "dp.journal", "served-object journal in %s: %u s periods, kept %u days",
		  c->journal_dir, c->journal_period, c->journal_retention_days);
	return 0;
}

void dp_live_journal_stop(struct dp_run *run)
{
	run->live.loaded = NULL;
	dp_jwriter_stop(run->jw);
	run->jw = NULL;
}
