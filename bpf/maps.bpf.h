/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * maps.bpf.h - the maps both BPF objects declare.  Each object has its own
 * copy of the declarations; the loader (bpfw.c) pins them under
 * <pin root>/maps/ and makes every object reuse the pinned ones, so the XDP
 * and TC programs share one set of blocks and counters.
 */
#ifndef HASHWALL_BPF_MAPS_BPF_H
#define HASHWALL_BPF_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpfw_shared.h"

/* Blocked URLs: URL key -> expiry.  Not LRU: a block is never evicted
 * silently; expired entries are removed by the loader (bpfw_gc). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, BPFW_URLS_DEFAULT);
	__type(key, __u64);
	__type(value, struct bpfw_url_val);
} bpfw_urls SEC(".maps");

/* Blocked flows: LRU, the oldest flow entries give way when full. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BPFW_FLOWS_DEFAULT);
	__type(key, struct bpfw_flow_key);
	__type(value, struct bpfw_flow_val);
} bpfw_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BPFW_REASON_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} bpfw_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfw_mirror_cfg);
} bpfw_mirror SEC(".maps");

static __always_inline void count(__u32 reason)
{
	__u64 *v = bpf_map_lookup_elem(&bpfw_counters, &reason);

	if (v)
		*v += 1;
}

/* Whether an entry that expires at @expires_ns has lapsed. */
static __always_inline int expired(__u64 expires_ns)
{
	return bpf_ktime_get_ns() >= expires_ns;
}

#endif
