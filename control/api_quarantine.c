/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_quarantine.c - /api/v1/quarantine: flood quarantines (the list, an
 * admin's release or confirmation; control/quarantine.h), and the
 * "quarantined" flag of a candidate.
 */
#include "control/api_int.h"
#include "control/quarantine.h"

#include <errno.h>
#include <string.h>

static cJSON *quarantine_json(const struct ctl_quarantine *q)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)q->id);
	cJSON_AddStringToObject(o, "state", ctl_quarantine_state_name(q->state));
	cJSON_AddStringToObject(o, "algo", hwall_algo_name(q->algo));
	cJSON_AddStringToObject(o, "digest", q->digest);
	cJSON_AddStringToObject(o, "set", q->set);
	cJSON_AddNumberToObject(o, "hosts", (double)q->hosts);
	cJSON_AddNumberToObject(o, "urls", (double)q->urls);
	cJSON_AddNumberToObject(o, "since", (double)q->since);
	if (q->state != CTL_QUAR_ACTIVE) {
		cJSON_AddNumberToObject(o, "decided", (double)q->decided);
		cJSON_AddStringToObject(o, "actor", q->actor);
	}
	return o;
}

bool ctl_api_quarantined(const struct ctl_api_config *api, const struct ctl_candidate *c)
{
	struct ctl_quarantine q;

	if (api->quarantine && atomic_load(&api->quarantine->active) == 0)
		return false;
	return ctl_store_quarantine_get(api->store, c->algo, c->digest, &q) == 0 &&
	       q.state == CTL_QUAR_ACTIVE;
}

static int add_quarantine(const struct ctl_quarantine *q, void *ctx)
{
	cJSON_AddItemToArray(ctx, quarantine_json(q));
	return 0;
}

void ctl_api_quarantine_list(const struct ctl_api_config *api, const struct ctl_request *req,
			     const struct ctl_route_params *p, struct ctl_response *resp)
{
	static const char *const allowed[] = { "state", "limit", "offset", NULL };
	const char *state = ctl_api_arg(req, "state");
	uint64_t offset, limit, total = 0;
	int st = -1;
	cJSON *obj, *items;

	(void)p;
	if (!ctl_api_args_ok(req, allowed, resp) ||
	    !ctl_api_paging(api, req, &offset, &limit, resp))
		return;
	if (state && (st = ctl_quarantine_state_parse(state)) < 0) {
		ctl_api_error(resp, 400, "state: expected active, released or confirmed");
		return;
	}
	obj = cJSON_CreateObject();
	items = cJSON_CreateArray();
	if (ctl_store_quarantines(api->store, st, offset, limit, add_quarantine, items,
				  &total) < 0) {
		cJSON_Delete(obj);
		cJSON_Delete(items);
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	cJSON_AddNumberToObject(obj, "total", (double)total);
	cJSON_AddNumberToObject(obj, "offset", (double)offset);
	cJSON_AddNumberToObject(obj, "limit", (double)limit);
	cJSON_AddItemToObject(obj, "items", items);
	ctl_api_json(resp, 200, obj);
}

static void decide(const struct ctl_api_config *api, const struct ctl_request *req,
		   const struct ctl_route_params *p, enum ctl_quarantine_state to,
		   struct ctl_response *resp)
{
	struct ctl_quarantine q;
	int r;

	if (!ctl_api_args_ok(req, NULL, resp))
		return;
	r = ctl_quarantine_decide(api->quarantine, api->audit, api->store, p->id, to, p->actor,
				  ctl_api_now(api), api->block_ttl > 0 ? api->block_ttl : 86400,
				  &q);
	if (r == -ENOENT)
		ctl_api_error(resp, 404, "no quarantine %lld", (long long)p->id);
	else if (r == -EALREADY)
		ctl_api_error(resp, 409, "quarantine %lld is no longer active", (long long)p->id);
	else if (r < 0)
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
	else
		ctl_api_json(resp, 200, quarantine_json(&q));
}

void ctl_api_quarantine_release(const struct ctl_api_config *api, const struct ctl_request *req,
				const struct ctl_route_params *p, struct ctl_response *resp)
{
	decide(api, req, p, CTL_QUAR_RELEASED, resp);
}

void ctl_api_quarantine_confirm(const struct ctl_api_config *api, const struct ctl_request *req,
				const struct ctl_route_params *p, struct ctl_response *resp)
{
	decide(api, req, p, CTL_QUAR_CONFIRMED, resp);
}
