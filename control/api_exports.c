/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_exports.c - /api/v1/exports: notices for notice-and-takedown (the
 * candidates of a status, grouped by host -- by the server's address for
 * requests without a Host -- JSON or CSV) and the feedback
 * for the hotline (the false positives: set, digest and the hotline's
 * reference, never a client).
 *
 * An export can hold every candidate there is (200,000 made 141 MB of
 * JSON), so it is streamed: the handler takes the ids in export order
 * (host, path, id; 8 bytes each), and the body is written from them a
 * buffer at a time as the transport reads it (ctl_stream_read()), each
 * candidate read by id when its turn comes.  Memory: the ids and one
 * buffer of about EXPORT_CHUNK bytes, whatever the size of the export.
 */
#include "control/api_int.h"
#include "control/strbuf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_CHUNK (32 * 1024) /* bytes produced per refill, about */

enum fmt {
	FMT_JSON,
	FMT_CSV,
	FMT_COUNT
};

enum export_kind {
	EXPORT_NOTICES,
	EXPORT_FEEDBACK,
	EXPORT_KIND_COUNT
};

/* The candidates of an export, in its order. */
struct id_list {
	int64_t *v;
	size_t n, cap;
};

struct ctl_stream {
	const struct ctl_api_config *api;
	enum export_kind kind;
	enum fmt fmt;
	int status;              /* -1: any */
	int64_t generated;
	struct id_list ids;
	size_t next;             /* the next id to write */
	bool header_done, done;
	bool any;                /* a candidate was written */
	bool in_host;            /* notices JSON: a host's object is open */
	char cur_host[CTL_IP_MAX + CTL_HOST_MAX + 3]; /* a host, or "[server address]" */
	bool cur_absent;
	struct ctl_sb sb;        /* produced, not yet read from @off on */
	size_t off;
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

/* ---- writing one candidate ---- */

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

static void csv_notice(struct ctl_sb *sb, const struct ctl_candidate *c)
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
	if (ctl_near_known(c->algo, &c->near))
		csv_fmt(sb, false, "%d", c->near.distance);
	else
		csv_fmt(sb, false, "%s", "");
	ctl_sb_printf(sb, "\r\n");
}

static void csv_feedback(struct ctl_sb *sb, const struct ctl_candidate *c)
{
	csv_fmt(sb, true, "%s", c->set);
	csv_fmt(sb, false, "%" PRIu64, c->set_version);
	csv_fmt(sb, false, "%s", hwall_algo_name(c->algo));
	csv_fmt(sb, false, "%s", c->digest);
	csv_fmt(sb, false, "%u", c->ref);
	csv_fmt(sb, false, "%u", c->category);
	ctl_sb_printf(sb, "\r\n");
}

/* Append @obj (taken) printed as JSON. */
static void put_json(struct ctl_sb *sb, cJSON *obj)
{
	char *text = obj ? ctl_api_print(obj) : NULL;

	cJSON_Delete(obj);
	if (text)
		ctl_sb_printf(sb, "%s", text);
	else
		sb->failed = true;
	free(text);
}

static cJSON *feedback_json(const struct ctl_candidate *c)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "set", c->set);
	cJSON_AddNumberToObject(o, "set_version", (double)c->set_version);
	cJSON_AddStringToObject(o, "algo", hwall_algo_name(c->algo));
	cJSON_AddStringToObject(o, "digest", c->digest);
	cJSON_AddNumberToObject(o, "ref", c->ref);
	cJSON_AddNumberToObject(o, "category", c->category);
	return o;
}

/* A notice in JSON: within its host's object, opening that when the host
 * changes (the ids come ordered by host). */
static void json_notice(struct ctl_stream *st, const struct ctl_candidate *c)
{
	char host[sizeof(st->cur_host)], url[sizeof(host) + CTL_PATH_MAX + 16];
	cJSON *o;

	notice_host(c, host, sizeof(host));
	if (!st->in_host || strcmp(st->cur_host, host) != 0 || st->cur_absent != !c->host[0]) {
		ctl_sb_printf(&st->sb, "%s{\"host\":", st->in_host ? "]}," : "");
		put_json(&st->sb, cJSON_CreateString(host));
		ctl_sb_printf(&st->sb, ",\"host_absent\":%s,\"objects\":[",
			      c->host[0] ? "false" : "true");
		snprintf(st->cur_host, sizeof(st->cur_host), "%s", host);
		st->cur_absent = !c->host[0];
		st->in_host = true;
	} else {
		ctl_sb_printf(&st->sb, ",");
	}
	o = ctl_api_candidate_json(c);
	notice_url(c, host, url, sizeof(url));
	cJSON_AddStringToObject(o, "url", url);
	put_json(&st->sb, o);
}

static void put_candidate(struct ctl_stream *st, const struct ctl_candidate *c)
{
	if (st->fmt == FMT_CSV && st->kind == EXPORT_NOTICES)
		csv_notice(&st->sb, c);
	else if (st->fmt == FMT_CSV)
		csv_feedback(&st->sb, c);
	else if (st->kind == EXPORT_NOTICES)
		json_notice(st, c);
	else {
		ctl_sb_printf(&st->sb, "%s", st->any ? "," : "");
		put_json(&st->sb, feedback_json(c));
	}
	st->any = true;
}

/* ---- the stream ---- */

static void put_header(struct ctl_stream *st)
{
	const char *status = st->status < 0 ? "all" : ctl_status_name((enum ctl_status)st->status);

	if (st->fmt == FMT_CSV && st->kind == EXPORT_NOTICES)
		ctl_sb_printf(&st->sb, "host,url,status,set,set_version,algo,digest,ref,category,"
				       "first_seen,last_seen,occurrences,candidate_id,host_absent,"
				       "host_truncated,path_truncated,distance\r\n");
	else if (st->fmt == FMT_CSV)
		ctl_sb_printf(&st->sb, "set,set_version,algo,digest,ref,category\r\n");
	else if (st->kind == EXPORT_NOTICES)
		ctl_sb_printf(&st->sb, "{\"generated\":%lld,\"status\":\"%s\",\"hosts\":[",
			      (long long)st->generated, status);
	else
		ctl_sb_printf(&st->sb, "{\"generated\":%lld,\"false_positives\":[",
			      (long long)st->generated);
}

static void put_trailer(struct ctl_stream *st)
{
	if (st->fmt == FMT_JSON)
		ctl_sb_printf(&st->sb, "%s]}", st->in_host ? "]}" : "");
}

/* Produce about EXPORT_CHUNK more bytes into st->sb (or the rest).
 * Returns 0 or -EIO (the store or memory failed). */
static int refill(struct ctl_stream *st)
{
	struct ctl_candidate c;

	if (!st->header_done) {
		put_header(st);
		st->header_done = true;
	}
	while (st->sb.len < EXPORT_CHUNK && st->next < st->ids.n) {
		int r = ctl_store_candidate(st->api->store, st->ids.v[st->next], &c);
		if (r < 0)
			return -EIO; /* candidates are never deleted: any failure is one */
		/* reviewed since the export began: no longer in it */
		if (st->status < 0 || (int)c.status == st->status)
			put_candidate(st, &c);
		st->next++;
	}
	if (st->next == st->ids.n && !st->done) {
		put_trailer(st);
		st->done = true;
	}
	return st->sb.failed ? -EIO : 0;
}

ssize_t ctl_stream_read(struct ctl_stream *st, char *buf, size_t cap)
{
	size_t n;

	if (st->off == st->sb.len) {
		st->off = st->sb.len = 0;
		if (st->done)
			return 0;
		if (refill(st) < 0)
			return -EIO;
	}
	n = st->sb.len - st->off < cap ? st->sb.len - st->off : cap;
	memcpy(buf, st->sb.buf + st->off, n);
	st->off += n;
	return (ssize_t)n;
}

void ctl_stream_free(struct ctl_stream *st)
{
	size_t len;

	if (!st)
		return;
	free(st->ids.v);
	free(ctl_sb_take(&st->sb, &len));
	free(st);
}

static int collect_id(const struct ctl_candidate *c, void *ctx)
{
	struct id_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		int64_t *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = c->id;
	return 0;
}

/* Answer with a stream of the candidates in @status (-1: all) as @kind in
 * @fmt, or with the error. */
static void export_stream(const struct ctl_api_config *api, enum export_kind kind, enum fmt fmt,
			  int status, struct ctl_response *resp)
{
	struct ctl_stream *st = calloc(1, sizeof(*st));
	int r;

	if (!st) {
		ctl_api_error(resp, 500, "out of memory");
		return;
	}
	*st = (struct ctl_stream){ .api = api, .kind = kind, .fmt = fmt, .status = status,
				   .generated = ctl_api_now(api) };
	r = ctl_store_candidates_by_host(api->store, status, collect_id, &st->ids);
	if (r < 0) {
		ctl_stream_free(st);
		if (r == -ENOMEM)
			ctl_api_error(resp, 500, "out of memory");
		else
			ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	free(resp->body);
	*resp = (struct ctl_response){ .code = 200, .stream = st,
				       .content_type = fmt == FMT_CSV ? "text/csv; charset=utf-8"
								      : "application/json" };
}

/* The audit record of an export (who took which list out, in which form). */
static void export_audit(const struct ctl_api_config *api, const struct ctl_route_params *p,
			 const char *what, enum fmt fmt, int status)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "export", what);
	cJSON_AddStringToObject(d, "format", fmt == FMT_CSV ? "csv" : "json");
	cJSON_AddStringToObject(d, "status", status < 0 ? "all"
					     : ctl_status_name((enum ctl_status)status));
	ctl_api_audit_log(api, CTL_AUDIT_EXPORT, p->actor, what, d);
}

void ctl_api_export_notices(const struct ctl_api_config *api, const struct ctl_request *req,
			    const struct ctl_route_params *p, struct ctl_response *resp)
{
	enum fmt fmt;
	int status;

	(void)p;
	if (export_args(req, CTL_STATUS_CONFIRMED, &fmt, &status, resp)) {
		export_stream(api, EXPORT_NOTICES, fmt, status, resp);
		export_audit(api, p, "notices", fmt, status);
	}
}

void ctl_api_export_feedback(const struct ctl_api_config *api, const struct ctl_request *req,
			     const struct ctl_route_params *p, struct ctl_response *resp)
{
	static const char *const allowed[] = { "format", NULL };
	enum fmt fmt;

	(void)p;
	if (ctl_api_args_ok(req, allowed, resp) && parse_format(req, &fmt, resp)) {
		export_stream(api, EXPORT_FEEDBACK, fmt, CTL_STATUS_FALSE_POSITIVE, resp);
		export_audit(api, p, "feedback", fmt, CTL_STATUS_FALSE_POSITIVE);
	}
}
