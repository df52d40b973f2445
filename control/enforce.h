/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enforce.h - controld's enforcement glue between the store's blocks table
 * (the source of truth) and a backend that blocks URLs on the wire.
 *
 * When a match creates a candidate or reopens one (ingest hook, inside the
 * batch's transaction) the set's policy decides: "block" adds a block row
 * with an expiry, "report" only counts (shadow mode while a new list is
 * trialled).  Later matches of a known candidate do not re-add a block an
 * operator lifted by hand.  After the commit the new
 * blocks are pushed to the backend, and so is the flow of the matched
 * transfer when the dataplane sent one and the URL is blocked (held in
 * memory until then, never stored).  A periodic ctl_enforce_sync() renews
 * the expiry of blocks whose candidate is still open (and of manual ones),
 * lets the others lapse, and re-pushes every active block (so a backend
 * restarted empty, or pinned maps lost, are refilled).
 *
 * Backends: "bpf" (the bpfw_ loader library, when bpf/ is built and an
 * interface is configured) or "none": blocks are recorded in the store
 * only and the status endpoint reports enforcement as unavailable.  Tests
 * inject their own backend through struct ctl_enforce_ops.
 *
 * Thread-safe: the ingest thread and the API thread both call in.
 */
#ifndef HASHWALL_CONTROL_ENFORCE_H
#define HASHWALL_CONTROL_ENFORCE_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "control/event.h"
#include "control/metrics.h"
#include "control/store.h"

enum ctl_policy {
	CTL_POLICY_BLOCK,
	CTL_POLICY_REPORT,
	CTL_POLICY_COUNT
};

/* "block" / "report"; parse returns the policy or -EINVAL. */
const char *ctl_policy_name(enum ctl_policy p);
int ctl_policy_parse(const char *name);

/* A backend: each call returns 0 or -errno; @ctx is ops->ctx. */
struct ctl_enforce_ops {
	const char *name;
	int (*add_url)(void *ctx, const char *host, const char *path, int64_t expires);
	int (*del_url)(void *ctx, const char *host, const char *path);
	/* Drop the server's packets of @flow until @expires; NULL: the
	 * backend cannot block flows. */
	int (*add_flow)(void *ctx, const struct ctl_flow *flow, int64_t expires);
	void (*status)(void *ctx, cJSON *obj); /* may be NULL: adds backend fields */
	void (*close)(void *ctx);              /* may be NULL */
	void *ctx;
};

struct ctl_set_policy {
	char *set;
	char *policy; /* "block" or "report" */
};

struct ctl_enforce_config {
	int64_t block_ttl;             /* seconds an automatic block lasts unless renewed */
	enum ctl_policy default_policy;
	const struct ctl_set_policy *sets;
	size_t n_sets;
	const char *interface;         /* serving interface for the bpf backend; NULL: none */
	const char *pin_root;          /* bpffs directory of the pins; NULL: bpfw's default */
	const struct ctl_enforce_ops *ops; /* NULL: bpf if built and interface set, else none */
	struct ctl_metrics *metrics;
};

struct ctl_enforce;

/*
 * Create the glue and its backend.  With the bpf backend this loads and
 * attaches the programs unless already attached.  Returns 0, -EINVAL (bad
 * policy name), or the backend's -errno with @err saying why.
 */
int ctl_enforce_new(const struct ctl_enforce_config *cfg, struct ctl_enforce **ret_e,
		    struct hwall_err *err);

/* Free (the pinned programs and maps stay); accepts NULL. */
void ctl_enforce_free(struct ctl_enforce *e);

/* Whether a backend actually blocks traffic. */
bool ctl_enforce_available(const struct ctl_enforce *e);

/* The policy of set @set. */
enum ctl_policy ctl_enforce_policy(const struct ctl_enforce *e, const char *set);

/*
 * Ingest hook (ctl_ingest_tx_fn): by policy, add an automatic block of the
 * event's URL in the store (inside the caller's transaction) and remember
 * it for ctl_enforce_after_commit().
 */
int ctl_enforce_on_match(void *e, struct ctl_store *s, const struct ctl_event *ev,
			 const struct ctl_record_result *res);

/*
 * Ingest flow hook (ctl_ingest_config.on_flow): when the set's policy is
 * block and the match's URL is blocked (the block it just added, or one
 * still in force: the transfer got past the URL block), remember @flow with
 * that block's expiry for ctl_enforce_after_commit(), which adds it to the
 * blocked-flow map and wipes it.  A URL unblocked by hand blocks no flow.
 * Never stored.
 */
void ctl_enforce_on_flow(void *e, struct ctl_store *s, const struct ctl_event *ev,
			 const struct ctl_record_result *res, const struct ctl_flow *flow);

/* Push the blocks and flows remembered since the last commit to the backend. */
void ctl_enforce_after_commit(void *e);

/* Forget what was remembered since the last commit: its transaction was
 * rolled back (the dataplane resends those events). */
void ctl_enforce_after_rollback(void *e);

/* Push one block (after the caller stored it). */
int ctl_enforce_block(struct ctl_enforce *e, const struct ctl_block *b);

/* Lift one URL (after the caller removed it from the store). */
int ctl_enforce_unblock(struct ctl_enforce *e, const char *host, const char *path);

/*
 * Renew, expire and re-push: see above.  Runs its own transaction on @s.
 * Returns 0 or -errno.
 */
int ctl_enforce_sync(struct ctl_enforce *e, struct ctl_store *s, int64_t now);

/* Add "backend", "available", "block_ttl", "default_policy", "sets" and the
 * backend's own fields to @obj. */
void ctl_enforce_status(struct ctl_enforce *e, cJSON *obj);

#endif
