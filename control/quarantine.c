/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quarantine.c - the flood guard (see quarantine.h): the spread check on
 * the ingest path, quarantining with its audit record and alert, lifting
 * the digest's blocks in the backend after the commit, and an admin's
 * release or confirmation.
 */
#include "control/quarantine.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctl_quarantine_init(struct ctl_quarantine_guard *g, const struct ctl_quarantine_config *cfg,
			const struct ctl_audit *audit, struct ctl_metrics *metrics,
			struct ctl_enforce *enforce, struct ctl_store *s)
{
	uint64_t active = 0;

	memset(g, 0, sizeof(*g));
	if (cfg)
		g->cfg = *cfg;
	if (!g->cfg.hosts)
		g->cfg.hosts = CTL_QUAR_HOSTS_DEFAULT;
	if (!g->cfg.urls)
		g->cfg.urls = CTL_QUAR_URLS_DEFAULT;
	if (!g->cfg.window)
		g->cfg.window = CTL_QUAR_WINDOW_DEFAULT;
	g->audit = audit;
	g->metrics = metrics;
	g->enforce = enforce;
	if (ctl_store_quarantines(s, CTL_QUAR_ACTIVE, 0, 0, NULL, NULL, &active) < 0)
		return -EIO;
	atomic_store(&g->active, (int64_t)active);
	g->lifted = calloc(CTL_QUAR_UNBLOCK_MAX, sizeof(*g->lifted));
	return g->lifted ? 0 : -ENOMEM;
}

void ctl_quarantine_after_rollback(struct ctl_quarantine_guard *g)
{
	for (unsigned int i = 0; g && i < g->n_lifted; i++) {
		free(g->lifted[i].host);
		free(g->lifted[i].path);
	}
	if (g) {
		g->n_lifted = 0;
		g->lifted_overflow = false;
	}
}

void ctl_quarantine_fini(struct ctl_quarantine_guard *g)
{
	if (!g)
		return;
	ctl_quarantine_after_rollback(g);
	free(g->lifted);
	g->lifted = NULL;
}

void ctl_quarantine_after_commit(struct ctl_quarantine_guard *g)
{
	for (unsigned int i = 0; g->enforce && i < g->n_lifted; i++)
		if (ctl_enforce_unblock(g->enforce, g->lifted[i].host, g->lifted[i].path) == 0)
			ctl_count(g->metrics, CTL_CTR_BLOCKS_REMOVED, 1);
	if (g->lifted_overflow)
		HWALL_LOG(WARN, "ctl.enforce", "more than %d blocks lifted by quarantine in one "
					    "batch: the rest lapse at their expiry",
			  CTL_QUAR_UNBLOCK_MAX);
	ctl_quarantine_after_rollback(g);
}

/* ctl_store_quarantine_add()'s callback: remember a lifted block. */
static int remember_lifted(const struct ctl_block *b, void *ctx)
{
	struct ctl_quarantine_guard *g = ctx;

	if (g->n_lifted == CTL_QUAR_UNBLOCK_MAX) {
		g->lifted_overflow = true;
		return 0;
	}
	g->lifted[g->n_lifted].host = strdup(b->host);
	g->lifted[g->n_lifted].path = strdup(b->path);
	if (!g->lifted[g->n_lifted].host || !g->lifted[g->n_lifted].path) {
		free(g->lifted[g->n_lifted].host);
		free(g->lifted[g->n_lifted].path);
		return -ENOMEM;
	}
	g->n_lifted++;
	return 0;
}

/* Quarantine the digest of @ev, whose spread is @hosts / @urls. */
static int trip(struct ctl_quarantine_guard *g, struct ctl_store *s, const struct ctl_event *ev,
		uint64_t hosts, uint64_t urls)
{
	struct ctl_quarantine q = { .algo = ev->algo, .hosts = hosts, .urls = urls,
				    .since = ev->ts };
	unsigned int before = g->n_lifted;
	char object[48], detail[CTL_AUDIT_DETAIL_MAX + 1];
	cJSON *d;
	int r;

	snprintf(q.digest, sizeof(q.digest), "%s", ev->digest);
	snprintf(q.set, sizeof(q.set), "%s", ev->set);
	r = ctl_store_quarantine_add(s, &q, remember_lifted, g);
	if (r < 0)
		return r;
	snprintf(object, sizeof(object), "quarantine:%" PRId64, q.id);
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "algo", hwall_algo_name(q.algo));
	cJSON_AddStringToObject(d, "digest", q.digest);
	cJSON_AddStringToObject(d, "set", q.set);
	cJSON_AddNumberToObject(d, "hosts", (double)hosts);
	cJSON_AddNumberToObject(d, "urls", (double)urls);
	cJSON_AddNumberToObject(d, "window", g->cfg.window);
	cJSON_AddNumberToObject(d, "blocks_lifted", g->n_lifted - before);
	ctl_audit_detail(d, detail);
	r = ctl_audit_append(g->audit, s, CTL_AUDIT_QUARANTINE, "controld", object, detail,
			     ev->ts);
	if (r < 0)
		return r;
	atomic_fetch_add(&g->active, 1);
	ctl_count(g->metrics, CTL_CTR_QUARANTINES, 1);
	HWALL_LOG(WARN, "ctl.alert", "quarantine %" PRId64 ": a digest of set %s matched on %" PRIu64
		  " hosts, %" PRIu64 " URLs within %u s: report-only for it until an admin "
		  "releases or confirms it", q.id, q.set, hosts, urls, g->cfg.window);
	return 0;
}

int ctl_quarantine_check(struct ctl_quarantine_guard *g, struct ctl_store *s,
			 const struct ctl_event *ev, const struct ctl_record_result *res,
			 bool *ret_held)
{
	struct ctl_quarantine q;
	uint64_t hosts = 0, urls = 0;
	int64_t since = ev->ts - (int64_t)g->cfg.window;
	int r = -ENOENT;

	*ret_held = false;
	/* only a new candidate widens the spread; only a quarantine holds */
	if (g->cfg.disabled || (!res->created && atomic_load(&g->active) == 0))
		return 0;
	r = ctl_store_quarantine_get(s, ev->algo, ev->digest, &q);
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == 0 && q.state == CTL_QUAR_ACTIVE) {
		*ret_held = true;
		ctl_count(g->metrics, CTL_CTR_QUARANTINE_HELD, 1);
		return 0;
	}
	if ((r == 0 && q.state == CTL_QUAR_CONFIRMED) || !res->created)
		return 0;
	if (r == 0 && q.decided > since)
		since = q.decided; /* released: counting starts again */
	r = ctl_store_digest_spread(s, ev->algo, ev->digest, since, &hosts, &urls);
	if (r < 0)
		return r;
	if (hosts <= g->cfg.hosts && urls <= g->cfg.urls)
		return 0;
	r = trip(g, s, ev, hosts, urls);
	if (r == 0) {
		*ret_held = true;
		ctl_count(g->metrics, CTL_CTR_QUARANTINE_HELD, 1);
	}
	return r;
}

int ctl_quarantine_decide(struct ctl_quarantine_guard *g, const struct ctl_audit *audit,
			  struct ctl_store *s, int64_t id, enum ctl_quarantine_state to,
			  const char *actor, int64_t now, int64_t ttl, struct ctl_quarantine *ret)
{
	uint64_t blocks = 0;
	char object[48], detail[64];
	int r = ctl_store_begin(s);

	if (r < 0)
		return r;
	r = ctl_store_quarantine_decide(s, id, to, actor, now, now + ttl, &blocks);
	snprintf(object, sizeof(object), "quarantine:%" PRId64, id);
	snprintf(detail, sizeof(detail), "{\"blocks_restored\":%" PRIu64 "}", blocks);
	if (r == 0)
		r = ctl_audit_append(audit, s, to == CTL_QUAR_CONFIRMED ? CTL_AUDIT_QUARANTINE_CONFIRM
								       : CTL_AUDIT_QUARANTINE_RELEASE,
				     actor, object, detail, now);
	if (r == 0)
		r = ctl_store_commit(s);
	if (r < 0) {
		ctl_store_rollback(s);
		return r;
	}
	if (g && atomic_load(&g->active) > 0)
		atomic_fetch_sub(&g->active, 1);
	return ret ? ctl_store_quarantine_by_id(s, id, ret) : 0;
}
