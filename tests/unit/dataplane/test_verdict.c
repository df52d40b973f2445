/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/verdict.c: set lists and lookups. */
#include "dataplane/verdict.h"
#include "hwall_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *dir;
static char path_a[64], path_b[64], path_c[64], path_bad[64];
static uint8_t known_xxh[16], known_md5[16], other[16];

/* Three sets: "a" with an xxh3-128 digest, "b" with md5 digests, "c" with
 * one of b's. */
static int make_sets(void)
{
	struct hws_builder *a = hws_builder_new("a", 7), *b = hws_builder_new("b", 9);
	struct hws_builder *c = hws_builder_new("c", 2);
	uint64_t seed = 3;
	FILE *f;

	hwall_test_rand_bytes(&seed, known_xxh, 16);
	hwall_test_rand_bytes(&seed, known_md5, 16);
	hwall_test_rand_bytes(&seed, other, 16);
	snprintf(path_a, sizeof(path_a), "%s/a.hws", dir);
	snprintf(path_b, sizeof(path_b), "%s/b.hws", dir);
	snprintf(path_c, sizeof(path_c), "%s/c.hws", dir);
	snprintf(path_bad, sizeof(path_bad), "%s/bad.hws", dir);
	int r = hws_builder_add(a, HWALL_ALGO_XXH3_128, known_xxh, 2, 1234);

	r = r ?: hws_builder_add(c, HWALL_ALGO_MD5, known_md5, 5, 7);
	r = r ?: hws_builder_write(c, path_c, NULL, &(struct hwall_err){ { 0 } });
	hws_builder_free(c);
	r = r ?: hws_builder_add(b, HWALL_ALGO_MD5, known_md5, 3, 99);
	r = r ?: hws_builder_add(b, HWALL_ALGO_MD5, other, 3, 100);
	r = r ?: hws_builder_write(a, path_a, NULL, &(struct hwall_err){ { 0 } });
	r = r ?: hws_builder_write(b, path_b, NULL, &(struct hwall_err){ { 0 } });
	hws_builder_free(a);
	hws_builder_free(b);
	f = fopen(path_bad, "w");
	if (!f)
		return -1;
	fputs("not a set file", f);
	fclose(f);
	return r;
}

static void test_lookup_every_set(void)
{
	const char *paths[] = { path_a, path_b };
	struct dp_setlist *l = NULL;
	struct hwall_err err = { { 0 } };
	struct dp_digests d = { .mask = (1u << HWALL_ALGO_XXH3_128) | (1u << HWALL_ALGO_MD5) };
	struct dp_match m[4];

	CU_ASSERT_EQUAL_FATAL(dp_setlist_open(paths, 2, &l, &err), 0);
	CU_ASSERT_EQUAL(l->algo_mask, (1u << HWALL_ALGO_XXH3_128) | (1u << HWALL_ALGO_MD5));
	memcpy(d.bytes[HWALL_ALGO_XXH3_128], known_xxh, 16);
	memcpy(d.bytes[HWALL_ALGO_MD5], known_md5, 16);
	CU_ASSERT_EQUAL(dp_verdict(l, &d, m, 4), 2);
	CU_ASSERT_STRING_EQUAL(m[0].set->info.id, "a");
	CU_ASSERT_EQUAL(m[0].set->info.version, 7);
	CU_ASSERT_EQUAL(m[0].algo, HWALL_ALGO_XXH3_128);
	CU_ASSERT_EQUAL(m[0].category, 2);
	CU_ASSERT_EQUAL(m[0].ref, 1234);
	CU_ASSERT_STRING_EQUAL(m[1].set->info.id, "b");
	CU_ASSERT_EQUAL(m[1].algo, HWALL_ALGO_MD5);
	CU_ASSERT_EQUAL(m[1].ref, 99);
	/* An algorithm that was not computed is not looked up. */
	d.mask = 1u << HWALL_ALGO_XXH3_128;
	CU_ASSERT_EQUAL(dp_verdict(l, &d, m, 4), 1);
	memcpy(d.bytes[HWALL_ALGO_XXH3_128], known_md5, 16);
	CU_ASSERT_EQUAL(dp_verdict(l, &d, m, 4), 0);
	CU_ASSERT_EQUAL(dp_verdict(NULL, &d, m, 4), 0);
	dp_setlist_free(l);
}

/* An allowlisted (algorithm, digest) raises no match and is counted; the
 * same digest bytes under another algorithm, and other digests, still do. */
static void test_allowlisted_hit(void)
{
	const char *paths[] = { path_a, path_b };
	struct dp_setlist *l = NULL;
	struct hwall_err err = { { 0 } };
	struct dp_digests d = { .mask = (1u << HWALL_ALGO_XXH3_128) | (1u << HWALL_ALGO_MD5) };
	struct dp_counters ctr = { 0 };
	struct dp_match m[4];
	char text[128], hex[33];

	CU_ASSERT_EQUAL_FATAL(dp_setlist_open(paths, 2, &l, &err), 0);
	hwall_hex_format(known_md5, 16, hex);
	snprintf(text, sizeof(text), "md5 %s\n", hex);
	CU_ASSERT_EQUAL_FATAL(dp_allowlist_parse(text, strlen(text), &l->allow, &err), 0);
	memcpy(d.bytes[HWALL_ALGO_XXH3_128], known_xxh, 16);
	memcpy(d.bytes[HWALL_ALGO_MD5], known_md5, 16);
	CU_ASSERT_EQUAL(dp_verdict_count(l, &d, m, 4, &ctr), 1);
	CU_ASSERT_STRING_EQUAL(m[0].set->info.id, "a");
	CU_ASSERT_EQUAL(m[0].algo, HWALL_ALGO_XXH3_128);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_allowlisted], 1);
	/* known_md5's bytes as an xxh3-128 digest: not allowlisted, not in a set. */
	memcpy(d.bytes[HWALL_ALGO_XXH3_128], known_md5, 16);
	memcpy(d.bytes[HWALL_ALGO_MD5], other, 16);
	CU_ASSERT_EQUAL(dp_verdict_count(l, &d, m, 4, &ctr), 1);
	CU_ASSERT_EQUAL(m[0].algo, HWALL_ALGO_MD5);
	CU_ASSERT_EQUAL(m[0].ref, 100);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_allowlisted], 1);
	/* Without counters the hit is still skipped. */
	memcpy(d.bytes[HWALL_ALGO_MD5], known_md5, 16);
	CU_ASSERT_EQUAL(dp_verdict(l, &d, m, 4), 0);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_allowlisted], 1);
	CU_ASSERT_STRING_EQUAL(dp_drop_name(DP_DROP_allowlisted), "allowlisted");
	dp_setlist_free(l); /* frees the allowlist too */
}

/* An entry for one set skips that set's hit only: the same digest hit in
 * another set is still a match. */
static void test_allowlisted_for_one_set(void)
{
	const char *paths[] = { path_b, path_c };
	struct dp_setlist *l = NULL;
	struct hwall_err err = { { 0 } };
	struct dp_digests d = { .mask = 1u << HWALL_ALGO_MD5 };
	struct dp_counters ctr = { 0 };
	struct dp_match m[4];
	char text[128], hex[33];

	CU_ASSERT_EQUAL_FATAL(dp_setlist_open(paths, 2, &l, &err), 0);
	hwall_hex_format(known_md5, 16, hex);
	snprintf(text, sizeof(text), "md5 %s b\n", hex);
	CU_ASSERT_EQUAL_FATAL(dp_allowlist_parse(text, strlen(text), &l->allow, &err), 0);
	memcpy(d.bytes[HWALL_ALGO_MD5], known_md5, 16);
	CU_ASSERT_EQUAL(dp_verdict_count(l, &d, m, 4, &ctr), 1);
	CU_ASSERT_STRING_EQUAL(m[0].set->info.id, "c");
	CU_ASSERT_EQUAL(m[0].ref, 7);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_allowlisted], 1);
	dp_allowlist_free(l->allow);
	/* for every set: no match at all */
	snprintf(text, sizeof(text), "md5 %s c\nmd5 %s\n", hex, hex);
	CU_ASSERT_EQUAL_FATAL(dp_allowlist_parse(text, strlen(text), &l->allow, &err), 0);
	CU_ASSERT_EQUAL(dp_verdict_count(l, &d, m, 4, &ctr), 0);
	CU_ASSERT_EQUAL(ctr.drop[DP_DROP_allowlisted], 3);
	dp_setlist_free(l);
}

static void test_bad_files(void)
{
	const char *bad[] = { path_a, path_bad };
	const char *missing[] = { "/nonexistent/set.hws" };
	struct dp_setlist *l = NULL;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(dp_setlist_open(bad, 2, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "bad.hws"));
	CU_ASSERT_EQUAL(dp_setlist_open(missing, 1, &l, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/set.hws"));
	CU_ASSERT_EQUAL(dp_setlist_open(bad, DP_SETS_MAX + 1, &l, &err), -E2BIG);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "lookup_every_set", test_lookup_every_set },
		{ "allowlisted_hit", test_allowlisted_hit },
		{ "allowlisted for one set", test_allowlisted_for_one_set },
		{ "bad_files", test_bad_files },
		CU_TEST_INFO_NULL,
	};

	dir = hwall_test_tmpdir("verdict");
	if (!dir || make_sets() < 0)
		return 2;
	return hwall_test_main("dataplane/verdict", tests);
}
