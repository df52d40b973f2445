/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http_scan.bpf.h - the HTTP request scanner of the XDP program: method,
 * request target (origin-form and absolute-form), Host header, and the URL
 * key hashes of bpfw_shared.h, 8 bytes per step: one load, SWAR tests
 * for the bytes that end a run, one mix.
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
#include "common/url_canon.h"

#define SCAN_FAIL(r) (-(int)(r) - 1)
#define SCAN_REASON(ret) ((__u32)(-(ret) - 1))
/* Offsets are masked so the verifier sees a bounded packet offset; XDP
 * frames are at most a page, so no real offset is changed by the mask. */
#define SCAN_OFF_MASK 0x3fff

#define REQ_QUERY 1u    /* target has a query: h_full differs from h_path */
#define REQ_USERINFO 2u /* authority had "userinfo@" */
#define REQ_HOST 4u     /* header line was Host */
#define REQ_HDR_END 8u  /* empty line: end of headers */
#define REQ_TAIL 16u    /* path or query scan went on past the request line's tail */
#define REQ_HOST_DONE 32u /* h_host is final (absolute-form, or Host hashed with the tail) */
#define REQ_CANON_MORE 64u /* bpfw_canon_run() stopped after a chunk, not at the run's end */

struct req {
	__u32 lim;    /* end of the TCP payload, offset from ctx->data */
	__u32 flags;  /* REQ_* */
	__u64 h_host; /* H of the lowercased host (bpfw_shared.h) */
	__u64 h_path; /* H of the path before '?' */
	__u64 h_full; /* H of path, '?' and query */
	/* A run handed from the word-wise scan to the canonical byte loop
	 * (url_canon.bpf.h): the hash so far, and the canonical bytes of the
	 * word not yet mixed in (cn of them, in cw). */
	__u64 ch;
	__u64 cw;
	__u32 cn;
	struct hwall_uc uc;
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

/*
 * SWAR tests on a little-endian word: the high bit of each byte that
 * passes.  Only the lowest flagged byte is exact (a borrow may flag bytes
 * above it), which is the one the scanners use.
 */
#define SWAR_ONES 0x0101010101010101ULL
#define SWAR_HIGHS 0x8080808080808080ULL

/* Bytes below @n (n <= 0x80). */
static __always_inline __u64 swar_lt(__u64 x, __u64 n)
{
	return (x - SWAR_ONES * n) & ~x & SWAR_HIGHS;
}

/* Bytes equal to @c. */
static __always_inline __u64 swar_eq(__u64 x, __u64 c)
{
	return swar_lt(x ^ (SWAR_ONES * c), 1);
}

/* Bytes 'A'..'Z' (exact for every byte: no borrows). */
static __always_inline __u64 swar_upper(__u64 x)
{
	__u64 low7 = x & ~SWAR_HIGHS;
	__u64 ge_a = low7 + SWAR_ONES * (0x80 - 'A');
	__u64 gt_z = low7 + SWAR_ONES * (0x80 - 'Z' - 1);

	return ge_a & ~gt_z & ~x & SWAR_HIGHS;
}

/* ASCII lowercase of every byte (bpfw_lower() eight at a time). */
static __always_inline __u64 swar_lower(__u64 x)
{
	return x | (swar_upper(x) >> 2);
}

/* Index (0..7) of the lowest flagged byte of a non-zero mask @m. */
static __always_inline __u32 swar_first(__u64 m)
{
	__u64 below = (m & -m) - 1; /* bytes before it 0xff, its own 0x7f */

	return (__u32)(((below & SWAR_ONES) * SWAR_ONES) >> 56) - 1;
}

/* The bytes of @x before byte @k (0..7), the rest zero. */
static __always_inline __u64 swar_head(__u64 x, __u32 k)
{
	return k ? x & (~0ULL >> (64 - 8 * k)) : 0;
}

/* The word at window index @i, when 8 payload bytes are there. */
static __always_inline int win_word(const struct win *w, __u32 i, __u64 *ret_x)
{
	__u8 *p = w->base + i;

	if (i + 8 > w->avail || (void *)(p + 8) > w->end)
		return -1;
	*ret_x = *(__u64 *)p;
	return 0;
}

/* Method token: 1..BPFW_METHOD_MAX upper-case letters, then a space.
 * Returns the offset of the request target. */
__noinline int bpfw_scan_method(struct xdp_md *ctx, struct req *q, __u32 off)
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

/* bpfw_scan_method() without a call for methods of up to 7 letters (one
 * word of the payload decides them); others go to the byte loop. */
static __always_inline int scan_method(struct xdp_md *ctx, struct req *q, __u32 off)
{
	struct win w;
	__u64 x, other;
	__u32 k;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w) || win_word(&w, 0, &x))
		return bpfw_scan_method(ctx, q, off);
	other = ~swar_upper(x) & SWAR_HIGHS;
	if (!other)
		return bpfw_scan_method(ctx, q, off);
	k = swar_first(other);
	if (k > 0 && ((x >> (8 * k)) & 0xff) == ' ')
		return off + k + 1;
	return SCAN_FAIL(BPFW_R_NOT_REQUEST);
}

/* The ":port" after a host at @off (the ':'), which must end before
 * @left more bytes: returns the offset of the terminator, or the offset
 * after a '@' (the host was userinfo, see below). */
__noinline int bpfw_skip_port(struct xdp_md *ctx, struct req *q, __u32 off, __u32 left)
{
	struct win w;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	for (__u32 i = 0; i < BPFW_HOST_MAX + 8; i++) {
		int c;

		if (i >= left)
			break;
		c = wrd(&w, i);
		if (c <= ' ' || c == '/' || c == '?')
			return c < 0 ? SCAN_FAIL(BPFW_R_HTTP_INCOMPLETE) : (int)(off + i);
		if (c == '@') {
			if (q->flags & REQ_USERINFO)
				return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
			q->flags |= REQ_USERINFO;
			return off + i + 1;
		}
	}
	return SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);
}

/* Whitespace bytes per bpfw_skip_ows() call (the verifier's jump limit). */
#define OWS_CHUNK 256

/* Optional whitespace before a Host header value (RFC 9110 5.6.3: any
 * amount of SP and HTAB), at most OWS_CHUNK bytes of it: the offset of
 * the first other byte, or off + OWS_CHUNK to go on from. */
__noinline int bpfw_skip_ows(struct xdp_md *ctx, struct req *q, __u32 off)
{
	struct win w;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	for (__u32 i = 0; i < OWS_CHUNK; i++) {
		int c = wrd(&w, i);

		if (c != ' ' && c != '\t')
			return (int)(off + i);
	}
	return (int)(off + OWS_CHUNK);
}

/* All the optional whitespace at @off, up to a header line's length. */
static __always_inline int skip_ows(struct xdp_md *ctx, struct req *q, int off)
{
	for (int k = 0; k < BPFW_HDR_SCAN_MAX / OWS_CHUNK && off >= 0; k++) {
		int c = rd(ctx, q, (__u32)off);

		if (c != ' ' && c != '\t')
			return off;
		off = bpfw_skip_ows(ctx, q, (__u32)off);
	}
	return off < 0 ? off : SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);
}

/* The host hash at its end, @n bytes long: h and the unmixed bytes x, or
 * with @dot (its last byte is '.', which is dropped) the hash of the
 * first n - 1 bytes, which the last full word's h_prev and x_prev give
 * when the dot ended a word. */
static __always_inline __u64 host_end(__u64 h, __u64 x, __u64 h_prev, __u64 x_prev, __u32 n,
				      int dot)
{
	__u32 d = n - 1; /* the dot's index */

	if (!dot)
		return (n & 7) ? bpfw_mix(h, x) : h;
	if ((d & 7) == 7)
		return bpfw_mix(h_prev, x_prev & (~0ULL >> 8));
	x &= ~(0xffULL << (8 * (d & 7)));
	return (d & 7) ? bpfw_mix(h, x) : h;
}

/*
 * Host of an absolute-form target or of a Host header value: hashed
 * lowercased into q->h_host, without one trailing dot; an IPv6 literal
 * keeps its brackets, ":port" is skipped.  Returns the offset of the
 * terminator ('/', '?', whitespace).  At userinfo's '@' it sets
 * REQ_USERINFO and returns the offset after it: the caller scans again
 * from there (a second '@' is malformed).  Byte by byte;
 * bpfw_scan_host() takes the common hosts a word at a time.
 */
__noinline int bpfw_scan_host_slow(struct xdp_md *ctx, struct req *q, __u32 off)
{
	__u64 h = BPFW_H_SEED, x = 0, h_prev = 0, x_prev = 0;
	__u32 in_bracket = 0;
	struct win w;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	for (__u32 i = 0; i < BPFW_HOST_MAX + 1; i++) {
		int c = wrd(&w, i);

		if (c <= ' ' || c == '/' || c == '?' || (c == ':' && !in_bracket)) {
			if (c < 0)
				return SCAN_FAIL(BPFW_R_HTTP_INCOMPLETE);
			q->h_host = host_end(h, x, h_prev, x_prev, i, i && wrd(&w, i - 1) == '.');
			return c == ':' ? bpfw_skip_port(ctx, q, off + i, BPFW_HOST_MAX + 8 - i) : (int)(off + i);
		}
		if (c == '@') {
			if (q->flags & REQ_USERINFO)
				return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
			q->flags |= REQ_USERINFO;
			return off + i + 1;
		}
		if (c == '[' && i == 0)
			in_bracket = 1;
		else if (c == ']')
			in_bracket = 0;
		if (i >= BPFW_HOST_MAX)
			return SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);
		x |= (__u64)bpfw_lower((__u8)c) << (8 * (i & 7));
		if ((i & 7) == 7) {
			h_prev = h;
			x_prev = x;
			h = bpfw_mix(h, x);
			x = 0;
		}
	}
	return SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);
}

/*
 * One word @x of a host for the word-wise scan, hashed into *h: returns 8
 * when the host goes on, the index (0..7) of its terminator when it ends
 * in this word, or -1 when the byte-wise scan must decide ('@', ':', '[',
 * a trailing '.', no host byte before the terminator).  @prev is the
 * previous word of the host, 0 for the first.  Same result as
 * bpfw_scan_host_slow() for hosts of letters, digits, '.' and '-'.
 */
static __always_inline int host_word(__u64 x, __u64 prev, __u64 *h)
{
	__u64 stop = swar_lt(x, ' ' + 1) | swar_eq(x, '/') | swar_eq(x, '?');
	__u64 other = swar_eq(x, '@') | swar_eq(x, ':') | swar_eq(x, '[');
	__u32 k;
	int c;

	if (!(stop | other)) {
		*h = bpfw_mix(*h, swar_lower(x));
		return 8;
	}
	k = swar_first(stop | other);
	c = (int)((x >> (8 * k)) & 0xff);
	if (c == '@' || c == ':' || c == '[')
		return -1;
	/* a host ending in '.' (dropped there), or none at all (whitespace
	 * first: the byte-wise scan skips it) */
	if (k == 0)
		return (prev == 0 || (prev >> 56) == '.') ? -1 : 0;
	if (((x >> (8 * k - 8)) & 0xff) == '.')
		return -1;
	*h = bpfw_mix(*h, swar_head(swar_lower(x), k));
	return (int)k;
}

/* The host at window index @v, at most @words words: sets q->h_host and
 * returns the index of its terminator (relative to @v), or -1 when the
 * words or the payload end first or the byte-wise scan must decide. */
static __always_inline int host_words(const struct win *w, struct req *q, __u32 v, __u32 words)
{
	__u64 h = BPFW_H_SEED, x, prev = 0;

	for (__u32 j = 0; j < words; j++) {
		int k;

		if (win_word(w, v + 8 * j, &x))
			break;
		k = host_word(x, prev, &h);
		prev = x;
		if (k < 0)
			break;
		if (k < 8) {
			q->h_host = h;
			return (int)(8 * j) + k;
		}
	}
	return -1;
}

/* bpfw_scan_host_slow() a word at a time for hosts that end within
 * BPFW_HOST_MAX bytes; anything unusual goes to the byte-wise scan. */
__noinline int bpfw_scan_host(struct xdp_md *ctx, struct req *q, __u32 off)
{
	struct win w;
	int r;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	r = host_words(&w, q, 0, BPFW_HOST_MAX / 8);
	return r >= 0 ? (int)off + r : bpfw_scan_host_slow(ctx, q, off);
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

/* hash_run() result: the run goes on at this index in the canonical byte
 * loop (a '%' or a byte >= 0x7f), with its state in q->ch/cw/cn. */
#define RUN_CANON 0x40000000
#define RUN_CANON_AT(r) ((__u32)(r) & ~RUN_CANON)

/* Bytes that the canonical form may change: '%' and 0x7f..0xff. */
static __always_inline __u64 swar_canon(__u64 x)
{
	return swar_eq(x, '%') | swar_eq(x, 0x7f) | (x & SWAR_HIGHS);
}

/* Hand the run to the canonical byte loop at index @i, with the hash @h
 * and the @k bytes of @x before it. */
static __always_inline int run_to_canon(struct req *q, __u64 h, __u64 x, __u32 k, __u32 i)
{
	q->ch = h;
	q->cw = swar_head(x, k);
	q->cn = k;
	return (int)(i | RUN_CANON);
}

/*
 * Hash the window's bytes into *h until a space (or, with @stop_q, a '?'),
 * a word at a time.  Returns the index of that byte, or a failure (end of
 * packet, a control byte, or no end within @max + 7 bytes:
 * BPFW_R_HTTP_TOO_LONG), or RUN_CANON | index of the first byte that the
 * canonical form may change (url_canon.h), from which bpfw_canon_run()
 * goes on.  The last bytes of the packet, fewer than 8, are read one at a
 * time into the last word.
 */
static __always_inline int hash_run(const struct win *w, struct req *q, __u32 max, int stop_q,
				    __u64 *ret_h)
{
	__u64 h = *ret_h;
	int r = SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);

	for (__u32 i = 0; i <= max; i += 8) {
		__u64 x = 0, stop, canon;
		__u32 k;

		if (win_word(w, i, &x)) {
			int done = 0;

#pragma unroll
			for (int j = 0; j < 8 && !done; j++) {
				int c = wrd(w, i + j);

				if (run_end(c, stop_q)) {
					r = run_result(c, stop_q, i + j);
					if (j)
						h = bpfw_mix(h, x);
					done = 1;
				} else if (c == '%' || c >= 0x7f) {
					r = run_to_canon(q, h, x, j, i + j);
					done = 1;
				} else {
					x |= (__u64)c << (8 * j);
				}
			}
			break;
		}
		stop = swar_lt(x, ' ' + 1);
		if (stop_q)
			stop |= swar_eq(x, '?');
		canon = swar_canon(x);
		if (!(stop | canon)) {
			h = bpfw_mix(h, x);
			continue;
		}
		/* the lowest flagged byte of either mask is exact */
		k = swar_first(stop | canon);
		if (canon & (0x80ULL << (8 * k))) {
			r = run_to_canon(q, h, x, k, i + k);
			break;
		}
		if (k)
			h = bpfw_mix(h, swar_head(x, k));
		r = run_result((int)((x >> (8 * k)) & 0xff), stop_q, i + k);
		break;
	}
	*ret_h = h;
	return r;
}

/*
 * hash_run() over a path (bpfw_path_run) or a query (bpfw_query_run) at
 * @off, from and into q->ch.  Functions of their own: the verifier then
 * follows what comes after a run once, not once for each of the loop's
 * exits (the index they return is a plain scalar to the caller).
 */
static __always_inline int run_at(struct xdp_md *ctx, struct req *q, __u32 off, __u32 max,
				  int stop_q)
{
	struct win w;
	__u64 h;
	int r;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	h = q->ch;
	r = hash_run(&w, q, max, stop_q, &h);
	if (r >= 0 && (r & RUN_CANON))
		return r; /* q->ch and the rest set by run_to_canon() */
	q->ch = h;
	return r;
}

__noinline int bpfw_path_run(struct xdp_md *ctx, struct req *q, __u32 off)
{
	return run_at(ctx, q, off, BPFW_PATH_MAX, 1);
}

__noinline int bpfw_query_run(struct xdp_md *ctx, struct req *q, __u32 off)
{
	return run_at(ctx, q, off, BPFW_QUERY_MAX - 1, 0);
}

/* Append the @n (0..7) canonical bytes @o to q's word, mixing it in
 * when it fills. */
static __always_inline void canon_emit(struct req *q, __u64 o, __u32 n)
{
	__u32 cn = q->cn & 7;

	q->cw |= o << (8 * cn);
	if (cn + n < 8) {
		q->cn = cn + n;
		return;
	}
	q->ch = bpfw_mix(q->ch, q->cw);
	q->cw = o >> ((8 * (8 - cn)) & 63);
	q->cn = (cn + n - 8) & 7;
}

/* Input bytes per bpfw_canon_run() call: the verifier follows one call's
 * loop as one path, and a path may take at most 8192 jumps. */
#define CANON_CHUNK 32

/*
 * The canonical byte loop (common/url_canon.h): goes on with the run that
 * hash_run() handed over, at @off, byte by byte until a space (or, with
 * @stop_q, a '?'), for at most @left more input bytes and at most
 * CANON_CHUNK in this call.  At the end of the run it finishes the hash
 * into q->ch and returns the offset of the byte that ended it; after
 * CANON_CHUNK bytes it sets REQ_CANON_MORE and returns the offset to go
 * on from.  Failures as hash_run().
 */
__noinline int bpfw_canon_run(struct xdp_md *ctx, struct req *q, __u32 off, __u32 left,
			      __u32 stop_q)
{
	struct win w;
	__u32 n;
	__u64 o;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	for (__u32 i = 0; i < CANON_CHUNK; i++) {
		int c = wrd(&w, i);

		if (run_end(c, stop_q)) {
			o = hwall_uc_end(&q->uc, &n);
			canon_emit(q, o, n);
			if (q->cn)
				q->ch = bpfw_mix(q->ch, q->cw);
			c = run_result(c, stop_q, i);
			return c < 0 ? c : (int)(off + i);
		}
		if (i >= left)
			return SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);
		o = hwall_uc_step(&q->uc, (__u32)c, &n);
		canon_emit(q, o, n);
	}
	q->flags |= REQ_CANON_MORE;
	return (int)(off + CANON_CHUNK);
}

/* Little-endian words of " HTTP/" (6 bytes), "\r\n" and "host". */
#define TAIL_HTTP 0x2f5054544820ULL
#define TAIL_CRLF 0x0a0dULL
#define TAIL_HOST 0x74736f68ULL

/* A Host value of up to 24 bytes at window index @v, hashed without a
 * loop (sets REQ_HOST_DONE), so the usual request needs no bpfw_scan_host()
 * call; not when the target's authority already gave the host.  Returns
 * @v. */
static __always_inline __u32 request_host(const struct win *w, struct req *q, __u32 v)
{
	if (!(q->flags & REQ_HOST_DONE) && host_words(w, q, v, 3) >= 0)
		q->flags |= REQ_HOST_DONE;
	return v;
}

/*
 * The usual rest of the request line, " HTTP/1.x\r\n", in one step, and
 * with it a "Host:" line right after it (the usual order): returns the
 * offset after the tail (or, with REQ_HOST set, of the Host value as
 * bpfw_header_line() would), or @off when the tail is not there (the header
 * loop then skips whatever the line holds).  Loop-free, so the path and
 * query scans run it at their end (one call less per request).
 */
static __always_inline int request_tail(struct xdp_md *ctx, struct req *q, __u32 off)
{
	struct win w;
	__u64 a, b;
	int c;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	if (win_word(&w, 0, &a) || win_word(&w, 8, &b)) {
		if (wrd(&w, 0) == ' ' && wrd(&w, 1) == 'H' && wrd(&w, 2) == 'T' &&
		    wrd(&w, 3) == 'T' && wrd(&w, 4) == 'P' && wrd(&w, 5) == '/' &&
		    wrd(&w, 9) == '\r' && wrd(&w, 10) == '\n')
			return off + 11;
		return off;
	}
	if ((a & 0xffffffffffffULL) != TAIL_HTTP || ((b >> 8) & 0xffff) != TAIL_CRLF)
		return off;
	if ((((b >> 24) & 0xffffffff) | 0x20202020) != TAIL_HOST || (b >> 56) != ':')
		return off + 11;
	c = wrd(&w, 16);
	q->flags |= REQ_HOST;
	return off + request_host(&w, q, 16 + (c == ' ' || c == '\t'));
}

/* The usual rest of the request line, see request_tail(). */
__noinline int bpfw_request_tail(struct xdp_md *ctx, struct req *q, __u32 off)
{
	return request_tail(ctx, q, off);
}

/* The path's run ended at index @r from @off with the hash @h: see
 * bpfw_scan_path(). */
static __always_inline int path_done(struct xdp_md *ctx, struct req *q, __u32 off, int r, __u64 h,
				     int call)
{
	if (r > BPFW_PATH_MAX)
		return SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);
	if (r < 0)
		return r;
	q->h_path = h;
	q->h_full = h;
	if (rd(ctx, q, off + r) == '?')
		return off + r;
	q->flags |= REQ_TAIL;
	return call ? bpfw_request_tail(ctx, q, off + r) : request_tail(ctx, q, off + r);
}

/* The query's run ended at index @r from @off with the hash @h: see
 * bpfw_scan_query(). */
static __always_inline int query_done(struct xdp_md *ctx, struct req *q, __u32 off, int r, __u64 h,
				      int call)
{
	if (r == SCAN_FAIL(BPFW_R_HTTP_TOO_LONG))
		return off + BPFW_QUERY_MAX;
	if (r < 0)
		return r;
	q->h_full = h;
	q->flags |= REQ_QUERY | REQ_TAIL;
	return call ? bpfw_request_tail(ctx, q, off + r) : request_tail(ctx, q, off + r);
}

/*
 * The rest of a path (@query 0) or query (@query 1) run that started at
 * @off, from index @at on, where hash_run() handed it over: through
 * bpfw_canon_run() chunk by chunk, then as path_done() or query_done().
 * A function of its own so that the verifier follows the scans' other
 * exits without this loop behind each of them.
 */
__noinline int bpfw_canon_finish(struct xdp_md *ctx, struct req *q, __u32 off, __u32 at,
				 __u32 query)
{
	__u32 max = query ? BPFW_QUERY_MAX - 1 : BPFW_PATH_MAX, o;
	int r = SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);

	if (!q)
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	off &= SCAN_OFF_MASK;
	at &= SCAN_OFF_MASK;
	q->uc.state = HWALL_UC_PLAIN;
	o = off + at;
	for (__u32 k = 0; at <= max && k <= BPFW_PATH_MAX / CANON_CHUNK; k++) {
		q->flags &= ~REQ_CANON_MORE;
		r = bpfw_canon_run(ctx, q, o, max - (o - off), !query);
		if (r < 0 || !(q->flags & REQ_CANON_MORE))
			break;
		o = (__u32)r & SCAN_OFF_MASK;
		r = SCAN_FAIL(BPFW_R_HTTP_TOO_LONG);
	}
	if (r >= 0)
		r -= (int)off;
	return query ? query_done(ctx, q, off, r, q->ch, 1) : path_done(ctx, q, off, r, q->ch, 1);
}

/* Path part of the target, up to '?' or the space before the version.  An
 * empty path (absolute-form "http://h" or "http://h?q") hashes as "/".
 * Returns the offset of the '?', or at the space sets REQ_TAIL and returns
 * what request_tail() returns there. */
__noinline int bpfw_scan_path(struct xdp_md *ctx, struct req *q, __u32 off)
{
	struct win w;
	__u64 h = BPFW_H_SEED;
	int r;

	off &= SCAN_OFF_MASK;
	if (win_at(ctx, q, off, &w))
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	/* not '/': the host ended at '?' or a space, the run ends at once */
	if (wrd(&w, 0) != '/')
		h = bpfw_mix(h, '/');
	q->ch = h;
	r = bpfw_path_run(ctx, q, off);
	if (r >= 0 && (r & RUN_CANON))
		return bpfw_canon_finish(ctx, q, off, RUN_CANON_AT(r), 0);
	return path_done(ctx, q, off, r, q->ch, 0);
}

/* '?' and query, continuing h_path into h_full.  A query longer than
 * BPFW_QUERY_MAX - 1 bytes after the '?' leaves REQ_QUERY unset: only the
 * path key is checked.  Returns the offset where it stopped or, at the
 * space, like bpfw_scan_path(). */
__noinline int bpfw_scan_query(struct xdp_md *ctx, struct req *q, __u32 off)
{
	int r;

	off &= SCAN_OFF_MASK;
	if (!q)
		return SCAN_FAIL(BPFW_R_HTTP_MALFORMED);
	q->ch = q->h_path;
	r = bpfw_query_run(ctx, q, off);
	if (r >= 0 && (r & RUN_CANON))
		return bpfw_canon_finish(ctx, q, off, RUN_CANON_AT(r), 1);
	return query_done(ctx, q, off, r, q->ch, 0);
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
__noinline int bpfw_header_line(struct xdp_md *ctx, struct req *q, __u32 off)
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


/*
 * From the rest of the request line through the headers: finds the Host
 * header among the first BPFW_HDR_LINES lines.  Returns the offset of its
 * value, 0 when the headers end without one (HTTP/1.0: empty host), or a
 * failure when neither is seen within this segment.
 */
static __always_inline int find_host(struct xdp_md *ctx, struct req *q, __u32 off)
{
	int r = (q->flags & REQ_TAIL) ? (int)off : bpfw_request_tail(ctx, q, off);

	for (int n = 0; n <= BPFW_HDR_LINES && r >= 0 && !(q->flags & REQ_HOST); n++) {
		r = bpfw_header_line(ctx, q, r);
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
