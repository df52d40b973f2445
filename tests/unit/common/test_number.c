/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/number.c: strict decimal numbers. */
#include "common/number.h"
#include "hwall_test.h"

#include <errno.h>

static void test_accepts(void)
{
	uint64_t v = 1;

	CU_ASSERT_EQUAL(hwall_parse_u64("0", 0, 10, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(hwall_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	CU_ASSERT_EQUAL(hwall_parse_u64("007", 7, 7, &v), 0);
	CU_ASSERT_EQUAL(v, 7);
}

static void test_refuses(void)
{
	uint64_t v = 42;

	CU_ASSERT_EQUAL(hwall_parse_u64("", 0, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_u64("-1", 0, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_u64("+1", 0, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_u64(" 1", 0, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_u64("1 ", 0, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_u64("0x10", 0, 100, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_u64("1e3", 0, 10000, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_u64("11", 0, 10, &v), -ERANGE);
	CU_ASSERT_EQUAL(hwall_parse_u64("0", 1, 10, &v), -ERANGE);
	CU_ASSERT_EQUAL(hwall_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	CU_ASSERT_EQUAL(v, 42); /* untouched on every failure */
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "accepts", test_accepts },
		{ "refuses", test_refuses },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/parse", tests);
}
