/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * errors.c - setting and prefixing struct hwall_err (see errors.h).
 */
#include "common/errors.h"

#include <stdio.h>

int hwall_err_setv(struct hwall_err *err, int r, const char *fmt, va_list ap)
{
	if (err)
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return r;
}

int hwall_err_set(struct hwall_err *err, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwall_err_setv(err, r, fmt, ap);
	va_end(ap);
	return r;
}

int hwall_err_prefix(struct hwall_err *err, int r, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	va_list ap;
	int n;

	if (!err)
		return r;
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, "%s", old);
	return r;
}
