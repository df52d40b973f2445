/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hwall_test.h - what every CUnit test program of hashwall shares: a main()
 * helper that runs one table of tests and exits non-zero on any failure, and
 * a deterministic PRNG for synthetic bodies and digests (tests never use
 * real content).
 */
#ifndef HASHWALL_TESTS_HW_TEST_H
#define HASHWALL_TESTS_HW_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
