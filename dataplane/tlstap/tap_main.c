// SPDX-License-Identifier: GPL-2.0-only
/*
 * tap_main.c - hashwall-tlstap: the TLS plaintext tap on a serving host
 * (docs/tls-tap.md).  Loads and attaches the tap program (bpf/bpfw_tlstap.h),
 * reads its ring buffer and runs the records through one dataplane worker's
 * stages (tap.h): HTTP/1.1 or HTTP/2, digests, the published set list
 * (control socket, as syncd drives the dataplane), allowlist, events to a
 * file or stdout and to controld's ingest socket (live/service.h).
 *
 * Plaintext stays in this process's memory: the process is not dumpable
 * (no core dump, no ptrace by other users), the ring buffer is reachable
 * only through its own file descriptors, nothing is written but events.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "bpf/bpfw_tlstap.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/number.h"
#include "common/pseudo.h"
#include "dataplane/events.h"
#include "dataplane/live/evring.h"
#include "dataplane/live/service.h"
#include "dataplane/sets/control_socket.h"
#include "dataplane/sets/set_publish.h"
#include "dataplane/tlstap/tap.h"
#include "dataplane/tlstap/tap_block.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define TOPIC "dp.tlstap"
#define POLL_MS 100
#define EVRING_SIZE 4096

struct tap_args {
	struct bpfw_tap_opts bpf;
	const char *cgroup;
	const char *sets[DP_SETS_MAX];
	unsigned int nsets;
	const char *client_key;
	const char *control_socket;
	const char *allowlist;
	struct dp_service_conf svc;
	uint64_t max_conns;
	uint64_t idle_s;
	struct dp_worker_conf conf;
	struct dp_h2_limits h2;
	bool block_urls;
	const char *pin_root;
	uint64_t flow_ttl;
};

/* Everything the run holds. */
struct tap_run {
	struct tap_args *a;
	struct dp_worker w;
	struct dp_tap tap;
	struct dp_setpub live;
	struct dp_control ctl;
	struct dp_service svc;
	struct dp_evring ring;
	bool use_svc;
	struct hwall_pseudo_key key;
	struct dp_tap_block blk;
	uint64_t events_dropped; /* the event ring's, kept past its end */
	unsigned int queued;     /* events put since the last drain */
};

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: hashwall-tlstap [--libssl PATH] [--ports P[,P...]] [--pid N]... [--cgroup DIR]\n"
		"           [--ring-bytes N]\n"
		"           [--set FILE]... [--allowlist FILE] [--control-socket PATH]\n"
		"           [--client-key FILE] [--log-objects] [--event-file PATH]\n"
		"           [--ingest-socket PATH --id ID] [--max-conns N] [--idle-timeout SECONDS]\n"
		"           [--max-object-bytes N] [--h2-max-streams N]\n"
		"           [--block-urls [--pin-root DIR] [--flow-ttl SECONDS]]\n"
		"Attaches uprobes to libssl's SSL_read/SSL_write (every process mapping it, or\n"
		"the given PIDs, or tasks of one cgroup v2 directory) and runs the plaintext of\n"
		"each TLS connection served on --ports (default 443) through the dataplane's\n"
		"HTTP/1.1 and HTTP/2 stages, digests\n"
		"and set lookup.  Events go to --event-file (else stdout) and, with\n"
		"--ingest-socket, to controld.  --block-urls: a request for a URL in the pinned\n"
		"blocked-URL map resets its connection and blocks its flow.  SIGINT/SIGTERM:\n"
		"detach, print the stats, exit.\n");
}

static int num(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	if (hwall_parse_u64(s, min, max, ret) < 0) {
		HWALL_LOG(ERR, TOPIC, "%s: '%s' is not a number in %" PRIu64 "..%" PRIu64, opt, s, min,
			  max);
		return -EINVAL;
	}
	return 0;
}

static int add_pid(struct tap_args *a, const char *s)
{
	uint64_t v;

	HWALL_TRY(num("--pid", s, 1, INT32_MAX, &v));
	if (a->bpf.n_pids == BPFW_TAP_PIDS_MAX) {
		HWALL_LOG(ERR, TOPIC, "--pid: at most %d", BPFW_TAP_PIDS_MAX);
		return -EINVAL;
	}
	a->bpf.pids[a->bpf.n_pids++] = (pid_t)v;
	return 0;
}

/* --ports 443,8443 */
static int add_ports(struct tap_args *a, const char *list)
{
	char buf[256], *save = NULL;
	uint64_t v;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		HWALL_TRY(num("--ports", tok, 1, 65535, &v));
		if (a->bpf.n_ports == BPFW_TAP_PORTS_MAX) {
			HWALL_LOG(ERR, TOPIC, "--ports: at most %d", BPFW_TAP_PORTS_MAX);
			return -EINVAL;
		}
		a->bpf.ports[a->bpf.n_ports++] = (uint16_t)v;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct tap_args *a)
{
	static const struct option opts[] = {
		{ "libssl", required_argument, NULL, 'L' },
		{ "pid", required_argument, NULL, 'p' },
		{ "ports", required_argument, NULL, 'P' },
		{ "cgroup", required_argument, NULL, 'g' },
		{ "ring-bytes", required_argument, NULL, 'r' },
		{ "set", required_argument, NULL, 's' },
		{ "allowlist", required_argument, NULL, 'a' },
		{ "control-socket", required_argument, NULL, 'C' },
		{ "client-key", required_argument, NULL, 'k' },
		{ "log-objects", no_argument, NULL, 'o' },
		{ "event-file", required_argument, NULL, 'e' },
		{ "ingest-socket", required_argument, NULL, 'I' },
		{ "id", required_argument, NULL, 'd' },
		{ "max-conns", required_argument, NULL, 'c' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "max-object-bytes", required_argument, NULL, 'm' },
		{ "h2-max-streams", required_argument, NULL, 'S' },
		{ "block-urls", no_argument, NULL, 'B' },
		{ "pin-root", required_argument, NULL, 'R' },
		{ "flow-ttl", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'L': a->bpf.libssl = optarg; break;
		case 'p': HWALL_TRY(add_pid(a, optarg)); break;
		case 'P': HWALL_TRY(add_ports(a, optarg)); break;
		case 'g': a->cgroup = optarg; break;
		case 'r':
			HWALL_TRY(num("--ring-bytes", optarg, 4096, 1u << 30, &v));
			a->bpf.ring_bytes = (uint32_t)v;
			break;
		case 's':
			if (a->nsets == DP_SETS_MAX) {
				HWALL_LOG(ERR, TOPIC, "--set: at most %d sets", DP_SETS_MAX);
				return -EINVAL;
			}
			a->sets[a->nsets++] = optarg;
			break;
		case 'a': a->allowlist = optarg; break;
		case 'C': a->control_socket = optarg; break;
		case 'k': a->client_key = optarg; break;
		case 'o': a->conf.log_objects = true; break;
		case 'e': a->svc.event_file = optarg; break;
		case 'I': a->svc.ingest_socket = optarg; break;
		case 'd': a->svc.id = optarg; break;
		case 'c': HWALL_TRY(num("--max-conns", optarg, 1, 1u << 24, &a->max_conns)); break;
		case 'i': HWALL_TRY(num("--idle-timeout", optarg, 1, 86400, &a->idle_s)); break;
		case 'm': HWALL_TRY(num("--max-object-bytes", optarg, 1, 1ull << 50, &a->conf.http.max_object_bytes)); break;
		case 'S':
			HWALL_TRY(num("--h2-max-streams", optarg, 1, 65536, &v));
			a->h2.max_streams = (uint32_t)v;
			break;
		case 'B': a->block_urls = true; break;
		case 'R': a->pin_root = optarg; break;
		case 'T': HWALL_TRY(num("--flow-ttl", optarg, 1, 86400 * 365, &a->flow_ttl)); break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (optind < argc) {
		HWALL_LOG(ERR, TOPIC, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (a->svc.ingest_socket && !a->svc.id) {
		HWALL_LOG(ERR, TOPIC, "--ingest-socket needs --id");
		return -EINVAL;
	}
	return 0;
}

static void put_event(void *ctx, const char *line, size_t len, bool match,
		      const struct dp_flow_key *flow)
{
	struct tap_run *run = ctx;

	if (run->use_svc) {
		/* One thread fills and drains the ring: drain before it can fill
		 * up within one poll's records. */
		if (++run->queued >= EVRING_SIZE / 2) {
			dp_service_drain(&run->svc);
			run->queued = 0;
		}
		dp_evring_put(&run->ring, line, len, match, flow);
	} else
		fwrite(line, 1, len, stdout);
}

static int on_record(void *ctx, const struct tlstap_rec *rec, size_t size)
{
	struct tap_run *run = ctx;

	dp_tap_record(&run->tap, rec, size, hwall_real_ns());
	return 0;
}

/* The sets, the allowlist, the key; then the worker following the list. */
static int open_stages(struct tap_run *run, struct hwall_err *err)
{
	struct tap_args *a = run->a;
	struct dp_setlist *sets = NULL;
	int r;

	HWALL_TRY(dp_setlist_open(a->sets, a->nsets, &sets, err));
	if (a->allowlist && (r = dp_allowlist_load(a->allowlist, &sets->allow, err)) < 0) {
		dp_setlist_free(sets);
		return r;
	}
	HWALL_TRY(dp_setpub_init(&run->live, 1, sets));
	r = a->client_key ? hwall_pseudo_key_load(a->client_key, &run->key)
			  : hwall_pseudo_key_random(&run->key);
	if (r < 0)
		return hwall_err_set(err, r, "client key %s: %s", a->client_key ?: "(random)",
				     hwall_strerror(r));
	a->conf.max_flows = (uint32_t)a->max_conns;
	r = dp_worker_init(&run->w, &a->conf, NULL, &run->key, put_event, run);
	if (r == 0)
		r = dp_worker_join_live(&run->w, &run->live, 0);
	if (r == 0)
		r = dp_tap_init(&run->tap, &run->w, (uint32_t)a->max_conns, a->idle_s * 1000000000ull,
				&a->h2);
	if (r < 0)
		return hwall_err_set(err, r, "worker: %s", hwall_strerror(r));
	if (a->control_socket)
		HWALL_TRY(dp_control_start(&run->ctl, &run->live, a->control_socket, err));
	if (a->block_urls) {
		HWALL_TRY(dp_tap_block_open(&run->blk, a->pin_root, (uint32_t)a->flow_ttl, err));
		run->w.http.request_fn = dp_tap_block_request;
		run->w.http.request_ctx = &run->blk;
	}
	run->use_svc = a->svc.event_file || a->svc.ingest_socket;
	if (!run->use_svc)
		return 0;
	HWALL_TRY(dp_evring_init(&run->ring, EVRING_SIZE));
	HWALL_TRY(dp_service_open(&run->svc, &a->svc, err));
	return dp_service_add_ring(&run->svc, &run->ring);
}

static void close_stages(struct tap_run *run)
{
	dp_tap_fini(&run->tap); /* objects in flight reported */
	if (run->use_svc) {
		dp_service_drain(&run->svc);
		dp_service_close(&run->svc, 2000);
		run->events_dropped = run->ring.dropped;
		dp_evring_fini(&run->ring);
	}
	dp_control_stop(&run->ctl);
	dp_tap_block_close(&run->blk);
	dp_worker_leave_live(&run->w);
	dp_worker_fini(&run->w);
	hwall_pseudo_key_wipe(&run->key);
	if (run->live.qs)
		dp_setpub_fini(&run->live);
}

/* The stats event (every dataplane counter) and the tap's counters. */
static void print_stats(struct tap_run *run, struct bpfw_tap *bt, double seconds)
{
	uint64_t k[TLSTAP_REASON_COUNT];

	dp_event_stats(stdout, &run->w.ctr, seconds);
	printf("{\"event\":\"tlstap\"");
	for (unsigned int i = 0; i < DP_TAP_CTR_COUNT; i++)
		printf(",\"%s\":%" PRIu64, dp_tap_ctr_name(i), run->tap.ctr[i]);
	if (bt && bpfw_tap_counters(bt, k) == 0)
		for (unsigned int i = 0; i < TLSTAP_REASON_COUNT; i++)
			printf(",\"bpf_%s\":%" PRIu64, bpfw_tap_reason_name(i), k[i]);
	printf(",\"url_checked\":%" PRIu64 ",\"url_blocked\":%" PRIu64 ",\"url_not_checked\":%" PRIu64
	       ",\"url_reset_failed\":%" PRIu64 ",\"url_flow_failed\":%" PRIu64, run->blk.checked,
	       run->blk.blocked, run->blk.not_checked, run->blk.reset_failed, run->blk.flow_failed);
	printf(",\"events_dropped\":%" PRIu64 "}\n", run->events_dropped);
}

static void loop(struct tap_run *run, struct bpfw_tap *bt)
{
	while (!stop) {
		dp_worker_refresh_sets(&run->w);
		if (bpfw_tap_poll(bt, POLL_MS) < 0)
			break;
		dp_tap_expire(&run->tap, hwall_mono_ns(), 1024);
		if (run->use_svc) {
			dp_service_drain(&run->svc);
			run->queued = 0;
			dp_service_poll(&run->svc, 0);
		} else {
			fflush(stdout);
		}
	}
}

static int run_tap(struct tap_args *a)
{
	struct tap_run run = { .a = a };
	struct hwall_err err = { { 0 } };
	struct bpfw_tap *bt = NULL;
	double t0 = hwall_mono_s();
	int r;

	r = a->cgroup ? bpfw_tap_cgroup_id(a->cgroup, &a->bpf.cgroup_id) : 0;
	if (r < 0)
		hwall_err_set(&err, r, "--cgroup %s: %s", a->cgroup, hwall_strerror(r));
	if (r == 0)
		r = open_stages(&run, &err);
	if (r == 0 && !(bt = bpfw_tap_open(&a->bpf, on_record, &run, &err)))
		r = -errno;
	if (r < 0) {
		HWALL_LOG(ERR, TOPIC, "%s", err.msg);
		close_stages(&run);
		return EXIT_RUNTIME;
	}
	HWALL_LOG(INFO, TOPIC, "attached %u probes to %s; ready", bpfw_tap_links(bt),
		  a->bpf.libssl ? a->bpf.libssl : BPFW_TAP_LIBSSL_DEFAULT);
	loop(&run, bt);
	bpfw_tap_poll(bt, 0); /* what is still queued */
	close_stages(&run);
	print_stats(&run, bt, hwall_mono_s() - t0);
	bpfw_tap_close(bt);
	return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
	struct tap_args a = { .max_conns = 65536, .idle_s = 300, .flow_ttl = 600 };
	struct sigaction sa = { .sa_handler = on_stop };

	/* Plaintext passes through this process: never in a core dump. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	dp_worker_conf_default(&a.conf);
	dp_h2_limits_default(&a.h2);
	if (parse_args(argc, argv, &a) < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return run_tap(&a);
}
