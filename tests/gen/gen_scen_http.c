/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_scen_http.c - scenarios about HTTP framing and L2/L3 variety: one
 * handshake, keep-alive, pipelining, chunked bodies, close-delimited bodies,
 * responses without a body, body sizes, 206, Content-Length with chunked,
 * IPv6, BIG TCP super-frames, VLAN/QinQ, IPv4 options and non-HTTP noise, and requests whose Host
 * is missing, empty or too long.  Each starts its flows
 * with a handshake and ends them with FINs unless the point is otherwise.
 */
#include "gen_scen.h"

#include <stdlib.h>
#include <string.h>

#include "common/errors.h"

static const struct gen_flow_opts plain = { 0 };

/* One flow: handshake, a GET for each of @rs (all complete), FINs. */
static int responses_flow(struct gen_ctx *ctx, const char *tag, const struct gen_resp *rs, size_t n)
{
	struct gen_flow *f = gen_flow_new(ctx, &plain);

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	for (size_t i = 0; i < n; i++)
		HWALL_TRY(gen_exchange(f, "GET", tag, &rs[i], GEN_EXPECT_COMPLETE, NULL));
	return gen_flow_close(f, GEN_C2S);
}

int gen_scen_handshake(struct gen_ctx *ctx)
{
	struct gen_resp r = { .status = 200, .body_len = 5000 };
	struct gen_flow *f = gen_flow_new(ctx, &plain);

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	HWALL_TRY(gen_exchange(f, "GET", "one", &r, GEN_EXPECT_COMPLETE, NULL));
	return gen_flow_close(f, GEN_C2S);
}

int gen_scen_keepalive(struct gen_ctx *ctx)
{
	struct gen_flow *f = gen_flow_new(ctx, &plain);

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	for (int i = 0; i < 60; i++) {
		struct gen_resp r = {
			.status = 200,
			.framing = i % 3 == 2 ? GEN_FRAME_CHUNKED : GEN_FRAME_LENGTH,
			.body_len = (size_t)gen_rand_range(ctx, 1, 20000),
			.chunk_min = 500, .chunk_max = 3000,
		};
		HWALL_TRY(gen_exchange(f, "GET", "ka", &r, GEN_EXPECT_COMPLETE, NULL));
	}
	return gen_flow_close(f, GEN_C2S);
}

/* Requests sent back to back, then all responses in one stream write so
 * that several responses share segments; a HEAD and a 304 in the middle
 * must not swallow the next response's bytes. */
int gen_scen_pipeline(struct gen_ctx *ctx)
{
	static const char *const methods[] = { "GET", "GET", "HEAD", "GET", "GET", "GET", "GET", "GET" };
	struct gen_flow *f = gen_flow_new(ctx, &plain);
	struct gen_buf req = { 0 }, resp = { 0 };
	int err = 0;

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	for (size_t i = 0; i < HWALL_ARRAY_SIZE(methods) && !err; i++) {
		struct gen_resp r = {
			.status = i == 5 ? 304 : 200,
			.framing = i % 2 ? GEN_FRAME_CHUNKED : GEN_FRAME_LENGTH,
			.head = !strcmp(methods[i], "HEAD"),
			.body_len = (size_t)gen_rand_range(ctx, 1, 4000),
			.chunk_min = 100, .chunk_max = 900,
		};
		bool body = gen_http_has_body(methods[i], r.status);
		err = gen_obj_build(f, methods[i], "pipe", &r,
				    body ? GEN_EXPECT_COMPLETE : GEN_EXPECT_OPTIONAL, &req, &resp,
				    f->next[GEN_S2C], NULL);
	}
	if (!err)
		err = gen_flow_send(f, GEN_C2S, req.data, req.len);
	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data, resp.len);
	gen_buf_free(&req);
	gen_buf_free(&resp);
	HWALL_TRY(err);
	return gen_flow_close(f, GEN_C2S);
}

int gen_scen_chunked(struct gen_ctx *ctx)
{
	const struct gen_resp rs[] = {
		/* tiny chunks with extensions and trailers */
		{ .status = 200, .framing = GEN_FRAME_CHUNKED, .body_len = 3000, .chunk_min = 1,
		  .chunk_max = 3, .chunk_ext = true, .trailers = true },
		/* one huge chunk */
		{ .status = 200, .framing = GEN_FRAME_CHUNKED, .body_len = 3u << 20,
		  .chunk_min = 3u << 20, .chunk_max = 3u << 20 },
		/* medium chunks, extensions, no trailers */
		{ .status = 200, .framing = GEN_FRAME_CHUNKED, .body_len = 50000, .chunk_min = 1000,
		  .chunk_max = 9000, .chunk_ext = true },
		/* empty chunked body with trailers */
		{ .status = 200, .framing = GEN_FRAME_CHUNKED, .body_len = 0, .trailers = true },
		/* a plain one after, to prove the connection stayed in sync */
		{ .status = 200, .body_len = 777 },
	};
	return responses_flow(ctx, "chunk", rs, HWALL_ARRAY_SIZE(rs));
}

/* Close-delimited bodies: the server's FIN ends them (RFC 9112 6.3 rule 8). */
int gen_scen_close(struct gen_ctx *ctx)
{
	static const size_t lens[] = { 30000, 0, 1 };

	for (size_t i = 0; i < HWALL_ARRAY_SIZE(lens); i++) {
		struct gen_resp r = { .status = 200, .framing = GEN_FRAME_CLOSE, .body_len = lens[i] };
		struct gen_flow *f = gen_flow_new(ctx, &plain);
		if (!f)
			return -ENOMEM;
		HWALL_TRY(gen_flow_handshake(f));
		HWALL_TRY(gen_exchange(f, "GET", "close", &r, GEN_EXPECT_COMPLETE, NULL));
		HWALL_TRY(gen_flow_close(f, GEN_S2C));
	}
	return 0;
}

/* HEAD, 204, 304 and 1xx: no body, and the response after each must be
 * found where it is. */
int gen_scen_nobody(struct gen_ctx *ctx)
{
	const struct {
		const char *method;
		struct gen_resp r;
	} ex[] = {
		{ "HEAD", { .status = 200, .body_len = 5000, .head = true } },
		{ "GET", { .status = 200, .body_len = 1000 } },
		{ "HEAD", { .status = 200, .framing = GEN_FRAME_CHUNKED, .head = true } },
		{ "GET", { .status = 204 } },
		{ "GET", { .status = 200, .body_len = 1001 } },
		{ "GET", { .status = 304, .body_len = 4242 } },
		{ "GET", { .status = 200, .body_len = 2000, .interim = "100" } },
		{ "GET", { .status = 200, .body_len = 2001, .interim = "103,103",
			   .framing = GEN_FRAME_CHUNKED, .chunk_min = 300, .chunk_max = 700 } },
		{ "GET", { .status = 200, .body_len = 3000 } },
	};
	struct gen_flow *f = gen_flow_new(ctx, &plain);

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	for (size_t i = 0; i < HWALL_ARRAY_SIZE(ex); i++) {
		bool body = gen_http_has_body(ex[i].method, ex[i].r.status);
		HWALL_TRY(gen_exchange(f, ex[i].method, "nobody", &ex[i].r,
				    body ? GEN_EXPECT_COMPLETE : GEN_EXPECT_OPTIONAL, NULL));
	}
	return gen_flow_close(f, GEN_C2S);
}

/* Send a response as headers, then the body in MSS-aligned segments. */
static int send_aligned(struct gen_flow *f, const struct gen_resp *r)
{
	struct gen_buf resp = { 0 };
	int err = gen_exchange_prepare(f, "GET", "mss", r, GEN_EXPECT_COMPLETE, &resp, NULL);
	size_t hdr = resp.len - r->body_len;

	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data, hdr);
	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data + hdr, r->body_len);
	gen_buf_free(&resp);
	return err;
}

int gen_scen_sizes(struct gen_ctx *ctx)
{
	static const size_t lens[] = { 0, 1, 1460, 2920, 14600 };
	struct gen_flow_opts wrap = { .server_isn = 0xffff0000u }; /* wraps within 64 KiB */
	struct gen_resp big = { .status = 200, .body_len = 4u << 20 };
	struct gen_flow *f = gen_flow_new(ctx, &plain);

	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	for (size_t i = 0; i < HWALL_ARRAY_SIZE(lens); i++) {
		struct gen_resp r = { .status = 200, .body_len = lens[i] };
		HWALL_TRY(gen_exchange(f, "GET", "size", &r, GEN_EXPECT_COMPLETE, NULL));
	}
	for (size_t i = 2; i < HWALL_ARRAY_SIZE(lens); i++) {
		struct gen_resp r = { .status = 200, .body_len = lens[i] };
		HWALL_TRY(send_aligned(f, &r));
	}
	HWALL_TRY(gen_flow_close(f, GEN_C2S));
	f = gen_flow_new(ctx, &wrap);
	if (!f)
		return -ENOMEM;
	HWALL_TRY(gen_flow_handshake(f));
	HWALL_TRY(gen_exchange(f, "GET", "big", &big, GEN_EXPECT_COMPLETE, NULL));
	return gen_flow_close(f, GEN_C2S);
}

int gen_scen_partial(struct gen_ctx *ctx)
{
	const struct gen_resp rs[] = {
		{ .status = 206, .body_len = 8000,
		  .extra = "Content-Range: bytes 1000-8999/50000\r\n" },
		{ .status = 206, .body_len = 3000, .framing = GEN_FRAME_CHUNKED,
		  .extra = "Content-Range: bytes 0-2999/9000\r\n" },
		{ .status = 200, .body_len = 9000 },
	};
	return responses_flow(ctx, "range", rs, HWALL_ARRAY_SIZE(rs));
}

/* Content-Length and chunked together: chunked wins (RFC 9112 6.3 rule 3);
 * the Content-Length is wrong on purpose, so honouring it desynchronises. */
int gen_scen_clte(struct gen_ctx *ctx)
{
	const struct gen_resp rs[] = {
		{ .status = 200, .framing = GEN_FRAME_LENGTH_CHUNKED, .body_len = 6000,
		  .chunk_min = 1000, .chunk_max = 2500 },
		{ .status = 200, .framing = GEN_FRAME_LENGTH_CHUNKED, .body_len = 100,
		  .chunk_min = 7, .chunk_max = 30 },
		{ .status = 200, .body_len = 1234 },
	};
	ctx->min_clte += 2;
	return responses_flow(ctx, "clte", rs, HWALL_ARRAY_SIZE(rs));
}

/* A few exchanges on a flow with @o. */
static int simple_flow(struct gen_ctx *ctx, const struct gen_flow_opts *o, size_t n)
{
	return gen_flow_objects(ctx, o, n, 1, 9000, NULL, NULL);
}

int gen_scen_ipv6(struct gen_ctx *ctx)
{
	const struct gen_flow_opts a = { .ipv6 = true };
	const struct gen_flow_opts b = { .ipv6 = true, .ip_options = true, .server_port = 8080 };
	const struct gen_flow_opts c = { .ipv6 = true, .vlan_outer = 42 };

	HWALL_TRY(simple_flow(ctx, &a, 3));
	HWALL_TRY(simple_flow(ctx, &b, 3));
	return simple_flow(ctx, &c, 2);
}

/* BIG TCP: responses in 90000-byte super-frames, as a capture on a host
 * with BIG TCP GSO (gso_max_size over 64 KiB) sees them. */
int gen_scen_bigtcp(struct gen_ctx *ctx)
{
	const struct gen_flow_opts a = { .gso = 90000 };
	const struct gen_flow_opts b = { .ipv6 = true, .gso = 90000 };
	const struct gen_flow_opts c = { .ipv6 = true, .gso = 90000, .jumbo_hbh = true };

	HWALL_TRY(gen_flow_objects(ctx, &a, 3, 100000, 300000, NULL, NULL));
	HWALL_TRY(gen_flow_objects(ctx, &b, 3, 100000, 300000, NULL, NULL));
	return gen_flow_objects(ctx, &c, 3, 100000, 300000, NULL, NULL);
}

int gen_scen_vlan(struct gen_ctx *ctx)
{
	const struct gen_flow_opts a = { .vlan_outer = 100 };
	const struct gen_flow_opts b = { .vlan_outer = 200, .vlan_inner = 300 };

	HWALL_TRY(simple_flow(ctx, &a, 2));
	return simple_flow(ctx, &b, 2);
}

int gen_scen_ipopts(struct gen_ctx *ctx)
{
	const struct gen_flow_opts a = { .ip_options = true, .server_port = 8080 };

	return simple_flow(ctx, &a, 3);
}

/* TLS-like and SSH-like byte streams on other ports: never objects. */
int gen_scen_nonhttp(struct gen_ctx *ctx)
{
	static const uint16_t ports[] = { 443, 22 };

	uint64_t before = ctx->pcap.packets;

	for (size_t i = 0; i < HWALL_ARRAY_SIZE(ports); i++) {
		struct gen_flow_opts o = { .server_port = ports[i] };
		struct gen_flow *f = gen_flow_new(ctx, &o);
		uint8_t *c = gen_body(ctx, 517), *s = gen_body(ctx, 9000);
		int err = f && c && s ? 0 : -ENOMEM;
		if (!err)
			err = gen_flow_handshake(f);
		if (!err)
			err = gen_flow_send(f, GEN_C2S, c, 517);
		if (!err)
			err = gen_flow_send(f, GEN_S2C, s, 9000);
		if (!err)
			err = gen_flow_close(f, GEN_C2S);
		free(c);
		free(s);
		HWALL_TRY(err);
	}
	ctx->min_nonhttp_packets += ctx->pcap.packets - before;
	return 0;
}

/* Known objects whose requests name no usable host: HTTP/1.0 without Host,
 * an empty Host, and a Host of 300 bytes over 0x7f (765 bytes once the
 * dataplane escapes the 255 it keeps).  Every one is a match that must
 * reach controld as a candidate (issue 14, item 1). */
int gen_scen_hosts(struct gen_ctx *ctx)
{
	char longhost[301];
	struct gen_resp rs[] = {
		{ .status = 200, .body_len = 3000, .http10 = true },
		{ .status = 200, .body_len = 4000, .host = "" },
		{ .status = 200, .framing = GEN_FRAME_CHUNKED, .body_len = 5000, .host = longhost },
	};

	for (size_t i = 0; i < 300; i++)
		longhost[i] = (char)(0x80 + i % 0x80);
	longhost[300] = '\0';
	for (size_t i = 0; i < HWALL_ARRAY_SIZE(rs); i++) {
		struct gen_flow *f = gen_flow_new(ctx, &plain);
		size_t idx;

		if (!f)
			return -ENOMEM;
		HWALL_TRY(gen_flow_handshake(f));
		HWALL_TRY(gen_exchange(f, "GET", "host", &rs[i], GEN_EXPECT_COMPLETE, &idx));
		ctx->objs[idx].known_pref = GEN_KNOWN_ALWAYS;
		HWALL_TRY(gen_flow_close(f, GEN_C2S));
	}
	return 0;
}
