/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_dsa.c - the reports EU law asks for (control/dsa.h, docs/dsa.md):
 * GET /api/v1/exports/statements (statements of reasons, DSA art. 17) and
 * GET /api/v1/reports/transparency (art. 15 figures, JSON or CSV).  Both
 * take a period (since, until: unix seconds on the decision's or the
 * detection's time) and are recorded in the audit trail as exports.
 */
#include "control/api_int.h"
#include "control/dsa.h"

#include <stdio.h>
#include <string.h>

/* since (default 0) and until (default now) of a request. */
static bool period_args(const struct ctl_api_config *api, const struct ctl_request *req,
			int64_t *ret_since, int64_t *ret_until, struct ctl_response *resp)
{
	int64_t since = 0, until = ctl_api_now(api);

	if (!ctl_api_arg_int(req, "since", 0, INT64_MAX / 2, false, &since, resp) ||
	    !ctl_api_arg_int(req, "until", 0, INT64_MAX / 2, false, &until, resp))
		return false;
	if (until < since) {
		ctl_api_error(resp, 400, "until: before since");
		return false;
	}
	*ret_since = since;
	*ret_until = until;
	return true;
}

static void audit_report(const struct ctl_api_config *api, const struct ctl_route_params *p,
			 const char *what, const char *format, int64_t since, int64_t until)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "export", what);
	cJSON_AddStringToObject(d, "format", format);
	cJSON_AddNumberToObject(d, "since", (double)since);
	cJSON_AddNumberToObject(d, "until", (double)until);
	ctl_api_audit_log(api, CTL_AUDIT_EXPORT, p->actor, what, d);
}

void ctl_api_export_statements(const struct ctl_api_config *api, const struct ctl_request *req,
			       const struct ctl_route_params *p, struct ctl_response *resp)
{
	static const char *const allowed[] = { "since", "until", "decision", NULL };
	static const struct ctl_dsa_config none = { 0 };
	const char *decision = ctl_api_arg(req, "decision");
	int64_t since, until;
	cJSON *o;
	int r = 0;

	if (!ctl_api_args_ok(req, allowed, resp) || !period_args(api, req, &since, &until, resp))
		return;
	if (decision && strcmp(decision, "taken_down") != 0 && strcmp(decision, "all") != 0) {
		ctl_api_error(resp, 400, "decision: expected taken_down or all");
		return;
	}
	o = ctl_dsa_statements(api->store, api->dsa ? api->dsa : &none, since, until,
			       decision && strcmp(decision, "all") == 0, ctl_api_now(api), &r);
	if (!o) {
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	audit_report(api, p, "statements", "json", since, until);
	ctl_api_json(resp, 200, o);
}

void ctl_api_report_transparency(const struct ctl_api_config *api,
				 const struct ctl_request *req, const struct ctl_route_params *p,
				 struct ctl_response *resp)
{
	static const char *const allowed[] = { "since", "until", "format", NULL };
	const char *format = ctl_api_arg(req, "format");
	bool csv = format && strcmp(format, "csv") == 0;
	int64_t since, until;
	size_t len = 0;
	char *text;
	cJSON *o;
	int r = 0;

	if (!ctl_api_args_ok(req, allowed, resp) || !period_args(api, req, &since, &until, resp))
		return;
	if (format && !csv && strcmp(format, "json") != 0) {
		ctl_api_error(resp, 400, "format: expected json or csv");
		return;
	}
	o = ctl_dsa_transparency(api->store, since, until, ctl_api_now(api), &r);
	if (!o) {
		ctl_api_error(resp, 500, "store: %s", ctl_store_errmsg(api->store));
		return;
	}
	audit_report(api, p, "transparency", csv ? "csv" : "json", since, until);
	if (!csv) {
		ctl_api_json(resp, 200, o);
		return;
	}
	text = ctl_dsa_transparency_csv(o, &len);
	cJSON_Delete(o);
	ctl_api_text(resp, 200, "text/csv; charset=utf-8", text, len);
}
