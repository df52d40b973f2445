/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_allowlist.c - /api/v1/allowlist: the local allowlist of digests that
 * no longer raise candidates (false positives), each for one set or for
 * every set, and the file that hands it to the dataplane ("ALGO HEX" or
 * "ALGO HEX SET" per line, rewritten atomically on change).
 */
#include "control/api_int.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/fileio.h"
#include "common/log.h"
#include "hashsync/hws.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_allow(const struct ctl_allow *a, void *ctx)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "algo", hwall_algo_name(a->algo));
	cJSON_AddStringToObject(o, "digest", a->digest);
	if (a->set[0])
		cJSON_AddStringToObject(o, "set", a->set);
	else
		cJSON_AddNullToObject(o, "set"); /* every set */
	cJSON_AddNumberToObject(o, "added", (double)a->added);
	cJSON_AddStringToObject(o, "actor", a->actor);
	cJSON_AddStringToObject(o, "note", a->note);
	cJSON_AddNumberToObject(o, "candidate_id", (double)a->candidate_id);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

void ctl_api_allowlist_list(const struct ctl_api_config *api, const struct ctl_request *req,
			    const struct ctl_route_params *p, struct ctl_response *resp)
{
	cJSON *obj, *items;

	(void)p;
	if (!ctl_api_args_ok(req, NULL, resp))
		return;
	obj = cJSON_CreateObject();
	items = cJSON_AddArrayToObject(obj, "items");
	if (ctl_store_allow_list(api->store, add_allow, items) < 0) {
		cJSON_Delete(obj);
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	ctl_api_json(resp, 200, obj);
}

/* What an allowlist change's audit record says. */
static cJSON *allow_detail(enum hwall_algo algo, const char *hex, const char *set,
			   const char *note)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "algo", hwall_algo_name(algo));
	cJSON_AddStringToObject(d, "digest", hex);
	if (set)
		cJSON_AddStringToObject(d, "set", set);
	else
		cJSON_AddNullToObject(d, "set");
	if (note)
		cJSON_AddStringToObject(d, "note", note);
	return d;
}

struct allow_body {
	char *algo;
	char *digest;
	char *set;
	char *note;
};

static const struct hwall_cfg_field allow_fields[] = {
	{ .key = "algo", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = offsetof(struct allow_body, algo) },
	{ .key = "digest", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = offsetof(struct allow_body, digest) },
	{ .key = "set", .kind = HWALL_CFG_STRING, .offset = offsetof(struct allow_body, set) },
	{ .key = "note", .kind = HWALL_CFG_STRING, .offset = offsetof(struct allow_body, note) },
	{ 0 },
};

/* A set named in a request (NULL: every set), or a 400. */
static bool set_check(const char *set, struct ctl_response *resp)
{
	if (!set || hws_id_valid(set))
		return true;
	ctl_api_error(resp, 400, "set: expected a set id (1-%d printable characters, no spaces)",
		      CTL_SET_MAX);
	return false;
}

/* Copy @len bytes of @src into @dst (@cap bytes) as a string; false when too long. */
static bool copy_seg(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		return false;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return true;
}

/* Parse @algo and @hex into @algo_out and lower-case @hex_out, or set a 400. */
static bool digest_check(const char *algo, size_t algo_len, const char *hex, size_t hex_len,
			 enum hwall_algo *algo_out, char *hex_out, struct ctl_response *resp)
{
	char a[HWALL_ALGO_NAME_MAX], h[HWALL_DIGEST_HEX_MAX];
	struct hwall_digest d;
	int k = -EINVAL;

	if (copy_seg(a, sizeof(a), algo, algo_len))
		k = hwall_algo_parse(a);
	if (k < 0) {
		ctl_api_error(resp, 400, "algo: expected one of %s", hwall_algo_names());
		return false;
	}
	if (!copy_seg(h, sizeof(h), hex, hex_len) || hwall_digest_parse((enum hwall_algo)k, h, &d) < 0) {
		ctl_api_error(resp, 400, "digest: expected %zu hex digits for %s",
			      2 * hwall_algo_len((enum hwall_algo)k), a);
		return false;
	}
	*algo_out = (enum hwall_algo)k;
	hwall_hex_format(d.bytes, hwall_algo_len(d.algo), hex_out);
	return true;
}

static void export_after_change(const struct ctl_api_config *api)
{
	if (api->allowlist_file && ctl_allowlist_export(api->store, api->allowlist_file) < 0)
		HWALL_LOG(ERR, "ctl.api", "cannot rewrite allowlist file %s", api->allowlist_file);
}

void ctl_api_allowlist_add(const struct ctl_api_config *api, const struct ctl_request *req,
			   const struct ctl_route_params *p, struct ctl_response *resp)
{
	struct allow_body b = { 0 };
	char hex[HWALL_DIGEST_HEX_MAX];
	enum hwall_algo algo;
	cJSON *obj;
	int r;

	if (!ctl_api_args_ok(req, NULL, resp) || !ctl_api_body(req, allow_fields, &b, resp) ||
	    !digest_check(b.algo, strlen(b.algo), b.digest, strlen(b.digest), &algo, hex, resp) ||
	    !set_check(b.set, resp))
		goto out;
	if (b.note && strlen(b.note) > CTL_NOTE_MAX) {
		ctl_api_error(resp, 400, "note: longer than %d bytes", CTL_NOTE_MAX);
		goto out;
	}
	r = ctl_api_tx_begin(api);
	if (r == 0)
		r = ctl_store_allow_add(api->store, algo, hex, b.set, p->actor, b.note,
					ctl_api_now(api));
	r = ctl_api_tx_end(api, r, CTL_AUDIT_ALLOW_ADD, p->actor, "allowlist",
			   allow_detail(algo, hex, b.set, b.note));
	if (r == -EEXIST) {
		ctl_api_error(resp, 409, "%s %s is already allowlisted for %s", b.algo, hex,
			      b.set ? b.set : "every set");
	} else if (r < 0) {
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
	} else {
		export_after_change(api);
		obj = cJSON_CreateObject();
		cJSON_AddStringToObject(obj, "algo", hwall_algo_name(algo));
		cJSON_AddStringToObject(obj, "digest", hex);
		if (b.set)
			cJSON_AddStringToObject(obj, "set", b.set);
		else
			cJSON_AddNullToObject(obj, "set");
		ctl_api_json(resp, 201, obj);
	}
out:
	hwall_cfg_free(allow_fields, &b);
}

void ctl_api_allowlist_remove(const struct ctl_api_config *api, const struct ctl_request *req,
			      const struct ctl_route_params *p, struct ctl_response *resp)
{
	static const char *const allowed[] = { "set", NULL };
	const char *set = ctl_api_arg(req, "set");
	char hex[HWALL_DIGEST_HEX_MAX];
	enum hwall_algo algo;
	cJSON *obj;
	int r;

	if (!ctl_api_args_ok(req, allowed, resp) ||
	    !digest_check(p->seg[0], p->seg_len[0], p->seg[1], p->seg_len[1], &algo, hex, resp) ||
	    !set_check(set, resp))
		return;
	r = ctl_api_tx_begin(api);
	if (r == 0)
		r = ctl_store_allow_remove(api->store, algo, hex, set);
	r = ctl_api_tx_end(api, r, CTL_AUDIT_ALLOW_REMOVE, p->actor, "allowlist",
			   allow_detail(algo, hex, set, NULL));
	if (r == -ENOENT) {
		ctl_api_error(resp, 404, "%s %s is not allowlisted for %s", hwall_algo_name(algo),
			      hex, set ? set : "every set");
		return;
	}
	if (r < 0) {
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	export_after_change(api);
	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "algo", hwall_algo_name(algo));
	cJSON_AddStringToObject(obj, "digest", hex);
	ctl_api_json(resp, 200, obj);
}

static int write_line(const struct ctl_allow *a, void *ctx)
{
	/* A set the dataplane cannot have (a row from before set ids were
	 * checked) would make it refuse the whole file: left out. */
	if (a->set[0] && !hws_id_valid(a->set))
		return 0;
	return fprintf(ctx, "%s %s%s%s\n", hwall_algo_name(a->algo), a->digest,
		       a->set[0] ? " " : "", a->set) < 0 ? -EIO : 0;
}

int ctl_allowlist_export(struct ctl_store *s, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	/* The whole list in memory first: the file is replaced in one step. */
	f = open_memstream(&text, &len);
	if (!f)
		return hwall_neg_errno();
	fprintf(f, "# hashwall local allowlist, written by controld: ALGO HEX per line for every\n"
		   "# set, ALGO HEX SET for one set\n");
	r = ctl_store_allow_list(s, write_line, f);
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r == 0)
		r = hwall_write_atomic(path, text, len, 0600); /* the dataplane reads it as root */
	free(text);
	return r;
}
