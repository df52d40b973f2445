/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_sqlite.h - the SQLite back end of controld's store (store.h): one
 * database file in WAL mode with synchronous=FULL, a versioned schema.
 * Callers open it through ctl_store_open() and use the ctl_store_*
 * functions; what is here is for store.c and for tests of the back end
 * itself (its ops table, schema upgrades on a raw database).
 */
#ifndef HASHWALL_CONTROL_STORE_SQLITE_H
#define HASHWALL_CONTROL_STORE_SQLITE_H

#include "control/store.h"

struct sqlite3;

/* The back end: every op set (store_sqlite.c). */
extern const struct ctl_store_ops ctl_sqlite_ops;

/* The newest schema version this controld knows. */
int ctl_sqlite_migrate_latest(void);

/*
 * Bring the database @db to schema version @target (each step in its own
 * transaction).  Returns 0, -ENOTSUP when the database is newer than
 * @target, -EINVAL for an unknown @target, or -EIO.  Exposed for tests of
 * upgrades.
 */
int ctl_sqlite_migrate(struct sqlite3 *db, int target);

#endif
