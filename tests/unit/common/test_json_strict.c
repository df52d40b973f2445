/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for common/json_strict.c: what RFC 8259 allows is accepted,
 * and every refusal of the contract in json_strict.h is made, with the
 * position or the path in the message.
 */
#include "common/json_strict.h"
#include "hwall_test.h"

#include <errno.h>
#include <string.h>

struct row {
	const char *text;
	size_t len;        /* 0: strlen(text) */
	const char *msg;   /* NULL: accepted */
};

static const struct row rows[] = {
	/* accepted */
	{ "{}", 0, NULL },
	{ " [1, -0, 0.5, -1.5e+3, 2E-2, 1e400, true, false, null] \r\n\t", 0, NULL },
	{ "\"a string at the top\"", 0, NULL },
	{ "{\"a\":{\"b\":1},\"c\":{\"b\":2},\"b\":[{\"b\":3},{\"b\":4}]}", 0, NULL },
	{ "{\"note\":\"gepr\xc3\xbc" "ft \\u00e9 \\ud83d\\ude00 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}", 0,
	  NULL },
	{ "{\"A\":1,\"a\":2}", 0, NULL }, /* names are case-sensitive */
	/* the byte-order mark, trailing bytes */
	{ "\xef\xbb\xbf{}", 0, "t:1:1: byte-order mark" },
	{ "{} x", 0, "t:1:4: unexpected text after the JSON value" },
	{ "{}{}", 0, "t:1:3: unexpected text after the JSON value" },
	{ "{}\0", 3, "t:1:3: unexpected text after the JSON value" },
	{ "{\"version\":25}\n{\"version\":125}", 0,
	  "t:2:1: unexpected text after the JSON value" },
	/* duplicate names at any depth, also when spelled with escapes */
	{ "{\"version\":25,\"version\":125}", 0, "t: version: duplicate key" },
	{ "{\"a\":{\"x\":1,\"y\":2,\"x\":3}}", 0, "t: a.x: duplicate key" },
	{ "{\"sets\":[{\"id\":\"a\"},{\"id\":\"b\",\"id\":\"c\"}]}", 0,
	  "t: sets[1].id: duplicate key" },
	{ "[[{\"k\":1,\"\\u006b\":2}]]", 0, "t: [0][0].k: duplicate key" },
	{ "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":10,"
	  "\"e\":11}", 0, "t: e: duplicate key" },
	{ "{\"n\\nl\":1,\"n\\nl\":2}", 0, "t: n?l: duplicate key" },
	/* UTF-8, control characters, escapes */
	{ "{\"note\":\"caf\xe9\"}", 0, "t:1:13: invalid UTF-8" },
	{ "{\"note\":\"\xc0\xaf\"}", 0, "t:1:10: invalid UTF-8" },
	{ "{\"note\":\"\xed\xa0\x80\"}", 0, "t:1:10: invalid UTF-8" },
	{ "{\"n\xff\":1}", 0, "t:1:4: invalid UTF-8" },
	{ "{\"note\":\"a\x1b[31mb\"}", 0, "t:1:11: control character in a string" },
	{ "{\"note\":\"a\nb\"}", 0, "t:1:11: control character in a string" },
	{ "{\"note\":\"a\\u0000b\"}", 0, "t:1:11: \\u0000 in a string" },
	{ "{\"a\\u0000b\":1}", 0, "t:1:4: \\u0000 in a string" },
	{ "[\"\\ud800\"]", 0, "t:1:3: unpaired surrogate escape" },
	{ "[\"\\udc00\\ud800\"]", 0, "t:1:3: unpaired surrogate escape" },
	{ "[\"\\ud800\\u0041\"]", 0, "t:1:3: unpaired surrogate escape" },
	{ "[\"\\x41\"]", 0, "t:1:3: unknown escape in a string" },
	{ "[\"\\u12g4\"]", 0, "t:1:5: JSON syntax error" },
	{ "[\"abc", 0, "t:1:6: JSON syntax error" },
	/* numbers outside the grammar, other syntax */
	{ "[+1]", 0, "t:1:2: JSON syntax error" },
	{ "[01]", 0, "t:1:3: JSON syntax error" },
	{ "[.5]", 0, "t:1:2: JSON syntax error" },
	{ "[1.]", 0, "t:1:4: JSON syntax error" },
	{ "[1e]", 0, "t:1:4: JSON syntax error" },
	{ "[0x10]", 0, "t:1:3: JSON syntax error" },
	{ "[NaN]", 0, "t:1:2: JSON syntax error" },
	{ "[1,]", 0, "t:1:4: JSON syntax error" },
	{ "{\"a\":1,}", 0, "t:1:8: JSON syntax error" },
	{ "{'a':1}", 0, "t:1:2: JSON syntax error" },
	{ "[tru]", 0, "t:1:2: JSON syntax error" },
	{ "", 0, "t:1:1: JSON syntax error" },
	{ "   ", 0, "t:1:4: JSON syntax error" },
	{ "{\n  \"name\": \"a\",\n  \"port\": ,\n}", 0, "t:3:11: JSON syntax error" },
	{ "[1]\f", 0, "t:1:4: unexpected text after the JSON value" },
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		size_t len = w->len ? w->len : strlen(w->text);
		char err[256] = "";
		cJSON *root = NULL;
		int r = hwall_json_parse_strict(w->text, len, "t", &root, err, sizeof(err));

		CU_ASSERT_EQUAL(r, w->msg ? -EINVAL : 0);
		CU_ASSERT_STRING_EQUAL(err, w->msg ? w->msg : "");
		CU_ASSERT_EQUAL(root != NULL, w->msg == NULL);
		cJSON_Delete(root);
	}
}

/* 64 levels are fine, 65 are not; the message has no name when none is given. */
static void test_depth_and_no_name(void)
{
	char deep[2 * HWALL_JSON_STRICT_DEPTH_MAX + 3], err[128] = "";
	cJSON *root = NULL;

	memset(deep, '[', HWALL_JSON_STRICT_DEPTH_MAX);
	memset(deep + HWALL_JSON_STRICT_DEPTH_MAX, ']', HWALL_JSON_STRICT_DEPTH_MAX);
	CU_ASSERT_EQUAL(hwall_json_parse_strict(deep, 2 * HWALL_JSON_STRICT_DEPTH_MAX, NULL, &root, err,
						sizeof(err)), 0);
	cJSON_Delete(root);
	root = NULL;
	memset(deep, '[', HWALL_JSON_STRICT_DEPTH_MAX + 1);
	memset(deep + HWALL_JSON_STRICT_DEPTH_MAX + 1, ']', HWALL_JSON_STRICT_DEPTH_MAX + 1);
	CU_ASSERT_EQUAL(hwall_json_parse_strict(deep, 2 * HWALL_JSON_STRICT_DEPTH_MAX + 2, NULL, &root,
						err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "1:65: nested deeper than 64 levels");
	CU_ASSERT_PTR_NULL(root);
}

/* The tree holds what the text said: a name spelled with escapes, and the
 * value of a string with a surrogate pair. */
static void test_tree(void)
{
	static const char text[] = "{\"\\u006eote\":\"\\ud83d\\ude00\",\"n\":[1,2]}";
	char err[128] = "";
	cJSON *root = NULL;

	CU_ASSERT_EQUAL_FATAL(hwall_json_parse_strict(text, sizeof(text) - 1, "t", &root, err,
						      sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "note")),
			       "\xf0\x9f\x98\x80");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "n")), 2);
	cJSON_Delete(root);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "accepted and refused texts, with positions", test_table },
		{ "nesting depth; messages without a name", test_depth_and_no_name },
		{ "the tree of an accepted text", test_tree },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/json_strict", tests);
}
