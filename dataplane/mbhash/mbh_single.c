/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mbh_single.c - the single-stream path of the mbhash module: OpenSSL's
 * block functions (its assembly; SHA-NI for sha1 where the CPU has it),
 * run on a chaining value that lives in our stream, so that a stream can
 * move between the lanes and this path from one burst to the next.
 *
 * OpenSSL 3 has no public call that takes a chaining value, so the
 * deprecated MD5_Update()/SHA1_Update() are used on a context whose state
 * words are set from ours: fed whole blocks from an empty buffer, they run
 * the block function straight over the caller's bytes and leave nothing
 * buffered, and the state words are the chaining value afterwards.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>
#include <openssl/sha.h>

#include "dataplane/mbhash/mbh_int.h"

const uint32_t mbh_md5_iv[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
const uint32_t mbh_sha1_iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
const unsigned int mbh_state_words[MBH_ALGO_COUNT] = { [MBH_MD5] = 4, [MBH_SHA1] = 5 };

void mbh_md5_single(uint32_t *st, const uint8_t *p, size_t nblocks)
{
	MD5_CTX c;

	/* The block buffer is not read when num is 0: no memset. */
	c.Nl = c.Nh = 0;
	c.num = 0;
	c.A = st[0];
	c.B = st[1];
	c.C = st[2];
	c.D = st[3];
	MD5_Update(&c, p, nblocks * MBH_BLOCK);
	st[0] = c.A;
	st[1] = c.B;
	st[2] = c.C;
	st[3] = c.D;
}

void mbh_sha1_single(uint32_t *st, const uint8_t *p, size_t nblocks)
{
	SHA_CTX c;

	c.Nl = c.Nh = 0;
	c.num = 0;
	c.h0 = st[0];
	c.h1 = st[1];
	c.h2 = st[2];
	c.h3 = st[3];
	c.h4 = st[4];
	SHA1_Update(&c, p, nblocks * MBH_BLOCK);
	st[0] = c.h0;
	st[1] = c.h1;
	st[2] = c.h2;
	st[3] = c.h3;
	st[4] = c.h4;
}
