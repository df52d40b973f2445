/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_manifest.c - the bundle manifest as JSON: a strict parser (strict
 * JSON, common/json_strict.h: no duplicate keys, nothing after the object,
 * no byte-order mark; then every field checked, unknown fields refused) and
 * the writer the publisher uses.
 * Field meanings are in docs/sync-protocol.md.
 */
#include "sync_bundle.h"
#include "common/json_strict.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define MANIFEST_TYPE "hashwall-bundle"

static int bad(struct sync_verdict *v, const char *field, const char *why)
{
	return sync_refuse(v, SYNC_REFUSE_BAD_MANIFEST, "%s: %s", field, why);
}

/* An integer 0..max stored in @node (a JSON number without fraction). */
static int get_uint(const cJSON *obj, const char *key, bool required, uint64_t max,
		    uint64_t *ret, struct sync_verdict *v)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!n) {
		if (required)
			return bad(v, key, "missing");
		*ret = 0;
		return 0;
	}
	if (!cJSON_IsNumber(n) || n->valuedouble < 0 || n->valuedouble != floor(n->valuedouble) ||
	    n->valuedouble > (double)max)
		return bad(v, key, "expected an integer in range");
	*ret = (uint64_t)n->valuedouble;
	return 0;
}

static bool only_keys(const cJSON *obj, const char *const *keys, const char **ret_bad)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, obj) {
		bool known = false;
		for (const char *const *k = keys; *k; k++)
			known |= c->string && strcmp(c->string, *k) == 0;
		if (!known) {
			*ret_bad = c->string ? c->string : "?";
			return false;
		}
	}
	return true;
}

static int parse_counts(const cJSON *obj, const char *key, uint64_t counts[HWALL_ALGO_COUNT],
			struct sync_verdict *v)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key), *c;

	memset(counts, 0, HWALL_ALGO_COUNT * sizeof(counts[0]));
	if (!o)
		return 0;
	if (!cJSON_IsObject(o))
		return bad(v, key, "expected an object of per-algorithm counts");
	cJSON_ArrayForEach(c, o) {
		int a = hwall_algo_parse(c->string);
		if (a < 0)
			return sync_refuse(v, SYNC_REFUSE_BAD_MANIFEST, "%s.%s: unknown algorithm (known: %s)",
					   key, c->string, hwall_algo_names());
		if (get_uint(o, c->string, true, SYNC_VERSION_MAX, &counts[a], v) < 0)
			return sync_refuse(v, SYNC_REFUSE_BAD_MANIFEST, "%s.%s: expected a count", key,
					   c->string);
	}
	return 0;
}

int sync_root_parse(const cJSON *o, struct sync_root *root, struct sync_verdict *v)
{
	static const char *const keys[] = { "version", "threshold", "keys", NULL };
	const cJSON *ks, *k;
	const char *unknown;
	uint64_t th;

	if (!cJSON_IsObject(o))
		return bad(v, "root", "a root bundle needs a root object");
	if (!only_keys(o, keys, &unknown))
		return sync_refuse(v, SYNC_REFUSE_BAD_MANIFEST, "root.%s: unknown field", unknown);
	if (get_uint(o, "version", true, SYNC_VERSION_MAX, &root->version, v) < 0 ||
	    get_uint(o, "threshold", true, SYNC_MAX_SIGS, &th, v) < 0)
		return -EPERM;
	ks = cJSON_GetObjectItemCaseSensitive(o, "keys");
	if (!cJSON_IsArray(ks) || cJSON_GetArraySize(ks) < 1 || cJSON_GetArraySize(ks) > SYNC_MAX_SIGS)
		return bad(v, "root.keys", "expected 1..16 public keys");
	root->n_keys = 0;
	cJSON_ArrayForEach(k, ks) {
		uint8_t *dst = root->keys[root->n_keys];
		if (!cJSON_IsString(k) || hwall_hex_parse(k->valuestring, dst, SYNC_PUBKEY_LEN) < 0)
			return bad(v, "root.keys", "expected 64 hex digits per key");
		for (unsigned int i = 0; i < root->n_keys; i++)
			if (memcmp(root->keys[i], dst, SYNC_PUBKEY_LEN) == 0)
				return bad(v, "root.keys", "duplicate key");
		root->n_keys++;
	}
	if (th < 1 || th > root->n_keys)
		return bad(v, "root.threshold", "must be 1..number of keys");
	root->threshold = (unsigned int)th;
	return 0;
}

static int parse_payload_decl(const cJSON *root, struct sync_manifest *m, struct sync_verdict *v)
{
	static const char *const keys[] = { "size", "sha256", NULL };
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "payload"), *h;
	const char *unknown;

	if (!cJSON_IsObject(p))
		return bad(v, "payload", "missing or not an object");
	if (!only_keys(p, keys, &unknown))
		return sync_refuse(v, SYNC_REFUSE_BAD_MANIFEST, "payload.%s: unknown field", unknown);
	if (get_uint(p, "size", true, UINT64_MAX / 4, &m->payload_size, v) < 0)
		return -EPERM;
	h = cJSON_GetObjectItemCaseSensitive(p, "sha256");
	if (!cJSON_IsString(h) || hwall_hex_parse(h->valuestring, m->payload_sha256, 32) < 0)
		return bad(v, "payload.sha256", "expected 64 hex digits");
	return 0;
}

static int parse_set_id(const cJSON *root, struct sync_manifest *m, struct sync_verdict *v)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "set");
	size_t len;

	if (!cJSON_IsString(s))
		return bad(v, "set", "missing or not a string");
	len = strlen(s->valuestring);
	if (len < 1 || len > SYNC_SET_ID_MAX)
		return bad(v, "set", "must be 1..63 characters");
	for (size_t i = 0; i < len; i++)
		if (s->valuestring[i] <= ' ' || s->valuestring[i] > '~' || s->valuestring[i] == '/')
			return bad(v, "set", "printable ASCII without spaces or '/'");
	memcpy(m->set, s->valuestring, len + 1);
	return 0;
}

static int parse_kind(const cJSON *root, struct sync_manifest *m, struct sync_verdict *v)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(root, "kind");

	for (int i = 0; cJSON_IsString(k) && i < SYNC_KIND_COUNT; i++) {
		if (strcmp(k->valuestring, sync_kind_name((enum sync_kind)i)) == 0) {
			m->kind = (enum sync_kind)i;
			return 0;
		}
	}
	return bad(v, "kind", "expected \"snapshot\", \"delta\" or \"root\"");
}

/* The checks that tie the fields together, once each parsed. */
static int check_consistency(struct sync_manifest *m, struct sync_verdict *v)
{
	uint64_t size = sync_payload_size(m->adds, m->removes);
	bool any_remove = false;

	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		any_remove |= m->removes[a] != 0;
	if (m->version < 1)
		return bad(v, "version", "must be at least 1");
	if (m->expires <= m->created)
		return bad(v, "expires", "must be later than created");
	if (m->kind == SYNC_KIND_DELTA && m->base >= m->version)
		return bad(v, "base", "a delta's base must be lower than its version");
	if (m->kind != SYNC_KIND_DELTA && m->base != 0)
		return bad(v, "base", "only deltas have a base");
	if (m->kind != SYNC_KIND_DELTA && any_remove)
		return bad(v, "remove", "only deltas remove entries");
	if (m->kind == SYNC_KIND_ROOT && size != 0)
		return bad(v, "add", "a root bundle carries no entries");
	if (m->kind == SYNC_KIND_ROOT && m->root.version != m->version)
		return bad(v, "root.version", "must equal version");
	if (size != m->payload_size)
		return sync_refuse(v, SYNC_REFUSE_BAD_MANIFEST,
				   "payload.size: %" PRIu64 " but the counts need %" PRIu64, m->payload_size,
				   size);
	return 0;
}

static int parse_fields(const cJSON *root, struct sync_manifest *m, struct sync_verdict *v)
{
	static const char *const keys[] = { "type", "set", "version", "kind", "base", "created",
					    "expires", "payload", "add", "remove", "root", NULL };
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
	const char *unknown;
	uint64_t created, expires;

	if (!cJSON_IsObject(root))
		return bad(v, "(root)", "expected a JSON object");
	if (!only_keys(root, keys, &unknown))
		return sync_refuse(v, SYNC_REFUSE_BAD_MANIFEST, "%s: unknown field", unknown);
	if (!cJSON_IsString(type) || strcmp(type->valuestring, MANIFEST_TYPE) != 0)
		return bad(v, "type", "expected \"" MANIFEST_TYPE "\"");
	if (parse_set_id(root, m, v) < 0 || parse_kind(root, m, v) < 0 ||
	    get_uint(root, "version", true, SYNC_VERSION_MAX, &m->version, v) < 0 ||
	    get_uint(root, "base", m->kind == SYNC_KIND_DELTA, SYNC_VERSION_MAX, &m->base, v) < 0 ||
	    get_uint(root, "created", true, INT64_MAX / 2, &created, v) < 0 ||
	    get_uint(root, "expires", true, INT64_MAX / 2, &expires, v) < 0 ||
	    parse_payload_decl(root, m, v) < 0 || parse_counts(root, "add", m->adds, v) < 0 ||
	    parse_counts(root, "remove", m->removes, v) < 0)
		return -EPERM;
	if (m->kind == SYNC_KIND_ROOT &&
	    sync_root_parse(cJSON_GetObjectItemCaseSensitive(root, "root"), &m->root, v) < 0)
		return -EPERM;
	if (m->kind != SYNC_KIND_ROOT && cJSON_GetObjectItemCaseSensitive(root, "root"))
		return bad(v, "root", "only root bundles carry a root");
	m->created = (int64_t)created;
	m->expires = (int64_t)expires;
	return check_consistency(m, v);
}

int sync_manifest_parse(const uint8_t *json, size_t len, struct sync_manifest *ret_m,
			struct sync_verdict *v)
{
	struct hwall_json_fault f;
	struct sync_manifest m;
	char why[160];
	cJSON *root;
	int r;

	memset(&m, 0, sizeof(m));
	r = hwall_json_parse_strict((const char *)json, len, HWALL_JSON_INTEGERS, &root, &f);
	if (r < 0 && f.kind == HWALL_JSON_DUPLICATE)
		return bad(v, f.path, "duplicate key");
	if (r < 0) {
		hwall_json_fault_format(&f, why, sizeof(why));
		return bad(v, "(root)", r == -EINVAL ? why : "out of memory");
	}
	r = parse_fields(root, &m, v);
	cJSON_Delete(root);
	if (r < 0)
		return r;
	*ret_m = m;
	return 0;
}

static cJSON *counts_json(const uint64_t counts[HWALL_ALGO_COUNT])
{
	cJSON *o = cJSON_CreateObject();

	for (int a = 0; o && a < HWALL_ALGO_COUNT; a++)
		if (counts[a] && !cJSON_AddNumberToObject(o, hwall_algo_name((enum hwall_algo)a), (double)counts[a]))
			return cJSON_Delete(o), NULL;
	return o;
}

cJSON *sync_root_json(const struct sync_root *r)
{
	cJSON *o = cJSON_CreateObject(), *keys = cJSON_AddArrayToObject(o, "keys");
	char hex[2 * SYNC_PUBKEY_LEN + 1];

	if (!keys || !cJSON_AddNumberToObject(o, "version", (double)r->version) ||
	    !cJSON_AddNumberToObject(o, "threshold", r->threshold))
		return cJSON_Delete(o), NULL;
	for (unsigned int i = 0; i < r->n_keys; i++) {
		hwall_hex_format(r->keys[i], SYNC_PUBKEY_LEN, hex);
		if (!cJSON_AddItemToArray(keys, cJSON_CreateString(hex)))
			return cJSON_Delete(o), NULL;
	}
	return o;
}

int sync_manifest_format(const struct sync_manifest *m, char **ret_json)
{
	cJSON *o = cJSON_CreateObject(), *p;
	char hex[65];
	struct sync_verdict v;
	struct sync_manifest check = *m;
	bool ok;
	char *text;

	if (check_consistency(&check, &v) < 0) {
		cJSON_Delete(o);
		return -EINVAL;
	}
	hwall_hex_format(m->payload_sha256, 32, hex);
	ok = o && cJSON_AddStringToObject(o, "type", MANIFEST_TYPE) &&
	     cJSON_AddStringToObject(o, "set", m->set) &&
	     cJSON_AddNumberToObject(o, "version", (double)m->version) &&
	     cJSON_AddStringToObject(o, "kind", sync_kind_name(m->kind)) &&
	     (m->kind != SYNC_KIND_DELTA || cJSON_AddNumberToObject(o, "base", (double)m->base)) &&
	     cJSON_AddNumberToObject(o, "created", (double)m->created) &&
	     cJSON_AddNumberToObject(o, "expires", (double)m->expires) &&
	     (p = cJSON_AddObjectToObject(o, "payload")) &&
	     cJSON_AddNumberToObject(p, "size", (double)m->payload_size) &&
	     cJSON_AddStringToObject(p, "sha256", hex) &&
	     cJSON_AddItemToObject(o, "add", counts_json(m->adds)) &&
	     (m->kind != SYNC_KIND_DELTA || cJSON_AddItemToObject(o, "remove", counts_json(m->removes))) &&
	     (m->kind != SYNC_KIND_ROOT || cJSON_AddItemToObject(o, "root", sync_root_json(&m->root)));
	text = ok ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!text)
		return -ENOMEM;
	*ret_json = text;
	return 0;
}
