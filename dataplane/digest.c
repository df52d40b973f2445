/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * digest.c - xxh3-128 (xxHash streaming API) and OpenSSL EVP digests.
 */
#include "dataplane/digest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>

struct dp_digest {
	XXH3_state_t *xxh;
	EVP_MD_CTX *evp[HW_ALGO_COUNT]; /* created on first use, then reused */
	unsigned int mask;
};

static const EVP_MD *evp_md(enum hw_algo a)
{
	switch (a) {
	case HW_ALGO_MD5:
		return EVP_md5();
	case HW_ALGO_SHA1:
		return EVP_sha1();
	case HW_ALGO_SHA256:
		return EVP_sha256();
	default:
		return NULL;
	}
}

struct dp_digest *dp_digest_new(void)
{
	struct dp_digest *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->xxh = XXH3_createState();
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
	for (int a = 0; a < HW_ALGO_COUNT; a++)
		EVP_MD_CTX_free(d->evp[a]);
	XXH3_freeState(d->xxh);
	free(d);
}

int dp_digest_start(struct dp_digest *d, unsigned int mask)
{
	mask |= 1u << HW_ALGO_XXH3_128;
	XXH3_128bits_reset(d->xxh);
	for (int a = HW_ALGO_MD5; a < HW_ALGO_COUNT; a++) {
		if (!(mask & (1u << a)))
			continue;
		if (!d->evp[a])
			d->evp[a] = EVP_MD_CTX_new();
		if (!d->evp[a] || EVP_DigestInit_ex(d->evp[a], evp_md(a), NULL) != 1)
			return -ENOMEM;
	}
	d->mask = mask;
	return 0;
}

void dp_digest_update(struct dp_digest *d, const void *data, size_t len)
{
	XXH3_128bits_update(d->xxh, data, len);
	for (int a = HW_ALGO_MD5; a < HW_ALGO_COUNT; a++)
		if (d->mask & (1u << a))
			EVP_DigestUpdate(d->evp[a], data, len);
}

void dp_digest_finish(struct dp_digest *d, struct dp_digests *ret)
{
	XXH128_canonical_t canon;

	XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(d->xxh));
	memcpy(ret->bytes[HW_ALGO_XXH3_128], canon.digest, sizeof(canon.digest));
	for (int a = HW_ALGO_MD5; a < HW_ALGO_COUNT; a++)
		if (d->mask & (1u << a))
			EVP_DigestFinal_ex(d->evp[a], ret->bytes[a], NULL);
	ret->mask = d->mask;
}
