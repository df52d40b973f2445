/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * url.h - the canonical form of a request target as a string (the rules
 * are in url_canon.h, which the XDP program runs too): what the dataplane
 * reports as an event's path and what the URL block key is computed over.
 */
#ifndef HASHWALL_COMMON_URL_H
#define HASHWALL_COMMON_URL_H

#include <stddef.h>

/*
 * Write the canonical form of the target @in (@n bytes: path, and '?' and
 * query if present) to @out (@cap bytes, NUL-terminated).  The path and
 * the query are canonicalised separately, as the XDP program hashes them.
 * Returns the length written (without the NUL), or -ENOSPC when @cap is
 * too small (at most 3 * @n + 1 bytes are needed) with @out unspecified.
 */
int hwall_url_canon(const char *in, size_t n, char *out, size_t cap);

#endif
