/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target over the operator API's request handling: the first
 * byte picks an endpoint (and method), the rest is the request body, and
 * for the list endpoints also a query argument value.  Requests go through
 * ctl_api_dispatch() with an admin token against an in-memory store that
 * holds a few synthetic candidates, so routing, authentication, body
 * parsing (unknown fields, types, ranges), the review workflow, blocks and
 * the allowlist, the console's login body, quarantine, the reports and the
 * audit trail all see fuzzed input.  Every JSON answer must be strict
 * JSON, whatever bytes went in.
 */
#include "control/api.h"
#include "control/ui.h"
#include "common/algo.h"
#include "common/json_strict.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN "fuzz-admin-token"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct target {
	const char *method, *path, *arg;
};

static const struct target targets[] = {
	{ "POST", "/api/v1/candidates/1/review", NULL },
	{ "POST", "/api/v1/candidates/2/review", NULL },
	{ "POST", "/api/v1/blocks", NULL },
	{ "POST", "/api/v1/allowlist", NULL },
	{ "GET", "/api/v1/candidates", "limit" },
	{ "GET", "/api/v1/candidates", "status" },
	{ "GET", "/api/v1/candidates", "since" },
	{ "GET", "/api/v1/blocks", "offset" },
	{ "GET", "/api/v1/exports/notices", "format" },
	{ "DELETE", "/api/v1/blocks/1", NULL },
	{ "GET", "/api/v1/status", NULL },
	{ "POST", "/ui/api/login", NULL },
	{ "POST", "/api/v1/quarantine/1/release", NULL },
	{ "GET", "/api/v1/reports/transparency", "since" },
	{ "GET", "/api/v1/reports/transparency", "format" },
	{ "GET", "/api/v1/exports/statements", "decision" },
	{ "GET", "/api/v1/audit", "before" },
	{ "GET", "/api/v1/quarantine", "state" },
};

static struct ctl_api_config api;

/* A streamed body (the exports) read to its end into resp->body, in small
 * reads; aborts when the stream fails or its end never comes. */
static void drain(struct ctl_response *resp)
{
	size_t cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		abort();
	resp->len = 0;
	while ((n = ctl_stream_read(resp->stream, buf + resp->len, 1000)) > 0) {
		resp->len += (size_t)n;
		if (resp->len + 1000 > cap && !(buf = realloc(buf, cap *= 2)))
			abort();
	}
	if (n < 0)
		abort();
	ctl_stream_free(resp->stream);
	resp->stream = NULL;
	resp->body = buf;
}

static bool strict_json(const struct ctl_response *resp)
{
	struct hwall_json_fault fault;
	cJSON *root = NULL;
	int r = hwall_json_parse_strict(resp->body, resp->len, 0, &root, &fault);

	cJSON_Delete(root);
	return r == 0;
}

static void setup(void)
{
	static struct ctl_tokens tokens;
	static struct ctl_token tok = { .name = "fuzz", .role = CTL_ROLE_ADMIN };
	struct ctl_record_result res;
	struct ctl_store *s;
	struct ctl_event ev;
	char hex[2 * CTL_TOKEN_HASH_LEN + 1];

	ctl_token_hash_hex(TOKEN, hex);
	hwall_hex_parse(hex, tok.hash, sizeof(tok.hash));
	tokens.v = &tok;
	tokens.n = 1;
	pthread_rwlock_init(&tokens.lock, NULL);
	if (ctl_store_open(":memory:", &s, NULL) < 0)
		abort();
	ctl_store_begin(s);
	for (int i = 0; i < 3; i++) {
		memset(&ev, 0, sizeof(ev));
		snprintf(ev.set, sizeof(ev.set), "fuzz");
		ev.algo = HWALL_ALGO_MD5;
		snprintf(ev.digest, sizeof(ev.digest), "%032x", i + 1);
		snprintf(ev.host, sizeof(ev.host), "h%d.example", i);
		snprintf(ev.path, sizeof(ev.path), "/%d", i);
		ev.ts = 1000 + i;
		ctl_store_record(s, &ev, "dp", "e", (uint64_t)i + 1, &res);
		ctl_store_block_add(s, ev.host, ev.path, res.candidate_id, CTL_BLOCK_AUTO, "c", 1000,
				    5000, NULL);
	}
	ctl_store_commit(s);
	static struct ctl_audit audit;
	static struct ctl_ui ui;

	ctl_audit_init(&audit, NULL, 0, NULL);
	ui.sessions = ctl_ui_sessions_new(0, 0);
	api = (struct ctl_api_config){ .store = s, .tokens = &tokens, .body_max = 4096,
				       .page_max = 50, .started = 1, .audit = &audit, .ui = &ui };
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct ctl_request req = { 0 };
	struct ctl_response resp;
	const struct target *t;
	char *text;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1)
		return 0;
	t = &targets[data[0] % (sizeof(targets) / sizeof(targets[0]))];
	/* An exact-size copy plus a NUL for the query argument's value. */
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	req.method = t->method;
	req.path = t->path;
	req.authorization = "Bearer " TOKEN;
	req.body = text;
	req.body_len = size - 1;
	if (t->arg) {
		req.args[0] = (struct ctl_kv){ t->arg, text };
		req.n_args = 1;
	}
	ctl_api_dispatch(&api, &req, &resp);
	if (resp.stream)
		drain(&resp);
	if (resp.code < 200 || resp.code > 599 || !resp.body)
		abort();
	/* whatever came in, what goes out is strict JSON (UTF-8 above all) */
	if (strcmp(resp.content_type, "application/json") == 0 && !strict_json(&resp))
		abort();
	ctl_response_free(&resp);
	free(text);
	return 0;
}
