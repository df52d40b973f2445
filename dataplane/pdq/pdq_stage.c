/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_stage.c - the PDQ stage's thread: cache, decoder, sets, events (see
 * pdq_stage.h).
 */
#include "dataplane/pdq/pdq_stage.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/log.h"
#include "dataplane/events.h"
#include "dataplane/pdq/pdq_match.h"

#define IDLE_NS 1000000L /* nap between empty polls */
#define SPAWN_LOG_S 60.0 /* a decoder that cannot start is logged this often */

int dp_pdq_stage_init(struct dp_pdq_stage *st, const struct dp_pdq_conf *conf,
		      dp_pdq_event_fn fn, void *fn_ctx)
{
	char path[PATH_MAX];
	int r;

	memset(st, 0, sizeof(*st));
	st->conf = conf;
	st->event_fn = fn;
	st->event_ctx = fn_ctx;
	st->spawn_err_at = -SPAWN_LOG_S;
	if (conf->decoder)
		snprintf(path, sizeof(path), "%s", conf->decoder);
	else if ((r = dp_pdq_dec_default_path(path, sizeof(path))) < 0)
		return r;
	r = dp_pdq_dec_init(&st->dec, path, conf->timeout_ms, conf->memory_mib, conf->max_bytes);
	if (r == 0)
		r = dp_pdq_cache_init(&st->cache, conf->cache_entries);
	if (r < 0)
		dp_pdq_stage_fini(st);
	return r;
}

int dp_pdq_stage_add_tap(struct dp_pdq_stage *st, struct dp_pdq_tap *tap)
{
	if (st->n_taps == DP_PDQ_TAPS_MAX)
		return -ENOSPC;
	st->taps[st->n_taps++] = tap;
	return 0;
}

void dp_pdq_stage_use_live(struct dp_pdq_stage *st, struct dp_setpub *live, unsigned int id)
{
	st->live = live;
	st->live_id = id;
}

void dp_pdq_stage_use_list(struct dp_pdq_stage *st, const struct dp_setlist *l)
{
	st->fixed = l;
}

static void count(struct dp_pdq_stage *st, enum dp_pdq_ctr c)
{
	__atomic_store_n(&st->ctr.pdq[c], st->ctr.pdq[c] + 1, __ATOMIC_RELAXED);
}

/* The PDQ of @j's body: from the cache, else from the decoder (and then
 * cached, refusals too).  Counts what happened. */
static int hash_job(struct dp_pdq_stage *st, const struct dp_pdq_job *j,
		    struct dp_pdq_cache_val *val)
{
	const uint8_t *key = j->obj.digests.bytes[HWALL_ALGO_XXH3_128];

	if (dp_pdq_cache_get(&st->cache, key, val)) {
		count(st, DP_PDQ_pdq_cache_hits);
		if (val->status < 0)
			count(st, DP_PDQ_pdq_refused);
		return val->status;
	}
	memset(val, 0, sizeof(*val));
	val->status = dp_pdq_dec_hash(&st->dec, j->buf, j->len, &val->res);
	switch (val->status) {
	case 0:
		count(st, DP_PDQ_pdq_decoded);
		break;
	case -ETIMEDOUT:
		count(st, DP_PDQ_pdq_decoder_timeout);
		break;
	case -EINVAL:
	case -E2BIG:
	case -ENOTSUP:
	case -ENOMEM:
		count(st, DP_PDQ_pdq_refused);
		break;
	case -ECHILD:
		count(st, DP_PDQ_pdq_decoder_crash);
		break;
	default: /* could not start it: not the image's fault, not cached */
		count(st, DP_PDQ_pdq_decoder_crash);
		if (hwall_mono_s() - st->spawn_err_at >= SPAWN_LOG_S) {
			st->spawn_err_at = hwall_mono_s();
			HWALL_LOG(ERR, "dp.pdq", "cannot start the decoder %s: %s", st->dec.path,
				  hwall_strerror(val->status));
		}
		return val->status;
	}
	dp_pdq_cache_put(&st->cache, key, val);
	return val->status;
}

static void report(struct dp_pdq_stage *st, struct dp_pdq_job *j, const struct dp_match *m,
		   unsigned int n, const struct pdq_result *res)
{
	char line[DP_EVENT_MAX];
	size_t len;

	if (j->quiet || !st->event_fn)
		return;
	/* The object's own PDQ hash among its digests, as the digest of
	 * each pdq match. */
	j->obj.digests.mask |= 1u << HWALL_ALGO_PDQ;
	memcpy(j->obj.digests.bytes[HWALL_ALGO_PDQ], res->hash[PDQ_ORIGINAL].b, PDQ_HASH_BYTES);
	for (unsigned int i = 0; i < n; i++)
		if ((len = dp_event_format(line, sizeof(line), &j->ev, &m[i])))
			st->event_fn(st->event_ctx, line, len, &j->flow);
}

static void do_job(struct dp_pdq_stage *st, struct dp_pdq_job *j)
{
	struct dp_match m[DP_SETS_MAX];
	struct dp_match_near near[DP_SETS_MAX];
	struct dp_pdq_cache_val val;
	const struct dp_setlist *l;
	enum dp_pdq_ctr outcome;
	unsigned int n;

	if (hash_job(st, j, &val) < 0)
		return;
	l = st->live ? dp_setpub_current(st->live) : st->fixed;
	n = dp_pdq_match(l, st->conf, &val.res, m, near, DP_SETS_MAX, &outcome);
	count(st, outcome);
	report(st, j, m, n, &val.res);
	explicit_bzero(&val, sizeof(val));
}

unsigned int dp_pdq_stage_poll(struct dp_pdq_stage *st)
{
	unsigned int done = 0;

	for (unsigned int t = 0; t < st->n_taps; t++) {
		struct dp_pdq_job *j;

		while ((j = dp_pdq_tap_take(st->taps[t]))) {
			do_job(st, j);
			dp_pdq_tap_done(st->taps[t], j);
			done++;
			/* The list read for this job is not used any more. */
			if (st->live)
				dp_setpub_quiescent(st->live, st->live_id);
		}
	}
	return done;
}

static void *stage_main(void *arg)
{
	struct dp_pdq_stage *st = arg;
	struct timespec nap = { 0, IDLE_NS };

	if (st->live && dp_setpub_register(st->live, st->live_id) < 0) {
		HWALL_LOG(ERR, "dp.pdq", "cannot follow the set list as reader %u", st->live_id);
		st->live = NULL; /* nothing to match against: jobs are still drained */
	}
	for (;;) {
		bool stopping = __atomic_load_n(&st->stop, __ATOMIC_ACQUIRE);

		if (dp_pdq_stage_poll(st))
			continue;
		if (stopping)
			break;
		if (st->live)
			dp_setpub_quiescent(st->live, st->live_id);
		nanosleep(&nap, NULL);
	}
	if (st->live)
		dp_setpub_unregister(st->live, st->live_id);
	return NULL;
}

int dp_pdq_stage_start(struct dp_pdq_stage *st, const cpu_set_t *cpus)
{
	pthread_attr_t attr;
	int r = pthread_attr_init(&attr);

	if (r == 0 && cpus)
		r = pthread_attr_setaffinity_np(&attr, sizeof(*cpus), cpus);
	if (r == 0)
		r = pthread_create(&st->thread, &attr, stage_main, st);
	pthread_attr_destroy(&attr);
	if (r != 0)
		return -r;
	pthread_setname_np(st->thread, "hw-pdq");
	st->running = true;
	return 0;
}

void dp_pdq_stage_stop(struct dp_pdq_stage *st)
{
	if (!st->running)
		return;
	__atomic_store_n(&st->stop, 1, __ATOMIC_RELEASE);
	pthread_join(st->thread, NULL);
	st->running = false;
}

void dp_pdq_stage_fini(struct dp_pdq_stage *st)
{
	dp_pdq_stage_stop(st);
	dp_pdq_dec_fini(&st->dec);
	dp_pdq_cache_fini(&st->cache);
	memset(st, 0, sizeof(*st));
}
