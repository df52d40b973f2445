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
#include "common/json_strict.h"

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

static cJSON *new_index(const char *set)
{
	cJSON *idx = cJSON_CreateObject();

	if (!cJSON_AddStringToObject(idx, "set", set) || !cJSON_AddNumberToObject(idx, "latest", 0) ||
	    !cJSON_AddArrayToObject(idx, "deltas") || !cJSON_AddArrayToObject(idx, "roots")) {
		cJSON_Delete(idx);
		return NULL;
	}
	return idx;
}

/*
 * The index at @path, or a new one for @set when there is none.  Returns 0,
 * or -errno with @err set; a file that is there but is not strict JSON or
 * not an index of @set is refused, never replaced (its entries would be
 * lost to every appliance that pulls).
 */
static int load_index(const char *path, const char *set, cJSON **ret_idx, struct hwall_err *err)
{
	struct hwall_json_fault f;
	const cJSON *name;
	char *buf = NULL, why[256];
	size_t len = 0;
	cJSON *idx = NULL;
	int r = hwall_read_file(path, 64u << 20, &buf, &len);

	if (r == -ENOENT) {
		*ret_idx = new_index(set);
		return *ret_idx ? 0 : -ENOMEM;
	}
	if (r < 0)
		return hwall_err_set(err, r, "%s", hwall_strerror(r));
	r = hwall_json_parse_strict(buf, len, HWALL_JSON_INTEGERS, &idx, &f);
	free(buf);
	if (r < 0) {
		hwall_json_fault_format(&f, why, sizeof(why));
		return hwall_err_set(err, r, "%s", r == -EINVAL ? why : hwall_strerror(r));
	}
	name = cJSON_GetObjectItemCaseSensitive(idx, "set");
	if (!cJSON_IsString(name) || strcmp(name->valuestring, set) != 0 ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(idx, "deltas")) ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(idx, "roots"))) {
		cJSON_Delete(idx);
		return hwall_err_set(err, -EINVAL, "not an index of set \"%s\"", set);
	}
	*ret_idx = idx;
	return 0;
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

/* Export one bundle; files and directories are made as open(2) and mkdir(2)
 * would under @mask: what is exported is published. */
static int export_one(const char *dir, const char *path, mode_t mask)
{
	char setdir[4096], file[64], dst[4200];
	struct sync_manifest m;
	struct hwall_err err;
	char *buf = NULL;
	size_t len = 0;
	cJSON *idx = NULL;
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
	r = hwall_mkdir_p(setdir, 0777 & ~mask);
	if (r < 0) {
		fprintf(stderr, "hashwall-publish: %s: %s\n", setdir, hwall_strerror(r));
		goto out_free;
	}
	r = hwall_write_atomic(dst, buf, len, 0666 & ~mask);
	if (r < 0) {
		fprintf(stderr, "hashwall-publish: %s: %s\n", dst, hwall_strerror(r));
		goto out_free;
	}
	snprintf(dst, sizeof(dst), "%s/index.json", setdir);
	r = load_index(dst, m.set, &idx, &err);
	if (r < 0) {
		fprintf(stderr, "hashwall-publish: %s: %s; fix or remove it\n", dst, err.msg);
		goto out_free;
	}
	index_add(idx, &m, file);
	text = cJSON_Print(idx);
	cJSON_Delete(idx);
	r = text ? hwall_write_atomic(dst, text, strlen(text), 0666 & ~mask) : -ENOMEM;
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
		if (export_one(o->dir, o->args[i], o->umask) < 0)
			return PUB_EXIT_FAIL;
	return 0;
}
