/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * url.c - the canonical form of a request target as a string (see url.h).
 */
#include <errno.h>
#include <string.h>

#include "common/url.h"
#include "common/url_canon.h"

/* Unpack the @k bytes of @o into @out at *len; false when they do not fit. */
static int put(char *out, size_t cap, size_t *len, __u64 o, __u32 k)
{
	if (*len + k >= cap)
		return -ENOSPC;
	for (__u32 i = 0; i < k; i++)
		out[(*len)++] = (char)(o >> (8 * i));
	return 0;
}

/* One part (path, or '?' and query) through the canonical state machine. */
static int canon_part(const char *in, size_t n, char *out, size_t cap, size_t *len)
{
	struct hwall_uc uc = { 0 };
	__u32 k;
	__u64 o;
	int r;

	for (size_t i = 0; i < n; i++) {
		o = hwall_uc_step(&uc, (unsigned char)in[i], &k);
		r = put(out, cap, len, o, k);
		if (r < 0)
			return r;
	}
	o = hwall_uc_end(&uc, &k);
	return put(out, cap, len, o, k);
}

int hwall_url_canon(const char *in, size_t n, char *out, size_t cap)
{
	const char *q = memchr(in, '?', n);
	size_t plen = q ? (size_t)(q - in) : n, len = 0;
	int r;

	if (cap == 0)
		return -ENOSPC;
	r = canon_part(in, plen, out, cap, &len);
	if (r == 0 && q)
		r = canon_part(q, n - plen, out, cap, &len);
	if (r < 0)
		return r;
	out[len] = '\0';
	return (int)len;
}
