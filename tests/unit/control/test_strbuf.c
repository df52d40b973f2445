/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for control/strbuf.c: the text buffer, and CSV fields that
 * are quoted as RFC 4180 says and never run as a spreadsheet formula. */
#include "control/strbuf.h"
#include "common/errors.h"
#include "hwall_test.h"

#include <stdlib.h>
#include <string.h>

/* @fields as one CSV row, as the exports write it. */
static char *row(const char *const *fields, size_t n)
{
	struct ctl_sb sb = { 0 };
	size_t len;

	for (size_t i = 0; i < n; i++)
		ctl_sb_csv(&sb, fields[i], i == 0);
	return ctl_sb_take(&sb, &len);
}

static void test_csv_quoting(void)
{
	static const char *const f[] = { "plain", "with \"quotes\"", "a,b", "", "line\nbreak" };
	char *r = row(f, HWALL_ARRAY_SIZE(f));

	CU_ASSERT_STRING_EQUAL(r, "\"plain\",\"with \"\"quotes\"\"\",\"a,b\",\"\",\"line\nbreak\"");
	free(r);
}

/* OWASP's list: '=', '+', '-', '@', tab, carriage return at the start. */
static void test_csv_formulas_neutralised(void)
{
	static const char *const f[] = { "=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3",
					 "@SUM(A1)", "\tx", "\r=1", "=", "\"=quoted\"" };
	char *r = row(f, HWALL_ARRAY_SIZE(f));

	CU_ASSERT_STRING_EQUAL(r, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"'+1+1\",\"'-2+3\","
				  "\"'@SUM(A1)\",\"'\tx\",\"'\r=1\",\"'=\",\"\"\"=quoted\"\"\"");
	free(r);
	CU_ASSERT_TRUE(ctl_csv_formula("=1"));
	CU_ASSERT_FALSE(ctl_csv_formula("a=1"));
	CU_ASSERT_FALSE(ctl_csv_formula(" =1"));
	CU_ASSERT_FALSE(ctl_csv_formula(""));
	CU_ASSERT_FALSE(ctl_csv_formula("h.example"));
}

static void test_printf_and_take(void)
{
	struct ctl_sb sb = { 0 };
	size_t len = 0;
	char *t;

	for (int i = 0; i < 2000; i++)
		ctl_sb_printf(&sb, "%04d", i);
	t = ctl_sb_take(&sb, &len);
	CU_ASSERT_EQUAL(len, 8000);
	CU_ASSERT_EQUAL(strncmp(t + 7996, "1999", 4), 0);
	free(t);
	CU_ASSERT_PTR_NULL(sb.buf);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "CSV quoting (RFC 4180)", test_csv_quoting },
		{ "CSV formulas neutralised", test_csv_formulas_neutralised },
		{ "printf and take", test_printf_and_take },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/strbuf", tests);
}
