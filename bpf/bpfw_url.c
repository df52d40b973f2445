// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfw_url.c - the user-space side of the URL key (bpfw_shared.h): turns a
 * URL as the dataplane or an operator writes it into the key the XDP
 * program computes from the request on the wire.  The host rules are the
 * same state machine as bpfw_scan_host() in http_scan.bpf.h, byte for byte.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "bpfw.h"
#include "bpfw_shared.h"

/* Host bytes of @auth (length @n): userinfo dropped, port skipped,
 * lowercased, hashed.  Mirrors bpfw_scan_host_slow(). */
static int hash_host(const char *auth, size_t n, uint64_t *ret_h)
{
	const char *at = memchr(auth, '@', n);
	bool in_port = false, in_bracket = false;
	uint8_t host[BPFW_HOST_MAX];
	uint32_t len = 0;

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
		host[len++] = bpfw_lower((uint8_t)c);
	}
	*ret_h = bpfw_hash_bytes(BPFW_H_SEED, host, len);
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
	if (plen == 0)
		h = bpfw_hash_bytes(BPFW_H_SEED, (const uint8_t *)"/", 1);
	else
		h = bpfw_hash_bytes(BPFW_H_SEED, (const uint8_t *)path, (uint32_t)plen);
	if (query < end) {
		/* '?' and query; the program gives up past BPFW_QUERY_MAX - 1 */
		if ((size_t)(end - query) > BPFW_QUERY_MAX - 1)
			return -ENAMETOOLONG;
		h = bpfw_hash_bytes(h, (const uint8_t *)query, (uint32_t)(end - query));
	}
	*ret_key = bpfw_url_key_finish(h, h_host);
	return 0;
}
