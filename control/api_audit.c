/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_audit.c - /api/v1/audit: the audit trail, newest first, and its
 * verification (control/audit.h, docs/audit.md); and the helpers that put
 * a change and its audit record into one store transaction for the other
 * resource files.
 */
#include "control/api_int.h"
#include "common/algo.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ctl_api_tx_begin(const struct ctl_api_config *api)
{
	return api->audit ? ctl_store_begin(api->store) : 0;
}

int ctl_api_tx_end(const struct ctl_api_config *api, int r, enum ctl_audit_action action,
		   const char *actor, const char *object, cJSON *detail)
{
	char text[CTL_AUDIT_DETAIL_MAX + 1];

	ctl_audit_detail(detail, text);
	if (!api->audit)
		return r;
	if (r == 0)
		r = ctl_audit_append(api->audit, api->store, action, actor, object, text,
				     ctl_api_now(api));
	if (r == 0)
		r = ctl_store_commit(api->store);
	if (r < 0)
		ctl_store_rollback(api->store);
	return r;
}

void ctl_api_audit_log(const struct ctl_api_config *api, enum ctl_audit_action action,
		       const char *actor, const char *object, cJSON *detail)
{
	char text[CTL_AUDIT_DETAIL_MAX + 1];

	ctl_audit_detail(detail, text);
	if (ctl_audit_log(api->audit, api->store, action, actor, object, text,
			  ctl_api_now(api)) < 0)
		HWALL_LOG(ERR, "ctl.api", "audit record of %s by %s not written: %s",
			  ctl_audit_action_name(action), actor, ctl_store_errmsg(api->store));
}

static void add_hex(cJSON *o, const char *key, const uint8_t *b, size_t len)
{
	char hex[2 * CTL_AUDIT_SIG_LEN + 1];

	hwall_hex_format(b, len, hex);
	cJSON_AddStringToObject(o, key, hex);
}

static int add_record(const struct ctl_audit_rec *r, void *ctx)
{
	cJSON *o = cJSON_CreateObject(), *detail = cJSON_Parse(r->detail);

	cJSON_AddNumberToObject(o, "seq", (double)r->seq);
	cJSON_AddNumberToObject(o, "at", (double)r->at);
	cJSON_AddStringToObject(o, "actor", r->actor);
	cJSON_AddStringToObject(o, "action", r->action);
	cJSON_AddStringToObject(o, "object", r->object);
	/* what the trail holds, as it holds it: a detail that is not JSON
	 * (edited behind controld's back) is shown as text */
	if (detail)
		cJSON_AddItemToObject(o, "detail", detail);
	else
		cJSON_AddStringToObject(o, "detail", r->detail);
	add_hex(o, "prev", r->prev, sizeof(r->prev));
	add_hex(o, "hash", r->hash, sizeof(r->hash));
	if (r->has_sig)
		add_hex(o, "sig", r->sig, sizeof(r->sig));
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

void ctl_api_audit_list(const struct ctl_api_config *api, const struct ctl_request *req,
			const struct ctl_route_params *p, struct ctl_response *resp)
{
	static const char *const allowed[] = { "before", "limit", NULL };
	uint64_t offset, limit;
	int64_t before = 0;
	cJSON *obj, *items;

	(void)p;
	if (!ctl_api_args_ok(req, allowed, resp) ||
	    !ctl_api_arg_int(req, "before", 1, INT64_MAX / 2, false, &before, resp) ||
	    !ctl_api_paging(api, req, &offset, &limit, resp))
		return;
	obj = cJSON_CreateObject();
	cJSON_AddNumberToObject(obj, "limit", (double)limit);
	items = cJSON_AddArrayToObject(obj, "items");
	if (ctl_store_audit_walk(api->store, before, limit, true, add_record, items) < 0) {
		cJSON_Delete(obj);
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	ctl_api_json(resp, 200, obj);
}

void ctl_api_audit_verify(const struct ctl_api_config *api, const struct ctl_request *req,
			  const struct ctl_route_params *p, struct ctl_response *resp)
{
	struct ctl_audit_report rep;
	cJSON *obj;

	(void)p;
	if (!ctl_api_args_ok(req, NULL, resp))
		return;
	if (ctl_audit_verify(api->audit, api->store, &rep) < 0) {
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	obj = cJSON_CreateObject();
	cJSON_AddBoolToObject(obj, "ok", rep.ok);
	cJSON_AddNumberToObject(obj, "rows", (double)rep.rows);
	cJSON_AddNumberToObject(obj, "checkpoints", (double)rep.checkpoints);
	cJSON_AddNumberToObject(obj, "last_seq", (double)rep.last_seq);
	cJSON_AddNumberToObject(obj, "last_checkpoint", (double)rep.last_checkpoint);
	cJSON_AddBoolToObject(obj, "signed", api->audit && api->audit->have_key);
	if (api->audit && api->audit->have_key)
		add_hex(obj, "key", api->audit->pk, sizeof(api->audit->pk));
	add_hex(obj, "head", rep.head, sizeof(rep.head));
	if (!rep.ok) {
		cJSON_AddNumberToObject(obj, "broken_seq", (double)rep.broken_seq);
		cJSON_AddStringToObject(obj, "reason", rep.reason);
	}
	ctl_api_json(resp, 200, obj);
}
