/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * set_bench.h - lookup throughput measurement shared by `hashwall-set bench`
 * and tests/bench/hashsync.
 */
#ifndef HASHWALL_HASHSYNC_SET_BENCH_H
#define HASHWALL_HASHSYNC_SET_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include "hashsync/hws.h"

struct hws_bench_result {
	double single_hit, single_miss, bulk_hit, bulk_miss; /* lookups per second */
	uint64_t lookups; /* per figure */
};

/*
 * Measure lookups of @algo in @set: hits use digests taken from the set,
 * misses random digests.  Returns 0, -ENOENT when the set has no @algo
 * entries, -ENOMEM, or -EIO when a lookup gives a wrong answer.
 */
int hws_bench_algo(const struct hws_set *set, enum hwall_algo algo, struct hws_bench_result *ret);

/* Print one result as an aligned block of lines. */
void hws_bench_print(FILE *out, enum hwall_algo algo, const struct hws_bench_result *r);

#endif
