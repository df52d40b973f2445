/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * live_run.h - the live dataplane process: its parts and how they run
 * (docs/dataplane.md, "Live mode").
 *
 * Threads:
 *   - one worker per configured CPU (EAL worker lcores 1..N): polls rx
 *     queue N-1 of every port, runs bursts to completion through its own
 *     dp_worker (flows, reassembly, HTTP, digests, verdict) and hands
 *     events to its own evring; shares nothing writable with the others
 *     and never locks or waits.  A port without symmetric RSS (af_packet:
 *     the kernel's fanout hash takes the IPv6 flow label, which differs
 *     between the two directions, and rolls over to another socket when
 *     one is full) is steered in software: a worker hands each frame that
 *     is not its own (dp_rx_worker_of) to its owner's steer ring;
 *   - the main lcore: the service loop (drains the evrings into the event
 *     file and controld, signals, SIGHUP reloads, status to controld);
 *   - the PDQ stage's thread (pdq.enabled; dataplane/pdq/pdq_stage.h): takes
 *     the image bodies the workers queued, decodes them in its sandboxed
 *     decoder process, matches, hands events to an evring of its own;
 *   - the control socket thread (load/unload/status) and DPDK's telemetry
 *     thread (/hashwall/stats, /hashwall/sets, /hashwall/flows).
 * Sets are published by pointer swap with rte_rcu_qsbr (live.h).
 */
#ifndef HASHWALL_DATAPLANE_LIVE_RUN_H
#define HASHWALL_DATAPLANE_LIVE_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/pseudo.h"
#include "dataplane/sets/allowlist.h"
#include "dataplane/sets/control_socket.h"
#include "dataplane/live/evring.h"
#include "dataplane/sets/set_publish.h"
#include "dataplane/live/live_config.h"
#include "dataplane/live/service.h"
#include "dataplane/pdq/pdq_run.h"
#include "dataplane/worker.h"

struct rte_mempool;
struct dp_run;

/* One worker lcore. */
struct dp_lw {
	struct dp_run *run;
	unsigned int id; /* also its rx queue and RCU reader id */
	struct dp_worker w;
	struct dp_evring ring;
	struct rte_ring *steer; /* frames other workers steered here (MP/SC) */
	uint64_t steered;       /* frames this worker handed to another */
	uint64_t steer_dropped; /* ... that found the owner's ring full */
	bool ready;      /* w set up */
	int done;        /* atomic: the worker left its loop and flushed */
	int rc;
};

struct dp_run {
	const char *config_file;
	struct dp_lcfg cfg;
	struct dp_worker_conf wconf;
	struct hwall_pseudo_key key;
	struct dp_setpub live;
	bool live_ready;
	struct dp_control ctl;
	struct dp_service svc;
	struct rte_mempool *pool;
	uint16_t port_ids[DP_LCFG_PORTS_MAX];
	bool port_steer[DP_LCFG_PORTS_MAX]; /* no symmetric RSS: steer in software */
	unsigned int n_ports; /* ports started */
	struct dp_lw *lws;
	unsigned int n_lws;
	struct dp_pdq_run pdq;      /* the PDQ stage, when pdq.enabled */
	struct dp_evring pdq_ring;  /* its match events to the service loop */
	bool pdq_on;
	bool eal;
	double allow_err_at; /* when a bad allowlist file was last reported */
	int stop; /* atomic: workers leave their loops */
	struct dp_jwriter *jw;  /* the served-object journal; NULL: none */
	struct dp_evring jout;  /* the journal's re-check hits to the service thread */
};

/* The journal writer (live_journal.c): started when journal_dir is set;
 * set loads then queue re-checks.  Returns 0 or -errno (logged). */
int dp_live_journal_start(struct dp_run *run);
void dp_live_journal_stop(struct dp_run *run);

/* Worker lcore entry (rte_eal_remote_launch). */
int dp_lw_main(void *arg);

/* Register the telemetry commands over @run (once per process). */
int dp_telemetry_register(struct dp_run *run);

/* From now on the commands answer nothing (at shutdown: DPDK has no way
 * to remove a command). */
void dp_telemetry_unregister(void);

/* Sum of every worker's counters (read while they run: relaxed loads). */
void dp_run_counters(const struct dp_run *run, struct dp_counters *sum);

/* The live entry point: hashwall-dataplane --config FILE [--check-config]. */
int dp_live_main(int argc, char **argv);

#endif
