/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_flow.c - TCP connections of the traffic generator: builds Ethernet
 * (optionally 802.1Q or QinQ tagged), IPv4 (optionally with options) or
 * IPv6 (optionally with extension headers) and TCP headers with correct
 * checksums around stream bytes, and writes the frames to the pcap.
 *
 * Stream offsets count the bytes after the SYN, so offset 0 is sequence
 * number ISN+1; sequence numbers wrap modulo 2^32 naturally.
 */
#include "gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"

#define GEN_MAX_SEG 200000u
#define GEN_HDR_ROOM 160u

static const uint8_t gen_mac[GEN_DIR_COUNT][6] = {
	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }, /* client */
	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 }, /* server */
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* RFC 1071 ones' complement sum, folded. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

struct gen_frame {
	uint8_t buf[GEN_HDR_ROOM + GEN_MAX_SEG];
	size_t len;
};

static size_t build_l2(const struct gen_flow *f, enum gen_dir dir, uint8_t *p)
{
	size_t n = 12;

	memcpy(p, gen_mac[!dir], 6);
	memcpy(p + 6, gen_mac[dir], 6);
	if (f->o.vlan_outer && f->o.vlan_inner) {
		put16(p + n, 0x88a8);
		put16(p + n + 2, f->o.vlan_outer);
		put16(p + n + 4, 0x8100);
		put16(p + n + 6, f->o.vlan_inner);
		n += 8;
	} else if (f->o.vlan_outer) {
		put16(p + n, 0x8100);
		put16(p + n + 2, f->o.vlan_outer);
		n += 4;
	}
	put16(p + n, f->o.ipv6 ? 0x86dd : 0x0800);
	return n + 2;
}

/* IPv4 header (with options when asked); returns its length. */
static size_t build_ip4(const struct gen_flow *f, enum gen_dir dir, uint8_t *p, size_t l4len)
{
	static const uint8_t opts[8] = { 1, 1, 1, 1, 0x94, 4, 0, 0 }; /* NOPs, Router Alert */
	size_t hl = f->o.ip_options ? 28 : 20;
	const uint8_t *src = dir == GEN_C2S ? f->cli : f->srv;
	const uint8_t *dst = dir == GEN_C2S ? f->srv : f->cli;

	p[0] = (uint8_t)(0x40 | hl / 4);
	p[1] = 0;
	put16(p + 2, hl + l4len > UINT16_MAX ? 0 : (uint16_t)(hl + l4len)); /* BIG TCP: 0 */
	put16(p + 4, (uint16_t)(f->ctx->pcap.packets * 7 + 1));
	put16(p + 6, 0x4000); /* DF */
	p[8] = 64;
	p[9] = 6;
	put16(p + 10, 0);
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	if (f->o.ip_options)
		memcpy(p + 20, opts, sizeof(opts));
	put16(p + 10, csum_fold(csum_add(0, p, hl)));
	return hl;
}

/* IPv6 BIG TCP header: payload length 0, and with jumbo_hbh a hop-by-hop
 * header holding the Jumbo Payload option (RFC 2675). */
static size_t build_ip6_big(const struct gen_flow *f, enum gen_dir dir, uint8_t *p, size_t l4len)
{
	put32(p, 0x60000000u | (uint32_t)f->id);
	put16(p + 4, 0);
	p[6] = f->o.jumbo_hbh ? 0 : 6;
	p[7] = 64;
	memcpy(p + 8, dir == GEN_C2S ? f->cli : f->srv, 16);
	memcpy(p + 24, dir == GEN_C2S ? f->srv : f->cli, 16);
	if (!f->o.jumbo_hbh)
		return 40;
	p[40] = 6;
	p[41] = 0;
	p[42] = 0xc2;
	p[43] = 4;
	put32(p + 44, (uint32_t)(8 + l4len));
	return 48;
}

/* IPv6 header (with hop-by-hop and destination options when asked). */
static size_t build_ip6(const struct gen_flow *f, enum gen_dir dir, uint8_t *p, size_t l4len)
{
	size_t ext = f->o.ip_options ? 16 : 0;

	if (ext + l4len > UINT16_MAX) /* BIG TCP */
		return build_ip6_big(f, dir, p, l4len);
	put32(p, 0x60000000u | (uint32_t)f->id);
	put16(p + 4, (uint16_t)(ext + l4len));
	p[6] = f->o.ip_options ? 0 : 6;
	p[7] = 64;
	memcpy(p + 8, dir == GEN_C2S ? f->cli : f->srv, 16);
	memcpy(p + 24, dir == GEN_C2S ? f->srv : f->cli, 16);
	if (f->o.ip_options) {
		/* Hop-by-hop then destination options, each one PadN option. */
		static const uint8_t hbh[8] = { 60, 0, 1, 4, 0, 0, 0, 0 };
		static const uint8_t dst[8] = { 6, 0, 1, 4, 0, 0, 0, 0 };
		memcpy(p + 40, hbh, 8);
		memcpy(p + 48, dst, 8);
	}
	return 40 + ext;
}

static uint32_t pseudo_sum(const struct gen_flow *f, enum gen_dir dir, size_t l4len)
{
	size_t alen = f->o.ipv6 ? 16 : 4;
	uint8_t tail[4] = { 0, 0, 0, 6 };
	uint32_t sum = 0;

	sum = csum_add(sum, dir == GEN_C2S ? f->cli : f->srv, alen);
	sum = csum_add(sum, dir == GEN_C2S ? f->srv : f->cli, alen);
	sum += (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
	return csum_add(sum, tail, sizeof(tail));
}

static uint16_t port_of(const struct gen_flow *f, enum gen_dir side)
{
	return side == GEN_C2S ? f->cport : f->o.server_port;
}

/* Write @fr (whose IP header is at @l2, @l3 bytes long, no IPv4 options
 * or IPv6 extension headers) as two fragments splitting its L4 bytes at an
 * 8-byte boundary (RFC 791 / RFC 8200 4.5). */
static int emit_fragments(struct gen_flow *f, const struct gen_frame *fr, size_t l2, size_t l3)
{
	static uint8_t out[GEN_HDR_ROOM + GEN_MAX_SEG];
	const uint8_t *l4 = fr->buf + l2 + l3;
	size_t plen = fr->len - l2 - l3, cut = plen / 2 & ~(size_t)7;
	uint32_t id = (uint32_t)f->ctx->pcap.packets; /* one identification for both */

	for (int part = 0; part < 2; part++) {
		size_t from = part ? cut : 0, n = part ? plen - cut : cut, h = l2 + l3;
		uint8_t *ip = out + l2;
		memcpy(out, fr->buf, l2 + l3);
		if (f->o.ipv6) {
			ip[6] = 44;
			put16(ip + 4, (uint16_t)(8 + n));
			ip[40] = 6;
			ip[41] = 0;
			put16(ip + 42, (uint16_t)(from | !part)); /* offset in 8-byte units << 3, M */
			put32(ip + 44, id);
			h += 8;
		} else {
			put16(ip + 2, (uint16_t)(l3 + n));
			put16(ip + 6, (uint16_t)(from / 8 | (part ? 0 : 0x2000))); /* MF on the first */
			put16(ip + 10, 0);
			put16(ip + 10, csum_fold(csum_add(0, ip, l3)));
		}
		memcpy(out + h, l4 + from, n);
		HWALL_TRY(gen_pcap_write(&f->ctx->pcap, out, h + n));
	}
	f->ctx->min_fragments += 2;
	return 0;
}

static int emit(struct gen_flow *f, enum gen_dir dir, uint32_t seq, uint8_t flags,
		const uint8_t *data, size_t len)
{
	static struct gen_frame fr; /* single-threaded generator */
	static const uint8_t syn_opts[8] = { 2, 4, 0, 0, 4, 2, 1, 1 }; /* MSS, SACK-perm, NOPs */
	size_t l2, l3, th = flags & GEN_TCP_SYN ? 28 : 20;
	uint16_t mss = f->o.mss ? f->o.mss : 1460;
	uint8_t *ip, *tcp;

	if (len > GEN_MAX_SEG)
		return -EMSGSIZE;
	l2 = build_l2(f, dir, fr.buf);
	ip = fr.buf + l2;
	l3 = f->o.ipv6 ? build_ip6(f, dir, ip, th + len) : build_ip4(f, dir, ip, th + len);
	tcp = ip + l3;
	put16(tcp, port_of(f, dir));
	put16(tcp + 2, port_of(f, !dir));
	put32(tcp + 4, seq);
	put32(tcp + 8, flags & GEN_TCP_ACK ? f->isn[!dir] + 1 + (uint32_t)f->next[!dir] : 0);
	tcp[12] = (uint8_t)(th / 4 << 4);
	tcp[13] = flags;
	put16(tcp + 14, 65535);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	if (flags & GEN_TCP_SYN) {
		memcpy(tcp + 20, syn_opts, sizeof(syn_opts));
		put16(tcp + 22, mss);
	}
	if (len)
		memcpy(tcp + th, data, len);
	put16(tcp + 16, csum_fold(csum_add(pseudo_sum(f, dir, th + len), tcp, th + len)));
	fr.len = (size_t)(tcp - fr.buf) + th + len;
	if (f->fragment_next && len) {
		f->fragment_next = false;
		return emit_fragments(f, &fr, l2, l3);
	}
	return gen_pcap_write(&f->ctx->pcap, fr.buf, fr.len);
}

static void flow_addresses(struct gen_flow *f)
{
	uint32_t n = (uint32_t)f->id;

	if (f->o.ipv6) {
		static const uint8_t cli[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c };
		static const uint8_t srv[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x05 };
		memcpy(f->cli, cli, sizeof(cli));
		memcpy(f->srv, srv, sizeof(srv));
		put32(f->cli + 12, n + 1);
		put32(f->srv + 12, n % 8 + 1);
		return;
	}
	/* Clients in 198.51.100.0/24 and 203.0.113.0/24, servers in
	 * 192.0.2.0/24: documentation ranges only (RFC 5737). */
	f->cli[0] = n & 256 ? 203 : 198;
	f->cli[1] = n & 256 ? 0 : 51;
	f->cli[2] = n & 256 ? 113 : 100;
	f->cli[3] = (uint8_t)(n % 250 + 1);
	f->srv[0] = 192;
	f->srv[1] = 0;
	f->srv[2] = 2;
	f->srv[3] = (uint8_t)(n % 8 + 1);
}

struct gen_flow *gen_flow_new(struct gen_ctx *ctx, const struct gen_flow_opts *opts)
{
	struct gen_flow *f;

	if (ctx->nflows == ctx->flows_cap) {
		size_t cap = ctx->flows_cap ? ctx->flows_cap * 2 : 32;
		struct gen_flow **p = realloc(ctx->flows, cap * sizeof(*p));
		if (!p)
			return NULL;
		ctx->flows = p;
		ctx->flows_cap = cap;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->ctx = ctx;
	f->id = (int)ctx->nflows;
	f->o = *opts;
	if (!f->o.server_port)
		f->o.server_port = 80;
	f->cport = ctx->next_cport++;
	if (ctx->next_cport < 40000)
		ctx->next_cport = 40000;
	f->isn[GEN_C2S] = (uint32_t)gen_rand(ctx);
	f->isn[GEN_S2C] = opts->server_isn ? opts->server_isn : (uint32_t)gen_rand(ctx);
	flow_addresses(f);
	ctx->flows[ctx->nflows++] = f;
	return f;
}

int gen_flow_handshake(struct gen_flow *f)
{
	HWALL_TRY(emit(f, GEN_C2S, f->isn[GEN_C2S], GEN_TCP_SYN, NULL, 0));
	HWALL_TRY(emit(f, GEN_S2C, f->isn[GEN_S2C], GEN_TCP_SYN | GEN_TCP_ACK, NULL, 0));
	return gen_flow_segment(f, GEN_C2S, f->next[GEN_C2S], NULL, 0, GEN_TCP_ACK);
}

int gen_flow_segment(struct gen_flow *f, enum gen_dir dir, uint64_t off, const uint8_t *data,
		     size_t len, uint8_t flags)
{
	uint32_t seq = f->isn[dir] + 1 + (uint32_t)off;

	return emit(f, dir, seq, (uint8_t)(flags | GEN_TCP_ACK), data, len);
}

/* The client acknowledges every second server segment, as delayed ACK does. */
static int maybe_ack(struct gen_flow *f, enum gen_dir dir)
{
	if (dir != GEN_S2C || f->o.no_acks || ++f->unacked < 2)
		return 0;
	f->unacked = 0;
	return gen_flow_segment(f, GEN_C2S, f->next[GEN_C2S], NULL, 0, GEN_TCP_ACK);
}

int gen_flow_send_step(struct gen_flow *f, enum gen_dir dir, const uint8_t *data, size_t len,
		       size_t *pos)
{
	size_t mss = f->o.gso ? f->o.gso : f->o.mss ? f->o.mss : 1460;
	size_t n = len - *pos < mss ? len - *pos : mss;
	uint8_t flags = *pos + n == len ? GEN_TCP_PSH : 0;

	HWALL_TRY(gen_flow_segment(f, dir, f->next[dir], data + *pos, n, flags));
	f->next[dir] += n;
	*pos += n;
	return maybe_ack(f, dir);
}

int gen_flow_send(struct gen_flow *f, enum gen_dir dir, const uint8_t *data, size_t len)
{
	size_t pos = 0;

	while (pos < len)
		HWALL_TRY(gen_flow_send_step(f, dir, data, len, &pos));
	return 0;
}

int gen_flow_send_plan(struct gen_flow *f, enum gen_dir dir, const uint8_t *data, size_t len,
		       const struct gen_seg *segs, size_t n)
{
	uint64_t base = f->next[dir];

	for (size_t i = 0; i < n; i++) {
		const uint8_t *src = segs[i].alt ? segs[i].alt : data + (segs[i].off - base);
		if (segs[i].off < base || segs[i].off + segs[i].len > base + len)
			return -ERANGE;
		HWALL_TRY(gen_flow_segment(f, dir, segs[i].off, src, segs[i].len, 0));
		HWALL_TRY(maybe_ack(f, dir));
	}
	f->next[dir] = base + len;
	return 0;
}

void gen_flow_skip(struct gen_flow *f, enum gen_dir dir, size_t len)
{
	f->next[dir] += len;
}

int gen_flow_close(struct gen_flow *f, enum gen_dir first)
{
	enum gen_dir second = !first;

	HWALL_TRY(gen_flow_segment(f, first, f->next[first], NULL, 0, GEN_TCP_FIN));
	f->next[first]++;
	HWALL_TRY(gen_flow_segment(f, second, f->next[second], NULL, 0, GEN_TCP_FIN));
	f->next[second]++;
	return gen_flow_segment(f, first, f->next[first], NULL, 0, 0);
}

int gen_flow_reset(struct gen_flow *f, enum gen_dir dir)
{
	return gen_flow_segment(f, dir, f->next[dir], NULL, 0, GEN_TCP_RST);
}

struct gen_seg *gen_segs_split(uint64_t off, size_t len, size_t mss, size_t *ret_n)
{
	size_t n = len ? (len + mss - 1) / mss : 0;
	struct gen_seg *s = calloc(n ? n : 1, sizeof(*s));

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[i].off = off + i * mss;
		s[i].len = (uint32_t)(i + 1 < n ? mss : len - i * mss);
	}
	*ret_n = n;
	return s;
}

void gen_segs_shuffle(struct gen_ctx *ctx, struct gen_seg *segs, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(gen_rand(ctx) % i);
		struct gen_seg t = segs[i - 1];
		segs[i - 1] = segs[j];
		segs[j] = t;
	}
}
