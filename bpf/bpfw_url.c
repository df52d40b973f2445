// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfw_url.c - the user-space side of the URL key (bpfw_shared.h): turns a
 * URL as the dataplane or an operator writes it into the key the XDP
 * program computes from the request on the wire.  The host rules are the
 * same state machine as bpfw_scan_host() in http_scan.bpf.h, byte for byte;
 * the path and query go through the canonical form (common/url_canon.h)
 * that the program runs too.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "bpfw.h"
#include "bpfw_shared.h"
#include "common/url.h"
#include "common/url_canon.h"

/* Value of the "%XY" at @s (3 bytes available), or -1. */
static int pct_byte(const char *s)
{
	int hi = hwall_uc_hexval((unsigned char)s[1]), lo = hwall_uc_hexval((unsigned char)s[2]);

	return s[0] == '%' && hi >= 0 && lo >= 0 ? hi << 4 | lo : -1;
}

/* Host bytes of @auth (length @n): userinfo dropped, port skipped, "%XY"
 * decoded (events write bytes >= 0x7f so; the program sees them raw),
 * lowercased, one trailing dot dropped, hashed.  Mirrors
 * bpfw_scan_host_slow(). */
static int hash_host(const char *auth, size_t n, uint64_t *ret_h)
{
	const char *at = memchr(auth, '@', n);
	bool in_port = false, in_bracket = false;
	uint8_t host[BPFW_HOST_MAX + 1];
	uint32_t len = 0;

	if (at) {
		n -= (size_t)(at + 1 - auth);
		auth = at + 1;
		if (memchr(auth, '@', n))
			return -EINVAL;
	}
	for (size_t i = 0; i < n && !in_port; i++) {
		int c = (unsigned char)auth[i], v = i + 2 < n ? pct_byte(auth + i) : -1;

		if (c == '[' && i == 0)
			in_bracket = true;
		else if (c == ']')
			in_bracket = false;
		else if (c == ':' && !in_bracket)
			in_port = true;
		if (in_port)
			break;
		if (v >= 0) {
			c = v;
			i += 2;
		}
		if (c <= ' ')
			return -EINVAL;
		if (len >= BPFW_HOST_MAX)
			return -ENAMETOOLONG;
		host[len++] = bpfw_lower((uint8_t)c);
	}
	if (len && host[len - 1] == '.')
		len--;
	*ret_h = bpfw_hash_bytes(BPFW_H_SEED, host, len);
	return 0;
}

/* The shortest request bytes whose canonical form is @c (@n bytes): each
 * "%XY" of a byte >= 0x7f may have come as that one raw byte. */
static size_t shortest_raw(const char *c, size_t n)
{
	size_t raw = n;

	for (size_t i = 0; i + 2 < n; i++)
		if (c[i] == '%' && pct_byte(c + i) >= 0x7f)
			raw -= 2;
	return raw;
}

/* H(@h, canonical form of @s) (common/url_canon.h), @s of @n bytes; the
 * shortest request that has this canonical form must fit the program's
 * limit @max (bytes of the request), or the program could not check it. */
static int hash_canon(uint64_t h, const char *s, size_t n, size_t max, uint64_t *ret_h)
{
	char buf[3 * (BPFW_PATH_MAX > BPFW_QUERY_MAX ? BPFW_PATH_MAX : BPFW_QUERY_MAX) + 1];
	int len;

	if (n > 3 * max)
		return -ENAMETOOLONG;
	len = hwall_url_canon(s, n, buf, sizeof(buf));
	if (len < 0 || shortest_raw(buf, (size_t)len) > max)
		return -ENAMETOOLONG;
	*ret_h = bpfw_hash_bytes(h, (const uint8_t *)buf, (uint32_t)len);
	return 0;
}

int bpfw_url_key(const char *url, uint64_t *ret_key)
{
	const char *auth, *path, *query, *end;
	uint64_t h_host, h;
	size_t plen;
	int r;

	if (!url || !ret_key)
		return -EINVAL;
	/* the program ends a target at any byte <= ' ' */
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ')
			return -EINVAL;
	if (!strncasecmp(url, "http://", 7)) {
		url += 7;
	} else {
		/* another scheme, not a "://" in the path or query */
		const char *sep = strstr(url, "://");

		if (sep && sep < url + strcspn(url, "/?#"))
			return -EINVAL; /* only plaintext HTTP reaches the program */
	}
	end = url + strcspn(url, "#");
	auth = url;
	path = auth + strcspn(auth, "/?#");
	if (path == auth)
		return -EINVAL; /* no host */
	r = hash_host(auth, (size_t)(path - auth), &h_host);
	if (r < 0)
		return r;
	query = path + strcspn(path, "?#");
	plen = (size_t)(query - path);
	if (plen == 0)
		r = hash_canon(BPFW_H_SEED, "/", 1, 1, &h);
	else
		r = hash_canon(BPFW_H_SEED, path, plen, BPFW_PATH_MAX, &h);
	if (r == 0 && query < end)
		r = hash_canon(h, query, (size_t)(end - query), BPFW_QUERY_MAX - 1, &h);
	if (r < 0)
		return r;
	*ret_key = bpfw_url_key_finish(h, h_host);
	return 0;
}
