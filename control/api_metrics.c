/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_metrics.c - GET /metrics in the Prometheus text exposition format:
 * every name starts with hashwall_, counters end in _total, and no label
 * ever carries a URL, a digest or a client (labels: status, dataplane,
 * counter; dataplane ids and counter names are validated at ingest to
 * printable characters without quotes or backslashes).
 */
#include "control/api_int.h"
#include "control/strbuf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void gauge(struct ctl_sb *sb, const char *name, const char *help, double v)
{
	ctl_sb_printf(sb, "# HELP hashwall_%s %s\n# TYPE hashwall_%s gauge\nhashwall_%s %.17g\n",
		      name, help, name, name, v);
}

static void store_gauges(const struct ctl_api_config *api, struct ctl_sb *sb)
{
	uint64_t counts[CTL_STATUS_COUNT], allow = 0, blocks = 0, quar = 0;

	if (ctl_store_count_status(api->store, counts) == 0) {
		ctl_sb_printf(sb, "# HELP hashwall_candidates Takedown candidates by status\n"
				  "# TYPE hashwall_candidates gauge\n");
		for (int i = 0; i < CTL_STATUS_COUNT; i++)
			ctl_sb_printf(sb, "hashwall_candidates{status=\"%s\"} %" PRIu64 "\n",
				      ctl_status_name((enum ctl_status)i), counts[i]);
	}
	if (ctl_store_counts(api->store, ctl_api_now(api), &allow, &blocks) == 0) {
		gauge(sb, "blocks_active", "Blocks not expired", (double)blocks);
		gauge(sb, "allowlist_entries", "Digests in the local allowlist", (double)allow);
	}
	if (ctl_store_quarantines(api->store, CTL_QUAR_ACTIVE, 0, 0, NULL, NULL, &quar) == 0)
		gauge(sb, "quarantines_active", "Flood quarantines waiting for an admin",
		      (double)quar);
}

static void dataplane_metrics(const struct ctl_api_config *api, struct ctl_sb *sb)
{
	cJSON *dps = api->ingest ? ctl_ingest_status(api->ingest) : NULL;
	const cJSON *dp, *c;

	ctl_sb_printf(sb, "# HELP hashwall_dataplane_connected Whether a dataplane is connected\n"
			  "# TYPE hashwall_dataplane_connected gauge\n");
	cJSON_ArrayForEach(dp, dps) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(dp, "dataplane"));
		ctl_sb_printf(sb, "hashwall_dataplane_connected{dataplane=\"%s\"} %d\n", id,
			      cJSON_IsTrue(cJSON_GetObjectItem(dp, "connected")));
	}
	ctl_sb_printf(sb, "# HELP hashwall_dataplane_counter_total Counters a dataplane reported\n"
			  "# TYPE hashwall_dataplane_counter_total counter\n");
	cJSON_ArrayForEach(dp, dps) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(dp, "dataplane"));
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(dp, "counters"))
			ctl_sb_printf(sb,
				      "hashwall_dataplane_counter_total{dataplane=\"%s\","
				      "counter=\"%s\"} %.17g\n",
				      id, c->string, c->valuedouble);
	}
	cJSON_Delete(dps);
}

void ctl_api_metrics(const struct ctl_api_config *api, const struct ctl_request *req,
		     const struct ctl_route_params *p, struct ctl_response *resp)
{
	struct ctl_sb sb = { 0 };
	size_t len = 0;
	char *text;

	(void)p;
	if (!ctl_api_args_ok(req, NULL, resp))
		return;
	for (int i = 0; api->metrics && i < CTL_CTR_COUNT; i++) {
		const char *name = ctl_counter_name((enum ctl_counter)i);
		ctl_sb_printf(&sb, "# HELP hashwall_%s %s\n# TYPE hashwall_%s counter\n"
				   "hashwall_%s %" PRIu64 "\n",
			      name, ctl_counter_help((enum ctl_counter)i), name, name,
			      ctl_counter_get(api->metrics, (enum ctl_counter)i));
	}
	store_gauges(api, &sb);
	gauge(&sb, "enforcement_available", "Whether a backend blocks traffic (1) or not (0)",
	      api->enforce && ctl_enforce_available(api->enforce));
	gauge(&sb, "controld_start_time_seconds", "Unix time controld started",
	      (double)api->started);
	if (api->metrics && atomic_load(&api->metrics->fleet_enabled)) {
		gauge(&sb, "fleet_connected", "Whether the central store is connected (1) or not (0)",
		      atomic_load(&api->metrics->fleet_connected));
		gauge(&sb, "fleet_outbox", "Occurrences and reviews not yet acknowledged by the "
					   "central store", (double)atomic_load(&api->metrics->fleet_backlog));
	}
	dataplane_metrics(api, &sb);
	text = ctl_sb_take(&sb, &len);
	ctl_api_text(resp, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}
