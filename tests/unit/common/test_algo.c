/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/algo.c: algorithm names and hex. */
#include "common/algo.h"
#include "hwall_test.h"

#include <errno.h>
#include <string.h>

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
		{ "names round trip", test_names_round_trip },
		{ "lengths", test_lengths },
		{ "parse list", test_parse_list },
		{ "hex round trip", test_hex_round_trip },
		{ "hex edges", test_hex_edges },
		{ "digest parse", test_digest_parse },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/digest", tests);
}
