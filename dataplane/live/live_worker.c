/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * live_worker.c - a live worker lcore: poll, run to completion, hand
 * events to the service thread (see live_run.h).
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/log.h"
#include "dataplane/journal/jwriter.h"
#include "dataplane/live/live_run.h"
#include "dataplane/rx.h"

/* The worker's event output: its evring (never blocks; drops count). */
static void put_event(void *ctx, const char *line, size_t len, bool match,
		      const struct dp_flow_key *flow)
{
	dp_evring_put(ctx, line, len, match, flow);
}

/* A worker's clock: wall-clock nanoseconds (event times) read from the
 * TSC (cheap), re-anchored on CLOCK_REALTIME about every second and never
 * going back (flow timeouts subtract times). */
struct wclock {
	uint64_t hz, tsc0, real0, last;
};

static void wclock_anchor(struct wclock *k)
{
	k->tsc0 = rte_rdtsc();
	k->real0 = hwall_real_ns();
}

static inline uint64_t wclock_now(struct wclock *k)
{
	uint64_t c = rte_rdtsc() - k->tsc0, now;

	if (c > k->hz) {
		wclock_anchor(k);
		c = 0;
	}
	now = k->real0 + c * 1000000000ull / k->hz;
	if (now < k->last)
		now = k->last;
	return k->last = now;
}

static void run_burst(struct dp_lw *lw, struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	uint64_t ts[DP_RX_BURST];

	for (uint16_t i = 0; i < n; i++)
		ts[i] = now;
	dp_rx_burst(&lw->w, pkts, n, ts);
	rte_pktmbuf_free_bulk(pkts, n);
}

/* Keep this worker's frames of @pkts (returns how many, moved to the
 * front) and hand the others to their owners. */
static uint16_t steer(struct dp_lw *lw, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_run *run = lw->run;
	uint16_t keep = 0;

	for (uint16_t i = 0; i < n; i++) {
		unsigned int to = dp_rx_worker_of(pkts[i], &run->wconf.ports, run->n_lws);

		if (to == lw->id) {
			pkts[keep++] = pkts[i];
		} else if (rte_ring_mp_enqueue(run->lws[to].steer, pkts[i]) == 0) {
			lw->steered++;
		} else {
			lw->steer_dropped++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
	return keep;
}

/* One poll of every port's queue and of the steer ring; returns the
 * frames received. */
static unsigned int poll_ports(struct dp_lw *lw, uint64_t now)
{
	struct dp_run *run = lw->run;
	struct rte_mbuf *pkts[DP_RX_BURST];
	unsigned int total = 0;
	uint16_t n;

	for (unsigned int p = 0; p < run->n_ports; p++) {
		n = rte_eth_rx_burst(run->port_ids[p], (uint16_t)lw->id, pkts, DP_RX_BURST);
		total += n;
		if (n && run->port_steer[p])
			n = steer(lw, pkts, n);
		if (n)
			run_burst(lw, pkts, n, now);
	}
	if (lw->steer) {
		n = (uint16_t)rte_ring_sc_dequeue_burst(lw->steer, (void **)pkts, DP_RX_BURST, NULL);
		total += n;
		if (n)
			run_burst(lw, pkts, n, now);
	}
	return total;
}

int dp_lw_main(void *arg)
{
	struct dp_lw *lw = arg;
	struct dp_run *run = lw->run;
	struct wclock clk = { .hz = rte_get_tsc_hz() };
	uint64_t now;

	lw->rc = dp_worker_init(&lw->w, &run->wconf, NULL, &run->key, put_event, &lw->ring);
	if (lw->rc == 0 && (lw->rc = dp_worker_join_live(&lw->w, &run->live, lw->id)) < 0)
		dp_worker_fini(&lw->w);
	if (lw->rc < 0) {
		HWALL_LOG(ERR, "dp.live", "worker %u: %s", lw->id, hwall_strerror(lw->rc));
		__atomic_store_n(&lw->done, 1, __ATOMIC_RELEASE);
		return lw->rc;
	}
	if (run->pdq_on)
		dp_pdq_run_attach(&run->pdq, lw->id, &lw->w);
	lw->w.journal = run->jw ? dp_jwriter_ring(run->jw, lw->id) : NULL;
	lw->ready = true;
	wclock_anchor(&clk);
	while (!__atomic_load_n(&run->stop, __ATOMIC_RELAXED)) {
		now = wclock_now(&clk);
		if (poll_ports(lw, now))
			continue;
		/* Idle: still report quiescent (set swaps must not wait on
		 * an idle worker) and time flows out by the wall clock. */
		dp_worker_refresh_sets(&lw->w);
		if (now >= lw->w.next_expire_ns) {
			dp_worker_expire(&lw->w, now);
			lw->w.next_expire_ns = now + DP_EXPIRE_TICK_NS;
		}
		rte_pause();
	}
	/* Objects still in flight are reported as abandoned at shutdown. */
	dp_worker_flush(&lw->w);
	dp_worker_leave_live(&lw->w);
	__atomic_store_n(&lw->done, 1, __ATOMIC_RELEASE);
	return 0;
}

/* A counter another thread writes: a relaxed atomic read. */
static inline uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void dp_run_counters(const struct dp_run *run, struct dp_counters *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned int k = 0; k < run->n_lws; k++) {
		const struct dp_counters *c = &run->lws[k].w.ctr;

		for (int i = 0; i < DP_DROP_COUNT; i++)
			sum->drop[i] += rd(&c->drop[i]);
		for (int i = 0; i < DP_INFO_COUNT; i++)
			sum->info[i] += rd(&c->info[i]);
		for (int i = 0; i < DP_PDQ_COUNT; i++)
			sum->pdq[i] += rd(&c->pdq[i]);
		sum->packets += rd(&c->packets);
		sum->bytes += rd(&c->bytes);
		sum->body_bytes += rd(&c->body_bytes);
	}
	for (int i = 0; i < DP_PDQ_COUNT; i++)
		sum->pdq[i] += rd(&run->pdq.stage.ctr.pdq[i]);
}
