/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * set_publish.h - the published set list: replaced while workers run, with RCU.
 *
 * The list workers read (struct dp_setlist, with the allowlist it points
 * to) is immutable once published.  A change (load, unload, a new
 * allowlist) builds a new list that shares what did not change with the
 * current one, publishes it with one atomic pointer store, waits until
 * every registered worker has reported a quiescent state (rte_rcu_qsbr),
 * and only then closes the sets (and frees the allowlist) that the new
 * list no longer holds and frees the old list.  Workers never lock or
 * wait: per burst they report quiescent and load the pointer
 * (dp_setpub_quiescent, dp_setpub_current).
 * Changes are serialised by a mutex that only control threads take.
 */
#ifndef HASHWALL_DATAPLANE_SET_PUBLISH_H
#define HASHWALL_DATAPLANE_SET_PUBLISH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "common/json_writer.h"
#include "dataplane/verdict.h"

/*
 * Called by dp_setpub_load() after a set file was published (the control
 * socket's `load`: syncd's hand-over), with the set's header, its path,
 * and the set it replaced (NULL when none was loaded), whose ownership
 * passes to the callee (it is past its grace period: no worker reads it).
 * The served-object journal queues its re-check here (journal/jwriter.h).
 */
typedef void (*dp_setpub_loaded_fn)(void *ctx, const struct hws_info *info, const char *path,
				     struct hws_set *replaced);

struct dp_setpub {
	dp_setpub_loaded_fn loaded; /* NULL: none; set before the control socket starts */
	void *loaded_ctx;
	struct dp_setlist *cur; /* atomic: release store, acquire load */
	struct rte_rcu_qsbr *qs;
	pthread_mutex_t lock;   /* writers only */
	uint64_t swaps;         /* lists published since start (under lock) */
	unsigned int max_workers;
};

/*
 * Set up @l for up to @max_workers reader threads (ids 0..max-1), with
 * @initial (may be NULL: an empty list) as the first list; @l owns it from
 * then on, also on failure.  Returns 0 or -ENOMEM / -EINVAL.
 */
int dp_setpub_init(struct dp_setpub *l, unsigned int max_workers, struct dp_setlist *initial);

/* Free the current list and the RCU state; no worker may be online. */
void dp_setpub_fini(struct dp_setpub *l);

/* Register reader @tid and mark it online (it must then report quiescent
 * states) / offline and unregistered (it must not use a list any more). */
int dp_setpub_register(struct dp_setpub *l, unsigned int tid);
void dp_setpub_unregister(struct dp_setpub *l, unsigned int tid);

/* The current list (never NULL after init); valid until the caller's next
 * quiescent state. */
static inline const struct dp_setlist *dp_setpub_current(const struct dp_setpub *l)
{
	return __atomic_load_n(&l->cur, __ATOMIC_ACQUIRE);
}

/* Reader @tid holds no list pointer any more. */
static inline void dp_setpub_quiescent(struct dp_setpub *l, unsigned int tid)
{
	rte_rcu_qsbr_quiescent(l->qs, tid);
}

/*
 * Open and validate the set file at @path, check that it is set @id at
 * @version, and publish a list where it replaces the set of that id (or is
 * added).  Returns 0 with *ret_info describing it, or -errno with @err
 * saying why; on error the published list is untouched.
 */
int dp_setpub_load(struct dp_setpub *l, const char *id, uint64_t version, const char *path,
		 struct hws_info *ret_info, struct hwall_err *err);

/* Publish a list without set @id.  Returns 0 or -ENOENT. */
int dp_setpub_unload(struct dp_setpub *l, const char *id);

/*
 * Publish a list with the sets of the current one and the allowlist @a
 * (NULL: none); the one it replaces is freed after the grace period.  @l
 * owns @a from then on, also on failure.  Returns 0 or -ENOMEM (the
 * published list is then untouched).
 */
int dp_setpub_set_allowlist(struct dp_setpub *l, struct dp_allowlist *a);

/* Publish @next (owned by @l from then on) in place of the whole list,
 * keeping the published allowlist: sets only the old list held are closed
 * after the grace period.  (SIGHUP: the configuration's set list replaces
 * what is loaded.) */
void dp_setpub_replace(struct dp_setpub *l, struct dp_setlist *next);

/* What dp_setpub_sets_json() writes of a set besides its id, version and
 * expiry. */
enum dp_setpub_field {
	DP_SETPUB_ENTRIES = 1 << 0,
	DP_SETPUB_CREATED = 1 << 1,
};

/* The published sets as the member "sets" of the object open in @w: an
 * array of {"id","version"[,"entries"][,"created"],"expires"} (@fields,
 * a mask of enum dp_setpub_field). */
void dp_setpub_sets_json(struct dp_setpub *l, struct hwall_json *w, unsigned int fields);

/* One JSON object (no newline) describing the loaded sets and the number
 * of allowlist entries into @buf:
 * {"swaps":N,"allowlist":N,"sets":[{"id","version","entries","expires"}...]}.
 * Returns the length, or -ENOSPC. */
int dp_setpub_status(struct dp_setpub *l, char *buf, size_t len);

#endif
