/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eventlog.c - the JSON-lines match log (see eventlog.h).
 */
#include "control/eventlog.h"
#include "control/strbuf.h"
#include "common/errors.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 16384

struct ctl_eventlog {
	int fd;
	struct ctl_sb pending;
	bool failed; /* a line could not be formatted: counted as lost */
};

int ctl_eventlog_open(const char *path, struct ctl_eventlog **ret_el)
{
	struct ctl_eventlog *el = calloc(1, sizeof(*el));

	if (!el)
		return -ENOMEM;
	el->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (el->fd < 0) {
		int r = hwall_neg_errno();
		free(el);
		return r;
	}
	*ret_el = el;
	return 0;
}

/* The http and fileinfo parts, as EVE names them. */
static void add_eve_parts(cJSON *o, const struct ctl_event *ev)
{
	cJSON *http = cJSON_AddObjectToObject(o, "http");
	cJSON *fi = cJSON_AddObjectToObject(o, "fileinfo");

	if (ev->host[0]) /* as EVE does, no hostname when the request had no Host */
		cJSON_AddStringToObject(http, "hostname", ev->host);
	cJSON_AddStringToObject(http, "url", ev->path);
	cJSON_AddStringToObject(http, "http_method", ev->method);
	cJSON_AddNumberToObject(http, "status", ev->http_status);
	cJSON_AddStringToObject(fi, "filename", ev->path);
	cJSON_AddNumberToObject(fi, "size", (double)ev->size);
	cJSON_AddStringToObject(fi, "state", ev->complete ? "CLOSED" : "TRUNCATED");
	cJSON_AddBoolToObject(fi, "partial", ev->partial);
	cJSON_AddBoolToObject(fi, "stored", false);
	cJSON_AddStringToObject(fi, hwall_algo_name(ev->algo), ev->digest);
}

int ctl_eventlog_format(const struct ctl_event *ev, const struct ctl_record_result *res,
			char *buf, size_t cap)
{
	cJSON *o = cJSON_CreateObject(), *hw;
	time_t t = (time_t)ev->ts;
	char ts[32];
	struct tm tm;
	int r = -ENOMEM;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, "timestamp", ts);
	cJSON_AddStringToObject(o, "event_type", "fileinfo");
	cJSON_AddStringToObject(o, "src_ip", ev->server_ip);
	cJSON_AddNumberToObject(o, "src_port", ev->server_port);
	cJSON_AddStringToObject(o, "client", ev->client); /* controld's pseudonym */
	cJSON_AddStringToObject(o, "proto", "TCP");
	cJSON_AddStringToObject(o, "app_proto", "http");
	add_eve_parts(o, ev);
	hw = cJSON_AddObjectToObject(o, "hashwall");
	cJSON_AddStringToObject(hw, "set", ev->set);
	cJSON_AddNumberToObject(hw, "set_version", (double)ev->set_version);
	cJSON_AddStringToObject(hw, "algo", hwall_algo_name(ev->algo));
	cJSON_AddStringToObject(hw, "digest", ev->digest);
	cJSON_AddNumberToObject(hw, "category", ev->category);
	cJSON_AddNumberToObject(hw, "ref", ev->ref);
	cJSON_AddNumberToObject(hw, "candidate_id", (double)res->candidate_id);
	cJSON_AddBoolToObject(hw, "new_candidate", res->created);
	cJSON_AddBoolToObject(hw, "reopened", res->reopened);
	if (ev->host_truncated)
		cJSON_AddTrueToObject(hw, "host_truncated");
	if (ev->path_truncated)
		cJSON_AddTrueToObject(hw, "path_truncated");
	if (cJSON_PrintPreallocated(o, buf, (int)cap - 1, false)) {
		size_t n = strlen(buf);
		buf[n] = '\n';
		buf[n + 1] = '\0';
		r = (int)n + 1;
	} else {
		r = -ENOSPC;
	}
	cJSON_Delete(o);
	return r;
}

void ctl_eventlog_add(struct ctl_eventlog *el, const struct ctl_event *ev,
		      const struct ctl_record_result *res)
{
	char line[LINE_MAX_BYTES];

	if (ctl_eventlog_format(ev, res, line, sizeof(line)) < 0)
		el->failed = true;
	else
		ctl_sb_printf(&el->pending, "%s", line);
}

int ctl_eventlog_flush(struct ctl_eventlog *el)
{
	size_t len = 0, off = 0;
	char *text = ctl_sb_take(&el->pending, &len);
	int r = el->failed ? -ENOSPC : 0;

	el->failed = false;
	while (text && off < len) {
		ssize_t n = write(el->fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = hwall_neg_errno();
			break;
		}
		off += (size_t)n;
	}
	free(text);
	return r;
}

void ctl_eventlog_discard(struct ctl_eventlog *el)
{
	size_t len;

	free(ctl_sb_take(&el->pending, &len));
	el->failed = false;
}

void ctl_eventlog_close(struct ctl_eventlog *el)
{
	if (!el)
		return;
	ctl_eventlog_discard(el);
	close(el->fd);
	free(el);
}
