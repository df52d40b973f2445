/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * verdict.h - stage 8: look a finished object's digests up in the sets.
 *
 * Reads: the object's digests and a read-only list of loaded sets (struct
 * dp_setlist) with the local allowlist.  Writes: the matches, and the
 * allowlisted counter for a hit skipped because of the allowlist.  Workers reach the list through a
 * pointer that the control thread swaps (RCU, live.h) when a set changes;
 * a published list and its sets are never written again, so any number of
 * workers read them at once.
 */
#ifndef HASHWALL_DATAPLANE_VERDICT_H
#define HASHWALL_DATAPLANE_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane/sets/allowlist.h"
#include "dataplane/counters.h"
#include "dataplane/digest.h"
#include "hashsync/hws.h"

#define DP_SETS_MAX 16

struct dp_set_ref {
	struct hws_set *set;
	struct hws_info info;
};

/* The loaded sets and the allowlist, read-only once published. */
struct dp_setlist {
	unsigned int n;
	unsigned int algo_mask; /* algorithms some set holds entries for */
	struct dp_set_ref sets[DP_SETS_MAX];
	struct dp_allowlist *allow; /* digests never reported; NULL: none */
};

/* What a perceptual (pdq) hit adds: the listed entry it is near, how
 * near, the object hash's quality and which of its dihedral variants
 * (enum pdq_dihedral) was nearest.  Filled by the PDQ stage
 * (pdq/pdq_match.h). */
struct dp_match_near {
	uint8_t entry[HWALL_DIGEST_MAX];
	uint32_t distance;
	uint32_t quality;
	uint8_t variant;
};

/* One hit. */
struct dp_match {
	const struct dp_set_ref *set;
	enum hwall_algo algo;
	uint8_t category;
	uint32_t ref;
	bool decoded; /* a digest of the decoded body (Content-Encoding), not of the wire bytes */
	const struct dp_match_near *near; /* NULL: an exact hit */
};

/*
 * Open the @n set files at @paths (n <= DP_SETS_MAX).  Returns 0 with
 * *ret_list owned by the caller (dp_setlist_free), or -errno with @err
 * naming the file and the reason.
 */
int dp_setlist_open(const char *const *paths, unsigned int n, struct dp_setlist **ret_list,
		    struct hwall_err *err);

/* Set l->algo_mask from the sets' entry counts. */
void dp_setlist_compute_mask(struct dp_setlist *l);

/* Close every set, free the allowlist and @l; accepts NULL. */
void dp_setlist_free(struct dp_setlist *l);

/*
 * Look every digest of @d up in every set of @l (NULL: no sets).  A hit
 * whose (algorithm, digest) l->allow lists for every set or for the set
 * hit is skipped and counted in
 * @ctr's allowlisted drop counter (@ctr may be NULL: not counted).  Writes
 * up to @max matches to @out and returns how many there were.
 */
unsigned int dp_verdict_count(const struct dp_setlist *l, const struct dp_digests *d,
			      struct dp_match *out, unsigned int max, struct dp_counters *ctr);

/* dp_verdict_count() without counting allowlisted hits. */
static inline unsigned int dp_verdict(const struct dp_setlist *l, const struct dp_digests *d,
				      struct dp_match *out, unsigned int max)
{
	return dp_verdict_count(l, d, out, max, NULL);
}

#endif
