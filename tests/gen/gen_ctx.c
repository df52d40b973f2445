/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_ctx.c - the generator context: its PRNG, the flows and the expected
 * objects, request/response exchanges, and the choice of the "known"
 * objects that the hash-set list names.
 */
#include "gen.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"
#include "hwall_test.h"

uint64_t gen_rand(struct gen_ctx *ctx)
{
	return hwall_test_rand(&ctx->rng);
}

uint64_t gen_rand_range(struct gen_ctx *ctx, uint64_t lo, uint64_t hi)
{
	return lo + gen_rand(ctx) % (hi - lo + 1);
}

/* Box-Muller from two uniforms in (0, 1]; mu chosen so that the lognormal
 * has the requested mean: E = exp(mu + sigma^2 / 2). */
double gen_rand_lognormal(struct gen_ctx *ctx, double mean, double sigma)
{
	double u1 = ((double)(gen_rand(ctx) >> 11) + 1.0) / 9007199254740992.0;
	double u2 = ((double)(gen_rand(ctx) >> 11) + 1.0) / 9007199254740992.0;
	double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
	double mu = log(mean) - sigma * sigma / 2.0;

	return exp(mu + sigma * z);
}

const struct gen_bench_params gen_bench_default = {
	.total_bytes = 130ull << 20, .mean = 60000, .sigma = 1.0, .conns = 16, .max_body = 8u << 20,
};

int gen_ctx_init(struct gen_ctx *ctx, uint64_t seed, const char *pcap_path)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->seed = seed;
	ctx->rng = seed;
	ctx->next_cport = 40000;
	ctx->known_fraction = 0.25;
	ctx->known_algos = gen_digest_mask();
	ctx->bench = gen_bench_default;
	return gen_pcap_open(&ctx->pcap, pcap_path);
}

int gen_ctx_finish(struct gen_ctx *ctx)
{
	int err = gen_pcap_close(&ctx->pcap);

	for (size_t i = 0; i < ctx->nflows; i++)
		free(ctx->flows[i]);
	free(ctx->flows);
	free(ctx->objs);
	ctx->flows = NULL;
	ctx->objs = NULL;
	ctx->nflows = ctx->nobjs = 0;
	return err;
}

void gen_path(struct gen_ctx *ctx, char *out, const char *tag)
{
	snprintf(out, 128, "/%s/%u-%s", ctx->scenario ? ctx->scenario : "x", ++ctx->path_seq, tag);
}

struct gen_obj *gen_obj_add(struct gen_ctx *ctx, const struct gen_flow *f, const char *method,
			    const char *path, int status)
{
	struct gen_obj *o;

	if (ctx->nobjs == ctx->objs_cap) {
		size_t cap = ctx->objs_cap ? ctx->objs_cap * 2 : 64;
		struct gen_obj *p = realloc(ctx->objs, cap * sizeof(*p));
		if (!p)
			return NULL;
		ctx->objs = p;
		ctx->objs_cap = cap;
	}
	o = &ctx->objs[ctx->nobjs++];
	memset(o, 0, sizeof(*o));
	o->flow = f->id;
	o->scenario = ctx->scenario;
	snprintf(o->host, sizeof(o->host), "%s.example", ctx->scenario ? ctx->scenario : "x");
	snprintf(o->path, sizeof(o->path), "%s", path);
	snprintf(o->method, sizeof(o->method), "%s", method);
	o->status = status;
	o->partial = status == 206;
	o->resp_off = f->next[GEN_S2C];
	o->known_pref = GEN_KNOWN_MAYBE;
	return o;
}

uint8_t *gen_body(struct gen_ctx *ctx, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	if (b)
		hwall_test_rand_bytes(&ctx->rng, b, len);
	return b;
}

int gen_obj_build(struct gen_flow *f, const char *method, const char *tag,
		  const struct gen_resp *r, enum gen_expect expect, struct gen_buf *req,
		  struct gen_buf *resp, uint64_t resp_base, size_t *ret_obj_index)
{
	struct gen_ctx *ctx = f->ctx;
	bool body = gen_http_has_body(method, r->status);
	uint8_t *data = NULL;
	struct gen_obj *o;
	char path[128];
	int err;

	gen_path(ctx, path, tag);
	o = gen_obj_add(ctx, f, method, path, r->status);
	if (!o)
		return -ENOMEM;
	if (r->http10)
		o->host[0] = '\0';
	else if (r->host)
		o->host_truncated = gen_http_event_host(r->host, o->host);
	HWALL_TRY(gen_http_request(req, method, r->http10 ? NULL : r->host ? r->host : o->host, path,
				r->interim && strstr(r->interim, "100") ? "Expect: 100-continue\r\n"
									: NULL));
	o->resp_off = resp_base + resp->len;
	o->expect = expect;
	o->size = body ? r->body_len : 0;
	if (!body)
		o->known_pref = GEN_KNOWN_NEVER;
	if (r->body)
		data = (uint8_t *)r->body;
	else if (!(data = gen_body(ctx, o->size)))
		return -ENOMEM;
	gen_digest_all(data, o->size, o->dig);
	err = gen_http_response(ctx, resp, r, data);
	if (data != r->body)
		free(data);
	if (!err && ret_obj_index)
		*ret_obj_index = ctx->nobjs - 1;
	return err;
}

int gen_exchange_prepare(struct gen_flow *f, const char *method, const char *tag,
			 const struct gen_resp *r, enum gen_expect expect, struct gen_buf *resp,
			 size_t *ret_obj_index)
{
	struct gen_buf req = { 0 };
	int err = gen_obj_build(f, method, tag, r, expect, &req, resp, f->next[GEN_S2C],
				ret_obj_index);

	if (!err)
		err = gen_flow_send(f, GEN_C2S, req.data, req.len);
	gen_buf_free(&req);
	return err;
}

int gen_exchange(struct gen_flow *f, const char *method, const char *tag, const struct gen_resp *r,
		 enum gen_expect expect, size_t *ret_obj_index)
{
	struct gen_buf resp = { 0 };
	int err = gen_exchange_prepare(f, method, tag, r, expect, &resp, ret_obj_index);

	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data, resp.len);
	gen_buf_free(&resp);
	return err;
}

int gen_flow_objects(struct gen_ctx *ctx, const struct gen_flow_opts *o, size_t n, size_t min_len,
		     size_t max_len, const char *const *tags, size_t *ret_first)
{
	struct gen_flow *f = gen_flow_new(ctx, o);

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	if (ret_first)
		*ret_first = ctx->nobjs;
	for (size_t i = 0; i < n; i++) {
		struct gen_resp r = { .status = 200, .body_len = (size_t)gen_rand_range(ctx, min_len, max_len),
				      .framing = i & 1 ? GEN_FRAME_CHUNKED : GEN_FRAME_LENGTH };
		HWALL_TRY(gen_exchange(f, "GET", tags ? tags[i] : "obj", &r, GEN_EXPECT_COMPLETE, NULL));
	}
	return gen_flow_close(f, GEN_C2S);
}

static bool known_eligible(const struct gen_obj *o)
{
	return o->expect == GEN_EXPECT_COMPLETE && o->size > 0 && !o->partial &&
	       o->known_pref != GEN_KNOWN_NEVER;
}

/* The (k mod n)-th algorithm of @mask (n bits set; gen_digest_mask() when
 * none of them is one gen computes). */
static enum hwall_algo nth_algo(unsigned int mask, unsigned int k)
{
	unsigned int n = 0, want;

	mask = mask & gen_digest_mask() ? mask & gen_digest_mask() : gen_digest_mask();
	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		n += mask >> a & 1;
	want = k % n;
	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		if ((mask >> a & 1) && want-- == 0)
			return (enum hwall_algo)a;
	return HWALL_ALGO_XXH3_128; /* not reached */
}

/* Mark @o and every complete object with the same body. */
static void known_mark(struct gen_ctx *ctx, const struct gen_obj *o, unsigned int k)
{
	for (size_t i = 0; i < ctx->nobjs; i++) {
		struct gen_obj *p = &ctx->objs[i];
		if (p->expect != GEN_EXPECT_COMPLETE || p->partial ||
		    memcmp(p->dig[HWALL_ALGO_SHA256], o->dig[HWALL_ALGO_SHA256], HWALL_DIGEST_MAX) != 0)
			continue;
		p->known = true;
		p->known_algo = nth_algo(ctx->known_algos, k);
		p->category = (uint8_t)(k % 3 + 1);
		p->ref = 100000u + k;
	}
}

void gen_known_choose(struct gen_ctx *ctx)
{
	/* A PRNG of its own: the choice never changes the capture. */
	uint64_t rng = ctx->seed ^ 0x6b6e6f776eull;
	uint64_t cut = (uint64_t)(ctx->known_fraction * 1e6);
	unsigned int k = 0;

	for (size_t i = 0; i < ctx->nobjs; i++) {
		struct gen_obj *o = &ctx->objs[i];
		bool pick = o->known_pref == GEN_KNOWN_ALWAYS || hwall_test_rand(&rng) % 1000000 < cut;
		if (o->known || !known_eligible(o) || !pick)
			continue;
		known_mark(ctx, o, k++);
	}
}
