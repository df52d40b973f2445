/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * verdict.c - set list and lookups (see verdict.h).
 */
#include "dataplane/verdict.h"

#include <errno.h>
#include <stdlib.h>

#include "common/errors.h"

int dp_setlist_open(const char *const *paths, unsigned int n, struct dp_setlist **ret_list,
		    struct hwall_err *err)
{
	struct dp_setlist *l;
	int r;

	if (n > DP_SETS_MAX)
		return hwall_err_set(err, -E2BIG, "at most %d sets", DP_SETS_MAX);
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		struct dp_set_ref *s = &l->sets[i];

		r = hws_open(paths[i], &s->set, err);
		if (r < 0) {
			hwall_err_prefix(err, r, "%s: ", paths[i]);
			goto out_free;
		}
		l->n++;
		hws_info(s->set, &s->info);
	}
	dp_setlist_compute_mask(l);
	*ret_list = l;
	return 0;
out_free:
	dp_setlist_free(l);
	return r;
}

void dp_setlist_compute_mask(struct dp_setlist *l)
{
	l->algo_mask = 0;
	for (unsigned int i = 0; i < l->n; i++)
		for (int a = 0; a < HWALL_ALGO_COUNT; a++)
			if (l->sets[i].info.counts[a])
				l->algo_mask |= 1u << a;
}

void dp_setlist_free(struct dp_setlist *l)
{
	if (!l)
		return;
	for (unsigned int i = 0; i < l->n; i++)
		hws_close(l->sets[i].set);
	dp_allowlist_free(l->allow);
	free(l);
}

unsigned int dp_verdict_count(const struct dp_setlist *l, const struct dp_digests *d,
			      struct dp_match *out, unsigned int max, struct dp_counters *ctr)
{
	unsigned int n = 0;

	if (!l)
		return 0;
	for (unsigned int i = 0; i < l->n; i++) {
		for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
			struct hws_hit hit;

			if (!(d->mask & (1u << a)) || !l->sets[i].info.counts[a] ||
			    !hws_lookup(l->sets[i].set, (enum hwall_algo)a, d->bytes[a], &hit))
				continue;
			/* Only a hit pays for the allowlist lookup; an entry
			 * for another set leaves this set's hit a match. */
			if (dp_allowlist_contains(l->allow, (enum hwall_algo)a, d->bytes[a],
						  l->sets[i].info.id)) {
				if (ctr)
					ctr->drop[DP_DROP_allowlisted]++;
				continue;
			}
			if (n < max)
				out[n] = (struct dp_match){ &l->sets[i], (enum hwall_algo)a, hit.category,
							    hit.ref };
			n++;
		}
	}
	return n;
}
