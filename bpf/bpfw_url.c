// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfw_url.c - the user-space side of the URL key (bpfw_shared.h): turns a
 * URL as the dataplane or an operator writes it into the key the XDP
 * program computes from the request on the wire.  The host rules are the
 * same state machine as hw_scan_host() in http_scan.bpf.h, byte for byte.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "bpfw.h"
#include "bpfw_shared.h"

/* Host bytes of @auth (length @n): userinfo dropped, port skipped,
 * lowercased, hashed.  Mirrors hw_scan_host(). */
static int hash_host(const char *auth, size_t n, uint64_t *ret_h)
{
	const char *at = memchr(auth, '@', n);
	bool in_port = false, in_bracket = false;
	uint64_t h = BPFW_FNV_BASIS;

	if (at) {
		n -= (size_t)(at + 1 - auth);
		auth = at + 1;
		if (memchr(auth, '@', n))
			return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = auth[i];

		if (in_port)
			continue;
		if (c == '[' && i == 0)
			in_bracket = true;
		else if (c == ']')
			in_bracket = false;
		else if (c == ':' && !in_bracket) {
			in_port = true;
			continue;
		}
		if (i >= BPFW_HOST_MAX)
			return -ENAMETOOLONG;
		h = bpfw_fnv_step(h, bpfw_lower((uint8_t)c));
	}
	*ret_h = h;
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
	if (!strncasecmp(url, "http://", 7))
		url += 7;
	else if (strstr(url, "://"))
		return -EINVAL; /* only plaintext HTTP reaches the program */
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
	if (plen > BPFW_PATH_MAX)
		return -ENAMETOOLONG;
	h = BPFW_FNV_BASIS;
	if (plen == 0)
		h = bpfw_fnv_step(h, '/');
	for (size_t i = 0; i < plen; i++)
		h = bpfw_fnv_step(h, (uint8_t)path[i]);
	if (query < end) {
		/* '?' and query; the program gives up past BPFW_QUERY_MAX - 1 */
		if ((size_t)(end - query) > BPFW_QUERY_MAX - 1)
			return -ENAMETOOLONG;
		for (const char *p = query; p < end; p++)
			h = bpfw_fnv_step(h, (uint8_t)*p);
	}
	*ret_key = bpfw_url_key_finish(h, h_host);
	return 0;
}
