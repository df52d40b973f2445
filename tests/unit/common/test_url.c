// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_url.c - the canonical form of request targets (common/url.h,
 * url_canon.h), row by row as docs/enforcement.md states it.
 */
#include <errno.h>
#include <string.h>

#include "common/errors.h"
#include "common/url.h"
#include "hwall_test.h"

static const struct {
	const char *in, *out;
} rows[] = {
	{ "/a.jpg", "/a.jpg" },
	{ "/%C3%A9.bin", "/%C3%A9.bin" },
	{ "/%c3%a9.bin", "/%C3%A9.bin" },
	{ "/\xc3\xa9.bin", "/%C3%A9.bin" },
	{ "/%41%7e%5F%2e%2D%30", "/A~_.-0" },
	{ "/a%2Fb", "/a/b" },
	{ "/a%2fb", "/a/b" },
	{ "/a%252Fb", "/a%252Fb" },
	{ "/a%3fb", "/a%3Fb" },
	{ "/a%20b%22", "/a%20b%22" },
	{ "/\x7f", "/%7F" },
	{ "/a%", "/a%25" },
	{ "/a%4", "/a%254" },
	{ "/a%zz", "/a%25zz" },
	{ "/a%4z", "/a%254z" },
	{ "/a%%41", "/a%25A" },
	{ "/a%4%41", "/a%254A" },
	{ "/a%\xff", "/a%25%FF" },
	{ "/a%4\xff", "/a%254%FF" },
	{ "/p?q=%41&r=\xe9", "/p?q=A&r=%E9" },
	{ "/p%?q", "/p%25?q" },
	{ "/p?q?r=%3f", "/p?q?r=%3F" },
	{ "?x", "?x" },
	{ "", "" },
};

static void test_rows(void)
{
	char out[256];
	size_t ok = 0;

	for (size_t i = 0; i < HWALL_ARRAY_SIZE(rows); i++) {
		int n = hwall_url_canon(rows[i].in, strlen(rows[i].in), out, sizeof(out));

		ok += n == (int)strlen(rows[i].out) && strcmp(out, rows[i].out) == 0;
	}
	CU_ASSERT_EQUAL(ok, HWALL_ARRAY_SIZE(rows));
}

static void test_canonical_is_a_fixed_point(void)
{
	char once[256], twice[256];
	size_t ok = 0;

	for (size_t i = 0; i < HWALL_ARRAY_SIZE(rows); i++) {
		int n = hwall_url_canon(rows[i].in, strlen(rows[i].in), once, sizeof(once));
		int m = hwall_url_canon(once, (size_t)n, twice, sizeof(twice));

		ok += n == m && strcmp(once, twice) == 0;
	}
	CU_ASSERT_EQUAL(ok, HWALL_ARRAY_SIZE(rows));
}

static void test_no_room(void)
{
	char out[6];

	CU_ASSERT_EQUAL(hwall_url_canon("/\xe9\xe9", 3, out, sizeof(out)), -ENOSPC);
	CU_ASSERT_EQUAL(hwall_url_canon("/\xe9", 2, out, sizeof(out)), 4);
	CU_ASSERT_EQUAL(hwall_url_canon("/ab", 3, out, 0), -ENOSPC);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "canonical form row by row", test_rows },
		{ "canonical of canonical is itself", test_canonical_is_a_fixed_point },
		{ "too small a buffer", test_no_room },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/url", tests);
}
