/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for the list format (hws_list_parse). */
#include "hws_test_util.h"

#include <errno.h>

struct got {
	struct hws_entry e[8];
	int n;
};

static int keep(const struct hws_entry *e, void *ctx)
{
	struct got *g = ctx;
	g->e[g->n++ % 8] = *e;
	return 0;
}

static const char *write_list(const char *text)
{
	const char *path = hws_test_path("list.txt");
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

static void test_good_list(void)
{
	struct got g = { .n = 0 };
	struct hwall_err err;
	const char *path = write_list(
		"# a comment\n"
		"\n"
		"md5 D41D8CD98F00B204E9800998ECF8427E\n"
		"  sha1\tda39a3ee5e6b4b0d3255bfef95601890afd80709 2   # trailing comment\n"
		"sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 255 4294967295\r\n"
		"xxh3-128 99aa06d3014798d86001c324468d497f 0 7");

	CU_ASSERT_EQUAL(hws_list_parse(path, keep, &g, &err), 0);
	CU_ASSERT_EQUAL_FATAL(g.n, 4);
	CU_ASSERT_EQUAL(g.e[0].algo, HWALL_ALGO_MD5);
	CU_ASSERT_EQUAL(g.e[0].digest[0], 0xd4);
	CU_ASSERT_EQUAL(g.e[0].category, 0);
	CU_ASSERT_EQUAL(g.e[0].ref, 0);
	CU_ASSERT_EQUAL(g.e[1].algo, HWALL_ALGO_SHA1);
	CU_ASSERT_EQUAL(g.e[1].category, 2);
	CU_ASSERT_EQUAL(g.e[2].category, 255);
	CU_ASSERT_EQUAL(g.e[2].ref, 4294967295u);
	CU_ASSERT_EQUAL(g.e[3].algo, HWALL_ALGO_XXH3_128);
	CU_ASSERT_EQUAL(g.e[3].ref, 7);
}

/* A bad line gives "PATH:LINE: reason" and stops the read there. */
static void expect_bad(const char *text, unsigned int line, const char *reason)
{
	struct got g = { .n = 0 };
	struct hwall_err err;
	char want[1024];
	const char *path = write_list(text);

	snprintf(want, sizeof(want), "%s:%u: %s", path, line, reason);
	CU_ASSERT_EQUAL(hws_list_parse(path, keep, &g, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	CU_ASSERT_EQUAL((unsigned int)g.n, line - 1);
}

static void test_bad_lines(void)
{
	const char *md5 = "md5 d41d8cd98f00b204e9800998ecf8427e\n";
	char text[4096];

	snprintf(text, sizeof(text), "unknown algorithm 'crc32' (known: %s)", hwall_algo_names());
	expect_bad("crc32 d41d8cd98f00b204e9800998ecf8427e\n", 1, text);
	snprintf(text, sizeof(text), "%smd5\n", md5);
	expect_bad(text, 2, "missing digest");
	snprintf(text, sizeof(text), "%s%smd5 d41d8cd98f00b204e9800998ecf8427\n", md5, md5);
	expect_bad(text, 3, "digest is not hex of the algorithm's length");
	expect_bad("sha1 d41d8cd98f00b204e9800998ecf8427e\n", 1,
		   "digest is not hex of the algorithm's length");
	expect_bad("md5 d41d8cd98f00b204e9800998ecf8427x\n", 1,
		   "digest is not hex of the algorithm's length");
	expect_bad("md5 d41d8cd98f00b204e9800998ecf8427e 256\n", 1,
		   "category is not an integer 0..255");
	expect_bad("md5 d41d8cd98f00b204e9800998ecf8427e -1\n", 1,
		   "category is not an integer 0..255");
	expect_bad("md5 d41d8cd98f00b204e9800998ecf8427e 1 4294967296\n", 1,
		   "reference is not an integer 0..4294967295");
	expect_bad("md5 d41d8cd98f00b204e9800998ecf8427e 1 0x10\n", 1,
		   "reference is not an integer 0..4294967295");
	expect_bad("md5 d41d8cd98f00b204e9800998ecf8427e 1 2 3\n", 1,
		   "too many fields (expected <algo> <hex> [<category> [<ref>]])");
	memset(text, 'a', 2000);
	text[2000] = '\0';
	expect_bad(text, 1, "line longer than 1024 bytes");
}

/* The message for the upper-case name, which is not a name. */
static const char *unknown_pdq_msg(void)
{
	static char text[256];

	snprintf(text, sizeof(text), "unknown algorithm 'PDQ' (known: %s)", hwall_algo_names());
	return text;
}

/* pdq lines: 64 hex digits (Meta's printed form), category and ref as
 * for the exact algorithms. */
static void test_pdq_lines(void)
{
	struct got g = { .n = 0 };
	struct hwall_err err;
	const char *path = write_list(
		"pdq f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22\n"
		"pdq B0A10EFD71CC3F429413D48D0FFFFE12E34E0E17ADA952A9D29684210AA9E5AF 3 1234 # rotated\n");

	CU_ASSERT_EQUAL(hws_list_parse(path, keep, &g, &err), 0);
	CU_ASSERT_EQUAL_FATAL(g.n, 2);
	CU_ASSERT_EQUAL(g.e[0].algo, HWALL_ALGO_PDQ);
	CU_ASSERT_EQUAL(g.e[0].digest[0], 0xf8);
	CU_ASSERT_EQUAL(g.e[0].digest[31], 0x22);
	CU_ASSERT_EQUAL(g.e[0].category, 0);
	CU_ASSERT_EQUAL(g.e[1].algo, HWALL_ALGO_PDQ);
	CU_ASSERT_EQUAL(g.e[1].digest[31], 0xaf);
	CU_ASSERT_EQUAL(g.e[1].category, 3);
	CU_ASSERT_EQUAL(g.e[1].ref, 1234);

	/* 63 and 65 digits, a non-hex digit, an md5-sized hash, a bad category. */
	expect_bad("pdq f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b2\n", 1,
		   "digest is not hex of the algorithm's length");
	expect_bad("pdq f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b220\n", 1,
		   "digest is not hex of the algorithm's length");
	expect_bad("pdq g8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22\n", 1,
		   "digest is not hex of the algorithm's length");
	expect_bad("pdq d41d8cd98f00b204e9800998ecf8427e\n", 1,
		   "digest is not hex of the algorithm's length");
	expect_bad("pdq f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22 300\n", 1,
		   "category is not an integer 0..255");
	expect_bad("PDQ f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22\n", 1,
		   unknown_pdq_msg());
}

static void test_missing_file(void)
{
	struct got g = { .n = 0 };
	struct hwall_err err;

	CU_ASSERT_EQUAL(hws_list_parse(hws_test_path("nope.txt"), keep, &g, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "No such file"));
}

static int stop_at_second(const struct hws_entry *e, void *ctx)
{
	(void)e;
	return ++*(int *)ctx == 2 ? -ENOSPC : 0;
}

static void test_callback_error_stops(void)
{
	struct hwall_err err;
	int calls = 0;
	const char *path = write_list("md5 d41d8cd98f00b204e9800998ecf8427e\n"
				      "md5 d41d8cd98f00b204e9800998ecf8427f\n"
				      "md5 d41d8cd98f00b204e9800998ecf84270\n");

	CU_ASSERT_EQUAL(hws_list_parse(path, stop_at_second, &calls, &err), -ENOSPC);
	CU_ASSERT_EQUAL(calls, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ":2: "));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "good list", test_good_list },
		{ "bad lines", test_bad_lines },
		{ "pdq lines", test_pdq_lines },
		{ "missing file", test_missing_file },
		{ "callback error stops", test_callback_error_stops },
		CU_TEST_INFO_NULL,
	};

	hws_test_dir_init();
	return hwall_test_main("hashsync/hws_list", tests);
}
