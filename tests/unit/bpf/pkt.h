/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pkt.h - builds the packets the bpf tests and benchmarks feed to
 * bpf_prog_test_run_opts: Ethernet (optional VLAN tag), IPv4 (optional
 * options, fragment bits) or IPv6, TCP or UDP, with correct lengths and
 * checksums; and an independent Internet checksum to verify what the
 * programs build.  Addresses are fixed documentation/ULA ones.
 */
#ifndef HASHWALL_TESTS_BPF_PKT_H
#define HASHWALL_TESTS_BPF_PKT_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#define PKT_CLIENT_PORT 40000
#define PKT_SERVER_PORT 80

static const uint8_t pkt_client_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t pkt_server_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t pkt_client6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t pkt_server6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
#define PKT_CLIENT4 0x0a000001u /* 10.0.0.1 */
#define PKT_SERVER4 0x0a000002u /* 10.0.0.2 */

struct pkt_spec {
	int family;          /* 4 or 6 */
	uint16_t vlan;       /* 0: untagged */
	int ip_opt_len;      /* IPv4 option bytes, multiple of 4 */
	uint16_t frag;       /* IPv4 frag_off field, host order */
	uint8_t proto;       /* 0 means TCP */
	uint32_t seq, ack;
	uint8_t tcp_flags;   /* 0 means ACK|PSH */
	int tcp_opt_len;     /* TCP option bytes (NOPs), multiple of 4 */
	const void *payload;
	size_t len;
};

/* Ones' complement sum of @n bytes (network order words). */
static inline uint32_t pkt_sum(const void *p, size_t n, uint32_t s)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

static inline uint16_t pkt_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Checksum of a TCP/UDP segment @l4 of @len bytes over the pseudo header
 * of the IP header @ip (version 4 or 6).  0 when a filled-in checksum is
 * correct. */
static inline uint16_t pkt_l4_csum(const uint8_t *ip, const uint8_t *l4, size_t len, uint8_t proto)
{
	uint32_t s = proto + (uint32_t)len;

	if ((ip[0] >> 4) == 4)
		s = pkt_sum(ip + 12, 8, s);
	else
		s = pkt_sum(ip + 8, 32, s);
	return pkt_fold(pkt_sum(l4, len, s));
}

/* Build the client-to-server packet of @s into @buf; returns its length. */
static inline size_t pkt_build(uint8_t *buf, const struct pkt_spec *s)
{
	uint8_t proto = s->proto ? s->proto : IPPROTO_TCP;
	size_t off = 0, l3, l4, l4len;
	struct ethhdr *eth = (struct ethhdr *)buf;

	memcpy(eth->h_dest, pkt_server_mac, 6);
	memcpy(eth->h_source, pkt_client_mac, 6);
	off = sizeof(*eth);
	if (s->vlan) {
		eth->h_proto = htons(ETH_P_8021Q);
		buf[off] = (uint8_t)(s->vlan >> 8);
		buf[off + 1] = (uint8_t)s->vlan;
		off += 4;
	}
	*(uint16_t *)(buf + off - 2) = htons(s->family == 6 ? ETH_P_IPV6 : ETH_P_IP);
	l3 = off;
	l4 = l3 + (s->family == 6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr) + (size_t)s->ip_opt_len);
	l4len = (proto == IPPROTO_TCP ? sizeof(struct tcphdr) + (size_t)s->tcp_opt_len
				      : sizeof(struct udphdr)) + s->len;
	memset(buf + l3, 0, l4 - l3);
	if (s->family == 6) {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)(buf + l3);

		ip6->version = 6;
		ip6->payload_len = htons((uint16_t)l4len);
		ip6->nexthdr = proto;
		ip6->hop_limit = 64;
		memcpy(&ip6->saddr, pkt_client6, 16);
		memcpy(&ip6->daddr, pkt_server6, 16);
	} else {
		struct iphdr *ip = (struct iphdr *)(buf + l3);

		ip->version = 4;
		ip->ihl = (uint8_t)(5 + s->ip_opt_len / 4);
		ip->tot_len = htons((uint16_t)(l4 - l3 + l4len));
		ip->id = htons(0x1234);
		ip->frag_off = htons(s->frag);
		ip->ttl = 64;
		ip->protocol = proto;
		ip->saddr = htonl(PKT_CLIENT4);
		ip->daddr = htonl(PKT_SERVER4);
		memset(buf + l3 + sizeof(*ip), 1 /* NOP */, (size_t)s->ip_opt_len);
		ip->check = htons(pkt_fold(pkt_sum(ip, l4 - l3, 0)));
	}
	memset(buf + l4, 0, l4len - s->len);
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = (struct tcphdr *)(buf + l4);

		tcp->source = htons(PKT_CLIENT_PORT);
		tcp->dest = htons(PKT_SERVER_PORT);
		tcp->seq = htonl(s->seq);
		tcp->ack_seq = htonl(s->ack);
		tcp->doff = (uint16_t)(5 + s->tcp_opt_len / 4);
		buf[l4 + 13] = s->tcp_flags ? s->tcp_flags : 0x18;
		tcp->window = htons(502);
		memset(buf + l4 + sizeof(*tcp), 1, (size_t)s->tcp_opt_len);
		if (s->len)
			memcpy(buf + l4 + sizeof(*tcp) + s->tcp_opt_len, s->payload, s->len);
		tcp->check = htons(pkt_l4_csum(buf + l3, buf + l4, l4len, proto));
	} else {
		struct udphdr *udp = (struct udphdr *)(buf + l4);

		udp->source = htons(PKT_CLIENT_PORT);
		udp->dest = htons(53);
		udp->len = htons((uint16_t)l4len);
		memcpy(buf + l4 + sizeof(*udp), s->payload, s->len);
	}
	return l4 + l4len;
}

#endif
