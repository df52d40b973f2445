/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jwriter.c - the journal writer thread and the workers' side of it (see
 * jwriter.h).
 */
#include "dataplane/journal/jwriter.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_ring.h>

#include "common/clock.h"
#include "common/log.h"
#include "dataplane/flow.h"
#include "dataplane/http.h"
#include "hashsync/hws.h"

#define TAKE_BURST 64
#define TICK_NS 1000000000ull

struct job {
	char id[HWS_ID_MAX + 1];
	uint64_t version;
	char *path;
	struct hws_set *old;
};

struct dp_jwriter {
	struct dp_jwriter_conf conf;
	struct dp_journal *j;
	struct dp_evring rings[DP_JWRITER_RINGS_MAX];
	dp_jwriter_emit_fn emit;
	void *emit_ctx;
	pthread_t thread;
	bool started;
	int stop;                       /* atomic */
	int want_tick;                  /* atomic: dp_jwriter_sync() */
	pthread_mutex_t lock;           /* jobs, snapshot */
	struct job jobs[DP_JWRITER_JOBS_MAX];
	unsigned int njobs;
	bool busy;                      /* a job is running */
	struct dp_journal_stats snap;   /* under lock, updated per tick */
	struct dp_recheck_stats rc;     /* the running or last re-check (atomics) */
	uint64_t rc_version, rc_runs, rc_skipped, rc_failed, rc_emitted; /* under lock */
	uint64_t records_bad;           /* ring records that failed to decode */
};

/* ---- the workers' side ---- */

static const struct dp_flow_key no_flow;

static void put(struct dp_evring *ring, const struct dp_jrec *r)
{
	uint8_t buf[DP_EVENT_MAX];
	size_t len = dp_jrec_encode(r, buf, sizeof(buf));

	if (len)
		dp_evring_put(ring, (const char *)buf, len, false, &no_flow);
	else
		ring->dropped++;
}

static void fill_server(struct dp_jrec *r, uint8_t family, const struct dp_flow_key *key,
			uint64_t now_ns)
{
	r->family = family;
	r->port = key->server_port;
	memcpy(r->server, key->server, 16);
	r->first = r->last = (int64_t)(now_ns / 1000000000ull);
	r->count = 1;
}

void dp_jput(struct dp_evring *ring, const struct dp_obj *o, uint8_t family,
	     const struct dp_flow_key *key, uint64_t now_ns)
{
	uint8_t dg[HWALL_ALGO_COUNT * HWALL_DIGEST_MAX];
	const struct dp_txn *t = o->txn;
	struct dp_jrec r = { .mask = o->digests.mask, .size = o->size, .digests = dg };
	size_t off = 0;

	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		if (r.mask & (1u << a)) {
			memcpy(dg + off, o->digests.bytes[a], hwall_algo_len((enum hwall_algo)a));
			off += hwall_algo_len((enum hwall_algo)a);
		}
	fill_server(&r, family, key, now_ns);
	r.host = t ? t->host : "";
	r.path = t ? t->path : "";
	r.host_len = (uint16_t)strlen(r.host);
	r.path_len = (uint16_t)strlen(r.path);
	put(ring, &r);
}

void dp_jput_pdq(struct dp_evring *ring, const uint8_t xxh3[16], const uint8_t pdq[32],
		 const char *host, const char *path, uint8_t family,
		 const struct dp_flow_key *key, uint64_t now_ns)
{
	uint8_t dg[48];
	struct dp_jrec r = { .mask = 1u << HWALL_ALGO_XXH3_128 | 1u << HWALL_ALGO_PDQ,
			     .digests = dg, .host = host, .path = path };

	_Static_assert(HWALL_ALGO_XXH3_128 < HWALL_ALGO_PDQ, "packed order");
	memcpy(dg, xxh3, 16);
	memcpy(dg + 16, pdq, 32);
	fill_server(&r, family, key, now_ns);
	r.flags = DP_JREC_DIGESTS_ONLY;
	r.host_len = (uint16_t)strnlen(host, DP_JREC_HOST_MAX);
	r.path_len = (uint16_t)strnlen(path, DP_JREC_PATH_MAX);
	put(ring, &r);
}

/* ---- the writer thread ---- */

static unsigned int drain(struct dp_jwriter *w)
{
	struct dp_evrec *recs[TAKE_BURST];
	unsigned int total = 0, n;
	struct dp_jrec r;

	for (unsigned int k = 0; k < w->conf.rings; k++) {
		while ((n = dp_evring_take(&w->rings[k], recs, TAKE_BURST)) > 0) {
			for (unsigned int i = 0; i < n; i++) {
				if (dp_jrec_decode((const uint8_t *)recs[i]->line, recs[i]->len, &r,
						   NULL) > 0)
					dp_journal_put(w->j, &r);
				else
					w->records_bad++;
			}
			dp_evring_release(&w->rings[k], recs, n);
			total += n;
		}
	}
	return total;
}

static void tick(struct dp_jwriter *w)
{
	struct hwall_err err;
	struct dp_journal_stats st;

	if (dp_journal_tick(w->j, (int64_t)(hwall_real_ns() / 1000000000ull), &err) < 0)
		HWALL_LOG(ERR, "dp.journal", "%s", err.msg);
	dp_journal_stats(w->j, &st);
	pthread_mutex_lock(&w->lock);
	w->snap = st;
	pthread_mutex_unlock(&w->lock);
}

static void nap(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

/* A hit to @emit, draining the workers' rings while it has no room. */
static int on_hit(void *ctx, const struct dp_recheck_hit *h)
{
	struct dp_jwriter *w = ctx;
	char line[DP_EVENT_MAX];
	size_t len = dp_recheck_event(h, line, sizeof(line));

	if (!len)
		return 0;
	while (!w->emit(w->emit_ctx, line, len)) {
		if (__atomic_load_n(&w->stop, __ATOMIC_RELAXED))
			return -ECANCELED;
		if (!drain(w))
			nap();
	}
	pthread_mutex_lock(&w->lock);
	w->rc_emitted++;
	pthread_mutex_unlock(&w->lock);
	return 0;
}

static void run_job(struct dp_jwriter *w, struct job *jb)
{
	const char *dir = w->conf.journal.dir;
	struct hws_set *nw = NULL;
	struct hwall_err err = { { 0 } };
	int r;

	if (jb->version <= dp_recheck_done(dir, jb->id)) {
		pthread_mutex_lock(&w->lock);
		w->rc_skipped++;
		pthread_mutex_unlock(&w->lock);
		HWALL_LOG(INFO, "dp.journal", "set %s version %" PRIu64 " was re-checked already",
			  jb->id, jb->version);
		return;
	}
	r = hws_open(jb->path, &nw, &err);
	pthread_mutex_lock(&w->lock);
	w->rc_version = jb->version;
	pthread_mutex_unlock(&w->lock);
	if (r == 0)
		r = dp_recheck_run(w->j, nw, jb->old, w->conf.pdq_dist, on_hit, w, &w->rc);
	if (r == 0)
		r = dp_recheck_mark(dir, jb->id, jb->version);
	pthread_mutex_lock(&w->lock);
	w->rc_runs++;
	w->rc_failed += r < 0;
	pthread_mutex_unlock(&w->lock);
	if (r < 0)
		HWALL_LOG(ERR, "dp.journal", "re-check of set %s version %" PRIu64 ": %s", jb->id,
			  jb->version, nw == NULL && err.msg[0] ? err.msg : hwall_strerror(r));
	else
		HWALL_LOG(INFO, "dp.journal", "re-check of set %s version %" PRIu64 ": %" PRIu64
			  " entries added, %" PRIu64 " hits in %.3f s", jb->id, jb->version,
			  w->rc.added, w->rc.hits, (double)w->rc.ns / 1e9);
	hws_close(nw);
}

/* The oldest queued job, or false. */
static bool take_job(struct dp_jwriter *w, struct job *ret)
{
	bool have;

	pthread_mutex_lock(&w->lock);
	have = w->njobs > 0;
	if (have) {
		*ret = w->jobs[0];
		memmove(w->jobs, w->jobs + 1, --w->njobs * sizeof(w->jobs[0]));
	}
	w->busy = have;
	pthread_mutex_unlock(&w->lock);
	return have;
}

static void *writer_main(void *arg)
{
	struct dp_jwriter *w = arg;
	uint64_t next = hwall_mono_ns() + TICK_NS;
	struct job jb;

	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		unsigned int n = drain(w);

		if (hwall_mono_ns() >= next || __atomic_load_n(&w->want_tick, __ATOMIC_ACQUIRE)) {
			tick(w);
			next = hwall_mono_ns() + TICK_NS;
			__atomic_store_n(&w->want_tick, 0, __ATOMIC_RELEASE);
		}
		if (take_job(w, &jb)) {
			run_job(w, &jb);
			hws_close(jb.old);
			free(jb.path);
			pthread_mutex_lock(&w->lock);
			w->busy = false;
			pthread_mutex_unlock(&w->lock);
		} else if (!n) {
			nap();
		}
	}
	return NULL;
}

/* ---- control ---- */

static void log_refused(const struct dp_journal *j)
{
	const char *msg;

	for (unsigned int i = 0; (msg = dp_journal_refused(j, i)) != NULL; i++)
		HWALL_LOG(ERR, "dp.journal", "segment refused (the others are used): %s", msg);
}

int dp_jwriter_start(const struct dp_jwriter_conf *conf, dp_jwriter_emit_fn emit, void *emit_ctx,
		     struct dp_jwriter **ret_w, struct hwall_err *err)
{
	struct dp_jwriter *w;
	int r;

	if (conf->rings == 0 || conf->rings > DP_JWRITER_RINGS_MAX || conf->pdq_dist > 256)
		return hwall_err_set(err, -EINVAL, "journal: bad writer configuration");
	w = calloc(1, sizeof(*w));
	if (!w)
		return hwall_err_set(err, -ENOMEM, "out of memory");
	w->conf = *conf;
	w->emit = emit;
	w->emit_ctx = emit_ctx;
	pthread_mutex_init(&w->lock, NULL);
	r = dp_journal_open(&conf->journal, (int64_t)(hwall_real_ns() / 1000000000ull), &w->j, err);
	if (r < 0)
		goto fail;
	log_refused(w->j);
	for (unsigned int k = 0; k < conf->rings && r == 0; k++) {
		r = dp_evring_init(&w->rings[k], conf->ring_size);
		/* Fault the records in now: a first touch on the worker costs
		 * a page fault per record (8 KiB each). */
		if (r == 0)
			memset(w->rings[k].recs, 0, conf->ring_size * sizeof(*w->rings[k].recs));
	}
	if (r < 0) {
		hwall_err_set(err, r, "journal rings: %s", hwall_strerror(r));
		goto fail;
	}
	dp_journal_stats(w->j, &w->snap);
	r = -pthread_create(&w->thread, NULL, writer_main, w);
	if (r < 0) {
		hwall_err_set(err, r, "journal thread: %s", hwall_strerror(r));
		goto fail;
	}
	w->started = true;
	*ret_w = w;
	return 0;
fail:
	dp_jwriter_stop(w);
	return r;
}

void dp_jwriter_stop(struct dp_jwriter *w)
{
	if (!w)
		return;
	if (w->started) {
		__atomic_store_n(&w->stop, 1, __ATOMIC_RELAXED);
		pthread_join(w->thread, NULL);
		drain(w);
	}
	for (unsigned int i = 0; i < w->njobs; i++) {
		hws_close(w->jobs[i].old);
		free(w->jobs[i].path);
	}
	dp_journal_close(w->j);
	for (unsigned int k = 0; k < DP_JWRITER_RINGS_MAX; k++)
		dp_evring_fini(&w->rings[k]);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

struct dp_evring *dp_jwriter_ring(struct dp_jwriter *w, unsigned int k)
{
	return k < w->conf.rings ? &w->rings[k] : NULL;
}

int dp_jwriter_recheck(struct dp_jwriter *w, const char *id, uint64_t version, const char *path,
		       struct hws_set *old)
{
	struct job jb = { .version = version, .old = old };
	int r = 0;

	snprintf(jb.id, sizeof(jb.id), "%s", id);
	jb.path = strdup(path);
	pthread_mutex_lock(&w->lock);
	if (!jb.path)
		r = -ENOMEM;
	else if (w->njobs == DP_JWRITER_JOBS_MAX)
		r = -EBUSY;
	else
		w->jobs[w->njobs++] = jb;
	pthread_mutex_unlock(&w->lock);
	if (r < 0) {
		hws_close(old);
		free(jb.path);
	}
	return r;
}

static uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void dp_jwriter_status_json(struct dp_jwriter *w, struct hwall_json *jw)
{
	struct dp_journal_stats s;
	uint64_t dropped = 0;

	for (unsigned int k = 0; k < w->conf.rings; k++)
		dropped += rd(&w->rings[k].dropped);
	pthread_mutex_lock(&w->lock);
	s = w->snap;
	hwall_json_u64(jw, "journal_records", s.puts);
	hwall_json_u64(jw, "journal_repeats", s.repeats);
	hwall_json_u64(jw, "journal_ring_dropped", dropped);
	hwall_json_u64(jw, "journal_full", s.full);
	hwall_json_u64(jw, "journal_open_records", s.open_records);
	hwall_json_u64(jw, "journal_segments", s.segments);
	hwall_json_u64(jw, "journal_segment_records", s.segment_records);
	hwall_json_u64(jw, "journal_bytes", s.bytes);
	hwall_json_u64(jw, "journal_segments_refused", s.refused);
	hwall_json_u64(jw, "journal_segments_closed", s.closed);
	hwall_json_u64(jw, "journal_segments_expired", s.expired);
	hwall_json_u64(jw, "journal_log_errors", s.log_errors);
	hwall_json_u64(jw, "recheck_running", w->busy);
	hwall_json_u64(jw, "recheck_queued", w->njobs);
	hwall_json_u64(jw, "recheck_runs", w->rc_runs);
	hwall_json_u64(jw, "recheck_skipped", w->rc_skipped);
	hwall_json_u64(jw, "recheck_failed", w->rc_failed);
	hwall_json_u64(jw, "recheck_candidates", w->rc_emitted);
	hwall_json_u64(jw, "recheck_set_version", w->rc_version);
	hwall_json_u64(jw, "recheck_added", rd(&w->rc.added));
	hwall_json_u64(jw, "recheck_looked_up", rd(&w->rc.looked_up));
	hwall_json_u64(jw, "recheck_hits", rd(&w->rc.hits));
	hwall_json_u64(jw, "recheck_ms", rd(&w->rc.ns) / 1000000);
	pthread_mutex_unlock(&w->lock);
}

static bool idle(struct dp_jwriter *w)
{
	bool busy;

	pthread_mutex_lock(&w->lock);
	busy = w->busy || w->njobs > 0;
	pthread_mutex_unlock(&w->lock);
	for (unsigned int k = 0; k < w->conf.rings && !busy; k++)
		busy = rte_ring_count(w->rings[k].full_ring) > 0;
	return !busy;
}

bool dp_jwriter_idle_wait(struct dp_jwriter *w, unsigned int timeout_ms)
{
	uint64_t end = hwall_mono_ns() + timeout_ms * 1000000ull;

	while (!idle(w) && hwall_mono_ns() < end)
		nap();
	dp_jwriter_sync(w);
	return idle(w);
}

void dp_jwriter_sync(struct dp_jwriter *w)
{
	__atomic_store_n(&w->want_tick, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&w->want_tick, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&w->stop, __ATOMIC_RELAXED))
		nap();
}
