/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_match.h - an image's PDQ hashes against the loaded sets' PDQ entries.
 *
 * Reads: the eight dihedral hashes and the quality of one image, the
 * published set list (with its allowlist) and the per-set policy
 * (pdq_config.h).  Writes: at most one match per set, the entry nearest
 * to any of the eight hashes (through the set's near-neighbour index,
 * hws_lookup_near()) when it is within the set's max_distance and the
 * quality reaches the set's min_quality; and the outcome counter.
 */
#ifndef HASHWALL_DATAPLANE_PDQ_MATCH_H
#define HASHWALL_DATAPLANE_PDQ_MATCH_H

#include "dataplane/counters.h"
#include "dataplane/pdq/pdq_config.h"
#include "dataplane/verdict.h"
#include "hashsync/pdq/pdq.h"

/*
 * Match @res against every set of @l (NULL: none) under @conf's policies.
 * Writes up to @max matches to @out, each pointing at its @near[i] (the
 * caller's array of @max), and returns how many.  *ret_outcome is
 * pdq_matched, pdq_allowlisted (every hit was allowlisted: the allowlist
 * holds the object's PDQ hash for all sets or the set hit),
 * pdq_low_quality (no set with PDQ entries accepts the quality) or
 * pdq_no_match.
 */
unsigned int dp_pdq_match(const struct dp_setlist *l, const struct dp_pdq_conf *conf,
			  const struct pdq_result *res, struct dp_match *out,
			  struct dp_match_near *near, unsigned int max, enum dp_pdq_ctr *ret_outcome);

#endif
