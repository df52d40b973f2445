/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hwall_test.h - what every CUnit test program of hashwall shares: a main()
 * helper that runs one table of tests and exits non-zero on any failure,
 * temporary directories removed at exit, and a deterministic PRNG for
 * synthetic bodies and digests (tests never use real content).
 */
#ifndef HASHWALL_TESTS_HWALL_TEST_H
#define HASHWALL_TESTS_HWALL_TEST_H

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

/* Run @tests (ended by CU_TEST_INFO_NULL) as suite @name; returns the exit
 * status for main(): 0 when every test passed. */
static inline int hwall_test_main(const char *name, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
		{ name, NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

#define HWALL_TEST_TMPDIRS_MAX 32
#define HWALL_TEST_TMPDIR_LEN 256

/* The temporary directories this program made; a slot whose owner is 0 is
 * free.  Slots never move: the paths handed out stay valid. */
static struct {
	char path[HWALL_TEST_TMPDIRS_MAX][HWALL_TEST_TMPDIR_LEN];
	pid_t owner[HWALL_TEST_TMPDIRS_MAX];
	bool at_exit;
} hwall_test_tmp;

static inline int hwall_test_rm_entry(const char *path, const struct stat *st, int flag,
				      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* Remove @dir and everything below it (links are removed, not followed).
 * Returns 0 or -errno. */
static inline int hwall_test_rmtree(const char *dir)
{
	return nftw(dir, hwall_test_rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -errno;
}

/* Free slot @i, removing its tree if this process made it: a forked
 * child never removes its parent's directories. */
static inline void hwall_test_tmp_drop(unsigned int i)
{
	if (hwall_test_tmp.owner[i] == getpid())
		hwall_test_rmtree(hwall_test_tmp.path[i]);
	hwall_test_tmp.owner[i] = 0;
}

static inline void hwall_test_tmp_at_exit(void)
{
	for (unsigned int i = 0; i < HWALL_TEST_TMPDIRS_MAX; i++)
		if (hwall_test_tmp.owner[i])
			hwall_test_tmp_drop(i);
}

/*
 * Make a new, empty directory @base/hwall-@tag-XXXXXX and return its path
 * (the helper's storage: valid until the directory is removed).  The
 * directory and everything put in it are removed when the program exits,
 * however the tests ended (a failed CU_ASSERT_FATAL leaves the test
 * function, not the program), or earlier by hwall_test_tmpdir_remove().
 * Returns NULL with errno set on failure.
 */
static inline const char *hwall_test_tmpdir_at(const char *base, const char *tag)
{
	unsigned int i = 0;
	char *p;

	while (i < HWALL_TEST_TMPDIRS_MAX && hwall_test_tmp.owner[i])
		i++;
	if (i == HWALL_TEST_TMPDIRS_MAX) {
		errno = EMFILE;
		return NULL;
	}
	p = hwall_test_tmp.path[i];
	if ((size_t)snprintf(p, HWALL_TEST_TMPDIR_LEN, "%s/hwall-%s-XXXXXX", base, tag) >=
	    HWALL_TEST_TMPDIR_LEN) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (!hwall_test_tmp.at_exit && atexit(hwall_test_tmp_at_exit) != 0)
		return NULL;
	hwall_test_tmp.at_exit = true;
	if (!mkdtemp(p))
		return NULL;
	hwall_test_tmp.owner[i] = getpid();
	return p;
}

/* hwall_test_tmpdir_at() in /tmp, not $TMPDIR: the unix sockets tests
 * make inside stay far below the 108-byte limit of their paths. */
static inline const char *hwall_test_tmpdir(const char *tag)
{
	return hwall_test_tmpdir_at("/tmp", tag);
}

/* Remove @dir (a path hwall_test_tmpdir() returned) and its contents now. */
static inline void hwall_test_tmpdir_remove(const char *dir)
{
	for (unsigned int i = 0; i < HWALL_TEST_TMPDIRS_MAX; i++)
		if (hwall_test_tmp.owner[i] && hwall_test_tmp.path[i] == dir)
			hwall_test_tmp_drop(i);
}

/* The table hwall_test_main_table() runs: CUnit calls the tests in order,
 * so the i-th call of hwall_test_next_row() runs row i. */
static struct {
	void (*run)(size_t row);
	size_t next;
} hwall_test_rows;

static inline void hwall_test_next_row(void)
{
	hwall_test_rows.run(hwall_test_rows.next++);
}

/*
 * Run a table-driven test program as suite @name: one test per row, the
 * i-th named @row_name(i) and running @run_row(i), then the tests of
 * @extra (ended by CU_TEST_INFO_NULL).  Returns the exit status for main().
 */
static inline int hwall_test_main_table(const char *name, size_t rows,
					const char *(*row_name)(size_t row),
					void (*run_row)(size_t row), const CU_TestInfo *extra)
{
	size_t n_extra = 0;
	CU_TestInfo *tests;
	int r;

	while (extra[n_extra].pName)
		n_extra++;
	tests = calloc(rows + n_extra + 1, sizeof(*tests));
	if (!tests)
		return 2;
	for (size_t i = 0; i < rows; i++)
		tests[i] = (CU_TestInfo){ row_name(i), hwall_test_next_row };
	memcpy(tests + rows, extra, n_extra * sizeof(*tests));
	hwall_test_rows.run = run_row;
	hwall_test_rows.next = 0;
	r = hwall_test_main(name, tests);
	free(tests);
	return r;
}

/* splitmix64: a small, fast, well-mixed PRNG; same seed, same bytes. */
static inline uint64_t hwall_test_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fill @buf with @len synthetic bytes from @state. */
static inline void hwall_test_rand_bytes(uint64_t *state, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		uint64_t r = hwall_test_rand(state);
		size_t n = len < 8 ? len : 8;
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)(r >> (8 * i));
		p += n;
		len -= n;
	}
}

#endif
