/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mbh_int.h - inside the mbhash module: the block functions the
 * scheduler (mbh.c) drives.  A multi-buffer kernel hashes nblocks
 * consecutive 64-byte blocks in each of its lanes at once; each
 * instruction set's kernels are one file built with its own target flags
 * (mbh_lanes.c, built once per set) and run only where the CPU has them.
 * The single-stream functions (mbh_single.c) are OpenSSL's.
 *
 * Lane state is "structure of arrays": word w of lane i is
 * st[w * lanes + i] (a, b, c, d for md5; h0..h4 for sha1), so that a
 * kernel loads each word of all lanes with one vector load.
 */
#ifndef HASHWALL_DATAPLANE_MBHASH_MBH_INT_H
#define HASHWALL_DATAPLANE_MBHASH_MBH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane/mbhash/mbh.h"

#define MBH_LANES_MAX 16
#define MBH_BLOCK 64
#define MBH_STATE_WORDS_MAX 5

/*
 * Hash n = min(left[i]) blocks (every left[i] >= 1) in every lane, lane i
 * reading ptr[i] .. ptr[i] + 64 * n into its state; then advance ptr[i]
 * by 64 * n and take n off left[i].  Returns n.  The scheduler calls it
 * again after moving the lanes whose left[i] came to 0 on to their next
 * run; keeping that bookkeeping here keeps its cost off the per-call path.
 */
typedef size_t (*mbh_lanes_fn)(uint32_t *st, const uint8_t **ptr, uint32_t *left);

/* Hash @nblocks blocks at @p into one stream's state (a, b, c, d or h0..h4). */
typedef void (*mbh_single_fn)(uint32_t *st, const uint8_t *p, size_t nblocks);

struct mbh_kernel {
	const char *name;
	unsigned int lanes;
	mbh_lanes_fn blocks;
};

/* Initial chaining values (RFC 1321 section 3.3, FIPS 180-4 section 5.3.1). */
extern const uint32_t mbh_md5_iv[4];
extern const uint32_t mbh_sha1_iv[5];
extern const unsigned int mbh_state_words[MBH_ALGO_COUNT];

/* The kernel @impl has for @algo; NULL for the scalar implementation. */
const struct mbh_kernel *mbh_impl_kernel(enum mbh_impl impl, enum mbh_algo algo);

/* The measured single-stream threshold of @impl for @algo (mbh_impl.c). */
int mbh_impl_single_default(enum mbh_impl impl, enum mbh_algo algo);

void mbh_md5_single(uint32_t *st, const uint8_t *p, size_t nblocks);
void mbh_sha1_single(uint32_t *st, const uint8_t *p, size_t nblocks);

#ifdef MBH_HAVE_AVX2
extern const struct mbh_kernel mbh_md5_avx2;
extern const struct mbh_kernel mbh_sha1_avx2;
#endif
#ifdef MBH_HAVE_AVX512
extern const struct mbh_kernel mbh_md5_avx512;
extern const struct mbh_kernel mbh_sha1_avx512;
/* The same md5 kernel reading its lanes with vpgatherqd instead of
 * loads and a transpose: kept for the benchmark, which measures both. */
extern const struct mbh_kernel mbh_md5_avx512_gather;
#endif

#endif
