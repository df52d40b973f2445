/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_report.c - what the engine tells the outside: the JSON answer to a
 * submission, the status of every set, and Prometheus metrics.  Set ids are
 * the only labels (no client addresses, ever).
 */
#include "sync_engine.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

char *sync_result_json(const struct sync_result *res)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	if (res->target)
		cJSON_AddStringToObject(o, "set", res->target->hl->set);
	if (res->verdict.reason == SYNC_OK) {
		cJSON_AddStringToObject(o, "status", "installed");
		cJSON_AddStringToObject(o, "kind", sync_kind_name(res->kind));
		cJSON_AddNumberToObject(o, res->kind == SYNC_KIND_ROOT ? "root_version" : "version",
					(double)res->version);
		if (res->kind != SYNC_KIND_ROOT)
			cJSON_AddStringToObject(o, "dataplane", res->no_dataplane ? "none"
								: res->dataplane_pending ? "pending" : "loaded");
	} else {
		cJSON_AddStringToObject(o, "status", "refused");
		cJSON_AddStringToObject(o, "error", sync_refusal_name(res->verdict.reason));
		cJSON_AddStringToObject(o, "detail", res->verdict.detail.msg);
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

static cJSON *target_json(const struct sync_target *t, int64_t now)
{
	cJSON *o = cJSON_CreateObject(), *ref;
	const char *why;
	bool stale = sync_target_stale(t, now, &why);

	cJSON_AddStringToObject(o, "hotline", t->hl->name);
	cJSON_AddStringToObject(o, "set", t->hl->set);
	cJSON_AddNumberToObject(o, "installed_version", (double)t->installed_version);
	cJSON_AddNumberToObject(o, "entries", (double)t->installed_entries);
	cJSON_AddNumberToObject(o, "created", (double)t->installed_created);
	cJSON_AddNumberToObject(o, "expires", (double)t->installed_expires);
	cJSON_AddNumberToObject(o, "dataplane_version", (double)t->st.notified_version);
	cJSON_AddNumberToObject(o, "root_version", (double)t->st.root.version);
	cJSON_AddNumberToObject(o, "last_success", (double)t->st.last_success);
	cJSON_AddNumberToObject(o, "last_checked", (double)t->st.last_checked);
	cJSON_AddBoolToObject(o, "stale", stale);
	cJSON_AddStringToObject(o, "freshness", why);
	if (t->st.last_refusal) {
		ref = cJSON_AddObjectToObject(o, "last_refusal");
		cJSON_AddNumberToObject(ref, "time", (double)t->st.last_refusal);
		cJSON_AddStringToObject(ref, "reason", sync_refusal_name(t->st.last_reason));
		cJSON_AddStringToObject(ref, "detail", t->st.last_detail);
	}
	return o;
}

char *sync_engine_status_json(struct sync_engine *e, int64_t now)
{
	cJSON *o = cJSON_CreateObject(), *sets = cJSON_AddArrayToObject(o, "sets");
	char *text;

	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < e->n_targets; i++)
		cJSON_AddItemToArray(sets, target_json(&e->targets[i], now));
	pthread_mutex_unlock(&e->lock);
	text = cJSON_Print(o);
	cJSON_Delete(o);
	return text;
}

/* A growing text buffer for the exposition format. */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void emit(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (int attempt = 0; attempt < 2 && !t->failed; attempt++) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
		} else if (t->buf && (size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		} else {
			size_t cap = (t->cap + (size_t)n + 1) * 2;
			char *nb = realloc(t->buf, cap);
			if (!nb)
				t->failed = true;
			else
				t->buf = nb, t->cap = cap;
		}
	}
}

/* One gauge or counter per set, as the exposition format wants: grouped by name. */
static const struct {
	const char *name, *type, *help;
} per_set[] = {
	{ "hashwall_sync_installed_version", "gauge", "Version of the installed set file." },
	{ "hashwall_sync_entries", "gauge", "Entries in the installed set file." },
	{ "hashwall_sync_stale", "gauge", "1 when the set is stale (expired, or no update or check within stale_after)." },
	{ "hashwall_sync_expires_timestamp_seconds", "gauge", "Expiry of the installed set." },
	{ "hashwall_sync_last_success_timestamp_seconds", "gauge", "Time of the last install." },
	{ "hashwall_sync_installs_total", "counter", "Bundles installed." },
};

static int64_t per_set_value(const struct sync_target *t, size_t metric, int64_t now)
{
	switch (metric) {
	case 0: return (int64_t)t->installed_version;
	case 1: return (int64_t)t->installed_entries;
	case 2: return sync_target_stale(t, now, NULL);
	case 3: return t->installed_expires;
	case 4: return t->st.last_success;
	default: return (int64_t)t->st.installs;
	}
}

char *sync_engine_metrics(struct sync_engine *e, int64_t now)
{
	struct text t = { 0 };

	pthread_mutex_lock(&e->lock);
	for (size_t m = 0; m < sizeof(per_set) / sizeof(per_set[0]); m++) {
		emit(&t, "# HELP %s %s\n# TYPE %s %s\n", per_set[m].name, per_set[m].help, per_set[m].name,
		     per_set[m].type);
		for (size_t i = 0; i < e->n_targets; i++)
			emit(&t, "%s{set=\"%s\"} %" PRId64 "\n", per_set[m].name, e->targets[i].hl->set,
			     per_set_value(&e->targets[i], m, now));
	}
	emit(&t, "# HELP hashwall_sync_refusals_total Bundles refused, by reason.\n"
		 "# TYPE hashwall_sync_refusals_total counter\n");
	for (size_t i = 0; i < e->n_targets; i++)
		for (int r = 1; r < SYNC_REFUSE_COUNT; r++)
			emit(&t, "hashwall_sync_refusals_total{set=\"%s\",reason=\"%s\"} %" PRIu64 "\n",
			     e->targets[i].hl->set, sync_refusal_name((enum sync_refusal)r),
			     e->targets[i].st.refusals[r]);
	emit(&t, "# HELP hashwall_sync_unauthorized_total Requests without a valid token: pushes, and status or metrics reads beyond loopback.\n"
		 "# TYPE hashwall_sync_unauthorized_total counter\n"
		 "hashwall_sync_unauthorized_total %" PRIu64 "\n", e->unauthorized);
	pthread_mutex_unlock(&e->lock);
	if (t.failed) {
		free(t.buf);
		return NULL;
	}
	return t.buf;
}
