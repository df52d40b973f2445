/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_scen_mixed.c - scenario "mixed": randomised traffic for property-style
 * testing with many seeds.  Each flow draws its encapsulation (IPv4/IPv6,
 * VLAN, QinQ, IP options, port), a number of exchanges, pipelining depth,
 * body sizes and framings, and a delivery plan for the server bytes:
 * random segment sizes, reordering within windows, duplicates and
 * overlapping retransmissions, all with the same data.  Every object is
 * expected complete: whatever the plan, the digests must not change.
 */
#include "gen_scen.h"

#include <errno.h>
#include <stdlib.h>

#include "common/errors.h"

#define MIXED_FLOWS 12
#define MSS 1460u

static struct gen_flow_opts mixed_opts(struct gen_ctx *ctx)
{
	uint64_t r = gen_rand(ctx);
	struct gen_flow_opts o = {
		.ipv6 = r & 1,
		.vlan_outer = r & 2 ? (uint16_t)(r >> 8 & 0xfff) | 1 : 0,
		.ip_options = (r & 12) == 12,
		.server_port = r & 16 ? 8080 : 80,
	};

	if (o.vlan_outer && (r & 32))
		o.vlan_inner = (uint16_t)(r >> 20 & 0xfff) | 1;
	return o;
}

/* Random segment sizes, reordered in windows, with duplicates and
 * overlapping same-data retransmissions.  Returns a malloc'ed plan. */
static struct gen_seg *mixed_plan(struct gen_ctx *ctx, uint64_t base, size_t len, size_t *ret_n)
{
	size_t cap = 3 * len + 8, /* at most three segments per new byte */ n = 0, w = (size_t)gen_rand_range(ctx, 1, 8);
	size_t max = (size_t)gen_rand_range(ctx, 1, MSS);
	struct gen_seg *s = calloc(cap, sizeof(*s));

	for (size_t off = 0; s && off < len;) {
		size_t l = (size_t)gen_rand_range(ctx, 1, max);
		l = l < len - off ? l : len - off;
		s[n++] = (struct gen_seg){ .off = base + off, .len = (uint32_t)l };
		off += l;
		if (gen_rand(ctx) % 10 == 0) {
			s[n] = s[n - 1];
			n++;
		}
		if (gen_rand(ctx) % 20 == 0) {
			size_t a = (size_t)gen_rand_range(ctx, 0, len - 1);
			size_t b = (size_t)gen_rand_range(ctx, a + 1, a + MSS < len ? a + MSS : len);
			s[n++] = (struct gen_seg){ .off = base + a, .len = (uint32_t)(b - a) };
		}
	}
	for (size_t i = 0; s && w > 1 && i + w <= n; i += w)
		gen_segs_shuffle(ctx, s + i, w);
	*ret_n = n;
	return s;
}

/* 1..3 pipelined exchanges, their responses sent along one plan. */
static int mixed_round(struct gen_flow *f)
{
	struct gen_ctx *ctx = f->ctx;
	size_t depth = (size_t)gen_rand_range(ctx, 1, 3), n = 0;
	struct gen_buf req = { 0 }, resp = { 0 };
	struct gen_seg *plan = NULL;
	int err = 0;

	for (size_t i = 0; i < depth && !err; i++) {
		uint64_t r = gen_rand(ctx);
		struct gen_resp spec = {
			.status = 200,
			.framing = r % 3 == 0 ? GEN_FRAME_CHUNKED : GEN_FRAME_LENGTH,
			.body_len = (size_t)(r >> 8) % (r & 4 ? 70000 : 3000),
			.chunk_min = 1 + (size_t)(r >> 40) % 64,
			.chunk_max = 64 + (size_t)(r >> 48) % 8192,
			.chunk_ext = r & 8,
			.trailers = r & 16,
		};
		err = gen_obj_build(f, "GET", "mixed", &spec, GEN_EXPECT_COMPLETE, &req, &resp,
				    f->next[GEN_S2C], NULL);
	}
	if (!err)
		err = gen_flow_send(f, GEN_C2S, req.data, req.len);
	if (!err && !(plan = mixed_plan(ctx, f->next[GEN_S2C], resp.len, &n)))
		err = -ENOMEM;
	if (!err)
		err = gen_flow_send_plan(f, GEN_S2C, resp.data, resp.len, plan, n);
	free(plan);
	gen_buf_free(&req);
	gen_buf_free(&resp);
	return err;
}

int gen_scen_mixed(struct gen_ctx *ctx)
{
	for (int i = 0; i < MIXED_FLOWS; i++) {
		struct gen_flow_opts o = mixed_opts(ctx);
		struct gen_flow *f = gen_flow_new(ctx, &o);
		int rounds = (int)gen_rand_range(ctx, 1, 6);
		if (!f)
			return -ENOMEM;
		HWALL_TRY(gen_flow_handshake(f));
		for (int k = 0; k < rounds; k++)
			HWALL_TRY(mixed_round(f));
		HWALL_TRY(gen_flow_close(f, gen_rand(ctx) & 1 ? GEN_C2S : GEN_S2C));
	}
	return 0;
}
