/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xdp_test.h - what the XDP program's tests share (test_xdp.c,
 * test_xdp_canon.c): the loaded skeleton, crafted request packets run with
 * bpf_prog_test_run_opts, blocking URLs through the loader's key, counters.
 * Included once per test program.
 */
#ifndef HASHWALL_TESTS_XDP_TEST_H
#define HASHWALL_TESTS_XDP_TEST_H

#include <stdint.h>
#include <string.h>

#include "bpf_test.h"
#include "bpfw.h"
#include "pkt.h"
#include "xdp_block.skel.h"

#define REQ_SEQ 1000000u
#define REQ_ACK 2000000u

static struct xdp_block *skel;
/* Frames start 2 bytes into 8-aligned storage so that the IP and TCP
 * headers after the 14-byte Ethernet header are 4-byte aligned. */
static uint8_t pkt_buf[BT_PKT_MAX + 8] __attribute__((aligned(8)));
static uint8_t out_buf[BT_PKT_MAX + 8] __attribute__((aligned(8)));
static uint8_t *const pkt = pkt_buf + 2;
static uint8_t *const out = out_buf + 2;
static uint32_t out_len;

static inline int prog_fd(void)
{
	return bpf_program__fd(skel->progs.bpfw_xdp_block);
}

static inline uint64_t counter(uint32_t reason)
{
	return bt_counter(bpf_map__fd(skel->maps.bpfw_counters), reason);
}

/* Fresh maps and counters for each test. */
static inline void reset(void)
{
	bt_map_clear(bpf_map__fd(skel->maps.bpfw_urls));
	bt_counters_clear(bpf_map__fd(skel->maps.bpfw_counters));
}

/* Block @url until now + @ttl_ns (negative: already expired). */
static inline int block(const char *url, int64_t ttl_ns)
{
	struct bpfw_url_val v = { .expires_ns = hwall_mono_ns() + (uint64_t)ttl_ns };
	uint64_t key;
	int r = bpfw_url_key(url, &key);

	return r ? r : bpf_map_update_elem(bpf_map__fd(skel->maps.bpfw_urls), &key, &v, BPF_ANY);
}

static inline uint64_t hits(const char *url)
{
	struct bpfw_url_val v = { 0 };
	uint64_t key = 0;

	bpfw_url_key(url, &key);
	bpf_map_lookup_elem(bpf_map__fd(skel->maps.bpfw_urls), &key, &v);
	return v.hits;
}

/* Build a TCP packet carrying @payload and run the program on it. */
static inline int run_spec(struct pkt_spec *s, const char *payload)
{
	size_t n;

	s->payload = payload;
	s->len = payload ? strlen(payload) : 0;
	s->seq = REQ_SEQ;
	s->ack = REQ_ACK;
	n = pkt_build(pkt, s);
	return bt_run(prog_fd(), pkt, n, out, &out_len);
}

static inline int run4(const char *payload)
{
	struct pkt_spec s = { .family = 4 };

	return run_spec(&s, payload);
}

#define GET(target, host) "GET " target " HTTP/1.1\r\nHost: " host \
	"\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"

#endif
