/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/algo.c: the algorithm table, names and hex. */
#include "common/algo.h"
#include "hwall_test.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

/* The table as written, from the same X-macro the library expands. */
static const struct {
	enum hwall_algo id;
	const char *name;
	size_t len;
	enum hwall_algo_kind kind;
	const char *evp;
} rows[] = {
#define ROW(id, name, len, kind, evp) { HWALL_ALGO_##id, name, len, kind, evp },
	HWALL_ALGO_TABLE(ROW)
#undef ROW
};
#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Every row: its position is its number, and each accessor answers what
 * the row says. */
static void test_table_walk(void)
{
	size_t longest = 0;

	CU_ASSERT_EQUAL(N_ROWS, HWALL_ALGO_COUNT);
	for (size_t i = 0; i < N_ROWS; i++) {
		CU_ASSERT_EQUAL(rows[i].id, (enum hwall_algo)i);
		CU_ASSERT_STRING_EQUAL(hwall_algo_name(rows[i].id), rows[i].name);
		CU_ASSERT_EQUAL(hwall_algo_parse(rows[i].name), (int)i);
		CU_ASSERT_EQUAL(hwall_algo_len(rows[i].id), rows[i].len);
		CU_ASSERT(rows[i].len > 0 && rows[i].len <= HWALL_DIGEST_MAX);
		CU_ASSERT(strlen(rows[i].name) < HWALL_ALGO_NAME_MAX);
		CU_ASSERT_EQUAL(hwall_algo_kind(rows[i].id), rows[i].kind);
		CU_ASSERT(rows[i].kind < HWALL_ALGO_KIND_COUNT);
		/* An EVP name exactly for the EVP kind. */
		CU_ASSERT_EQUAL(rows[i].kind == HWALL_ALGO_KIND_EVP, rows[i].evp != NULL);
		CU_ASSERT_EQUAL(hwall_algo_evp_name(rows[i].id) != NULL, rows[i].evp != NULL);
		CU_ASSERT_STRING_EQUAL(or_empty(hwall_algo_evp_name(rows[i].id)), or_empty(rows[i].evp));
		if (rows[i].len > longest)
			longest = rows[i].len;
	}
	CU_ASSERT_EQUAL(HWALL_DIGEST_MAX, longest);
	CU_ASSERT_EQUAL(HWALL_ALGO_MASK_ALL, (1u << N_ROWS) - 1);
	CU_ASSERT_EQUAL(hwall_algo_kind(HWALL_ALGO_COUNT), HWALL_ALGO_KIND_COUNT);
	CU_ASSERT_PTR_NULL(hwall_algo_evp_name(HWALL_ALGO_COUNT));
}

/* Names are what lists, bundles, events and the store spell: distinct,
 * lower case, no separator of a list in them. */
static void test_table_names(void)
{
	for (size_t i = 0; i < N_ROWS; i++) {
		for (const char *p = rows[i].name; *p; p++)
			CU_ASSERT(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-');
		for (size_t j = i + 1; j < N_ROWS; j++)
			CU_ASSERT_STRING_NOT_EQUAL(rows[i].name, rows[j].name);
	}
}

/* Append only: the first rows keep their numbers, which set files and
 * sync bundles carry. */
static void test_table_order_pinned(void)
{
	CU_ASSERT_EQUAL(HWALL_ALGO_XXH3_128, 0);
	CU_ASSERT_EQUAL(HWALL_ALGO_MD5, 1);
	CU_ASSERT_EQUAL(HWALL_ALGO_SHA1, 2);
	CU_ASSERT_EQUAL(HWALL_ALGO_SHA256, 3);
	CU_ASSERT_EQUAL(HWALL_ALGO_PDQ, 4);
}

/* The digest stage streams the xxh3 and EVP kinds only; pdq comes from the
 * PDQ stage, so --hash and the live configuration refuse it. */
static void test_streamed(void)
{
	for (size_t i = 0; i < N_ROWS; i++)
		CU_ASSERT_EQUAL(hwall_algo_streamed(rows[i].id),
				rows[i].kind == HWALL_ALGO_KIND_XXH3 || rows[i].kind == HWALL_ALGO_KIND_EVP);
	CU_ASSERT_TRUE(hwall_algo_streamed(HWALL_ALGO_MD5));
	CU_ASSERT_FALSE(hwall_algo_streamed(HWALL_ALGO_PDQ));
	CU_ASSERT_EQUAL(hwall_algo_kind(HWALL_ALGO_PDQ), HWALL_ALGO_KIND_PERCEPTUAL);
	CU_ASSERT_EQUAL(hwall_algo_len(HWALL_ALGO_PDQ), 32);
	CU_ASSERT_FALSE(hwall_algo_streamed(HWALL_ALGO_COUNT));
}

/* The list that messages and usage texts print: every row, in order. */
static void test_names_list(void)
{
	char want[N_ROWS * (HWALL_ALGO_NAME_MAX + 2)] = "";

	for (size_t i = 0; i < N_ROWS; i++) {
		if (i)
			strcat(want, ", ");
		strcat(want, rows[i].name);
	}
	CU_ASSERT_STRING_EQUAL(hwall_algo_names(), want);
}

/* Every name parses in a list, all of them together give every bit, and a
 * bad one is pointed at. */
static void test_parse_list_table(void)
{
	char all[N_ROWS * (HWALL_ALGO_NAME_MAX + 1)] = "", bad_list[64];
	unsigned int mask = 0;
	const char *bad = NULL;

	for (size_t i = 0; i < N_ROWS; i++) {
		CU_ASSERT_EQUAL(hwall_algo_parse_list(rows[i].name, &mask, &bad), 0);
		CU_ASSERT_EQUAL(mask, 1u << i);
		if (i)
			strcat(all, ",");
		strcat(all, rows[i].name);
	}
	CU_ASSERT_EQUAL(hwall_algo_parse_list(all, &mask, &bad), 0);
	CU_ASSERT_EQUAL(mask, HWALL_ALGO_MASK_ALL);
	snprintf(bad_list, sizeof(bad_list), "%s,%sx,%s", rows[0].name, rows[N_ROWS - 1].name,
		 rows[0].name);
	CU_ASSERT_EQUAL(hwall_algo_parse_list(bad_list, &mask, &bad), -EINVAL);
	CU_ASSERT_PTR_EQUAL(bad, bad_list + strlen(rows[0].name) + 1);
	CU_ASSERT_EQUAL(mask, HWALL_ALGO_MASK_ALL); /* untouched */
}

static void test_names_round_trip(void)
{
	CU_ASSERT_STRING_EQUAL(hwall_algo_name(HWALL_ALGO_XXH3_128), "xxh3-128");
	CU_ASSERT_STRING_EQUAL(hwall_algo_name(HWALL_ALGO_MD5), "md5");
	CU_ASSERT_STRING_EQUAL(hwall_algo_name(HWALL_ALGO_SHA1), "sha1");
	CU_ASSERT_STRING_EQUAL(hwall_algo_name(HWALL_ALGO_SHA256), "sha256");
	CU_ASSERT_STRING_EQUAL(hwall_algo_name(HWALL_ALGO_COUNT), "?");
	CU_ASSERT_EQUAL(hwall_algo_parse("xxh3-128"), HWALL_ALGO_XXH3_128);
	CU_ASSERT_EQUAL(hwall_algo_parse("sha256"), HWALL_ALGO_SHA256);
	CU_ASSERT_EQUAL(hwall_algo_parse("MD5"), -EINVAL);
	CU_ASSERT_EQUAL(hwall_algo_parse("xxh3"), -EINVAL);
	CU_ASSERT_EQUAL(hwall_algo_parse(""), -EINVAL);
}

static void test_lengths(void)
{
	CU_ASSERT_EQUAL(hwall_algo_len(HWALL_ALGO_XXH3_128), 16);
	CU_ASSERT_EQUAL(hwall_algo_len(HWALL_ALGO_MD5), 16);
	CU_ASSERT_EQUAL(hwall_algo_len(HWALL_ALGO_SHA1), 20);
	CU_ASSERT_EQUAL(hwall_algo_len(HWALL_ALGO_SHA256), 32);
	CU_ASSERT_EQUAL(hwall_algo_len(HWALL_ALGO_COUNT), 0);
}

static void test_parse_list(void)
{
	unsigned int mask = 0xdead;
	const char *bad = NULL;

	CU_ASSERT_EQUAL(hwall_algo_parse_list("md5,sha1", &mask, &bad), 0);
	CU_ASSERT_EQUAL(mask, (1u << HWALL_ALGO_MD5) | (1u << HWALL_ALGO_SHA1));
	CU_ASSERT_EQUAL(hwall_algo_parse_list("sha256", &mask, NULL), 0);
	CU_ASSERT_EQUAL(mask, 1u << HWALL_ALGO_SHA256);
	CU_ASSERT_EQUAL(hwall_algo_parse_list("md5,crc32", &mask, &bad), -EINVAL);
	CU_ASSERT_STRING_EQUAL(bad, "crc32");
	CU_ASSERT_EQUAL(mask, 1u << HWALL_ALGO_SHA256); /* untouched on failure */
	CU_ASSERT_EQUAL(hwall_algo_parse_list("md5,", &mask, &bad), -EINVAL);
	CU_ASSERT_EQUAL(hwall_algo_parse_list("", &mask, &bad), -EINVAL);
}

static void test_hex_round_trip(void)
{
	uint8_t in[32], out[32];
	char hex[HWALL_DIGEST_HEX_MAX];
	uint64_t seed = 1;

	hwall_test_rand_bytes(&seed, in, sizeof(in));
	hwall_hex_format(in, sizeof(in), hex);
	CU_ASSERT_EQUAL(strlen(hex), 64);
	CU_ASSERT_EQUAL(hwall_hex_parse(hex, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(memcmp(in, out, sizeof(in)), 0);
}

static void test_hex_edges(void)
{
	uint8_t out[4] = { 1, 2, 3, 4 };
	char hex[9];

	CU_ASSERT_EQUAL(hwall_hex_parse("00ffAbCd", out, 4), 0);
	CU_ASSERT_EQUAL(out[0], 0x00);
	CU_ASSERT_EQUAL(out[1], 0xff);
	CU_ASSERT_EQUAL(out[2], 0xab);
	CU_ASSERT_EQUAL(out[3], 0xcd);
	hwall_hex_format(out, 4, hex);
	CU_ASSERT_STRING_EQUAL(hex, "00ffabcd");
	/* Wrong length, bad characters, embedded space: refused, untouched. */
	CU_ASSERT_EQUAL(hwall_hex_parse("00ffabc", out, 4), -EINVAL);
	CU_ASSERT_EQUAL(hwall_hex_parse("00ffabcd0", out, 4), -EINVAL);
	CU_ASSERT_EQUAL(hwall_hex_parse("00ffabcg", out, 4), -EINVAL);
	CU_ASSERT_EQUAL(hwall_hex_parse("00ff abc", out, 4), -EINVAL);
	CU_ASSERT_EQUAL(out[3], 0xcd);
}

static void test_digest_parse(void)
{
	struct hwall_digest d;

	CU_ASSERT_EQUAL(hwall_digest_parse(HWALL_ALGO_MD5, "d41d8cd98f00b204e9800998ecf8427e", &d), 0);
	CU_ASSERT_EQUAL(d.algo, HWALL_ALGO_MD5);
	CU_ASSERT_EQUAL(d.bytes[0], 0xd4);
	CU_ASSERT_EQUAL(d.bytes[15], 0x7e);
	/* An md5-sized hex string is not a sha1. */
	CU_ASSERT_EQUAL(hwall_digest_parse(HWALL_ALGO_SHA1, "d41d8cd98f00b204e9800998ecf8427e", &d), -EINVAL);
	CU_ASSERT_EQUAL(hwall_digest_parse(HWALL_ALGO_COUNT, "00", &d), -EINVAL);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "table walk", test_table_walk },
		{ "table names", test_table_names },
		{ "table order pinned", test_table_order_pinned },
		{ "streamed kinds", test_streamed },
		{ "names list", test_names_list },
		{ "parse list over the table", test_parse_list_table },
		{ "names round trip", test_names_round_trip },
		{ "lengths", test_lengths },
		{ "parse list", test_parse_list },
		{ "hex round trip", test_hex_round_trip },
		{ "hex edges", test_hex_edges },
		{ "digest parse", test_digest_parse },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/algo", tests);
}
