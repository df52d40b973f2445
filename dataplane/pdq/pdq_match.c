/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_match.c - PDQ hashes against the sets (see pdq_match.h).
 */
#include "dataplane/pdq/pdq_match.h"

#include <string.h>

#include "hashsync/hws.h"

/* The entry of @set nearest to any of @res's eight hashes within @dist;
 * false when there is none. */
static bool nearest(const struct hws_set *set, const struct pdq_result *res, uint32_t dist,
		    struct hws_near *ret, uint8_t *ret_variant)
{
	bool found = false;

	for (int v = 0; v < PDQ_DIHEDRAL_COUNT; v++) {
		struct hws_near hit;
		size_t total = 0;

		if (hws_lookup_near(set, HWALL_ALGO_PDQ, res->hash[v].b, dist, &hit, 1, &total) < 0 ||
		    total == 0)
			continue;
		if (!found || hit.distance < ret->distance) {
			*ret = hit;
			*ret_variant = (uint8_t)v;
			found = true;
		}
	}
	return found;
}

unsigned int dp_pdq_match(const struct dp_setlist *l, const struct dp_pdq_conf *conf,
			  const struct pdq_result *res, struct dp_match *out,
			  struct dp_match_near *near, unsigned int max, enum dp_pdq_ctr *ret_outcome)
{
	unsigned int n = 0, allowed = 0, accepting = 0;

	for (unsigned int i = 0; l && i < l->n && n < max; i++) {
		const struct dp_set_ref *s = &l->sets[i];
		uint32_t dist, min_q;
		struct hws_near hit;
		uint8_t v = 0;

		if (!s->info.counts[HWALL_ALGO_PDQ])
			continue;
		dp_pdq_conf_policy(conf, s->info.id, &dist, &min_q);
		if ((uint32_t)res->quality < min_q)
			continue;
		accepting++;
		if (!nearest(s->set, res, dist, &hit, &v))
			continue;
		if (dp_allowlist_contains(l->allow, HWALL_ALGO_PDQ, res->hash[PDQ_ORIGINAL].b,
					  s->info.id)) {
			allowed++;
			continue;
		}
		memset(&near[n], 0, sizeof(near[n]));
		memcpy(near[n].entry, hit.digest, PDQ_HASH_BYTES);
		near[n].distance = hit.distance;
		near[n].quality = (uint32_t)res->quality;
		near[n].variant = v;
		out[n] = (struct dp_match){ .set = s, .algo = HWALL_ALGO_PDQ, .category = hit.category,
					    .ref = hit.ref, .near = &near[n] };
		n++;
	}
	if (n)
		*ret_outcome = DP_PDQ_pdq_matched;
	else if (allowed)
		*ret_outcome = DP_PDQ_pdq_allowlisted;
	else if (!accepting && l && l->algo_mask & (1u << HWALL_ALGO_PDQ))
		*ret_outcome = DP_PDQ_pdq_low_quality;
	else
		*ret_outcome = DP_PDQ_pdq_no_match;
	return n;
}
