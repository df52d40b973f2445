/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * events.h - stage 9: object, match and stats events as JSON lines.
 *
 * Reads: a finished object with its connection's server address and port
 * and the client's pseudonym (never the address), the matches, the
 * counters.  Writes: one JSON object per line:
 *
 *   {"event":"object","ts":...,"server_ip":...,"server_port":...,"client":...,
 *    "direction":"download"|"upload",
 *    "host":...,"path":...,"method":...[,"host_truncated":true]
 *    [,"path_truncated":true][,"request_lost":true],"status":...,"size":...,
 *    "complete":...,"partial":...[,"range":{"start":S,"end":E,"total":T|null}]
 *    [,"stitched":true],"outcome":...[,"content_encoding":"gzip","decoded":B
 *    [,"decoded_size":N]],"digests":{"xxh3-128":...}[,"wire_digests":{...}]}
 *   {"event":"match", the same fields, "set","set_version","algo",
 *    "digest","category","ref"[,"matched","distance","quality","variant"]}
 *    (the last four for a pdq match: digest is the object's PDQ hash,
 *    matched the listed entry, variant the nearest dihedral transform)
 *   {"event":"stats", every counter, "seconds","packets","bytes",
 *    "body_bytes","gbps"[, the worker time fields of dp_event_stats_cpu()]}
 *
 * Every line is written by the one JSON writer (common/json_writer.h).
 * Strings from the wire (host, path, method) go through hwall_json_wire():
 * '"' and '\' as JSON escapes, control bytes, DEL and bytes over 0x7f
 * percent-encoded (%XX), so every line is valid UTF-8 JSON.  Replay writes
 * to a stdio stream; live workers queue the same records to the service
 * thread.
 */
#ifndef HASHWALL_DATAPLANE_EVENTS_H
#define HASHWALL_DATAPLANE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/json_writer.h"
#include "common/pseudo.h"
#include "dataplane/counters.h"
#include "dataplane/http.h"
#include "dataplane/mbhash/mbh.h"
#include "dataplane/verdict.h"

#define DP_EVENT_MAX 8192 /* bytes of one object or match line */

/* What an object or match event says besides the object itself. */
struct dp_event_obj {
	uint64_t ts_ns;  /* when the object ended: capture time (replay), wall clock (live) */
	uint8_t server[16];
	uint8_t family;
	uint16_t server_port;
	char client[HWALL_PSEUDO_HEX];
	const struct dp_obj *obj;
};

/*
 * Format one event line (with its newline and a NUL) into @buf of @cap bytes: an
 * object event, or a match event when @m is not NULL.  Returns the length,
 * or 0 when it did not fit (the line is then not written).
 */
size_t dp_event_format(char *buf, size_t cap, const struct dp_event_obj *e, const struct dp_match *m);

/* Every drop counter of @c, then every info counter, as members
 * "<counter name>":<value> of the object open in @w. */
void dp_event_drops_json(struct hwall_json *w, const struct dp_counters *c);
void dp_event_info_json(struct hwall_json *w, const struct dp_counters *c);

/* Write the stats event for @c (one line). @seconds of processing. */
void dp_event_stats(FILE *out, const struct dp_counters *c, double seconds);

/* Where the workers' time went (replay: the passes over the capture). */
struct dp_cpu_use {
	unsigned int workers;
	uint64_t tsc_cycles;  /* TSC ticks spent in the passes, summed over workers */
	uint64_t tsc_hz;      /* TSC ticks per second (rte_get_tsc_hz()) */
	double cpu_seconds;   /* CPU time of the worker threads over the same spans */
	enum mbh_impl mbh_impl;  /* the md5/sha1 kernels the workers ran (AUTO: not known) */
	struct mbh_stats mbh;    /* their counters, summed over the workers */
};

/* Percentage of @st's kernel lane slots for @a that hashed a block. */
double dp_mbh_lanes_pct(const struct mbh_stats *st, enum mbh_algo a);

/* Add a worker's md5/sha1 implementation and counters to @cpu. */
void dp_cpu_use_add_mbh(struct dp_cpu_use *cpu, const struct mbh_ctx *mbh);

/*
 * The stats event with the worker time of @cpu as well (NULL: as
 * dp_event_stats()): "workers", "worker_cycles", "tsc_hz",
 * "worker_seconds" (worker_cycles / tsc_hz), "worker_cpu_seconds" (lower
 * than worker_seconds when the OS took a worker's core away),
 * "cycles_per_packet" (worker_cycles / packets), "gbps_per_core"
 * (body bits / worker_seconds / 10^9), and, when known, "mbh_impl" (the
 * md5/sha1 implementation: avx512, avx2 or scalar).  (How full its lanes
 * were depends on how the traffic was split into bursts and workers, so
 * it is not in the event: see dp_mbh_lanes_pct().)
 */
void dp_event_stats_cpu(FILE *out, const struct dp_counters *c, double seconds,
			const struct dp_cpu_use *cpu);

#endif
