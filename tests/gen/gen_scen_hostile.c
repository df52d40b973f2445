/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_scen_hostile.c - scenario "hostile": connections that a dataplane must
 * give up on, one reason each (a head over 16 KiB, over 100 header fields,
 * a chunk-size line over 4 KiB, a chunk size that is not hex, a bad status
 * line, a bad request line, a 101 upgrade followed by bytes that look like
 * HTTP).  The sizes exceed hashwall-dataplane's default limits.  On each
 * connection one good exchange comes first (complete), the hostile one and
 * the one after it are "abandoned" (absent or incomplete, never complete),
 * and a clean connection at the end proves the others were not disturbed.
 * Not part of "all": its whole point is to move the malformed-input
 * counters that "all" requires to stay at zero.
 */
#include "gen_scen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"

const char *const gen_hostile_names[GEN_HOSTILE_COUNT] = {
	[GEN_HOSTILE_HEAD_TOO_LARGE] = "header_too_large",
	[GEN_HOSTILE_TOO_MANY_HEADERS] = "too_many_headers",
	[GEN_HOSTILE_CHUNK_LINE] = "chunk_line_too_long",
	[GEN_HOSTILE_BAD_CHUNK] = "bad_chunk",
	[GEN_HOSTILE_BAD_STATUS] = "bad_response",
	[GEN_HOSTILE_BAD_REQUEST] = "bad_request",
	[GEN_HOSTILE_UPGRADE] = "upgrade",
};

static const struct gen_flow_opts plain = { 0 };

/* Header lines for the two header limits. */
static int hostile_headers(enum gen_hostile k, struct gen_buf *b)
{
	if (k == GEN_HOSTILE_HEAD_TOO_LARGE) {
		HWALL_TRY(gen_buf_printf(b, "X-Padding: "));
		for (int i = 0; i < 20000; i++)
			HWALL_TRY(gen_buf_put(b, "p", 1));
		return gen_buf_printf(b, "\r\n");
	}
	for (int i = 0; k == GEN_HOSTILE_TOO_MANY_HEADERS && i < 150; i++)
		HWALL_TRY(gen_buf_printf(b, "X-Field-%d: %d\r\n", i, i));
	return gen_buf_put(b, "", 1); /* NUL-terminate for gen_resp.extra */
}

/* A request line without spaces, then an ordinary response. */
static int bad_request(struct gen_flow *f)
{
	static const char req[] = "GARBAGE-WITHOUT-SPACES\r\nHost: x\r\n\r\n";
	struct gen_resp r = { .status = 200, .body_len = 3000 };
	struct gen_buf resp = { 0 };
	uint8_t *body = gen_body(f->ctx, r.body_len);
	int err = body ? gen_flow_send(f, GEN_C2S, (const uint8_t *)req, sizeof(req) - 1) : -ENOMEM;

	if (!err)
		err = gen_http_response(f->ctx, &resp, &r, body);
	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data, resp.len);
	free(body);
	gen_buf_free(&resp);
	return err;
}

/* 101, then server bytes that hold a well-formed response: after an
 * upgrade nothing on the connection is HTTP/1.1 any more. */
static int upgrade(struct gen_flow *f)
{
	struct gen_resp sw = { .status = 101, .extra = "Upgrade: websocket\r\nConnection: Upgrade\r\n" };
	struct gen_resp inner = { .status = 200, .body_len = 2000 };
	struct gen_buf resp = { 0 };
	uint8_t *body = gen_body(f->ctx, inner.body_len);
	int err = body ? 0 : -ENOMEM;

	if (!err)
		err = gen_exchange(f, "GET", "upgrade", &sw, GEN_EXPECT_OPTIONAL, NULL);
	if (!err)
		err = gen_http_response(f->ctx, &resp, &inner, body);
	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data, resp.len);
	free(body);
	gen_buf_free(&resp);
	return err;
}

static int hostile_exchange(struct gen_flow *f, enum gen_hostile k)
{
	struct gen_resp r = { .status = 200, .body_len = 3000 };
	struct gen_buf extra = { 0 };
	int err;

	if (k == GEN_HOSTILE_BAD_REQUEST)
		return bad_request(f);
	if (k == GEN_HOSTILE_UPGRADE)
		return upgrade(f);
	err = hostile_headers(k, &extra);
	r.extra = (const char *)extra.data;
	r.framing = k == GEN_HOSTILE_CHUNK_LINE || k == GEN_HOSTILE_BAD_CHUNK ? GEN_FRAME_CHUNKED
									    : GEN_FRAME_LENGTH;
	r.chunk_ext_len = k == GEN_HOSTILE_CHUNK_LINE ? 5000 : 0;
	r.bad_chunk = k == GEN_HOSTILE_BAD_CHUNK;
	r.status_line = k == GEN_HOSTILE_BAD_STATUS ? "HTTX/9.9 two hundred" : NULL;
	if (!err)
		err = gen_exchange(f, "GET", gen_hostile_names[k], &r, GEN_EXPECT_ABANDONED, NULL);
	gen_buf_free(&extra);
	return err;
}

int gen_scen_hostile(struct gen_ctx *ctx)
{
	struct gen_resp good = { .status = 200, .body_len = 5000 };

	for (int k = 0; k < GEN_HOSTILE_COUNT; k++) {
		struct gen_flow *f = gen_flow_new(ctx, &plain);
		if (!f)
			return -ENOMEM;
		HWALL_TRY(gen_flow_handshake(f));
		HWALL_TRY(gen_exchange(f, "GET", "before", &good, GEN_EXPECT_COMPLETE, NULL));
		HWALL_TRY(hostile_exchange(f, (enum gen_hostile)k));
		HWALL_TRY(gen_exchange(f, "GET", "after", &good, GEN_EXPECT_ABANDONED, NULL));
		HWALL_TRY(gen_flow_close(f, GEN_C2S));
		ctx->min_hostile[k]++;
	}
	return gen_flow_objects(ctx, &plain, 3, 1, 9000, NULL, NULL);
}
