/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rx.c - capture checks, EAL start, loading and bursts (see rx.h).
 */
#include "dataplane/rx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "common/errors.h"

#define MBUF_ROOM RTE_MBUF_DEFAULT_BUF_SIZE
/* How far ahead in a burst dp_rx_burst() fetches mbuf headers, and the
 * frames' bytes (whose address needs the header). */
#define PREFETCH_MBUF 8
#define PREFETCH_FRAME 2

/* A record's time (the file is opened with nanosecond precision). */
static uint64_t ts_ns_of(const struct pcap_pkthdr *h)
{
	return (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
}

static pcap_t *capture_open(const char *path, char *perr)
{
	return pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
}

int dp_capture_scan(const char *path, bool stream, struct dp_capture *cap, struct hwall_err *err)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint32_t room = 1024;
	pcap_t *p;
	int r = 0, rc;

	memset(cap, 0, sizeof(*cap));
	if (access(path, R_OK) < 0) {
		r = hwall_neg_errno();
		return hwall_err_set(err, r, "%s: %s", path, hwall_strerror(r));
	}
	p = capture_open(path, perr);
	if (!p)
		return hwall_err_set(err, -EINVAL, "%s: not a readable pcap file: %s", path, perr);
	if (pcap_datalink(p) != DLT_EN10MB) {
		r = hwall_err_set(err, -EINVAL, "%s: link type %s, only Ethernet captures are supported",
				  path, pcap_datalink_val_to_name(pcap_datalink(p)) ?: "unknown");
		goto out_close;
	}
	cap->stream = stream;
	cap->ts_ns = malloc(room * sizeof(*cap->ts_ns));
	while (cap->ts_ns && (rc = pcap_next_ex(p, &h, &data)) == 1) {
		if (stream) { /* counted, nothing kept per packet */
		} else if (cap->count == room) {
			uint64_t *n = realloc(cap->ts_ns, 2 * room * sizeof(*n));
			if (!n)
				break;
			cap->ts_ns = n;
			room *= 2;
		}
		if (!stream)
			cap->ts_ns[cap->count] = ts_ns_of(h);
		cap->count++;
		cap->bytes += h->caplen;
		cap->mbufs += h->caplen ? (h->caplen + MBUF_ROOM - RTE_PKTMBUF_HEADROOM - 1) /
						  (MBUF_ROOM - RTE_PKTMBUF_HEADROOM)
					: 1;
	}
	if (!cap->ts_ns || (!stream && cap->count == room && rc == 1)) {
		r = hwall_err_set(err, -ENOMEM, "%s: out of memory", path);
	} else if (rc == PCAP_ERROR) {
		r = hwall_err_set(err, -EINVAL, "%s: %s", path, pcap_geterr(p));
	}
out_close:
	pcap_close(p);
	if (r < 0) {
		free(cap->ts_ns);
		cap->ts_ns = NULL;
	}
	return r;
}

static int eal_start(uint64_t mem_mb, unsigned int lcores, struct hwall_err *err)
{
	char mem[32], prefix[64], cores[32];
	char *argv[] = { "hashwall-dataplane", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
			 "-l", cores, "--log-level=error", "-m", mem, prefix, NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	snprintf(mem, sizeof(mem), "%" PRIu64, mem_mb);
	snprintf(cores, sizeof(cores), "0-%u", lcores ? lcores - 1 : 0);
	snprintf(prefix, sizeof(prefix), "--file-prefix=hwdp-%d", (int)getpid());
	if (rte_eal_init(argc, argv) < 0)
		return hwall_err_set(err, rte_errno ? -rte_errno : -EIO, "EAL start failed: %s",
				     rte_strerror(rte_errno));
	return 0;
}

/* Remove the EAL's runtime directory (it holds nothing with --no-shconf). */
static void runtime_dir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

/*
 * Frame @data of @len bytes in a chain of mbufs from @pool (the first one
 * holds 2 KiB: every header fits); NULL when the pool is empty.  libpcap,
 * not DPDK's net_pcap, reads the file: net_pcap cuts frames over 64 KiB
 * (BIG TCP) to their length modulo 65536.
 */
static struct rte_mbuf *frame_mbuf(struct rte_mempool *pool, const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t off = 0;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint32_t n;

		if (!m) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		n = rte_pktmbuf_tailroom(m) < len - off ? rte_pktmbuf_tailroom(m) : len - off;
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), data + off, n);
		m->data_len = (uint16_t)n;
		off += n;
		if (head) {
			tail->next = m;
			head->nb_segs++;
		} else {
			head = m;
		}
		tail = m;
	} while (off < len);
	head->pkt_len = len;
	return head;
}

/* Streaming: mbufs for what the worker may hold (out-of-order segments up
 * to its reassembly caps) and a few bursts, whatever the capture's size. */
#define STREAM_MBUFS 40960u

int dp_rx_load(const char *path, struct dp_capture *cap, unsigned int lcores, struct hwall_err *err)
{
	uint64_t n_mbufs = cap->mbufs + 512;
	uint64_t mem_mb;
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int r;

	if (cap->stream && n_mbufs > STREAM_MBUFS)
		n_mbufs = STREAM_MBUFS;
	/* Without hugepages an mbuf may not cross a 4 KiB page: one per page. */
	mem_mb = n_mbufs * 4096 / (1u << 20) * 11 / 10 + 128;
	r = eal_start(mem_mb, lcores, err);
	if (r < 0)
		return r;
	cap->eal = true;
	cap->pool = rte_pktmbuf_pool_create("dp_replay", (unsigned int)n_mbufs, 0, 0, MBUF_ROOM,
					    (int)rte_socket_id());
	if (!cap->pool)
		return hwall_err_set(err, -ENOMEM, "cannot allocate %" PRIu64 " mbufs: %s", n_mbufs,
				     rte_strerror(rte_errno));
	p = capture_open(path, perr);
	if (!p)
		return hwall_err_set(err, -EIO, "%s: %s", path, perr);
	if (cap->stream) {
		cap->pcap = p;
		return 0;
	}
	cap->pkts = calloc(cap->count ? cap->count : 1, sizeof(*cap->pkts));
	while (cap->pkts && cap->loaded < cap->count && pcap_next_ex(p, &h, &data) == 1 &&
	       (cap->pkts[cap->loaded] = frame_mbuf(cap->pool, data, h->caplen)))
		cap->loaded++;
	pcap_close(p);
	if (!cap->pkts)
		return hwall_err_set(err, -ENOMEM, "out of memory");
	if (cap->loaded != cap->count)
		return hwall_err_set(err, -EIO, "%s: read %" PRIu32 " of %" PRIu32 " packets", path,
				     cap->loaded, cap->count);
	return 0;
}

/* Every cache line of @m's first segment: the body bytes are read once,
 * by the digests, and a frame spans up to 24 lines that the hardware
 * prefetcher (which stops at each page) would fetch one miss at a time. */
static inline void prefetch_frame(struct rte_mbuf *m)
{
	uintptr_t p = rte_pktmbuf_mtod(m, uintptr_t) & ~(uintptr_t)(RTE_CACHE_LINE_SIZE - 1);
	uintptr_t end = rte_pktmbuf_mtod(m, uintptr_t) + m->data_len;

	for (; p < end; p += RTE_CACHE_LINE_SIZE)
		rte_prefetch0((const void *)p);
}

/* Both cache lines of an mbuf header (part 2 holds m->next). */
static inline void prefetch_mbuf(struct rte_mbuf *m)
{
	rte_mbuf_prefetch_part1(m);
	rte_mbuf_prefetch_part2(m);
}

void dp_rx_burst(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n, const uint64_t *now_ns)
{
	if (w->live)
		dp_worker_refresh_sets(w);
	for (uint16_t i = 0; i < n && i < PREFETCH_MBUF; i++)
		prefetch_mbuf(pkts[i]);
	for (uint16_t i = 0; i < n && i < PREFETCH_FRAME; i++)
		prefetch_frame(pkts[i]);
	for (uint16_t i = 0; i < n; i++) {
		if (i + PREFETCH_MBUF < n)
			prefetch_mbuf(pkts[i + PREFETCH_MBUF]);
		if (i + PREFETCH_FRAME < n)
			prefetch_frame(pkts[i + PREFETCH_FRAME]);
		/* Idle flows go before the packet that finds them idle,
		 * whatever the burst boundaries or the worker's share of the
		 * traffic: the outcome does not depend on batching. */
		if (now_ns[i] >= w->next_expire_ns) {
			dp_worker_expire(w, now_ns[i]);
			w->next_expire_ns = now_ns[i] + DP_EXPIRE_TICK_NS;
		}
		dp_worker_burst_packet(w, pkts[i], now_ns[i]);
	}
	dp_worker_burst_end(w);
}

/* Read up to DP_RX_BURST frames of a streamed capture into @pkts; a frame
 * the pool has no room for (the worker holds them all) is counted and
 * skipped.  Returns how many, 0 at the end. */
static uint16_t stream_read(struct dp_worker *w, struct dp_capture *cap, struct rte_mbuf **pkts,
			    uint64_t *ts)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint16_t n = 0;

	while (n < DP_RX_BURST && pcap_next_ex(cap->pcap, &h, &data) == 1) {
		if (!(pkts[n] = frame_mbuf(cap->pool, data, h->caplen))) {
			w->ctr.packets++;
			w->ctr.drop[DP_DROP_pkt_no_mbuf]++;
			continue;
		}
		ts[n++] = ts_ns_of(h);
	}
	return n;
}

/* One pass reading the capture as it goes: a burst in memory at a time. */
static void stream_pass(struct dp_worker *w, struct dp_capture *cap)
{
	struct rte_mbuf *pkts[DP_RX_BURST];
	uint64_t ts[DP_RX_BURST];
	uint16_t n;

	while ((n = stream_read(w, cap, pkts, ts)) > 0) {
		dp_rx_burst(w, pkts, n, ts);
		rte_pktmbuf_free_bulk(pkts, n);
		cap->loaded += n;
	}
}

void dp_rx_replay_pass(struct dp_worker *w, struct dp_capture *cap)
{
	if (cap->stream)
		stream_pass(w, cap);
	for (uint32_t i = 0; !cap->stream && i < cap->loaded; i += DP_RX_BURST) {
		uint32_t n = cap->loaded - i < DP_RX_BURST ? cap->loaded - i : DP_RX_BURST;
		dp_rx_burst(w, cap->pkts + i, (uint16_t)n, cap->ts_ns + i);
	}
	dp_worker_flush(w);
	w->next_expire_ns = 0; /* the next pass starts the clock again */
}

unsigned int dp_rx_worker_of(struct rte_mbuf *m, const struct dp_ports *ports, unsigned int n)
{
	struct dp_pkt pkt;
	struct dp_flow_key key;

	if (dp_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
		     rte_pktmbuf_pkt_len(m), ports, &pkt) != DP_DROP_COUNT)
		return 0;
	dp_flow_key_of(&pkt, &key);
	return rte_hash_crc(&key, sizeof(key), 0x68776470) % n;
}

int dp_capture_split(const struct dp_capture *cap, const struct dp_ports *ports, unsigned int n,
		     struct dp_capture *parts)
{
	uint32_t *to = calloc(cap->loaded ? cap->loaded : 1, sizeof(*to));

	memset(parts, 0, n * sizeof(*parts));
	if (!to)
		return -ENOMEM;
	for (uint32_t i = 0; i < cap->loaded; i++) {
		to[i] = dp_rx_worker_of(cap->pkts[i], ports, n);
		parts[to[i]].count++;
	}
	for (unsigned int k = 0; k < n; k++) {
		parts[k].pkts = calloc(parts[k].count + 1, sizeof(*parts[k].pkts));
		parts[k].ts_ns = calloc(parts[k].count + 1, sizeof(*parts[k].ts_ns));
		if (!parts[k].pkts || !parts[k].ts_ns) {
			free(to);
			dp_capture_parts_free(parts, n);
			return -ENOMEM;
		}
	}
	for (uint32_t i = 0; i < cap->loaded; i++) {
		struct dp_capture *p = &parts[to[i]];

		p->pkts[p->loaded] = cap->pkts[i];
		p->ts_ns[p->loaded++] = cap->ts_ns[i];
	}
	free(to);
	return 0;
}

void dp_capture_parts_free(struct dp_capture *parts, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		free(parts[k].pkts);
		free(parts[k].ts_ns);
	}
	memset(parts, 0, n * sizeof(*parts));
}

void dp_rx_eal_cleanup(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	runtime_dir_remove(dir);
}

void dp_capture_free(struct dp_capture *cap)
{
	for (uint32_t i = 0; i < cap->loaded; i++)
		rte_pktmbuf_free(cap->pkts[i]);
	free(cap->pkts);
	if (cap->pcap)
		pcap_close(cap->pcap);
	rte_mempool_free(cap->pool);
	if (cap->eal)
		dp_rx_eal_cleanup();
	free(cap->ts_ns);
	memset(cap, 0, sizeof(*cap));
}
