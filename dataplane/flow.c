/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flow.c - bounded flow table with LRU eviction (see flow.h).
 */
#include "dataplane/flow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <xxhash.h>

int dp_flow_table_init(struct dp_flow_table *t, uint32_t cap, uint64_t idle_ns,
		       dp_flow_remove_fn fn, void *fn_ctx, struct dp_counters *ctr)
{
	uint32_t nb = 1;

	memset(t, 0, sizeof(*t));
	if (cap == 0 || cap > (1u << 30))
		return -EINVAL;
	while (nb < cap)
		nb <<= 1;
	t->flows = calloc(cap, sizeof(*t->flows));
	t->buckets = malloc(nb * sizeof(*t->buckets));
	if (!t->flows || !t->buckets) {
		dp_flow_table_fini(t);
		return -ENOMEM;
	}
	memset(t->buckets, 0xff, nb * sizeof(*t->buckets));
	for (uint32_t i = 0; i < cap; i++)
		t->flows[i].hnext = i + 1 < cap ? i + 1 : DP_FLOW_NONE;
	t->cap = cap;
	t->bucket_mask = nb - 1;
	/* Clients choose their addresses and ports: with a known hash they
	 * could pile connections into one bucket and make every lookup walk
	 * a long chain.  A secret seed per table makes the buckets
	 * unpredictable (what is iterated, LRU order, does not depend on it). */
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uintptr_t)t->flows;
	t->free_head = 0;
	t->lru_head = t->lru_tail = DP_FLOW_NONE;
	t->idle_ns = idle_ns;
	t->remove_fn = fn;
	t->remove_ctx = fn_ctx;
	t->ctr = ctr;
	return 0;
}

void dp_flow_table_fini(struct dp_flow_table *t)
{
	free(t->flows);
	free(t->buckets);
	t->flows = NULL;
	t->buckets = NULL;
}

void dp_flow_key_of(const struct dp_pkt *pkt, struct dp_flow_key *ret_key)
{
	memset(ret_key, 0, sizeof(*ret_key));
	if (pkt->to_server) {
		memcpy(ret_key->server, pkt->dst, 16);
		memcpy(ret_key->client, pkt->src, 16);
		ret_key->server_port = pkt->dport;
		ret_key->client_port = pkt->sport;
	} else {
		memcpy(ret_key->server, pkt->src, 16);
		memcpy(ret_key->client, pkt->dst, 16);
		ret_key->server_port = pkt->sport;
		ret_key->client_port = pkt->dport;
	}
}

static uint32_t bucket_of(const struct dp_flow_table *t, const struct dp_flow_key *key)
{
	return (uint32_t)XXH3_64bits_withSeed(key, sizeof(*key), t->seed) & t->bucket_mask;
}

struct dp_flow *dp_flow_lookup(struct dp_flow_table *t, const struct dp_flow_key *key)
{
	for (uint32_t i = t->buckets[bucket_of(t, key)]; i != DP_FLOW_NONE; i = t->flows[i].hnext)
		if (memcmp(&t->flows[i].key, key, sizeof(*key)) == 0)
			return &t->flows[i];
	return NULL;
}

static void lru_unlink(struct dp_flow_table *t, struct dp_flow *f)
{
	if (f->lru_prev != DP_FLOW_NONE)
		t->flows[f->lru_prev].lru_next = f->lru_next;
	else
		t->lru_head = f->lru_next;
	if (f->lru_next != DP_FLOW_NONE)
		t->flows[f->lru_next].lru_prev = f->lru_prev;
	else
		t->lru_tail = f->lru_prev;
}

static void lru_append(struct dp_flow_table *t, struct dp_flow *f)
{
	uint32_t idx = (uint32_t)(f - t->flows);

	f->lru_prev = t->lru_tail;
	f->lru_next = DP_FLOW_NONE;
	if (t->lru_tail != DP_FLOW_NONE)
		t->flows[t->lru_tail].lru_next = idx;
	else
		t->lru_head = idx;
	t->lru_tail = idx;
}

void dp_flow_touch(struct dp_flow_table *t, struct dp_flow *f, uint64_t now)
{
	f->last_seen = now;
	if (t->lru_tail == (uint32_t)(f - t->flows))
		return;
	lru_unlink(t, f);
	lru_append(t, f);
}

void dp_flow_remove(struct dp_flow_table *t, struct dp_flow *f, enum dp_flow_end why)
{
	uint32_t idx = (uint32_t)(f - t->flows);
	uint32_t *pp = &t->buckets[bucket_of(t, &f->key)];

	if (t->remove_fn)
		t->remove_fn(t->remove_ctx, f, why);
	while (*pp != idx)
		pp = &t->flows[*pp].hnext;
	*pp = f->hnext;
	lru_unlink(t, f);
	memset(f, 0, sizeof(*f));
	f->hnext = t->free_head;
	t->free_head = idx;
	t->count--;
}

struct dp_flow *dp_flow_add(struct dp_flow_table *t, const struct dp_flow_key *key, uint64_t now)
{
	uint32_t idx, b;
	struct dp_flow *f;

	if (t->free_head == DP_FLOW_NONE) {
		t->ctr->info[DP_INFO_flows_evicted]++;
		dp_flow_remove(t, &t->flows[t->lru_head], DP_FLOW_END_EVICTED);
	}
	idx = t->free_head;
	f = &t->flows[idx];
	t->free_head = f->hnext;
	memset(f, 0, sizeof(*f));
	f->key = *key;
	f->in_use = true;
	f->last_seen = now;
	b = bucket_of(t, key);
	f->hnext = t->buckets[b];
	t->buckets[b] = idx;
	lru_append(t, f);
	t->count++;
	t->ctr->info[DP_INFO_flows_created]++;
	return f;
}

uint32_t dp_flow_expire(struct dp_flow_table *t, uint64_t now, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && t->lru_head != DP_FLOW_NONE) {
		struct dp_flow *f = &t->flows[t->lru_head];
		if (now - f->last_seen <= t->idle_ns || now < f->last_seen)
			break;
		t->ctr->info[DP_INFO_flows_timed_out]++;
		dp_flow_remove(t, f, DP_FLOW_END_TIMEOUT);
		n++;
	}
	return n;
}

void dp_flow_flush(struct dp_flow_table *t, enum dp_flow_end why)
{
	while (t->lru_head != DP_FLOW_NONE)
		dp_flow_remove(t, &t->flows[t->lru_head], why);
}
