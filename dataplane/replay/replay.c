/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay.c - the replay subcommand: arguments, then rx, worker, events
 * wired together (see replay.h).
 */
#include "dataplane/replay/replay.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "common/algo.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/number.h"
#include "common/pseudo.h"
#include "dataplane/pdq/pdq_run.h"
#include "dataplane/sets/control_socket.h"
#include "dataplane/events.h"
#include "dataplane/sets/set_publish.h"
#include "dataplane/rx.h"
#include "dataplane/verdict.h"
#include "dataplane/worker.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define DP_REPLAY_WORKERS_MAX 64

struct replay_args {
	const char *pcap;
	const char *sets[DP_SETS_MAX];
	unsigned int nsets;
	const char *client_key;
	const char *control_socket;
	const char *allowlist;
	bool every_pass;
	uint64_t loops;
	uint64_t workers;
	struct dp_worker_conf conf;
	struct dp_pdq_conf pdq; /* --pdq, --pdq-config */
};

static void usage(FILE *out)
{
	fprintf(out, "usage: hashwall-dataplane replay --pcap FILE [--set FILE]... [--hash ALGO[,ALGO...]]\n"
	      "           [--log-objects] [--loop N] [--client-key FILE] [--http-ports P[,P...]]\n"
	      "           [--max-flows N] [--max-object-bytes N] [--idle-timeout SECONDS]\n"
	      "           [--control-socket PATH] [--events-every-pass] [--workers N]\n"
	      "           [--allowlist FILE] [--mbh-impl avx512|avx2|scalar]\n"
	      "           [--pdq] [--pdq-config FILE]\n"
	      "Replays an Ethernet pcap through the dataplane pipeline (streamed for one pass\n"
	      "on one worker, from memory for --loop N > 1 or --workers N > 1) and prints\n"
	      "JSON lines: object events (--log-objects), match events, then one stats event.\n"
	      "ALGO: %s.  Without --client-key, client pseudonyms use\n"
	      "a random key for this run only.  --allowlist: digests (ALGO HEX lines, as\n"
	      "controld writes them) never reported.  --control-socket serves load/unload/\n"
	      "allowlist/status while the replay runs (sets swapped live); SIGINT/SIGTERM\n"
	      "end it after the current pass.  --mbh-impl forces the md5/sha1 kernels (default:\n"
	      "$HASHWALL_MBH_IMPL, else the best this CPU runs; the stats event says which).\n"
	      "--pdq runs the PDQ stage (perceptual matching of image bodies against the\n"
	      "sets' pdq entries) with its defaults, --pdq-config with the settings of FILE\n"
	      "(the \"pdq\" object of docs/config.md); its events follow the workers'.\n",
	      hwall_algo_names());
}

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	if (hwall_parse_u64(s, min, max, ret) < 0) {
		HWALL_LOG(ERR, "dp.replay", "%s: '%s' is not a number in %" PRIu64 "..%" PRIu64, opt, s,
		       min, max);
		return -EINVAL;
	}
	return 0;
}

static int load_pdq(const char *file, struct dp_pdq_conf *c)
{
	struct hwall_err err = { { 0 } };

	dp_pdq_conf_free(c);
	if (dp_pdq_conf_load(file, c, &err) < 0) {
		HWALL_LOG(ERR, "dp.replay", "--pdq-config %s: %s", file, err.msg);
		return -EINVAL;
	}
	return 0;
}

/* --pdq without a config is checked too (the decoder must be there). */
static int check_pdq(const struct dp_pdq_conf *c)
{
	struct hwall_err err = { { 0 } };

	if (dp_pdq_conf_check(c, "pdq", &err) < 0) {
		HWALL_LOG(ERR, "dp.replay", "%s", err.msg);
		return -EINVAL;
	}
	return 0;
}

/* Fill @a from the command line; returns 0 or -EINVAL (message logged). */
static int parse_args(int argc, char **argv, struct replay_args *a)
{
	static const struct option opts[] = {
		{ "pcap", required_argument, NULL, 'p' },
		{ "set", required_argument, NULL, 's' },
		{ "hash", required_argument, NULL, 'H' },
		{ "log-objects", no_argument, NULL, 'o' },
		{ "loop", required_argument, NULL, 'l' },
		{ "client-key", required_argument, NULL, 'k' },
		{ "http-ports", required_argument, NULL, 'P' },
		{ "max-flows", required_argument, NULL, 'f' },
		{ "max-object-bytes", required_argument, NULL, 'm' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "control-socket", required_argument, NULL, 'C' },
		{ "events-every-pass", no_argument, NULL, 'E' },
		{ "workers", required_argument, NULL, 'w' },
		{ "allowlist", required_argument, NULL, 'a' },
		{ "mbh-impl", required_argument, NULL, 'M' },
		{ "pdq", no_argument, NULL, 'Q' },
		{ "pdq-config", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bad = NULL;
	uint64_t v;
	int c, impl;

	a->loops = 1;
	a->workers = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': a->pcap = optarg; break;
		case 'k': a->client_key = optarg; break;
		case 'o': a->conf.log_objects = true; break;
		case 'C': a->control_socket = optarg; break;
		case 'E': a->every_pass = true; break;
		case 'a': a->allowlist = optarg; break;
		case 'Q': a->pdq.enabled = true; break;
		case 'q': HWALL_TRY(load_pdq(optarg, &a->pdq)); break;
		case 'M':
			if ((impl = mbh_impl_parse(optarg)) < 0) {
				HWALL_LOG(ERR, "dp.replay", "--mbh-impl: '%s' is not avx512, avx2 or scalar",
					  optarg);
				return -EINVAL;
			}
			a->conf.mbh_impl = (enum mbh_impl)impl;
			break;
		case 'w': HWALL_TRY(parse_u64("--workers", optarg, 1, DP_REPLAY_WORKERS_MAX, &a->workers)); break;
		case 's':
			if (a->nsets == DP_SETS_MAX) {
				HWALL_LOG(ERR, "dp.replay", "--set: at most %d sets", DP_SETS_MAX);
				return -EINVAL;
			}
			a->sets[a->nsets++] = optarg;
			break;
		case 'H':
			if (hwall_algo_parse_list(optarg, &a->conf.hash_mask, &bad) < 0) {
				HWALL_LOG(ERR, "dp.replay", "--hash: unknown algorithm '%.*s' (known: %s)",
					  (int)strcspn(bad, ","), bad, hwall_algo_names());
				return -EINVAL;
			}
			for (int k = 0; k < HWALL_ALGO_COUNT; k++) {
				if (!(a->conf.hash_mask >> k & 1) || hwall_algo_streamed((enum hwall_algo)k))
					continue;
				HWALL_LOG(ERR, "dp.replay", "--hash: %s is perceptual: the PDQ stage "
					  "computes it from decoded images, not the digest stage; a set "
					  "with %s entries is enough to match it", hwall_algo_name((enum hwall_algo)k),
					  hwall_algo_name((enum hwall_algo)k));
				return -EINVAL;
			}
			break;
		case 'l': HWALL_TRY(parse_u64("--loop", optarg, 1, 1000000, &a->loops)); break;
		case 'f':
			HWALL_TRY(parse_u64("--max-flows", optarg, 1, 1u << 26, &v));
			a->conf.max_flows = (uint32_t)v;
			break;
		case 'm': HWALL_TRY(parse_u64("--max-object-bytes", optarg, 1, 1ull << 50, &a->conf.http.max_object_bytes)); break;
		case 'i':
			HWALL_TRY(parse_u64("--idle-timeout", optarg, 1, 86400, &v));
			a->conf.idle_ns = v * 1000000000ull;
			break;
		case 'P':
			if (dp_ports_parse(optarg, &a->conf.ports) < 0) {
				HWALL_LOG(ERR, "dp.replay", "--http-ports: '%s' is not a list of ports 1..65535", optarg);
				return -EINVAL;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (optind < argc) {
		HWALL_LOG(ERR, "dp.replay", "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!a->pcap) {
		HWALL_LOG(ERR, "dp.replay", "--pcap FILE is required");
		return -EINVAL;
	}
	return check_pdq(&a->pdq);
}

static void write_line(void *ctx, const char *line, size_t len, bool match,
		       const struct dp_flow_key *flow)
{
	(void)match;
	(void)flow;
	fwrite(line, 1, len, ctx);
}

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGINT/SIGTERM end the replay after the current pass. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* One worker of a replay: its share of the capture and what it produced. */
struct replay_worker {
	const struct replay_args *a;
	struct dp_setpub *live;
	const struct hwall_pseudo_key *key;
	struct dp_capture part;
	unsigned int id;
	struct dp_worker w;
	struct dp_pdq_run *pdq; /* NULL: no PDQ stage */
	FILE *out;          /* stdout for a single worker, else a memory stream */
	char *buf;
	size_t buf_len;
	uint64_t passes;
	uint64_t tsc_cycles; /* spent in the passes (wall time on its core) */
	double cpu_seconds;  /* CPU time of its thread over the same span */
	int rc;
};

/* Run up to a->loops passes (an lcore function); rw->passes says how many
 * ran. */
static int worker_main(void *arg)
{
	struct replay_worker *rw = arg;
	const struct replay_args *a = rw->a;
	uint64_t tsc0;
	double cpu0;

	rw->rc = dp_worker_init(&rw->w, &a->conf, NULL, rw->key, write_line, rw->out);
	if (rw->rc == 0 && (rw->rc = dp_worker_join_live(&rw->w, rw->live, rw->id)) < 0)
		dp_worker_fini(&rw->w);
	if (rw->rc < 0)
		return rw->rc;
	if (rw->pdq)
		dp_pdq_run_attach(rw->pdq, rw->id, &rw->w);
	tsc0 = rte_rdtsc();
	cpu0 = hwall_clock_s(CLOCK_THREAD_CPUTIME_ID);
	for (rw->passes = 0; rw->passes < a->loops && !stop_requested; rw->passes++) {
		/* Events describe the capture once; later passes are for timing. */
		rw->w.events_on = rw->passes == 0 || a->every_pass;
		dp_rx_replay_pass(&rw->w, &rw->part);
		if (a->every_pass)
			fflush(rw->out); /* a live event stream, pass by pass */
	}
	rw->tsc_cycles = rte_rdtsc() - tsc0;
	rw->cpu_seconds = hwall_clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	dp_worker_leave_live(&rw->w);
	return 0;
}

/* Worker 0 on the main lcore, the others on the worker lcores; wall time
 * of the whole run into *seconds. */
static void launch(struct replay_worker *rws, unsigned int n, double *seconds)
{
	unsigned int lcore, k = 1;
	double t0 = hwall_mono_s();

	RTE_LCORE_FOREACH_WORKER(lcore)
		if (k < n)
			rte_eal_remote_launch(worker_main, &rws[k++], lcore);
	worker_main(&rws[0]);
	rte_eal_mp_wait_lcore();
	*seconds = hwall_mono_s() - t0;
}

/* The PDQ stage of a replay: its match events wait in memory until the
 * workers' are out. */
struct replay_pdq {
	struct dp_pdq_run run;
	FILE *out;
	char *buf;
	size_t len;
	bool on;
};

static void write_pdq_line(void *ctx, const char *line, size_t len, const struct dp_flow_key *flow)
{
	(void)flow;
	fwrite(line, 1, len, ctx);
}

/* The CPUs of the lcores the @n workers run on (launch()): the main lcore
 * and the first worker lcores.  Returns how many are in @ret. */
static unsigned int replay_cpus(unsigned int n, unsigned int ret[DP_REPLAY_WORKERS_MAX])
{
	unsigned int lcore, k = 0;

	ret[k++] = rte_lcore_to_cpu_id((int)rte_get_main_lcore());
	RTE_LCORE_FOREACH_WORKER(lcore)
		if (k < n)
			ret[k++] = rte_lcore_to_cpu_id((int)lcore);
	return k;
}

/* Set up and start the stage (reader @n of @live) when @a asks for it, off
 * the workers' CPUs. */
static int pdq_begin(const struct replay_args *a, struct dp_setpub *live, unsigned int n,
		     struct replay_pdq *p)
{
	unsigned int busy[DP_REPLAY_WORKERS_MAX];
	struct hwall_err err = { { 0 } };
	int r;

	memset(p, 0, sizeof(*p));
	if (!a->pdq.enabled)
		return 0;
	p->out = open_memstream(&p->buf, &p->len);
	if (!p->out)
		return -ENOMEM;
	r = dp_pdq_run_init(&p->run, &a->pdq, n, live, n, write_pdq_line, p->out, &err);
	if (r == 0 && (r = dp_pdq_run_start(&p->run, busy, replay_cpus(n, busy))) < 0)
		hwall_err_set(&err, r, "pdq: thread: %s", hwall_strerror(r));
	if (r < 0)
		HWALL_LOG(ERR, "dp.replay", "%s", err.msg);
	p->on = true;
	return r;
}

/* Events in worker order, then the PDQ stage's, counters summed, the
 * stats event last. */
static int report(const struct replay_args *a, struct replay_worker *rws, unsigned int n,
		  struct replay_pdq *pdq, double seconds)
{
	struct dp_counters sum = { 0 };
	struct dp_cpu_use cpu = { .workers = n, .tsc_hz = rte_get_tsc_hz() };
	int rc = 0;

	for (unsigned int k = 0; k < n; k++) {
		if (rws[k].rc < 0) {
			HWALL_LOG(ERR, "dp.replay", "worker %u setup: %s", k, hwall_strerror(rws[k].rc));
			rc = rws[k].rc;
			continue;
		}
		if (rws[k].out != stdout && fclose(rws[k].out) == 0)
			fwrite(rws[k].buf, 1, rws[k].buf_len, stdout);
		rws[k].out = NULL;
		dp_counters_add(&sum, &rws[k].w.ctr);
		cpu.tsc_cycles += rws[k].tsc_cycles;
		cpu.cpu_seconds += rws[k].cpu_seconds;
		dp_cpu_use_add_mbh(&cpu, rws[k].w.mbh);
		if (n > 1)
			HWALL_LOG(INFO, "dp.replay",
			       "worker %u: %" PRIu64 " packets, %" PRIu64 " objects, %" PRIu64
			       " body bytes, %" PRIu64 " TSC cycles, %.6f s on CPU",
			       k, rws[k].w.ctr.packets, rws[k].w.ctr.info[DP_INFO_objects],
			       rws[k].w.ctr.body_bytes, rws[k].tsc_cycles, rws[k].cpu_seconds);
		if (rws[k].passes < a->loops)
			HWALL_LOG(INFO, "dp.replay", "stopped by a signal after %" PRIu64 " passes",
			       rws[k].passes);
	}
	if (pdq->on) {
		dp_pdq_run_stop(&pdq->run); /* every queued body done */
		if (fclose(pdq->out) == 0)
			fwrite(pdq->buf, 1, pdq->len, stdout);
		pdq->out = NULL;
		dp_counters_add(&sum, &pdq->run.stage.ctr);
	}
	if (rc == 0 && cpu.mbh.flushes)
		HWALL_LOG(INFO, "dp.replay",
			  "md5/sha1 on %s: lanes %.1f%% (md5) and %.1f%% (sha1) full, %" PRIu64
			  " blocks single-stream, %" PRIu64 " deferred",
			  mbh_impl_name(cpu.mbh_impl), dp_mbh_lanes_pct(&cpu.mbh, MBH_MD5),
			  dp_mbh_lanes_pct(&cpu.mbh, MBH_SHA1),
			  cpu.mbh.single_blocks[MBH_MD5] + cpu.mbh.single_blocks[MBH_SHA1],
			  cpu.mbh.deferred_blocks[MBH_MD5] + cpu.mbh.deferred_blocks[MBH_SHA1]);
	if (rc == 0)
		dp_event_stats_cpu(stdout, &sum, seconds, &cpu);
	return rc;
}

/* The workers, following the published set list, over the passes. */
static int run_workers(const struct replay_args *a, struct dp_setpub *live,
		       const struct hwall_pseudo_key *key, struct dp_capture *cap)
{
	unsigned int n = (unsigned int)a->workers;
	struct replay_worker *rws = calloc(n, sizeof(*rws));
	struct dp_capture *parts = calloc(n, sizeof(*parts));
	struct replay_pdq pdq = { 0 };
	double seconds = 0;
	int r = rws && parts ? 0 : -ENOMEM;

	/* One worker runs the capture as loaded; several get their shares. */
	if (r == 0 && n > 1)
		r = dp_capture_split(cap, &a->conf.ports, n, parts);
	else if (r == 0)
		parts[0] = *cap; /* a view: freed through @cap only */
	for (unsigned int k = 0; r == 0 && k < n; k++) {
		rws[k] = (struct replay_worker){ .a = a, .live = live, .key = key, .part = parts[k],
						 .id = k, .out = stdout, .pdq = a->pdq.enabled ? &pdq.run : NULL };
		if (n > 1 && !(rws[k].out = open_memstream(&rws[k].buf, &rws[k].buf_len)))
			r = -ENOMEM;
	}
	if (r == 0)
		r = pdq_begin(a, live, n, &pdq);
	if (r == 0) {
		launch(rws, n, &seconds);
		r = report(a, rws, n, &pdq, seconds);
	} else {
		HWALL_LOG(ERR, "dp.replay", "worker setup: %s", hwall_strerror(r));
	}
	for (unsigned int k = 0; rws && k < n; k++) {
		if (rws[k].out && rws[k].out != stdout)
			fclose(rws[k].out);
		free(rws[k].buf);
		rws[k].w.events_on = false; /* its stream is closed (passes flush anyway) */
		if (rws[k].rc == 0 && rws[k].a)
			dp_worker_fini(&rws[k].w);
	}
	dp_pdq_run_fini(&pdq.run);
	if (pdq.out)
		fclose(pdq.out);
	free(pdq.buf);
	if (parts && n > 1)
		dp_capture_parts_free(parts, n);
	free(parts);
	free(rws);
	return r;
}

/* Open the sets and the key, load the capture, serve the control socket,
 * run the passes. */
static int run(struct replay_args *a)
{
	struct dp_setlist *sets = NULL;
	struct dp_setpub live = { 0 };
	struct dp_control ctl = { 0 };
	struct hwall_pseudo_key key;
	struct dp_capture cap = { 0 };
	struct hwall_err err = { { 0 } };
	int r;

	/* One pass on one worker reads the capture as it goes (bounded
	 * memory); passes for timing and several workers run from memory. */
	r = dp_capture_scan(a->pcap, a->loops == 1 && a->workers == 1, &cap, &err);
	if (r < 0) {
		HWALL_LOG(ERR, "dp.replay", "cannot replay %s", err.msg);
		return EXIT_RUNTIME;
	}
	r = dp_setlist_open(a->sets, a->nsets, &sets, &err);
	if (r < 0) {
		HWALL_LOG(ERR, "dp.replay", "bad set file %s", err.msg);
		goto out_cap;
	}
	if (a->allowlist && (r = dp_allowlist_load(a->allowlist, &sets->allow, &err)) < 0) {
		HWALL_LOG(ERR, "dp.replay", "bad allowlist %s", err.msg);
		dp_setlist_free(sets);
		goto out_cap;
	}
	/* The PDQ stage follows the list as one more reader. */
	r = dp_setpub_init(&live, (unsigned int)a->workers + a->pdq.enabled, sets);
	if (r < 0) {
		HWALL_LOG(ERR, "dp.replay", "set list: %s", hwall_strerror(r));
		goto out_cap;
	}
	r = a->client_key ? hwall_pseudo_key_load(a->client_key, &key) : hwall_pseudo_key_random(&key);
	if (r < 0) {
		HWALL_LOG(ERR, "dp.replay", "client key %s: %s%s", a->client_key ?: "(random)",
		       hwall_strerror(r), r == -EPERM ? " (group or others may read it; chmod 600)" : "");
		goto out_live;
	}
	r = dp_rx_load(a->pcap, &cap, (unsigned int)a->workers, &err);
	if (r == 0 && a->control_socket)
		r = dp_control_start(&ctl, &live, a->control_socket, &err);
	if (r < 0)
		HWALL_LOG(ERR, "dp.replay", "%s", err.msg);
	else
		r = run_workers(a, &live, &key, &cap);
	dp_control_stop(&ctl);
	hwall_pseudo_key_wipe(&key);
out_live:
	dp_setpub_fini(&live);
out_cap:
	dp_capture_free(&cap);
	if (fflush(stdout) != 0 && r == 0) {
		HWALL_LOG(ERR, "dp.replay", "writing events: %s", hwall_strerror(hwall_neg_errno()));
		r = -EIO;
	}
	return r < 0 ? EXIT_RUNTIME : 0;
}

int dp_replay_main(int argc, char **argv)
{
	struct replay_args a = { 0 };
	int rc;

	dp_worker_conf_default(&a.conf);
	dp_pdq_conf_default(&a.pdq);
	if (parse_args(argc, argv, &a) < 0) {
		dp_pdq_conf_free(&a.pdq);
		usage(stderr);
		return EXIT_USAGE;
	}
	catch_stop_signals();
	rc = run(&a);
	dp_pdq_conf_free(&a.pdq);
	return rc;
}
