/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_scen_loss.c - scenario "loss": packets the capture lost (a mirror
 * port under load), while the endpoints got them: the receiver's ACKs run
 * past each hole.  One connection per case, each with exchanges before
 * and after the loss that must come out complete with their URLs:
 *  - the segment carrying a response head (and the start of its body): the
 *    request is reported with obj_response_lost, incomplete;
 *  - a segment of a chunked body that holds chunk-size lines: incomplete;
 *  - a request in the middle of 6 pipelined ones: its response is complete
 *    but has no URL (request_lost);
 *  - a request on a keep-alive connection, one request at a time: the same.
 */
#include "gen_scen.h"

#include <errno.h>
#include <string.h>

#include "common/errors.h"

#define MSS 1460u

static const struct gen_flow_opts plain = { 0 };

/* Send @len bytes of @dir but the @drop bytes at @from, which the capture
 * loses (the stream and the peer's ACKs go on as if they were sent). */
static int send_lossy(struct gen_flow *f, enum gen_dir dir, const uint8_t *data, size_t len,
		      size_t from, size_t drop)
{
	HWALL_TRY(gen_flow_send(f, dir, data, from));
	gen_flow_skip(f, dir, drop);
	return gen_flow_send(f, dir, data + from + drop, len - from - drop);
}

/* The object of a request the capture lost: reported without URL, found
 * by its digests. */
static void request_lost(struct gen_ctx *ctx, size_t idx)
{
	struct gen_obj *o = &ctx->objs[idx];

	o->expect = GEN_EXPECT_REQUEST_LOST;
	o->host[0] = '\0';
	o->method[0] = '\0';
}

/* Four exchanges on one keep-alive connection; the second response loses
 * @drop bytes at @from. */
static int response_loss(struct gen_ctx *ctx, const struct gen_resp *r, size_t from, size_t drop,
			 enum gen_expect expect)
{
	struct gen_flow *f = gen_flow_new(ctx, &plain);
	struct gen_resp ok = { .status = 200, .body_len = 3000 };
	struct gen_buf resp = { 0 };
	int err;

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	HWALL_TRY(gen_exchange(f, "GET", "before", &ok, GEN_EXPECT_COMPLETE, NULL));
	err = gen_exchange_prepare(f, "GET", "lossy", r, expect, &resp, NULL);
	if (!err)
		err = send_lossy(f, GEN_S2C, resp.data, resp.len, from, drop);
	gen_buf_free(&resp);
	HWALL_TRY(err);
	ctx->min_acked_gaps++;
	HWALL_TRY(gen_exchange(f, "GET", "after", &ok, GEN_EXPECT_COMPLETE, NULL));
	HWALL_TRY(gen_exchange(f, "GET", "after", &ok, GEN_EXPECT_COMPLETE, NULL));
	return gen_flow_close(f, GEN_C2S);
}

/* 6 pipelined requests, each in its own segment; the third is lost. */
static int pipelined_request_loss(struct gen_ctx *ctx)
{
	struct gen_flow *f = gen_flow_new(ctx, &plain);
	struct gen_resp r = { .status = 200, .body_len = 2000 };
	struct gen_buf resp = { 0 };
	int err = 0;

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	for (int i = 0; !err && i < 6; i++) {
		struct gen_buf req = { 0 };
		size_t idx;

		err = gen_obj_build(f, "GET", "pipelined", &r, GEN_EXPECT_COMPLETE, &req, &resp,
				    f->next[GEN_S2C], &idx);
		if (!err && i == 2) {
			gen_flow_skip(f, GEN_C2S, req.len);
			request_lost(ctx, idx);
		} else if (!err) {
			err = gen_flow_send(f, GEN_C2S, req.data, req.len);
		}
		gen_buf_free(&req);
	}
	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data, resp.len);
	gen_buf_free(&resp);
	HWALL_TRY(err);
	ctx->min_acked_gaps++;
	return gen_flow_close(f, GEN_C2S);
}

/* One request at a time; the second request is lost. */
static int keepalive_request_loss(struct gen_ctx *ctx)
{
	struct gen_flow *f = gen_flow_new(ctx, &plain);
	struct gen_resp r = { .status = 200, .body_len = 2500 };
	struct gen_buf req = { 0 }, resp = { 0 };
	size_t idx;
	int err;

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	HWALL_TRY(gen_exchange(f, "GET", "before", &r, GEN_EXPECT_COMPLETE, NULL));
	err = gen_obj_build(f, "GET", "lost-request", &r, GEN_EXPECT_COMPLETE, &req, &resp,
			    f->next[GEN_S2C], &idx);
	if (!err) {
		gen_flow_skip(f, GEN_C2S, req.len);
		request_lost(ctx, idx);
		err = gen_flow_send(f, GEN_S2C, resp.data, resp.len);
	}
	gen_buf_free(&req);
	gen_buf_free(&resp);
	HWALL_TRY(err);
	ctx->min_acked_gaps++;
	HWALL_TRY(gen_exchange(f, "GET", "after", &r, GEN_EXPECT_COMPLETE, NULL));
	HWALL_TRY(gen_exchange(f, "GET", "after", &r, GEN_EXPECT_COMPLETE, NULL));
	return gen_flow_close(f, GEN_C2S);
}

int gen_scen_loss(struct gen_ctx *ctx)
{
	struct gen_resp head = { .status = 200, .body_len = 6000 };
	struct gen_resp chunked = { .status = 200, .body_len = 9000, .framing = GEN_FRAME_CHUNKED,
				    .chunk_min = 700, .chunk_max = 1000 };

	/* The first segment: the whole head and the body's first bytes. */
	HWALL_TRY(response_loss(ctx, &head, 0, MSS, GEN_EXPECT_INCOMPLETE));
	/* The third segment of a body with a chunk-size line every 1000
	 * bytes or less. */
	HWALL_TRY(response_loss(ctx, &chunked, 2 * MSS, MSS, GEN_EXPECT_INCOMPLETE));
	HWALL_TRY(pipelined_request_loss(ctx));
	return keepalive_request_loss(ctx);
}
