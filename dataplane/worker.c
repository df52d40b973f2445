/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * worker.c - the per-packet pipeline (see worker.h).  Only wiring: each
 * stage's logic is in its own file.
 */
#include "dataplane/worker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dataplane/events.h"
#include "dataplane/journal/jwriter.h"
#include "dataplane/mbhash/mbh.h"
#include "dataplane/pdq/pdq_tap.h"

#define EXPIRE_BATCH 64
#define MATCHES_MAX (2 * DP_SETS_MAX * HWALL_ALGO_COUNT) /* every algo in every set, wire and decoded */

/* What reasm's callbacks need to reach the HTTP stage. */
struct seg_ctx {
	struct dp_worker *w;
	struct dp_flow *f;
	enum dp_dir dir;
};

static int op_data(void *ctx, uint32_t seq, uint32_t ack, const uint8_t *p, uint32_t len)
{
	struct seg_ctx *c = ctx;
	return dp_http_data(&c->w->http, &c->f->http, c->dir, seq, ack, p, len, c->f);
}

/* reasm moved next_seq past the hole before calling. */
static int op_gap(void *ctx, uint32_t len)
{
	struct seg_ctx *c = ctx;
	return dp_http_gap(&c->w->http, &c->f->http, c->dir, c->f->tcp[c->dir].next_seq, len, c->f);
}

static void op_fin(void *ctx)
{
	struct seg_ctx *c = ctx;
	dp_http_fin(&c->w->http, &c->f->http, c->dir, c->f);
}

static void op_conflict(void *ctx)
{
	struct seg_ctx *c = ctx;
	dp_http_conflict(&c->f->http, c->dir);
}

static bool op_sync(void *ctx, const uint8_t *p, uint32_t len, uint32_t ack)
{
	struct seg_ctx *c = ctx;
	return dp_http_sync(&c->f->http, c->dir, p, len, ack);
}

/* A held segment is about to be freed inside the burst: the flow's body in
 * flight and its objects that ended in this burst stop pointing into it. */
static void op_unref(void *ctx)
{
	struct seg_ctx *c = ctx;

	dp_http_body_sync(&c->f->http);
	for (unsigned int i = 0; i < c->w->npending; i++)
		if (c->w->pending[i].flow == c->f)
			dp_digest_sync(c->w->pending[i].obj->dg);
}

static const struct dp_reasm_ops reasm_ops = {
	.data = op_data, .gap = op_gap, .fin = op_fin, .conflict = op_conflict, .sync = op_sync,
	.unref = op_unref,
};

/* verdict + events for a finished object, with what they need of its flow;
 * an image body to the PDQ stage (its digests are final here: the cache's
 * key). */
static void report(struct dp_worker *w, const struct dp_obj *o, const struct dp_pending_obj *of)
{
	struct dp_match m[MATCHES_MAX];
	struct dp_event_obj e = { .ts_ns = of->ts_ns, .family = of->family,
				  .server_port = of->key.server_port, .obj = o };
	bool complete = o->outcome == DP_DROP_COUNT;
	bool image = o->pdq && complete && !o->partial;
	unsigned int n = 0;
	char line[DP_EVENT_MAX];
	size_t len;

	/* Only a complete body's digest is the object's digest. */
	if (complete)
		n = dp_verdict_count(w->sets, &o->digests, m, MATCHES_MAX, &w->ctr);
	/* A compressed response: the decoded file is looked up too. */
	if (o->decoded) {
		unsigned int k = dp_verdict_count(w->sets, &o->ddigests, m + n, MATCHES_MAX - n,
						  &w->ctr);
		for (unsigned int i = n; i < n + k; i++)
			m[i].decoded = true;
		n += k;
	}
	w->ctr.info[DP_INFO_matches] += n;
	if (w->journal && o->outcome == DP_DROP_COUNT)
		dp_jput(w->journal, o, of->family, &of->key, of->ts_ns);
	if (o->pdq && !image)
		dp_pdq_tap_submit(w->pdq, o->pdq, false, &e, &of->key, true);
	if (!image && (!w->events_on || (n == 0 && !w->conf->log_objects)))
		return;
	memcpy(e.server, of->key.server, sizeof(e.server));
	hwall_pseudo_addr(w->key, of->key.client, e.client);
	if (image)
		dp_pdq_tap_submit(w->pdq, o->pdq, true, &e, &of->key, !w->events_on);
	if (!w->events_on)
		return;
	if (w->conf->log_objects && (len = dp_event_format(line, sizeof(line), &e, NULL)))
		w->event_fn(w->event_ctx, line, len, false, &of->key);
	for (unsigned int i = 0; i < n; i++)
		if ((len = dp_event_format(line, sizeof(line), &e, &m[i])))
			w->event_fn(w->event_ctx, line, len, true, &of->key);
}

/* After mbh_flush(): the pending objects' digests are ready. */
static void finish_pending(struct dp_worker *w)
{
	for (unsigned int i = 0; i < w->npending; i++) {
		struct dp_obj *o = w->pending[i].obj;

		dp_digest_finish(o->dg, &o->digests);
		report(w, o, &w->pending[i]);
		dp_http_obj_put(&w->http, o);
	}
	w->npending = 0;
}

/* The HTTP stage's callback.  An object whose md5/sha1 are still in the
 * lanes is ours until the burst's flush (http.h: dp_http_object_fn). */
static void on_object(void *ctx, void *owner, const struct dp_obj *o)
{
	struct dp_worker *w = ctx;
	const struct dp_flow *f = owner;
	struct dp_pending_obj of = { .obj = (struct dp_obj *)o, .flow = f, .key = f->key,
				     .ts_ns = w->now_ns, .family = f->family };

	if (!o->pending) {
		report(w, o, &of);
		return;
	}
	if (w->npending == DP_WORKER_PENDING_MAX) {
		/* Valid inside a burst: it only hashes this burst's blocks. */
		mbh_flush(w->mbh);
		finish_pending(w);
	}
	w->pending[w->npending++] = of;
}

/* The flow table's callback: give back what the flow holds. */
static void on_remove(void *ctx, struct dp_flow *f, enum dp_flow_end why)
{
	static const enum dp_drop reason[DP_FLOW_END_COUNT] = {
		[DP_FLOW_END_CLOSED] = DP_DROP_obj_abandoned_rst,
		[DP_FLOW_END_TIMEOUT] = DP_DROP_obj_abandoned_timeout,
		[DP_FLOW_END_EVICTED] = DP_DROP_obj_abandoned_evicted,
		[DP_FLOW_END_FLUSH] = DP_DROP_obj_abandoned_end,
		[DP_FLOW_END_REUSED] = DP_DROP_obj_abandoned_reused,
	};
	struct dp_worker *w = ctx;

	dp_http_release(&w->http, &f->http, reason[why], f);
	for (int d = 0; d < DP_DIR_COUNT; d++)
		dp_reasm_release(&w->reasm, &f->tcp[d]);
}

void dp_worker_conf_default(struct dp_worker_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	dp_ports_add(&conf->ports, 80);
	dp_ports_add(&conf->ports, 8080);
	dp_http_limits_default(&conf->http);
	conf->max_flows = 65536;
	conf->idle_ns = 120ull * 1000000000ull;
	conf->max_held = 16384;
	conf->held_dir_cap = 1u << 20;
	conf->held_global_cap = 64ull << 20;
}

int dp_worker_init(struct dp_worker *w, const struct dp_worker_conf *conf,
		   const struct dp_setlist *sets, const struct hwall_pseudo_key *key,
		   dp_worker_event_fn fn, void *fn_ctx)
{
	unsigned int mask = conf->hash_mask | (sets ? sets->algo_mask : 0);
	/* A stream and an object per flow, and the objects ended in a burst;
	 * objects (allocated as needed) also for an upload per flow beside
	 * its response: one beyond the streams hashes md5/sha1 on OpenSSL
	 * (digest_mbh_full), never giving up a connection for want of one. */
	uint32_t max_objs = conf->max_flows + DP_WORKER_PENDING_MAX;
	struct mbh_config mcfg = { .impl = conf->mbh_impl, .max_streams = max_objs };
	int r;

	memset(w, 0, sizeof(*w));
	w->conf = conf;
	w->sets = sets;
	w->key = key;
	w->event_fn = fn;
	w->event_ctx = fn_ctx;
	w->events_on = true;
	r = dp_flow_table_init(&w->flows, conf->max_flows, conf->idle_ns, on_remove, w, &w->ctr);
	if (r < 0)
		return r;
	r = dp_reasm_init(&w->reasm, conf->max_held, conf->held_dir_cap, conf->held_global_cap,
			  &w->ctr);
	if (r < 0)
		goto out_flows;
	/* -ENOSPC (OpenSSL for that object) only if every flow has a body in
	 * flight. */
	w->mbh = mbh_ctx_new(&mcfg);
	if (!w->mbh) {
		r = -errno;
		goto out_reasm;
	}
	w->pending = calloc(DP_WORKER_PENDING_MAX, sizeof(*w->pending));
	if (!w->pending) {
		r = -ENOMEM;
		goto out_mbh;
	}
	dp_http_init(&w->http, &conf->http, mask, max_objs + conf->max_flows, &w->ctr, on_object,
		     w);
	w->http.mbh = w->mbh;
	return 0;
out_mbh:
	mbh_ctx_free(w->mbh);
	w->mbh = NULL;
out_reasm:
	dp_reasm_fini(&w->reasm);
out_flows:
	dp_flow_table_fini(&w->flows);
	return r;
}

void dp_worker_fini(struct dp_worker *w)
{
	if (w->flows.flows)
		dp_worker_flush(w);
	dp_http_fini(&w->http);
	free(w->pending);
	w->pending = NULL;
	mbh_ctx_free(w->mbh);
	w->mbh = NULL;
	dp_reasm_fini(&w->reasm);
	dp_flow_table_fini(&w->flows);
}

/* A client SYN that is not a retransmission of the flow's own SYN: the
 * 4-tuple is reused by a new connection.  (A flow first seen without its
 * SYN, or given up, is replaced by any client SYN.) */
static bool is_new_syn(const struct dp_flow *f, const struct dp_pkt *pkt)
{
	const struct dp_reasm_dir *c2s = &f->tcp[DP_DIR_C2S];

	if (!(pkt->flags & DP_TCP_SYN) || !pkt->to_server)
		return false;
	return f->unusable || c2s->state == DP_REASM_NONE || c2s->midstream || c2s->isn != pkt->seq;
}

/* Find or create the packet's flow; NULL when the packet is not worth one. */
static struct dp_flow *flow_of(struct dp_worker *w, const struct dp_pkt *pkt, uint64_t now)
{
	struct dp_flow_key key;
	struct dp_flow *f;

	dp_flow_key_of(pkt, &key);
	f = dp_flow_lookup(&w->flows, &key);
	if (f && is_new_syn(f, pkt)) {
		w->ctr.info[DP_INFO_flows_reused]++;
		dp_flow_remove(&w->flows, f, DP_FLOW_END_REUSED);
		f = NULL;
	}
	if (f) {
		dp_flow_touch(&w->flows, f, now);
		return f;
	}
	if ((pkt->flags & DP_TCP_RST) || (!(pkt->flags & DP_TCP_SYN) && pkt->payload_len == 0)) {
		w->ctr.drop[DP_DROP_pkt_no_flow]++;
		return NULL;
	}
	f = dp_flow_add(&w->flows, &key, now);
	f->family = pkt->family;
	if (!(pkt->flags & DP_TCP_SYN))
		w->ctr.info[DP_INFO_flows_midstream]++;
	return f;
}

static void close_flow(struct dp_worker *w, struct dp_flow *f)
{
	w->ctr.info[DP_INFO_flows_closed]++;
	dp_flow_remove(&w->flows, f, DP_FLOW_END_CLOSED);
}

void dp_worker_burst_end(struct dp_worker *w)
{
	mbh_flush(w->mbh);
	finish_pending(w);
}

void dp_worker_packet(struct dp_worker *w, struct rte_mbuf *m, uint64_t now_ns)
{
	dp_worker_burst_packet(w, m, now_ns);
	dp_worker_burst_end(w);
}

/* The packet's ACK tells the other direction what its receiver got: a
 * hole acknowledged past was lost by the capture (reasm.h).  First, so
 * that a request lost before this response is known when it is paired. */
static int feed_ack(struct dp_worker *w, struct dp_flow *f, const struct dp_pkt *pkt)
{
	struct seg_ctx other = { w, f, pkt->to_server ? DP_DIR_S2C : DP_DIR_C2S };

	if (!(pkt->flags & DP_TCP_ACK))
		return 0;
	return dp_reasm_ack(&w->reasm, &f->tcp[other.dir], pkt->ack, &reasm_ops, &other);
}

void dp_worker_burst_packet(struct dp_worker *w, struct rte_mbuf *m, uint64_t now_ns)
{
	struct dp_pkt pkt;
	struct dp_flow *f;
	struct seg_ctx ctx;
	struct dp_seg_in seg;
	enum dp_drop r;

	w->now_ns = now_ns;
	w->http.now_ns = now_ns;
	w->ctr.packets++;
	w->ctr.bytes += rte_pktmbuf_pkt_len(m);
	r = dp_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
		     rte_pktmbuf_pkt_len(m), &w->conf->ports, &pkt);
	if (r != DP_DROP_COUNT) {
		w->ctr.drop[r]++;
		return;
	}
	f = flow_of(w, &pkt, now_ns);
	if (!f)
		return;
	if (pkt.flags & DP_TCP_RST) {
		close_flow(w, f);
		return;
	}
	if (f->unusable) {
		w->ctr.drop[DP_DROP_pkt_flow_unusable]++;
		return;
	}
	ctx = (struct seg_ctx){ w, f, pkt.to_server ? DP_DIR_C2S : DP_DIR_S2C };
	seg = (struct dp_seg_in){ m, pkt.seq, pkt.ack, pkt.payload_off, pkt.payload_len, pkt.flags };
	if (feed_ack(w, f, &pkt) < 0 ||
	    dp_reasm_segment(&w->reasm, &f->tcp[ctx.dir], &seg, &reasm_ops, &ctx) < 0) {
		/* The HTTP stage gave up (counted there): keep the flow so
		 * that its remaining packets are recognised and ignored. */
		f->unusable = true;
		for (int d = 0; d < DP_DIR_COUNT; d++)
			dp_reasm_release(&w->reasm, &f->tcp[d]);
		dp_http_release(&w->http, &f->http, DP_DROP_obj_abandoned_conn, f);
		return;
	}
	if (f->tcp[DP_DIR_C2S].state == DP_REASM_CLOSED && f->tcp[DP_DIR_S2C].state == DP_REASM_CLOSED)
		close_flow(w, f);
}

int dp_worker_join_live(struct dp_worker *w, struct dp_setpub *l, unsigned int tid)
{
	int r = dp_setpub_register(l, tid);

	if (r < 0)
		return r;
	w->live = l;
	w->live_tid = tid;
	dp_worker_refresh_sets(w);
	return 0;
}

void dp_worker_leave_live(struct dp_worker *w)
{
	if (!w->live)
		return;
	dp_setpub_unregister(w->live, w->live_tid);
	w->live = NULL;
	w->sets = NULL;
}

void dp_worker_expire(struct dp_worker *w, uint64_t now_ns)
{
	w->now_ns = now_ns;
	dp_flow_expire(&w->flows, now_ns, EXPIRE_BATCH);
}

void dp_worker_flush(struct dp_worker *w)
{
	dp_flow_flush(&w->flows, DP_FLOW_END_FLUSH);
	dp_worker_burst_end(w);
}
