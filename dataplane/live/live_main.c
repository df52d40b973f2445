/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * live_main.c - hashwall-dataplane --config FILE: start-up, the service
 * loop on the main lcore, signals, shutdown (see live_run.h).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/json_writer.h"
#include "common/log.h"
#include "dataplane/events.h"
#include "dataplane/journal/jwriter.h"
#include "dataplane/live/live_run.h"
#include "dataplane/rx.h"

#define EXIT_RUNTIME 1
#define EXIT_CONFIG 2
#define LINGER_MS 2000 /* at exit: time controld gets to acknowledge */
#define EAL_ARGS_MAX (16 + DP_LCFG_PORTS_MAX)
#define STEER_RING 4096 /* frames waiting for their worker */

static volatile sig_atomic_t sig_stop, sig_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		sig_hup = 1;
	else
		sig_stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void usage(FILE *out)
{
	fputs("usage: hashwall-dataplane --config FILE [--check-config]\n"
	      "       hashwall-dataplane replay --pcap FILE [options]   (see replay --help)\n"
	      "Runs the dataplane on the ports of FILE (docs/dataplane-live.md).\n"
	      "--check-config validates FILE, the port profiles and the set files it names,\n"
	      "and exits.  SIGTERM/SIGINT: stop, drain, flush events, exit 0.  SIGHUP:\n"
	      "reload the set list from FILE and reopen the event file.\n",
	      out);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* The config key of the set file an error message @msg names: "sets[j]"
 * for a file "sets" names (resolved paths end with what was written), else
 * "set_dir". */
static const char *set_key(const struct dp_lcfg *c, char **paths, int n, const char *msg)
{
	static char key[32];

	for (int i = 0; i < n; i++) {
		if (strncmp(msg, paths[i], strlen(paths[i])) != 0)
			continue;
		for (size_t j = 0; j < c->n_sets; j++) {
			if (ends_with(paths[i], c->sets[j])) {
				snprintf(key, sizeof(key), "sets[%zu]", j);
				return key;
			}
		}
		return "set_dir";
	}
	return "sets";
}

/* Open the set files the configuration names into *ret; logs why not. */
static int open_sets(const struct dp_lcfg *c, struct dp_setlist **ret)
{
	struct hwall_err err = { { 0 } };
	char **paths = NULL;
	int n, r;

	n = dp_lcfg_set_paths(c, &paths, &err);
	if (n < 0) {
		HWALL_LOG(ERR, "dp.live", "%s", err.msg);
		return n;
	}
	r = dp_setlist_open((const char *const *)paths, (unsigned int)n, ret, &err);
	if (r < 0)
		HWALL_LOG(ERR, "dp.live", "%s: %s", set_key(c, paths, n, err.msg),
		       hwall_err_why(&err, r));
	dp_lcfg_paths_free(paths, n);
	return r;
}

static int load_key(const struct dp_lcfg *c, struct hwall_pseudo_key *key)
{
	int r = c->client_key_file ? hwall_pseudo_key_load(c->client_key_file, key)
				   : hwall_pseudo_key_random(key);

	if (r < 0)
		HWALL_LOG(ERR, "dp.live", "client_key_file: %s: %s%s", c->client_key_file ?: "(random)",
		       hwall_strerror(r), r == -EPERM ? " (group or others may read it; chmod 600)" : "");
	return r;
}

/* The allowlist file, when configured and present (controld writes it;
 * until then there is none).  Returns 0 or -errno (logged). */
static int load_allowlist(const struct dp_lcfg *c, struct dp_allowlist **ret)
{
	struct hwall_err err;
	int r;

	*ret = NULL;
	if (!c->allowlist_file || access(c->allowlist_file, F_OK) < 0)
		return 0;
	r = dp_allowlist_load(c->allowlist_file, ret, &err);
	if (r < 0)
		HWALL_LOG(ERR, "dp.live", "allowlist_file: %s", err.msg);
	return r;
}

/* Everything checkable without DPDK: the file, its profiles, the sets,
 * the allowlist, the key.  Returns 0 or EXIT_CONFIG. */
static int load_all(struct dp_run *run, struct dp_setlist **ret_sets,
		    struct dp_allowlist **ret_allow)
{
	struct hwall_err err = { { 0 } };

	if (dp_lcfg_load(run->config_file, &run->cfg, &err) < 0) {
		/* (a syntax error names the file already) */
		if (strncmp(err.msg, run->config_file, strlen(run->config_file)) == 0)
			HWALL_LOG(ERR, "dp.live", "%s", err.msg);
		else
			HWALL_LOG(ERR, "dp.live", "%s: %s", run->config_file, err.msg);
		return EXIT_CONFIG;
	}
	if (open_sets(&run->cfg, ret_sets) < 0)
		return EXIT_CONFIG;
	if (load_allowlist(&run->cfg, ret_allow) < 0 || load_key(&run->cfg, &run->key) < 0) {
		dp_setlist_free(*ret_sets);
		*ret_sets = NULL;
		return EXIT_CONFIG;
	}
	(*ret_sets)->allow = *ret_allow;
	dp_lcfg_worker_conf(&run->cfg, &run->wconf);
	return 0;
}

/* Publish the allowlist file again when controld replaced it; a bad file
 * leaves the published list (and is reported once a minute). */
static void allowlist_check(struct dp_run *run)
{
	const char *path = run->cfg.allowlist_file;
	struct dp_allowlist *a = NULL;
	struct hwall_err err;
	bool changed;
	double now = hwall_mono_s();

	pthread_mutex_lock(&run->live.lock);
	changed = dp_allowlist_changed(run->live.cur->allow, path);
	pthread_mutex_unlock(&run->live.lock);
	if (!changed)
		return;
	if (dp_allowlist_load(path, &a, &err) < 0) {
		if (now - run->allow_err_at > 60) {
			HWALL_LOG(ERR, "dp.live", "allowlist_file: %s; the published allowlist stays",
			       err.msg);
			run->allow_err_at = now;
		}
		return;
	}
	HWALL_LOG(INFO, "dp.live", "allowlist: %" PRIu32 " digests from %s", a->n, path);
	if (dp_setpub_set_allowlist(&run->live, a) < 0)
		HWALL_LOG(ERR, "dp.live", "allowlist: out of memory; the published allowlist stays");
}

/* mbufs: every rx ring full, every held segment, bursts in flight. */
static unsigned int pool_size(const struct dp_run *run)
{
	const struct dp_lcfg *c = &run->cfg;
	uint64_t n = 1024;

	for (size_t p = 0; p < c->n_ports; p++)
		n += (uint64_t)(c->ports[p].prof.rx_desc + c->ports[p].prof.tx_desc) * c->workers;
	n += (uint64_t)c->workers * (c->max_held_segments + 4 * DP_RX_BURST);
	return (unsigned int)n;
}

static int eal_start(struct dp_run *run)
{
	const struct dp_lcfg *c = &run->cfg;
	char lcores[1024], prefix[96], mem[24], ports[DP_LCFG_PORTS_MAX][600];
	char *argv[EAL_ARGS_MAX] = { "hashwall-dataplane", lcores, prefix, "-m", mem,
				     "--log-level=error" };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t mb = c->memory_mb;
	int argc = 6, n, pci = 0;

	n = snprintf(lcores, sizeof(lcores), "--lcores=0@%u",
		     c->service_cpu != DP_LCFG_CPU_UNSET ? c->service_cpu : 0);
	for (uint32_t k = 0; k < c->workers; k++)
		n += snprintf(lcores + n, sizeof(lcores) - (size_t)n, ",%u@%u", k + 1,
			      c->n_cpus ? c->cpus[k] : (unsigned int)((k + 1) % (ncpu > 0 ? ncpu : 1)));
	snprintf(prefix, sizeof(prefix), "--file-prefix=hashwall-%s", c->id);
	if (!mb) /* without hugepages an mbuf takes a 4 KiB page of its own */
		mb = (uint64_t)pool_size(run) * (c->hugepages ? 2560 : 4096) / (1u << 20) * 11 / 10 + 128;
	snprintf(mem, sizeof(mem), "%" PRIu64, mb);
	if (!c->hugepages)
		argv[argc++] = "--no-huge";
	for (size_t p = 0; p < c->n_ports; p++) {
		pci |= c->ports[p].prof.bus == DP_BUS_PCI;
		if (dp_port_eal_arg(&c->ports[p].prof, c->ports[p].devstr, ports[p],
				    sizeof(ports[p])) < 0) {
			HWALL_LOG(ERR, "dp.live", "ports[%zu].device: too long", p);
			return -ENAMETOOLONG;
		}
		argv[argc++] = ports[p];
	}
	if (!pci)
		argv[argc++] = "--no-pci";
	argv[argc] = NULL;
	HWALL_LOG(DEBUG, "dp.live", "EAL: %s %s %s %s", lcores, prefix, mem, c->hugepages ? "" : "--no-huge");
	if (rte_eal_init(argc, argv) < 0) {
		HWALL_LOG(ERR, "dp.live", "EAL start failed: %s", rte_strerror(rte_errno));
		return -EIO;
	}
	run->eal = true;
	return 0;
}

/* Steer rings, when a port needs them. */
static int steer_start(struct dp_run *run)
{
	bool any = false;

	for (unsigned int p = 0; p < run->n_ports; p++)
		any |= run->port_steer[p];
	for (unsigned int k = 0; any && k < run->n_lws; k++) {
		run->lws[k].steer = dp_ring_alloc("dp_steer", STEER_RING, RING_F_SC_DEQ);
		if (!run->lws[k].steer)
			return -ENOMEM;
	}
	return 0;
}

/* Frames still in steer rings at exit go back to the pool. */
static void steer_stop(struct dp_run *run)
{
	void *m;

	for (unsigned int k = 0; k < run->n_lws; k++) {
		while (run->lws[k].steer && rte_ring_sc_dequeue(run->lws[k].steer, &m) == 0)
			rte_pktmbuf_free(m);
		free(run->lws[k].steer);
		run->lws[k].steer = NULL;
	}
}

static int ports_start(struct dp_run *run)
{
	const struct dp_lcfg *c = &run->cfg;
	struct hwall_err err = { { 0 } };
	unsigned int n = pool_size(run);
	int r;

	run->pool = rte_pktmbuf_pool_create("dp_rx", n, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    (int)rte_socket_id());
	if (!run->pool) {
		HWALL_LOG(ERR, "dp.live", "cannot allocate %u mbufs: %s (memory_mb?)", n,
		       rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (size_t p = 0; p < c->n_ports; p++) {
		r = dp_port_start(&c->ports[p].prof, c->ports[p].devstr, (uint16_t)c->workers,
				  &run->wconf.ports, run->pool, &run->port_ids[p], &err);
		if (r < 0) {
			HWALL_LOG(ERR, "dp.live", "ports[%zu] (%s): %s", p, c->ports[p].device, err.msg);
			return r;
		}
		run->n_ports++;
		run->port_steer[p] = c->workers > 1 && c->ports[p].prof.rss.key.len == 0;
		if (run->port_steer[p])
			HWALL_LOG(INFO, "dp.live", "ports[%zu]: no symmetric RSS, frames steered to "
			       "their flow's worker in software", p);
	}
	return steer_start(run);
}

static void put_pdq_event(void *ctx, const char *line, size_t len, const struct dp_flow_key *flow)
{
	dp_evring_put(ctx, line, len, true, flow);
}

/* The PDQ stage and its event ring (its thread starts with the workers). */
static int pdq_start(struct dp_run *run)
{
	const struct dp_lcfg *c = &run->cfg;
	struct hwall_err err = { { 0 } };
	int r = dp_evring_init(&run->pdq_ring, c->event_ring);

	if (r < 0)
		return r;
	dp_service_add_ring(&run->svc, &run->pdq_ring);
	r = dp_pdq_run_init(&run->pdq, &c->pdq, c->workers, &run->live, c->workers, put_pdq_event,
			    &run->pdq_ring, &err);
	if (r < 0) {
		HWALL_LOG(ERR, "dp.live", "%s", err.msg);
		return r;
	}
	run->pdq_on = true;
	return 0;
}

/* The stage's thread, on any CPU but the workers'. */
static int pdq_thread_start(struct dp_run *run)
{
	unsigned int busy[DP_LCFG_WORKERS_MAX], lcore, k = 0;

	RTE_LCORE_FOREACH_WORKER(lcore)
		if (k < run->n_lws)
			busy[k++] = rte_lcore_to_cpu_id((int)lcore);
	return dp_pdq_run_start(&run->pdq, busy, k);
}

/* The sets, the workers' state and rings, the outputs, the control socket. */
static int parts_start(struct dp_run *run, struct dp_setlist *sets)
{
	const struct dp_lcfg *c = &run->cfg;
	struct dp_service_conf sc = { c->event_file, c->ingest_socket, c->id };
	struct hwall_err err = { { 0 } };
	int r;

	/* The PDQ stage follows the list as one more reader. */
	r = dp_setpub_init(&run->live, c->workers + c->pdq.enabled, sets);
	if (r < 0)
		return r;
	run->live_ready = true;
	run->lws = calloc(c->workers, sizeof(*run->lws));
	if (!run->lws)
		return -ENOMEM;
	r = dp_service_open(&run->svc, &sc, &err);
	if (r < 0) {
		HWALL_LOG(ERR, "dp.live", "%s", err.msg);
		return r;
	}
	r = dp_live_journal_start(run);
	if (r < 0)
		return r;
	for (uint32_t k = 0; k < c->workers; k++) {
		run->lws[k] = (struct dp_lw){ .run = run, .id = k };
		r = dp_evring_init(&run->lws[k].ring, c->event_ring);
		if (r < 0)
			return r;
		run->n_lws++;
		dp_service_add_ring(&run->svc, &run->lws[k].ring);
	}
	if (c->pdq.enabled && (r = pdq_start(run)) < 0)
		return r;
	if (r == 0 && c->control_socket)
		r = dp_control_start(&run->ctl, &run->live, c->control_socket, &err);
	if (r < 0)
		HWALL_LOG(ERR, "dp.live", "%s", err.msg);
	return r;
}

/* SIGHUP: the configuration's set list replaces the loaded one; on any
 * error the running list stays. */
static void reload(struct dp_run *run)
{
	struct dp_lcfg c;
	struct hwall_err err = { { 0 } };
	struct dp_setlist *sets = NULL;

	if (dp_lcfg_load(run->config_file, &c, &err) < 0)
		HWALL_LOG(ERR, "dp.live", "reload: %s: %s; the running sets stay", run->config_file,
		       err.msg);
	else if (open_sets(&c, &sets) < 0)
		HWALL_LOG(ERR, "dp.live", "reload: the running sets stay");
	else {
		dp_setpub_replace(&run->live, sets);
		HWALL_LOG(INFO, "dp.live", "reload: %u set(s) published", sets->n);
	}
	dp_lcfg_free(&c);
	if (dp_service_reopen(&run->svc) < 0)
		HWALL_LOG(ERR, "dp.live", "reopening event_file %s: %s", run->cfg.event_file,
		       hwall_strerror(hwall_neg_errno()));
}

/* A status snapshot for controld: every counter and the loaded sets. */
static void send_stats(struct dp_run *run)
{
	char buf[8192];
	struct dp_counters c;
	struct hwall_json w;
	size_t n;

	dp_run_counters(run, &c);
	hwall_json_init(&w, buf, sizeof(buf));
	hwall_json_obj_begin(&w, NULL);
	hwall_json_obj_begin(&w, "counters");
	hwall_json_u64(&w, "packets", c.packets);
	hwall_json_u64(&w, "bytes", c.bytes);
	hwall_json_u64(&w, "body_bytes", c.body_bytes);
	dp_event_info_json(&w, &c);
	dp_event_drops_json(&w, &c);
	if (run->jw)
		dp_jwriter_status_json(run->jw, &w);
	hwall_json_obj_end(&w);
	dp_setpub_sets_json(&run->live, &w, DP_SETPUB_CREATED);
	hwall_json_obj_end(&w);
	if (hwall_json_finish(&w, &n) == 0)
		dp_service_send_stats(&run->svc, buf, n);
}

static bool workers_done(const struct dp_run *run, bool *failed)
{
	bool all = true;

	for (unsigned int k = 0; k < run->n_lws; k++) {
		if (!__atomic_load_n(&run->lws[k].done, __ATOMIC_ACQUIRE))
			all = false;
		else if (run->lws[k].rc < 0)
			*failed = true;
	}
	return all;
}

/* The main lcore until SIGTERM/SIGINT (or a worker failing): events out,
 * ingest I/O, reloads, status.  Returns 0 or -EIO (a worker failed). */
static int service_loop(struct dp_run *run)
{
	double next_stats = hwall_mono_s() + run->cfg.stats_interval, next_allow = 0;
	bool failed = false;

	while (!sig_stop && !failed) {
		unsigned int n = dp_service_drain(&run->svc);

		dp_service_poll(&run->svc, n ? 0 : 5);
		if (sig_hup) {
			sig_hup = 0;
			reload(run);
		}
		if (run->cfg.allowlist_file && hwall_mono_s() >= next_allow) {
			allowlist_check(run);
			next_allow = hwall_mono_s() + 1;
		}
		if (hwall_mono_s() >= next_stats) {
			send_stats(run);
			next_stats = hwall_mono_s() + run->cfg.stats_interval;
		}
		workers_done(run, &failed);
	}
	/* Stop: the workers leave their loops and flush their flows
	 * (objects in flight reported as abandoned); drain until they are
	 * all out. */
	__atomic_store_n(&run->stop, 1, __ATOMIC_RELEASE);
	while (!workers_done(run, &failed))
		if (!dp_service_drain(&run->svc))
			dp_service_poll(&run->svc, 1);
	rte_eal_mp_wait_lcore();
	if (run->pdq_on)
		dp_pdq_run_stop(&run->pdq); /* what the workers queued is matched */
	dp_service_drain(&run->svc);
	send_stats(run);
	return failed ? -EIO : 0;
}

static void summary(struct dp_run *run, uint64_t written, uint64_t unacked)
{
	struct dp_counters c;
	uint64_t dropped = 0;

	dp_run_counters(run, &c);
	for (unsigned int k = 0; k < run->n_lws; k++)
		dropped += run->lws[k].ring.dropped;
	HWALL_LOG(INFO, "dp.live", "stopped: %" PRIu64 " packets, %" PRIu64 " objects, %" PRIu64
	       " matches, %" PRIu64 " events written, %" PRIu64 " events dropped (rings full)",
	       c.packets, c.info[DP_INFO_objects], c.info[DP_INFO_matches], written, dropped);
	if (unacked)
		HWALL_LOG(WARN, "dp.live", "%" PRIu64 " match events were not acknowledged by controld "
		       "and are lost", unacked);
}

static void teardown(struct dp_run *run)
{
	uint64_t unacked;

	dp_telemetry_unregister();
	/* The control socket first (no load may queue a re-check any more),
	 * then the journal (its last hits reach the service's ring), then
	 * the service. */
	dp_control_stop(&run->ctl);
	dp_live_journal_stop(run);
	unacked = dp_service_close(&run->svc, LINGER_MS);
	if (run->lws)
		summary(run, run->svc.written, unacked);
	dp_evring_fini(&run->jout);
	for (unsigned int p = 0; p < run->n_ports; p++)
		dp_port_stop(run->port_ids[p]);
	steer_stop(run);
	for (unsigned int k = 0; k < run->n_lws; k++) {
		run->lws[k].w.events_on = false;
		if (run->lws[k].ready)
			dp_worker_fini(&run->lws[k].w);
		dp_evring_fini(&run->lws[k].ring);
	}
	/* After the workers: their last objects give copies back to the taps. */
	dp_pdq_run_fini(&run->pdq);
	dp_evring_fini(&run->pdq_ring);
	if (run->live_ready)
		dp_setpub_fini(&run->live);
	hwall_pseudo_key_wipe(&run->key);
	if (run->pool)
		rte_mempool_free(run->pool);
	if (run->eal)
		dp_rx_eal_cleanup();
	run->n_lws = 0;
	free(run->lws);
	run->lws = NULL;
	dp_lcfg_free(&run->cfg);
}

/* Start everything, run the service loop, stop.  Returns an exit code. */
static int run_live(struct dp_run *run, struct dp_setlist *sets)
{
	unsigned int lcore, k = 0;
	int r;

	r = parts_start(run, sets);
	if (r == 0)
		r = eal_start(run);
	if (r == 0)
		r = ports_start(run);
	if (r == 0 && dp_telemetry_register(run) < 0)
		HWALL_LOG(WARN, "dp.live", "telemetry commands not registered");
	if (r == 0 && run->pdq_on && (r = pdq_thread_start(run)) < 0)
		HWALL_LOG(ERR, "dp.live", "pdq: thread: %s", hwall_strerror(r));
	if (r < 0)
		return EXIT_RUNTIME;
	RTE_LCORE_FOREACH_WORKER(lcore)
		if (k < run->n_lws)
			rte_eal_remote_launch(dp_lw_main, &run->lws[k++], lcore);
	HWALL_LOG(INFO, "dp.live", "running: %u worker(s), %u port(s), %u set(s)", run->n_lws,
	       run->n_ports, dp_setpub_current(&run->live)->n);
	r = service_loop(run);
	return r < 0 ? EXIT_RUNTIME : 0;
}

int dp_live_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct dp_run run; /* telemetry may read it until exit */
	struct dp_setlist *sets = NULL;
	struct dp_allowlist *allow = NULL;
	bool check = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': run.config_file = optarg; break;
		case 'k': check = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_CONFIG;
		}
	}
	if (!run.config_file || optind < argc) {
		usage(stderr);
		return EXIT_CONFIG;
	}
	catch_signals();
	rc = load_all(&run, &sets, &allow);
	if (rc == 0 && check) {
		printf("config ok: %zu port(s), %u worker(s), %u set(s), %s\n", run.cfg.n_ports,
		       run.cfg.workers, sets->n, allow ? "an allowlist" : "no allowlist");
		dp_setlist_free(sets);
	} else if (rc == 0) {
		rc = run_live(&run, sets);
	}
	teardown(&run);
	return rc;
}
