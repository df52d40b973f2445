/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parse.c - L2 to L4 parsing with a bounds-checked cursor (see parse.h).
 */
#include "dataplane/parse.h"
#include "common/number.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100
#define IPPROTO_TCP_ 6
#define V6_EXT_MAX 8 /* extension headers walked before giving up */

/* A cursor over the contiguous header bytes: reads never pass @end. */
struct cursor {
	const uint8_t *pos;
	const uint8_t *end;
};

static bool cur_has(const struct cursor *c, size_t n)
{
	return (size_t)(c->end - c->pos) >= n;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void dp_ports_clear(struct dp_ports *p)
{
	memset(p, 0, sizeof(*p));
}

void dp_ports_add(struct dp_ports *p, uint16_t port)
{
	p->bits[port >> 6] |= 1ull << (port & 63);
}

int dp_ports_parse(const char *list, struct dp_ports *p)
{
	struct dp_ports tmp;
	const char *s = list;

	dp_ports_clear(&tmp);
	for (;;) {
		const char *end;
		uint64_t v;

		if (hwall_parse_u64_prefix(s, 1, 65535, &v, &end) < 0 ||
		    (*end != ',' && *end != '\0'))
			return -EINVAL;
		dp_ports_add(&tmp, (uint16_t)v);
		if (*end == '\0')
			break;
		s = end + 1;
	}
	*p = tmp;
	return 0;
}

/* Skip Ethernet and up to two VLAN tags; returns the ethertype or -1. */
static int parse_l2(struct cursor *c)
{
	uint16_t type;

	if (!cur_has(c, 14))
		return -1;
	type = rd16(c->pos + 12);
	c->pos += 14;
	for (int tags = 0; tags < 2; tags++) {
		if (type != ETH_P_8021Q && type != ETH_P_8021AD && type != ETH_P_QINQ_OLD)
			break;
		if (!cur_has(c, 4))
			return -1;
		type = rd16(c->pos + 2);
		c->pos += 4;
	}
	return type;
}

static void map_v4(uint8_t out[16], const uint8_t *v4)
{
	memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	memcpy(out + 12, v4, 4);
}

/* IPv4 (RFC 791): options skipped by IHL; leaves @c at the L4 header and
 * its end at the IP total length (dropping Ethernet padding). */
static enum dp_drop parse_ipv4(struct cursor *c, struct dp_pkt *pkt, const uint8_t **ret_l4_end,
			       const uint8_t *frame_end)
{
	const uint8_t *ip = c->pos;
	unsigned int ihl;
	size_t tot;

	if (!cur_has(c, 20))
		return DP_DROP_pkt_truncated;
	ihl = (ip[0] & 0x0f) * 4u;
	tot = rd16(ip + 2);
	/* BIG TCP (Linux 6.3+): a GSO frame over 64 KiB has total length 0
	 * and is as long as the frame (no Ethernet padding at that size). */
	if (tot == 0 && (size_t)(frame_end - ip) > UINT16_MAX)
		tot = (size_t)(frame_end - ip);
	if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl)
		return DP_DROP_pkt_bad_ip;
	if (!cur_has(c, ihl) || (size_t)(frame_end - ip) < tot)
		return DP_DROP_pkt_truncated;
	if (rd16(ip + 6) & 0x3fff) /* MF or a fragment offset */
		return DP_DROP_pkt_ip_fragment;
	if (ip[9] != IPPROTO_TCP_)
		return DP_DROP_pkt_not_tcp;
	map_v4(pkt->src, ip + 12);
	map_v4(pkt->dst, ip + 16);
	pkt->family = 4;
	c->pos += ihl;
	*ret_l4_end = ip + tot;
	return DP_DROP_COUNT;
}

/*
 * A jumbogram (RFC 2675): payload length 0 and, in the hop-by-hop options
 * header right after the fixed header at @c, the Jumbo Payload option
 * (type 0xC2, 4 bytes: the length after the fixed header, over 65535).
 * Leaves *ret_plen at 0 when there is no such option.  Returns 0, or -1
 * for a jumbo option that is malformed.
 */
static int jumbo_len(const struct cursor *c, size_t *ret_plen)
{
	const uint8_t *h = c->pos + 40, *end;
	size_t i = 2;

	if (c->end - h < 8 || (size_t)(c->end - h) < (h[1] + 1u) * 8)
		return 0; /* the walk below reports it */
	end = h + (h[1] + 1u) * 8;
	while (h + i < end) {
		uint8_t type = h[i];
		uint32_t v;

		if (type == 0) { /* Pad1 */
			i++;
			continue;
		}
		if (h + i + 2 > end || h + i + 2 + h[i + 1] > end)
			return -1;
		if (type == 0xc2) {
			if (h[i + 1] != 4)
				return -1;
			v = rd32(h + i + 2);
			if (v <= UINT16_MAX)
				return -1;
			*ret_plen = v;
			return 0;
		}
		i += 2u + h[i + 1];
	}
	return 0;
}

/* IPv6 (RFC 8200 section 4): walk hop-by-hop, routing, destination options
 * and AH to the upper-layer header; a fragment header means a fragment. */
static enum dp_drop parse_ipv6(struct cursor *c, struct dp_pkt *pkt, const uint8_t **ret_l4_end,
			       const uint8_t *frame_end)
{
	const uint8_t *ip = c->pos;
	uint8_t next;
	size_t plen;

	if (!cur_has(c, 40))
		return DP_DROP_pkt_truncated;
	if ((ip[0] >> 4) != 6)
		return DP_DROP_pkt_bad_ip;
	plen = rd16(ip + 4);
	if (plen == 0 && ip[6] == 0 && jumbo_len(c, &plen) < 0)
		return DP_DROP_pkt_bad_ip;
	/* BIG TCP without the jumbo option (Linux 6.x strips it): payload
	 * length 0 on a frame over 64 KiB means "as long as the frame". */
	if (plen == 0 && (size_t)(frame_end - ip) > 40u + UINT16_MAX)
		plen = (size_t)(frame_end - ip) - 40;
	if ((size_t)(frame_end - ip) < 40u + plen)
		return DP_DROP_pkt_truncated;
	next = ip[6];
	memcpy(pkt->src, ip + 8, 16);
	memcpy(pkt->dst, ip + 24, 16);
	pkt->family = 6;
	c->pos += 40;
	*ret_l4_end = ip + 40 + plen;
	for (int i = 0; i <= V6_EXT_MAX; i++) {
		size_t len;

		switch (next) {
		case IPPROTO_TCP_:
			return c->pos <= *ret_l4_end ? DP_DROP_COUNT : DP_DROP_pkt_bad_ip;
		case 44: /* fragment */
			return DP_DROP_pkt_ip_fragment;
		case 0:  /* hop-by-hop */
		case 43: /* routing */
		case 60: /* destination options */
		case 51: /* AH: length in 4-byte units minus 2 */
			if (!cur_has(c, 8))
				return DP_DROP_pkt_truncated;
			len = next == 51 ? (c->pos[1] + 2u) * 4 : (c->pos[1] + 1u) * 8;
			if (!cur_has(c, len))
				return DP_DROP_pkt_truncated;
			next = c->pos[0];
			c->pos += len;
			break;
		default:
			return DP_DROP_pkt_not_tcp;
		}
	}
	return DP_DROP_pkt_ipv6_ext_limit;
}

static enum dp_drop parse_tcp(struct cursor *c, const uint8_t *l4_end, const uint8_t *frame,
			      struct dp_pkt *pkt)
{
	const uint8_t *th = c->pos;
	unsigned int doff;

	if (!cur_has(c, 20) || l4_end - th < 20)
		return DP_DROP_pkt_truncated;
	doff = (th[12] >> 4) * 4u;
	if (doff < 20 || th + doff > l4_end)
		return DP_DROP_pkt_bad_tcp;
	pkt->sport = rd16(th);
	pkt->dport = rd16(th + 2);
	pkt->seq = rd32(th + 4);
	pkt->ack = rd32(th + 8);
	pkt->flags = th[13];
	pkt->payload_off = (uint32_t)(th + doff - frame);
	pkt->payload_len = (uint32_t)(l4_end - (th + doff));
	return DP_DROP_COUNT;
}

enum dp_drop dp_parse(const uint8_t *frame, uint32_t hdr_len, uint32_t frame_len,
		      const struct dp_ports *ports, struct dp_pkt *ret_pkt)
{
	struct cursor c = { frame, frame + (hdr_len < frame_len ? hdr_len : frame_len) };
	const uint8_t *l4_end = NULL;
	enum dp_drop r;
	int type = parse_l2(&c);

	if (type < 0)
		return DP_DROP_pkt_truncated;
	if (type == ETH_P_IPV4)
		r = parse_ipv4(&c, ret_pkt, &l4_end, frame + frame_len);
	else if (type == ETH_P_IPV6)
		r = parse_ipv6(&c, ret_pkt, &l4_end, frame + frame_len);
	else
		return DP_DROP_pkt_not_ip;
	if (r != DP_DROP_COUNT)
		return r;
	r = parse_tcp(&c, l4_end, frame, ret_pkt);
	if (r != DP_DROP_COUNT)
		return r;
	if (dp_ports_has(ports, ret_pkt->dport))
		ret_pkt->to_server = true;
	else if (dp_ports_has(ports, ret_pkt->sport))
		ret_pkt->to_server = false;
	else
		return DP_DROP_pkt_not_http_port;
	return DP_DROP_COUNT;
}
