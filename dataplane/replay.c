/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay.c - the replay subcommand: arguments, then rx, worker, events
 * wired together (see replay.h).
 */
#include "dataplane/replay.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/digest.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/pseudo.h"
#include "dataplane/control.h"
#include "dataplane/events.h"
#include "dataplane/live.h"
#include "dataplane/rx.h"
#include "dataplane/verdict.h"
#include "dataplane/worker.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

struct replay_args {
	const char *pcap;
	const char *sets[DP_SETS_MAX];
	unsigned int nsets;
	const char *client_key;
	const char *control_socket;
	bool every_pass;
	uint64_t loops;
	struct dp_worker_conf conf;
};

static void usage(FILE *out)
{
	fputs("usage: hashwall-dataplane replay --pcap FILE [--set FILE]... [--hash ALGO[,ALGO...]]\n"
	      "           [--log-objects] [--loop N] [--client-key FILE] [--http-ports P[,P...]]\n"
	      "           [--max-flows N] [--max-object-bytes N] [--idle-timeout SECONDS]\n"
	      "           [--control-socket PATH] [--events-every-pass]\n"
	      "Replays an Ethernet pcap from memory through the dataplane pipeline and prints\n"
	      "JSON lines: object events (--log-objects), match events, then one stats event.\n"
	      "ALGO: xxh3-128, md5, sha1, sha256.  Without --client-key, client pseudonyms use\n"
	      "a random key for this run only.  --control-socket serves load/unload/status\n"
	      "while the replay runs (sets swapped live); SIGINT/SIGTERM end it after the\n"
	      "current pass.\n",
	      out);
}

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < min || v > max) {
		HW_LOG(ERR, "dp.replay", "%s: '%s' is not a number in %" PRIu64 "..%" PRIu64, opt, s,
		       min, max);
		return -EINVAL;
	}
	*ret = v;
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bad = NULL;
	uint64_t v;
	int c;

	a->loops = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': a->pcap = optarg; break;
		case 'k': a->client_key = optarg; break;
		case 'o': a->conf.log_objects = true; break;
		case 'C': a->control_socket = optarg; break;
		case 'E': a->every_pass = true; break;
		case 's':
			if (a->nsets == DP_SETS_MAX) {
				HW_LOG(ERR, "dp.replay", "--set: at most %d sets", DP_SETS_MAX);
				return -EINVAL;
			}
			a->sets[a->nsets++] = optarg;
			break;
		case 'H':
			if (hw_algo_parse_list(optarg, &a->conf.hash_mask, &bad) < 0) {
				HW_LOG(ERR, "dp.replay", "--hash: unknown algorithm at '%s' (known: xxh3-128, md5, sha1, sha256)", bad);
				return -EINVAL;
			}
			break;
		case 'l': HW_TRY(parse_u64("--loop", optarg, 1, 1000000, &a->loops)); break;
		case 'f':
			HW_TRY(parse_u64("--max-flows", optarg, 1, 1u << 26, &v));
			a->conf.max_flows = (uint32_t)v;
			break;
		case 'm': HW_TRY(parse_u64("--max-object-bytes", optarg, 1, 1ull << 50, &a->conf.http.max_object_bytes)); break;
		case 'i':
			HW_TRY(parse_u64("--idle-timeout", optarg, 1, 86400, &v));
			a->conf.idle_ns = v * 1000000000ull;
			break;
		case 'P':
			if (dp_ports_parse(optarg, &a->conf.ports) < 0) {
				HW_LOG(ERR, "dp.replay", "--http-ports: '%s' is not a list of ports 1..65535", optarg);
				return -EINVAL;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (optind < argc) {
		HW_LOG(ERR, "dp.replay", "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!a->pcap) {
		HW_LOG(ERR, "dp.replay", "--pcap FILE is required");
		return -EINVAL;
	}
	return 0;
}

static void write_line(void *ctx, const char *line, size_t len)
{
	fwrite(line, 1, len, ctx);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* Run up to a->loops passes; returns how many ran. */
static uint64_t run_passes(const struct replay_args *a, struct dp_worker *w,
			   const struct dp_capture *cap, double *seconds)
{
	uint64_t pass;

	for (pass = 0; pass < a->loops && !stop_requested; pass++) {
		double t0 = now_s();
		/* Events describe the capture once; later passes are for timing. */
		w->events_on = pass == 0 || a->every_pass;
		dp_rx_replay_pass(w, cap);
		*seconds += now_s() - t0;
		if (a->every_pass)
			fflush(stdout); /* a live event stream, pass by pass */
	}
	return pass;
}

/* The worker, following the published set list, over the passes. */
static int run_worker(const struct replay_args *a, struct dp_live *live,
		      const struct hw_pseudo_key *key, const struct dp_capture *cap)
{
	struct dp_worker w = { 0 };
	double seconds = 0;
	uint64_t passes;
	int r;

	r = dp_worker_init(&w, &a->conf, NULL, key, write_line, stdout);
	if (r == 0 && (r = dp_worker_join_live(&w, live, 0)) < 0)
		dp_worker_fini(&w);
	if (r < 0) {
		HW_LOG(ERR, "dp.replay", "worker setup: %s", hw_strerror(r));
		return r;
	}
	passes = run_passes(a, &w, cap, &seconds);
	dp_worker_leave_live(&w);
	dp_event_stats(stdout, &w.ctr, seconds);
	dp_worker_fini(&w);
	if (passes < a->loops)
		HW_LOG(INFO, "dp.replay", "stopped by a signal after %" PRIu64 " passes", passes);
	return 0;
}

/* Open the sets and the key, load the capture, serve the control socket,
 * run the passes. */
static int run(struct replay_args *a)
{
	struct dp_setlist *sets = NULL;
	struct dp_live live = { 0 };
	struct dp_control ctl = { 0 };
	struct hw_pseudo_key key;
	struct dp_capture cap = { 0 };
	struct hws_error herr = { { 0 } };
	char err[512];
	int r;

	r = dp_capture_scan(a->pcap, &cap, err, sizeof(err));
	if (r < 0) {
		HW_LOG(ERR, "dp.replay", "cannot replay %s", err);
		return EXIT_RUNTIME;
	}
	r = dp_setlist_open(a->sets, a->nsets, &sets, &herr);
	if (r < 0) {
		HW_LOG(ERR, "dp.replay", "bad set file %s", herr.msg);
		goto out_cap;
	}
	r = dp_live_init(&live, 1, sets);
	if (r < 0) {
		HW_LOG(ERR, "dp.replay", "set list: %s", hw_strerror(r));
		goto out_cap;
	}
	r = a->client_key ? hw_pseudo_key_load(a->client_key, &key) : hw_pseudo_key_random(&key);
	if (r < 0) {
		HW_LOG(ERR, "dp.replay", "client key %s: %s%s", a->client_key ?: "(random)",
		       hw_strerror(r), r == -EPERM ? " (group or others may read it; chmod 600)" : "");
		goto out_live;
	}
	r = dp_rx_load(a->pcap, &cap, err, sizeof(err));
	if (r == 0 && a->control_socket)
		r = dp_control_start(&ctl, &live, a->control_socket, err, sizeof(err));
	if (r < 0)
		HW_LOG(ERR, "dp.replay", "%s", err);
	else
		r = run_worker(a, &live, &key, &cap);
	dp_control_stop(&ctl);
	hw_pseudo_key_wipe(&key);
out_live:
	dp_live_fini(&live);
out_cap:
	dp_capture_free(&cap);
	if (fflush(stdout) != 0 && r == 0) {
		HW_LOG(ERR, "dp.replay", "writing events: %s", hw_strerror(hw_neg_errno()));
		r = -EIO;
	}
	return r < 0 ? EXIT_RUNTIME : 0;
}

int dp_replay_main(int argc, char **argv)
{
	struct replay_args a = { 0 };

	dp_worker_conf_default(&a.conf);
	if (parse_args(argc, argv, &a) < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	catch_stop_signals();
	return run(&a);
}
