/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dp_test.h - what the dataplane tests share: frame building (Ethernet,
 * VLAN tags, IPv4 with options, IPv6 with extension headers, TCP), mbufs
 * from a small EAL (no hugepages, no PCI, a per-process file prefix), and a
 * connection helper that tracks both sides' sequence numbers.
 */
#ifndef HASHWALL_TESTS_DP_TEST_H
#define HASHWALL_TESTS_DP_TEST_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "dataplane/parse.h"

#define DP_TEST_FRAME_MAX 9000

/* How to build one frame. */
struct dp_test_frame {
	uint8_t family;      /* 4 or 6 */
	uint8_t src[16];     /* IPv4: first 4 bytes */
	uint8_t dst[16];
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	unsigned int vlans;  /* 0, 1 or 2 tags */
	unsigned int ip_opt; /* IPv4 option bytes (multiple of 4) */
	bool v6_ext;         /* IPv6 hop-by-hop + destination options */
	uint16_t frag;       /* IPv4 flags/fragment field */
	uint8_t proto;       /* 0: TCP */
	unsigned int pad;    /* Ethernet padding bytes after the IP packet */
};

static inline void dp_test_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void dp_test_put32(uint8_t *p, uint32_t v)
{
	dp_test_put16(p, (uint16_t)(v >> 16));
	dp_test_put16(p + 2, (uint16_t)v);
}

/* Build the frame into @out; returns its length. */
static inline size_t dp_test_build(const struct dp_test_frame *f, const void *payload, size_t len,
				   uint8_t *out)
{
	uint8_t *p = out + 12;
	size_t l3len, iphl = 0;
	uint8_t *ip, *th;

	memset(out, 0, 12);
	out[0] = 0x02;
	out[6] = 0x02;
	out[11] = 1;
	for (unsigned int i = 0; i < f->vlans; i++) {
		dp_test_put16(p, i == 0 && f->vlans == 2 ? 0x88a8 : 0x8100);
		dp_test_put16(p + 2, (uint16_t)(100 + i));
		p += 4;
	}
	dp_test_put16(p, f->family == 4 ? 0x0800 : 0x86dd);
	ip = p + 2;
	if (f->family == 4) {
		iphl = 20 + f->ip_opt;
		memset(ip, 0, iphl);
		ip[0] = (uint8_t)(0x40 | (iphl / 4));
		dp_test_put16(ip + 6, f->frag);
		ip[8] = 64;
		ip[9] = f->proto ? f->proto : 6;
		memcpy(ip + 12, f->src, 4);
		memcpy(ip + 16, f->dst, 4);
		memset(ip + 20, 1, f->ip_opt); /* NOP options */
	} else {
		iphl = 40 + (f->v6_ext ? 16 : 0);
		memset(ip, 0, iphl);
		ip[0] = 0x60;
		ip[6] = f->v6_ext ? 0 : (f->proto ? f->proto : 6);
		ip[7] = 64;
		memcpy(ip + 8, f->src, 16);
		memcpy(ip + 24, f->dst, 16);
		if (f->v6_ext) {
			ip[40] = 60; /* hop-by-hop, then destination options */
			ip[48] = f->proto ? f->proto : 6;
		}
	}
	th = ip + iphl;
	memset(th, 0, 20);
	dp_test_put16(th, f->sport);
	dp_test_put16(th + 2, f->dport);
	dp_test_put32(th + 4, f->seq);
	dp_test_put32(th + 8, f->ack);
	th[12] = 5 << 4;
	th[13] = f->flags;
	memcpy(th + 20, payload, len);
	l3len = iphl + 20 + len;
	if (f->family == 4)
		dp_test_put16(ip + 2, (uint16_t)l3len);
	else
		dp_test_put16(ip + 4, (uint16_t)(l3len - 40));
	memset(th + 20 + len, 0xee, f->pad);
	return (size_t)(th + 20 + len + f->pad - out);
}

static struct rte_mempool *dp_test_pool;

/* Start a small EAL and an mbuf pool once per test program. */
static inline int dp_test_eal(void)
{
	char prefix[64];
	char *argv[] = { "test", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-l", "0",
			 "-m", "256", "--log-level=error", prefix, NULL };

	snprintf(prefix, sizeof(prefix), "--file-prefix=hwdpt-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	dp_test_pool = rte_pktmbuf_pool_create("dp_test", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	return dp_test_pool ? 0 : -1;
}

/* Free the pool, stop the EAL and remove its runtime directory. */
static inline void dp_test_eal_done(void)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_mempool_free(dp_test_pool);
	rte_eal_cleanup();
	rmdir(dir);
}

/* An mbuf holding @len bytes of @frame, chained over several segments
 * when it does not fit in one (as a jumbo frame would be). */
static inline struct rte_mbuf *dp_test_mbuf(const uint8_t *frame, size_t len)
{
	struct rte_mbuf *head = NULL;

	while (len > 0 || !head) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(dp_test_pool);
		uint16_t n;

		if (!m) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		n = (uint16_t)(len < rte_pktmbuf_tailroom(m) ? len : rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, n), frame, n);
		if (!head)
			head = m;
		else if (rte_pktmbuf_chain(head, m) < 0) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		frame += n;
		len -= n;
	}
	return head;
}

/* A TCP connection between 10.0.0.1:40000 (client) and 10.0.0.2:80. */
struct dp_test_conn {
	struct dp_test_frame f;
	uint32_t cseq; /* next client sequence number */
	uint32_t sseq; /* next server sequence number */
};

static inline void dp_test_conn_init(struct dp_test_conn *c, uint8_t family, uint32_t cisn,
				     uint32_t sisn)
{
	memset(c, 0, sizeof(*c));
	c->f.family = family;
	c->f.src[0] = 10;
	c->f.src[3] = 1;
	c->f.dst[0] = 10;
	c->f.dst[3] = 2;
	c->f.sport = 40000;
	c->f.dport = 80;
	c->cseq = cisn;
	c->sseq = sisn;
}

/*
 * An mbuf for a segment of the connection: from the client when
 * @to_server, at sequence offset @rel from that side's current next
 * sequence number (negative or beyond for retransmissions and reordering).
 * Does not advance the sequence numbers.
 */
static inline struct rte_mbuf *dp_test_seg(const struct dp_test_conn *c, bool to_server, int64_t rel,
					   uint8_t flags, const void *payload, size_t len)
{
	static uint8_t frame[DP_TEST_FRAME_MAX];
	struct dp_test_frame f = c->f;

	if (!to_server) {
		memcpy(f.src, c->f.dst, 16);
		memcpy(f.dst, c->f.src, 16);
		f.sport = c->f.dport;
		f.dport = c->f.sport;
	}
	f.seq = (uint32_t)((to_server ? c->cseq : c->sseq) + (uint64_t)rel);
	f.ack = to_server ? c->sseq : c->cseq;
	f.flags = flags | DP_TCP_ACK;
	return dp_test_mbuf(frame, dp_test_build(&f, payload, len, frame));
}

#endif
