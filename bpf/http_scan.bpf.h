/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http_scan.bpf.h - the HTTP request scanner of the XDP program: method,
 * request target (origin-form and absolute-form), Host header, and the URL
 * key hashes of bpfw_shared.h.
 *
 * Each loop is its own global (non-static, __noinline) BPF function.  The
 * verifier checks a global function once with an unknown start offset, so
 * the loops do not multiply each other's states (a chain of plain loops
 * would: every exit offset of one loop is a distinct state for the next).
 * Functions return the offset (from ctx->data) where they stopped, or
 * SCAN_FAIL(reason) with a BPFW_R_* counter reason.
 */
#ifndef HASHWALL_BPF_HTTP_SCAN_BPF_H
#define HASHWALL_BPF_HTTP_SCAN_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpfw_shared.h"

#define SCAN_FAIL(r) (-(int)(r) - 1)
#define SCAN_REASON(ret) ((__u32)(-(ret) - 1))
/* Offsets are masked so the verifier sees a bounded packet offset; XDP
 * frames are at most a page, so no real offset is changed by the mask. */
#define SCAN_OFF_MASK 0x3fff

#define REQ_QUERY 1u    /* target has a query: h_full differs from h_path */
#define REQ_USERINFO 2u /* authority had "userinfo@" */
#define REQ_HOST 4u     /* header line was Host */
#define REQ_HDR_END 8u  /* empty line: end of headers */

struct req {
	__u32 lim;    /* end of the TCP payload, offset from ctx->data */
	__u32 flags;  /* REQ_* */
	__u64 h_host; /* FNV-1a of the lowercased host */
	__u64 h_path; /* FNV-1a of the path before '?' */
	__u64 h_full; /* FNV-1a of path, '?' and query */
};

/* Byte at @off, or -1 past the payload or the packet. */
static __always_inline int rd(struct xdp_md *ctx, const struct req *q, __u32 off)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *p;

	if (off >= q->lim)
		return -1;
	p = data + (off & SCAN_OFF_MASK);
	if ((void *)(p + 1) > end)
		return -1;
	return *p;
}

/* A window on the payload from one offset on, set up once per scanning
 * function so the per-byte test is two compares and a load. */
struct win {
	__u8 *base;
	void *end;
	__u32 avail; /* payload bytes from base on */
};

static __always_inline int win_at(struct xdp_md *ctx, const struct req *q, __u32 off,
				  struct win *w)
{
	if (!q)
		return -1; /* global functions must check their pointers */
	off &= SCAN_OFF_MASK;
	w->base = (__u8 *)(long)ctx->data + off;
	w->end = (void *)(long)ctx->data_end;
	w->avail = q->lim > off ? q->lim - off : 0;
	return 0;
}

/* Byte @i of the window, or -1 past the payload or the packet. */
static __always_inline int wrd(const struct win *w, __u32 i)
{
	__u8 *p = w->base + i;

	if (i >= w->avail || (void *)(p + 1) > w->end)
		return -1;
	return *p;
}

/* Method token: 1..BPFW_METHOD_MAX upper-case letters, then a space.
 * Returns the offset of the request target. */
__noinline int hw_scan_method(struct xdp_md *ctx, struct req *q, __u32 off)
{
	struct win w;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_NOT_REQUEST);
	for (__u32 i = 0; i <= BPFW_METHOD_MAX; i++) {
		int c = wrd(&w, i);

		if (c < 0)
			return SCAN_FAIL(i ? BPFW_R_HTTP_INCOMPLETE : BPFW_R_NOT_REQUEST);
		if (c == ' ' && i > 0)
			return off + i + 1;
		if (c < 'A' || c > 'Z')
			return SCAN_FAIL(BPFW_R_NOT_REQUEST);
	}
	return SCAN_FAIL(BPFW_R_NOT_REQUEST);
}

/*
 * Host of an absolute-form target or of a Host header value: hashed
 * lowercased into q->h_host; an IPv6 literal keeps its brackets, ":port"
 * is skipped.  Returns the offset of the terminator ('/', '?', whitespace).
 * At userinfo's '@' it sets REQ_USERINFO and returns the offset after it:
 * the caller scans again from there (a second '@' is malformed).
 */
__noinline int hw_scan_host(struct xdp_md *ctx, struct req *q, __u32 off)
{
	struct win w;
	__u64 h = BPFW_FNV_BASIS;
	__u32 in_port = 0, in_bracket = 0;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	for (__u32 i = 0; i < BPFW_HOST_MAX + 8; i++) {
		int c = wrd(&w, i);

		if (c <= ' ' || c == '/' || c == '?') {
			if (c < 0)
				return SCAN_FAIL(BPFW_R_HTTP_INCOMPLETE);
			q->h_host = h;
			return off + i;
		}
		if (c == '@') {
			if (q->flags & REQ_USERINFO)
				return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
			q->flags |= REQ_USERINFO;
			return off + i + 1;
		}
		if (in_port)
			continue;
		if (c == '[' && i == 0)
			in_bracket = 1;
		else if (c == ']')
			in_bracket = 0;
		else if (c == ':' && !in_bracket) {
			in_port = 1;
			continue;
		}
		if (i >= BPFW_HOST_MAX)
			return SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);
		h = bpfw_fnv_step(h, bpfw_lower((__u8)c));
	}
	return SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);
}

/* Whether @c ends a run of hashed bytes: end of packet (-1), controls and
 * space all sort at or below ' ', so one compare covers them. */
static __always_inline int run_end(int c, int stop_q)
{
	return c <= ' ' || (stop_q && c == '?');
}

/* The result for the byte @c that ended a run at index @i. */
static __always_inline int run_result(int c, int stop_q, __u32 i)
{
	if (c == ' ' || (stop_q && c == '?'))
		return i;
	return SCAN_FAIL(c < 0 ? BPFW_R_HTTP_INCOMPLETE : BPFW_R_HTTP_MALFORMED);
}

/*
 * Hash the window's bytes into *h until a space (or, with @stop_q, a '?').
 * Returns the index of that byte, or a failure (end of packet, a control
 * byte, or no end within @max + 7 bytes: BPFW_R_HTTP_TOO_LONG).  While 8
 * more bytes are in the packet they are read without a check each.
 */
static __always_inline int hash_run(const struct win *w, __u32 max, int stop_q,
				    __u64 *ret_h)
{
	__u64 h = *ret_h;
	int r = SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);

	for (__u32 i = 0; i <= max; i += 8) {
		__u8 *p = w->base + i;
		int done = 0;

		if (i + 8 > w->avail || (void *)(p + 8) > w->end) {
			/* fewer than 8 bytes left: one at a time, ends here */
#pragma unroll
			for (int k = 0; k < 8 && !done; k++) {
				int c = wrd(w, i + k);

				if (run_end(c, stop_q)) {
					r = run_result(c, stop_q, i + k);
					done = 1;
				} else {
					h = bpfw_fnv_step(h, (__u8)c);
				}
			}
			break;
		}
#pragma unroll
		for (int k = 0; k < 8 && !done; k++) {
			int c = p[k];

			if (run_end(c, stop_q)) {
				r = run_result(c, stop_q, i + k);
				done = 1;
			} else {
				h = bpfw_fnv_step(h, (__u8)c);
			}
		}
		if (done)
			break;
	}
	*ret_h = h;
	return r;
}

/* Path part of the target, up to '?' or the space before the version.  An
 * empty path (absolute-form "http://h" or "http://h?q") hashes as "/".
 * Returns the offset of the '?' or the space. */
__noinline int hw_scan_path(struct xdp_md *ctx, struct req *q, __u32 off)
{
	struct win w;
	__u64 h = BPFW_FNV_BASIS;
	int r;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	if (wrd(&w, 0) != '/')
		h = bpfw_fnv_step(h, '/');
	r = hash_run(&w, BPFW_PATH_MAX, 1, &h);
	if (r > BPFW_PATH_MAX)
		return SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);
	if (r < 0)
		return r;
	q->h_path = h;
	q->h_full = h;
	return off + r;
}

/* '?' and query, continuing h_path into h_full.  A query longer than
 * BPFW_QUERY_MAX leaves REQ_QUERY unset: only the path key is checked.
 * Returns the offset where it stopped.  (Byte by byte: queries are rarer
 * than paths, and the 8-byte loop of hash_run() costs verifier states.) */
__noinline int hw_scan_query(struct xdp_md *ctx, struct req *q, __u32 off)
{
	struct win w;
	__u64 h;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	h = q->h_path;
	for (__u32 i = 0; i < BPFW_QUERY_MAX; i++) {
		int c = wrd(&w, i);

		if (run_end(c, 0)) {
			if (c != ' ')
				return run_result(c, 0, i);
			q->h_full = h;
			q->flags |= REQ_QUERY;
			return off + i;
		}
		h = bpfw_fnv_step(h, (__u8)c);
	}
	return off + BPFW_QUERY_MAX;
}


/* Whether the line at @off starts with "Host:" (any case). */
static __always_inline int is_host_line(struct xdp_md *ctx, struct req *q, __u32 off)
{
	return (rd(ctx, q, off) | 0x20) == 'h' && (rd(ctx, q, off + 1) | 0x20) == 'o' &&
	       (rd(ctx, q, off + 2) | 0x20) == 's' && (rd(ctx, q, off + 3) | 0x20) == 't' &&
	       rd(ctx, q, off + 4) == ':';
}

/*
 * One header line at @off (or the rest of the request line).  For an empty
 * line (end of headers) it sets REQ_HDR_END; for a Host line it sets
 * REQ_HOST and returns the offset of the value (after optional
 * whitespace); otherwise it returns the offset of the next line.
 */
__noinline int hw_header_line(struct xdp_md *ctx, struct req *q, __u32 off)
{
	struct win w;
	int c;

	if (!q)
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	off &= SCAN_OFF_MASK;
	c = rd(ctx, q, off);
	if (c == '\r' || c == '\n') {
		q->flags |= REQ_HDR_END;
		return off;
	}
	if (is_host_line(ctx, q, off)) {
		off += 5;
		c = rd(ctx, q, off);
		q->flags |= REQ_HOST;
		return off + (c == ' ' || c == '\t');
	}
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	for (__u32 i = 0; i < BPFW_HDR_SCAN_MAX; i++) {
		c = wrd(&w, i);
		if (c < 0)
			return SCAN_FAIL(BPFW_R_HTTP_INCOMPLETE);
		if (c == '\n')
			return off + i + 1;
	}
	return SCAN_FAIL(BPFW_R_HTTP_INCOMPLETE);
}

/* The usual rest of the request line, " HTTP/1.x\r\n", in one step:
 * returns the offset after it, or @off when it is not there (the header
 * loop then skips whatever the line holds).  Its own global function so
 * the verifier does not carry these compares into the header loop. */
__noinline int hw_request_tail(struct xdp_md *ctx, struct req *q, __u32 off)
{
	struct win w;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	if (wrd(&w, 0) == ' ' && wrd(&w, 1) == 'H' && wrd(&w, 2) == 'T' && wrd(&w, 3) == 'T' &&
	    wrd(&w, 4) == 'P' && wrd(&w, 5) == '/' && wrd(&w, 9) == '\r' && wrd(&w, 10) == '\n')
		return off + 11;
	return off;
}

/*
 * From the rest of the request line through the headers: finds the Host
 * header among the first BPFW_HDR_LINES lines.  Returns the offset of its
 * value, 0 when the headers end without one (HTTP/1.0: empty host), or a
 * failure when neither is seen within this segment.
 */
static __always_inline int find_host(struct xdp_md *ctx, struct req *q, __u32 off)
{
	int r = hw_request_tail(ctx, q, off);

	for (int n = 0; n <= BPFW_HDR_LINES && r >= 0; n++) {
		r = hw_header_line(ctx, q, r);
		if (r < 0 || (q->flags & (REQ_HOST | REQ_HDR_END)))
			break;
	}
	if (r < 0)
		return r;
	if (q->flags & REQ_HOST)
		return r;
	return (q->flags & REQ_HDR_END) ? 0 : SCAN_FAIL(BPFW_R_HTTP_INCOMPLETE);
}

#endif
