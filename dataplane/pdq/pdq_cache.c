/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_cache.c - PDQ results by xxh3-128 (see pdq_cache.h).
 */
#include "dataplane/pdq/pdq_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 4

struct dp_pdq_cache_ent {
	uint8_t key[DP_PDQ_CACHE_KEY];
	uint64_t used; /* c->tick when stored or last hit; 0: empty */
	struct dp_pdq_cache_val val;
};

int dp_pdq_cache_init(struct dp_pdq_cache *c, uint32_t entries)
{
	uint32_t b = 1;

	memset(c, 0, sizeof(*c));
	if (entries == 0)
		return 0;
	while ((uint64_t)b * WAYS < entries)
		b *= 2;
	c->ents = calloc((size_t)b * WAYS, sizeof(*c->ents));
	if (!c->ents)
		return -ENOMEM;
	c->buckets = b;
	return 0;
}

void dp_pdq_cache_fini(struct dp_pdq_cache *c)
{
	free(c->ents);
	memset(c, 0, sizeof(*c));
}

static struct dp_pdq_cache_ent *bucket(struct dp_pdq_cache *c, const uint8_t *key)
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return &c->ents[(size_t)(h & (c->buckets - 1)) * WAYS];
}

bool dp_pdq_cache_get(struct dp_pdq_cache *c, const uint8_t key[DP_PDQ_CACHE_KEY],
		      struct dp_pdq_cache_val *ret)
{
	struct dp_pdq_cache_ent *e;

	if (!c->ents)
		return false;
	e = bucket(c, key);
	for (int i = 0; i < WAYS; i++) {
		if (e[i].used && memcmp(e[i].key, key, DP_PDQ_CACHE_KEY) == 0) {
			e[i].used = ++c->tick;
			*ret = e[i].val;
			return true;
		}
	}
	return false;
}

void dp_pdq_cache_put(struct dp_pdq_cache *c, const uint8_t key[DP_PDQ_CACHE_KEY],
		      const struct dp_pdq_cache_val *val)
{
	struct dp_pdq_cache_ent *e, *victim;

	if (!c->ents)
		return;
	e = bucket(c, key);
	victim = &e[0];
	for (int i = 0; i < WAYS; i++) {
		if (e[i].used && memcmp(e[i].key, key, DP_PDQ_CACHE_KEY) == 0) {
			victim = &e[i];
			break;
		}
		if (e[i].used < victim->used)
			victim = &e[i];
	}
	memcpy(victim->key, key, DP_PDQ_CACHE_KEY);
	victim->val = *val;
	victim->used = ++c->tick;
}
