/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws_test_util.h - helpers shared by the hws unit tests: a temporary
 * directory per test program (hwall_test_tmpdir()) and random entries
 * from the test PRNG.
 */
#ifndef HASHWALL_TESTS_HWS_TEST_UTIL_H
#define HASHWALL_TESTS_HWS_TEST_UTIL_H

#include "hashsync/hws.h"
#include "hwall_test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *test_dir;

/* Create the test directory (removed at exit); called once from main(). */
static inline void hws_test_dir_init(void)
{
	test_dir = hwall_test_tmpdir("hws");
	if (!test_dir)
		abort();
}

/* "<test_dir>/<name>" in a static buffer. */
static inline const char *hws_test_path(const char *name)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	return path;
}

/* Fill @n random entries of @algo from @seed into @out. */
static inline void hws_test_entries(uint64_t seed, enum hwall_algo algo, struct hws_entry *out,
				    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].algo = algo;
		hwall_test_rand_bytes(&seed, out[i].digest, hwall_algo_len(algo));
		out[i].category = (uint8_t)(i % 7);
		out[i].ref = (uint32_t)(i * 2654435761u);
	}
}

/* Number of files in the test directory. */
static inline int hws_test_dir_files(void)
{
	DIR *d = opendir(test_dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

#endif
