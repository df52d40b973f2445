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
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* ---- the set files in set_dir, cached by file identity ---- */

#define SET_CACHE_MAX 256 /* files remembered; more are checked every time */

/* One file as last seen: its identity and what hws_open() said. */
struct set_seen {
	char file[256];
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	bool ok, seen;
	struct hws_info info;
	char error[HWALL_ERR_MSG_MAX];
};

struct ctl_set_cache {
	pthread_mutex_t lock;
	struct set_seen *v;
	size_t n;
};

struct ctl_set_cache *ctl_set_cache_new(void)
{
	struct ctl_set_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->v = calloc(SET_CACHE_MAX, sizeof(*c->v));
	if (!c->v) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void ctl_set_cache_free(struct ctl_set_cache *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->v);
	free(c);
}

static bool same_file(const struct set_seen *e, const char *name, const struct stat *st)
{
	return strcmp(e->file, name) == 0 && e->dev == st->st_dev && e->ino == st->st_ino &&
	       e->size == st->st_size && e->mtime.tv_sec == st->st_mtim.tv_sec &&
	       e->mtime.tv_nsec == st->st_mtim.tv_nsec && e->ctime.tv_sec == st->st_ctim.tv_sec &&
	       e->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* Open and check set file @name (of identity @st) into @e. */
static void check_file(const struct ctl_api_config *api, const char *name, const struct stat *st,
		       struct set_seen *e)
{
	struct hwall_err err = { { 0 } };
	struct hws_set *set;
	char path[4096];
	int r;

	memset(e, 0, sizeof(*e));
	snprintf(e->file, sizeof(e->file), "%s", name);
	e->dev = st->st_dev, e->ino = st->st_ino, e->size = st->st_size;
	e->mtime = st->st_mtim, e->ctime = st->st_ctim;
	snprintf(path, sizeof(path), "%s/%s", api->set_dir, name);
	ctl_count(api->metrics, CTL_CTR_API_SET_CHECKS, 1);
	r = hws_open(path, &set, &err);
	e->ok = r == 0;
	if (e->ok) {
		hws_info(set, &e->info);
		hws_close(set);
	} else {
		snprintf(e->error, sizeof(e->error), "%s", hwall_err_why(&err, r));
	}
	e->seen = true;
}

/* What is known of set file @name: from @c when its identity is the same
 * as last time, else checked now (and remembered when there is room). */
static void lookup(const struct ctl_api_config *api, struct ctl_set_cache *c, int dfd,
		   const char *name, struct set_seen *ret)
{
	struct stat st;
	size_t i = 0;

	if (fstatat(dfd, name, &st, 0) < 0) {
		memset(ret, 0, sizeof(*ret));
		snprintf(ret->error, sizeof(ret->error), "%s", strerror(errno));
		return;
	}
	while (c && i < c->n && !same_file(&c->v[i], name, &st))
		i++;
	if (!c || i == c->n) {
		check_file(api, name, &st, ret);
		if (c && c->n < SET_CACHE_MAX)
			c->v[c->n++] = *ret;
		return;
	}
	c->v[i].seen = true;
	*ret = c->v[i];
}

/* Forget the files that were not seen in this listing (removed, replaced). */
static void sweep(struct ctl_set_cache *c)
{
	size_t k = 0;

	for (size_t i = 0; c && i < c->n; i++) {
		if (c->v[i].seen) {
			c->v[i].seen = false;
			c->v[k++] = c->v[i];
		}
	}
	if (c)
		c->n = k;
}

static cJSON *installed_json(const struct ctl_api_config *api, const struct set_seen *e,
			     const char *name, int64_t now)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "file", name);
	if (!e->ok) {
		cJSON_AddStringToObject(o, "error", e->error);
		return o;
	}
	cJSON_AddStringToObject(o, "id", e->info.id);
	cJSON_AddNumberToObject(o, "version", (double)e->info.version);
	cJSON_AddNumberToObject(o, "created", (double)e->info.created);
	cJSON_AddNumberToObject(o, "expires", (double)e->info.expires);
	cJSON_AddNumberToObject(o, "entries", (double)e->info.entries);
	add_age(o, (double)e->info.created, (double)e->info.expires, now, stale_after(api));
	return o;
}

/* The set files installed in set_dir (by syncd): id, version, times, size. */
static void add_installed(const struct ctl_api_config *api, cJSON *arr, int64_t now)
{
	DIR *d = api->set_dir ? opendir(api->set_dir) : NULL;
	struct ctl_set_cache *c = api->set_cache;
	struct dirent *de;

	if (!d)
		return;
	if (c)
		pthread_mutex_lock(&c->lock);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct set_seen e;

		if (n < 5 || strcmp(de->d_name + n - 4, ".hws") != 0)
			continue;
		lookup(api, c, dirfd(d), de->d_name, &e);
		cJSON_AddItemToArray(arr, installed_json(api, &e, de->d_name, now));
	}
	sweep(c);
	if (c)
		pthread_mutex_unlock(&c->lock);
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

/* Flood quarantine: how many are active (they need an admin) and the
 * thresholds. */
static void add_quarantine(const struct ctl_api_config *api, cJSON *q)
{
	uint64_t active = 0;

	ctl_store_quarantines(api->store, CTL_QUAR_ACTIVE, 0, 0, NULL, NULL, &active);
	cJSON_AddNumberToObject(q, "active", (double)active);
	cJSON_AddBoolToObject(q, "enabled", api->quarantine && !api->quarantine->cfg.disabled);
	if (api->quarantine) {
		cJSON_AddNumberToObject(q, "hosts", api->quarantine->cfg.hosts);
		cJSON_AddNumberToObject(q, "urls", api->quarantine->cfg.urls);
		cJSON_AddNumberToObject(q, "window", api->quarantine->cfg.window);
	}
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
	add_quarantine(api, cJSON_AddObjectToObject(obj, "quarantine"));
	ctr = cJSON_AddObjectToObject(obj, "counters");
	for (int i = 0; api->metrics && i < CTL_CTR_COUNT; i++)
		cJSON_AddNumberToObject(ctr, ctl_counter_name((enum ctl_counter)i),
					(double)ctl_counter_get(api->metrics, (enum ctl_counter)i));
	ctl_api_json(resp, 200, obj);
}
