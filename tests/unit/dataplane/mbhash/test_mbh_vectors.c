/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for dataplane/mbhash: the RFC 1321 (MD5) and FIPS 180 (SHA-1)
 * test vectors, bit-exact, through the implementation named by
 * $HASHWALL_MBH_IMPL (meson runs this program once per implementation):
 * alone, byte by byte, all at once in the lanes, and with the lanes forced
 * for a single stream.
 */
#include "dataplane/mbhash/mbh.h"
#include "hwall_test.h"

#include <stdlib.h>
#include <string.h>

struct vector {
	const char *msg;
	size_t repeat; /* the message is msg repeated this many times */
	const char *md5, *sha1;
};

static const struct vector vectors[] = {
	/* RFC 1321 appendix A.5 */
	{ "", 1, "d41d8cd98f00b204e9800998ecf8427e", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ "a", 1, "0cc175b9c0f1b6a831c399e269772661", "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8" },
	{ "abc", 1, "900150983cd24fb0d6963f7d28e17f72", "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ "message digest", 1, "f96b697d7cb7938d525a2f31aaf161d0",
	  "c12252ceda8be8994d5fa0290a47231c1d16aae3" },
	{ "abcdefghijklmnopqrstuvwxyz", 1, "c3fcd3d76192e4007dfb496cca67e13b",
	  "32d10c7b8cf96570ca04ce37f2a19d84240d3a89" },
	{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 1,
	  "d174ab98d277d9f5a5611c2c9f419d9f", "761c457bf73b14d27e9e9265c46f4b4dda11f940" },
	{ "1234567890", 8, "57edf4a22be3c955ac49da2e2107b67a",
	  "50abf5706a150990a08b2c5ea40fa0e585554732" },
	/* FIPS 180-2 appendix A (one block, two blocks, a million 'a') */
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "8215ef0796a20bcaaae116d3876c664a", "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	{ "a", 1000000, "7707d6ae4e027c70eea2a935c2296f21", "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
	/* FIPS 180-4 examples: 896-bit message */
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  1, "03dd8807a93175fb062dfb55dc7d359c", "a49b2446a02c645bf419f995b67091253a04a259" },
};

#define NVEC (sizeof(vectors) / sizeof(vectors[0]))

static char *expand(const struct vector *v, size_t *ret_len)
{
	size_t n = strlen(v->msg), len = n * v->repeat;
	char *p = malloc(len + 1);

	for (size_t i = 0; i < v->repeat; i++)
		memcpy(p + i * n, v->msg, n);
	*ret_len = len;
	return p;
}

static bool hex_is(const uint8_t *d, size_t len, const char *hex)
{
	char out[2 * MBH_SHA1_LEN + 1];

	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return strcmp(out, hex) == 0;
}

static bool digests_are(const struct mbh_digests *d, const struct vector *v)
{
	return hex_is(d->md5, MBH_MD5_LEN, v->md5) && hex_is(d->sha1, MBH_SHA1_LEN, v->sha1);
}

/* Vectors (of @nvec) whose digests come out right when each is hashed
 * alone in pieces of @step bytes (0: in one piece) with thresholds @smax. */
static unsigned int vectors_alone(size_t step, int smax)
{
	struct mbh_config cfg = { .single_max = { smax, smax } };
	struct mbh_ctx *ctx = mbh_ctx_new(&cfg);
	unsigned int good = 0;

	for (size_t i = 0; i < NVEC; i++) {
		struct mbh_stream *s;
		struct mbh_digests d;
		size_t len, n;
		char *msg = expand(&vectors[i], &len);

		mbh_open(ctx, (1u << MBH_MD5) | (1u << MBH_SHA1), &s);
		for (size_t off = 0; off < len; off += n) {
			n = step && step < len - off ? step : len - off;
			mbh_update(ctx, s, msg + off, n);
		}
		mbh_flush(ctx);
		mbh_final(ctx, s, &d);
		good += digests_are(&d, &vectors[i]);
		free(msg);
	}
	mbh_ctx_free(ctx);
	return good;
}

/* Vectors right when all are hashed at once, one stream each, the pieces
 * of @step bytes dealt round-robin, so that they share the lanes. */
static unsigned int vectors_together(size_t step, int smax)
{
	struct mbh_config cfg = { .single_max = { smax, smax } };
	struct mbh_ctx *ctx = mbh_ctx_new(&cfg);
	struct mbh_stream *s[NVEC];
	char *msg[NVEC];
	size_t len[NVEC], off[NVEC] = { 0 }, left = 0;
	unsigned int good = 0;

	for (size_t i = 0; i < NVEC; i++) {
		msg[i] = expand(&vectors[i], &len[i]);
		left += len[i];
		mbh_open(ctx, (1u << MBH_MD5) | (1u << MBH_SHA1), &s[i]);
	}
	while (left) {
		for (size_t i = 0; i < NVEC; i++) {
			size_t n = len[i] - off[i] < step ? len[i] - off[i] : step;

			mbh_update(ctx, s[i], msg[i] + off[i], n);
			off[i] += n;
			left -= n;
		}
		mbh_flush(ctx);
	}
	for (size_t i = 0; i < NVEC; i++) {
		struct mbh_digests d;

		mbh_final(ctx, s[i], &d);
		good += digests_are(&d, &vectors[i]);
		free(msg[i]);
	}
	mbh_ctx_free(ctx);
	return good;
}

static void test_vectors_alone(void)
{
	CU_ASSERT_EQUAL(vectors_alone(0, MBH_SINGLE_DEFAULT), NVEC);
	CU_ASSERT_EQUAL(vectors_alone(0, MBH_SINGLE_NEVER), NVEC);
	CU_ASSERT_EQUAL(vectors_alone(7, MBH_SINGLE_NEVER), NVEC);
	CU_ASSERT_EQUAL(vectors_alone(64, MBH_SINGLE_DEFAULT), NVEC);
}

static void test_vectors_byte_by_byte(void)
{
	CU_ASSERT_EQUAL(vectors_alone(1, MBH_SINGLE_DEFAULT), NVEC);
}

static void test_vectors_together(void)
{
	CU_ASSERT_EQUAL(vectors_together(1000, MBH_SINGLE_DEFAULT), NVEC);
	CU_ASSERT_EQUAL(vectors_together(1000, MBH_SINGLE_NEVER), NVEC);
	CU_ASSERT_EQUAL(vectors_together(64 * 1024, MBH_SINGLE_NEVER), NVEC);
	CU_ASSERT_EQUAL(vectors_together(13, 2), NVEC);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "vectors alone", test_vectors_alone },
		{ "vectors byte by byte", test_vectors_byte_by_byte },
		{ "vectors together in the lanes", test_vectors_together },
		CU_TEST_INFO_NULL,
	};
	enum mbh_impl impl;

	if (mbh_impl_resolve(MBH_IMPL_AUTO, &impl) < 0)
		return 77;
	printf("implementation: %s\n", mbh_impl_name(impl));
	return hwall_test_main("dataplane/mbhash vectors", tests);
}
