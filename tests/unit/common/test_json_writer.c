/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/json_writer.c: structure, escaping, bounds. */
#include "common/json_writer.h"
#include "hwall_test.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <string.h>

/* One document using every kind of value. */
static void write_doc(struct hwall_json *w)
{
	static const uint8_t digest[3] = { 0x00, 0xab, 0xff };

	hwall_json_obj_begin(w, NULL);
	hwall_json_str(w, "s", "text");
	hwall_json_u64(w, "u", UINT64_MAX);
	hwall_json_i64(w, "i", INT64_MIN);
	hwall_json_i64(w, "z", 0);
	hwall_json_fixed(w, "f", 2.0 / 3.0, 3);
	hwall_json_fixed(w, "nan", NAN, 3);
	hwall_json_bool(w, "t", true);
	hwall_json_bool(w, "n", false);
	hwall_json_hex(w, "h", digest, sizeof(digest));
	hwall_json_arr_begin(w, "a");
	hwall_json_u64(w, NULL, 1);
	hwall_json_obj_begin(w, NULL);
	hwall_json_obj_end(w);
	hwall_json_arr_begin(w, NULL);
	hwall_json_arr_end(w);
	hwall_json_raw(w, NULL, "[true]", 6);
	hwall_json_arr_end(w);
	hwall_json_obj_end(w);
	hwall_json_newline(w);
}

static const char doc_text[] =
	"{\"s\":\"text\",\"u\":18446744073709551615,\"i\":-9223372036854775808,\"z\":0,"
	"\"f\":0.667,\"nan\":null,\"t\":true,\"n\":false,\"h\":\"00abff\","
	"\"a\":[1,{},[],[true]]}\n";

static void test_structure(void)
{
	char buf[512];
	struct hwall_json w;
	size_t len = 0;
	cJSON *j;

	hwall_json_init(&w, buf, sizeof(buf));
	write_doc(&w);
	CU_ASSERT_EQUAL_FATAL(hwall_json_finish(&w, &len), 0);
	CU_ASSERT_STRING_EQUAL(buf, doc_text);
	CU_ASSERT_EQUAL(len, strlen(doc_text));
	j = cJSON_Parse(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(j, "a")), 4);
	cJSON_Delete(j);
}

/* Text: RFC 8259 escapes for '"', '\' and control bytes, %XX above 0x7f. */
static void test_escape_text(void)
{
	char buf[256];
	struct hwall_json w;
	size_t len;
	cJSON *j;

	hwall_json_init(&w, buf, sizeof(buf));
	hwall_json_obj_begin(&w, NULL);
	hwall_json_str(&w, "k\"\\", "a\"b\\c\b\f\n\r\t\x01\x1f\x7f \xc3\xa9\xff~");
	hwall_json_obj_end(&w);
	CU_ASSERT_EQUAL_FATAL(hwall_json_finish(&w, &len), 0);
	CU_ASSERT_STRING_EQUAL(buf, "{\"k\\\"\\\\\":\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001F"
				    "\\u007F %C3%A9%FF~\"}");
	j = cJSON_Parse(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "k\"\\")->valuestring,
			       "a\"b\\c\b\f\n\r\t\x01\x1f\x7f %C3%A9%FF~");
	cJSON_Delete(j);
}

/* Wire bytes: control bytes and DEL percent-encoded too, as URLs have them. */
static void test_escape_wire(void)
{
	char buf[256];
	struct hwall_json w;
	size_t len;

	hwall_json_init(&w, buf, sizeof(buf));
	hwall_json_obj_begin(&w, NULL);
	hwall_json_wire(&w, "path", "/a b\x01\xff\"\\%\x7f\n");
	hwall_json_wire(&w, "empty", "");
	hwall_json_obj_end(&w);
	CU_ASSERT_EQUAL_FATAL(hwall_json_finish(&w, &len), 0);
	CU_ASSERT_STRING_EQUAL(buf, "{\"path\":\"/a b%01%FF\\\"\\\\%%7F%0A\",\"empty\":\"\"}");
}

/* Every buffer shorter than the text plus its NUL fails cleanly, and nothing
 * is written past the buffer. */
static void test_truncation(void)
{
	char buf[sizeof(doc_text) + 8];
	size_t need = sizeof(doc_text); /* the text and its NUL */

	for (size_t cap = 0; cap <= need; cap++) {
		struct hwall_json w;
		size_t len = 12345;

		memset(buf, 'X', sizeof(buf));
		hwall_json_init(&w, buf, cap);
		write_doc(&w);
		CU_ASSERT_EQUAL(hwall_json_finish(&w, &len), cap == need ? 0 : -ENOSPC);
		CU_ASSERT_EQUAL(len, cap == need ? strlen(doc_text) : 12345);
		CU_ASSERT_EQUAL(buf[cap], 'X');
		CU_ASSERT_TRUE(cap == 0 || strlen(buf) < cap);
	}
}

static int misuse(void (*fn)(struct hwall_json *w))
{
	char buf[256];
	struct hwall_json w;
	size_t len = 0;

	hwall_json_init(&w, buf, sizeof(buf));
	fn(&w);
	return hwall_json_finish(&w, &len);
}

static void key_in_array(struct hwall_json *w)
{
	hwall_json_arr_begin(w, NULL);
	hwall_json_u64(w, "k", 1);
	hwall_json_arr_end(w);
}

static void no_key_in_object(struct hwall_json *w)
{
	hwall_json_obj_begin(w, NULL);
	hwall_json_u64(w, NULL, 1);
	hwall_json_obj_end(w);
}

static void key_at_top(struct hwall_json *w)
{
	hwall_json_u64(w, "k", 1);
}

static void left_open(struct hwall_json *w)
{
	hwall_json_obj_begin(w, NULL);
}

static void closed_twice(struct hwall_json *w)
{
	hwall_json_obj_begin(w, NULL);
	hwall_json_obj_end(w);
	hwall_json_obj_end(w);
}

static void wrong_close(struct hwall_json *w)
{
	hwall_json_obj_begin(w, NULL);
	hwall_json_arr_end(w);
}

static void two_values_one_line(struct hwall_json *w)
{
	hwall_json_u64(w, NULL, 1);
	hwall_json_u64(w, NULL, 2);
}

static void too_deep(struct hwall_json *w)
{
	for (int i = 0; i <= HWALL_JSON_DEPTH_MAX; i++)
		hwall_json_arr_begin(w, NULL);
}

static void newline_inside(struct hwall_json *w)
{
	hwall_json_arr_begin(w, NULL);
	hwall_json_newline(w);
	hwall_json_arr_end(w);
}

static void deepest(struct hwall_json *w)
{
	for (int i = 0; i < HWALL_JSON_DEPTH_MAX; i++)
		hwall_json_arr_begin(w, NULL);
	for (int i = 0; i < HWALL_JSON_DEPTH_MAX; i++)
		hwall_json_arr_end(w);
}

static void lines(struct hwall_json *w)
{
	hwall_json_u64(w, NULL, 1);
	hwall_json_newline(w);
	hwall_json_u64(w, NULL, 2);
	hwall_json_newline(w);
}

static void test_misuse(void)
{
	CU_ASSERT_EQUAL(misuse(key_in_array), -EINVAL);
	CU_ASSERT_EQUAL(misuse(no_key_in_object), -EINVAL);
	CU_ASSERT_EQUAL(misuse(key_at_top), -EINVAL);
	CU_ASSERT_EQUAL(misuse(left_open), -EINVAL);
	CU_ASSERT_EQUAL(misuse(closed_twice), -EINVAL);
	CU_ASSERT_EQUAL(misuse(wrong_close), -EINVAL);
	CU_ASSERT_EQUAL(misuse(two_values_one_line), -EINVAL);
	CU_ASSERT_EQUAL(misuse(too_deep), -EINVAL);
	CU_ASSERT_EQUAL(misuse(newline_inside), -EINVAL);
	CU_ASSERT_EQUAL(misuse(deepest), 0);
	CU_ASSERT_EQUAL(misuse(lines), 0);
}

/* Members of a finished record spliced into a new object. */
static int wrap(const char *inner, char *buf, size_t cap)
{
	struct hwall_json w;
	size_t len;

	hwall_json_init(&w, buf, cap);
	hwall_json_obj_begin(&w, NULL);
	hwall_json_str(&w, "type", "x");
	hwall_json_members(&w, inner, strlen(inner));
	hwall_json_u64(&w, "n", 1);
	hwall_json_obj_end(&w);
	return hwall_json_finish(&w, &len);
}

static void test_members(void)
{
	char buf[128];
	struct hwall_json w;
	size_t len;

	CU_ASSERT_EQUAL(wrap("{\"a\":1,\"b\":[2]}", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"x\",\"a\":1,\"b\":[2],\"n\":1}");
	CU_ASSERT_EQUAL(wrap("{ \n}", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"x\",\"n\":1}");
	CU_ASSERT_EQUAL(wrap("[1]", buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_EQUAL(wrap("{", buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_EQUAL(wrap("{\"a\":1}", buf, 20), -ENOSPC);
	/* First member of an empty object: no comma. */
	hwall_json_init(&w, buf, sizeof(buf));
	hwall_json_obj_begin(&w, NULL);
	hwall_json_members(&w, "{\"a\":1}", 7);
	hwall_json_obj_end(&w);
	CU_ASSERT_EQUAL(hwall_json_finish(&w, &len), 0);
	CU_ASSERT_STRING_EQUAL(buf, "{\"a\":1}");
	/* Not inside an object. */
	hwall_json_init(&w, buf, sizeof(buf));
	hwall_json_members(&w, "{\"a\":1}", 7);
	CU_ASSERT_EQUAL(hwall_json_finish(&w, &len), -EINVAL);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "structure", test_structure },
		{ "escape_text", test_escape_text },
		{ "escape_wire", test_escape_wire },
		{ "truncation", test_truncation },
		{ "misuse", test_misuse },
		{ "members", test_members },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/json_writer", tests);
}
