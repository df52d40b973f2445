/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fleet_apply.c - a central decision applied on an edge, the way the
 * operator API applies the same change made locally: the local store
 * first (a review in the local trail by "fleet:ACTOR", an allowlist entry,
 * a block), then what mirrors it (the allowlist file for the dataplane,
 * the BPF maps through enforcement).  Applying a decision twice changes
 * nothing the second time, so the reconciliation may re-read freely.
 */
#include "control/api.h"
#include "control/fleet.h"
#include "control/store_pg.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct block_find {
	const char *host, *path;
	struct ctl_block found;
};

static int block_match(const struct ctl_block *b, void *ctx)
{
	struct block_find *bf = ctx;

	if (strcmp(b->host, bf->host) != 0 || strcmp(b->path, bf->path) != 0)
		return 0;
	bf->found = *b;
	return 1;
}

static void allowlist_changed(const struct ctl_fleet_config *cfg, struct ctl_store *s)
{
	if (cfg->allowlist_file && ctl_allowlist_export(s, cfg->allowlist_file) < 0)
		HWALL_LOG(ERR, "ctl.fleet", "cannot rewrite allowlist file %s", cfg->allowlist_file);
}

/* A review decided centrally: on the local candidate when this edge has
 * it; a false positive for a digest never seen here still joins the
 * allowlist. */
static int apply_status(const struct ctl_fleet_config *cfg, struct ctl_store *s,
			const struct ctl_decision *d, const char *actor, int64_t now)
{
	enum ctl_allow_scope scope = d->allow_scope == CTL_ALLOW_GLOBAL ? CTL_ALLOW_GLOBAL
									: CTL_ALLOW_SET;
	struct ctl_review_result rr;
	int64_t id;
	int r = ctl_store_candidate_find(s, d->set, d->algo, d->digest, d->host, d->path, &id);

	if (r == -ENOENT && d->status == CTL_STATUS_FALSE_POSITIVE) {
		r = ctl_store_allow_add(s, d->algo, d->digest, scope == CTL_ALLOW_SET ? d->set : "",
					actor, d->note, now);
		if (r == 0)
			allowlist_changed(cfg, s);
		return r == -EEXIST ? 0 : r;
	}
	if (r == -ENOENT)
		return 0; /* not seen here: nothing to change */
	if (r == 0)
		r = ctl_store_review(s, id, d->status, actor, d->note, scope, now, &rr);
	if (r == -EALREADY)
		return 0;
	if (r < 0)
		return r;
	if (rr.blocks_removed && cfg->enforce)
		ctl_enforce_unblock(cfg->enforce, d->host, d->path);
	if (rr.allow_added || rr.allow_removed)
		allowlist_changed(cfg, s);
	return 0;
}

static int apply_block(const struct ctl_fleet_config *cfg, struct ctl_store *s,
		       const struct ctl_decision *d, const char *actor, int64_t now)
{
	struct block_find bf = { .host = d->host, .path = d->path };
	int64_t id = 0;
	int r;

	if (d->kind == CTL_DECISION_BLOCK) {
		r = ctl_store_block_add(s, d->host, d->path, 0, CTL_BLOCK_MANUAL, actor, now,
					now + cfg->block_ttl, &id);
		if (r == 0)
			r = ctl_store_block_get(s, id, &bf.found);
		if (r == 0 && cfg->enforce)
			ctl_enforce_block(cfg->enforce, &bf.found);
		return r;
	}
	r = ctl_store_blocks(s, 0, 0, UINT64_MAX / 2, block_match, &bf, NULL);
	if (r == 0)
		return 0; /* not blocked here */
	if (r < 0)
		return r;
	r = ctl_store_block_remove(s, bf.found.id, NULL);
	if (r == 0 && cfg->enforce)
		ctl_enforce_unblock(cfg->enforce, d->host, d->path);
	return r == -ENOENT ? 0 : r;
}

int ctl_fleet_apply(const struct ctl_fleet_config *cfg, struct ctl_store *s,
		    const struct ctl_decision *d, int64_t now)
{
	char actor[CTL_ACTOR_MAX + 1];
	int r = 0;

	if (snprintf(actor, sizeof(actor), "fleet:%s", d->actor) >= (int)sizeof(actor))
		actor[sizeof(actor) - 1] = '\0'; /* a long name is cut: the trail keeps its start */
	switch (d->kind) {
	case CTL_DECISION_STATUS:
		r = apply_status(cfg, s, d, actor, now);
		break;
	case CTL_DECISION_ALLOW:
		r = ctl_store_allow_add(s, d->algo, d->digest, d->set, actor, d->note, now);
		if (r == 0)
			allowlist_changed(cfg, s);
		r = r == -EEXIST ? 0 : r;
		break;
	case CTL_DECISION_UNALLOW:
		r = ctl_store_allow_remove(s, d->algo, d->digest, d->set);
		if (r == 0)
			allowlist_changed(cfg, s);
		r = r == -ENOENT ? 0 : r;
		break;
	case CTL_DECISION_BLOCK:
	case CTL_DECISION_UNBLOCK:
		r = apply_block(cfg, s, d, actor, now);
		break;
	case CTL_DECISION_KIND_COUNT:
		break;
	}
	if (r == 0)
		HWALL_LOG(INFO, "ctl.fleet", "decision %lld applied: %s%s%s by %s",
			  (long long)d->seq, ctl_decision_kind_name(d->kind),
			  d->kind == CTL_DECISION_STATUS ? " " : "",
			  d->kind == CTL_DECISION_STATUS ? ctl_status_name(d->status) : "", actor);
	return r < 0 ? -EIO : 0;
}
