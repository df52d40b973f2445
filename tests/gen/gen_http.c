/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_http.c - HTTP/1.1 messages of the traffic generator: request bytes,
 * response bytes with every body framing the dataplane must decode
 * (Content-Length, chunked with extensions and trailers, close-delimited,
 * both Content-Length and chunked), interim 1xx responses, and the four
 * body digests the manifest records.
 */
#include "gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include "common/errors.h"

static const char *reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 103: return "Early Hints";
	case 200: return "OK";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 304: return "Not Modified";
	case 404: return "Not Found";
	default: return "Whatever";
	}
}

int gen_http_request(struct gen_buf *out, const char *method, const char *host, const char *path,
		     const char *extra)
{
	if (!host)
		return gen_buf_printf(out,
				      "%s %s HTTP/1.0\r\nUser-Agent: hashwall-gen/1\r\n"
				      "Accept: */*\r\n%s\r\n",
				      method, path, extra ? extra : "");
	return gen_buf_printf(out,
			      "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: hashwall-gen/1\r\n"
			      "Accept: */*\r\n%s\r\n",
			      method, path, host, extra ? extra : "");
}

bool gen_http_event_host(const char *sent, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)sent;
	size_t n = strlen(sent), k = 0;

	for (size_t i = 0; i < n && i < 255; i++) {
		if (s[i] < 0x20 || s[i] >= 0x7f) {
			out[k++] = '%';
			out[k++] = hex[s[i] >> 4];
			out[k++] = hex[s[i] & 15];
		} else {
			out[k++] = (char)s[i];
		}
	}
	out[k] = '\0';
	return n > 255;
}

bool gen_http_has_body(const char *method, int status)
{
	return strcmp(method, "HEAD") != 0 && status >= 200 && status != 204 && status != 304;
}

static int put_interim(struct gen_buf *out, const char *interim)
{
	const char *p = interim;

	while (p && *p) {
		int code = atoi(p);
		HWALL_TRY(gen_buf_printf(out, "HTTP/1.1 %d %s\r\n", code, reason(code)));
		if (code == 103)
			HWALL_TRY(gen_buf_printf(out, "Link: </style.css>; rel=preload; as=style\r\n"));
		HWALL_TRY(gen_buf_put(out, "\r\n", 2));
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

/* One chunk-size line: hex in mixed case, sometimes with extensions
 * (RFC 9112 7.1.1), sometimes with leading zeros. */
static int put_chunk_line(struct gen_ctx *ctx, struct gen_buf *out, size_t n, bool ext)
{
	uint64_t r = gen_rand(ctx);

	HWALL_TRY(gen_buf_printf(out, r & 1 ? "%zX" : r & 2 ? "%zx" : "00%zx", n));
	if (ext && (r & 4))
		HWALL_TRY(gen_buf_printf(out, ";ext%u=\"v;x\"", (unsigned)(r >> 8) % 100));
	if (ext && (r & 8))
		HWALL_TRY(gen_buf_printf(out, " ; flag"));
	return gen_buf_put(out, "\r\n", 2);
}

/* A first chunk line that a parser must refuse: not hex, or too long. */
static int put_hostile_chunk_line(struct gen_buf *out, const struct gen_resp *r)
{
	if (r->bad_chunk)
		return gen_buf_printf(out, "zz\r\n");
	HWALL_TRY(gen_buf_printf(out, "10;x="));
	for (size_t i = 0; i < r->chunk_ext_len; i++)
		HWALL_TRY(gen_buf_put(out, "e", 1));
	return gen_buf_put(out, "\r\n", 2);
}

static int put_chunked(struct gen_ctx *ctx, struct gen_buf *out, const struct gen_resp *r,
		       const uint8_t *body)
{
	size_t lo = r->chunk_min ? r->chunk_min : 4096;
	size_t hi = r->chunk_max >= lo ? r->chunk_max : lo;
	size_t pos = 0;

	if (r->bad_chunk || r->chunk_ext_len)
		HWALL_TRY(put_hostile_chunk_line(out, r));

	while (pos < r->body_len) {
		size_t n = (size_t)gen_rand_range(ctx, lo, hi);
		if (n > r->body_len - pos)
			n = r->body_len - pos;
		HWALL_TRY(put_chunk_line(ctx, out, n, r->chunk_ext));
		HWALL_TRY(gen_buf_put(out, body + pos, n));
		HWALL_TRY(gen_buf_put(out, "\r\n", 2));
		pos += n;
	}
	HWALL_TRY(put_chunk_line(ctx, out, 0, r->chunk_ext));
	if (r->trailers)
		HWALL_TRY(gen_buf_printf(out, "X-Body-Note: synthetic\r\nX-Trailer-Two: 2\r\n"));
	return gen_buf_put(out, "\r\n", 2);
}

static int put_framing_headers(struct gen_buf *out, const struct gen_resp *r, bool body)
{
	switch (r->framing) {
	case GEN_FRAME_LENGTH:
		if (r->status == 204)
			return 0;
		return gen_buf_printf(out, "Content-Length: %zu\r\n", r->body_len);
	case GEN_FRAME_CHUNKED:
		return gen_buf_printf(out, "Transfer-Encoding: chunked\r\n");
	case GEN_FRAME_CLOSE:
		return gen_buf_printf(out, "Connection: close\r\n");
	case GEN_FRAME_LENGTH_CHUNKED:
		/* A length that is wrong on purpose: chunked must win. */
		return gen_buf_printf(out, "Content-Length: %zu\r\nTransfer-Encoding: chunked\r\n",
				      body ? r->body_len / 2 + 7 : 0);
	default:
		return -EINVAL;
	}
}

int gen_http_response(struct gen_ctx *ctx, struct gen_buf *out, const struct gen_resp *r,
		      const uint8_t *body)
{
	bool has_body = gen_http_has_body(r->head ? "HEAD" : "GET", r->status);

	HWALL_TRY(put_interim(out, r->interim));
	if (r->status_line)
		HWALL_TRY(gen_buf_printf(out, "%s\r\n", r->status_line));
	else
		HWALL_TRY(gen_buf_printf(out, "HTTP/1.1 %d %s\r\n", r->status, reason(r->status)));
	HWALL_TRY(gen_buf_printf(out,
			      "Server: hashwall-gen\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
			      "Content-Type: application/octet-stream\r\n%s",
			      r->extra ? r->extra : ""));
	HWALL_TRY(put_framing_headers(out, r, has_body));
	HWALL_TRY(gen_buf_put(out, "\r\n", 2));
	if (!has_body)
		return 0;
	if (r->framing == GEN_FRAME_CHUNKED || r->framing == GEN_FRAME_LENGTH_CHUNKED)
		return put_chunked(ctx, out, r, body);
	return gen_buf_put(out, body, r->body_len);
}

static void evp_digest(const EVP_MD *md, const uint8_t *body, size_t len, uint8_t *out)
{
	unsigned int n = 0;

	/* EVP_Digest only fails on allocation failure; then the digest stays
	 * zero and the manifest check will fail loudly. */
	if (!EVP_Digest(body, len, out, &n, md, NULL))
		memset(out, 0, HWALL_DIGEST_MAX);
}

unsigned int gen_digest_mask(void)
{
	unsigned int mask = 0;

	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		if (hwall_algo_kind((enum hwall_algo)a) == HWALL_ALGO_KIND_XXH3 ||
		    hwall_algo_kind((enum hwall_algo)a) == HWALL_ALGO_KIND_EVP)
			mask |= 1u << a;
	return mask;
}

void gen_digest_all(const uint8_t *body, size_t len, uint8_t dig[HWALL_ALGO_COUNT][HWALL_DIGEST_MAX])
{
	XXH128_canonical_t c;

	memset(dig, 0, HWALL_ALGO_COUNT * HWALL_DIGEST_MAX);
	XXH128_canonicalFromHash(&c, XXH3_128bits(body, len));
	memcpy(dig[HWALL_ALGO_XXH3_128], c.digest, sizeof(c.digest));
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		const char *evp = hwall_algo_evp_name((enum hwall_algo)a);

		if (evp)
			evp_digest(EVP_get_digestbyname(evp), body, len, dig[a]);
	}
}
