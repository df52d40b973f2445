/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_test_suite.h - main() of a control test that needs a suite set-up
 * and tear-down (a store, a server): one CUnit suite with init and clean.
 */
#ifndef HASHWALL_TESTS_CTL_TEST_SUITE_H
#define HASHWALL_TESTS_CTL_TEST_SUITE_H

#include "hwall_test.h"

/* Run @tests as one suite with @init and @clean; the exit status for main(). */
static inline int ctl_test_run_suite(const char *name, CU_InitializeFunc init,
				     CU_CleanupFunc clean, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
		{ name, init, clean, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS || CU_register_suites(suites) != CUE_SUCCESS)
		return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
		 CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

#endif
