/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_pg.h - the PostgreSQL back end of controld's store (store.h): the
 * fleet's central database.  The same ops as the SQLite back end, so the
 * same workflow code (API, exports, enforcement renewals) runs on either;
 * what differs is that every ingest mark and occurrence carries the
 * appliance it came from, candidates are shared by every appliance (one
 * per set, algorithm, digest, host and path, with occurrences from each),
 * and every central decision (a review, a block added or lifted by hand,
 * an allowlist entry) is appended to a sequence-numbered decisions table
 * that edges follow (LISTEN/NOTIFY, docs/fleet.md).
 *
 * Callers open it through ctl_store_open() with a libpq connection string
 * (ctl_pg_target() says which targets are ones) or, on an edge's uplink,
 * with ctl_pg_open() naming the appliance.  One connection per thread.
 */
#ifndef HASHWALL_CONTROL_STORE_PG_H
#define HASHWALL_CONTROL_STORE_PG_H

#include "control/store.h"

#define CTL_APPLIANCE_MAX 63 /* bytes of an appliance id */

/* The back end: every op set (store_pg.c). */
extern const struct ctl_store_ops ctl_pg_ops;

/* Whether @target names a PostgreSQL database rather than a SQLite file:
 * a postgresql:// or postgres:// URI, or a key=value connection string. */
bool ctl_pg_target(const char *target);

/* The newest schema version this controld knows. */
int ctl_pg_migrate_latest(void);

/*
 * Open a connection to @conninfo (libpq syntax) recording as appliance
 * @appliance ("" for the central controld's own ingest).  @migrate: bring
 * the schema to the newest version first (the central role and the
 * migrate command); otherwise the schema must already be the newest.
 * Returns 0, -ENOTSUP for a schema newer than this controld (or older,
 * when not migrating), -EINVAL for a bad appliance id, -EIO, with @err
 * saying why.
 */
int ctl_pg_open(const char *conninfo, const char *appliance, bool migrate,
		struct ctl_store **ret_store, struct hwall_err *err);

/* Whether @id is a usable appliance id: 1..63 bytes of [A-Za-z0-9._-]. */
bool ctl_pg_appliance_valid(const char *id);

/* ---- the decisions edges follow ---- */

enum ctl_decision_kind {
	CTL_DECISION_STATUS,  /* a candidate's review: status, allowlist scope */
	CTL_DECISION_ALLOW,   /* an allowlist entry added by hand */
	CTL_DECISION_UNALLOW, /* an allowlist entry removed by hand */
	CTL_DECISION_BLOCK,   /* a URL blocked by hand */
	CTL_DECISION_UNBLOCK, /* a URL's block lifted by hand */
	CTL_DECISION_KIND_COUNT
};

/* "status", "allow", "unallow", "block", "unblock"; "?" when out of range. */
const char *ctl_decision_kind_name(enum ctl_decision_kind k);

/* One central decision, as edges read it. */
struct ctl_decision {
	int64_t seq, at;
	enum ctl_decision_kind kind;
	char set[CTL_SET_MAX + 1];
	enum hwall_algo algo;
	char digest[HWALL_DIGEST_HEX_MAX];
	char host[CTL_HOST_MAX + 1];
	char path[CTL_PATH_MAX + 1];
	enum ctl_status status; /* STATUS: the new status */
	int allow_scope;        /* STATUS to false_positive: enum ctl_allow_scope; else -1 */
	char actor[CTL_ACTOR_MAX + 1];
	char note[CTL_NOTE_MAX + 1];
};

typedef int (*ctl_decision_fn)(const struct ctl_decision *d, void *ctx);

/*
 * Call @fn for each decision after @after addressed to this connection's
 * appliance (or to every appliance), in sequence order, at most @limit.
 * Returns 0, what @fn returned when non-zero, or -EIO.
 */
int ctl_pg_decisions(struct ctl_store *s, int64_t after, uint64_t limit, ctl_decision_fn fn,
		     void *ctx);

/* LISTEN for new decisions on this connection; 0 or -EIO. */
int ctl_pg_listen(struct ctl_store *s);

/*
 * Wait up to @timeout_ms for a notification of a new decision (or for the
 * connection to fail).  Returns 1 when one came, 0 on timeout, -EIO when
 * the connection is gone.
 */
int ctl_pg_wait(struct ctl_store *s, int timeout_ms);

/* Record this appliance's status snapshot (@json, a JSON object) and the
 * time of contact; 0 or -EIO. */
int ctl_pg_appliance_status(struct ctl_store *s, const char *json, int64_t now);

/* Whether the connection is still usable (not broken by the server or the
 * network). */
bool ctl_pg_ok(struct ctl_store *s);

#endif
