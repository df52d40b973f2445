/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * digest.c - xxh3-128 (xxHash streaming API) and the table's OpenSSL EVP
 * digests (common/algo.h: every row of kind HWALL_ALGO_KIND_EVP).
 */
#include "dataplane/digest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dataplane/xxh3_impl.h"

struct dp_digest {
	const struct dp_xxh3_impl *impl;
	void *xxh;
	const EVP_MD *md[HWALL_ALGO_COUNT]; /* the EVP kind's, looked up once */
	EVP_MD_CTX *evp[HWALL_ALGO_COUNT];  /* created on first use, then reused */
	unsigned int evp_mask;              /* the table's EVP kind */
	unsigned int mask;                  /* computed for the current object */
};

const struct dp_xxh3_impl *dp_digest_xxh3_impl(void)
{
#ifdef DP_HAVE_XXH3_AVX2
	if (__builtin_cpu_supports("avx2"))
		return &dp_xxh3_avx2;
#endif
	return &dp_xxh3_base;
}

/* Look up the table's EVP digests (perceptual kinds are computed from
 * decoded images elsewhere); false when OpenSSL lacks one. */
static bool find_evp(struct dp_digest *d)
{
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		const char *name = hwall_algo_evp_name((enum hwall_algo)a);

		if (!name)
			continue;
		d->md[a] = EVP_get_digestbyname(name);
		if (!d->md[a])
			return false;
		d->evp_mask |= 1u << a;
	}
	return true;
}

struct dp_digest *dp_digest_new(void)
{
	struct dp_digest *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (!find_evp(d)) {
		free(d);
		errno = ENOSYS;
		return NULL;
	}
	d->impl = dp_digest_xxh3_impl();
	d->xxh = aligned_alloc(64, (d->impl->state_size + 63) & ~(size_t)63);
	if (!d->xxh) {
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	return d;
}

void dp_digest_free(struct dp_digest *d)
{
	if (!d)
		return;
	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		EVP_MD_CTX_free(d->evp[a]);
	free(d->xxh);
	free(d);
}

int dp_digest_start(struct dp_digest *d, unsigned int mask)
{
	unsigned int computed = 1u << HWALL_ALGO_XXH3_128;

	d->impl->reset(d->xxh);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		if (!(mask & d->evp_mask & (1u << a)))
			continue;
		if (!d->evp[a])
			d->evp[a] = EVP_MD_CTX_new();
		if (!d->evp[a] || EVP_DigestInit_ex(d->evp[a], d->md[a], NULL) != 1)
			return -ENOMEM;
		computed |= 1u << a;
	}
	d->mask = computed;
	return 0;
}

void dp_digest_update(struct dp_digest *d, const void *data, size_t len)
{
	d->impl->update(d->xxh, data, len);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		if (d->mask & d->evp_mask & (1u << a))
			EVP_DigestUpdate(d->evp[a], data, len);
}

void dp_digest_finish(struct dp_digest *d, struct dp_digests *ret)
{
	d->impl->digest(d->xxh, ret->bytes[HWALL_ALGO_XXH3_128]);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		if (d->mask & d->evp_mask & (1u << a))
			EVP_DigestFinal_ex(d->evp[a], ret->bytes[a], NULL);
	ret->mask = d->mask;
}
