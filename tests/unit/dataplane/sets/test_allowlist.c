/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/sets/allowlist.c: the file format, its errors, the
 * lookup table and change detection. */
#include "dataplane/sets/allowlist.h"
#include "hwall_test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *dir;

/* Parse @text (a C string); the error text into @err. */
static int parse(const char *text, struct dp_allowlist **l, struct hwall_err *err)
{
	return dp_allowlist_parse(text, strlen(text), l, err);
}

static void digest_of(uint64_t seed, size_t len, uint8_t *out, char *hex)
{
	hwall_test_rand_bytes(&seed, out, len);
	hwall_hex_format(out, len, hex);
}

/* The format controld writes: a comment, then ALGO HEX lines. */
static void test_parse_good(void)
{
	uint8_t md5[16], sha256[32], xxh[16];
	char h_md5[33], h_sha256[65], h_xxh[33], text[512], upper[33];
	struct hwall_err err = { { 0 } };
	struct dp_allowlist *l = NULL;

	digest_of(1, 16, md5, h_md5);
	digest_of(2, 32, sha256, h_sha256);
	digest_of(3, 16, xxh, h_xxh);
	for (int i = 0; i < 33; i++)
		upper[i] = (char)(h_xxh[i] >= 'a' ? h_xxh[i] - 32 : h_xxh[i]);
	snprintf(text, sizeof(text),
		 "# hashwall local allowlist: ALGO HEX per line, written by controld\n"
		 "md5 %s\n\n   \t\nsha256\t%s  \r\n  # indented comment\nxxh3-128 %s\nmd5 %s",
		 h_md5, h_sha256, upper, h_md5);
	CU_ASSERT_EQUAL_FATAL(parse(text, &l, &err), 0);
	CU_ASSERT_EQUAL(l->n, 3); /* the repeated md5 line counts once */
	CU_ASSERT_TRUE(dp_allowlist_contains(l, HWALL_ALGO_MD5, md5, "nl"));
	CU_ASSERT_TRUE(dp_allowlist_contains(l, HWALL_ALGO_SHA256, sha256, "nl"));
	CU_ASSERT_TRUE(dp_allowlist_contains(l, HWALL_ALGO_XXH3_128, xxh, "nl"));
	/* The same bytes under another algorithm are another entry. */
	CU_ASSERT_FALSE(dp_allowlist_contains(l, HWALL_ALGO_XXH3_128, md5, "nl"));
	CU_ASSERT_FALSE(dp_allowlist_contains(l, HWALL_ALGO_SHA1, sha256, "nl"));
	CU_ASSERT_FALSE(dp_allowlist_contains(l, HWALL_ALGO_COUNT, md5, "nl"));
	dp_allowlist_free(l);
}

/* "ALGO HEX SET": the digest is allowlisted for that set only; "ALGO HEX"
 * for every set.  One digest may have entries for several sets. */
static void test_parse_scoped(void)
{
	uint8_t a[16], b[16];
	char h_a[33], h_b[33], text[512];
	struct hwall_err err = { { 0 } };
	struct dp_allowlist *l = NULL;

	digest_of(1, 16, a, h_a);
	digest_of(2, 16, b, h_b);
	snprintf(text, sizeof(text), "md5 %s nl\nmd5 %s\nmd5 %s nl\nmd5 %s trial-2\n", h_a, h_b,
		 h_a, h_a);
	CU_ASSERT_EQUAL_FATAL(parse(text, &l, &err), 0);
	CU_ASSERT_EQUAL(l->n, 3);
	CU_ASSERT_EQUAL(l->n_sets, 2);
	CU_ASSERT_TRUE(dp_allowlist_contains(l, HWALL_ALGO_MD5, a, "nl"));
	CU_ASSERT_TRUE(dp_allowlist_contains(l, HWALL_ALGO_MD5, a, "trial-2"));
	CU_ASSERT_FALSE(dp_allowlist_contains(l, HWALL_ALGO_MD5, a, "de"));
	CU_ASSERT_FALSE(dp_allowlist_contains(l, HWALL_ALGO_MD5, a, "n"));
	CU_ASSERT_FALSE(dp_allowlist_contains(l, HWALL_ALGO_MD5, a, NULL));
	CU_ASSERT_TRUE(dp_allowlist_contains(l, HWALL_ALGO_MD5, b, "de"));
	CU_ASSERT_TRUE(dp_allowlist_contains(l, HWALL_ALGO_MD5, b, NULL));
	dp_allowlist_free(l);
}

/* At most DP_ALLOWLIST_SETS_MAX sets in one file. */
static void test_parse_too_many_sets(void)
{
	size_t cap = (DP_ALLOWLIST_SETS_MAX + 1) * 64, len = 0;
	char *text = malloc(cap), hex[33];
	struct hwall_err err = { { 0 } };
	struct dp_allowlist *l = NULL;
	uint8_t d[16];

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	digest_of(9, 16, d, hex);
	for (int i = 0; i <= DP_ALLOWLIST_SETS_MAX; i++)
		len += (size_t)snprintf(text + len, cap - len, "md5 %s s%d\n", hex, i);
	CU_ASSERT_EQUAL(dp_allowlist_parse(text, len, &l, &err), -E2BIG);
	CU_ASSERT_STRING_EQUAL(err.msg, "line 257: more than 256 sets");
	CU_ASSERT_PTR_NULL(l);
	free(text);
}

static void test_parse_empty(void)
{
	struct dp_allowlist *l = NULL;
	uint8_t d[16] = { 0 };
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL_FATAL(parse("", &l, &err), 0);
	CU_ASSERT_EQUAL(l->n, 0);
	CU_ASSERT_FALSE(dp_allowlist_contains(l, HWALL_ALGO_MD5, d, "nl"));
	dp_allowlist_free(l);
	CU_ASSERT_EQUAL_FATAL(parse("# only a comment\n\n", &l, &err), 0);
	CU_ASSERT_EQUAL(l->n, 0);
	dp_allowlist_free(l);
	CU_ASSERT_FALSE(dp_allowlist_contains(NULL, HWALL_ALGO_MD5, d, "nl"));
}

/* Every bad line is refused with its line number and the reason. */
static void test_parse_bad(void)
{
	static const struct {
		const char *text, *msg;
		bool known; /* the message goes on with the table's algorithms */
	} cases[] = {
		{ "md5\n", "line 1: expected 'ALGO HEX [SET]'" },
		{ "# c\nmd4 00112233445566778899aabbccddeeff\n", "line 2: unknown algorithm 'md4'", true },
		{ "\n\nmd5 0011\n", "line 3: not 32 hex digits of md5" },
		{ "sha1 00112233445566778899aabbccddeeff\n", "line 1: not 40 hex digits of sha1" },
		{ "md5 00112233445566778899aabbccddeefg\n", "line 1: not 32 hex digits of md5" },
		{ "md5 00112233445566778899aabbccddeeff nl extra\n", "line 1: more than three fields" },
		{ "md5 00112233445566778899aabbccddeeff "
		  "s0123456789012345678901234567890123456789012345678901234567890123\n",
		  "line 1: not a set id (1-63 printable characters)" },
		{ "md5 00112233445566778899aabbccddeeff s\x7f\n",
		  "line 1: not a set id (1-63 printable characters)" },
		{ "MD5 00112233445566778899aabbccddeeff\n", "line 1: unknown algorithm 'MD5'", true },
	};
	struct dp_allowlist *l = NULL;
	struct hwall_err err = { { 0 } };
	char want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = '\0';
		snprintf(want, sizeof(want), "%s%s%s%s", cases[i].msg, cases[i].known ? " (known: " : "",
			 cases[i].known ? hwall_algo_names() : "", cases[i].known ? ")" : "");
		CU_ASSERT_EQUAL(parse(cases[i].text, &l, &err), -EINVAL);
		CU_ASSERT_STRING_EQUAL(err.msg, want);
	}
	CU_ASSERT_PTR_NULL(l);
}

static void test_parse_limits(void)
{
	char text[600];
	struct hwall_err err = { { 0 } };
	struct dp_allowlist *l = NULL;

	memset(text, 'a', sizeof(text));
	memcpy(text, "#c\n", 3);
	text[sizeof(text) - 1] = '\0';
	CU_ASSERT_EQUAL(parse(text, &l, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "line 2: longer than 256 bytes");
	CU_ASSERT_EQUAL(dp_allowlist_parse("md5 00\0 11\n", 11, &l, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "line 1: NUL byte");
	CU_ASSERT_PTR_NULL(l);
}

/* Many entries: every one found, none of a disjoint set of digests. */
static void test_lookup_many(void)
{
	enum { N = 5000 };
	size_t cap = (size_t)N * 40;
	char *text = malloc(cap), hex[33];
	struct hwall_err err;
	struct dp_allowlist *l = NULL;
	uint8_t d[16];
	size_t len = 0;
	unsigned int found = 0, wrong = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (uint64_t i = 0; i < N; i++) {
		digest_of(1000 + i, 16, d, hex);
		len += (size_t)snprintf(text + len, cap - len, "md5 %s\n", hex);
	}
	CU_ASSERT_EQUAL_FATAL(dp_allowlist_parse(text, len, &l, &err), 0);
	CU_ASSERT_EQUAL(l->n, N);
	CU_ASSERT_TRUE(l->slot_mask + 1 >= 2 * N);
	for (uint64_t i = 0; i < N; i++) {
		digest_of(1000 + i, 16, d, hex);
		found += dp_allowlist_contains(l, HWALL_ALGO_MD5, d, "nl");
		digest_of(1000000 + i, 16, d, hex);
		wrong += dp_allowlist_contains(l, HWALL_ALGO_MD5, d, "nl");
	}
	CU_ASSERT_EQUAL(found, N);
	CU_ASSERT_EQUAL(wrong, 0);
	dp_allowlist_free(l);
	free(text);
}

static int write_file(const char *path, const char *text)
{
	char tmp[128];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path); /* as controld replaces it */
}

/* Loading names the file; replacing it is noticed, reading it again is not. */
static void test_load_and_change(void)
{
	char path[96];
	struct hwall_err err = { { 0 } };
	struct dp_allowlist *l = NULL;

	snprintf(path, sizeof(path), "%s/allow.txt", dir);
	CU_ASSERT_EQUAL(dp_allowlist_load(path, &l, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "allow.txt: No such file"));
	CU_ASSERT_FALSE(dp_allowlist_changed(NULL, path));
	CU_ASSERT_EQUAL_FATAL(write_file(path, "# empty\n"), 0);
	CU_ASSERT_TRUE(dp_allowlist_changed(NULL, path));
	CU_ASSERT_EQUAL_FATAL(dp_allowlist_load(path, &l, &err), 0);
	CU_ASSERT_EQUAL(l->n, 0);
	CU_ASSERT_FALSE(dp_allowlist_changed(l, path));
	CU_ASSERT_EQUAL_FATAL(write_file(path, "md5 00112233445566778899aabbccddeeff\n"), 0);
	CU_ASSERT_TRUE(dp_allowlist_changed(l, path));
	dp_allowlist_free(l);
	l = NULL;
	CU_ASSERT_EQUAL_FATAL(write_file(path, "md5 0011\n"), 0);
	CU_ASSERT_EQUAL(dp_allowlist_load(path, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "allow.txt: line 1: not 32 hex digits of md5"));
	CU_ASSERT_EQUAL(dp_allowlist_load(dir, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a regular file"));
	CU_ASSERT_PTR_NULL(l);
	unlink(path);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "ALGO HEX SET: one set's entries", test_parse_scoped },
		{ "at most 256 sets", test_parse_too_many_sets },
		{ "parse_good", test_parse_good },
		{ "parse_empty", test_parse_empty },
		{ "parse_bad", test_parse_bad },
		{ "parse_limits", test_parse_limits },
		{ "lookup_many", test_lookup_many },
		{ "load_and_change", test_load_and_change },
		CU_TEST_INFO_NULL,
	};

	dir = hwall_test_tmpdir("allowlist");
	if (!dir)
		return 2;
	return hwall_test_main("dataplane/allowlist", tests);
}
