/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpf_test.h - helpers the bpf unit tests share: running a loaded program
 * on one packet with bpf_prog_test_run_opts, reading and clearing the
 * per-CPU counters and clearing a hash map.  Expiry times are
 * hwall_mono_ns() + a TTL: CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns().
 */
#ifndef HASHWALL_TESTS_BPF_BPF_TEST_H
#define HASHWALL_TESTS_BPF_BPF_TEST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfw_shared.h"
#include "common/clock.h"

#define BT_PKT_MAX 4096
#define BT_RUN_FAILED (-1000)

/* Run @prog_fd once on @in; the (possibly rewritten) packet goes to @out
 * and its length to *out_len.  Returns the program's verdict, or -1 when
 * the kernel refused to run it. */
static inline int bt_run(int prog_fd, const void *in, size_t len, void *out, uint32_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = BT_PKT_MAX, .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &o) < 0)
		return BT_RUN_FAILED;
	*out_len = o.data_size_out;
	return (int)o.retval;
}

/* Sum over CPUs of counter @reason of the per-CPU array @map_fd. */
static inline uint64_t bt_counter(int map_fd, uint32_t reason)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v = calloc((size_t)ncpu, sizeof(*v)), sum = 0;

	if (v && bpf_map_lookup_elem(map_fd, &reason, v) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

static inline void bt_counters_clear(int map_fd)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v = calloc((size_t)ncpu, sizeof(*v));

	for (uint32_t r = 0; v && r < BPFW_REASON_COUNT; r++)
		bpf_map_update_elem(map_fd, &r, v, BPF_ANY);
	free(v);
}

/* Delete every entry of hash map @map_fd (keys up to 64 bytes). */
static inline void bt_map_clear(int map_fd)
{
	uint8_t key[64];

	while (bpf_map_get_next_key(map_fd, NULL, key) == 0)
		bpf_map_delete_elem(map_fd, key);
}

#endif
