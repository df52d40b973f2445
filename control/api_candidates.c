/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_candidates.c - /api/v1/candidates: the list (filters, paging), one
 * candidate with its occurrences and review trail, and the review (status
 * change with a note) with its consequences: a false positive is unblocked
 * and allowlisted -- for the candidate's set, or, when an admin asks, for
 * every set.
 */
#include "control/api_int.h"
#include "common/config.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define OCCURRENCES_SHOWN 100 /* newest occurrences in a candidate's detail */

cJSON *ctl_api_candidate_json(const struct ctl_candidate *c)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)c->id);
	cJSON_AddStringToObject(o, "status", ctl_status_name(c->status));
	if (c->host[0])
		cJSON_AddStringToObject(o, "host", c->host);
	else
		cJSON_AddNullToObject(o, "host"); /* the request had no Host */
	cJSON_AddStringToObject(o, "path", c->path);
	cJSON_AddBoolToObject(o, "host_truncated", c->host_truncated);
	cJSON_AddBoolToObject(o, "path_truncated", c->path_truncated);
	cJSON_AddStringToObject(o, "set", c->set);
	cJSON_AddNumberToObject(o, "set_version", (double)c->set_version);
	cJSON_AddStringToObject(o, "algo", hwall_algo_name(c->algo));
	cJSON_AddStringToObject(o, "digest", c->digest);
	cJSON_AddNumberToObject(o, "category", c->category);
	cJSON_AddNumberToObject(o, "ref", c->ref);
	cJSON_AddStringToObject(o, "server_ip", c->server_ip);
	cJSON_AddNumberToObject(o, "server_port", c->server_port);
	cJSON_AddNumberToObject(o, "first_seen", (double)c->first_seen);
	cJSON_AddNumberToObject(o, "last_seen", (double)c->last_seen);
	cJSON_AddNumberToObject(o, "occurrences", (double)c->occurrences);
	cJSON_AddNumberToObject(o, "reopened", c->reopened);
	cJSON_AddBoolToObject(o, "retroactive", c->retroactive);
	/* A perceptual match: how near, so that a reviewer can weigh it. */
	if (ctl_near_known(c->algo, &c->near)) {
		cJSON_AddNumberToObject(o, "distance", c->near.distance);
		if (c->near.quality >= 0)
			cJSON_AddNumberToObject(o, "quality", c->near.quality);
		cJSON_AddStringToObject(o, "matched", c->near.entry);
		cJSON_AddStringToObject(o, "variant", c->near.variant);
	}
	return o;
}

struct cand_page {
	const struct ctl_api_config *api;
	cJSON *items;
};

static int add_candidate(const struct ctl_candidate *c, void *ctx)
{
	struct cand_page *pg = ctx;
	cJSON *o = ctl_api_candidate_json(c);

	cJSON_AddBoolToObject(o, "quarantined", ctl_api_quarantined(pg->api, c));
	cJSON_AddItemToArray(pg->items, o);
	return 0;
}

/* The status, set, host, since and until filters of a request. */
static bool parse_filter(const struct ctl_request *req, struct ctl_cand_filter *f,
			 struct ctl_response *resp)
{
	const char *status = ctl_api_arg(req, "status");
	int64_t since = 0, until = 0;

	f->status = -1;
	if (status && (f->status = ctl_status_parse(status)) < 0) {
		ctl_api_error(resp, 400,
			      "status: expected new, confirmed, taken_down or false_positive");
		return false;
	}
	f->set = ctl_api_arg(req, "set");
	f->host = ctl_api_arg(req, "host");
	f->appliance = ctl_api_arg(req, "appliance"); /* the fleet: seen by that edge */
	if (!ctl_api_arg_int(req, "since", 0, INT64_MAX / 2, false, &since, resp) ||
	    !ctl_api_arg_int(req, "until", 0, INT64_MAX / 2, false, &until, resp))
		return false;
	f->since = since;
	f->until = until;
	return true;
}

void ctl_api_candidates_list(const struct ctl_api_config *api, const struct ctl_request *req,
			     const struct ctl_route_params *p, struct ctl_response *resp)
{
	static const char *const allowed[] = { "status", "set", "host", "since", "until",
					       "appliance", "limit", "offset", NULL };
	struct ctl_cand_filter f = { 0 };
	uint64_t total = 0;
	cJSON *obj, *items;

	(void)p;
	if (!ctl_api_args_ok(req, allowed, resp) || !parse_filter(req, &f, resp) ||
	    !ctl_api_paging(api, req, &f.offset, &f.limit, resp))
		return;
	obj = cJSON_CreateObject();
	items = cJSON_CreateArray();
	if (ctl_store_candidates(api->store, &f, add_candidate,
				 &(struct cand_page){ api, items }, &total) < 0) {
		cJSON_Delete(obj);
		cJSON_Delete(items);
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	cJSON_AddNumberToObject(obj, "total", (double)total);
	cJSON_AddNumberToObject(obj, "offset", (double)f.offset);
	cJSON_AddNumberToObject(obj, "limit", (double)f.limit);
	cJSON_AddItemToObject(obj, "items", items);
	ctl_api_json(resp, 200, obj);
}

static int add_occurrence(const struct ctl_occurrence *o, void *ctx)
{
	cJSON *j = cJSON_CreateObject(), *norm;

	cJSON_AddNumberToObject(j, "seen", (double)o->seen);
	cJSON_AddStringToObject(j, "client", o->client);
	cJSON_AddStringToObject(j, "method", o->method);
	cJSON_AddStringToObject(j, "server_ip", o->server_ip);
	cJSON_AddNumberToObject(j, "server_port", o->server_port);
	cJSON_AddNumberToObject(j, "status", o->http_status);
	cJSON_AddNumberToObject(j, "size", (double)o->size);
	cJSON_AddBoolToObject(j, "complete", o->complete);
	cJSON_AddBoolToObject(j, "partial", o->partial);
	cJSON_AddStringToObject(j, "dataplane", o->dataplane);
	if (o->appliance[0]) /* the fleet's store: the edge it came from */
		cJSON_AddStringToObject(j, "appliance", o->appliance);
	norm = cJSON_AddArrayToObject(j, "normalised");
	for (int f = 0; f < CTL_EVF_COUNT; f++)
		if (o->normalised & (1u << f))
			cJSON_AddItemToArray(norm, cJSON_CreateString(
							   ctl_event_field_name((enum ctl_event_field)f)));
	cJSON_AddItemToArray(ctx, j);
	return 0;
}

static int add_review(const struct ctl_review *r, void *ctx)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "at", (double)r->at);
	cJSON_AddStringToObject(j, "actor", r->actor);
	cJSON_AddStringToObject(j, "from", ctl_status_name(r->from));
	cJSON_AddStringToObject(j, "to", ctl_status_name(r->to));
	cJSON_AddStringToObject(j, "note", r->note);
	if (r->allow_scope >= 0)
		cJSON_AddStringToObject(j, "allowlist",
					ctl_allow_scope_name((enum ctl_allow_scope)r->allow_scope));
	else
		cJSON_AddNullToObject(j, "allowlist");
	cJSON_AddItemToArray(ctx, j);
	return 0;
}

/* 200 with the candidate's detail, or the matching error. */
static void candidate_detail(const struct ctl_api_config *api, int64_t id, cJSON *extra,
			     struct ctl_response *resp)
{
	struct ctl_candidate c;
	cJSON *obj, *occ, *rev;
	int r = ctl_store_candidate(api->store, id, &c);

	if (r < 0) {
		cJSON_Delete(extra);
		if (r == -ENOENT)
			ctl_api_error(resp, 404, "no candidate %lld", (long long)id);
		else
			ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	obj = ctl_api_candidate_json(&c);
	cJSON_AddBoolToObject(obj, "quarantined", ctl_api_quarantined(api, &c));
	occ = cJSON_AddArrayToObject(obj, "recent_occurrences");
	rev = cJSON_AddArrayToObject(obj, "reviews");
	if (extra)
		cJSON_AddItemToObject(obj, "changes", extra);
	if (ctl_store_occurrences(api->store, id, OCCURRENCES_SHOWN, add_occurrence, occ) < 0 ||
	    ctl_store_reviews(api->store, id, add_review, rev) < 0) {
		cJSON_Delete(obj);
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	ctl_api_json(resp, 200, obj);
}

void ctl_api_candidate_get(const struct ctl_api_config *api, const struct ctl_request *req,
			   const struct ctl_route_params *p, struct ctl_response *resp)
{
	if (ctl_api_args_ok(req, NULL, resp))
		candidate_detail(api, p->id, NULL, resp);
}

struct review_body {
	char *status;
	char *note;
	char *allowlist;
};

static const struct hwall_cfg_field review_fields[] = {
	{ .key = "status", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = offsetof(struct review_body, status) },
	{ .key = "note", .kind = HWALL_CFG_STRING, .offset = offsetof(struct review_body, note) },
	{ .key = "allowlist", .kind = HWALL_CFG_STRING,
	  .offset = offsetof(struct review_body, allowlist) },
	{ 0 },
};

/* The allowlist scope of a review into @scope: "set" unless asked; only
 * with false_positive; "global" only for an admin (as the allowlist
 * endpoint).  Sets a 400 or 403 and returns false otherwise. */
static bool review_scope(const struct review_body *b, int to, enum ctl_role role,
			 enum ctl_allow_scope *scope, struct ctl_response *resp)
{
	int k = b->allowlist ? ctl_allow_scope_parse(b->allowlist) : CTL_ALLOW_SET;

	if (k < 0) {
		ctl_api_error(resp, 400, "allowlist: expected set or global");
		return false;
	}
	if (b->allowlist && to != CTL_STATUS_FALSE_POSITIVE) {
		ctl_api_error(resp, 400, "allowlist: only with status false_positive");
		return false;
	}
	if (k == CTL_ALLOW_GLOBAL && role < CTL_ROLE_ADMIN) {
		ctl_api_error(resp, 403, "allowlist global needs role admin, token has %s",
			      ctl_role_name(role));
		return false;
	}
	*scope = (enum ctl_allow_scope)k;
	return true;
}

/* Validate the review body into @to and @scope; sets a 400 or 403 and
 * returns false otherwise. */
static bool review_check(const struct review_body *b, enum ctl_role role, int *to,
			 enum ctl_allow_scope *scope, struct ctl_response *resp)
{
	*to = ctl_status_parse(b->status);
	if (*to < 0) {
		ctl_api_error(resp, 400,
			      "status: expected new, confirmed, taken_down or false_positive");
		return false;
	}
	if (!review_scope(b, *to, role, scope, resp))
		return false;
	if (b->note && strlen(b->note) > CTL_NOTE_MAX) {
		ctl_api_error(resp, 400, "note: longer than %d bytes", CTL_NOTE_MAX);
		return false;
	}
	return true;
}

/* Enforce what the review changed and say so in the response. */
static cJSON *review_apply(const struct ctl_api_config *api, int64_t id,
			   const struct ctl_review_result *rr, enum ctl_allow_scope scope)
{
	cJSON *changes = cJSON_CreateObject();
	struct ctl_candidate c;

	cJSON_AddBoolToObject(changes, "allowlisted", rr->allow_added);
	if (rr->allow_added)
		cJSON_AddStringToObject(changes, "allowlist", ctl_allow_scope_name(scope));
	cJSON_AddBoolToObject(changes, "allowlist_lifted", rr->allow_removed);
	cJSON_AddNumberToObject(changes, "blocks_removed", (double)rr->blocks_removed);
	if (rr->blocks_removed && api->enforce && ctl_store_candidate(api->store, id, &c) == 0)
		ctl_enforce_unblock(api->enforce, c.host, c.path);
	if ((rr->allow_added || rr->allow_removed) && api->allowlist_file &&
	    ctl_allowlist_export(api->store, api->allowlist_file) < 0)
		HWALL_LOG(ERR, "ctl.api", "cannot rewrite allowlist file %s", api->allowlist_file);
	return changes;
}

/* What a review's audit record says. */
static cJSON *review_detail(const struct ctl_review_result *rr, enum ctl_status to,
			    enum ctl_allow_scope scope, const char *note)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "from", ctl_status_name(rr->from));
	cJSON_AddStringToObject(d, "to", ctl_status_name(to));
	cJSON_AddStringToObject(d, "note", note ? note : "");
	if (rr->allow_added)
		cJSON_AddStringToObject(d, "allowlist", ctl_allow_scope_name(scope));
	if (rr->blocks_removed)
		cJSON_AddNumberToObject(d, "blocks_removed", (double)rr->blocks_removed);
	return d;
}

void ctl_api_candidate_review(const struct ctl_api_config *api, const struct ctl_request *req,
			      const struct ctl_route_params *p, struct ctl_response *resp)
{
	enum ctl_allow_scope scope = CTL_ALLOW_SET;
	struct review_body b = { 0 };
	struct ctl_review_result rr;
	char object[32];
	int to, r;

	if (!ctl_api_args_ok(req, NULL, resp) || !ctl_api_body(req, review_fields, &b, resp) ||
	    !review_check(&b, p->role, &to, &scope, resp))
		goto out;
	snprintf(object, sizeof(object), "candidate:%lld", (long long)p->id);
	r = ctl_api_tx_begin(api);
	if (r == 0)
		r = ctl_store_review(api->store, p->id, (enum ctl_status)to, p->actor, b.note,
				     scope, ctl_api_now(api), &rr);
	r = ctl_api_tx_end(api, r, CTL_AUDIT_REVIEW, p->actor, object,
			   r == 0 ? review_detail(&rr, (enum ctl_status)to, scope, b.note) : NULL);
	if (r == -ENOENT) {
		ctl_api_error(resp, 404, "no candidate %lld", (long long)p->id);
	} else if (r == -EALREADY) {
		ctl_api_error(resp, 409, "candidate %lld is already %s", (long long)p->id, b.status);
	} else if (r < 0) {
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
	} else {
		ctl_count(api->metrics, CTL_CTR_REVIEWS, 1);
		candidate_detail(api, p->id, review_apply(api, p->id, &rr, scope), resp);
	}
out:
	hwall_cfg_free(review_fields, &b);
}
