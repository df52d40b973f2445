/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_scen_coding.c - scenario "encodings": responses with a
 * Content-Encoding, as nginx's `gzip on` sends them.  gzip, deflate and br
 * bodies (with Content-Length, and chunked) of synthetic markup-like text
 * whose decoded digests are known: the dataplane must report the decoded
 * file's digests (and match them) besides the wire bytes.  A br bomb (8 MiB
 * of zeros in a few bytes) and a body that is no gzip are hashed as sent,
 * never decoded.
 */
#include "gen_scen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/encode.h>
#include <zlib.h>

#include "common/errors.h"

#define TEXT_LEN 20000u

static const struct gen_flow_opts plain = { 0 };

/* @len bytes of markup-like text from the context's PRNG. */
static uint8_t *text_new(struct gen_ctx *ctx, size_t len)
{
	static const char *const words[8] = { "<div ", "class=\"x\">", "</div>\n", "the ",
					       "<a href=\"/p/", "\">", "</a>", "news " };
	uint8_t *b = malloc(len);

	for (size_t i = 0; b && i < len;)
		for (const char *w = words[gen_rand(ctx) % 8]; *w && i < len; w++)
			b[i++] = (uint8_t)*w;
	return b;
}

/* @in encoded as @coding ("gzip", "deflate", "br") into @out. */
static int encode(const char *coding, const uint8_t *in, size_t len, struct gen_buf *out)
{
	size_t cap = len + len / 10 + 1024;
	uint8_t *buf = malloc(cap);
	z_stream z = { 0 };
	int err = 0;

	if (!buf)
		return -ENOMEM;
	if (!strcmp(coding, "br")) {
		if (!BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, len, in, &cap, buf))
			err = -EIO;
	} else {
		deflateInit2(&z, 6, Z_DEFLATED, !strcmp(coding, "gzip") ? 16 + MAX_WBITS : MAX_WBITS, 8,
			     Z_DEFAULT_STRATEGY);
		z.next_in = (Bytef *)(uintptr_t)in;
		z.avail_in = (uInt)len;
		z.next_out = buf;
		z.avail_out = (uInt)cap;
		err = deflate(&z, Z_FINISH) == Z_STREAM_END ? 0 : -EIO;
		cap = z.total_out;
		deflateEnd(&z);
	}
	if (!err)
		err = gen_buf_put(out, buf, cap);
	free(buf);
	return err;
}

/*
 * One exchange on @f: @wire (the encoded body) sent with Content-Encoding
 * @coding; the object's digests are @file's (@file_len bytes) when the
 * dataplane must decode it, the wire's otherwise.
 */
static int coded_exchange(struct gen_flow *f, const char *coding, const struct gen_buf *wire,
			  const uint8_t *file, size_t file_len, enum gen_framing framing)
{
	char extra[64];
	struct gen_resp r = { .status = 200, .framing = framing, .body_len = wire->len,
			      .body = wire->data, .extra = extra };
	struct gen_buf resp = { 0 };
	size_t idx;
	int err;

	snprintf(extra, sizeof(extra), "Content-Encoding: %s\r\n", coding);
	err = gen_exchange_prepare(f, "GET", coding, &r, GEN_EXPECT_COMPLETE, &resp, &idx);
	if (!err && file) {
		gen_digest_all(file, file_len, f->ctx->objs[idx].dig);
		f->ctx->objs[idx].known_pref = GEN_KNOWN_ALWAYS;
	}
	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data, resp.len);
	gen_buf_free(&resp);
	return err;
}

int gen_scen_encodings(struct gen_ctx *ctx)
{
	static const char *const codings[] = { "gzip", "deflate", "br" };
	struct gen_flow *f = gen_flow_new(ctx, &plain);
	uint8_t *text = text_new(ctx, TEXT_LEN), *zeros = calloc(1, 8u << 20);
	struct gen_buf wire = { 0 };
	int err = f && text && zeros ? gen_flow_handshake(f) : -ENOMEM;

	for (size_t i = 0; !err && i < 2 * HWALL_ARRAY_SIZE(codings); i++) {
		const char *c = codings[i % HWALL_ARRAY_SIZE(codings)];
		wire.len = 0;
		/* Different texts: each decoded file its own known digest. */
		text[0] = (uint8_t)('A' + i);
		err = encode(c, text, TEXT_LEN, &wire);
		if (!err)
			err = coded_exchange(f, c, &wire, text, TEXT_LEN,
					     i < 3 ? GEN_FRAME_LENGTH : GEN_FRAME_CHUNKED);
	}
	wire.len = 0;
	if (!err)
		err = encode("br", zeros, 8u << 20, &wire);
	if (!err)
		err = coded_exchange(f, "br", &wire, NULL, 0, GEN_FRAME_LENGTH);
	wire.len = 0;
	if (!err)
		err = gen_buf_put(&wire, "this is no gzip stream", 22);
	if (!err)
		err = coded_exchange(f, "gzip", &wire, NULL, 0, GEN_FRAME_LENGTH);
	if (!err)
		err = gen_flow_close(f, GEN_C2S);
	gen_buf_free(&wire);
	free(text);
	free(zeros);
	return err;
}
