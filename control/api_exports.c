/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_exports.c - /api/v1/exports: notices for notice-and-takedown (the
 * candidates of a status, grouped by host -- by the server's address for
 * requests without a Host -- JSON or CSV) and the feedback
 * for the hotline (the false positives: set, digest and the hotline's
 * reference, never a client).
 */
#include "control/api_int.h"
#include "control/strbuf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fmt {
	FMT_JSON,
	FMT_CSV,
	FMT_COUNT
};

/* ?format= (json, csv). */
static bool parse_format(const struct ctl_request *req, enum fmt *ret_fmt,
			 struct ctl_response *resp)
{
	const char *f = ctl_api_arg(req, "format");

	*ret_fmt = f && strcmp(f, "csv") == 0 ? FMT_CSV : FMT_JSON;
	if (f && strcmp(f, "csv") != 0 && strcmp(f, "json") != 0) {
		ctl_api_error(resp, 400, "format: expected json or csv");
		return false;
	}
	return true;
}

/* ?format= and ?status= (a status or "all"). */
static bool export_args(const struct ctl_request *req, int def_status, enum fmt *ret_fmt,
			int *ret_status, struct ctl_response *resp)
{
	static const char *const allowed[] = { "format", "status", NULL };
	const char *st = ctl_api_arg(req, "status");

	if (!ctl_api_args_ok(req, allowed, resp) || !parse_format(req, ret_fmt, resp))
		return false;
	*ret_status = def_status;
	if (st && strcmp(st, "all") == 0) {
		*ret_status = -1;
	} else if (st && (*ret_status = ctl_status_parse(st)) < 0) {
		ctl_api_error(resp, 400, "status: expected a status or all");
		return false;
	}
	return true;
}

struct notices {
	enum fmt fmt;
	cJSON *hosts, *cur_objects;
	char cur_host[CTL_IP_MAX + CTL_HOST_MAX + 3]; /* a host, or "[server address]" */
	bool cur_absent;
	struct ctl_sb sb;
};

/* One CSV field from printf-style text. */
static void csv_fmt(struct ctl_sb *sb, bool first, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void csv_fmt(struct ctl_sb *sb, bool first, const char *fmt, ...)
{
	char buf[CTL_IP_MAX + CTL_HOST_MAX + CTL_PATH_MAX + 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ctl_sb_csv(sb, buf, first);
}

/* The host a notice names: the Host, or for a request without one the
 * server's address (an IPv6 one in brackets), where the object was served. */
static void notice_host(const struct ctl_candidate *c, char *out, size_t cap)
{
	if (c->host[0])
		snprintf(out, cap, "%s", c->host);
	else
		snprintf(out, cap, strchr(c->server_ip, ':') ? "[%s]" : "%s", c->server_ip);
}

/* The URL a notice names (with the server's port when the server's
 * address stands in for the host and the port is not 80). */
static void notice_url(const struct ctl_candidate *c, const char *host, char *out, size_t cap)
{
	if (!c->host[0] && c->server_port && c->server_port != 80)
		snprintf(out, cap, "http://%s:%u%s", host, c->server_port, c->path);
	else
		snprintf(out, cap, "http://%s%s", host, c->path);
}

static void csv_candidate(struct ctl_sb *sb, const struct ctl_candidate *c)
{
	char host[CTL_IP_MAX + CTL_HOST_MAX + 3], url[sizeof(host) + CTL_PATH_MAX + 16];

	notice_host(c, host, sizeof(host));
	notice_url(c, host, url, sizeof(url));
	csv_fmt(sb, true, "%s", host);
	csv_fmt(sb, false, "%s", url);
	csv_fmt(sb, false, "%s", ctl_status_name(c->status));
	csv_fmt(sb, false, "%s", c->set);
	csv_fmt(sb, false, "%" PRIu64, c->set_version);
	csv_fmt(sb, false, "%s", hwall_algo_name(c->algo));
	csv_fmt(sb, false, "%s", c->digest);
	csv_fmt(sb, false, "%u", c->ref);
	csv_fmt(sb, false, "%u", c->category);
	csv_fmt(sb, false, "%lld", (long long)c->first_seen);
	csv_fmt(sb, false, "%lld", (long long)c->last_seen);
	csv_fmt(sb, false, "%" PRIu64, c->occurrences);
	csv_fmt(sb, false, "%lld", (long long)c->id);
	csv_fmt(sb, false, "%s", c->host[0] ? "false" : "true");
	csv_fmt(sb, false, "%s", c->host_truncated ? "true" : "false");
	csv_fmt(sb, false, "%s", c->path_truncated ? "true" : "false");
	ctl_sb_printf(sb, "\r\n");
}

static int notice_cb(const struct ctl_candidate *c, void *ctx)
{
	struct notices *n = ctx;
	char host[sizeof(n->cur_host)], url[sizeof(host) + CTL_PATH_MAX + 16];
	cJSON *o;

	if (n->fmt == FMT_CSV) {
		csv_candidate(&n->sb, c);
		return 0;
	}
	notice_host(c, host, sizeof(host));
	if (!n->cur_objects || strcmp(n->cur_host, host) != 0 || n->cur_absent != !c->host[0]) {
		cJSON *h = cJSON_CreateObject();
		cJSON_AddStringToObject(h, "host", host);
		cJSON_AddBoolToObject(h, "host_absent", !c->host[0]);
		n->cur_objects = cJSON_AddArrayToObject(h, "objects");
		cJSON_AddItemToArray(n->hosts, h);
		snprintf(n->cur_host, sizeof(n->cur_host), "%s", host);
		n->cur_absent = !c->host[0];
	}
	o = ctl_api_candidate_json(c);
	notice_url(c, host, url, sizeof(url));
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddItemToArray(n->cur_objects, o);
	return 0;
}

void ctl_api_export_notices(const struct ctl_api_config *api, const struct ctl_request *req,
			    const struct ctl_route_params *p, struct ctl_response *resp)
{
	struct notices n = { 0 };
	cJSON *obj = NULL;
	int status, r;
	size_t len = 0;
	char *text;

	(void)p;
	if (!export_args(req, CTL_STATUS_CONFIRMED, &n.fmt, &status, resp))
		return;
	if (n.fmt == FMT_CSV) {
		ctl_sb_printf(&n.sb, "host,url,status,set,set_version,algo,digest,ref,category,"
				     "first_seen,last_seen,occurrences,candidate_id,host_absent,"
				     "host_truncated,path_truncated\r\n");
	} else {
		obj = cJSON_CreateObject();
		cJSON_AddNumberToObject(obj, "generated", (double)ctl_api_now(api));
		cJSON_AddStringToObject(obj, "status", status < 0 ? "all"
							: ctl_status_name((enum ctl_status)status));
		n.hosts = cJSON_AddArrayToObject(obj, "hosts");
	}
	r = ctl_store_candidates_by_host(api->store, status, notice_cb, &n);
	if (r < 0) {
		cJSON_Delete(obj);
		free(ctl_sb_take(&n.sb, &len));
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	if (n.fmt == FMT_JSON) {
		ctl_api_json(resp, 200, obj);
		return;
	}
	text = ctl_sb_take(&n.sb, &len);
	ctl_api_text(resp, 200, "text/csv; charset=utf-8", text, len);
}

struct feedback {
	enum fmt fmt;
	cJSON *items;
	struct ctl_sb sb;
};

static int feedback_cb(const struct ctl_candidate *c, void *ctx)
{
	struct feedback *f = ctx;
	cJSON *o;

	if (f->fmt == FMT_CSV) {
		csv_fmt(&f->sb, true, "%s", c->set);
		csv_fmt(&f->sb, false, "%" PRIu64, c->set_version);
		csv_fmt(&f->sb, false, "%s", hwall_algo_name(c->algo));
		csv_fmt(&f->sb, false, "%s", c->digest);
		csv_fmt(&f->sb, false, "%u", c->ref);
		csv_fmt(&f->sb, false, "%u", c->category);
		ctl_sb_printf(&f->sb, "\r\n");
		return 0;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "set", c->set);
	cJSON_AddNumberToObject(o, "set_version", (double)c->set_version);
	cJSON_AddStringToObject(o, "algo", hwall_algo_name(c->algo));
	cJSON_AddStringToObject(o, "digest", c->digest);
	cJSON_AddNumberToObject(o, "ref", c->ref);
	cJSON_AddNumberToObject(o, "category", c->category);
	cJSON_AddItemToArray(f->items, o);
	return 0;
}

void ctl_api_export_feedback(const struct ctl_api_config *api, const struct ctl_request *req,
			     const struct ctl_route_params *p, struct ctl_response *resp)
{
	static const char *const allowed[] = { "format", NULL };
	struct feedback f = { 0 };
	cJSON *obj = NULL;
	size_t len = 0;
	char *text;

	(void)p;
	if (!ctl_api_args_ok(req, allowed, resp) || !parse_format(req, &f.fmt, resp))
		return;
	if (f.fmt == FMT_CSV) {
		ctl_sb_printf(&f.sb, "set,set_version,algo,digest,ref,category\r\n");
	} else {
		obj = cJSON_CreateObject();
		cJSON_AddNumberToObject(obj, "generated", (double)ctl_api_now(api));
		f.items = cJSON_AddArrayToObject(obj, "false_positives");
	}
	if (ctl_store_candidates_by_host(api->store, CTL_STATUS_FALSE_POSITIVE, feedback_cb, &f) <
	    0) {
		cJSON_Delete(obj);
		free(ctl_sb_take(&f.sb, &len));
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	if (f.fmt == FMT_JSON) {
		ctl_api_json(resp, 200, obj);
		return;
	}
	text = ctl_sb_take(&f.sb, &len);
	ctl_api_text(resp, 200, "text/csv; charset=utf-8", text, len);
}
