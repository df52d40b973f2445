/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rx.h - stage 1: getting frames into mbufs.
 *
 * For replay: check a capture with libpcap (readable, Ethernet link type,
 * packet count and timestamps), start the EAL (no hugepages, no PCI, a
 * file prefix unique to the process), and either read every frame into an
 * array of mbufs held in memory, so that passes over the packets never
 * touch the disk (--loop, several workers), or stream it: a burst read,
 * run and freed at a time, memory bounded whatever the capture's size.  Then run bursts of those mbufs
 * through a worker.  Live ports (several queues, one worker per core) come
 * with the next dataplane issue and reuse dp_rx_burst().
 */
#ifndef HASHWALL_DATAPLANE_RX_H
#define HASHWALL_DATAPLANE_RX_H

#include <stdbool.h>
#include <stdint.h>

#include "common/errors.h"
#include "dataplane/worker.h"

struct rte_mbuf;
struct rte_mempool;

#define DP_RX_BURST 32
/* Idle flows are looked for at most this often (clock of the packets). */
#define DP_EXPIRE_TICK_NS 100000000ull

/* What a check of a capture found. */
struct dp_capture {
	uint64_t *ts_ns;  /* capture time of each packet (not when streamed) */
	uint32_t count;   /* packets */
	uint64_t bytes;   /* captured bytes */
	uint64_t mbufs;   /* mbufs needed to hold them all */
	struct rte_mbuf **pkts; /* after dp_rx_load(), unless streamed */
	uint32_t loaded;  /* streamed: packets read so far */
	struct rte_mempool *pool;
	void *pcap;       /* streamed: the open capture (pcap_t) */
	bool stream;      /* read a burst at a time while replaying */
	bool eal;
};

/*
 * Read the capture at @path with libpcap.  Returns 0, or -errno with @err
 * saying why: cannot open, not a pcap, not Ethernet, truncated.  With
 * @stream, nothing is kept per packet (the replay reads the file again as
 * it goes).  Free with dp_capture_free().
 */
int dp_capture_scan(const char *path, bool stream, struct dp_capture *cap, struct hwall_err *err);

/*
 * Start the EAL for replaying @path on @lcores lcores (0..lcores-1) and
 * load every packet into memory (cap->pkts), in chains of mbufs (frames
 * over 64 KiB too); a streamed capture gets a pool of a fixed size
 * instead, and is opened for dp_rx_replay_pass().  Returns 0 or -errno
 * with @err set.
 */
int dp_rx_load(const char *path, struct dp_capture *cap, unsigned int lcores, struct hwall_err *err);

/*
 * The worker (0..@n-1) of frame @m: a hash of its direction-normalised flow
 * key, so both directions of a connection land on the same worker; frames
 * that do not parse go to worker 0 (which counts them).  Replay's split and
 * the live workers' software steering use it.
 */
unsigned int dp_rx_worker_of(struct rte_mbuf *m, const struct dp_ports *ports, unsigned int n);

/*
 * Spread the loaded packets of @cap over @n workers the way symmetric RSS
 * would: by a hash of the direction-normalised flow key (both directions
 * of a connection to the same worker), capture order kept.  parts[k] gets
 * pkts, ts_ns and loaded (views: the mbufs stay @cap's).  Returns 0 or
 * -ENOMEM.  Free with dp_capture_parts_free().
 */
int dp_capture_split(const struct dp_capture *cap, const struct dp_ports *ports, unsigned int n,
		     struct dp_capture *parts);
void dp_capture_parts_free(struct dp_capture *parts, unsigned int n);

/*
 * One pass over the loaded packets through @w, a burst at a time, with the
 * capture timestamps as the clock; at the end every flow is flushed.  A
 * streamed capture is read a burst at a time (once: it is not rewound),
 * each burst's mbufs freed after it; a frame the fixed pool has no room
 * for counts pkt_no_mbuf.
 */
void dp_rx_replay_pass(struct dp_worker *w, struct dp_capture *cap);

/* Run @n frames through @w at @now_ns (prefetching ahead); the frames stay
 * the caller's, who may free them once this returns (the burst's md5/sha1
 * blocks are hashed at its end: dp_worker_burst_end()).  A worker following a published set list (w->live) first
 * reports a quiescent state and re-reads the list (dp_worker_refresh_sets).
 * Flows idle at a packet's time are removed before that packet (checked
 * every DP_EXPIRE_TICK_NS of packet time). */
void dp_rx_burst(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n, const uint64_t *now_ns);

/* Clean the EAL up and remove its runtime directory (which holds nothing
 * but the telemetry socket: the dataplane runs with --no-shconf or
 * --file-prefix of its own). */
void dp_rx_eal_cleanup(void);

/* Free the mbufs, close the capture, clean the EAL up; accepts a zeroed
 * @cap. */
void dp_capture_free(struct dp_capture *cap);

#endif
