// SPDX-License-Identifier: GPL-2.0-only
/*
 * http2.c - HTTP/2 frames, HPACK (libnghttp2) and streams to objects
 * (http2.h).  Section numbers are RFC 9113's.
 */
#include "dataplane/http2.h"
#include "dataplane/http_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

enum h2_type {
	H2_DATA = 0x0,
	H2_HEADERS = 0x1,
	H2_PRIORITY = 0x2,
	H2_RST_STREAM = 0x3,
	H2_SETTINGS = 0x4,
	H2_PUSH_PROMISE = 0x5,
	H2_PING = 0x6,
	H2_GOAWAY = 0x7,
	H2_WINDOW_UPDATE = 0x8,
	H2_CONTINUATION = 0x9,
};

#define F_END_STREAM 0x1
#define F_ACK 0x1
#define F_END_HEADERS 0x4
#define F_PADDED 0x8
#define F_PRIORITY 0x20

#define SETTINGS_HEADER_TABLE_SIZE 0x1
#define FRAME_HDR 9u
#define HPACK_DEFAULT_TABLE 4096

/* One stream: its request, then its response object. */
struct h2_stream {
	uint32_t id;          /* 0: free slot */
	struct dp_txn *txn;   /* the request, until the response object takes it */
	struct dp_obj *obj;   /* the response body in flight */
};

/* One direction's frame parser. */
struct h2_dir {
	nghttp2_hd_inflater *inf; /* created at the first header block */
	uint8_t *buf;             /* header block so far, then the current frame's payload */
	uint32_t buf_cap;
	uint32_t blk_len;         /* bytes of the header block being collected */
	uint32_t blk_sid;         /* its stream; 0: no block open */
	uint32_t blk_promised;    /* PUSH_PROMISE: the promised stream */
	bool blk_end_stream;
	uint8_t blk_type;         /* H2_HEADERS or H2_PUSH_PROMISE */
	uint8_t hdr[FRAME_HDR];
	uint8_t hdr_len;
	uint8_t preface;          /* C2S: preface bytes seen */
	uint8_t type, flags;
	uint32_t sid;
	uint32_t flen, fpos;      /* payload length, bytes consumed */
	uint32_t pad;             /* DATA: padding length once read */
};

struct dp_h2_conn {
	struct h2_dir dir[DP_DIR_COUNT];
	bool dead;
	uint32_t n_streams;
	struct h2_stream streams[]; /* lim.max_streams */
};

void dp_h2_limits_default(struct dp_h2_limits *lim)
{
	lim->max_streams = 256;
	lim->max_block = 64u << 10;
	lim->max_header_list = 64u << 10;
	lim->max_table = 64u << 10;
}

void dp_h2_init(struct dp_h2 *h, const struct dp_h2_limits *lim, struct dp_http *http)
{
	if (lim)
		h->lim = *lim;
	else
		dp_h2_limits_default(&h->lim);
	if (h->lim.max_streams == 0)
		h->lim.max_streams = 1;
	h->http = http;
}

struct dp_h2_conn *dp_h2_conn_new(struct dp_h2 *h)
{
	struct dp_h2_conn *c = calloc(1, sizeof(*c) + h->lim.max_streams * sizeof(c->streams[0]));

	if (!c)
		errno = ENOMEM;
	return c;
}

/* ---- streams ---- */

static struct h2_stream *stream_find(struct dp_h2 *h, struct dp_h2_conn *c, uint32_t id)
{
	for (uint32_t i = 0; i < h->lim.max_streams; i++)
		if (c->streams[i].id == id)
			return &c->streams[i];
	return NULL;
}

static void stream_end(struct dp_h2 *h, struct dp_h2_conn *c, struct h2_stream *s,
		       enum dp_drop why, void *owner)
{
	if (s->obj)
		dp_http_obj_end(h->http, s->obj, why, owner); /* also gives back its txn */
	else
		dp_http_txn_free(h->http, s->txn);
	memset(s, 0, sizeof(*s));
	c->n_streams--;
}

void dp_h2_conn_free(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_drop why, void *owner)
{
	if (!c)
		return;
	for (uint32_t i = 0; i < h->lim.max_streams; i++)
		if (c->streams[i].id)
			stream_end(h, c, &c->streams[i], why, owner);
	for (int d = 0; d < DP_DIR_COUNT; d++) {
		if (c->dir[d].inf)
			nghttp2_hd_inflate_del(c->dir[d].inf);
		free(c->dir[d].buf);
	}
	free(c);
}

/* Give the connection up: count @why once, end its objects. */
static int give_up(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_drop why, void *owner)
{
	h->http->ctr->drop[why]++;
	for (uint32_t i = 0; i < h->lim.max_streams; i++)
		if (c->streams[i].id)
			stream_end(h, c, &c->streams[i], DP_DROP_obj_abandoned_conn, owner);
	c->dead = true;
	return -1;
}

/* ---- header blocks ---- */

/* What a decoded header block says. */
struct h2_head {
	struct dp_txn *txn; /* request blocks: filled as fields arrive */
	uint32_t list_size;
	int status;         /* responses: -1 when absent */
	bool have_authority;
	enum dp_drop err;
};

static int parse_status(const uint8_t *v, size_t len)
{
	if (len != 3)
		return -1;
	for (size_t i = 0; i < 3; i++)
		if (v[i] < '0' || v[i] > '9')
			return -1;
	return (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
}

static void on_field(struct dp_h2 *h, struct h2_head *hd, const nghttp2_nv *nv)
{
	struct dp_txn *t = hd->txn;

	hd->list_size += (uint32_t)(nv->namelen + nv->valuelen + 32); /* 6.5.2 */
	if (hd->list_size > h->lim.max_header_list) {
		hd->err = DP_DROP_h2_header_list_too_large;
		return;
	}
	if (nv->namelen == 7 && !memcmp(nv->name, ":status", 7)) {
		hd->status = parse_status(nv->value, nv->valuelen);
		if (hd->status < 100)
			hd->err = DP_DROP_h2_protocol_error;
	}
	if (!t)
		return;
	if (nv->namelen == 7 && !memcmp(nv->name, ":method", 7)) {
		dp_http_copy_str(t->method, sizeof(t->method), (const char *)nv->value, nv->valuelen, NULL);
	} else if (nv->namelen == 5 && !memcmp(nv->name, ":path", 5)) {
		dp_http_copy_str(t->path, sizeof(t->path), (const char *)nv->value, nv->valuelen, &t->path_truncated);
		if (t->path_truncated)
			h->http->ctr->info[DP_INFO_http_path_truncated]++;
	} else if (nv->namelen == 10 && !memcmp(nv->name, ":authority", 10)) {
		dp_http_copy_str(t->host, sizeof(t->host), (const char *)nv->value, nv->valuelen, &t->host_truncated);
		hd->have_authority = true;
	} else if (nv->namelen == 4 && !memcmp(nv->name, "host", 4) && !hd->have_authority) {
		/* 8.3.1: a request without :authority may carry Host */
		dp_http_copy_str(t->host, sizeof(t->host), (const char *)nv->value, nv->valuelen, &t->host_truncated);
	}
}

/* Decode @len bytes of a complete header block with @d's inflater. */
static enum dp_drop inflate_block(struct dp_h2 *h, struct h2_dir *d, const uint8_t *in,
				  size_t len, struct h2_head *hd)
{
	if (!d->inf && nghttp2_hd_inflate_new(&d->inf) != 0)
		return DP_DROP_http_no_memory;
	for (;;) {
		nghttp2_nv nv;
		int flags = 0;
		ssize_t n = nghttp2_hd_inflate_hd2(d->inf, &nv, &flags, in, len, 1);

		if (n < 0)
			return n == NGHTTP2_ERR_NOMEM ? DP_DROP_http_no_memory : DP_DROP_h2_hpack_error;
		in += n;
		len -= (size_t)n;
		if (flags & NGHTTP2_HD_INFLATE_EMIT)
			on_field(h, hd, &nv);
		if (hd->err != DP_DROP_COUNT)
			return hd->err; /* the inflater's state is lost with the connection */
		if (flags & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(d->inf);
			return DP_DROP_COUNT;
		}
		if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && len == 0)
			return DP_DROP_h2_hpack_error; /* 4.3: a block must decode whole */
	}
}

/* A request block on stream @sid (HEADERS from the client, or a
 * PUSH_PROMISE's promised stream): a new stream with its request. */
static enum dp_drop open_stream(struct dp_h2 *h, struct dp_h2_conn *c, struct h2_dir *d,
				uint32_t sid, const uint8_t *blk, uint32_t len, void *owner)
{
	struct h2_head hd = { .status = -1, .err = DP_DROP_COUNT };
	struct h2_stream *s = NULL;
	enum dp_drop r;

	if (stream_find(h, c, sid)) /* the client's trailers: decoded for HPACK's sake */
		return inflate_block(h, d, blk, len, &hd);
	hd.txn = dp_http_txn_new(h->http);
	if (!hd.txn)
		return DP_DROP_http_no_memory;
	r = inflate_block(h, d, blk, len, &hd);
	if (r == DP_DROP_COUNT && !(s = stream_find(h, c, 0)))
		r = DP_DROP_h2_too_many_streams;
	if (r != DP_DROP_COUNT || !s) {
		dp_http_txn_free(h->http, hd.txn);
		return r;
	}
	if (hd.txn->host_truncated)
		h->http->ctr->info[DP_INFO_http_host_truncated]++;
	hd.txn->head = strcmp(hd.txn->method, "HEAD") == 0;
	s->id = sid;
	s->txn = hd.txn;
	c->n_streams++;
	h->http->ctr->info[DP_INFO_http_requests]++;
	h->http->ctr->info[DP_INFO_h2_streams]++;
	if (h->http->request_fn)
		h->http->request_fn(h->http->request_ctx, owner, s->txn);
	return DP_DROP_COUNT;
}

/* A response block (or trailers) on stream @sid from the server. */
static enum dp_drop response_block(struct dp_h2 *h, struct dp_h2_conn *c, struct h2_dir *d,
				   uint32_t sid, const uint8_t *blk, uint32_t len, bool end,
				   void *owner)
{
	struct h2_head hd = { .status = -1, .err = DP_DROP_COUNT };
	struct h2_stream *s = stream_find(h, c, sid);
	enum dp_drop r = inflate_block(h, d, blk, len, &hd);

	if (r != DP_DROP_COUNT || !s)
		return r; /* a stream we do not follow (no request seen): decoded, skipped */
	if (!s->obj && hd.status >= 200) {
		h->http->ctr->info[DP_INFO_http_responses]++;
		if (end || (s->txn && s->txn->head)) {
			h->http->ctr->info[DP_INFO_http_no_body]++;
		} else if ((s->obj = dp_http_obj_new(h->http)) != NULL) {
			s->obj->txn = s->txn;
			s->txn = NULL;
			s->obj->status = (uint16_t)hd.status;
			s->obj->partial = hd.status == 206;
		} else {
			h->http->ctr->drop[DP_DROP_http_no_memory]++;
		}
	}
	if (end)
		stream_end(h, c, s, DP_DROP_COUNT, owner);
	return DP_DROP_COUNT;
}

static enum dp_drop block_done(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_dir dir,
			       void *owner)
{
	struct h2_dir *d = &c->dir[dir];
	uint32_t sid = d->blk_type == H2_PUSH_PROMISE ? d->blk_promised : d->blk_sid;
	enum dp_drop r;

	if (dir == DP_DIR_C2S || d->blk_type == H2_PUSH_PROMISE)
		r = open_stream(h, c, d, sid, d->buf, d->blk_len, owner);
	else
		r = response_block(h, c, d, sid, d->buf, d->blk_len, d->blk_end_stream, owner);
	d->blk_len = 0;
	d->blk_sid = 0;
	return r;
}

/* ---- frames ---- */

/* 6.5.2: the peer's HEADER_TABLE_SIZE bounds the other side's encoder. */
static enum dp_drop on_settings(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_dir dir)
{
	struct h2_dir *d = &c->dir[dir], *other = &c->dir[dir == DP_DIR_C2S ? DP_DIR_S2C : DP_DIR_C2S];

	if (d->flags & F_ACK)
		return d->flen == 0 ? DP_DROP_COUNT : DP_DROP_h2_protocol_error;
	if (d->flen % 6)
		return DP_DROP_h2_protocol_error;
	for (uint32_t i = 0; i < d->flen; i += 6) {
		const uint8_t *p = d->buf + d->blk_len + i;
		uint16_t id = (uint16_t)(p[0] << 8 | p[1]);
		uint32_t v = (uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 8 | p[5];

		if (id != SETTINGS_HEADER_TABLE_SIZE)
			continue;
		if (v > h->lim.max_table)
			return DP_DROP_h2_hpack_table_too_large;
		if (!other->inf && nghttp2_hd_inflate_new(&other->inf) != 0)
			return DP_DROP_http_no_memory;
		if (nghttp2_hd_inflate_change_table_size(other->inf, v) != 0)
			return DP_DROP_h2_hpack_error;
	}
	return DP_DROP_COUNT;
}

/* Check a frame header (4.1, 6.x) and set up its payload. */
static enum dp_drop frame_start(struct h2_dir *d)
{
	const uint8_t *b = d->hdr;
	bool on_stream0;

	d->flen = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
	d->type = b[3];
	d->flags = b[4];
	d->sid = ((uint32_t)b[5] << 24 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 8 | b[8]) & 0x7fffffffu;
	d->fpos = 0;
	d->pad = 0;
	on_stream0 = d->sid == 0;
	if (d->blk_sid && (d->type != H2_CONTINUATION || d->sid != d->blk_sid))
		return DP_DROP_h2_protocol_error; /* 6.10: nothing between a block's frames */
	switch (d->type) {
	case H2_DATA: case H2_HEADERS: case H2_PRIORITY: case H2_RST_STREAM: case H2_PUSH_PROMISE:
		if (on_stream0)
			return DP_DROP_h2_protocol_error;
		break;
	case H2_CONTINUATION:
		if (!d->blk_sid)
			return DP_DROP_h2_protocol_error;
		break;
	case H2_SETTINGS: case H2_PING: case H2_GOAWAY:
		if (!on_stream0)
			return DP_DROP_h2_protocol_error;
		break;
	default:
		break;
	}
	if ((d->type == H2_RST_STREAM || d->type == H2_WINDOW_UPDATE) && d->flen != 4)
		return DP_DROP_h2_protocol_error;
	if ((d->type == H2_PING && d->flen != 8) || (d->type == H2_PRIORITY && d->flen != 5))
		return DP_DROP_h2_protocol_error;
	if ((d->type == H2_GOAWAY && d->flen < 8) || (d->type == H2_DATA && (d->flags & F_PADDED) && d->flen < 1))
		return DP_DROP_h2_protocol_error;
	return DP_DROP_COUNT;
}

/* Whether a frame's payload is kept until the frame ends. */
static bool buffered(uint8_t type)
{
	return type == H2_HEADERS || type == H2_CONTINUATION || type == H2_PUSH_PROMISE ||
	       type == H2_SETTINGS || type == H2_RST_STREAM;
}

static enum dp_drop buf_append(struct dp_h2 *h, struct h2_dir *d, const uint8_t *p, uint32_t n)
{
	uint32_t need = d->blk_len + d->fpos + n;

	if (need > h->lim.max_block)
		return DP_DROP_h2_block_too_large;
	if (need > d->buf_cap) {
		uint32_t cap = d->buf_cap ? d->buf_cap : 1024;
		uint8_t *nb;

		while (cap < need)
			cap *= 2;
		if (cap > h->lim.max_block)
			cap = h->lim.max_block;
		if (!(nb = realloc(d->buf, cap)))
			return DP_DROP_http_no_memory;
		d->buf = nb;
		d->buf_cap = cap;
	}
	memcpy(d->buf + d->blk_len + d->fpos, p, n);
	return DP_DROP_COUNT;
}

/* The header block fragment of the HEADERS/PUSH_PROMISE/CONTINUATION
 * frame just buffered after blk_len: strip padding and priority (6.2,
 * 6.6) and append it to the block. */
static enum dp_drop add_fragment(struct h2_dir *d)
{
	uint8_t *f = d->buf + d->blk_len;
	uint32_t pre = 0, pad = 0;

	if (d->type != H2_CONTINUATION && (d->flags & F_PADDED)) {
		if (d->flen < 1)
			return DP_DROP_h2_protocol_error;
		pad = f[0];
		pre = 1;
	}
	if (d->type == H2_HEADERS && (d->flags & F_PRIORITY))
		pre += 5;
	if (d->type == H2_PUSH_PROMISE) {
		if (d->flen < pre + 4)
			return DP_DROP_h2_protocol_error;
		d->blk_promised = ((uint32_t)f[pre] << 24 | (uint32_t)f[pre + 1] << 16 |
				   (uint32_t)f[pre + 2] << 8 | f[pre + 3]) & 0x7fffffffu;
		pre += 4;
	}
	if ((uint64_t)pre + pad > d->flen)
		return DP_DROP_h2_protocol_error;
	memmove(f, f + pre, d->flen - pre - pad);
	if (d->type != H2_CONTINUATION) {
		d->blk_sid = d->sid;
		d->blk_type = d->type;
		d->blk_end_stream = d->type == H2_HEADERS && (d->flags & F_END_STREAM);
	}
	d->blk_len += d->flen - pre - pad;
	return DP_DROP_COUNT;
}

static enum dp_drop frame_done(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_dir dir, void *owner)
{
	struct h2_dir *d = &c->dir[dir];
	struct h2_stream *s;
	enum dp_drop r = DP_DROP_COUNT;

	d->hdr_len = 0;
	switch (d->type) {
	case H2_HEADERS: case H2_PUSH_PROMISE: case H2_CONTINUATION:
		r = add_fragment(d);
		if (r == DP_DROP_COUNT && (d->flags & F_END_HEADERS))
			r = block_done(h, c, dir, owner);
		break;
	case H2_SETTINGS:
		r = on_settings(h, c, dir);
		break;
	case H2_RST_STREAM:
		if ((s = stream_find(h, c, d->sid)))
			stream_end(h, c, s, DP_DROP_obj_h2_reset, owner);
		break;
	case H2_DATA:
		if (d->flags & F_END_STREAM && dir == DP_DIR_S2C && (s = stream_find(h, c, d->sid)))
			stream_end(h, c, s, DP_DROP_COUNT, owner);
		break;
	default:
		break;
	}
	/* An idle connection keeps no large buffer (many idle connections
	 * must not each hold a header block's worth). */
	if (d->blk_len == 0 && d->buf_cap > 4096) {
		free(d->buf);
		d->buf = NULL;
		d->buf_cap = 0;
	}
	return r;
}

/* @n payload bytes of a DATA frame at payload position d->fpos: the pad
 * length byte, body bytes, padding (6.1). */
static enum dp_drop data_bytes(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_dir dir,
			       const uint8_t *p, uint32_t n)
{
	struct h2_dir *d = &c->dir[dir];
	uint32_t pos = d->fpos, pre = (d->flags & F_PADDED) ? 1 : 0, end, take;
	struct h2_stream *s;

	if (pre && pos == 0) {
		d->pad = p[0];
		if (d->pad > d->flen - 1)
			return DP_DROP_h2_protocol_error;
		p++;
		n--;
		pos++;
	}
	end = d->flen - d->pad;
	take = pos < end ? (end - pos < n ? end - pos : n) : 0;
	if (take && dir == DP_DIR_S2C && (s = stream_find(h, c, d->sid)) && s->obj)
		dp_http_obj_body(h->http, s->obj, p, take);
	return DP_DROP_COUNT;
}

/* @p/@len of the current frame's payload; returns bytes used or -1. */
static int64_t payload(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_dir dir, const uint8_t *p,
		       uint32_t len, enum dp_drop *ret_err, void *owner)
{
	struct h2_dir *d = &c->dir[dir];
	uint32_t n = d->flen - d->fpos < len ? d->flen - d->fpos : len;
	enum dp_drop r = DP_DROP_COUNT;

	if (n && d->type == H2_DATA)
		r = data_bytes(h, c, dir, p, n);
	else if (n && buffered(d->type))
		r = buf_append(h, d, p, n);
	d->fpos += n;
	if (r == DP_DROP_COUNT && d->fpos == d->flen)
		r = frame_done(h, c, dir, owner);
	*ret_err = r;
	return r == DP_DROP_COUNT ? (int64_t)n : -1;
}

int dp_h2_data(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_dir dir, const uint8_t *p,
	       uint32_t len, void *owner)
{
	struct h2_dir *d = &c->dir[dir];
	enum dp_drop err = DP_DROP_COUNT;

	if (c->dead)
		return -1;
	while (len > 0) {
		uint32_t n;

		if (dir == DP_DIR_C2S && d->preface < DP_H2_PREFACE_LEN) { /* 3.4 */
			n = DP_H2_PREFACE_LEN - d->preface < len ? DP_H2_PREFACE_LEN - d->preface : len;
			if (memcmp(p, &DP_H2_PREFACE[d->preface], n))
				return give_up(h, c, DP_DROP_h2_protocol_error, owner);
			d->preface += (uint8_t)n;
		} else if (d->hdr_len < FRAME_HDR) {
			n = FRAME_HDR - d->hdr_len < len ? FRAME_HDR - d->hdr_len : len;
			memcpy(d->hdr + d->hdr_len, p, n);
			d->hdr_len += (uint8_t)n;
			if (d->hdr_len == FRAME_HDR && (err = frame_start(d)) == DP_DROP_COUNT &&
			    d->flen == 0)
				err = frame_done(h, c, dir, owner);
			if (err != DP_DROP_COUNT)
				return give_up(h, c, err, owner);
		} else {
			int64_t used = payload(h, c, dir, p, len, &err, owner);

			if (used < 0)
				return give_up(h, c, err, owner);
			n = (uint32_t)used;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int dp_h2_gap(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_dir dir, uint32_t len, void *owner)
{
	struct h2_dir *d = &c->dir[dir];
	struct h2_stream *s;
	uint32_t body_end;

	if (c->dead)
		return -1;
	body_end = d->flen - d->pad;
	/* only inside the body bytes of a DATA frame whose pad length is known */
	if (d->hdr_len < FRAME_HDR || d->type != H2_DATA || ((d->flags & F_PADDED) && d->fpos == 0) ||
	    d->fpos >= body_end || len > body_end - d->fpos)
		return give_up(h, c, DP_DROP_h2_gap_in_frame, owner);
	if (dir == DP_DIR_S2C && (s = stream_find(h, c, d->sid)) && s->obj)
		s->obj->holes = true;
	d->fpos += len;
	if (d->fpos == d->flen && frame_done(h, c, dir, owner) != DP_DROP_COUNT)
		return give_up(h, c, DP_DROP_h2_protocol_error, owner);
	return 0;
}
