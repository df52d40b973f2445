// SPDX-License-Identifier: GPL-2.0-only
/*
 * tc_enforce.bpf.c - TC (clsact) programs on the serving interface:
 *  - bpfw_tc_egress drops the packets of blocked flows (bpfw_flows, 5-tuple as
 *    the packets leave: src = server), so a transfer in progress stops,
 *    then mirrors what it lets through;
 *  - bpfw_tc_ingress mirrors.
 * The software mirror clones TCP packets whose source or destination port
 * is one of bpfw_mirror's ports to the mirror interface (bpf_clone_redirect,
 * egress of that interface), for the dataplane to read with
 * net_af_packet.  It is off until the loader enables it.
 * Both return TC_ACT_UNSPEC for packets they let through, so other filters
 * on the same hook still see them.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bpfw_shared.h"
#include "maps.bpf.h"
#include "parse.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Headers we need in the linear part of the skb. */
#define TC_PULL_LEN 128

static __always_inline int parse_skb(struct __sk_buff *skb, struct l4 *l)
{
	__u32 lin = skb->data_end - skb->data;

	if (lin < TC_PULL_LEN && skb->len > lin)
		bpf_skb_pull_data(skb, skb->len < TC_PULL_LEN ? skb->len : TC_PULL_LEN);
	return parse_to_tcp((void *)(long)skb->data, (void *)(long)skb->data_end, l);
}

static __always_inline void mapped4(__u8 *dst, __be32 a)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &a, 4);
}

static __always_inline void flow_key(const struct l4 *l, struct bpfw_flow_key *k)
{
	if (l->ip4) {
		mapped4(k->saddr, l->ip4->saddr);
		mapped4(k->daddr, l->ip4->daddr);
	} else if (l->ip6) {
		__builtin_memcpy(k->saddr, &l->ip6->saddr, 16);
		__builtin_memcpy(k->daddr, &l->ip6->daddr, 16);
	}
	k->sport = l->tcp->source;
	k->dport = l->tcp->dest;
	k->proto = IPPROTO_TCP;
}

/* Clone @skb to the mirror interface when the mirror is on and one of the
 * segment's ports is a mirrored one. */
static __always_inline void mirror(struct __sk_buff *skb, const struct l4 *l)
{
	__u32 zero = 0;
	struct bpfw_mirror_cfg *m = bpf_map_lookup_elem(&bpfw_mirror, &zero);
	__u16 sp, dp;
	int hit = 0;

	if (!m || !m->enabled)
		return;
	sp = bpf_ntohs(l->tcp->source);
	dp = bpf_ntohs(l->tcp->dest);
#pragma unroll
	for (int i = 0; i < BPFW_MIRROR_PORTS; i++)
		hit |= m->ports[i] && (m->ports[i] == sp || m->ports[i] == dp);
	if (!hit)
		return;
	count(bpf_clone_redirect(skb, m->ifindex, 0) ? BPFW_R_MIRROR_FAILED : BPFW_R_MIRROR_CLONED);
}

SEC("tc")
int bpfw_tc_egress(struct __sk_buff *skb)
{
	struct bpfw_flow_key k = {};
	struct bpfw_flow_val *v;
	struct l4 l = {};

	if (parse_skb(skb, &l) != PARSE_OK)
		return TC_ACT_UNSPEC;
	flow_key(&l, &k);
	v = bpf_map_lookup_elem(&bpfw_flows, &k);
	if (v) {
		if (!expired(v->expires_ns)) {
			__sync_fetch_and_add(&v->drops, 1);
			count(BPFW_R_FLOW_DROPPED);
			return TC_ACT_SHOT;
		}
		count(BPFW_R_FLOW_EXPIRED);
	}
	mirror(skb, &l);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int bpfw_tc_ingress(struct __sk_buff *skb)
{
	struct l4 l = {};

	if (parse_skb(skb, &l) == PARSE_OK)
		mirror(skb, &l);
	return TC_ACT_UNSPEC;
}
