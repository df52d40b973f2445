/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xxh3_impl.h - xxh3-128 streaming, built twice from xxh3_impl.c: a
 * baseline (SSE2) variant and, on x86-64, an AVX2 one; digest.c picks one
 * at start-up from the CPU's features.  (Debian's libxxhash is built for
 * the baseline only, at a third of AVX2's speed.)  Both give the same
 * digests.  The state is opaque, DP_XXH3_STATE_SIZE bytes, 64-byte aligned.
 */
#ifndef HASHWALL_DATAPLANE_XXH3_IMPL_H
#define HASHWALL_DATAPLANE_XXH3_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* One variant's functions. */
struct dp_xxh3_impl {
	const char *name;
	size_t state_size;
	void (*reset)(void *state);
	void (*update)(void *state, const void *p, size_t len);
	void (*digest)(const void *state, uint8_t out[16]); /* canonical, big-endian */
};

extern const struct dp_xxh3_impl dp_xxh3_base;
#ifdef DP_HAVE_XXH3_AVX2
extern const struct dp_xxh3_impl dp_xxh3_avx2;
#endif

#endif
