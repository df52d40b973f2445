/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * syncd_main.c - `hashwall-syncd`, the appliance's side of sync:
 *
 *   hashwall-syncd run --config FILE [--once]   push endpoint and pull mode
 *   hashwall-syncd verify --config FILE BUNDLE  the same checks, offline
 *   hashwall-syncd status --config FILE         per set: versions, freshness
 *
 * Only wiring and messages here; the work is in sync_engine.c, syncd_push.c
 * and syncd_pull.c.
 */
#include "syncd.h"
#include "sync_trust.h"
#include "common/errors.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

/* Exit codes: verify 1 = refused, status 1 = a set is stale. */
enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_FAIL = 3 };

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *out)
{
	fputs("usage: hashwall-syncd run --config FILE [--once]\n"
	      "       hashwall-syncd verify --config FILE BUNDLE\n"
	      "       hashwall-syncd status --config FILE\n"
	      "See docs/sync-protocol.md.\n",
	      out);
}

static int cmd_verify(struct sync_engine *e, const char *path)
{
	struct sync_result res;
	struct sync_target *t;
	char *text = NULL;
	const uint8_t *buf;
	size_t len = 0;
	int r;

	/* Size caps before reading: a file over the cap is not read at all. */
	r = hwall_read_file(path, e->caps.bundle_bytes, &text, &len);
	if (r == -EFBIG) {
		printf("refused: %s: %s is over the bundle size cap\n", sync_refusal_name(SYNC_REFUSE_TOO_LARGE),
		       path);
		return EXIT_REFUSED;
	}
	if (r < 0) {
		fprintf(stderr, "hashwall-syncd: %s: %s\n", path, hwall_strerror(r));
		return EXIT_FAIL;
	}
	buf = (const uint8_t *)text;
	t = sync_engine_find_signer(e, buf, len);
	if (!t && e->n_targets == 1)
		t = &e->targets[0]; /* one hotline: its verdict says why */
	if (!t) {
		struct sync_bundle b;
		struct sync_verdict v = { .reason = SYNC_REFUSE_UNKNOWN_KEY };
		if (sync_bundle_split(buf, len, &e->caps, &b, &v) == 0)
			sync_refuse(&v, SYNC_REFUSE_UNKNOWN_KEY, "no configured hotline's key signed it");
		printf("refused: %s: %s\n", sync_refusal_name(v.reason), v.detail.msg);
		free(text);
		return EXIT_REFUSED;
	}
	r = sync_engine_submit(e, t, buf, len, time(NULL), false, &res);
	free(text);
	if (r < 0) {
		printf("refused: %s: %s\n", sync_refusal_name(res.verdict.reason), res.verdict.detail.msg);
		return EXIT_REFUSED;
	}
	printf("ok: set %s would install %s version %" PRIu64 "\n", t->hl->set, sync_kind_name(res.kind),
	       res.version);
	return 0;
}

static int cmd_status(struct sync_engine *e)
{
	char *text = sync_engine_status_json(e, time(NULL));
	bool stale = false;

	if (!text)
		return EXIT_FAIL;
	puts(text);
	free(text);
	for (size_t i = 0; i < e->n_targets; i++)
		stale |= sync_target_stale(&e->targets[i], time(NULL), NULL);
	return stale ? EXIT_REFUSED : 0;
}

/* Every 5 s, hand versions the dataplane has not acknowledged over again. */
static void retry_dataplane(struct sync_engine *e, int64_t now)
{
	static int64_t last;
	struct hwall_err err;

	if (now - last < 5)
		return;
	last = now;
	for (size_t i = 0; i < e->n_targets; i++)
		if (sync_engine_renotify(e, &e->targets[i], &err) < 0)
			HWALL_LOG(WARN, "sync", "set %s: dataplane has not taken version %" PRIu64 " yet: %s",
			       e->targets[i].hl->set, sync_engine_installed(e, &e->targets[i], false),
			       err.msg);
}

/* One daemon per state directory: hold an exclusive lock on a file in it. */
static int lock_state_dir(const char *dir)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/syncd.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, SYNC_STATE_FILE_MODE);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		HWALL_LOG(ERR, "sync", "%s: %s", path,
		       errno == EWOULDBLOCK ? "another hashwall-syncd runs on this state_dir" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd; /* kept open (and locked) until exit */
}

static int cmd_run(struct sync_engine *e, bool once)
{
	struct syncd_push *push = NULL;
	struct syncd_pull *pull;
	bool any_pull = false;
	struct hwall_err err = { { 0 } };
	int r;

	for (size_t i = 0; i < e->n_targets; i++)
		any_pull |= e->targets[i].hl->has_pull;
	if (!any_pull && (!e->cfg->has_listen || once)) {
		HWALL_LOG(ERR, "sync", "nothing to do: %s", once ? "no hotline has pull.url"
							       : "no listen section and no pull.url");
		return EXIT_USAGE;
	}
	if (lock_state_dir(e->cfg->state_dir) < 0)
		return EXIT_FAIL;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (e->cfg->has_listen && !once) {
		push = syncd_push_start(e, &err);
		if (!push) {
			HWALL_LOG(ERR, "sync", "push endpoint: %s", err.msg);
			return EXIT_FAIL;
		}
		HWALL_LOG(INFO, "sync", "push endpoint on https://%s:%u/v1/bundles", e->cfg->listen.address,
		       e->cfg->listen.port);
	}
	pull = syncd_pull_new(e, &stop_flag);
	if (!pull) {
		syncd_push_stop(push);
		return EXIT_FAIL;
	}
	r = once ? syncd_pull_tick(pull, true) : 0;
	while (!stop_flag && !once) {
		syncd_pull_tick(pull, false);
		retry_dataplane(e, time(NULL));
		usleep(200 * 1000);
	}
	syncd_pull_free(pull);
	syncd_push_stop(push);
	return r < 0 ? EXIT_FAIL : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *config = NULL, *cmd = argc > 1 ? argv[1] : "";
	struct sync_config cfg = { 0 };
	struct sync_engine e = { 0 };
	struct hwall_err err = { { 0 } };
	bool once = false;
	int c, r;

	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'o': once = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (!config || (strcmp(cmd, "verify") == 0) != (argc - 1 - optind == 1) ||
	    (strcmp(cmd, "run") && strcmp(cmd, "verify") && strcmp(cmd, "status"))) {
		usage(stderr);
		return EXIT_USAGE;
	}
	hwall_log_configure(getenv("HASHWALL_LOG"));
	if (sync_crypto_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "hashwall-syncd: libsodium or libcurl failed to initialise\n");
		return EXIT_FAIL;
	}
	r = sync_config_load(config, &cfg, &err);
	if (r == 0)
		r = sync_engine_open(&e, &cfg, strcmp(cmd, "run") != 0, &err);
	if (r < 0) {
		fprintf(stderr, "hashwall-syncd: %s\n", err.msg);
		r = EXIT_FAIL;
	} else if (strcmp(cmd, "verify") == 0) {
		r = cmd_verify(&e, argv[1 + optind]);
	} else if (strcmp(cmd, "status") == 0) {
		r = cmd_status(&e);
	} else {
		r = cmd_run(&e, once);
	}
	sync_engine_close(&e);
	sync_config_free(&cfg);
	curl_global_cleanup();
	return r;
}
