/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fleet.h - an edge controld's link to the fleet's central PostgreSQL
 * store (docs/fleet.md).  Beside ingest, never in its way: the edge keeps
 * its SQLite store as the durable record and the source of local
 * enforcement, and this uplink, on a thread of its own with its own
 * connections, does two things:
 *
 *  - up: the occurrences and reviews of the local store past the uplink's
 *    acknowledged cursors (the outbox) are replicated in id order, in
 *    batches of one transaction each, through the central store's own ops
 *    (ctl_store_record() under this appliance's id: each event keeps its
 *    dataplane, epoch and sequence number, so a batch sent again after a
 *    crash or a lost COMMIT answer is recognised and inserts nothing
 *    twice); the cursors move, in the state file, only after the COMMIT.
 *    A status snapshot goes up periodically.
 *  - down: the central decisions addressed to this appliance (reviews,
 *    manual blocks, allowlist changes) are read after the last applied
 *    sequence number, woken by LISTEN/NOTIFY and re-read every few seconds
 *    anyway (reconciliation: a lost notification or a long outage is
 *    caught up), and applied to the local store and enforcement as the API
 *    would: reviews by actor "fleet:NAME" in the local trail, the
 *    allowlist file rewritten, URLs blocked or lifted in the BPF maps.
 *
 * Database down or unreachable: the edge goes on recording; the outbox
 * (what is past the cursors) grows, counted in the backlog gauge; past
 * outbox_max an alert is logged and the oldest beyond the bound are left
 * behind (counted); reconnects back off up to 30 s and drain the rest.
 */
#ifndef HASHWALL_CONTROL_FLEET_H
#define HASHWALL_CONTROL_FLEET_H

#include "common/config.h"
#include "control/enforce.h"
#include "control/metrics.h"
#include "control/store.h"

#include <stdbool.h>
#include <stdint.h>

struct ctl_fleet;

struct ctl_fleet_config {
	const char *conninfo;    /* libpq; credentials via passfile= (0600) */
	const char *appliance;   /* this edge's id ([A-Za-z0-9._-], 1..63) */
	const char *db;          /* the local store (opened again for this thread) */
	const char *state_file;  /* the acknowledged cursors; created 0600 */
	uint32_t batch;          /* rows per replication transaction; 0: 500 */
	uint64_t outbox_max;     /* backlog bound; 0: 10,000,000 */
	uint32_t reconcile_ms;   /* re-read decisions at least this often; 0: 5000 */
	uint32_t status_every;   /* seconds between status snapshots; 0: 30 */
	int64_t block_ttl;       /* expiry of blocks decided centrally; 0: 86400 */
	const char *allowlist_file; /* rewritten after an allowlist change; may be NULL */
	struct ctl_enforce *enforce; /* may be NULL */
	struct ctl_metrics *metrics; /* may be NULL */
};

/* The "fleet" section of controld's configuration (docs/config.md). */
struct ctl_fleet_section {
	char *conninfo, *appliance, *state_file;
	uint32_t batch, reconcile_ms, status_every;
	uint64_t outbox_max;
};

/* Its fields, for common/config.h (an HWALL_CFG_OBJECT's .fields). */
extern const struct hwall_cfg_field ctl_fleet_fields[];

/*
 * Start the uplink for the section @sec of an edge whose local store is
 * @db (the state file defaults to "@db.fleet"): ctl_fleet_new() and
 * ctl_fleet_start() with the enforcement, metrics, allowlist file and
 * block TTL of @base.  0 or -errno with @err saying why.
 */
int ctl_fleet_launch(const struct ctl_fleet_section *sec, const char *db,
		     const struct ctl_fleet_config *base, struct ctl_fleet **ret_f,
		     struct hwall_err *err);

/* The acknowledged cursors (the state file). */
struct ctl_fleet_state {
	int64_t occurrences, reviews, decisions;
};

/*
 * Check @cfg (appliance id, conninfo syntax, a passfile that only its
 * owner may read), open the local store and read the state file (absent:
 * from the beginning).  Nothing connects yet.  Returns 0 or -errno with
 * @err saying why.
 */
int ctl_fleet_new(const struct ctl_fleet_config *cfg, struct ctl_fleet **ret_f,
		  struct hwall_err *err);

/* Start the uplink thread.  0 or -errno. */
int ctl_fleet_start(struct ctl_fleet *f);

/* Stop the thread (if started) and free; accepts NULL. */
void ctl_fleet_free(struct ctl_fleet *f);

/*
 * One round of the uplink, as the thread runs it (tests call it directly
 * instead of starting the thread): connect if needed, push the outbox,
 * apply decisions, send the status when due, and wait up to @wait_ms for a
 * notification.  Returns 0, or -EIO when the database could not be used
 * (the round is retried later; nothing is lost).
 */
int ctl_fleet_round(struct ctl_fleet *f, int wait_ms);

/* The outbox: rows past the acknowledged cursors (a gauge). */
uint64_t ctl_fleet_backlog(struct ctl_fleet *f);

/* Whether the database is connected now. */
bool ctl_fleet_connected(struct ctl_fleet *f);

/* The cursors as last written. */
void ctl_fleet_state(struct ctl_fleet *f, struct ctl_fleet_state *ret);

/* Whether @conninfo parses and, when it names a passfile, that file is
 * private to its owner (libpq ignores a wider one).  0, -EINVAL, -EPERM. */
int ctl_fleet_conninfo_check(const char *conninfo, struct hwall_err *err);

/* ---- applying central decisions (fleet_apply.c) ---- */

struct ctl_decision;

/* Apply decision @d to the local store @s and to enforcement as
 * configured in @cfg; the local trail records it by "fleet:ACTOR".
 * Returns 0 (also when already in effect) or -EIO. */
int ctl_fleet_apply(const struct ctl_fleet_config *cfg, struct ctl_store *s,
		    const struct ctl_decision *d, int64_t now);

#endif
