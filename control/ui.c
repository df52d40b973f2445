/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ui.c - the console's files, its login and logout, and its requests'
 * authentication (see ui.h, docs/console.md).
 */
#include "control/api_int.h"
#include "control/ui.h"
#include "common/config.h"
#include "common/fileio.h"

#include <errno.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define UI_FILE_MAX (1u << 20)

const char *const ctl_ui_headers[] = {
	"Content-Security-Policy",
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"Referrer-Policy", "no-referrer",
	"X-Frame-Options", "DENY",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Cross-Origin-Resource-Policy", "same-origin",
	"Permissions-Policy", "camera=(), microphone=(), geolocation=(), clipboard-read=()",
	NULL,
};

/* The console's files: only these are served (no path from a request
 * ever reaches the file system). */
static const struct ui_file {
	const char *path, *file, *ctype;
} ui_files[] = {
	{ "/ui", "index.html", "text/html; charset=utf-8" },
	{ "/ui/", "index.html", "text/html; charset=utf-8" },
	{ "/ui/app.css", "app.css", "text/css; charset=utf-8" },
	{ "/ui/js/app.js", "js/app.js", "text/javascript; charset=utf-8" },
	{ "/ui/js/api.js", "js/api.js", "text/javascript; charset=utf-8" },
	{ "/ui/js/dom.js", "js/dom.js", "text/javascript; charset=utf-8" },
	{ "/ui/js/queue.js", "js/queue.js", "text/javascript; charset=utf-8" },
	{ "/ui/js/candidate.js", "js/candidate.js", "text/javascript; charset=utf-8" },
	{ "/ui/js/audit.js", "js/audit.js", "text/javascript; charset=utf-8" },
	{ "/ui/js/quarantine.js", "js/quarantine.js", "text/javascript; charset=utf-8" },
	{ "/ui/js/exports.js", "js/exports.js", "text/javascript; charset=utf-8" },
	{ "/ui/js/admin.js", "js/admin.js", "text/javascript; charset=utf-8" },
};

bool ctl_ui_path(const char *path)
{
	return strcmp(path, "/ui") == 0 || strncmp(path, "/ui/", 4) == 0;
}

static void serve_file(const struct ctl_api_config *api, const struct ui_file *f,
		       struct ctl_response *resp)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0;

	if (!api->ui || !api->ui->dir) {
		ctl_api_error(resp, 404, "the console is not configured (ui_dir)");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", api->ui->dir, f->file);
	if (hwall_read_file(path, UI_FILE_MAX, &buf, &len) < 0) {
		ctl_api_error(resp, 404, "no such file: %s", f->file);
		return;
	}
	ctl_api_text(resp, 200, f->ctype, buf, len);
}

/* The request names this listener's own origin, or nothing else: a
 * browser's Origin (sent with every POST) must be us, and Sec-Fetch-Site,
 * where sent, must not say another site. */
static bool same_origin(const struct ctl_api_config *api, const struct ctl_request *req)
{
	char own[320];

	if (req->fetch_site && strcmp(req->fetch_site, "same-origin") != 0 &&
	    strcmp(req->fetch_site, "none") != 0)
		return false;
	if (!req->origin)
		return true;
	snprintf(own, sizeof(own), "%s://%s", api->ui && api->ui->tls ? "https" : "http",
		 req->host ? req->host : "");
	return req->host && strcmp(req->origin, own) == 0;
}

/* The session id of @req's cookie into @id, or false. */
static bool session_id(const struct ctl_request *req, char id[CTL_UI_SECRET_HEX + 1])
{
	return ctl_ui_cookie(req->cookie, CTL_UI_COOKIE, id, CTL_UI_SECRET_HEX + 1) == 0;
}

enum ctl_role ctl_ui_authenticate(const struct ctl_api_config *api, const struct ctl_request *req,
				  char ret_name[CTL_ACTOR_MAX + 1], bool *ret_csrf_ok)
{
	char id[CTL_UI_SECRET_HEX + 1], csrf[CTL_UI_SECRET_HEX + 1];
	bool safe = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	enum ctl_role role;

	*ret_csrf_ok = false;
	if (!api->ui || !api->ui->sessions || !session_id(req, id))
		return CTL_ROLE_NONE;
	role = ctl_ui_session_check(api->ui->sessions, api->tokens, id, ctl_api_now(api), ret_name,
				    csrf);
	if (role == CTL_ROLE_NONE)
		return role;
	*ret_csrf_ok = safe || (req->csrf && strlen(req->csrf) == CTL_UI_SECRET_HEX &&
				sodium_memcmp(req->csrf, csrf, CTL_UI_SECRET_HEX) == 0 &&
				same_origin(api, req));
	sodium_memzero(csrf, sizeof(csrf));
	return role;
}

static cJSON *session_json(const char *name, enum ctl_role role, const char *csrf)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "role", ctl_role_name(role));
	cJSON_AddStringToObject(o, "csrf", csrf);
	return o;
}

struct login_body {
	char *token;
};

static const struct hwall_cfg_field login_fields[] = {
	{ .key = "token", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = offsetof(struct login_body, token) },
	{ 0 },
};

/* Whether logins are held back: more than CTL_UI_LOGIN_FAILS_MAX failed in
 * the current minute (a token guessed, or the audit trail flooded with
 * failures).  @failed: count one more. */
static bool login_throttled(struct ctl_ui *ui, int64_t now, bool failed)
{
	int64_t minute = now / 60;

	if (atomic_exchange(&ui->fail_minute, minute) != minute)
		atomic_store(&ui->fails, 0);
	if (failed)
		atomic_fetch_add(&ui->fails, 1);
	return atomic_load(&ui->fails) > CTL_UI_LOGIN_FAILS_MAX;
}

static void login(const struct ctl_api_config *api, const struct ctl_request *req,
		  struct ctl_response *resp)
{
	char name[CTL_ACTOR_MAX + 1], id[CTL_UI_SECRET_HEX + 1], csrf[CTL_UI_SECRET_HEX + 1];
	struct login_body b = { 0 };
	uint8_t h[CTL_TOKEN_HASH_LEN];
	enum ctl_role role;

	if (!same_origin(api, req)) {
		ctl_api_error(resp, 403, "login from another site refused");
		return;
	}
	if (login_throttled(api->ui, ctl_api_now(api), false)) {
		ctl_api_error(resp, 429, "more than %d failed logins this minute: try again later",
			      CTL_UI_LOGIN_FAILS_MAX);
		return;
	}
	if (!ctl_api_body(req, login_fields, &b, resp))
		return;
	crypto_hash_sha256(h, (const uint8_t *)b.token, strlen(b.token));
	hwall_cfg_free(login_fields, &b);
	role = ctl_tokens_check_hash(api->tokens, h, name);
	if (role == CTL_ROLE_NONE) {
		login_throttled(api->ui, ctl_api_now(api), true);
		ctl_api_audit_log(api, CTL_AUDIT_LOGIN_FAILED, "", "session", NULL);
		ctl_api_error(resp, 401, "unknown token");
		return;
	}
	ctl_ui_session_open(api->ui->sessions, h, ctl_api_now(api), id, csrf);
	snprintf(resp->set_cookie, sizeof(resp->set_cookie),
		 CTL_UI_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", id,
		 api->ui->tls ? "; Secure" : "");
	ctl_api_audit_log(api, CTL_AUDIT_LOGIN, name, "session", NULL);
	ctl_api_json(resp, 200, session_json(name, role, csrf));
	sodium_memzero(id, sizeof(id));
	sodium_memzero(h, sizeof(h));
}

static void logout(const struct ctl_api_config *api, const struct ctl_request *req,
		   struct ctl_response *resp)
{
	char name[CTL_ACTOR_MAX + 1], id[CTL_UI_SECRET_HEX + 1];
	bool csrf_ok;

	if (ctl_ui_authenticate(api, req, name, &csrf_ok) == CTL_ROLE_NONE) {
		ctl_api_error(resp, 401, "no session");
		return;
	}
	if (!csrf_ok || !session_id(req, id)) {
		ctl_api_error(resp, 403, "missing or wrong CSRF token, or another site");
		return;
	}
	ctl_ui_session_close(api->ui->sessions, id);
	snprintf(resp->set_cookie, sizeof(resp->set_cookie),
		 CTL_UI_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
		 api->ui->tls ? "; Secure" : "");
	ctl_api_audit_log(api, CTL_AUDIT_LOGOUT, name, "session", NULL);
	ctl_api_json(resp, 200, cJSON_CreateObject());
}

static void session(const struct ctl_api_config *api, const struct ctl_request *req,
		    struct ctl_response *resp)
{
	char name[CTL_ACTOR_MAX + 1], id[CTL_UI_SECRET_HEX + 1], csrf[CTL_UI_SECRET_HEX + 1];
	enum ctl_role role = CTL_ROLE_NONE;

	if (session_id(req, id))
		role = ctl_ui_session_check(api->ui->sessions, api->tokens, id, ctl_api_now(api),
					    name, csrf);
	if (role == CTL_ROLE_NONE)
		ctl_api_error(resp, 401, "no session");
	else
		ctl_api_json(resp, 200, session_json(name, role, csrf));
}

void ctl_ui_dispatch(const struct ctl_api_config *api, const struct ctl_request *req,
		     struct ctl_response *resp)
{
	static const struct {
		const char *method, *path;
		void (*fn)(const struct ctl_api_config *, const struct ctl_request *,
			   struct ctl_response *);
	} calls[] = {
		{ "POST", "/ui/api/login", login },
		{ "POST", "/ui/api/logout", logout },
		{ "GET", "/ui/api/session", session },
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (strcmp(req->path, calls[i].path) != 0)
			continue;
		if (strcmp(req->method, calls[i].method) != 0)
			ctl_api_error(resp, 405, "method %.16s not allowed here", req->method);
		else if (!api->ui || !api->ui->sessions)
			ctl_api_error(resp, 404, "the console is not configured");
		else if (req->body_too_large || req->body_len > 4096)
			ctl_api_error(resp, 413, "request body too large");
		else
			calls[i].fn(api, req, resp);
		return;
	}
	for (size_t i = 0; i < sizeof(ui_files) / sizeof(ui_files[0]); i++) {
		if (strcmp(req->path, ui_files[i].path) != 0)
			continue;
		if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
			ctl_api_error(resp, 405, "method %.16s not allowed here", req->method);
		else
			serve_file(api, &ui_files[i], resp);
		return;
	}
	ctl_api_error(resp, 404, "no such resource: %.200s", req->path);
}
