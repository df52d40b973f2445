/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_sqlite.c - the top of the SQLite back end: opening a connection
 * (core, then schema migration), closing it, and the ops table that hands
 * the layers below to store.c.  The layers are drawn in store_sqlite_int.h.
 */
#include "control/store_sqlite_int.h"

#include <errno.h>
#include <stdlib.h>

static void sqlite_close(struct ctl_store *s)
{
	struct ctl_sqlite *q;

	if (!s)
		return;
	q = ctl_sqlite_of(s);
	ctl_sqlite_disconnect(q);
	free(q);
}

static int sqlite_open(const char *path, struct ctl_store **ret_store, struct hwall_err *err)
{
	struct ctl_sqlite *q;
	int r;

	q = calloc(1, sizeof(*q));
	if (!q)
		return hwall_err_set(err, -ENOMEM, "out of memory");
	q->store.ops = &ctl_sqlite_ops;
	r = ctl_sqlite_connect(q, path, err);
	if (r == 0) {
		r = ctl_sqlite_migrate(q->db, ctl_sqlite_migrate_latest());
		/* The message lives in the connection: copied before closing. */
		if (r < 0)
			hwall_err_set(err, r, "%s: %s", path,
				      r == -ENOTSUP ? "database schema is newer than this controld"
						    : sqlite3_errmsg(q->db));
	}
	if (r == 0) {
		*ret_store = &q->store;
		return 0;
	}
	sqlite_close(&q->store);
	return r;
}

const struct ctl_store_ops ctl_sqlite_ops = {
	.name = "sqlite",

	.open = sqlite_open,
	.close = sqlite_close,
	.schema_version = ctl_sqlite_schema_version,
	.errmsg = ctl_sqlite_errmsg,

	.begin = ctl_sqlite_begin,
	.commit = ctl_sqlite_commit,
	.rollback = ctl_sqlite_rollback,
	.record = ctl_sqlite_record,
	.peer_mark = ctl_sqlite_peer_mark,
	.peer_advance = ctl_sqlite_peer_advance,
	.purge = ctl_sqlite_purge,

	.candidates = ctl_sqlite_candidates,
	.candidate = ctl_sqlite_candidate,
	.occurrences = ctl_sqlite_occurrences,
	.reviews = ctl_sqlite_reviews,
	.review = ctl_sqlite_review,

	.allowed = ctl_sqlite_allowed,
	.allow_add = ctl_sqlite_allow_add,
	.allow_remove = ctl_sqlite_allow_remove,
	.allow_list = ctl_sqlite_allow_list,

	.block_add = ctl_sqlite_block_add,
	.block_remove = ctl_sqlite_block_remove,
	.block_get = ctl_sqlite_block_get,
	.block_expires = ctl_sqlite_block_expires,
	.blocks = ctl_sqlite_blocks,
	.blocks_renew = ctl_sqlite_blocks_renew,
	.blocks_expire = ctl_sqlite_blocks_expire,

	.count_status = ctl_sqlite_count_status,
	.counts = ctl_sqlite_counts,
	.set_summary = ctl_sqlite_set_summary,
	.candidates_by_host = ctl_sqlite_candidates_by_host,

	.audit_tail = ctl_sqlite_audit_tail,
	.audit_insert = ctl_sqlite_audit_insert,
	.audit_walk = ctl_sqlite_audit_walk,

	.digest_spread = ctl_sqlite_digest_spread,
	.quarantine_get = ctl_sqlite_quarantine_get,
	.quarantine_by_id = ctl_sqlite_quarantine_by_id,
	.quarantine_add = ctl_sqlite_quarantine_add,
	.quarantine_decide = ctl_sqlite_quarantine_decide,
	.quarantines = ctl_sqlite_quarantines,

	.reviews_between = ctl_sqlite_reviews_between,
	.candidates_first_seen = ctl_sqlite_candidates_first_seen,
	.candidate_find = ctl_sqlite_candidate_find,
	.replicas = ctl_sqlite_replicas,
	.reviews_after = ctl_sqlite_reviews_after,
	.tail = ctl_sqlite_tail,
};
