/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_blocks.c - /api/v1/blocks: list the active blocks, block a URL by
 * hand, unblock.  The store is updated first, then the enforcement backend.
 */
#include "control/api_int.h"
#include "common/config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

static cJSON *block_json(const struct ctl_block *b)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)b->id);
	cJSON_AddStringToObject(o, "host", b->host);
	cJSON_AddStringToObject(o, "path", b->path);
	cJSON_AddNumberToObject(o, "candidate_id", (double)b->candidate_id);
	cJSON_AddStringToObject(o, "source", b->source == CTL_BLOCK_MANUAL ? "manual" : "auto");
	cJSON_AddNumberToObject(o, "created", (double)b->created);
	cJSON_AddNumberToObject(o, "expires", (double)b->expires);
	cJSON_AddStringToObject(o, "actor", b->actor);
	return o;
}

static int add_block(const struct ctl_block *b, void *ctx)
{
	cJSON_AddItemToArray(ctx, block_json(b));
	return 0;
}

void ctl_api_blocks_list(const struct ctl_api_config *api, const struct ctl_request *req,
			 const struct ctl_route_params *p, struct ctl_response *resp)
{
	static const char *const allowed[] = { "limit", "offset", NULL };
	uint64_t offset, limit, total = 0;
	cJSON *obj, *items;

	(void)p;
	if (!ctl_api_args_ok(req, allowed, resp) ||
	    !ctl_api_paging(api, req, &offset, &limit, resp))
		return;
	obj = cJSON_CreateObject();
	items = cJSON_AddArrayToObject(obj, "items");
	if (ctl_store_blocks(api->store, ctl_api_now(api), offset, limit, add_block, items,
			     &total) < 0) {
		cJSON_Delete(obj);
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	cJSON_AddNumberToObject(obj, "total", (double)total);
	cJSON_AddNumberToObject(obj, "offset", (double)offset);
	cJSON_AddNumberToObject(obj, "limit", (double)limit);
	cJSON_AddBoolToObject(obj, "enforced", api->enforce && ctl_enforce_available(api->enforce));
	ctl_api_json(resp, 200, obj);
}

/* What a block change's audit record says (the URL: blocks are by URL). */
static cJSON *block_detail(int64_t id, const char *host, const char *path, int64_t expires)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddNumberToObject(d, "id", (double)id);
	cJSON_AddStringToObject(d, "host", host);
	cJSON_AddStringToObject(d, "path", path);
	cJSON_AddNumberToObject(d, "expires", (double)expires);
	return d;
}

struct block_body {
	char *host;
	char *path;
	uint32_t ttl;
};

static const struct hwall_cfg_field block_fields[] = {
	{ .key = "host", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = offsetof(struct block_body, host) },
	{ .key = "path", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = offsetof(struct block_body, path) },
	{ .key = "ttl", .kind = HWALL_CFG_U32, .offset = offsetof(struct block_body, ttl),
	  .min = 60, .max = 31536000 },
	{ 0 },
};

/* Printable ASCII without spaces, 1..@max bytes. */
static bool printable(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

static bool block_check(const struct block_body *b, struct ctl_response *resp)
{
	if (!printable(b->host, CTL_HOST_MAX)) {
		ctl_api_error(resp, 400, "host: 1-%d printable characters without spaces",
			      CTL_HOST_MAX);
		return false;
	}
	if (b->path[0] != '/' || !printable(b->path, CTL_PATH_MAX)) {
		ctl_api_error(resp, 400, "path: must start with '/', 1-%d printable characters",
			      CTL_PATH_MAX);
		return false;
	}
	return true;
}

void ctl_api_blocks_add(const struct ctl_api_config *api, const struct ctl_request *req,
			const struct ctl_route_params *p, struct ctl_response *resp)
{
	struct block_body b = { 0 };
	struct ctl_block blk;
	int64_t now = ctl_api_now(api), id = 0;
	int r;

	b.ttl = (uint32_t)(api->block_ttl > 0 ? api->block_ttl : 86400);
	if (!ctl_api_args_ok(req, NULL, resp) || !ctl_api_body(req, block_fields, &b, resp) ||
	    !block_check(&b, resp))
		goto out;
	r = ctl_api_tx_begin(api);
	if (r == 0)
		r = ctl_store_block_add(api->store, b.host, b.path, 0, CTL_BLOCK_MANUAL, p->actor,
					now, now + b.ttl, &id);
	if (r == 0)
		r = ctl_store_block_get(api->store, id, &blk);
	if (ctl_api_tx_end(api, r, CTL_AUDIT_BLOCK_ADD, p->actor, "block",
			   block_detail(id, b.host, b.path, now + b.ttl)) < 0) {
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		goto out;
	}
	ctl_count(api->metrics, CTL_CTR_BLOCKS_ADDED, 1);
	if (api->enforce && ctl_enforce_block(api->enforce, &blk) < 0) {
		ctl_api_error(resp, 502, "block %lld stored but the enforcement backend failed",
			      (long long)id);
		goto out;
	}
	ctl_api_json(resp, 201, block_json(&blk));
out:
	hwall_cfg_free(block_fields, &b);
}

void ctl_api_blocks_remove(const struct ctl_api_config *api, const struct ctl_request *req,
			   const struct ctl_route_params *p, struct ctl_response *resp)
{
	struct ctl_block blk;
	int r;

	if (!ctl_api_args_ok(req, NULL, resp))
		return;
	r = ctl_api_tx_begin(api);
	if (r == 0)
		r = ctl_store_block_remove(api->store, p->id, &blk);
	r = ctl_api_tx_end(api, r, CTL_AUDIT_BLOCK_REMOVE, p->actor, "block",
			   r == 0 ? block_detail(p->id, blk.host, blk.path, blk.expires) : NULL);
	if (r == -ENOENT) {
		ctl_api_error(resp, 404, "no block %lld", (long long)p->id);
		return;
	}
	if (r < 0) {
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	if (api->enforce && ctl_enforce_unblock(api->enforce, blk.host, blk.path) < 0) {
		ctl_api_error(resp, 502, "block %lld removed but the enforcement backend failed",
			      (long long)p->id);
		return;
	}
	ctl_api_json(resp, 200, block_json(&blk));
}
