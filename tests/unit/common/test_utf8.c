/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/utf8.c: RFC 3629 validation and code point classes. */
#include "common/utf8.h"
#include "hwall_test.h"

#include <string.h>

#define UNTOUCHED 0xdeadu /* *ret_cp after an invalid sequence */

struct seq {
	const char *bytes;
	size_t len;     /* of the sequence at the start, 0: invalid */
	uint32_t cp;    /* the code point, UNTOUCHED for invalid ones */
};

static const struct seq seqs[] = {
	{ "A", 1, 0x41 },
	{ "\x7f", 1, 0x7f },
	{ "\xc2\x80", 2, 0x80 },
	{ "\xc3\xa9", 2, 0xe9 },
	{ "\xdf\xbf", 2, 0x7ff },
	{ "\xe0\xa0\x80", 3, 0x800 },
	{ "\xe2\x80\xae", 3, 0x202e },
	{ "\xed\x9f\xbf", 3, 0xd7ff },
	{ "\xee\x80\x80", 3, 0xe000 },
	{ "\xef\xbf\xbf", 3, 0xffff },
	{ "\xf0\x90\x80\x80", 4, 0x10000 },
	{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
	{ "\x80", 0, UNTOUCHED },                 /* a continuation byte alone */
	{ "\xc0\xaf", 0, UNTOUCHED },             /* overlong '/' */
	{ "\xc1\xbf", 0, UNTOUCHED },             /* overlong */
	{ "\xe0\x80\xaf", 0, UNTOUCHED },         /* overlong '/' */
	{ "\xed\xa0\x80", 0, UNTOUCHED },         /* U+D800, a surrogate */
	{ "\xed\xbf\xbf", 0, UNTOUCHED },         /* U+DFFF */
	{ "\xf0\x80\x80\xaf", 0, UNTOUCHED },     /* overlong */
	{ "\xf4\x90\x80\x80", 0, UNTOUCHED },     /* U+110000 */
	{ "\xf5\x80\x80\x80", 0, UNTOUCHED },
	{ "\xff", 0, UNTOUCHED },
	{ "\xc3", 0, UNTOUCHED },                 /* cut short */
	{ "\xe2\x80", 0, UNTOUCHED },
	{ "\xe2\x28\xa1", 0, UNTOUCHED },         /* bad continuation */
	{ "\xf0\x90\x28\x80", 0, UNTOUCHED },
};

static void test_sequences(void)
{
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		uint32_t cp = UNTOUCHED;
		size_t n = hwall_utf8_next(seqs[i].bytes, strlen(seqs[i].bytes), &cp);
		CU_ASSERT_EQUAL(n, seqs[i].len);
		CU_ASSERT_EQUAL(cp, seqs[i].cp);
		CU_ASSERT_EQUAL(hwall_utf8_valid(seqs[i].bytes, strlen(seqs[i].bytes)),
				seqs[i].len > 0);
	}
	/* never reads past the length it is given */
	CU_ASSERT_EQUAL(hwall_utf8_next("\xc3\xa9", 1, &(uint32_t){ 0 }), 0);
	CU_ASSERT_EQUAL(hwall_utf8_next("", 0, &(uint32_t){ 0 }), 0);
}

static void test_strings(void)
{
	CU_ASSERT_TRUE(hwall_utf8_valid("", 0));
	CU_ASSERT_TRUE(hwall_utf8_valid("gepr\xc3\xbc" "ft \xe2\x9c\x93", 12));
	CU_ASSERT_TRUE(hwall_utf8_valid("a\0b", 3)); /* NUL is the caller's business */
	CU_ASSERT_FALSE(hwall_utf8_valid("ok \xe9t\xe9", 6)); /* Latin-1 */
	CU_ASSERT_FALSE(hwall_utf8_valid("ok\xc3", 3));
}

static void test_classes(void)
{
	CU_ASSERT_TRUE(hwall_utf8_is_control(0x00));
	CU_ASSERT_TRUE(hwall_utf8_is_control(0x1b));
	CU_ASSERT_TRUE(hwall_utf8_is_control(0x7f));
	CU_ASSERT_TRUE(hwall_utf8_is_control(0x9b));
	CU_ASSERT_FALSE(hwall_utf8_is_control(0x20));
	CU_ASSERT_FALSE(hwall_utf8_is_control(0xa0));
	CU_ASSERT_TRUE(hwall_utf8_is_layout(0x202e));
	CU_ASSERT_TRUE(hwall_utf8_is_layout(0x2066));
	CU_ASSERT_TRUE(hwall_utf8_is_layout(0x2028));
	CU_ASSERT_FALSE(hwall_utf8_is_layout(0x2030));
	CU_ASSERT_FALSE(hwall_utf8_is_layout(0xe9));
}

static void test_escape(void)
{
	static const char in[] = "a\x1b[2J\x07 \xc2\x9b \xe2\x80\xae \\ \xff \xc3\xa9\n";
	char out[4 * sizeof(in) + 1], small[8];

	CU_ASSERT_EQUAL(hwall_utf8_escape(in, sizeof(in) - 1, out, sizeof(out), true), 41);
	CU_ASSERT_STRING_EQUAL(out, "a\\x1b[2J\\x07 \\u009b \\u202e \\\\ \\xff \xc3\xa9\\x0a");
	hwall_utf8_escape(in, sizeof(in) - 1, out, sizeof(out), false);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " \\ \\xff"));
	/* cut before what does not fit, never inside an escape */
	CU_ASSERT_EQUAL(hwall_utf8_escape(in, sizeof(in) - 1, small, 5, true), 1);
	CU_ASSERT_STRING_EQUAL(small, "a");
	CU_ASSERT_EQUAL(hwall_utf8_escape(in, sizeof(in) - 1, small, sizeof(small), true), 7);
	CU_ASSERT_STRING_EQUAL(small, "a\\x1b[2");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "sequences: valid, overlong, surrogates, too large, cut", test_sequences },
		{ "strings", test_strings },
		{ "control and layout code points", test_classes },
		{ "escaping for a terminal", test_escape },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/utf8", tests);
}
