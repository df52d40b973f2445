/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * worker.h - one worker: the pipeline stages wired together, with all of
 * their state.
 *
 * A worker owns its counters, flow table, reassembly pool, HTTP pools and
 * event output; nothing in it is shared with another worker, so several
 * workers (one per core, RSS spreading connections) run without locks.  The
 * only shared things are read-only: the configuration, the pseudonym key
 * and the set list, reached through a pointer that the control thread
 * replaces (RCU, live.h) when sets change.
 *
 * Per packet: parse -> flow -> reasm -> http -> body -> digest (and the
 * copy of image bodies, pdq/pdq_tap.h); at each body end: verdict ->
 * events, and image bodies handed to the PDQ stage; at each burst end the md5/sha1 lanes are flushed
 * (mbhash/mbh.h).  The worker never frees the packet: its caller
 * (rx) does, after dp_worker_packet() returns.
 */
#ifndef HASHWALL_DATAPLANE_WORKER_H
#define HASHWALL_DATAPLANE_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/pseudo.h"
#include "dataplane/counters.h"
#include "dataplane/flow.h"
#include "dataplane/http.h"
#include "dataplane/mbhash/mbh.h"
#include "dataplane/sets/set_publish.h"
#include "dataplane/parse.h"
#include "dataplane/reasm.h"
#include "dataplane/verdict.h"

struct rte_mbuf;
struct dp_evring;

struct dp_worker_conf {
	struct dp_ports ports;        /* HTTP ports (default 80, 8080) */
	struct dp_http_limits http;
	uint32_t max_flows;           /* flow table size */
	uint64_t idle_ns;             /* flow idle timeout */
	uint32_t max_held;            /* out-of-order segments held at once */
	uint32_t held_dir_cap;        /* bytes held per direction */
	uint64_t held_global_cap;     /* bytes held per worker */
	unsigned int hash_mask;       /* extra digests asked for (--hash) */
	bool log_objects;             /* an event per object, not only matches */
	enum mbh_impl mbh_impl;       /* md5/sha1 kernels; AUTO: $HASHWALL_MBH_IMPL or the CPU's best */
};

/* Receives every event line (with its newline): a match event when @match,
 * else an object event; @flow is the connection's key (addresses in plain:
 * for blocked-flow entries only, never to be written out). */
typedef void (*dp_worker_event_fn)(void *ctx, const char *line, size_t len, bool match,
				   const struct dp_flow_key *flow);

/*
 * Objects ended inside the burst whose md5/sha1 are still in the lanes
 * (struct dp_obj.pending): their verdict and events wait for the burst's
 * mbh_flush().  What the events need of the flow is copied, since the flow
 * may close or be evicted before then.  At most DP_WORKER_PENDING_MAX:
 * one more flushes early.
 */
#define DP_WORKER_PENDING_MAX 256

struct dp_pending_obj {
	struct dp_obj *obj;
	const void *flow; /* only compared (reasm's unref), never followed */
	struct dp_flow_key key;
	uint64_t ts_ns;
	uint8_t family;
};

struct dp_worker {
	struct dp_counters ctr;
	struct dp_flow_table flows;
	struct dp_reasm reasm;
	struct dp_http http;
	struct mbh_ctx *mbh; /* md5/sha1 of every object, flushed at each burst end */
	struct dp_pending_obj *pending; /* DP_WORKER_PENDING_MAX, npending in use */
	unsigned int npending;
	struct dp_pdq_tap *pdq; /* image bodies to the PDQ stage; NULL: off (pdq/pdq_tap.h) */
	const struct dp_worker_conf *conf;
	const struct dp_setlist *sets;
	const struct hwall_pseudo_key *key;
	dp_worker_event_fn event_fn;
	void *event_ctx;
	bool events_on; /* false: objects are counted but not reported */
	uint64_t next_expire_ns; /* see dp_rx_burst() */
	uint64_t now_ns;         /* the clock at the latest packet or expiry: event times */
	struct dp_setpub *live; /* NULL: w->sets is fixed */
	struct dp_evring *journal; /* NULL: no served-object journal (journal/jwriter.h) */
	unsigned int live_tid;
};

/* Defaults: ports 80 and 8080, 65536 flows, 120 s idle, 16384 held
 * segments, 1 MiB per direction, 64 MiB per worker, see also
 * dp_http_limits_default(). */
void dp_worker_conf_default(struct dp_worker_conf *conf);

/*
 * Set up @w.  @conf, @sets (may be NULL) and @key must outlive it.
 * Returns 0 or -ENOMEM / -EINVAL.
 */
int dp_worker_init(struct dp_worker *w, const struct dp_worker_conf *conf,
		   const struct dp_setlist *sets, const struct hwall_pseudo_key *key,
		   dp_worker_event_fn fn, void *fn_ctx);

/* Flush every flow (objects in flight reported as obj_abandoned_end) and
 * free everything.  Accepts a zeroed @w. */
void dp_worker_fini(struct dp_worker *w);

/* Run one frame, seen at @now_ns, through the pipeline, as a burst of its
 * own.  @m stays the caller's (held segments take their own reference)
 * and may be freed when this returns. */
void dp_worker_packet(struct dp_worker *w, struct rte_mbuf *m, uint64_t now_ns);

/* As dp_worker_packet() inside a burst: the digest stage may keep
 * pointers into @m (md5/sha1 blocks queued for the lanes) until
 * dp_worker_burst_end(), so @m lives until then. */
void dp_worker_burst_packet(struct dp_worker *w, struct rte_mbuf *m, uint64_t now_ns);

/* End of a burst: hash every queued block (mbh_flush()); afterwards no
 * pointer into the burst's mbufs is kept and they may be freed.  Then the
 * objects that ended in the burst get their digests, verdict and events. */
void dp_worker_burst_end(struct dp_worker *w);

/*
 * Follow the published set list of @l as RCU reader @tid (registered and
 * online until dp_worker_leave_live).  Returns 0 or -EINVAL.
 */
int dp_worker_join_live(struct dp_worker *w, struct dp_setpub *l, unsigned int tid);

/* Go offline: from now on @w uses no list (w->sets = NULL). */
void dp_worker_leave_live(struct dp_worker *w);

/*
 * Start of a burst for a live worker: report a quiescent state (the list
 * read at the previous burst is not used any more), then read the current
 * list and the digests it needs.  Objects already in flight keep the
 * digests they started with.
 */
static inline void dp_worker_refresh_sets(struct dp_worker *w)
{
	dp_setpub_quiescent(w->live, w->live_tid);
	w->sets = dp_setpub_current(w->live);
	w->http.algo_mask = w->conf->hash_mask | w->sets->algo_mask;
}

/* Remove flows idle at @now_ns (a bounded number per call). */
void dp_worker_expire(struct dp_worker *w, uint64_t now_ns);

/* End of a capture: remove every flow; objects in flight are reported as
 * abandoned (obj_abandoned_end). */
void dp_worker_flush(struct dp_worker *w);

#endif
