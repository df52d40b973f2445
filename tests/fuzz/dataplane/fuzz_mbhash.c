/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_mbhash.c - libFuzzer target over the multi-buffer scheduler
 * (dataplane/mbhash): the input is a script of objects interleaved in
 * bursts, and every digest that comes out is compared with OpenSSL's over
 * the same bytes (abort on a mismatch).
 *
 * Input: byte 0 the context (implementation, single-stream thresholds,
 * deferral), byte 1 the queue size, then operations of 4 bytes
 * {op, stream, a, b}:
 *   update  a*256+b bytes (< 8 KiB) of the content at an offset set by
 *           the previous operation, copied into a buffer of this burst
 *   flush   end the burst: mbh_flush(), then the burst's buffers are
 *           poisoned and freed (ASan: any pointer kept is a use after free)
 *   end     mbh_end() (the digests are checked at the next final)
 *   final   mbh_final() and the check; the stream starts a new object
 *           with the algorithms in a
 *   abort   mbh_abort(); a new object as for final
 *   sync    mbh_sync(), then that stream's buffers may go: they are
 *           poisoned (not freed, the burst owns them)
 * The content is the input itself, repeated.  At the end every stream is
 * flushed and finished and checked.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dataplane/mbhash/mbh.h"

#define NSTREAMS 24
#define MAX_BUFS 512
#define CONTENT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct obj {
	struct mbh_stream *s;
	unsigned int algos;
	bool ended;
	EVP_MD_CTX *ref[MBH_ALGO_COUNT];
};

struct buf {
	uint8_t *p;
	size_t len;
	int owner; /* stream index, for sync */
};

static uint8_t content[CONTENT];

static void obj_open(struct mbh_ctx *ctx, struct obj *o, unsigned int algos)
{
	algos = 1 + algos % 3;
	if (mbh_open(ctx, algos, &o->s) < 0)
		abort();
	o->algos = algos;
	o->ended = false;
	EVP_DigestInit_ex(o->ref[MBH_MD5], EVP_md5(), NULL);
	EVP_DigestInit_ex(o->ref[MBH_SHA1], EVP_sha1(), NULL);
}

static void obj_final(struct mbh_ctx *ctx, struct obj *o)
{
	uint8_t md5[EVP_MAX_MD_SIZE], sha1[EVP_MAX_MD_SIZE];
	struct mbh_digests d;

	mbh_final(ctx, o->s, &d);
	EVP_DigestFinal_ex(o->ref[MBH_MD5], md5, NULL);
	EVP_DigestFinal_ex(o->ref[MBH_SHA1], sha1, NULL);
	if ((o->algos & (1u << MBH_MD5)) && memcmp(d.md5, md5, MBH_MD5_LEN) != 0)
		abort();
	if ((o->algos & (1u << MBH_SHA1)) && memcmp(d.sha1, sha1, MBH_SHA1_LEN) != 0)
		abort();
	o->s = NULL;
}

static void bufs_free(struct buf *bufs, unsigned int *nbufs)
{
	for (unsigned int i = 0; i < *nbufs; i++) {
		memset(bufs[i].p, 0xa5, bufs[i].len);
		free(bufs[i].p);
	}
	*nbufs = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int single[] = { MBH_SINGLE_DEFAULT, MBH_SINGLE_NEVER, 1, 3 };
	static const int defer[] = { MBH_DEFER_DEFAULT, MBH_DEFER_OFF, 1, 4 };
	struct mbh_config cfg = { 0 };
	struct obj obj[NSTREAMS];
	struct buf bufs[MAX_BUFS];
	unsigned int nbufs = 0;
	size_t off = 0;
	struct mbh_ctx *ctx;
	enum mbh_impl impl;

	if (size < 2)
		return 0;
	/* An implementation this CPU lacks becomes the one it runs best. */
	impl = (enum mbh_impl)(data[0] & 3);
	cfg.impl = impl != MBH_IMPL_AUTO && mbh_impl_supported(impl) ? impl : MBH_IMPL_AUTO;
	cfg.single_max[MBH_MD5] = single[(data[0] >> 2) & 3];
	cfg.single_max[MBH_SHA1] = single[(data[0] >> 4) & 3];
	cfg.defer_kib = defer[data[0] >> 6];
	cfg.max_segments = 2 + data[1] % 64;
	cfg.max_streams = NSTREAMS + NSTREAMS / 2;
	if (!(ctx = mbh_ctx_new(&cfg)))
		abort();
	for (size_t i = 0; i < CONTENT; i++)
		content[i] = (uint8_t)(data[i % size] + i / size);
	for (int i = 0; i < NSTREAMS; i++) {
		obj[i].ref[MBH_MD5] = EVP_MD_CTX_new();
		obj[i].ref[MBH_SHA1] = EVP_MD_CTX_new();
		obj_open(ctx, &obj[i], (unsigned int)i);
	}
	for (size_t i = 2; i + 4 <= size; i += 4) {
		const uint8_t *op = data + i;
		struct obj *o = &obj[op[1] % NSTREAMS];
		size_t len = ((size_t)op[2] << 8 | op[3]) % 8192;

		switch (op[0] % 8) {
		case 0:
		case 1:
		case 2:
			if (o->ended || nbufs == MAX_BUFS)
				break;
			len = len < CONTENT - off ? len : CONTENT - off;
			bufs[nbufs].p = malloc(len ? len : 1);
			bufs[nbufs].len = len;
			bufs[nbufs].owner = op[1] % NSTREAMS;
			memcpy(bufs[nbufs].p, content + off, len);
			if (mbh_update(ctx, o->s, bufs[nbufs].p, len) != 0)
				abort();
			for (int a = 0; a < MBH_ALGO_COUNT; a++)
				EVP_DigestUpdate(o->ref[a], content + off, len);
			nbufs++;
			break;
		case 3:
			mbh_flush(ctx);
			bufs_free(bufs, &nbufs);
			break;
		case 4:
			if (!o->ended && mbh_end(ctx, o->s) != 0)
				abort();
			o->ended = true;
			break;
		case 5:
			obj_final(ctx, o);
			obj_open(ctx, o, op[2]);
			break;
		case 6:
			mbh_abort(ctx, o->s);
			obj_open(ctx, o, op[2]);
			break;
		default:
			mbh_sync(ctx, o->s);
			for (unsigned int b = 0; b < nbufs; b++)
				if (bufs[b].owner == op[1] % NSTREAMS)
					memset(bufs[b].p, 0x5a, bufs[b].len);
			break;
		}
		off = ((size_t)op[2] * 251 + op[3]) % CONTENT;
	}
	mbh_flush(ctx);
	bufs_free(bufs, &nbufs);
	for (int i = 0; i < NSTREAMS; i++) {
		obj_final(ctx, &obj[i]);
		EVP_MD_CTX_free(obj[i].ref[MBH_MD5]);
		EVP_MD_CTX_free(obj[i].ref[MBH_SHA1]);
	}
	mbh_ctx_free(ctx);
	return 0;
}
