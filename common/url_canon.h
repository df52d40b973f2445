/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * url_canon.h - the one canonical form of a request target's path and
 * query, so that every spelling of a URL that a server maps to the same
 * object gives the same candidate and the same block key
 * (docs/enforcement.md, "Canonical form").
 *
 * Byte by byte, over the path (up to '?') and, separately, over the query:
 *   - "%XY" (two hex digits, either case) naming an unreserved byte
 *     (ALPHA DIGIT - . _ ~) or '/' is decoded to that byte;
 *   - any other "%XY" is kept with its hex digits upper-cased;
 *   - a '%' not followed by two hex digits is written "%25";
 *   - a byte 0x7f..0xff is written "%XY" (upper-case hex);
 *   - every other byte is kept.
 * So "/%C3%A9.bin", "/%c3%a9.bin" and the raw bytes "/\xc3\xa9.bin" are all
 * "/%C3%A9.bin", "/%41" is "/A", and "/a%2Fb" is "/a/b" (nginx serves the
 * same file for both; where a server keeps them apart, one block covers
 * both).  The output never holds a byte <= 0x20 or >= 0x7f.
 *
 * Header-only and free of libc so that the XDP program
 * (bpf/http_scan.bpf.h), the loader (bpf/bpfw_url.c) and the dataplane's
 * events (through url.h) run this very code.  One step takes one input
 * byte and returns up to 7 output bytes packed little-endian into a word.
 */
#ifndef HASHWALL_COMMON_URL_CANON_H
#define HASHWALL_COMMON_URL_CANON_H

#include <linux/types.h>

#define HWALL_UC_PLAIN 0 /* no escape pending */
#define HWALL_UC_PCT 1   /* after '%' */
#define HWALL_UC_PCT1 2  /* after '%' and one hex digit (hex1) */

/* The state between two bytes; zero-initialised at the start of a part. */
struct hwall_uc {
	__u32 state;
	__u32 hex1; /* the first hex digit as sent, in HWALL_UC_PCT1 */
};

/* Value of hex digit @c, or -1. */
static inline int hwall_uc_hexval(__u32 c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	return -1;
}

/* Upper-case hex digit for a value 0..15. */
static inline __u64 hwall_uc_hexdigit(__u32 v)
{
	return v < 10 ? '0' + v : 'A' + v - 10;
}

/* Whether byte @v is decoded from an escape: unreserved (RFC 3986 2.3) or '/'. */
static inline int hwall_uc_decoded(__u32 v)
{
	return (v >= 'A' && v <= 'Z') || (v >= 'a' && v <= 'z') || (v >= '0' && v <= '9') ||
	       v == '-' || v == '.' || v == '_' || v == '~' || v == '/';
}

/* "%XY" for byte @v, packed. */
static inline __u64 hwall_uc_pct(__u32 v)
{
	return '%' | hwall_uc_hexdigit(v >> 4) << 8 | hwall_uc_hexdigit(v & 15) << 16;
}

/* Byte @b outside an escape: itself, or "%XY" from 0x7f on.  Sets *n. */
static inline __u64 hwall_uc_plain(__u32 b, __u32 *n)
{
	if (b >= 0x7f) {
		*n = 3;
		return hwall_uc_pct(b);
	}
	*n = 1;
	return b;
}

/* "%25" and then the bytes @o (@n of them) after it. */
static inline __u64 hwall_uc_after_pct25(__u64 o, __u32 *n)
{
	__u64 r = '%' | '2' << 8 | '5' << 16 | o << 24;

	*n += 3;
	return r;
}

/*
 * Feed one input byte @b (never a NUL, space or control byte: those end a
 * target).  Returns the output bytes, packed little-endian, and their
 * count (0..7) in *ret_n.
 */
static inline __u64 hwall_uc_step(struct hwall_uc *s, __u32 b, __u32 *ret_n)
{
	__u32 n = 0;
	__u64 o;
	int v;

	b &= 0xff;
	if (s->state == HWALL_UC_PLAIN) {
		if (b == '%') {
			s->state = HWALL_UC_PCT;
			*ret_n = 0;
			return 0;
		}
		return hwall_uc_plain(b, ret_n);
	}
	if (s->state == HWALL_UC_PCT) {
		if (hwall_uc_hexval(b) >= 0) {
			s->hex1 = b;
			s->state = HWALL_UC_PCT1;
			*ret_n = 0;
			return 0;
		}
		/* "%" then not a hex digit: "%25", then @b afresh */
		s->state = b == '%' ? HWALL_UC_PCT : HWALL_UC_PLAIN;
		o = b == '%' ? 0 : hwall_uc_plain(b, &n);
		o = hwall_uc_after_pct25(o, &n);
		*ret_n = n;
		return o;
	}
	v = hwall_uc_hexval(b);
	if (v >= 0) {
		__u32 byte = (__u32)hwall_uc_hexval(s->hex1) << 4 | (__u32)v;

		s->state = HWALL_UC_PLAIN;
		if (hwall_uc_decoded(byte)) {
			*ret_n = 1;
			return byte;
		}
		*ret_n = 3;
		return hwall_uc_pct(byte);
	}
	/* "%X" then not a hex digit: "%25X", then @b afresh */
	s->state = b == '%' ? HWALL_UC_PCT : HWALL_UC_PLAIN;
	o = b == '%' ? 0 : hwall_uc_plain(b, &n);
	o = s->hex1 | o << 8;
	n += 1;
	o = hwall_uc_after_pct25(o, &n);
	*ret_n = n;
	return o;
}

/* End of the part: what an unfinished escape leaves ("%25", "%25X"). */
static inline __u64 hwall_uc_end(struct hwall_uc *s, __u32 *ret_n)
{
	__u32 n = 0;
	__u64 o = 0;

	if (s->state == HWALL_UC_PCT1) {
		o = s->hex1;
		n = 1;
	}
	if (s->state != HWALL_UC_PLAIN)
		o = hwall_uc_after_pct25(o, &n);
	s->state = HWALL_UC_PLAIN;
	*ret_n = n;
	return o;
}

#endif
