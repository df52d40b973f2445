/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quarantine.h - flood quarantine: a guard against a bad list entry
 * (docs/controld.md, "Flood quarantine").
 *
 * In 2021 stock WordPress images on a hotline's list matched on sites across
 * a whole hoster.  Abuse material is served from few places; a digest that
 * matches on more than `hosts` distinct hosts, or more than `urls` distinct
 * URLs, within `window` seconds is far more likely a wrong entry.  Such a
 * digest is switched to report-only on its own: its matches are still
 * recorded as candidates (flagged "quarantined" in the API), but nothing is
 * blocked for it (its automatic blocks are lifted, new ones are not added,
 * flows are not blocked), an alert is logged (ctl.alert), counted
 * (hashwall_quarantines_total, the gauge hashwall_quarantines_active) and
 * shown in the status, and the event goes into the audit trail.  An admin
 * then releases it (enforced again; the check stays armed, counting from
 * the release) or confirms the entry (enforced again, never quarantined
 * again).
 *
 * Sits on the ingest path: controld's record hook calls
 * ctl_quarantine_check() for each recorded match, inside the batch's
 * transaction, before enforcement.
 */
#ifndef HASHWALL_CONTROL_QUARANTINE_H
#define HASHWALL_CONTROL_QUARANTINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "control/audit.h"
#include "control/enforce.h"
#include "control/metrics.h"
#include "control/store.h"

#define CTL_QUAR_HOSTS_DEFAULT 10     /* distinct hosts ... */
#define CTL_QUAR_URLS_DEFAULT 100     /* ... or distinct URLs ... */
#define CTL_QUAR_WINDOW_DEFAULT 86400 /* ... within this many seconds */
#define CTL_QUAR_UNBLOCK_MAX 4096     /* blocks lifted per batch, remembered for the backend */

struct ctl_quarantine_config {
	bool disabled;
	uint32_t hosts, urls, window; /* 0: the defaults above */
};

/* The guard: its configuration, what it tells, and the blocks it lifted in
 * the open batch (lifted in the backend after the commit, after the
 * batch's own new blocks were pushed). */
struct ctl_quarantine_guard {
	struct ctl_quarantine_config cfg;
	const struct ctl_audit *audit;   /* may be NULL */
	struct ctl_metrics *metrics;     /* may be NULL */
	struct ctl_enforce *enforce;     /* may be NULL */
	_Atomic int64_t active;          /* a hint: 0 means no lookups on the ingest path */
	struct { char *host, *path; } *lifted;
	unsigned int n_lifted;
	bool lifted_overflow;
};

/*
 * Set up @g with @cfg (NULL: the defaults) and count the quarantines still
 * active in @s.  0 or -EIO.
 */
int ctl_quarantine_init(struct ctl_quarantine_guard *g, const struct ctl_quarantine_config *cfg,
			const struct ctl_audit *audit, struct ctl_metrics *metrics,
			struct ctl_enforce *enforce, struct ctl_store *s);

/* Free what @g holds; accepts NULL. */
void ctl_quarantine_fini(struct ctl_quarantine_guard *g);

/*
 * For recorded match @ev (@res: what recording did), inside the ingest
 * transaction on @s: whether enforcement must hold back for its digest
 * (*@ret_held), quarantining the digest first when this match makes its
 * spread too wide.  0 or a negative errno from the store (the batch then
 * rolls back).
 */
int ctl_quarantine_check(struct ctl_quarantine_guard *g, struct ctl_store *s,
			 const struct ctl_event *ev, const struct ctl_record_result *res,
			 bool *ret_held);

/* After the ingest commit: lift the remembered blocks in the backend.
 * After a rollback: forget them. */
void ctl_quarantine_after_commit(struct ctl_quarantine_guard *g);
void ctl_quarantine_after_rollback(struct ctl_quarantine_guard *g);

/*
 * Release or confirm quarantine @id as @actor at @now, with its audit
 * record, in one transaction on @s (the API's connection): the digest's
 * open candidates get automatic blocks again, expiring at @now + @ttl
 * (pushed to the backend by the next renewal, within a minute).  The
 * quarantine as it is now goes to *@ret.  0, -ENOENT, -EALREADY (not
 * active), -EIO.  @g may be NULL (no counters).
 */
int ctl_quarantine_decide(struct ctl_quarantine_guard *g, const struct ctl_audit *audit,
			  struct ctl_store *s, int64_t id, enum ctl_quarantine_state to,
			  const char *actor, int64_t now, int64_t ttl, struct ctl_quarantine *ret);

#endif
