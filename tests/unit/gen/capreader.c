/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * capreader.c - see capreader.h.  Deliberately simple and separate from the
 * generator: it shares no code with tests/gen/ so that a bug there cannot
 * hide itself here.
 */
#include "capreader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

/* Ones' complement sum over 16-bit big-endian words (RFC 1071). */
static uint64_t sum16(uint64_t acc, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += rd16(p + i);
	if (i < n)
		acc += (uint64_t)p[i] << 8;
	return acc;
}

static bool sum_ok(uint64_t acc)
{
	while (acc > 0xffff)
		acc = (acc >> 16) + (acc & 0xffff);
	return acc == 0xffff;
}

static struct cr_stream *find_stream(struct cr_capture *c, const uint8_t *key)
{
	for (size_t i = 0; i < c->nstreams; i++)
		if (!memcmp(c->streams[i].key, key, sizeof(c->streams[i].key)))
			return &c->streams[i];
	return NULL;
}

static int stream_put(struct cr_stream *s, uint64_t off, const uint8_t *p, size_t n)
{
	if (off + n > s->cap) {
		size_t cap = s->cap ? s->cap : 65536;
		while (cap < off + n)
			cap *= 2; /* geometric: a stream grows segment by segment */
		uint8_t *d = realloc(s->data, cap), *h = realloc(s->have, cap);
		if (d)
			s->data = d;
		if (h)
			s->have = h;
		if (!d || !h)
			return -ENOMEM;
		memset(s->have + s->cap, 0, cap - s->cap);
		s->cap = cap;
	}
	if (off + n > s->len)
		s->len = off + n;
	for (size_t i = 0; i < n; i++) {
		if (s->have[off + i] && s->data[off + i] != p[i])
			s->conflicts++;
		if (!s->have[off + i])
			s->data[off + i] = p[i];
		s->have[off + i] = 1;
	}
	s->segments++;
	return 0;
}

/* TCP part of a frame: checksum, then the stream bytes of a server segment. */
static int tcp_segment(struct cr_capture *c, int fam, const uint8_t *src, const uint8_t *dst,
		       const uint8_t *t, size_t n, uint64_t now_us)
{
	size_t alen = fam == 6 ? 16 : 4, th;
	uint8_t key[37] = { 0 };
	struct cr_stream *s;
	uint64_t acc = 6 + n;

	acc = sum16(sum16(acc, src, alen), dst, alen);
	if (n < 20 || (th = (size_t)(t[12] >> 4) * 4) < 20 || th > n) {
		c->bad_frames++;
		return 0;
	}
	if (!sum_ok(sum16(acc, t, n)))
		c->bad_tcp_csum++;
	memcpy(key, src, alen);
	memcpy(key + 16, dst, alen);
	memcpy(key + 32, t, 4); /* server port, client port */
	key[36] = (uint8_t)fam;
	s = find_stream(c, key);
	if (!s || (t[13] & 0x02)) /* not a server stream, or its SYN */
		return 0;
	uint64_t off = (uint32_t)(rd32(t + 4) - s->isn - 1);
	if (s->last_us && now_us - s->last_us > s->max_gap_us)
		s->max_gap_us = now_us - s->last_us;
	s->last_us = now_us;
	if (t[13] & 0x01) /* FIN */
		s->fin = off + (n - th);
	if (n > th) {
		c->data_segments++;
		c->flow_switches += c->last && c->last != s;
		c->last = s;
	}
	return n > th ? stream_put(s, off, t + th, n - th) : 0;
}

static int frame(struct cr_capture *c, const uint8_t *p, size_t n, uint64_t now_us)
{
	size_t l2 = 12;
	uint16_t et;

	while (n >= l2 + 2 && ((et = rd16(p + l2)) == 0x8100 || et == 0x88a8)) {
		c->qinq_frames += et == 0x88a8;
		c->vlan_frames += et == 0x8100;
		l2 += 4;
	}
	if (n < l2 + 2)
		goto bad;
	et = rd16(p + l2);
	p += l2 + 2;
	n -= l2 + 2;
	if (et == 0x0800 && n >= 20 && (p[0] >> 4) == 4) {
		size_t hl = (size_t)(p[0] & 15) * 4, tot = rd16(p + 2);
		if (hl < 20 || tot != n || hl > tot || p[9] != 6)
			goto bad;
		if (!sum_ok(sum16(0, p, hl)))
			c->bad_ip_csum++;
		if (rd16(p + 6) & 0x3fff) { /* MF or an offset */
			c->ip_fragments++;
			return 0;
		}
		return tcp_segment(c, 4, p + 12, p + 16, p + hl, tot - hl, now_us);
	}
	if (et == 0x86dd && n >= 40 && (p[0] >> 4) == 6) {
		size_t off = 40;
		uint8_t nh = p[6];
		if (rd16(p + 4) + 40u != n)
			goto bad;
		c->ipv6_frames++;
		if (nh == 44) {
			c->ip_fragments++;
			return 0;
		}
		while ((nh == 0 || nh == 60 || nh == 43) && off + 8 <= n) {
			nh = p[off];
			off += (size_t)(p[off + 1] + 1) * 8;
		}
		if (nh != 6 || off > n)
			goto bad;
		return tcp_segment(c, 6, p + 8, p + 24, p + off, n - off, now_us);
	}
bad:
	c->bad_frames++;
	return 0;
}

static int setup_streams(struct cr_capture *c, const struct cr_flow *flows, size_t n)
{
	c->streams = calloc(n ? n : 1, sizeof(*c->streams));
	if (!c->streams)
		return -ENOMEM;
	c->nstreams = n;
	for (size_t i = 0; i < n; i++) {
		struct cr_stream *s = &c->streams[i];
		memcpy(s->key, flows[i].server, 16);
		memcpy(s->key + 16, flows[i].client, 16);
		s->key[32] = (uint8_t)(flows[i].server_port >> 8);
		s->key[33] = (uint8_t)flows[i].server_port;
		s->key[34] = (uint8_t)(flows[i].client_port >> 8);
		s->key[35] = (uint8_t)flows[i].client_port;
		s->key[36] = (uint8_t)flows[i].family;
		s->isn = flows[i].server_isn;
		s->fin = UINT64_MAX;
	}
	return 0;
}

int cr_read(const char *path, const struct cr_flow *flows, size_t nflows, struct cr_capture *ret)
{
	struct cr_capture c = { 0 };
	uint32_t gh[6], rec[4];
	uint8_t *buf = malloc(262144);
	FILE *f = fopen(path, "rb");
	int err = f && buf ? setup_streams(&c, flows, nflows) : -ENOENT;

	if (!err && (fread(gh, 4, 6, f) != 6 || gh[0] != 0xa1b2c3d4u || (gh[1] & 0xffff) != 2 ||
		     gh[5] != 1))
		err = -EINVAL;
	while (!err && fread(rec, 4, 4, f) == 4) {
		if (rec[2] != rec[3] || rec[2] > 262144 || fread(buf, 1, rec[2], f) != rec[2]) {
			err = -EINVAL;
			break;
		}
		c.packets++;
		err = frame(&c, buf, rec[2], (uint64_t)rec[0] * 1000000u + rec[1]);
	}
	if (!err && !feof(f))
		err = -EINVAL;
	if (f)
		fclose(f);
	free(buf);
	if (err)
		cr_free(&c);
	else
		*ret = c;
	return err;
}

void cr_free(struct cr_capture *c)
{
	for (size_t i = 0; i < c->nstreams; i++) {
		free(c->streams[i].data);
		free(c->streams[i].have);
	}
	free(c->streams);
	memset(c, 0, sizeof(*c));
}

/* Whether bytes [off, off+n) were all captured. */
static bool have(const struct cr_stream *s, uint64_t off, uint64_t n)
{
	if (off + n > s->len)
		return false;
	for (uint64_t i = 0; i < n; i++)
		if (!s->have[off + i])
			return false;
	return true;
}

/* Offset just after the next CRLF from @off, or 0 when none is captured. */
static uint64_t line_end(const struct cr_stream *s, uint64_t off)
{
	for (uint64_t i = off; i + 1 < s->len && s->have[i] && s->have[i + 1]; i++)
		if (s->data[i] == '\r' && s->data[i + 1] == '\n')
			return i + 2;
	return 0;
}

struct cr_head {
	int status;
	long long length; /* -1 when absent */
	bool chunked;
	uint64_t body;    /* offset of the first body byte */
};

static int parse_head(const struct cr_stream *s, uint64_t off, struct cr_head *h)
{
	uint64_t e = line_end(s, off);

	if (!e)
		return -ENODATA;
	if (e - off < 13 || memcmp(s->data + off, "HTTP/1.1 ", 9))
		return -EBADMSG;
	h->status = atoi((const char *)s->data + off + 9);
	h->length = -1;
	h->chunked = false;
	for (off = e; (e = line_end(s, off)) && e - off > 2; off = e) {
		const char *l = (const char *)s->data + off;
		if (!strncasecmp(l, "Content-Length:", 15))
			h->length = atoll(l + 15);
		if (!strncasecmp(l, "Transfer-Encoding:", 18))
			h->chunked = !strncasecmp(l + 18, " chunked", 8);
	}
	if (!e)
		return -ENODATA;
	h->body = e;
	return 0;
}

/* Copy @n captured bytes from @off to the end of @out. */
static int copy_body(const struct cr_stream *s, uint64_t off, uint64_t n, uint8_t *out, size_t *len)
{
	if (!have(s, off, n))
		return -ENODATA;
	memcpy(out + *len, s->data + off, (size_t)n);
	*len += (size_t)n;
	return 0;
}

static int dechunk(const struct cr_stream *s, uint64_t off, uint8_t *out, size_t *len)
{
	for (;;) {
		uint64_t e = line_end(s, off);
		unsigned long long n;
		if (!e)
			return -ENODATA;
		n = strtoull((const char *)s->data + off, NULL, 16);
		off = e;
		if (n == 0)
			break;
		if (copy_body(s, off, n, out, len) < 0 || !have(s, off + n, 2))
			return -ENODATA;
		off += n + 2;
	}
	return 0; /* trailers do not change the body */
}

int cr_response(const struct cr_stream *s, uint64_t off, const char *method, uint8_t **ret_body,
		size_t *ret_len)
{
	struct cr_head h;
	uint8_t *body;
	size_t len = 0;
	int err;

	do {
		err = parse_head(s, off, &h);
		off = h.body;
	} while (!err && h.status < 200);
	if (err)
		return err;
	body = malloc(s->len + 1);
	if (!body)
		return -ENOMEM;
	if (!strcmp(method, "HEAD") || h.status == 204 || h.status == 304)
		err = 0;
	else if (h.chunked)
		err = dechunk(s, off, body, &len);
	else if (h.length >= 0)
		err = copy_body(s, off, (uint64_t)h.length, body, &len);
	else if (s->fin != UINT64_MAX && s->fin >= off)
		err = copy_body(s, off, s->fin - off, body, &len); /* close-delimited */
	else
		err = -ENODATA;
	if (err) {
		free(body);
		return err;
	}
	*ret_body = body;
	*ret_len = len;
	return 0;
}
