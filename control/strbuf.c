/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * strbuf.c - growable text buffer (see strbuf.h).
 */
#include "control/strbuf.h"
#include "common/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(struct ctl_sb *sb, size_t more)
{
	size_t cap;
	char *p;

	if (sb->failed)
		return false;
	if (sb->len + more + 1 <= sb->cap)
		return true;
	cap = sb->cap ? sb->cap : 4096;
	while (cap < sb->len + more + 1)
		cap *= 2;
	p = realloc(sb->buf, cap);
	if (!p) {
		sb->failed = true;
		return false;
	}
	sb->buf = p;
	sb->cap = cap;
	return true;
}

void ctl_sb_printf(struct ctl_sb *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

bool ctl_csv_formula(const char *s)
{
	return s[0] && strchr("=+-@\t\r", s[0]);
}

void ctl_sb_csv(struct ctl_sb *sb, const char *s, bool first)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), k;
	uint32_t cp;

	/* at most 3 bytes out per byte in ("" for ", %XX for a stray byte),
	 * and the quote that neutralises a formula */
	if (!reserve(sb, 3 * n + 4))
		return;
	if (!first)
		sb->buf[sb->len++] = ',';
	sb->buf[sb->len++] = '"';
	/* OWASP, "CSV Injection": a quote in front makes the cell text */
	if (ctl_csv_formula(s))
		sb->buf[sb->len++] = '\'';
	for (size_t i = 0; i < n; i += k) {
		k = hwall_utf8_next(s + i, n - i, &cp);
		if (k == 0) {
			sb->buf[sb->len++] = '%';
			sb->buf[sb->len++] = hex[(unsigned char)s[i] >> 4];
			sb->buf[sb->len++] = hex[(unsigned char)s[i] & 15];
			k = 1;
			continue;
		}
		if (s[i] == '"')
			sb->buf[sb->len++] = '"';
		memcpy(sb->buf + sb->len, s + i, k);
		sb->len += k;
	}
	sb->buf[sb->len++] = '"';
	sb->buf[sb->len] = '\0';
}

char *ctl_sb_take(struct ctl_sb *sb, size_t *ret_len)
{
	char *p;

	if (sb->failed || !reserve(sb, 0)) {
		free(sb->buf);
		sb->buf = NULL;
		return NULL;
	}
	p = sb->buf;
	*ret_len = sb->len;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}
