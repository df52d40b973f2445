/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * digest.c - xxh3-128 (xxHash streaming API) and the table's OpenSSL EVP
 * digests (common/algo.h: every row of kind HWALL_ALGO_KIND_EVP), md5 and
 * sha1 on a multi-buffer stream of the worker's mbhash context when given.
 */
#include "dataplane/digest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dataplane/mbhash/mbh.h"
#include "dataplane/xxh3_impl.h"

#define MB_ALGOS ((1u << HWALL_ALGO_MD5) | (1u << HWALL_ALGO_SHA1))

struct dp_digest {
	const struct dp_xxh3_impl *impl;
	void *xxh;
	const EVP_MD *md[HWALL_ALGO_COUNT]; /* the EVP kind's, looked up once */
	EVP_MD_CTX *evp[HWALL_ALGO_COUNT];  /* created on first use, then reused */
	unsigned int evp_mask;              /* the table's EVP kind */
	unsigned int mask;                  /* computed for the current object */
	unsigned int evp_now;               /* of those, on EVP */
	struct mbh_ctx *mb;                 /* the worker's, while ms is open */
	struct mbh_stream *ms;              /* md5/sha1 of the current object */
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
	if (d->ms)
		mbh_abort(d->mb, d->ms);
	free(d->xxh);
	free(d);
}

/* Start EVP contexts for the algorithms of @evp; 0 or -ENOMEM. */
static int start_evp(struct dp_digest *d, unsigned int evp)
{
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		if (!(evp & (1u << a)))
			continue;
		if (!d->evp[a])
			d->evp[a] = EVP_MD_CTX_new();
		if (!d->evp[a] || EVP_DigestInit_ex(d->evp[a], d->md[a], NULL) != 1)
			return -ENOMEM;
	}
	return 0;
}

/* A previous object given up without dp_digest_finish() (a failed start). */
static void drop_stream(struct dp_digest *d)
{
	if (!d->ms)
		return;
	mbh_abort(d->mb, d->ms);
	d->ms = NULL;
}

int dp_digest_start(struct dp_digest *d, unsigned int mask)
{
	unsigned int evp = mask & d->evp_mask;

	drop_stream(d);
	d->impl->reset(d->xxh);
	if (start_evp(d, evp) < 0)
		return -ENOMEM;
	d->evp_now = evp;
	d->mask = evp | 1u << HWALL_ALGO_XXH3_128;
	return 0;
}

int dp_digest_start_mb(struct dp_digest *d, unsigned int mask, struct mbh_ctx *mb)
{
	unsigned int evp = mask & d->evp_mask, want = evp & MB_ALGOS, algos = 0;
	int ret = 0, r;

	drop_stream(d);
	if (want) {
		if (want & (1u << HWALL_ALGO_MD5))
			algos |= 1u << MBH_MD5;
		if (want & (1u << HWALL_ALGO_SHA1))
			algos |= 1u << MBH_SHA1;
		r = mbh_open(mb, algos, &d->ms);
		if (r == 0) {
			d->mb = mb;
			evp &= ~MB_ALGOS;
		} else {
			d->ms = NULL;
			ret = 1;
		}
	}
	d->impl->reset(d->xxh);
	if (start_evp(d, evp) < 0) {
		drop_stream(d);
		return -ENOMEM;
	}
	d->evp_now = evp;
	d->mask = (mask & d->evp_mask) | 1u << HWALL_ALGO_XXH3_128;
	return ret;
}

int dp_digest_sync(struct dp_digest *d)
{
	return d->ms ? mbh_sync(d->mb, d->ms) : 0;
}

void dp_digest_update(struct dp_digest *d, const void *data, size_t len)
{
	d->impl->update(d->xxh, data, len);
	if (d->ms)
		mbh_update(d->mb, d->ms, data, len);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		if (d->evp_now & (1u << a))
			EVP_DigestUpdate(d->evp[a], data, len);
}

bool dp_digest_end(struct dp_digest *d)
{
	if (!d->ms)
		return false;
	mbh_end(d->mb, d->ms);
	return true;
}

void dp_digest_abandon(struct dp_digest *d)
{
	if (!d->ms)
		return;
	drop_stream(d);
	d->mask &= ~MB_ALGOS | d->evp_now;
}

void dp_digest_finish(struct dp_digest *d, struct dp_digests *ret)
{
	d->impl->digest(d->xxh, ret->bytes[HWALL_ALGO_XXH3_128]);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		if (d->evp_now & (1u << a))
			EVP_DigestFinal_ex(d->evp[a], ret->bytes[a], NULL);
	if (d->ms) {
		struct mbh_digests md;

		mbh_final(d->mb, d->ms, &md);
		d->ms = NULL;
		if (d->mask & (1u << HWALL_ALGO_MD5))
			memcpy(ret->bytes[HWALL_ALGO_MD5], md.md5, MBH_MD5_LEN);
		if (d->mask & (1u << HWALL_ALGO_SHA1))
			memcpy(ret->bytes[HWALL_ALGO_SHA1], md.sha1, MBH_SHA1_LEN);
	}
	ret->mask = d->mask;
}
