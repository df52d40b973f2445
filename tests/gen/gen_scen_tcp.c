/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_scen_tcp.c - scenarios about TCP reassembly: out-of-order segments,
 * retransmissions, overlaps with the same and with different data, flows
 * picked up mid-stream, RST mid-body, and segmentation invariance (one
 * response delivered whole, in 1-byte segments, reordered, duplicated), IP
 * fragments and idle timeouts.
 *
 * Overlaps with different data are built so that both copies can be
 * compared by a reassembler that keeps no copy of bytes it already hashed:
 * the conflicting segment overlaps bytes still held out of order.
 */
#include "gen_scen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"

#define MSS 1460u

static const struct gen_flow_opts plain = { 0 };

/* Prepare one exchange and send its response along @order:
 * 0 shuffled, 1 header segment last, 2 reversed in windows of 3. */
static int send_reordered(struct gen_flow *f, const struct gen_resp *r, int order)
{
	struct gen_buf resp = { 0 };
	struct gen_seg *s = NULL;
	size_t n = 0;
	int err = gen_exchange_prepare(f, "GET", "ooo", r, GEN_EXPECT_COMPLETE, &resp, NULL);

	if (!err && !(s = gen_segs_split(f->next[GEN_S2C], resp.len, MSS, &n)))
		err = -ENOMEM;
	if (!err && order == 0)
		gen_segs_shuffle(f->ctx, s, n);
	for (size_t i = 0; !err && order == 1 && i + 1 < n; i++) {
		struct gen_seg t = s[i];
		s[i] = s[i + 1];
		s[i + 1] = t;
	}
	for (size_t i = 0; !err && order == 2 && i + 2 < n; i += 3) {
		struct gen_seg t = s[i];
		s[i] = s[i + 2];
		s[i + 2] = t;
	}
	if (!err)
		err = gen_flow_send_plan(f, GEN_S2C, resp.data, resp.len, s, n);
	f->ctx->min_ooo_segments++;
	free(s);
	gen_buf_free(&resp);
	return err;
}

int gen_scen_ooo(struct gen_ctx *ctx)
{
	struct gen_flow *f = gen_flow_new(ctx, &plain);
	struct gen_resp r = { .status = 200, .body_len = 20000 };
	struct gen_resp c = { .status = 200, .body_len = 15000, .framing = GEN_FRAME_CHUNKED,
			      .chunk_min = 200, .chunk_max = 5000 };

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	HWALL_TRY(send_reordered(f, &r, 0));
	HWALL_TRY(send_reordered(f, &r, 1));
	HWALL_TRY(send_reordered(f, &c, 2));
	HWALL_TRY(send_reordered(f, &c, 0));
	HWALL_TRY(gen_exchange(f, "GET", "after", &r, GEN_EXPECT_COMPLETE, NULL));
	return gen_flow_close(f, GEN_C2S);
}

/* Every segment followed by a retransmission of the previous one, then a
 * retransmission straddling two segments and one of the header segment,
 * all with the same bytes. */
int gen_scen_retrans(struct gen_ctx *ctx)
{
	struct gen_flow *f = gen_flow_new(ctx, &plain);
	struct gen_resp r = { .status = 200, .body_len = 12000 };
	struct gen_buf resp = { 0 };
	struct gen_seg *s = NULL, *plan = NULL;
	size_t n = 0, k = 0;
	int err;

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	err = gen_exchange_prepare(f, "GET", "retrans", &r, GEN_EXPECT_COMPLETE, &resp, NULL);
	if (!err && (!(s = gen_segs_split(f->next[GEN_S2C], resp.len, MSS, &n)) ||
		     !(plan = calloc(2 * n + 2, sizeof(*plan)))))
		err = -ENOMEM;
	for (size_t i = 0; !err && i < n; i++) {
		plan[k++] = s[i];
		if (i > 0)
			plan[k++] = s[i - 1];
	}
	if (!err) {
		/* n >= 9 here: the response is over 12000 bytes */
		plan[k++] = (struct gen_seg){ .off = s[1].off + 700, .len = MSS };
		plan[k++] = s[0];
		err = gen_flow_send_plan(f, GEN_S2C, resp.data, resp.len, plan, k);
		/* every byte but the first copies was sent twice */
		ctx->min_retrans_bytes += 2 * MSS;
		for (size_t i = 0; i + 1 < n; i++)
			ctx->min_retrans_bytes += s[i].len;
	}
	free(plan);
	free(s);
	gen_buf_free(&resp);
	HWALL_TRY(err);
	HWALL_TRY(gen_exchange(f, "GET", "after", &r, GEN_EXPECT_COMPLETE, NULL));
	return gen_flow_close(f, GEN_C2S);
}

enum overlap_kind { OV_SAME_DUP, OV_SAME_WIDER, OV_DIFF_DUP, OV_DIFF_INORDER, OV_COUNT };

/* The plan: seg0, seg1, seg3 (held out of order), the overlapping
 * segment, seg2 (or its conflicting wider copy), seg4... */
static size_t overlap_plan(enum overlap_kind kind, const struct gen_seg *s, size_t n,
			   const uint8_t *alt, struct gen_seg *plan)
{
	size_t k = 0;

	plan[k++] = s[0];
	plan[k++] = s[1];
	plan[k++] = s[3];
	if (kind == OV_SAME_DUP)
		plan[k++] = s[3];
	if (kind == OV_SAME_WIDER)
		plan[k++] = (struct gen_seg){ .off = s[3].off - 500, .len = s[3].len + 800 };
	if (kind == OV_DIFF_DUP)
		plan[k++] = (struct gen_seg){ .off = s[3].off, .len = s[3].len, .alt = alt };
	if (kind == OV_DIFF_INORDER)
		plan[k++] = (struct gen_seg){ .off = s[2].off, .len = s[2].len + 200, .alt = alt };
	else
		plan[k++] = s[2];
	for (size_t i = 4; i < n; i++)
		plan[k++] = s[i];
	return k;
}

static int overlap_flow(struct gen_ctx *ctx, enum overlap_kind kind)
{
	struct gen_flow *f = gen_flow_new(ctx, &plain);
	struct gen_resp r = { .status = 200, .body_len = 10 * MSS };
	bool diff = kind == OV_DIFF_DUP || kind == OV_DIFF_INORDER;
	struct gen_buf resp = { 0 };
	struct gen_seg *s = NULL, *plan = NULL;
	uint8_t alt[MSS + 200];
	size_t n = 0;
	int err;

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	err = gen_exchange_prepare(f, "GET", diff ? "overlap-diff" : "overlap-same", &r,
				   diff ? GEN_EXPECT_INCOMPLETE : GEN_EXPECT_COMPLETE, &resp, NULL);
	if (!err && (!(s = gen_segs_split(f->next[GEN_S2C], resp.len, MSS, &n)) ||
		     !(plan = calloc(n + 2, sizeof(*plan)))))
		err = -ENOMEM;
	if (!err) {
		/* alt: the true bytes from seg2 (or seg3) on, the part that
		 * overlaps held data flipped. */
		size_t from = (size_t)((kind == OV_DIFF_INORDER ? s[2].off : s[3].off) - f->next[GEN_S2C]);
		memcpy(alt, resp.data + from, sizeof(alt));
		for (size_t i = kind == OV_DIFF_INORDER ? MSS : 100; i < sizeof(alt); i++)
			alt[i] ^= 0x5a;
		err = gen_flow_send_plan(f, GEN_S2C, resp.data, resp.len, plan,
					 overlap_plan(kind, s, n, alt, plan));
	}
	free(plan);
	free(s);
	gen_buf_free(&resp);
	HWALL_TRY(err);
	ctx->min_overlap_conflicts += diff;
	return gen_flow_close(f, GEN_C2S);
}

int gen_scen_overlap(struct gen_ctx *ctx)
{
	for (int k = 0; k < OV_COUNT; k++)
		HWALL_TRY(overlap_flow(ctx, (enum overlap_kind)k));
	return 0;
}

/* Two exchanges the dataplane may report after resynchronising. */
static int resync_tail(struct gen_flow *f)
{
	struct gen_resp a = { .status = 200, .body_len = 4000 };
	struct gen_resp b = { .status = 200, .body_len = 7000, .framing = GEN_FRAME_CHUNKED };

	HWALL_TRY(gen_exchange(f, "GET", "resync", &a, GEN_EXPECT_RESYNC, NULL));
	HWALL_TRY(gen_exchange(f, "GET", "resync", &b, GEN_EXPECT_RESYNC, NULL));
	return gen_flow_close(f, GEN_C2S);
}

int gen_scen_midstream(struct gen_ctx *ctx)
{
	struct gen_resp r = { .status = 200, .body_len = 30000 };
	struct gen_buf req = { 0 }, resp = { 0 };
	struct gen_flow *f = gen_flow_new(ctx, &plain);
	size_t cut;
	int err;

	if (!f)
		return -ENOMEM;
	/* Flow 1: the capture starts in the middle of a body, at no
	 * segment or message boundary; its request was never seen. */
	err = gen_obj_build(f, "GET", "cut", &r, GEN_EXPECT_UNSEEN, &req, &resp, f->next[GEN_S2C],
			    NULL);
	cut = resp.len / 2 + 7;
	gen_flow_skip(f, GEN_C2S, req.len);
	gen_flow_skip(f, GEN_S2C, cut);
	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data + cut, resp.len - cut);
	gen_buf_free(&req);
	gen_buf_free(&resp);
	HWALL_TRY(err);
	HWALL_TRY(resync_tail(f));
	/* Flow 2: picked up between two exchanges. */
	f = gen_flow_new(ctx, &plain);
	if (!f)
		return -ENOMEM;
	gen_flow_skip(f, GEN_C2S, 321);
	gen_flow_skip(f, GEN_S2C, 54321);
	HWALL_TRY(resync_tail(f));
	ctx->min_midstream += 2;
	return 0;
}

/* Send the first @keep bytes of a response, then a RST from @who. */
static int rst_flow(struct gen_ctx *ctx, const struct gen_resp *r, size_t keep, enum gen_dir who)
{
	struct gen_flow *f = gen_flow_new(ctx, &plain);
	struct gen_buf resp = { 0 };
	int err;

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	err = gen_exchange_prepare(f, "GET", "rst", r, GEN_EXPECT_INCOMPLETE, &resp, NULL);
	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data, keep < resp.len ? keep : resp.len);
	gen_buf_free(&resp);
	HWALL_TRY(err);
	ctx->min_rst_abandoned++;
	return gen_flow_reset(f, who);
}

int gen_scen_rst(struct gen_ctx *ctx)
{
	struct gen_resp a = { .status = 200, .body_len = 50000 };
	struct gen_resp b = { .status = 200, .body_len = 30000, .framing = GEN_FRAME_CHUNKED,
			      .chunk_min = 1000, .chunk_max = 4000 };

	HWALL_TRY(rst_flow(ctx, &a, 20000, GEN_S2C));
	return rst_flow(ctx, &b, 15000, GEN_C2S);
}

enum seginv_kind { SI_WHOLE, SI_BYTES, SI_REORDER, SI_DUP, SI_MIXED, SI_COUNT };

static const char *const seginv_tags[SI_COUNT] = { "whole", "bytes", "reordered", "duplicated",
						   "mixed" };

/* The plan for one delivery of @len stream bytes from @base. */
static struct gen_seg *seginv_plan(struct gen_ctx *ctx, enum seginv_kind kind, uint64_t base,
				   size_t len, size_t *ret_n)
{
	static const size_t seg_size[SI_COUNT] = { 65000, 1, 64, 100, 1 };
	struct gen_seg *s = gen_segs_split(base, len, seg_size[kind], ret_n), *d;
	size_t n = *ret_n, k = 0;

	if (!s || (kind != SI_DUP && kind != SI_MIXED))
		goto out_shuffle;
	d = calloc(2 * n, sizeof(*d));
	if (!d) {
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		d[k++] = s[i];
		if (kind == SI_DUP || i % 3 == 0)
			d[k++] = s[i];
	}
	free(s);
	s = d;
	*ret_n = k;
out_shuffle:
	if (s && (kind == SI_REORDER || kind == SI_MIXED))
		gen_segs_shuffle(ctx, s, *ret_n);
	return s;
}

int gen_scen_seginv(struct gen_ctx *ctx)
{
	uint8_t *body = gen_body(ctx, 1200);
	struct gen_resp r = { .status = 200, .body_len = 1200, .body = body };
	int err = body ? 0 : -ENOMEM;

	for (int k = 0; !err && k < SI_COUNT; k++) {
		struct gen_flow *f = gen_flow_new(ctx, &plain);
		struct gen_buf resp = { 0 };
		struct gen_seg *s = NULL;
		size_t n = 0, idx = 0;
		err = f ? gen_flow_handshake(f) : -ENOMEM;
		if (!err)
			err = gen_exchange_prepare(f, "GET", seginv_tags[k], &r, GEN_EXPECT_COMPLETE,
						   &resp, &idx);
		if (!err && !(s = seginv_plan(ctx, (enum seginv_kind)k, f->next[GEN_S2C], resp.len, &n)))
			err = -ENOMEM;
		if (!err)
			err = gen_flow_send_plan(f, GEN_S2C, resp.data, resp.len, s, n);
		if (!err) {
			ctx->objs[idx].known_pref = GEN_KNOWN_ALWAYS;
			err = gen_flow_close(f, GEN_C2S);
		}
		free(s);
		gen_buf_free(&resp);
	}
	free(body);
	return err;
}

/* A response with one data segment sent as two IP fragments, which the
 * dataplane skips (counted): the body has a hole that never fills. */
static int fragment_flow(struct gen_ctx *ctx, bool ipv6)
{
	struct gen_flow_opts o = { .ipv6 = ipv6 };
	struct gen_resp r = { .status = 200, .body_len = 10000 };
	struct gen_flow *f = gen_flow_new(ctx, &o);
	struct gen_buf resp = { 0 };
	size_t pos = 0;
	int err;

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	err = gen_exchange_prepare(f, "GET", "fragmented", &r, GEN_EXPECT_ABANDONED, &resp, NULL);
	for (int i = 0; !err && pos < resp.len; i++) {
		f->fragment_next = i == 3;
		err = gen_flow_send_step(f, GEN_S2C, resp.data, resp.len, &pos);
	}
	gen_buf_free(&resp);
	HWALL_TRY(err);
	return gen_flow_close(f, GEN_C2S);
}

int gen_scen_fragments(struct gen_ctx *ctx)
{
	HWALL_TRY(fragment_flow(ctx, false));
	return fragment_flow(ctx, true);
}

/* Send bytes [from, to) of @resp on @f in order. */
static int send_part(struct gen_flow *f, const struct gen_buf *resp, size_t from, size_t to)
{
	return gen_flow_send(f, GEN_S2C, resp->data + from, to - from);
}

/*
 * Idle timeouts (hashwall-dataplane default 120 s, in capture time): flow A
 * pauses 200 s mid-body and must be given up; flow B pauses 100 s and must
 * not.  Flow C's traffic after the long pause lets the timeout fire before
 * A's last bytes arrive, whatever the burst boundaries.
 */
int gen_scen_idle(struct gen_ctx *ctx)
{
	struct gen_resp r = { .status = 200, .body_len = 20000 };
	struct gen_flow *a = gen_flow_new(ctx, &plain), *b = gen_flow_new(ctx, &plain), *c;
	struct gen_buf ra = { 0 }, rb = { 0 };
	int err = a && b ? 0 : -ENOMEM;

	if (!err)
		err = gen_flow_handshake(a);
	if (!err)
		err = gen_flow_handshake(b);
	if (!err)
		err = gen_exchange_prepare(a, "GET", "timed-out", &r, GEN_EXPECT_ABANDONED, &ra, NULL);
	if (!err)
		err = gen_exchange_prepare(b, "GET", "paused", &r, GEN_EXPECT_COMPLETE, &rb, NULL);
	if (!err)
		err = send_part(a, &ra, 0, 8000);
	if (!err)
		err = send_part(b, &rb, 0, 8000);
	ctx->pcap.ts_us += 100ull * 1000000u;
	if (!err)
		err = send_part(b, &rb, 8000, rb.len);
	ctx->pcap.ts_us += 100ull * 1000000u;
	c = err ? NULL : gen_flow_new(ctx, &plain);
	if (!err)
		err = c ? gen_flow_handshake(c) : -ENOMEM;
	if (!err)
		err = gen_exchange(c, "GET", "meanwhile", &(struct gen_resp){ .status = 200, .body_len = 100000 },
				   GEN_EXPECT_COMPLETE, NULL);
	if (!err)
		err = send_part(a, &ra, 8000, ra.len);
	gen_buf_free(&ra);
	gen_buf_free(&rb);
	HWALL_TRY(err);
	ctx->min_idle_timeouts++;
	ctx->min_midstream++; /* A's last bytes arrive on a flow the table no longer has */
	HWALL_TRY(gen_flow_close(a, GEN_C2S));
	HWALL_TRY(gen_flow_close(b, GEN_C2S));
	return gen_flow_close(c, GEN_C2S);
}
