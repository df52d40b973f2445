/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * utf8.c - UTF-8 validation and code point classes (see utf8.h).
 */
#include "common/utf8.h"

#include <stdio.h>
#include <string.h>

/* RFC 3629, section 4: the second byte's range depends on the first. */
size_t hwall_utf8_next(const char *s, size_t len, uint32_t *ret_cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;
	uint32_t cp;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*ret_cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2, cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3, cp = p[0] & 0x0f;
		lo = p[0] == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
		hi = p[0] == 0xed ? 0x9f : 0xbf; /* no surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4, cp = p[0] & 0x07;
		lo = p[0] == 0xf0 ? 0x90 : 0x80; /* no overlong forms */
		hi = p[0] == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (len < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (i > 1 && (p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	*ret_cp = cp;
	return n;
}

bool hwall_utf8_valid(const char *s, size_t len)
{
	uint32_t cp;

	for (size_t i = 0, n; i < len; i += n) {
		n = hwall_utf8_next(s + i, len - i, &cp);
		if (n == 0)
			return false;
	}
	return true;
}

bool hwall_utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

bool hwall_utf8_is_layout(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

size_t hwall_utf8_escape(const char *s, size_t len, char *out, size_t cap, bool backslash)
{
	size_t o = 0;

	for (size_t i = 0, n; i < len; i += n) {
		char esc[8];
		uint32_t cp = 0;
		int e = 0;

		n = hwall_utf8_next(s + i, len - i, &cp);
		if (n == 0 || cp < 0x20 || cp == 0x7f)
			e = snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)s[i]), n = 1;
		else if (hwall_utf8_is_control(cp) || hwall_utf8_is_layout(cp))
			e = snprintf(esc, sizeof(esc), "\\u%04x", (unsigned int)cp);
		else if (cp == '\\' && backslash)
			e = snprintf(esc, sizeof(esc), "\\\\");
		if (o + (e ? (size_t)e : n) + 1 > cap)
			break;
		memcpy(out + o, e ? esc : s + i, e ? (size_t)e : n);
		o += e ? (size_t)e : n;
	}
	if (cap)
		out[o] = '\0';
	return o;
}
