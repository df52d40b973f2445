/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_status.c - /api/v1/status: the store (schema, candidates per status,
 * blocks, allowlist), the sets (seen in matches, and as each dataplane
 * reports them loaded, with their age and expiry), the dataplanes and their
 * counters, enforcement, and controld's own counters.
 */
#include "control/api_int.h"
#include "hashsync/hws.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#define STALE_AFTER (7 * 86400) /* default: a set older than this is flagged stale */

static int64_t stale_after(const struct ctl_api_config *api)
{
	return api->set_stale_after > 0 ? api->set_stale_after : STALE_AFTER;
}

/* Age, expiry and freshness of a set created at @created, expiring at
 * @expires (0: never), as seen at @now. */
static void add_age(cJSON *o, double created, double expires, int64_t now, int64_t stale)
{
	double age = created > 0 ? (double)now - created : -1;
	bool expired = expires > 0 && (double)now > expires;

	cJSON_AddNumberToObject(o, "age", age);
	cJSON_AddBoolToObject(o, "expired", expired);
	cJSON_AddBoolToObject(o, "fresh", !expired && age >= 0 && age <= (double)stale);
}

/* The set files installed in set_dir (by syncd): id, version, times, size. */
static void add_installed(const struct ctl_api_config *api, cJSON *arr, int64_t now)
{
	DIR *d = api->set_dir ? opendir(api->set_dir) : NULL;
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct hwall_err err;
		struct hws_info info;
		struct hws_set *set;
		char path[4096];
		cJSON *o;

		if (n < 5 || strcmp(de->d_name + n - 4, ".hws") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", api->set_dir, de->d_name);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "file", de->d_name);
		if (hws_open(path, &set, &err) < 0) {
			cJSON_AddStringToObject(o, "error", err.msg);
			cJSON_AddItemToArray(arr, o);
			continue;
		}
		hws_info(set, &info);
		hws_close(set);
		cJSON_AddStringToObject(o, "id", info.id);
		cJSON_AddNumberToObject(o, "version", (double)info.version);
		cJSON_AddNumberToObject(o, "created", (double)info.created);
		cJSON_AddNumberToObject(o, "expires", (double)info.expires);
		cJSON_AddNumberToObject(o, "entries", (double)info.entries);
		add_age(o, (double)info.created, (double)info.expires, now, stale_after(api));
		cJSON_AddItemToArray(arr, o);
	}
	if (d)
		closedir(d);
}

static int add_set(const struct ctl_set_summary *ss, void *ctx)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "set", ss->set);
	cJSON_AddNumberToObject(o, "max_version_matched", (double)ss->max_version);
	cJSON_AddNumberToObject(o, "candidates", (double)ss->candidates);
	cJSON_AddNumberToObject(o, "last_match", (double)ss->last_match);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

/* Add age, expired and fresh to every loaded set a dataplane reported. */
static void add_freshness(const struct ctl_api_config *api, cJSON *dataplanes, int64_t now)
{
	const cJSON *dp;
	cJSON *set;

	cJSON_ArrayForEach(dp, dataplanes) {
		cJSON_ArrayForEach(set, cJSON_GetObjectItemCaseSensitive(dp, "sets")) {
			add_age(set, cJSON_GetNumberValue(cJSON_GetObjectItem(set, "created")),
				cJSON_GetNumberValue(cJSON_GetObjectItem(set, "expires")), now,
				stale_after(api));
		}
	}
}

static bool add_store(const struct ctl_api_config *api, cJSON *obj, int64_t now)
{
	uint64_t counts[CTL_STATUS_COUNT], allow = 0, blocks = 0;
	cJSON *store = cJSON_AddObjectToObject(obj, "store");
	cJSON *cand = cJSON_AddObjectToObject(store, "candidates");

	if (ctl_store_count_status(api->store, counts) < 0 ||
	    ctl_store_counts(api->store, now, &allow, &blocks) < 0)
		return false;
	cJSON_AddNumberToObject(store, "schema_version", ctl_store_schema_version(api->store));
	for (int i = 0; i < CTL_STATUS_COUNT; i++)
		cJSON_AddNumberToObject(cand, ctl_status_name((enum ctl_status)i), (double)counts[i]);
	cJSON_AddNumberToObject(store, "blocks_active", (double)blocks);
	cJSON_AddNumberToObject(store, "allowlist", (double)allow);
	return ctl_store_set_summary(api->store, add_set, cJSON_AddArrayToObject(obj, "sets")) == 0;
}

void ctl_api_status(const struct ctl_api_config *api, const struct ctl_request *req,
		    const struct ctl_route_params *p, struct ctl_response *resp)
{
	int64_t now = ctl_api_now(api);
	cJSON *obj, *dps, *enf, *ctr;

	(void)p;
	if (!ctl_api_args_ok(req, NULL, resp))
		return;
	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "service", "hashwall-controld");
	cJSON_AddNumberToObject(obj, "now", (double)now);
	cJSON_AddNumberToObject(obj, "uptime", (double)(now - api->started));
	if (!add_store(api, obj, now)) {
		cJSON_Delete(obj);
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	dps = api->ingest ? ctl_ingest_status(api->ingest) : cJSON_CreateArray();
	add_freshness(api, dps, now);
	add_installed(api, cJSON_AddArrayToObject(obj, "installed_sets"), now);
	cJSON_AddItemToObject(obj, "dataplanes", dps);
	enf = cJSON_AddObjectToObject(obj, "enforcement");
	if (api->enforce)
		ctl_enforce_status(api->enforce, enf);
	else
		cJSON_AddBoolToObject(enf, "available", false);
	ctr = cJSON_AddObjectToObject(obj, "counters");
	for (int i = 0; api->metrics && i < CTL_CTR_COUNT; i++)
		cJSON_AddNumberToObject(ctr, ctl_counter_name((enum ctl_counter)i),
					(double)ctl_counter_get(api->metrics, (enum ctl_counter)i));
	ctl_api_json(resp, 200, obj);
}
