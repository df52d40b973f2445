/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api.c - routing, authentication and the helpers the resource files share
 * (see api.h).  The route table is the API's map: method, path pattern
 * ('#' a positive integer id, '*' one non-empty segment), least role.
 */
#include "control/api_int.h"
#include "control/ui.h"
#include "common/config.h"
#include "common/number.h"
#include "common/utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct route {
	const char *method;
	const char *pattern;
	enum ctl_role role;
	ctl_api_handler fn;
};

static const struct route routes[] = {
	{ "GET", "/api/v1/candidates", CTL_ROLE_VIEWER, ctl_api_candidates_list },
	{ "GET", "/api/v1/candidates/#", CTL_ROLE_VIEWER, ctl_api_candidate_get },
	{ "POST", "/api/v1/candidates/#/review", CTL_ROLE_REVIEWER, ctl_api_candidate_review },
	{ "GET", "/api/v1/blocks", CTL_ROLE_VIEWER, ctl_api_blocks_list },
	{ "POST", "/api/v1/blocks", CTL_ROLE_ADMIN, ctl_api_blocks_add },
	{ "DELETE", "/api/v1/blocks/#", CTL_ROLE_ADMIN, ctl_api_blocks_remove },
	{ "GET", "/api/v1/allowlist", CTL_ROLE_VIEWER, ctl_api_allowlist_list },
	{ "POST", "/api/v1/allowlist", CTL_ROLE_ADMIN, ctl_api_allowlist_add },
	{ "DELETE", "/api/v1/allowlist/*/*", CTL_ROLE_ADMIN, ctl_api_allowlist_remove },
	{ "GET", "/api/v1/status", CTL_ROLE_VIEWER, ctl_api_status },
	{ "GET", "/api/v1/exports/notices", CTL_ROLE_VIEWER, ctl_api_export_notices },
	{ "GET", "/api/v1/exports/feedback", CTL_ROLE_VIEWER, ctl_api_export_feedback },
	{ "GET", "/api/v1/exports/statements", CTL_ROLE_VIEWER, ctl_api_export_statements },
	{ "GET", "/api/v1/reports/transparency", CTL_ROLE_VIEWER, ctl_api_report_transparency },
	{ "GET", "/api/v1/quarantine", CTL_ROLE_VIEWER, ctl_api_quarantine_list },
	{ "POST", "/api/v1/quarantine/#/release", CTL_ROLE_ADMIN, ctl_api_quarantine_release },
	{ "POST", "/api/v1/quarantine/#/confirm", CTL_ROLE_ADMIN, ctl_api_quarantine_confirm },
	{ "GET", "/api/v1/audit", CTL_ROLE_VIEWER, ctl_api_audit_list },
	{ "GET", "/api/v1/audit/verify", CTL_ROLE_VIEWER, ctl_api_audit_verify },
	{ "GET", "/metrics", CTL_ROLE_VIEWER, ctl_api_metrics },
};

void ctl_response_free(struct ctl_response *resp)
{
	free(resp->body);
	ctl_stream_free(resp->stream);
	resp->body = NULL;
	resp->stream = NULL;
	resp->len = 0;
}

void ctl_api_text(struct ctl_response *resp, int code, const char *ctype, char *text, size_t len)
{
	free(resp->body);
	ctl_stream_free(resp->stream);
	resp->stream = NULL;
	resp->code = text ? code : 500;
	resp->content_type = ctype;
	resp->body = text;
	resp->len = text ? len : 0;
}

/* @s with every byte that is not part of valid UTF-8 written as %XX
 * (cJSON_malloc'ed), or NULL when @s is valid (or memory ran out). */
static char *utf8_repaired(const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out;

	if (hwall_utf8_valid(s, len) || !(out = cJSON_malloc(3 * len + 1)))
		return NULL;
	for (size_t i = 0, n; i < len; i += n) {
		uint32_t cp;
		n = hwall_utf8_next(s + i, len - i, &cp);
		if (n == 0) {
			o += (size_t)sprintf(out + o, "%%%02X", (unsigned char)s[i]);
			n = 1;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
		}
	}
	out[o] = '\0';
	return out;
}

/* JSON text must be UTF-8 (RFC 8259, section 8.1), and cJSON copies the
 * bytes of a string as they are: repair every name and string in the tree
 * (a host or path from an old store, a file name in set_dir). */
static void utf8_repair_tree(cJSON *node)
{
	char *fixed;

	if (!node)
		return;
	if (node->string && !(node->type & cJSON_StringIsConst) &&
	    (fixed = utf8_repaired(node->string))) {
		cJSON_free(node->string);
		node->string = fixed;
	}
	if (cJSON_IsString(node) && !(node->type & cJSON_IsReference) &&
	    (fixed = utf8_repaired(node->valuestring))) {
		cJSON_free(node->valuestring);
		node->valuestring = fixed;
	}
	for (cJSON *m = node->child; m; m = m->next)
		utf8_repair_tree(m);
}

char *ctl_api_print(cJSON *obj)
{
	utf8_repair_tree(obj);
	return cJSON_PrintUnformatted(obj);
}

void ctl_api_json(struct ctl_response *resp, int code, cJSON *obj)
{
	char *text = obj ? ctl_api_print(obj) : NULL;

	cJSON_Delete(obj);
	ctl_api_text(resp, code, "application/json", text, text ? strlen(text) : 0);
}

void ctl_api_error(struct ctl_response *resp, int code, const char *fmt, ...)
{
	char msg[512];
	cJSON *obj = cJSON_CreateObject();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(obj, "error", msg);
	ctl_api_json(resp, code, obj);
}

int64_t ctl_api_now(const struct ctl_api_config *api)
{
	return api->now ? api->now() : (int64_t)time(NULL);
}

const char *ctl_api_arg(const struct ctl_request *req, const char *key)
{
	for (size_t i = 0; i < req->n_args; i++)
		if (strcmp(req->args[i].key, key) == 0)
			return req->args[i].value ? req->args[i].value : "";
	return NULL;
}

bool ctl_api_args_ok(const struct ctl_request *req, const char *const *allowed,
		     struct ctl_response *resp)
{
	if (req->too_many_args) {
		ctl_api_error(resp, 400, "more than %d query arguments", CTL_API_ARGS_MAX);
		return false;
	}
	for (size_t i = 0; i < req->n_args; i++) {
		bool ok = false;
		for (size_t k = 0; allowed && allowed[k] && !ok; k++)
			ok = strcmp(req->args[i].key, allowed[k]) == 0;
		if (!ok) {
			ctl_api_error(resp, 400, "unknown query argument '%.64s'", req->args[i].key);
			return false;
		}
	}
	return true;
}

bool ctl_api_arg_int(const struct ctl_request *req, const char *key, int64_t lo, int64_t hi,
		     bool clamp, int64_t *ret, struct ctl_response *resp)
{
	const char *v = ctl_api_arg(req, key);
	int64_t n;
	int r;

	if (!v)
		return true;
	r = hwall_parse_i64(v, clamp ? INT64_MIN : lo, clamp ? INT64_MAX : hi, &n);
	/* Clamped means any integer, however long: beyond int64 too. */
	if (r == -ERANGE && clamp)
		n = v[0] == '-' ? lo : hi, r = 0;
	if (r < 0) {
		ctl_api_error(resp, 400, "%s: expected an integer in %" PRId64 "..%" PRId64, key, lo,
			      hi);
		return false;
	}
	*ret = n < lo ? lo : n > hi ? hi : n;
	return true;
}

bool ctl_api_paging(const struct ctl_api_config *api, const struct ctl_request *req,
		    uint64_t *ret_offset, uint64_t *ret_limit, struct ctl_response *resp)
{
	int64_t max = api->page_max ? api->page_max : CTL_API_PAGE_MAX;
	int64_t limit = CTL_API_PAGE_DEFAULT < max ? CTL_API_PAGE_DEFAULT : max, offset = 0;

	if (!ctl_api_arg_int(req, "limit", 1, max, true, &limit, resp) ||
	    !ctl_api_arg_int(req, "offset", 0, INT64_MAX / 2, false, &offset, resp))
		return false;
	*ret_offset = (uint64_t)offset;
	*ret_limit = (uint64_t)limit;
	return true;
}

bool ctl_api_body(const struct ctl_request *req, const void *fields, void *dst,
		  struct ctl_response *resp)
{
	struct hwall_err err = { { 0 } };
	cJSON *root = NULL;
	int r;

	if (!req->body || req->body_len == 0) {
		ctl_api_error(resp, 400, "request body: expected a JSON object");
		return false;
	}
	r = hwall_cfg_parse_text(req->body, req->body_len, "request body", &root, &err);
	if (r == 0)
		r = hwall_cfg_load(root, fields, dst, "", &err);
	cJSON_Delete(root);
	if (r < 0) {
		ctl_api_error(resp, 400, "%s", err.msg);
		return false;
	}
	return true;
}

/* The id in the @len bytes at @path: 1 to 18 digits, no leading zero. */
static bool path_id(const char *path, size_t len, int64_t *ret_id)
{
	char digits[19];
	uint64_t id;

	if (path[0] == '0' || len >= sizeof(digits))
		return false;
	memcpy(digits, path, len);
	digits[len] = '\0';
	if (hwall_parse_u64(digits, 1, INT64_MAX, &id) < 0)
		return false;
	*ret_id = (int64_t)id;
	return true;
}

/* Match @path against @pattern, collecting ids and segments into @p. */
static bool match(const char *pattern, const char *path, struct ctl_route_params *p)
{
	size_t nseg = 0;

	while (*pattern && *path) {
		if (*pattern == '#' || *pattern == '*') {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);
			if (len == 0)
				return false;
			if (*pattern == '#') {
				if (!path_id(path, len, &p->id))
					return false;
			} else if (nseg < 2) {
				p->seg[nseg] = path;
				p->seg_len[nseg++] = len;
			}
			pattern++;
			path += len;
		} else if (*pattern++ != *path++) {
			return false;
		}
	}
	return !*pattern && !*path;
}

/* The request target: no %00, UTF-8 after percent-decoding, every query
 * argument at most once (two values of one argument are two answers to
 * one question: refused, not guessed).  Sets a 400 otherwise. */
static bool target_ok(const struct ctl_request *req, struct ctl_response *resp)
{
	if (req->nul_in_target) {
		ctl_api_error(resp, 400,
			      "path or query argument: %%00 (a NUL byte) is not allowed");
		return false;
	}
	if (!hwall_utf8_valid(req->path, strlen(req->path))) {
		ctl_api_error(resp, 400, "path: not UTF-8 after percent-decoding");
		return false;
	}
	for (size_t i = 0; i < req->n_args; i++) {
		const char *k = req->args[i].key, *v = req->args[i].value ? req->args[i].value : "";
		if (!hwall_utf8_valid(k, strlen(k)) || !hwall_utf8_valid(v, strlen(v))) {
			ctl_api_error(resp, 400,
				      "query argument %zu: not UTF-8 after percent-decoding", i + 1);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(req->args[j].key, k) == 0) {
				ctl_api_error(resp, 400,
					      "query argument '%.64s' given more than once", k);
				return false;
			}
		}
	}
	return true;
}

/* The bearer token of an Authorization header value, or NULL. */
static const char *bearer(const char *auth)
{
	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
		return NULL;
	auth += 7;
	while (*auth == ' ')
		auth++;
	return auth;
}

bool ctl_api_authenticated(const struct ctl_api_config *api, const char *path,
			   const char *authorization, const char *cookie)
{
	struct ctl_request req = { .method = "GET", .cookie = cookie };
	char name[CTL_ACTOR_MAX + 1];
	bool csrf_ok;

	return (path && ctl_ui_path(path)) ||
	       ctl_tokens_check(api->tokens, bearer(authorization), name) != CTL_ROLE_NONE ||
	       (cookie && ctl_ui_authenticate(api, &req, name, &csrf_ok) != CTL_ROLE_NONE);
}

static void count_code(const struct ctl_api_config *api, int code)
{
	enum ctl_counter c = CTL_CTR_API_REQUESTS;

	ctl_count(api->metrics, CTL_CTR_API_REQUESTS, 1);
	switch (code) {
	case 400: c = CTL_CTR_API_BAD_REQUESTS; break;
	case 401: c = CTL_CTR_API_UNAUTHORIZED; break;
	case 403: c = CTL_CTR_API_FORBIDDEN; break;
	case 404: c = CTL_CTR_API_NOT_FOUND; break;
	case 413: c = CTL_CTR_API_TOO_LARGE; break;
	default: c = code >= 500 ? CTL_CTR_API_ERRORS : CTL_CTR_API_REQUESTS; break;
	}
	if (c != CTL_CTR_API_REQUESTS)
		ctl_count(api->metrics, c, 1);
}

static void route(const struct ctl_api_config *api, const struct ctl_request *req,
		  struct ctl_response *resp)
{
	struct ctl_route_params p = { 0 };
	const struct route *hit = NULL;
	bool path_known = false, csrf_ok = true; /* bearer tokens: no ambient credential */
	size_t body_max = api->body_max ? api->body_max : CTL_API_BODY_MAX;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]) && !hit; i++) {
		memset(&p, 0, sizeof(p));
		if (!match(routes[i].pattern, req->path, &p))
			continue;
		path_known = true;
		if (strcmp(routes[i].method, req->method) == 0)
			hit = &routes[i];
	}
	/* Authentication first: nothing about the API leaks without a token. */
	p.role = ctl_tokens_check(api->tokens, bearer(req->authorization), p.actor_name);
	if (p.role == CTL_ROLE_NONE && !req->authorization && req->cookie)
		p.role = ctl_ui_authenticate(api, req, p.actor_name, &csrf_ok);
	p.actor = p.actor_name;
	if (p.role == CTL_ROLE_NONE)
		ctl_api_error(resp, 401, "missing or unknown bearer token");
	else if (!target_ok(req, resp))
		;
	else if (!csrf_ok)
		ctl_api_error(resp, 403, "missing or wrong CSRF token, or a request from another "
					 "site");
	else if (!path_known)
		ctl_api_error(resp, 404, "no such resource: %.200s", req->path);
	else if (!hit)
		ctl_api_error(resp, 405, "method %.16s not allowed here", req->method);
	else if (p.role < hit->role)
		ctl_api_error(resp, 403, "%s needs role %s, token '%s' has %s", hit->pattern,
			      ctl_role_name(hit->role), p.actor, ctl_role_name(p.role));
	else if (req->body_too_large || req->body_len > body_max)
		ctl_api_error(resp, 413, "request body larger than %zu bytes", body_max);
	else
		hit->fn(api, req, &p, resp);
}

void ctl_api_dispatch(const struct ctl_api_config *api, const struct ctl_request *req,
		      struct ctl_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	if (ctl_ui_path(req->path))
		ctl_ui_dispatch(api, req, resp);
	else
		route(api, req, resp);
	if (!resp->body && !resp->stream)
		ctl_api_error(resp, 500, "internal error");
	count_code(api, resp->code);
}
