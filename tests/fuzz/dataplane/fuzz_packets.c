/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_packets.c - libFuzzer target over raw packet sequences through a
 * whole worker (parse, flow, reasm, http, body, digest, verdict, events).
 *
 * Input: records of a 2-byte big-endian frame length and the frame's bytes
 * (frames over 2 KB become chained mbufs).  A small flow table and small
 * reassembly caps make eviction and gap skipping reachable.  The EAL (no
 * hugepages, no PCI) is started once per process.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "dataplane/events.h"
#include "dataplane/worker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *pool;

static void cleanup(void)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_mempool_free(pool);
	rte_eal_cleanup();
	rmdir(dir);
}

static int eal_once(void)
{
	char prefix[64];
	char *argv[] = { "fuzz", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-l", "0",
			 "-m", "128", "--log-level=error", prefix, NULL };

	if (pool)
		return 0;
	snprintf(prefix, sizeof(prefix), "--file-prefix=hwdpf-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("fuzz", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (!pool)
		return -1;
	atexit(cleanup);
	return 0;
}

static struct rte_mbuf *mbuf_of(const uint8_t *p, size_t len)
{
	struct rte_mbuf *head = NULL;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint16_t n;

		if (!m)
			break;
		n = (uint16_t)(len < rte_pktmbuf_tailroom(m) ? len : rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, n), p, n);
		if (!head) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) < 0) {
			rte_pktmbuf_free(m);
			break;
		}
		p += n;
		len -= n;
	} while (len > 0);
	if (len > 0) {
		rte_pktmbuf_free(head);
		return NULL;
	}
	return head;
}

static void on_event(void *ctx, const char *line, size_t len, bool match,
		     const struct dp_flow_key *flow)
{
	(void)match;
	(void)flow;
	*(size_t *)ctx += len + (size_t)line[len - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct hwall_pseudo_key key = { { 1, 2, 3 } };
	struct dp_worker_conf conf;
	struct dp_worker w;
	size_t i = 0, sink = 0;
	uint64_t now = 0;

	if (eal_once() < 0)
		abort();
	dp_worker_conf_default(&conf);
	conf.max_flows = 4;
	conf.max_held = 32;
	conf.held_dir_cap = 4096;
	conf.held_global_cap = 8192;
	conf.log_objects = true;
	conf.idle_ns = 50;
	conf.http.max_object_bytes = 1 << 16;
	conf.hash_mask = 1u << HWALL_ALGO_SHA1;
	if (dp_worker_init(&w, &conf, NULL, &key, on_event, &sink) < 0)
		abort();
	while (size - i >= 2) {
		size_t len = (size_t)data[i] << 8 | data[i + 1];
		struct rte_mbuf *m;

		i += 2;
		if (len > size - i)
			len = size - i;
		m = mbuf_of(data + i, len);
		i += len;
		if (!m)
			continue;
		dp_worker_packet(&w, m, now);
		rte_pktmbuf_free(m);
		dp_worker_expire(&w, now);
		now += 10;
	}
	dp_worker_fini(&w);
	if (rte_mempool_avail_count(pool) != 4095)
		abort(); /* an mbuf reference leaked */
	return 0;
}
