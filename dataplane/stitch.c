/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stitch.c - 206 ranges stitched into a whole-object digest (stitch.h).
 */
#include "dataplane/stitch.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "dataplane/http.h"

uint64_t dp_stitch_key(const char *host, const char *path, const char *validator)
{
	/* Each part seeds the next: the NULs keep "a"+"bc" from "ab"+"c". */
	uint64_t k = XXH3_64bits(host, strlen(host) + 1);

	k = XXH3_64bits_withSeed(path, strlen(path) + 1, k);
	return XXH3_64bits_withSeed(validator, strlen(validator) + 1, k);
}

/* Start @e over at byte 0 of @key, @total. */
static struct dp_stitch_ent *restart(struct dp_stitch *s, struct dp_stitch_ent *e, uint64_t key,
				     uint64_t total)
{
	if (!e->dg && !(e->dg = dp_digest_new()))
		return NULL;
	if (dp_digest_start(e->dg, s->algo_mask) < 0)
		return NULL;
	e->key = key;
	e->total = total;
	e->next = 0;
	e->used = true;
	return e;
}

/* A free entry, else the one idle longest that no range feeds. */
static struct dp_stitch_ent *room(struct dp_stitch *s)
{
	struct dp_stitch_ent *old = NULL;

	for (unsigned int i = 0; i < DP_STITCH_MAX; i++) {
		struct dp_stitch_ent *e = &s->ents[i];
		if (!e->used)
			return e;
		if (!e->busy && (!old || e->last_ns < old->last_ns))
			old = e;
	}
	if (old)
		s->ctr->info[DP_INFO_stitch_evicted]++;
	return old;
}

struct dp_stitch_ent *dp_stitch_claim(struct dp_stitch *s, uint64_t key, const struct dp_range *r,
				      uint64_t now, uint64_t *ret_skip)
{
	struct dp_stitch_ent *e = NULL;

	if (!s->ents && !(s->ents = calloc(DP_STITCH_MAX, sizeof(*s->ents))))
		return NULL;
	for (unsigned int i = 0; i < DP_STITCH_MAX && !e; i++)
		if (s->ents[i].used && s->ents[i].key == key && s->ents[i].total == r->total)
			e = &s->ents[i];
	if (e && !e->busy && now - e->last_ns > DP_STITCH_IDLE_NS) {
		s->ctr->info[DP_INFO_stitch_evicted]++;
		e->used = false;
	}
	if (e && e->busy)
		return NULL;
	if (e && e->used && r->start <= e->next && r->end >= e->next) {
		*ret_skip = e->next - r->start;
	} else if (r->start == 0) {
		e = e ? e : room(s);
		if (!e || !restart(s, e, key, r->total))
			return NULL;
		*ret_skip = 0;
	} else {
		return NULL;
	}
	e->busy = true;
	e->last_ns = now;
	return e;
}

void dp_stitch_feed(struct dp_stitch_ent *e, const uint8_t *p, uint32_t len, uint64_t *skip)
{
	uint32_t n = *skip < len ? (uint32_t)*skip : len;

	*skip -= n;
	if (len > n)
		dp_digest_update(e->dg, p + n, len - n);
}

bool dp_stitch_done(struct dp_stitch *s, struct dp_stitch_ent *e, bool complete, uint64_t end,
		    struct dp_digests *ret)
{
	e->busy = false;
	if (!complete) {
		s->ctr->info[DP_INFO_stitch_broken]++;
		e->used = false;
		return false;
	}
	if (end + 1 > e->next)
		e->next = end + 1;
	if (e->next < e->total)
		return false;
	dp_digest_finish(e->dg, ret);
	e->used = false;
	s->ctr->info[DP_INFO_objects_stitched]++;
	return true;
}

void dp_stitch_fini(struct dp_stitch *s)
{
	for (unsigned int i = 0; s->ents && i < DP_STITCH_MAX; i++)
		dp_digest_free(s->ents[i].dg);
	free(s->ents);
	s->ents = NULL;
}
