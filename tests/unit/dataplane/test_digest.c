/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/digest.c: known vectors and streaming. */
#include "dataplane/digest.h"
#include "dataplane/xxh3_impl.h"
#include "hwall_test.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>

static bool hex_is(const struct dp_digests *d, enum hwall_algo a, const char *hex)
{
	char out[HWALL_DIGEST_HEX_MAX];

	hwall_hex_format(d->bytes[a], hwall_algo_len(a), out);
	return strcmp(out, hex) == 0;
}

static void test_known_vectors(void)
{
	struct dp_digest *d = dp_digest_new();
	struct dp_digests r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(dp_digest_start(d, (1u << HWALL_ALGO_MD5) | (1u << HWALL_ALGO_SHA1) |
						   (1u << HWALL_ALGO_SHA256)), 0);
	dp_digest_update(d, "ab", 2);
	dp_digest_update(d, "c", 1);
	dp_digest_finish(d, &r);
	CU_ASSERT_EQUAL(r.mask, 0xfu);
	CU_ASSERT_TRUE(hex_is(&r, HWALL_ALGO_MD5, "900150983cd24fb0d6963f7d28e17f72"));
	CU_ASSERT_TRUE(hex_is(&r, HWALL_ALGO_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"));
	CU_ASSERT_TRUE(hex_is(&r, HWALL_ALGO_SHA256,
			      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	/* xxh3-128 of the empty input, canonical (big-endian) order. */
	CU_ASSERT_EQUAL(dp_digest_start(d, 0), 0);
	dp_digest_finish(d, &r);
	CU_ASSERT_EQUAL(r.mask, 1u << HWALL_ALGO_XXH3_128);
	CU_ASSERT_TRUE(hex_is(&r, HWALL_ALGO_XXH3_128, "99aa06d3014798d86001c324468d497f"));
	dp_digest_free(d);
}

/* For an EVP row of the table: @got equals OpenSSL's one-shot digest of
 * @body.  Rows of other kinds have nothing to compare here: true. */
static bool evp_row_matches(enum hwall_algo a, const uint8_t *body, size_t len, const uint8_t *got)
{
	const char *name = hwall_algo_evp_name(a);
	uint8_t want[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!name)
		return true;
	return EVP_Digest(body, len, want, &n, EVP_get_digestbyname(name), NULL) == 1 &&
	       n == hwall_algo_len(a) && memcmp(got, want, n) == 0;
}

/* Asked for everything, the stage computes xxh3-128 and every EVP row of
 * the table (bits of anything else are ignored), each as OpenSSL does. */
static void test_every_evp_row(void)
{
	static uint8_t body[5000];
	struct dp_digest *d = dp_digest_new();
	unsigned int want = 1u << HWALL_ALGO_XXH3_128;
	struct dp_digests r;
	uint64_t seed = 11;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	hwall_test_rand_bytes(&seed, body, sizeof(body));
	CU_ASSERT_EQUAL(dp_digest_start(d, ~0u), 0);
	dp_digest_update(d, body, 1000);
	dp_digest_update(d, body + 1000, sizeof(body) - 1000);
	dp_digest_finish(d, &r);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		want |= (unsigned int)(hwall_algo_kind((enum hwall_algo)a) == HWALL_ALGO_KIND_EVP) << a;
		CU_ASSERT_TRUE(evp_row_matches((enum hwall_algo)a, body, sizeof(body), r.bytes[a]));
	}
	CU_ASSERT_EQUAL(r.mask, want);
	dp_digest_free(d);
}

static void test_streaming_split_invariance(void)
{
	static uint8_t body[300000];
	struct dp_digest *d = dp_digest_new();
	struct dp_digests whole, pieces;
	uint64_t seed = 7;
	size_t off = 0, step = 1;

	hwall_test_rand_bytes(&seed, body, sizeof(body));
	dp_digest_start(d, 1u << HWALL_ALGO_MD5);
	dp_digest_update(d, body, sizeof(body));
	dp_digest_finish(d, &whole);
	dp_digest_start(d, 1u << HWALL_ALGO_MD5);
	while (off < sizeof(body)) {
		size_t n = sizeof(body) - off < step ? sizeof(body) - off : step;
		dp_digest_update(d, body + off, n);
		off += n;
		step = step * 3 + 1;
	}
	dp_digest_finish(d, &pieces);
	CU_ASSERT_EQUAL(memcmp(whole.bytes[HWALL_ALGO_XXH3_128], pieces.bytes[HWALL_ALGO_XXH3_128], 16), 0);
	CU_ASSERT_EQUAL(memcmp(whole.bytes[HWALL_ALGO_MD5], pieces.bytes[HWALL_ALGO_MD5], 16), 0);
	dp_digest_free(d);
	dp_digest_free(NULL);
}

/* Run @impl over @len bytes in uneven pieces; true when its digest equals
 * libxxhash's one-shot canonical xxh3-128. */
static bool impl_matches_libxxhash(const struct dp_xxh3_impl *impl, const uint8_t *p, size_t len)
{
	void *st = aligned_alloc(64, (impl->state_size + 63) & ~(size_t)63);
	XXH128_canonical_t want;
	uint8_t got[16];
	size_t off = 0, step = 1;

	impl->reset(st);
	while (off < len) {
		size_t n = len - off < step ? len - off : step;
		impl->update(st, p + off, n);
		off += n;
		step = step * 2 + 3;
	}
	impl->digest(st, got);
	free(st);
	XXH128_canonicalFromHash(&want, XXH3_128bits(p, len));
	return memcmp(got, want.digest, 16) == 0;
}

static void test_variants_agree(void)
{
	static uint8_t data[200000];
	uint64_t seed = 9;

	hwall_test_rand_bytes(&seed, data, sizeof(data));
	CU_ASSERT_TRUE(impl_matches_libxxhash(&dp_xxh3_base, data, sizeof(data)));
	CU_ASSERT_TRUE(impl_matches_libxxhash(&dp_xxh3_base, data, 100));
	CU_ASSERT_TRUE(impl_matches_libxxhash(dp_digest_xxh3_impl(), data, sizeof(data)));
	CU_ASSERT_TRUE(impl_matches_libxxhash(dp_digest_xxh3_impl(), data, 0));
#ifdef DP_HAVE_XXH3_AVX2
	/* The variant in use is AVX2 exactly when the CPU has it. */
	CU_ASSERT_EQUAL(strcmp(dp_digest_xxh3_impl()->name, "avx2") == 0,
			__builtin_cpu_supports("avx2") != 0);
#endif
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "known_vectors", test_known_vectors },
		{ "every_evp_row", test_every_evp_row },
		{ "streaming_split_invariance", test_streaming_split_invariance },
		{ "variants_agree", test_variants_agree },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("dataplane/digest", tests);
}
