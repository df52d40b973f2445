/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_fixture.h - what the sync unit tests share: deterministic keys from
 * the test PRNG, synthetic records, and a bundle maker over the publisher.
 */
#ifndef HASHWALL_TESTS_SYNC_FIXTURE_H
#define HASHWALL_TESTS_SYNC_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hwall_test.h"
#include "sync_publish.h"
#include "sync_verify.h"

#define FX_NOW 1800000000LL
#define FX_KEYS 6

struct fx {
	uint8_t pub[FX_KEYS][SYNC_PUBKEY_LEN];
	uint8_t sec[FX_KEYS][SYNC_SECKEY_LEN];
	struct sync_trusted trusted; /* keys 0..2, threshold 1 */
	struct sync_caps caps;
};

/* Before the CUnit registry exists: returns 0, or -1 when libsodium fails. */
static inline int fx_init(struct fx *fx)
{
	uint64_t seed_state = 42;

	if (sync_crypto_init() < 0)
		return -1;
	for (int i = 0; i < FX_KEYS; i++) {
		uint8_t seed[32];
		hwall_test_rand_bytes(&seed_state, seed, sizeof(seed));
		crypto_sign_ed25519_seed_keypair(fx->pub[i], fx->sec[i], seed);
	}
	memset(&fx->trusted, 0, sizeof(fx->trusted));
	strcpy(fx->trusted.set, "nl-test");
	fx->trusted.root.version = 1;
	fx->trusted.root.threshold = 1;
	fx->trusted.root.n_keys = 3;
	memcpy(fx->trusted.root.keys, fx->pub, 3 * SYNC_PUBKEY_LEN);
	fx->caps.bundle_bytes = 1u << 20;
	fx->caps.manifest_bytes = 4096;
	fx->caps.created_skew = SYNC_DEFAULT_CREATED_SKEW;
	return 0;
}

/* A manifest template for @kind at @version (base for deltas). */
static inline struct sync_manifest fx_manifest(enum sync_kind kind, uint64_t version, uint64_t base)
{
	struct sync_manifest m;

	memset(&m, 0, sizeof(m));
	strcpy(m.set, "nl-test");
	m.kind = kind;
	m.version = version;
	m.base = base;
	m.created = FX_NOW - 60;
	m.expires = FX_NOW + 3600;
	return m;
}

/* @n synthetic md5/sha256 adds (and @n_remove md5 removes) from @seed. */
static inline struct sync_payload_builder *fx_records(uint64_t seed, unsigned int n,
						       unsigned int n_remove)
{
	struct sync_payload_builder *pb = sync_payload_builder_new();
	uint8_t digest[HWALL_DIGEST_MAX];

	for (unsigned int i = 0; pb && i < n + n_remove; i++) {
		struct sync_record r = {
			.remove = i >= n, .algo = i % 2 && i < n ? HWALL_ALGO_SHA256 : HWALL_ALGO_MD5,
			.digest = digest, .category = (uint8_t)(i % 3 + 1), .ref = 1000 + i,
		};
		hwall_test_rand_bytes(&seed, digest, sizeof(digest));
		CU_ASSERT_FATAL(sync_payload_builder_add(pb, &r) == 0);
	}
	return pb;
}

/* Build a bundle from @m with @n records signed by keys @k0..@k0+n_keys-1. */
static inline uint8_t *fx_bundle(const struct fx *fx, const struct sync_manifest *m, uint64_t seed,
				 unsigned int n, unsigned int k0, unsigned int n_keys, size_t *ret_len)
{
	struct sync_payload_builder *pb = fx_records(seed, n, m->kind == SYNC_KIND_DELTA ? 2 : 0);
	uint8_t *buf = NULL;

	CU_ASSERT_FATAL(sync_publish_build(m, pb, (const uint8_t(*)[SYNC_SECKEY_LEN])fx->sec[k0],
					   n_keys, &buf, ret_len) == 0);
	sync_payload_builder_free(pb);
	return buf;
}

/*
 * The bundle at @buf with its manifest replaced by the @m_len bytes at
 * @manifest and signed again by key @k (the payload and its declared
 * SHA-256 stay): how a signer's own malformed manifest looks on the wire.
 */
static inline uint8_t *fx_resign(const struct fx *fx, const uint8_t *buf, size_t len,
				 const char *manifest, size_t m_len, unsigned int k, size_t *ret_len)
{
	size_t old_m = (size_t)buf[12] << 24 | (size_t)buf[13] << 16 | (size_t)buf[14] << 8 | buf[15];
	size_t n_sigs = (size_t)buf[10] << 8 | buf[11];
	size_t payload_off = SYNC_HEADER_LEN + old_m + n_sigs * SYNC_SIG_ENTRY_LEN;
	uint8_t sig[SYNC_SIG_ENTRY_LEN], *out = malloc(SYNC_HEADER_LEN + m_len + sizeof(sig) +
						       len - payload_off);

	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT_FATAL(sync_sign_manifest((const uint8_t *)manifest, m_len, fx->sec[k], sig) == 0);
	memcpy(out, buf, SYNC_HEADER_LEN);
	out[10] = 0;
	out[11] = 1;
	for (int i = 0; i < 4; i++)
		out[12 + i] = (uint8_t)(m_len >> (24 - 8 * i));
	memcpy(out + SYNC_HEADER_LEN, manifest, m_len);
	memcpy(out + SYNC_HEADER_LEN + m_len, sig, sizeof(sig));
	memcpy(out + SYNC_HEADER_LEN + m_len + sizeof(sig), buf + payload_off, len - payload_off);
	*ret_len = SYNC_HEADER_LEN + m_len + sizeof(sig) + len - payload_off;
	return out;
}

/* Verify and return the refusal (SYNC_OK when accepted). */
static inline enum sync_refusal fx_verify(const struct fx *fx, const uint8_t *buf, size_t len)
{
	struct sync_verified out;
	struct sync_verdict v = { .reason = SYNC_OK };

	sync_verify(buf, len, &fx->caps, &fx->trusted, FX_NOW, &out, &v);
	return v.reason;
}

#endif
