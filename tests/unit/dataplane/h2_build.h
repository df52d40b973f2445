/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * h2_build.h - building HTTP/2 byte streams for the tests of http2.c and
 * of the TLS tap: frames (RFC 9113 4.1) and header blocks encoded with
 * libnghttp2's HPACK deflater, appended to a growing buffer.
 */
#ifndef HASHWALL_TESTS_H2_BUILD_H
#define HASHWALL_TESTS_H2_BUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "dataplane/http2.h"

struct h2b {
	uint8_t *p;
	size_t len, cap;
	nghttp2_hd_deflater *def; /* this direction's HPACK encoder */
};

static inline void h2b_init(struct h2b *b)
{
	memset(b, 0, sizeof(*b));
	if (nghttp2_hd_deflate_new(&b->def, 4096) != 0)
		abort();
}

static inline void h2b_free(struct h2b *b)
{
	nghttp2_hd_deflate_del(b->def);
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static inline void h2b_put(struct h2b *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static inline void h2b_preface(struct h2b *b)
{
	h2b_put(b, DP_H2_PREFACE, DP_H2_PREFACE_LEN);
}

static inline void h2b_frame(struct h2b *b, uint8_t type, uint8_t flags, uint32_t sid,
			     const void *payload, uint32_t len)
{
	uint8_t h[9] = { (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, type, flags,
			 (uint8_t)(sid >> 24), (uint8_t)(sid >> 16), (uint8_t)(sid >> 8), (uint8_t)sid };

	h2b_put(b, h, 9);
	h2b_put(b, payload, len);
}

/* The HPACK block of @n name/value pairs (@kv: name, value, name, ...)
 * into @out (at most @cap bytes); returns its length. */
static inline size_t h2b_block(struct h2b *b, const char *const *kv, size_t n, uint8_t *out,
			       size_t cap)
{
	nghttp2_nv nv[32];
	ssize_t r;

	if (n > 32)
		abort();
	for (size_t i = 0; i < n; i++)
		nv[i] = (nghttp2_nv){ (uint8_t *)kv[2 * i], (uint8_t *)kv[2 * i + 1],
				      strlen(kv[2 * i]), strlen(kv[2 * i + 1]), NGHTTP2_NV_FLAG_NONE };
	r = nghttp2_hd_deflate_hd(b->def, out, cap, nv, n);
	if (r < 0)
		abort();
	return (size_t)r;
}

/* A HEADERS frame (END_HEADERS) with @n pairs; @flags adds END_STREAM etc. */
static inline void h2b_headers(struct h2b *b, uint32_t sid, uint8_t flags, const char *const *kv,
			       size_t n)
{
	uint8_t *blk = malloc(1u << 17);
	size_t len;

	if (!blk)
		abort();
	len = h2b_block(b, kv, n, blk, 1u << 17);
	h2b_frame(b, 0x1, (uint8_t)(flags | 0x4), sid, blk, (uint32_t)len);
	free(blk);
}

/* A GET request on @sid. */
static inline void h2b_get(struct h2b *b, uint32_t sid, const char *host, const char *path)
{
	const char *kv[] = { ":method", "GET", ":scheme", "https", ":authority", host,
			     ":path", path, "user-agent", "test" };

	h2b_headers(b, sid, 0x1, kv, 5);
}

/* A response head with @status on @sid (END_STREAM when @end). */
static inline void h2b_status(struct h2b *b, uint32_t sid, const char *status, int end)
{
	const char *kv[] = { ":status", status, "content-type", "application/octet-stream" };

	h2b_headers(b, sid, end ? 0x1 : 0, kv, 2);
}

/* SETTINGS with one parameter (@id 0: empty). */
static inline void h2b_settings(struct h2b *b, uint16_t id, uint32_t v)
{
	uint8_t p[6] = { (uint8_t)(id >> 8), (uint8_t)id, (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	h2b_frame(b, 0x4, 0, 0, p, id ? 6 : 0);
}

/* DATA of @len bytes of @body on @sid, with @pad padding bytes when not 0. */
static inline void h2b_data(struct h2b *b, uint32_t sid, const uint8_t *body, uint32_t len,
			    uint8_t pad, int end)
{
	uint8_t *f = calloc(1, len + pad + 1u);
	uint32_t n = 0;

	if (!f)
		abort();
	if (pad)
		f[n++] = pad;
	memcpy(f + n, body, len);
	n += len + pad;
	h2b_frame(b, 0x0, (uint8_t)((end ? 0x1 : 0) | (pad ? 0x8 : 0)), sid, f, n);
	free(f);
}

#endif
