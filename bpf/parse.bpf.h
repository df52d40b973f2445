/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parse.bpf.h - bounds-checked cursor over packet data, shared by the XDP
 * and TC programs: Ethernet (up to BPFW_VLAN_MAX VLAN tags), IPv4 and IPv6
 * (skipping up to BPFW_IPV6_EXT_MAX extension headers) down to TCP.
 * Modelled on xdp-tools' headers/xdp/parsing_helpers.h: every header is
 * checked against data_end before it is read.
 */
#ifndef HASHWALL_BPF_PARSE_BPF_H
#define HASHWALL_BPF_PARSE_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bpfw_shared.h"

struct vlan_hdr_hw {
	__be16 tci;
	__be16 proto;
};

struct cursor {
	void *pos;
	void *end;
};

/* Result of parsing down to TCP. */
struct l4 {
	struct ethhdr *eth;
	struct iphdr *ip4;     /* one of ip4 / ip6 is set */
	struct ipv6hdr *ip6;
	struct tcphdr *tcp;
	__u8 *payload;
	__u32 payload_len;
	__u8 simple_l3;        /* no IPv4 options, no IPv6 extension headers */
};

/* Outcomes of parse_to_tcp(): 0 for TCP, otherwise a counter reason. */
#define PARSE_OK 0

static __always_inline int parse_eth(struct cursor *c, struct l4 *l, __u16 *proto)
{
	struct ethhdr *eth = c->pos;

	if ((void *)(eth + 1) > c->end)
		return -1;
	l->eth = eth;
	c->pos = eth + 1;
	*proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < BPFW_VLAN_MAX; i++) {
		struct vlan_hdr_hw *vh = c->pos;

		if (*proto != bpf_htons(ETH_P_8021Q) && *proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > c->end)
			return -1;
		*proto = vh->proto;
		c->pos = vh + 1;
	}
	return 0;
}

/* IPv4: returns 0 with *l4proto set, or a reason (+1 encoded by caller). */
static __always_inline int parse_ip4(struct cursor *c, struct l4 *l, __u8 *l4proto,
				     __u32 *l3_payload)
{
	struct iphdr *ip = c->pos;
	__u32 hl, tot;

	if ((void *)(ip + 1) > c->end)
		return BPFW_R_TRUNCATED;
	hl = ip->ihl * 4;
	tot = bpf_ntohs(ip->tot_len);
	if (ip->version != 4 || hl < sizeof(*ip) || tot < hl)
		return BPFW_R_TRUNCATED;
	if (c->pos + hl > c->end)
		return BPFW_R_TRUNCATED;
	if (ip->frag_off & bpf_htons(0x3fff))
		return BPFW_R_IP_FRAGMENT;
	l->ip4 = ip;
	l->simple_l3 = hl == sizeof(*ip);
	*l4proto = ip->protocol;
	*l3_payload = tot - hl;
	c->pos += hl;
	return 0;
}

static __always_inline int parse_ip6(struct cursor *c, struct l4 *l, __u8 *l4proto,
				     __u32 *l3_payload)
{
	struct ipv6hdr *ip6 = c->pos;
	__u32 plen, ext = 0;
	__u8 nh;

	if ((void *)(ip6 + 1) > c->end)
		return BPFW_R_TRUNCATED;
	if (ip6->version != 6)
		return BPFW_R_TRUNCATED;
	l->ip6 = ip6;
	nh = ip6->nexthdr;
	plen = bpf_ntohs(ip6->payload_len);
	c->pos = ip6 + 1;
#pragma unroll
	for (int i = 0; i < BPFW_IPV6_EXT_MAX; i++) {
		__u8 *eh = c->pos;
		__u32 len;

		if (nh == IPPROTO_FRAGMENT)
			return BPFW_R_IP_FRAGMENT;
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING && nh != IPPROTO_DSTOPTS)
			break;
		if ((void *)(eh + 2) > c->end)
			return BPFW_R_TRUNCATED;
		len = ((__u32)eh[1] + 1) * 8;
		nh = eh[0];
		ext += len;
		c->pos = eh + len;
	}
	if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS)
		return BPFW_R_IPV6_EXT_LIMIT;
	if (plen < ext)
		return BPFW_R_TRUNCATED;
	l->simple_l3 = ext == 0;
	*l4proto = nh;
	*l3_payload = plen - ext;
	return 0;
}

/*
 * Parse from the Ethernet header to the TCP payload.  Returns PARSE_OK, or
 * a counter reason (BPFW_R_*) + 1 for why the packet is not TCP we can read.
 * The payload length comes from the IP length, so Ethernet padding is not
 * mistaken for payload.
 */
static __always_inline int parse_to_tcp(void *data, void *data_end, struct l4 *l)
{
	struct cursor c = { .pos = data, .end = data_end };
	__u32 l3_payload = 0, thl;
	__u16 proto;
	__u8 l4proto = 0;
	struct tcphdr *tcp;
	int r;

	if (parse_eth(&c, l, &proto) < 0)
		return BPFW_R_TRUNCATED + 1;
	if (proto == bpf_htons(ETH_P_IP))
		r = parse_ip4(&c, l, &l4proto, &l3_payload);
	else if (proto == bpf_htons(ETH_P_IPV6))
		r = parse_ip6(&c, l, &l4proto, &l3_payload);
	else
		return BPFW_R_NOT_IP + 1;
	if (r)
		return r + 1;
	if (l4proto != IPPROTO_TCP)
		return BPFW_R_NOT_TCP + 1;
	tcp = c.pos;
	if ((void *)(tcp + 1) > c.end)
		return BPFW_R_TRUNCATED + 1;
	thl = tcp->doff * 4;
	if (thl < sizeof(*tcp) || thl > l3_payload || c.pos + thl > c.end)
		return BPFW_R_TRUNCATED + 1;
	l->tcp = tcp;
	l->payload = c.pos + thl;
	l->payload_len = l3_payload - thl;
	return PARSE_OK;
}

#endif
