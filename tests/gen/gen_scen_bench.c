/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_scen_bench.c - the benchmark capture (many keep-alive connections
 * interleaved segment by segment, lognormal body sizes, MSS-sized
 * segments; parameters in ctx->bench) and the small README demo capture
 * (a few objects, two of them known).
 */
#include "gen_scen.h"

#include <errno.h>
#include <stdlib.h>

#include "common/errors.h"

struct bench_conn {
	struct gen_flow *f;
	struct gen_buf resp;
	size_t pos;
	bool closed;
};

static size_t bench_body_len(struct gen_ctx *ctx)
{
	double v = gen_rand_lognormal(ctx, ctx->bench.mean, ctx->bench.sigma);

	if (v < 1)
		return 1;
	return v > (double)ctx->bench.max_body ? (size_t)ctx->bench.max_body : (size_t)v;
}

/* Give @c its next response, or close it once enough bytes exist. */
static int bench_next(struct gen_ctx *ctx, struct bench_conn *c, uint64_t *produced,
		      unsigned *active)
{
	struct gen_resp r = { .status = 200 };

	gen_buf_free(&c->resp);
	c->pos = 0;
	if (*produced >= ctx->bench.total_bytes) {
		c->closed = true;
		(*active)--;
		return gen_flow_close(c->f, GEN_C2S);
	}
	r.body_len = bench_body_len(ctx);
	HWALL_TRY(gen_exchange_prepare(c->f, "GET", "b", &r, GEN_EXPECT_COMPLETE, &c->resp, NULL));
	*produced += c->resp.len;
	return 0;
}

int gen_scen_bench(struct gen_ctx *ctx)
{
	unsigned n = ctx->bench.conns ? ctx->bench.conns : 1, active = n;
	struct bench_conn *c = calloc(n, sizeof(*c));
	struct gen_flow_opts o = { .no_acks = false };
	uint64_t produced = 0;
	int err = c ? 0 : -ENOMEM;

	for (unsigned i = 0; !err && i < n; i++) {
		c[i].f = gen_flow_new(ctx, &o);
		err = c[i].f ? gen_flow_handshake(c[i].f) : -ENOMEM;
	}
	while (!err && active) {
		for (unsigned i = 0; !err && i < n; i++) {
			if (c[i].closed)
				continue;
			if (c[i].pos == c[i].resp.len)
				err = bench_next(ctx, &c[i], &produced, &active);
			if (!err && !c[i].closed)
				err = gen_flow_send_step(c[i].f, GEN_S2C, c[i].resp.data,
							 c[i].resp.len, &c[i].pos);
		}
	}
	for (unsigned i = 0; c && i < n; i++)
		gen_buf_free(&c[i].resp);
	free(c);
	return err;
}

/* Objects on one flow; @known_mask bit i makes object i known. */
static int demo_flow(struct gen_ctx *ctx, const struct gen_flow_opts *o, const char *const *tags,
		     size_t n, unsigned known_mask)
{
	size_t first = 0;

	HWALL_TRY(gen_flow_objects(ctx, o, n, 20000, 200000, tags, &first));
	for (size_t i = 0; i < n; i++)
		ctx->objs[first + i].known_pref = known_mask >> i & 1 ? GEN_KNOWN_ALWAYS : GEN_KNOWN_NEVER;
	return 0;
}

int gen_scen_demo(struct gen_ctx *ctx)
{
	static const char *const a[] = { "index.html", "logo.png", "photo-0001.jpg", "photo-0002.jpg" };
	static const char *const b[] = { "video-0001.mp4", "photo-0003.jpg", "style.css" };
	const struct gen_flow_opts v4 = { 0 }, v6 = { .ipv6 = true, .server_port = 8080 };

	HWALL_TRY(demo_flow(ctx, &v4, a, HWALL_ARRAY_SIZE(a), 1u << 2));
	return demo_flow(ctx, &v6, b, HWALL_ARRAY_SIZE(b), 1u << 1);
}
