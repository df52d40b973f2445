// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdp_block.bpf.c - XDP program on the serving interface's ingress: finds
 * HTTP requests, computes their URL keys (bpfw_shared.h) and, when a key is
 * in bpfw_urls and has not expired, answers the client with a TCP RST built
 * in place (XDP_TX) so the request never reaches the server.  Everything
 * else passes untouched; every packet increments one counter.
 *
 * The RST carries seq = the request's ack (the server's next sequence
 * number, which the client expects) and acknowledges the request, so the
 * client's stack accepts it at once (RFC 793 3.4, RFC 5961 3.2).  The
 * server never sees the request: its half of the connection stays idle
 * until its own idle timeout, and its next segment is answered with a RST
 * by the client's stack, which no longer knows the connection.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bpfw_shared.h"
#include "http_scan.bpf.h"
#include "maps.bpf.h"
#include "parse.bpf.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline __u16 csum_fold(__u64 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

static __always_inline __u64 csum_words(const __u16 *w, int n, __u64 s)
{
#pragma unroll
	for (int i = 0; i < n; i++)
		s += w[i];
	return s;
}

static __always_inline void swap_bytes(__u8 *a, __u8 *b, int n)
{
#pragma unroll
	for (int i = 0; i < n; i++) {
		__u8 t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

/* Turn the TCP header at @tcp into a bare RST|ACK answering a segment that
 * had sequence @seq, acknowledgement @ack and @len bytes of payload. */
static __always_inline void tcp_make_rst(struct tcphdr *tcp, __u32 seq, __u32 ack, __u32 len)
{
	__u16 port = tcp->source;

	tcp->source = tcp->dest;
	tcp->dest = port;
	tcp->seq = bpf_htonl(ack);
	tcp->ack_seq = bpf_htonl(seq + len);
	((__u8 *)tcp)[13] = 0x14; /* RST|ACK */
	tcp->window = 0;
	tcp->check = 0;
	tcp->urg_ptr = 0;
}

/*
 * Answer the blocked request in @ctx with a RST.  Only for the simple
 * layouts (no IPv4 options, no IPv6 extension headers); others are dropped.
 */
static __always_inline int answer_rst(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct l4 l = {};
	__u32 seq, ack, len, keep;
	__u64 s;

	if (parse_to_tcp(data, end, &l) != PARSE_OK || !l.simple_l3 || !l.tcp->ack ||
	    l.tcp->syn || l.tcp->rst)
		goto drop;
	seq = bpf_ntohl(l.tcp->seq);
	ack = bpf_ntohl(l.tcp->ack_seq);
	len = l.payload_len + l.tcp->fin;
	keep = (void *)l.tcp - data + sizeof(struct tcphdr);
	/* doff = 5 before cutting the options off, so the second parse of
	 * the shortened packet finds a whole TCP header */
	((__u8 *)l.tcp)[12] = 5 << 4;
	if (bpf_xdp_adjust_tail(ctx, (int)keep - (int)(end - data)))
		goto drop;

	/* The helper invalidated every packet pointer: parse again. */
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	__builtin_memset(&l, 0, sizeof(l));
	if (parse_to_tcp(data, end, &l) != PARSE_OK)
		goto drop;
	swap_bytes(l.eth->h_dest, l.eth->h_source, ETH_ALEN);
	tcp_make_rst(l.tcp, seq, ack, len);
	if (l.ip4) {
		struct iphdr *ip = l.ip4;

		swap_bytes((__u8 *)&ip->saddr, (__u8 *)&ip->daddr, 4);
		ip->tot_len = bpf_htons(sizeof(*ip) + sizeof(struct tcphdr));
		ip->id = 0;
		ip->frag_off = bpf_htons(0x4000); /* DF */
		ip->ttl = 64;
		ip->check = 0;
		ip->check = csum_fold(csum_words((__u16 *)ip, 10, 0));
		s = csum_words((__u16 *)&ip->saddr, 4,
			       bpf_htons(IPPROTO_TCP) + bpf_htons(sizeof(struct tcphdr)));
	} else if (l.ip6) {
		struct ipv6hdr *ip6 = l.ip6;

		swap_bytes((__u8 *)&ip6->saddr, (__u8 *)&ip6->daddr, 16);
		ip6->payload_len = bpf_htons(sizeof(struct tcphdr));
		ip6->hop_limit = 64;
		s = csum_words((__u16 *)&ip6->saddr, 16,
			       bpf_htons(IPPROTO_TCP) + bpf_htons(sizeof(struct tcphdr)));
	} else {
		goto drop;
	}
	l.tcp->check = csum_fold(csum_words((__u16 *)l.tcp, 10, s));
	count(BPFW_R_URL_RST);
	return XDP_TX;
drop:
	count(BPFW_R_URL_DROPPED);
	return XDP_DROP;
}

/* Host with an optional "userinfo@" prefix, which is not part of it. */
static __always_inline int scan_authority(struct xdp_md *ctx, struct req *q, int off)
{
	int r = bpfw_scan_host(ctx, q, off);

	if (r >= 0 && (q->flags & REQ_USERINFO))
		r = bpfw_scan_host(ctx, q, r);
	return r;
}

/* Scan the request starting at payload offset @off; fills q's hashes.
 * Returns 0 or SCAN_FAIL(reason). */
static __always_inline int scan_request(struct xdp_md *ctx, struct req *q, __u32 off)
{
	int r, c = rd(ctx, q, off);

	/* most non-HTTP payloads (TLS, binary) end here, without a call */
	if (c < 'A' || c > 'Z')
		return SCAN_FAIL(BPFW_R_NOT_REQUEST);
	r = scan_method(ctx, q, off);
	if (r < 0)
		return r;
	c = rd(ctx, q, r);
	if (c == '/') {
		r = bpfw_scan_path(ctx, q, r);
	} else if ((c | 0x20) == 'h' && (rd(ctx, q, r + 1) | 0x20) == 't' &&
		   (rd(ctx, q, r + 2) | 0x20) == 't' && (rd(ctx, q, r + 3) | 0x20) == 'p' &&
		   rd(ctx, q, r + 4) == ':' && rd(ctx, q, r + 5) == '/' &&
		   rd(ctx, q, r + 6) == '/') {
		/* absolute-form: the target's authority wins over Host
		 * (RFC 9112 3.2.2), so the headers are not needed. */
		r = scan_authority(ctx, q, r + 7);
		if (r < 0)
			return r;
		q->flags |= REQ_HOST_DONE;
		r = bpfw_scan_path(ctx, q, r);
		if (r >= 0 && !(q->flags & REQ_TAIL))
			r = bpfw_scan_query(ctx, q, r);
		return r < 0 ? r : 0;
	} else {
		/* "*" (OPTIONS) and authority-form (CONNECT) name no object */
		return SCAN_FAIL(c < 0 ? BPFW_R_HTTP_INCOMPLETE : BPFW_R_NOT_REQUEST);
	}
	if (r >= 0 && !(q->flags & REQ_TAIL))
		r = bpfw_scan_query(ctx, q, r); /* the path ended at '?' */
	if (r < 0)
		return r;
	r = find_host(ctx, q, r);
	if (r < 0)
		return r;
	if (r == 0) {
		q->h_host = BPFW_H_SEED; /* no Host: empty host */
		return 0;
	}
	if (q->flags & REQ_HOST_DONE)
		return 0; /* hashed with the request line's tail */
	r = skip_ows(ctx, q, r); /* more optional whitespace */
	if (r < 0)
		return r;
	r = scan_authority(ctx, q, r);
	return r < 0 ? r : 0;
}

/* Look the request's keys up: the path key first (blocks every query),
 * then the exact key when the target has a query. */
static __always_inline struct bpfw_url_val *lookup_url(const struct req *q)
{
	struct bpfw_url_val *v;
	__u64 key = bpfw_url_key_finish(q->h_path, q->h_host);

	v = bpf_map_lookup_elem(&bpfw_urls, &key);
	if (v || !(q->flags & REQ_QUERY))
		return v;
	key = bpfw_url_key_finish(q->h_full, q->h_host);
	return bpf_map_lookup_elem(&bpfw_urls, &key);
}

SEC("xdp")
int bpfw_xdp_block(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct bpfw_url_val *v;
	struct l4 l = {};
	struct req q = {};
	int r;

	r = parse_to_tcp(data, end, &l);
	if (r != PARSE_OK) {
		count(r - 1);
		return XDP_PASS;
	}
	if (l.payload_len == 0) {
		count(BPFW_R_NO_PAYLOAD);
		return XDP_PASS;
	}
	q.lim = ((void *)l.payload - data) + l.payload_len;
	r = scan_request(ctx, &q, (void *)l.payload - data);
	if (r < 0) {
		count(SCAN_REASON(r));
		return XDP_PASS;
	}
	v = lookup_url(&q);
	if (!v) {
		count(BPFW_R_HTTP_ALLOWED);
		return XDP_PASS;
	}
	if (expired(v->expires_ns)) {
		count(BPFW_R_URL_EXPIRED);
		return XDP_PASS;
	}
	__sync_fetch_and_add(&v->hits, 1);
	return answer_rst(ctx);
}
