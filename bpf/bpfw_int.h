/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpfw_int.h - internals of the loader library shared by bpfw.c (pins,
 * program load, attach) and bpfw_maps.c (map entries, counters, mirror).
 */
#ifndef HASHWALL_BPF_BPFW_INT_H
#define HASHWALL_BPF_BPFW_INT_H

#include <limits.h>

#include "bpfw.h"

enum bpfw_map {
	BPFW_MAP_URLS,
	BPFW_MAP_FLOWS,
	BPFW_MAP_COUNTERS,
	BPFW_MAP_MIRROR,
	BPFW_MAP_COUNT
};

struct bpfw {
	char root[PATH_MAX / 2];
	uint32_t urls_max;
	uint32_t flows_max;
	int map_fd[BPFW_MAP_COUNT]; /* -1 until opened */
	char *vlog;                 /* verifier log, BPFW_VLOG_SIZE bytes */
};

#define BPFW_VLOG_SIZE (4u << 20)

/* Set @err to "what @fmt says: errno text of @r"; returns @r (a negative errno). */
int bpfw_fail(struct hwall_err *err, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Open the pinned maps, creating and pinning them first if needed. */
int bpfw_maps_open(struct bpfw *b, struct hwall_err *err);

/* CLOCK_MONOTONIC now + @ttl_s, in ns: the clock of bpf_ktime_get_ns()
 * (hwall_mono_ns() reads it now). */
uint64_t bpfw_expiry(uint32_t ttl_s);

#endif
