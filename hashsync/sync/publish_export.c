/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * publish_export.c - `hashwall-publish export --dir DIR BUNDLE...` (also
 * spelled serve-dir): lays bundles out as static files for pull
 * distribution over any web server or CDN:
 *
 *   DIR/<set>/index.json          the pointer: latest version, newest
 *                                 snapshot, every delta and root bundle
 *   DIR/<set>/<version>-snapshot.hwb, <version>-delta.hwb, root-<N>.hwb
 *
 * The index is not signed: it only says where bundles are, and every bundle
 * is verified on its own (docs/sync-protocol.md, "Pull").  Files are
 * written atomically, bundles before the index that names them.
 */
#include "publish.h"
#include "sync_bundle.h"
#include "sync_state.h"
#include "common/errors.h"
#include "common/fileio.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Parse a bundle's manifest without checking signatures (ours to publish). */
static int read_manifest(const uint8_t *buf, size_t len, struct sync_manifest *m,
			 struct hwall_err *err)
{
	struct sync_caps caps = { .bundle_bytes = UINT64_MAX / 4, .manifest_bytes = SYNC_MANIFEST_CAP_MAX };
	struct sync_bundle b;
	struct sync_verdict v;

	if (sync_bundle_split(buf, len, &caps, &b, &v) < 0 ||
	    sync_manifest_parse(b.manifest, b.manifest_len, m, &v) < 0)
		return hwall_err_set(err, -EINVAL, "%s: %s", sync_refusal_name(v.reason), v.detail.msg);
	return 0;
}

static cJSON *load_index(const char *path, const char *set)
{
	char *buf = NULL;
	size_t len = 0;
	cJSON *idx = NULL;

	if (hwall_read_file(path, 64u << 20, &buf, &len) == 0) {
		idx = cJSON_ParseWithLength(buf, len);
		free(buf);
	}
	if (!cJSON_IsObject(idx)) {
		cJSON_Delete(idx);
		idx = cJSON_CreateObject();
		cJSON_AddStringToObject(idx, "set", set);
		cJSON_AddNumberToObject(idx, "latest", 0);
		cJSON_AddArrayToObject(idx, "deltas");
		cJSON_AddArrayToObject(idx, "roots");
	}
	return idx;
}

static cJSON *entry(const struct sync_manifest *m, const char *file)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddNumberToObject(e, "version", (double)m->version);
	if (m->kind == SYNC_KIND_DELTA)
		cJSON_AddNumberToObject(e, "base", (double)m->base);
	cJSON_AddStringToObject(e, "file", file);
	return e;
}

/* Put @m (stored as @file) into the index. */
static void index_add(cJSON *idx, const struct sync_manifest *m, const char *file)
{
	cJSON *latest = cJSON_GetObjectItemCaseSensitive(idx, "latest");
	cJSON *snap = cJSON_GetObjectItemCaseSensitive(idx, "snapshot");
	cJSON *list, *it;
	double v = (double)m->version;

	if (m->kind == SYNC_KIND_SNAPSHOT) {
		if (!snap) {
			cJSON_AddItemToObject(idx, "snapshot", entry(m, file));
		} else if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(snap, "version")) < v) {
			cJSON_DeleteItemFromObjectCaseSensitive(idx, "snapshot");
			cJSON_AddItemToObject(idx, "snapshot", entry(m, file));
		}
	} else {
		list = cJSON_GetObjectItemCaseSensitive(idx, m->kind == SYNC_KIND_DELTA ? "deltas" : "roots");
		cJSON_ArrayForEach(it, list)
			if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "version")) == v)
				return;
		cJSON_AddItemToArray(list, entry(m, file));
	}
	if (m->kind != SYNC_KIND_ROOT && cJSON_GetNumberValue(latest) < v)
		cJSON_SetNumberValue(latest, v);
}

static int export_one(const char *dir, const char *path)
{
	char setdir[4096], file[64], dst[4200];
	struct sync_manifest m;
	struct hwall_err err;
	char *buf = NULL;
	size_t len = 0;
	cJSON *idx;
	char *text;
	int r;

	r = hwall_read_file(path, 64ull << 30, &buf, &len);
	if (r == 0 && (r = read_manifest((const uint8_t *)buf, len, &m, &err)) < 0)
		fprintf(stderr, "hashwall-publish: %s: not a valid bundle (%s)\n", path, err.msg);
	else if (r < 0)
		fprintf(stderr, "hashwall-publish: %s: %s\n", path, hwall_strerror(r));
	if (r < 0)
		goto out_free;
	snprintf(setdir, sizeof(setdir), "%s/%s", dir, m.set);
	if (m.kind == SYNC_KIND_ROOT)
		snprintf(file, sizeof(file), "root-%" PRIu64 ".hwb", m.version);
	else
		snprintf(file, sizeof(file), "%" PRIu64 "-%s.hwb", m.version, sync_kind_name(m.kind));
	snprintf(dst, sizeof(dst), "%s/%s", setdir, file);
	r = hwall_mkdir_p(setdir, 0755);
	if (r < 0) {
		fprintf(stderr, "hashwall-publish: %s: %s\n", setdir, hwall_strerror(r));
		goto out_free;
	}
	r = hwall_write_atomic(dst, buf, len, 0644);
	if (r < 0) {
		fprintf(stderr, "hashwall-publish: %s: %s\n", dst, hwall_strerror(r));
		goto out_free;
	}
	snprintf(dst, sizeof(dst), "%s/index.json", setdir);
	idx = load_index(dst, m.set);
	index_add(idx, &m, file);
	text = cJSON_Print(idx);
	cJSON_Delete(idx);
	r = text ? hwall_write_atomic(dst, text, strlen(text), 0644) : -ENOMEM;
	free(text);
	if (r < 0)
		fprintf(stderr, "hashwall-publish: %s: %s\n", dst, hwall_strerror(r));
	else
		printf("%s/%s\n", setdir, file);
out_free:
	free(buf);
	return r;
}

int pub_cmd_export(const struct pub_opts *o)
{
	if (!o->dir || o->n_args < 1) {
		fprintf(stderr, "usage: hashwall-publish export --dir DIR BUNDLE...\n");
		return PUB_EXIT_USAGE;
	}
	for (int i = 0; i < o->n_args; i++)
		if (export_one(o->dir, o->args[i]) < 0)
			return PUB_EXIT_FAIL;
	return 0;
}
