/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_hws.c - the hash-set store's figures (issue targets in brackets):
 *   build time for N md5 entries          [10M: <= 10 s]
 *   open time, and the checksum's share   [<= 50 ms + checksum]
 *   bytes per entry on disk and in memory [<= 20]
 *   lookups per second, single and bulk   [bulk misses >= 20 M/s]
 *
 *   bench_hws [--dir DIR] [N ...]      (default N: 10000000 50000000)
 *
 * Digests are PRNG bytes.  Prints figures; asserts nothing about time.
 */
#include "hashsync/hws.h"
#include "hashsync/hws_format.h"
#include "hashsync/set_bench.h"
#include "common/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static uint64_t mix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int bench(const char *dir, uint64_t n)
{
	struct hws_builder *b = hws_builder_new("bench", 1);
	struct hws_write_stats st;
	struct hwall_err err;
	struct hws_set *set;
	struct hws_bench_result r;
	uint8_t sum[HWS_CHECKSUM_LEN];
	char path[4096];
	uint64_t seed = n;
	double t0, t_add, t_write, t_open, t_sum;
	FILE *f;

	snprintf(path, sizeof(path), "%s/bench-%llu.hws", dir, (unsigned long long)n);
	t0 = hwall_mono_s();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t d[2] = { mix(&seed), mix(&seed) };
		if (hws_builder_add(b, HWALL_ALGO_MD5, (const uint8_t *)d, (uint8_t)(i & 3), (uint32_t)i) < 0)
			return -ENOMEM;
	}
	t_add = hwall_mono_s() - t0;
	t0 = hwall_mono_s();
	if (hws_builder_write(b, path, &st, &err) < 0) {
		fprintf(stderr, "bench_hws: %s\n", err.msg);
		return -EIO;
	}
	t_write = hwall_mono_s() - t0;
	hws_builder_free(b);

	t0 = hwall_mono_s();
	if (hws_open(path, &set, &err) < 0) {
		fprintf(stderr, "bench_hws: %s\n", err.msg);
		return -EIO;
	}
	t_open = hwall_mono_s() - t0;
	/* The checksum's share: the same pass over the already mapped file. */
	f = fopen(path, "rb");
	uint8_t *copy = malloc(st.bytes);
	if (!f || !copy || fread(copy, 1, st.bytes, f) != st.bytes)
		return -EIO;
	fclose(f);
	t0 = hwall_mono_s();
	hws_checksum(copy, st.bytes, sum);
	t_sum = hwall_mono_s() - t0;
	free(copy);

	printf("md5 entries          %12llu\n", (unsigned long long)n);
	printf("build                %12.2f s   (add %.2f s, sort+merge+write+fsync %.2f s)\n",
	       t_add + t_write, t_add, t_write);
	printf("file                 %12llu bytes, %.2f bytes/entry on disk and mapped in memory\n",
	       (unsigned long long)st.bytes, (double)st.bytes / (double)n);
	printf("open                 %12.1f ms  (checksum alone %.1f ms, the rest %.1f ms)\n",
	       t_open * 1e3, t_sum * 1e3, (t_open - t_sum) * 1e3);
	if (hws_bench_algo(set, HWALL_ALGO_MD5, &r) < 0) {
		fprintf(stderr, "bench_hws: lookup benchmark failed (wrong answer)\n");
		return -EIO;
	}
	hws_bench_print(stdout, HWALL_ALGO_MD5, &r);
	hws_close(set);
	unlink(path);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = "/var/tmp";
	uint64_t sizes[16] = { 10000000, 50000000 };
	int n_sizes = 2, first = 1;

	if (argc > 2 && strcmp(argv[1], "--dir") == 0) {
		dir = argv[2];
		first = 3;
	}
	if (argc > first) {
		n_sizes = 0;
		for (int i = first; i < argc && n_sizes < 16; i++)
			sizes[n_sizes++] = strtoull(argv[i], NULL, 10);
	}
	for (int i = 0; i < n_sizes; i++) {
		if (bench(dir, sizes[i]) < 0)
			return 1;
		printf("\n");
	}
	return 0;
}
