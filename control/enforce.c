/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enforce.c - enforcement glue: per-set policy, automatic blocks on a
 * match, renewal, and pushing blocks to a backend (see enforce.h).  The
 * bpf backend lives in enforce_bpf.c and is only built with bpf/.
 */
#include "control/enforce.h"
#include "control/enforce_bpf.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PENDING_MAX 4096 /* blocks remembered between a commit and its push */

struct pending {
	char *host, *path;
	int64_t expires;
};

struct pending_flow {
	struct ctl_flow flow;
	int64_t expires;
};

struct ctl_enforce {
	struct ctl_enforce_config cfg;
	struct ctl_enforce_ops ops;
	bool available;
	pthread_mutex_t lock;
	struct pending pend[PENDING_MAX];
	unsigned int n_pend;
	struct pending_flow pend_flow[PENDING_MAX];
	unsigned int n_pend_flow;
	bool overflow; /* pending overflowed: the next sync re-pushes everything */
	uint64_t pushes, push_errors;
};

static const char *const policy_names[CTL_POLICY_COUNT] = {
	[CTL_POLICY_BLOCK] = "block",
	[CTL_POLICY_REPORT] = "report",
};

const char *ctl_policy_name(enum ctl_policy p)
{
	return (unsigned int)p < CTL_POLICY_COUNT ? policy_names[p] : "?";
}

int ctl_policy_parse(const char *name)
{
	for (int i = 0; name && i < CTL_POLICY_COUNT; i++)
		if (strcmp(name, policy_names[i]) == 0)
			return i;
	return -EINVAL;
}

/* The "none" backend: the store is the only record; nothing is blocked. */
static int none_add(void *ctx, const char *host, const char *path, int64_t expires)
{
	(void)ctx;
	(void)host;
	(void)path;
	(void)expires;
	return 0;
}

static int none_del(void *ctx, const char *host, const char *path)
{
	(void)ctx;
	(void)host;
	(void)path;
	return 0;
}

static const struct ctl_enforce_ops none_ops = {
	.name = "none", .add_url = none_add, .del_url = none_del,
};

int ctl_enforce_new(const struct ctl_enforce_config *cfg, struct ctl_enforce **ret_e,
		    struct hwall_err *err)
{
	struct ctl_enforce *e;
	int r;

	for (size_t i = 0; i < cfg->n_sets; i++) {
		if (ctl_policy_parse(cfg->sets[i].policy) < 0)
			return hwall_err_set(err, -EINVAL,
					     "sets[%zu].policy: expected \"block\" or \"report\"", i);
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->cfg = *cfg;
	if (e->cfg.block_ttl <= 0)
		e->cfg.block_ttl = 86400;
	pthread_mutex_init(&e->lock, NULL);
	if (cfg->ops) {
		e->ops = *cfg->ops;
		e->available = true;
	} else if (cfg->interface && *cfg->interface) {
		r = ctl_enforce_bpf_open(cfg->interface, cfg->pin_root, &e->ops, err);
		if (r < 0) {
			ctl_enforce_free(e);
			return r;
		}
		e->available = true;
	} else {
		e->ops = none_ops;
	}
	*ret_e = e;
	return 0;
}

void ctl_enforce_free(struct ctl_enforce *e)
{
	if (!e)
		return;
	if (e->ops.close)
		e->ops.close(e->ops.ctx);
	for (unsigned int i = 0; i < e->n_pend; i++) {
		free(e->pend[i].host);
		free(e->pend[i].path);
	}
	for (unsigned int i = 0; i < e->n_pend_flow; i++)
		ctl_flow_wipe(&e->pend_flow[i].flow);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

bool ctl_enforce_available(const struct ctl_enforce *e)
{
	return e->available;
}

enum ctl_policy ctl_enforce_policy(const struct ctl_enforce *e, const char *set)
{
	for (size_t i = 0; i < e->cfg.n_sets; i++)
		if (strcmp(e->cfg.sets[i].set, set) == 0)
			return (enum ctl_policy)ctl_policy_parse(e->cfg.sets[i].policy);
	return e->cfg.default_policy;
}

/* Call the backend; count and remember failures.  Called with the lock held. */
static int push_locked(struct ctl_enforce *e, const char *host, const char *path, int64_t expires)
{
	int r = e->ops.add_url(e->ops.ctx, host, path, expires);

	e->pushes++;
	if (r < 0) {
		e->push_errors++;
		ctl_count(e->cfg.metrics, CTL_CTR_ENFORCE_ERRORS, 1);
	}
	return r;
}

/* Whether the URL of @ev can be blocked: the XDP program keys a request
 * on its Host and its whole path, so a match without a Host, or whose host
 * or path was cut, has no key that its requests would hit; and one without
 * a path would block another URL (the host's root). */
static bool url_blockable(const struct ctl_event *ev)
{
	return ev->host[0] && ev->path[0] && !ev->host_truncated && !ev->path_truncated;
}

int ctl_enforce_on_match(void *ctx, struct ctl_store *s, const struct ctl_event *ev,
			 const struct ctl_record_result *res)
{
	struct ctl_enforce *e = ctx;
	int64_t expires = ev->ts + e->cfg.block_ttl;
	struct pending *p;
	int r;

	/* A known candidate's block is renewed by ctl_enforce_sync(); one an
	 * operator lifted by hand stays lifted until the candidate reopens. */
	if (!res->created && !res->reopened)
		return 0;
	if (ctl_enforce_policy(e, ev->set) == CTL_POLICY_REPORT) {
		ctl_count(e->cfg.metrics, CTL_CTR_BLOCKS_REPORT_ONLY, 1);
		return 0;
	}
	if (!url_blockable(ev)) {
		ctl_count(e->cfg.metrics, CTL_CTR_BLOCKS_NO_URL, 1);
		return 0;
	}
	r = ctl_store_block_add(s, ev->host, ev->path, res->candidate_id, CTL_BLOCK_AUTO,
				"controld", ev->ts, expires, NULL);
	if (r < 0)
		return r;
	ctl_count(e->cfg.metrics, CTL_CTR_BLOCKS_ADDED, 1);
	pthread_mutex_lock(&e->lock);
	if (e->n_pend == PENDING_MAX) {
		e->overflow = true;
	} else {
		p = &e->pend[e->n_pend];
		p->host = strdup(ev->host);
		p->path = strdup(ev->path);
		p->expires = expires;
		if (p->host && p->path) {
			e->n_pend++;
		} else {
			free(p->host);
			free(p->path);
			e->overflow = true;
		}
	}
	pthread_mutex_unlock(&e->lock);
	return 0;
}

void ctl_enforce_on_flow(void *ctx, struct ctl_store *s, const struct ctl_event *ev,
			 const struct ctl_record_result *res, const struct ctl_flow *flow)
{
	struct ctl_enforce *e = ctx;
	int64_t expires = 0;

	if (!e->ops.add_flow || ctl_enforce_policy(e, ev->set) != CTL_POLICY_BLOCK)
		return;
	if (!url_blockable(ev)) {
		/* No URL block can exist: the flow is all there is to stop. */
		expires = ev->ts + e->cfg.block_ttl;
	} else if (ctl_store_block_expires(s, ev->host, ev->path, &expires) < 0) {
		return; /* no block of the URL: report mode, or lifted by hand */
	} else if (!res->created && !res->reopened && expires <= (int64_t)time(NULL)) {
		/* A known candidate's transfer got past its URL block (a request
		 * the XDP program could not read, say): only a block in force
		 * counts. */
		return;
	}
	pthread_mutex_lock(&e->lock);
	/* A full list loses the flow, not the URL block (which the next sync
	 * pushes again); flows are not kept anywhere else. */
	if (e->n_pend_flow < PENDING_MAX)
		e->pend_flow[e->n_pend_flow++] = (struct pending_flow){ *flow, expires };
	pthread_mutex_unlock(&e->lock);
}

/* Add the remembered flows to the backend and forget them. */
static void push_flows_locked(struct ctl_enforce *e)
{
	for (unsigned int i = 0; i < e->n_pend_flow; i++) {
		int r = e->ops.add_flow(e->ops.ctx, &e->pend_flow[i].flow, e->pend_flow[i].expires);

		e->pushes++;
		if (r < 0) {
			e->push_errors++;
			ctl_count(e->cfg.metrics, CTL_CTR_ENFORCE_ERRORS, 1);
		} else {
			ctl_count(e->cfg.metrics, CTL_CTR_FLOWS_BLOCKED, 1);
		}
		ctl_flow_wipe(&e->pend_flow[i].flow);
	}
	e->n_pend_flow = 0;
}

void ctl_enforce_after_commit(void *ctx)
{
	struct ctl_enforce *e = ctx;

	pthread_mutex_lock(&e->lock);
	for (unsigned int i = 0; i < e->n_pend; i++) {
		push_locked(e, e->pend[i].host, e->pend[i].path, e->pend[i].expires);
		free(e->pend[i].host);
		free(e->pend[i].path);
	}
	e->n_pend = 0;
	push_flows_locked(e);
	pthread_mutex_unlock(&e->lock);
}

void ctl_enforce_after_rollback(void *ctx)
{
	struct ctl_enforce *e = ctx;

	pthread_mutex_lock(&e->lock);
	for (unsigned int i = 0; i < e->n_pend; i++) {
		free(e->pend[i].host);
		free(e->pend[i].path);
	}
	e->n_pend = 0;
	for (unsigned int i = 0; i < e->n_pend_flow; i++)
		ctl_flow_wipe(&e->pend_flow[i].flow);
	e->n_pend_flow = 0;
	pthread_mutex_unlock(&e->lock);
}

int ctl_enforce_block(struct ctl_enforce *e, const struct ctl_block *b)
{
	int r;

	pthread_mutex_lock(&e->lock);
	r = push_locked(e, b->host, b->path, b->expires);
	pthread_mutex_unlock(&e->lock);
	return r;
}

int ctl_enforce_unblock(struct ctl_enforce *e, const char *host, const char *path)
{
	int r;

	pthread_mutex_lock(&e->lock);
	r = e->ops.del_url(e->ops.ctx, host, path);
	if (r < 0 && r != -ENOENT)
		ctl_count(e->cfg.metrics, CTL_CTR_ENFORCE_ERRORS, 1);
	pthread_mutex_unlock(&e->lock);
	ctl_count(e->cfg.metrics, CTL_CTR_BLOCKS_REMOVED, 1);
	return r == -ENOENT ? 0 : r;
}

static int repush_cb(const struct ctl_block *b, void *ctx)
{
	struct ctl_enforce *e = ctx;

	push_locked(e, b->host, b->path, b->expires);
	return 0;
}

int ctl_enforce_sync(struct ctl_enforce *e, struct ctl_store *s, int64_t now)
{
	uint64_t renewed = 0, expired = 0;
	int r = ctl_store_begin(s);

	if (r < 0)
		return r;
	r = ctl_store_blocks_renew(s, now, e->cfg.block_ttl, &renewed);
	if (r == 0)
		r = ctl_store_blocks_expire(s, now, &expired);
	if (r == 0)
		r = ctl_store_commit(s);
	if (r < 0) {
		ctl_store_rollback(s);
		return r;
	}
	ctl_count(e->cfg.metrics, CTL_CTR_BLOCKS_RENEWED, renewed);
	pthread_mutex_lock(&e->lock);
	e->overflow = false;
	r = ctl_store_blocks(s, now, 0, INT64_MAX, repush_cb, e, NULL);
	pthread_mutex_unlock(&e->lock);
	return r;
}

void ctl_enforce_status(struct ctl_enforce *e, cJSON *obj)
{
	cJSON *sets = cJSON_AddObjectToObject(obj, "sets");

	cJSON_AddStringToObject(obj, "backend", e->ops.name);
	cJSON_AddBoolToObject(obj, "available", e->available);
	cJSON_AddNumberToObject(obj, "block_ttl", (double)e->cfg.block_ttl);
	cJSON_AddStringToObject(obj, "default_policy", ctl_policy_name(e->cfg.default_policy));
	for (size_t i = 0; sets && i < e->cfg.n_sets; i++)
		cJSON_AddStringToObject(sets, e->cfg.sets[i].set, e->cfg.sets[i].policy);
	pthread_mutex_lock(&e->lock);
	cJSON_AddNumberToObject(obj, "pushes", (double)e->pushes);
	cJSON_AddNumberToObject(obj, "push_errors", (double)e->push_errors);
	if (e->ops.status)
		e->ops.status(e->ops.ctx, obj);
	pthread_mutex_unlock(&e->lock);
}
