/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xxh3_impl.c - one variant of xxh3-128 streaming (see xxh3_impl.h); meson
 * compiles this file once per variant with DP_XXH3_VARIANT set to its name
 * (and -mavx2 for the avx2 one).  The whole of xxHash is inlined here so
 * that the compiler's target flags pick its vector code.
 */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "dataplane/xxh3_impl.h"

#include <string.h>

#define DP_CAT2(a, b) a##b
#define DP_CAT(a, b) DP_CAT2(a, b)
#define DP_IMPL DP_CAT(dp_xxh3_, DP_XXH3_VARIANT)
#define DP_STR2(a) #a
#define DP_STR(a) DP_STR2(a)

static void impl_reset(void *state)
{
	XXH3_128bits_reset(state);
}

static void impl_update(void *state, const void *p, size_t len)
{
	XXH3_128bits_update(state, p, len);
}

static void impl_digest(const void *state, uint8_t out[16])
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(state));
	memcpy(out, c.digest, 16);
}

const struct dp_xxh3_impl DP_IMPL = {
	.name = DP_STR(DP_XXH3_VARIANT),
	.state_size = sizeof(XXH3_state_t),
	.reset = impl_reset,
	.update = impl_update,
	.digest = impl_digest,
};
