/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_test_server.h - the operator API served on 127.0.0.1 (ephemeral port)
 * from a temporary store seeded with 12 synthetic candidates on 3 hosts,
 * three tokens (viewer, reviewer, admin) and an injected enforcement
 * backend that records its calls.  Shared by the API and CLI tests; used
 * as a CUnit suite's init and clean functions.
 */
#ifndef HASHWALL_TESTS_CTL_TEST_SERVER_H
#define HASHWALL_TESTS_CTL_TEST_SERVER_H

#include "control/api.h"
#include "control/httpd.h"
#include "hashsync/hws.h"
#include "common/errors.h"
#include "ctl_test_suite.h"
#include "hwall_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_VIEWER "viewer-token-0123456789"
#define TOKEN_REVIEWER "reviewer-token-0123456789"
#define TOKEN_ADMIN "admin-token-0123456789"

static const char *dir;
static char db_path[128], tokens_path[128], allow_path[128];
static struct ctl_store *store;
static struct ctl_tokens tokens;
static struct ctl_metrics metrics;
static struct ctl_enforce *enforce;
static struct ctl_api_config api;
static struct ctl_http *http;
static struct ctl_set_cache *set_cache;
static struct ctl_audit audit; /* its key in dir/audit.key, a checkpoint every 8 rows */

/* The defaults but a short head deadline, so that a test sees it pass. */
static const struct ctl_http_limits test_limits = { .head_timeout_ms = 1000 };
static unsigned int port;
static char digests[12][HWALL_DIGEST_HEX_MAX];

/* The injected backend records what it was asked. */
static int backend_adds, backend_dels;
static char backend_last_del[CTL_HOST_MAX + CTL_PATH_MAX + 2];

static int fake_add(void *ctx, const char *host, const char *path, int64_t expires)
{
	(void)ctx, (void)host, (void)path, (void)expires;
	backend_adds++;
	return 0;
}

static int fake_del(void *ctx, const char *host, const char *path)
{
	(void)ctx;
	backend_dels++;
	snprintf(backend_last_del, sizeof(backend_last_del), "%s%s", host, path);
	return 0;
}

static const struct ctl_enforce_ops fake_ops = { .name = "fake", .add_url = fake_add,
						 .del_url = fake_del };

static int64_t fixed_now(void)
{
	return 100000;
}

static int write_tokens(void)
{
	char h[3][2 * CTL_TOKEN_HASH_LEN + 1];
	struct hwall_err err = { { 0 } };
	FILE *f = fopen(tokens_path, "w");

	if (!f || fchmod(fileno(f), 0600) < 0)
		return -1;
	ctl_token_hash_hex(TOKEN_VIEWER, h[0]);
	ctl_token_hash_hex(TOKEN_REVIEWER, h[1]);
	ctl_token_hash_hex(TOKEN_ADMIN, h[2]);
	fprintf(f, "# test tokens\nvera viewer %s\nrita reviewer %s\n\nadam admin %s\n", h[0],
		h[1], h[2]);
	fclose(f);
	return ctl_tokens_load(tokens_path, &tokens, &err);
}

/* 12 candidates on 3 hosts, last_seen 1000..1011. */
static int seed(void)
{
	struct ctl_record_result res;
	struct ctl_event ev;
	int r = ctl_store_begin(store);

	for (unsigned int i = 0; r == 0 && i < 12; i++) {
		uint64_t st = 1000 + i;
		uint8_t d[16];
		memset(&ev, 0, sizeof(ev));
		hwall_test_rand_bytes(&st, d, sizeof(d));
		snprintf(ev.set, sizeof(ev.set), "%s", i < 10 ? "hotline" : "trial");
		ev.set_version = 5;
		ev.algo = HWALL_ALGO_MD5;
		hwall_hex_format(d, sizeof(d), ev.digest);
		snprintf(digests[i], sizeof(digests[i]), "%s", ev.digest);
		snprintf(ev.host, sizeof(ev.host), "h%u.example", i % 3);
		snprintf(ev.path, sizeof(ev.path), "/img/%u.jpg", i);
		snprintf(ev.method, sizeof(ev.method), "GET");
		snprintf(ev.server_ip, sizeof(ev.server_ip), "192.0.2.1");
		snprintf(ev.client, sizeof(ev.client), "00112233445566778899aabbccddeeff");
		ev.server_port = 80;
		ev.http_status = 200;
		ev.ts = 1000 + i;
		ev.ref = 77 + i;
		r = ctl_store_record(store, &ev, "dp0", "e", i + 1, &res);
		if (r == 0)
			r = ctl_store_block_add(store, ev.host, ev.path, res.candidate_id,
						CTL_BLOCK_AUTO, "controld", ev.ts, 200000, NULL);
	}
	return r == 0 ? ctl_store_commit(store) : r;
}

/* Record one more match, @ev, as dataplane "dp1" with @seq, in its own
 * transaction (between requests: the API's thread is idle then).  Returns
 * the candidate's id, or -1. */
static inline int64_t ctl_test_record(const struct ctl_event *ev, uint64_t seq)
{
	struct ctl_record_result res = { 0 };

	if (ctl_store_begin(store) < 0 || ctl_store_record(store, ev, "dp1", "e", seq, &res) < 0 ||
	    ctl_store_commit(store) < 0)
		return -1;
	return res.candidate_id;
}

/* A match of set "nohost" whose request had no Host, served by
 * @server_ip port @server_port. */
static inline void ctl_test_nohost_event(struct ctl_event *ev, const char *server_ip,
					 uint16_t server_port)
{
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->set, sizeof(ev->set), "nohost");
	ev->algo = HWALL_ALGO_MD5;
	snprintf(ev->digest, sizeof(ev->digest), "%s", "0123456789abcdef0123456789abcdef");
	snprintf(ev->path, sizeof(ev->path), "/nohost.jpg");
	snprintf(ev->server_ip, sizeof(ev->server_ip), "%s", server_ip);
	ev->server_port = server_port;
	ev->ts = 5000;
}

/* An installed set file (fresh: created 1000 s before fixed_now) and a
 * broken one, for the status endpoint. */
static int write_sets(void)
{
	struct hws_builder *b = hws_builder_new("hotline", 5);
	struct hwall_err err;
	uint8_t d[16] = { 1 };
	char p[192];
	FILE *f;
	int r;

	if (!b)
		return -1;
	hws_builder_set_times(b, 99000, 0);
	r = hws_builder_add(b, HWALL_ALGO_MD5, d, 1, 7);
	snprintf(p, sizeof(p), "%s/hotline.hws", dir);
	if (r == 0)
		r = hws_builder_write(b, p, NULL, &err);
	hws_builder_free(b);
	snprintf(p, sizeof(p), "%s/broken.hws", dir);
	f = fopen(p, "w");
	if (!f)
		return -1;
	fputs("not a set file", f);
	fclose(f);
	return r;
}

/* @name in the test's directory (a static buffer: use it at once). */
static inline const char *ctl_test_path(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int ctl_test_server_start(void)
{
	struct ctl_enforce_config ec = { .block_ttl = 3600, .ops = &fake_ops,
					 .metrics = &metrics };
	struct hwall_err err = { { 0 } };

	dir = hwall_test_tmpdir("ctl-api");
	if (!dir)
		return -1;
	snprintf(db_path, sizeof(db_path), "%s/c.db", dir);
	snprintf(tokens_path, sizeof(tokens_path), "%s/tokens", dir);
	snprintf(allow_path, sizeof(allow_path), "%s/allowlist.txt", dir);
	set_cache = ctl_set_cache_new();
	if (!set_cache || write_tokens() < 0 || write_sets() < 0 ||
	    ctl_store_open(db_path, &store, NULL) < 0 ||
	    ctl_audit_init(&audit, ctl_test_path("audit.key"), 8, &err) < 0 ||
	    ctl_enforce_new(&ec, &enforce, &err) < 0 || seed() < 0)
		return -1;
	api = (struct ctl_api_config){ .store = store, .enforce = enforce, .metrics = &metrics,
				       .tokens = &tokens, .body_max = 4096, .page_max = 5,
				       .block_ttl = 3600, .started = 99000, .now = fixed_now,
				       .allowlist_file = allow_path, .set_dir = dir,
				       .set_cache = set_cache, .audit = &audit };
	if (ctl_http_start("127.0.0.1", 0, &api, &test_limits, &http, &err) < 0)
		return -1;
	port = ctl_http_port(http);
	return 0;
}

static int ctl_test_server_stop(void)
{
	ctl_http_stop(http);
	ctl_set_cache_free(set_cache);
	ctl_enforce_free(enforce);
	ctl_store_close(store);
	ctl_tokens_free(&tokens);
	ctl_audit_fini(&audit);
	hwall_test_tmpdir_remove(dir);
	return 0;
}

#endif
