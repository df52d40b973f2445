/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws_near.c - near-neighbour lookups of a perceptual algorithm (pdq) in
 * an open set (hws.h), through the PDQ index that the writer stores as the
 * algorithm's aux section (hashsync/pdq/pdq_index.h, docs/pdq-index.md).
 *
 * Entry i of the index is key i of the algorithm's sorted table, so a
 * match's position gives its reference and category directly.  The
 * dataplane's PDQ stage and `hashwall-set lookup FILE pdq HEX` ask here.
 */
#include "hashsync/hws.h"
#include "hashsync/hws_int.h"

#include <errno.h>
#include <string.h>

_Static_assert(HWS_NEAR_MAX <= 4096, "the matches of one lookup sit on the stack");
_Static_assert(sizeof(((union hwall_algo_longest_ *)0)->PDQ) == PDQI_HASH_LEN,
	       "pdq digests are the index's hashes");

int hws_lookup_near(const struct hws_set *set, enum hwall_algo algo, const uint8_t *digest,
		    unsigned int max_dist, struct hws_near *out, size_t cap, size_t *ret_total)
{
	struct pdqi_match m[HWS_NEAR_MAX];
	const struct hws_view *v;
	size_t total = 0, n;
	int r;

	if (hwall_algo_kind(algo) != HWALL_ALGO_KIND_PERCEPTUAL || max_dist > PDQI_MAX_DIST)
		return -EINVAL;
	v = &set->views[algo];
	if (!v->near) { /* no entries: the reader refuses a table without its index */
		*ret_total = 0;
		return 0;
	}
	if (cap > HWS_NEAR_MAX)
		cap = HWS_NEAR_MAX;
	r = pdqi_query(v->near, digest, max_dist, PDQI_PATH_AUTO, cap ? m : NULL, cap, &total);
	if (r < 0)
		return r;
	n = total < cap ? total : cap;
	for (size_t i = 0; i < n; i++) {
		/* pdqi_open() checked that the index has count entries. */
		uint32_t e = m[i].entry;

		memset(&out[i], 0, sizeof(out[i]));
		memcpy(out[i].digest, pdqi_hash(v->near, e), PDQI_HASH_LEN);
		out[i].distance = m[i].distance;
		out[i].ref = v->refs[e];
		out[i].category = v->cats[e];
	}
	*ret_total = total;
	return 0;
}
