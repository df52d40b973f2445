/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parse.h - stage 2: Ethernet / 802.1Q / QinQ / IPv4 (options) / IPv6
 * (extension headers) / TCP.
 *
 * Reads: the contiguous bytes at the start of a frame (the first mbuf
 * segment) and the read-only HTTP port map.  Writes: a struct dp_pkt with the
 * addresses, ports, sequence numbers, flags and where the TCP payload lies,
 * or a drop reason.  Keeps no state.  IP fragments are counted and skipped
 * (they are not reassembled: HTTP servers send with DF and PMTU discovery,
 * and a fragment's TCP header may be absent).
 */
#ifndef HASHWALL_DATAPLANE_PARSE_H
#define HASHWALL_DATAPLANE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/counters.h"

#define DP_TCP_FIN 0x01
#define DP_TCP_SYN 0x02
#define DP_TCP_RST 0x04
#define DP_TCP_ACK 0x10

/* A set of TCP ports (one bit each) that carry HTTP. */
struct dp_ports {
	uint64_t bits[65536 / 64];
};

/* What parse finds in one frame.  Addresses are 16 bytes; IPv4 ones are
 * stored IPv4-mapped (::ffff:a.b.c.d) so that keys have one shape. */
struct dp_pkt {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint32_t payload_off; /* from the start of the frame */
	uint32_t payload_len;
	uint8_t flags;        /* DP_TCP_* */
	uint8_t family;       /* 4 or 6 */
	bool to_server;       /* dport is an HTTP port (sport otherwise) */
};

/* Empty the port set, or add one port to it. */
void dp_ports_clear(struct dp_ports *p);
void dp_ports_add(struct dp_ports *p, uint16_t port);

/* Whether @port is in the set. */
static inline bool dp_ports_has(const struct dp_ports *p, uint16_t port)
{
	return (p->bits[port >> 6] >> (port & 63)) & 1;
}

/*
 * Parse a comma-separated list of ports ("80,8080") into @p.  Returns 0, or
 * -EINVAL (empty item, not a number, 0 or over 65535) with @p untouched.
 */
int dp_ports_parse(const char *list, struct dp_ports *p);

/*
 * Parse the @hdr_len contiguous bytes at @frame, the start of a frame of
 * @frame_len bytes in all (the payload may lie beyond @hdr_len, in later
 * segments).  Returns DP_DROP_COUNT and fills *ret_pkt for a TCP segment
 * to or from an HTTP port, or the drop reason (with *ret_pkt unspecified).
 */
enum dp_drop dp_parse(const uint8_t *frame, uint32_t hdr_len, uint32_t frame_len,
		      const struct dp_ports *ports, struct dp_pkt *ret_pkt);

#endif
