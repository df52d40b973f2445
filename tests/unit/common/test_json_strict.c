/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for common/json_strict.c: every leniency of cJSON that the
 * strict parser refuses, with the kind, offset or path it reports, and the
 * texts it must still accept.
 */
#include "common/json_strict.h"
#include "hwall_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct hwall_json_fault fault;
static unsigned int flags; /* for the next parse */

/* Parse @len bytes of @text; the tree is checked by the caller through
 * the return value only, then freed. */
static int parse_len(const char *text, size_t len)
{
	cJSON *root = NULL;
	int r;

	memset(&fault, 0xa5, sizeof(fault));
	r = hwall_json_parse_strict(text, len, flags, &root, &fault);
	CU_ASSERT_EQUAL(r == 0, root != NULL);
	cJSON_Delete(root);
	return r;
}

static int parse(const char *text)
{
	return parse_len(text, strlen(text));
}

static void expect_path(const char *text, enum hwall_json_fault_kind kind, const char *path)
{
	CU_ASSERT_EQUAL(parse(text), -EINVAL);
	CU_ASSERT_EQUAL(fault.kind, kind);
	CU_ASSERT_STRING_EQUAL(fault.path, path);
}

static void test_accepts(void)
{
	CU_ASSERT_EQUAL(parse("{\"a\":1}"), 0);
	CU_ASSERT_EQUAL(parse(" \t\r\n{\"a\":[1,{\"a\":2}],\"b\":{\"a\":3}} \n"), 0);
	CU_ASSERT_EQUAL(parse("[{\"a\":1},{\"a\":1}]"), 0);      /* same names in two objects */
	CU_ASSERT_EQUAL(parse("{\"a\":\"\\u00e9 \xc3\xa9 \xf0\x9f\x98\x80 \\n\"}"), 0);
	CU_ASSERT_EQUAL(parse("{\"a\\\\u0000\":1}"), 0);        /* an escaped backslash, then text */
	CU_ASSERT_EQUAL(parse("\"x\""), 0);
	CU_ASSERT_EQUAL(parse("1e308"), 0);
}

static void test_duplicates(void)
{
	char big[4096];
	size_t n = 0;

	expect_path("{\"version\":25,\"kind\":\"x\",\"version\":125}", HWALL_JSON_DUPLICATE, "version");
	expect_path("{\"payload\":{\"size\":1,\"size\":2}}", HWALL_JSON_DUPLICATE, "payload.size");
	expect_path("{\"h\":[{\"a\":1},{\"b\":1,\"b\":1}]}", HWALL_JSON_DUPLICATE, "h[1].b");
	/* Escapes are compared after decoding. */
	expect_path("{\"version\":1,\"vers\\u0069on\":2}", HWALL_JSON_DUPLICATE, "version");
	/* A name with a control character is printed escaped. */
	expect_path("{\"\\u001b[2J\":1,\"\\u001b[2J\":2}", HWALL_JSON_DUPLICATE, "\\x1b[2J");
	/* More members than the pairwise check takes: sorted. */
	n += (size_t)snprintf(big + n, sizeof(big) - n, "{");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\"k%d\":%d,", i, i);
	snprintf(big + n, sizeof(big) - n, "\"k17\":0}");
	expect_path(big, HWALL_JSON_DUPLICATE, "k17");
	big[n] = '\0';
	snprintf(big + n, sizeof(big) - n, "\"k40\":0}");
	CU_ASSERT_EQUAL(parse(big), 0);
}

/* Texts refused for what their bytes hold, with the offset reported. */
static const struct {
	const char *text;
	size_t len;
	enum hwall_json_fault_kind kind;
	size_t offset;
} refused_texts[] = {
#define T(s, kind, off) { s, sizeof(s) - 1, kind, off }
	T("{\"a\":1}x", HWALL_JSON_TRAILING, 7),
	T("{\"a\":1} {}", HWALL_JSON_TRAILING, 8),
	T("{\"a\":1}\f", HWALL_JSON_CONTROL, 7),
	T("{\"a\":1}\0", HWALL_JSON_CONTROL, 7),       /* a NUL is not an end */
	T("\xef\xbb\xbf{\"a\":1}", HWALL_JSON_BOM, 0),
	T("{\x01\"a\":1}", HWALL_JSON_CONTROL, 1),
	T("{\"a\":\"x\ty\"}", HWALL_JSON_CONTROL, 7),
	T("{\"a\":\"b\0\"}", HWALL_JSON_CONTROL, 7),
	T("{\"a\\u0000b\":1}", HWALL_JSON_NUL_ESCAPE, 3),
	T("{\"a\":\"b\\u0000\"}", HWALL_JSON_NUL_ESCAPE, 7),
	T("{\"a\":\"\xff\"}", HWALL_JSON_ENCODING, 6),
	T("{\"a\":\"\xc0\xaf\"}", HWALL_JSON_ENCODING, 6),         /* overlong '/' */
	T("{\"a\":\"\xe0\x80\xaf\"}", HWALL_JSON_ENCODING, 6),     /* overlong */
	T("{\"a\":\"\xed\xa0\x80\"}", HWALL_JSON_ENCODING, 6),     /* surrogate */
	T("{\"a\":\"\xf4\x90\x80\x80\"}", HWALL_JSON_ENCODING, 6), /* above U+10FFFF */
	T("{\"a\":\"\xc3\"}", HWALL_JSON_ENCODING, 6),             /* cut short */
	T("{\"a\":}", HWALL_JSON_SYNTAX, 5),
	T("", HWALL_JSON_SYNTAX, 0),
	T("{\"v\":025}", HWALL_JSON_SYNTAX, 5),                 /* cJSON reads 25 */
	T("{\"v\":-}", HWALL_JSON_SYNTAX, 5),
	T("[1.]", HWALL_JSON_SYNTAX, 1),
	T("[1e]", HWALL_JSON_SYNTAX, 1),
	T("[1e+]", HWALL_JSON_SYNTAX, 1),
	T("[1.5.2]", HWALL_JSON_SYNTAX, 1),
	T("[00]", HWALL_JSON_SYNTAX, 1),
#undef T
};

static void test_refused_texts(void)
{
	for (size_t i = 0; i < sizeof(refused_texts) / sizeof(refused_texts[0]); i++) {
		CU_ASSERT_EQUAL(parse_len(refused_texts[i].text, refused_texts[i].len), -EINVAL);
		CU_ASSERT_EQUAL(fault.kind, refused_texts[i].kind);
		CU_ASSERT_EQUAL(fault.offset, refused_texts[i].offset);
	}
}

static void test_numbers(void)
{
	expect_path("{\"a\":[1,1e999]}", HWALL_JSON_NUMBER, "a[1]");
	CU_ASSERT_EQUAL(parse("[0,-0,10,-1.5,0.25e-3,1E+2,2e5]"), 0);
	/* Integers only: what would read as 25 must be written 25. */
	flags = HWALL_JSON_INTEGERS;
	CU_ASSERT_EQUAL(parse("{\"version\":25,\"b\":-3,\"c\":0}"), 0);
	CU_ASSERT_EQUAL(parse("{\"version\":25.0}"), -EINVAL);
	CU_ASSERT_EQUAL(fault.kind, HWALL_JSON_NOT_INTEGER);
	CU_ASSERT_EQUAL(fault.offset, 11);
	CU_ASSERT_EQUAL(parse("[2.5e1]"), -EINVAL);
	CU_ASSERT_EQUAL(fault.kind, HWALL_JSON_NOT_INTEGER);
	CU_ASSERT_EQUAL(parse("[25e0]"), -EINVAL);
	CU_ASSERT_EQUAL(parse("[\"1.5 in a string\"]"), 0);
	flags = 0;
}

static void test_format(void)
{
	char buf[128];

	CU_ASSERT_EQUAL(parse("{\"p\":{\"s\":1,\"s\":1}}"), -EINVAL);
	hwall_json_fault_format(&fault, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "duplicate key \"p.s\"");
	CU_ASSERT_EQUAL(parse("{} x"), -EINVAL);
	hwall_json_fault_format(&fault, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "unexpected text after the JSON value at byte 3");
}

/* A long path is cut with "..." and stays terminated. */
static void test_long_path(void)
{
	char text[1200];
	size_t n = 0;

	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"level%02d\":", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"x\":1,\"x\":2}");
	for (int i = 0; i < 60; i++)
		text[n++] = '}';
	text[n] = '\0';
	CU_ASSERT_EQUAL(parse(text), -EINVAL);
	CU_ASSERT_EQUAL(fault.kind, HWALL_JSON_DUPLICATE);
	CU_ASSERT_EQUAL(strlen(fault.path), HWALL_JSON_PATH_MAX - 1);
	CU_ASSERT_STRING_EQUAL(fault.path + HWALL_JSON_PATH_MAX - 4, "...");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "accepts plain JSON", test_accepts },
		{ "duplicate keys at any depth", test_duplicates },
		{ "trailing bytes, BOM, control characters, \\u0000, UTF-8", test_refused_texts },
		{ "numbers: finite, integers on request", test_numbers },
		{ "messages", test_format },
		{ "long paths are cut", test_long_path },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/json_strict", tests);
}
