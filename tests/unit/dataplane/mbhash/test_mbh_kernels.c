/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for the kernels of dataplane/mbhash (mbh_lanes.c) on their
 * own, below the scheduler: every lane of every kernel of the
 * implementation named by $HASHWALL_MBH_IMPL against the single-stream
 * block function, over random chaining values, lanes at unrelated and
 * unaligned addresses, and runs of 1 to 9 blocks and uneven lengths (a call
 * hashes as many blocks as the shortest run has, and advances every lane
 * by that many).  Skipped (77) where the CPU cannot run the implementation.
 */
#include "dataplane/mbhash/mbh_int.h"
#include "hwall_test.h"

#include <stdlib.h>
#include <string.h>

/* The kernels of each implementation, NULL-terminated. */
static const struct mbh_kernel *const kernels[MBH_IMPL_COUNT][4] = {
#ifdef MBH_HAVE_AVX2
	[MBH_IMPL_AVX2] = { &mbh_md5_avx2, &mbh_sha1_avx2, NULL },
#endif
#ifdef MBH_HAVE_AVX512
	[MBH_IMPL_AVX512] = { &mbh_md5_avx512, &mbh_md5_avx512_gather, &mbh_sha1_avx512, NULL },
#endif
};

static enum mbh_impl impl;

/* The algorithm of kernel @k, from its name. */
static enum mbh_algo kernel_algo(const struct mbh_kernel *k)
{
	return strncmp(k->name, "md5", 3) == 0 ? MBH_MD5 : MBH_SHA1;
}

/* Run @k once over lanes whose runs have @nblocks blocks or up to 3
 * more (at least one lane exactly @nblocks), and each lane through the
 * single-stream function for @nblocks: the number of words, pointers and
 * counts that differ from what they should be. */
static unsigned int kernel_mismatches(const struct mbh_kernel *k, uint64_t seed, size_t nblocks)
{
	enum mbh_algo a = kernel_algo(k);
	mbh_single_fn single = a == MBH_MD5 ? mbh_md5_single : mbh_sha1_single;
	unsigned int words = mbh_state_words[a], bad = 0;
	uint32_t st[MBH_STATE_WORDS_MAX * MBH_LANES_MAX], ref[MBH_LANES_MAX][MBH_STATE_WORDS_MAX];
	uint32_t left[MBH_LANES_MAX], run[MBH_LANES_MAX];
	const uint8_t *ptr[MBH_LANES_MAX], *start[MBH_LANES_MAX];
	uint8_t *buf[MBH_LANES_MAX];
	size_t n;

	for (unsigned int i = 0; i < k->lanes; i++) {
		/* A separate allocation per lane, at an odd offset. */
		size_t skew = hwall_test_rand(&seed) % 61;

		run[i] = left[i] = (uint32_t)(nblocks + (i == 3 ? 0 : hwall_test_rand(&seed) % 4));
		buf[i] = malloc(left[i] * MBH_BLOCK + skew);
		hwall_test_rand_bytes(&seed, buf[i], left[i] * MBH_BLOCK + skew);
		start[i] = ptr[i] = buf[i] + skew;
		for (unsigned int w = 0; w < words; w++)
			ref[i][w] = st[w * k->lanes + i] = (uint32_t)hwall_test_rand(&seed);
		single(ref[i], ptr[i], nblocks);
	}
	n = k->blocks(st, ptr, left);
	bad += n != nblocks;
	for (unsigned int i = 0; i < k->lanes; i++) {
		for (unsigned int w = 0; w < words; w++)
			bad += st[w * k->lanes + i] != ref[i][w];
		bad += ptr[i] != start[i] + nblocks * MBH_BLOCK;
		bad += left[i] != run[i] - nblocks;
		free(buf[i]);
	}
	return bad;
}

static void test_kernels_match_single_stream(void)
{
	unsigned int tested = 0;

	for (const struct mbh_kernel *const *k = kernels[impl]; *k; k++) {
		for (size_t n = 1; n <= 9; n++)
			CU_ASSERT_EQUAL(kernel_mismatches(*k, 1000 + n, n), 0);
		tested++;
	}
	CU_ASSERT_TRUE(tested >= 2); /* an md5 and a sha1 kernel at least */
}

/* Lanes that share their bytes (the scheduler points idle lanes at a busy
 * one) still hash independently. */
static void test_kernels_aliased_lanes(void)
{
	static uint8_t block[3 * MBH_BLOCK];
	uint64_t seed = 5;

	hwall_test_rand_bytes(&seed, block, sizeof(block));
	for (const struct mbh_kernel *const *k = kernels[impl]; *k; k++) {
		enum mbh_algo a = kernel_algo(*k);
		mbh_single_fn single = a == MBH_MD5 ? mbh_md5_single : mbh_sha1_single;
		const uint32_t *iv = a == MBH_MD5 ? mbh_md5_iv : mbh_sha1_iv;
		uint32_t st[MBH_STATE_WORDS_MAX * MBH_LANES_MAX], ref[MBH_STATE_WORDS_MAX];
		uint32_t left[MBH_LANES_MAX];
		const uint8_t *ptr[MBH_LANES_MAX];
		unsigned int bad = 0;

		for (unsigned int i = 0; i < (*k)->lanes; i++) {
			ptr[i] = block;
			left[i] = 3;
			for (unsigned int w = 0; w < mbh_state_words[a]; w++)
				st[w * (*k)->lanes + i] = iv[w];
		}
		memcpy(ref, iv, mbh_state_words[a] * sizeof(uint32_t));
		single(ref, block, 3);
		(*k)->blocks(st, ptr, left);
		for (unsigned int i = 0; i < (*k)->lanes; i++)
			for (unsigned int w = 0; w < mbh_state_words[a]; w++)
				bad += st[w * (*k)->lanes + i] != ref[w];
		CU_ASSERT_EQUAL(bad, 0);
	}
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "kernels match the single-stream path", test_kernels_match_single_stream },
		{ "aliased lanes", test_kernels_aliased_lanes },
		CU_TEST_INFO_NULL,
	};

	/* Unsupported here, or scalar (no kernels): nothing to test. */
	if (mbh_impl_resolve(MBH_IMPL_AUTO, &impl) < 0 || impl == MBH_IMPL_SCALAR)
		return 77;
	return hwall_test_main("dataplane/mbhash kernels", tests);
}
