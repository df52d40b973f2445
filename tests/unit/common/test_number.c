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

static void test_prefix(void)
{
	const char *end = "untouched";
	uint64_t v = 42;

	CU_ASSERT_EQUAL(hwall_parse_u64_prefix("15m", 1, 100, &v, &end), 0);
	CU_ASSERT_EQUAL(v, 15);
	CU_ASSERT_STRING_EQUAL(end, "m");
	CU_ASSERT_EQUAL(hwall_parse_u64_prefix("80,443", 1, 65535, &v, &end), 0);
	CU_ASSERT_EQUAL(v, 80);
	CU_ASSERT_STRING_EQUAL(end, ",443");
	CU_ASSERT_EQUAL(hwall_parse_u64_prefix("7", 0, 10, &v, &end), 0);
	CU_ASSERT_STRING_EQUAL(end, "");
	v = 42;
	end = "untouched";
	CU_ASSERT_EQUAL(hwall_parse_u64_prefix("m15", 0, 100, &v, &end), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_u64_prefix(" 1", 0, 100, &v, &end), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_u64_prefix("0,1", 1, 100, &v, &end), -ERANGE);
	CU_ASSERT_EQUAL(hwall_parse_u64_prefix("65536,1", 1, 65535, &v, &end), -ERANGE);
	CU_ASSERT_EQUAL(hwall_parse_u64_prefix("99999999999999999999d", 0, UINT64_MAX, &v, &end),
			-ERANGE);
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_STRING_EQUAL(end, "untouched");
}

static void test_signed(void)
{
	int64_t v = 1;

	CU_ASSERT_EQUAL(hwall_parse_i64("-7", INT64_MIN, INT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, -7);
	CU_ASSERT_EQUAL(hwall_parse_i64("0", -1, 1, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(hwall_parse_i64("-0", -1, 1, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(hwall_parse_i64("9223372036854775807", INT64_MIN, INT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, INT64_MAX);
	CU_ASSERT_EQUAL(hwall_parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, INT64_MIN);
	v = 42;
	CU_ASSERT_EQUAL(hwall_parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &v), -ERANGE);
	CU_ASSERT_EQUAL(hwall_parse_i64("-9223372036854775809", INT64_MIN, INT64_MAX, &v), -ERANGE);
	CU_ASSERT_EQUAL(hwall_parse_i64("-5", 1, 10, &v), -ERANGE);
	CU_ASSERT_EQUAL(hwall_parse_i64("11", 1, 10, &v), -ERANGE);
	CU_ASSERT_EQUAL(hwall_parse_i64("", 0, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_i64("-", 0, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_i64("--1", -10, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_i64("+1", 0, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_i64(" 1", 0, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_i64("- 1", -10, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(hwall_parse_i64("1x", 0, 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(v, 42);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "accepts", test_accepts },
		{ "refuses", test_refuses },
		{ "a number before a unit or separator", test_prefix },
		{ "signed", test_signed },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/number", tests);
}
