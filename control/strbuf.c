/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * strbuf.c - growable text buffer (see strbuf.h).
 */
#include "control/strbuf.h"

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
	size_t n = strlen(s);

	if (!reserve(sb, 2 * n + 4))
		return;
	if (!first)
		sb->buf[sb->len++] = ',';
	sb->buf[sb->len++] = '"';
	/* OWASP, "CSV Injection": a quote in front makes the cell text */
	if (ctl_csv_formula(s))
		sb->buf[sb->len++] = '\'';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			sb->buf[sb->len++] = '"';
		sb->buf[sb->len++] = s[i];
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
