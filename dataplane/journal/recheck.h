/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * recheck.h - the retroactive re-check: the entries a set gained, looked
 * up in every retained journal segment (docs/journal.md, "The re-check").
 *
 * Added entries are those of the new set that the set it replaced did not
 * hold (every entry when nothing was loaded before).  Exact algorithms
 * are looked up in each closed segment's digest index and in the open
 * segment; pdq entries by Hamming distance: through each closed segment's
 * near-neighbour index, and for the open segment through the new set's.
 * Each hit is one journal record (one URL) and one entry of the set.
 *
 * Runs on the journal writer thread (jwriter.h), never on a worker.
 */
#ifndef HASHWALL_DATAPLANE_RECHECK_H
#define HASHWALL_DATAPLANE_RECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/algo.h"
#include "dataplane/journal/journal.h"
#include "hashsync/hws.h"

struct dp_recheck_hit {
	const struct hws_info *set;    /* the new set: id, version */
	enum hwall_algo algo;
	const uint8_t *entry;          /* the set's digest */
	uint8_t category;
	uint32_t ref;
	unsigned int distance;         /* 0 for exact algorithms */
	const struct dp_jrec *rec;     /* where and when it was served */
};

typedef int (*dp_recheck_fn)(void *ctx, const struct dp_recheck_hit *h);

/* Progress, read by other threads with relaxed atomic loads. */
struct dp_recheck_stats {
	uint64_t added;     /* entries the set gained */
	uint64_t looked_up; /* of those, looked up so far */
	uint64_t hits;
	uint64_t bad;       /* index entries whose record failed its checks */
	uint64_t ns;        /* duration */
};

/*
 * Re-check the entries @nw gained over @old (NULL: all of them) against
 * every segment of @j, pdq within @pdq_dist (0..256), calling @fn per
 * hit.  Returns 0, what @fn returned to stop, or -EINVAL.
 */
int dp_recheck_run(const struct dp_journal *j, const struct hws_set *nw, const struct hws_set *old,
		   unsigned int pdq_dist, dp_recheck_fn fn, void *ctx, struct dp_recheck_stats *st);

/*
 * A hit as a match event line for controld (with its newline and NUL),
 * the fields of a live match (docs/dataplane.md, "Output") plus
 * "retroactive":true, "first_served", "last_served", "serve_count" and,
 * for pdq, "distance"; "ts" is the last time served.  No client.
 * Returns the length, or 0 when it does not fit @cap.
 */
size_t dp_recheck_event(const struct dp_recheck_hit *h, char *buf, size_t cap);

/*
 * The highest version of set @id already re-checked in @dir (0: none),
 * and recording one (a small file, 0600, replaced atomically): a set
 * version re-installed is not re-checked again.
 */
uint64_t dp_recheck_done(const char *dir, const char *id);
int dp_recheck_mark(const char *dir, const char *id, uint64_t version);

#endif
