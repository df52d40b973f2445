/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * capreader.h - a tiny capture reader for the generator's unit tests,
 * written independently of tests/gen/ so that it can check the generator:
 * it reads a classic pcap, verifies every IPv4 header and TCP checksum,
 * rebuilds each TCP flow's server-to-client byte stream from the sequence
 * numbers, and decodes one HTTP response from a stream offset.
 */
#ifndef HASHWALL_TESTS_UNIT_GEN_CAPREADER_H
#define HASHWALL_TESTS_UNIT_GEN_CAPREADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The server-to-client stream of one flow, offsets from ISN+1. */
struct cr_stream {
	uint8_t key[37]; /* server addr (16), client addr (16), ports, family */
	uint32_t isn;    /* server ISN as the manifest gives it */
	uint8_t *data;
	uint8_t *have;   /* 1 where a byte was seen */
	size_t len;      /* bytes up to the highest seen */
	size_t cap;      /* bytes allocated */
	uint64_t fin;    /* offset of the server FIN, UINT64_MAX when none */
	unsigned conflicts; /* overlapping bytes that disagreed */
	unsigned segments;
	uint64_t last_us;   /* capture time of its last server segment */
	uint64_t max_gap_us; /* longest pause between two of its server segments */
};

struct cr_capture {
	uint64_t packets;
	uint64_t bad_ip_csum;
	uint64_t bad_tcp_csum;
	uint64_t bad_frames;  /* not Ethernet/VLAN/IP/TCP or lengths wrong */
	uint64_t vlan_frames, qinq_frames, ipv6_frames;
	uint64_t ip_fragments;   /* skipped, as the dataplane does */
	uint64_t data_segments;  /* server segments with payload */
	uint64_t flow_switches;  /* ... whose flow differs from the previous one */
	const struct cr_stream *last;
	struct cr_stream *streams;
	size_t nstreams;
};

/* The flow a stream belongs to, with the server's ISN. */
struct cr_flow {
	int family;        /* 4 or 6 */
	uint8_t server[16], client[16];
	uint16_t server_port, client_port;
	uint32_t server_isn;
};

/*
 * Read @path and rebuild the streams of the given flows (segments of other
 * flows and client-to-server data only count as packets).  Returns 0, or
 * -errno / -EINVAL for a file that is not a well-formed pcap.
 */
int cr_read(const char *path, const struct cr_flow *flows, size_t nflows, struct cr_capture *ret);
/* Free what cr_read() allocated. */
void cr_free(struct cr_capture *c);

/*
 * Decode the response at offset @off of @s (after any 1xx), for a request
 * with @method.  On success *ret_body is a malloc'ed copy of the decoded
 * body (free it) and *ret_len its length.  Returns 0, -ENODATA when a byte
 * it needs was not captured, -EBADMSG for bytes that do not parse.
 */
int cr_response(const struct cr_stream *s, uint64_t off, const char *method, uint8_t **ret_body,
		size_t *ret_len);

#endif
