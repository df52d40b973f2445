// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfw_maps.c - the loader library's map entries: blocked URLs and flows
 * with their expiry, the per-CPU counters summed, the software mirror's
 * configuration, and garbage collection of expired entries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/in.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfw_int.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/number.h"

static const char *const reason_names[BPFW_REASON_COUNT] = {
#define BPFW_X_NAME(e, n, d) [BPFW_R_##e] = n,
	BPFW_REASON_TABLE(BPFW_X_NAME)
#undef BPFW_X_NAME
};

static const char *const reason_descs[BPFW_REASON_COUNT] = {
#define BPFW_X_DESC(e, n, d) [BPFW_R_##e] = d,
	BPFW_REASON_TABLE(BPFW_X_DESC)
#undef BPFW_X_DESC
};

const char *bpfw_reason_name(unsigned int reason)
{
	return reason < BPFW_REASON_COUNT ? reason_names[reason] : NULL;
}

const char *bpfw_reason_desc(unsigned int reason)
{
	return reason < BPFW_REASON_COUNT ? reason_descs[reason] : NULL;
}

static int map_fd(struct bpfw *b, enum bpfw_map m, int *ret_fd, struct hwall_err *err)
{
	HWALL_TRY(bpfw_maps_open(b, err));
	*ret_fd = b->map_fd[m];
	return 0;
}

static int put(struct bpfw *b, enum bpfw_map m, const void *key, const void *val, const char *what,
	       struct hwall_err *err)
{
	int fd, r;

	HWALL_TRY(map_fd(b, m, &fd, err));
	r = bpf_map_update_elem(fd, key, val, BPF_ANY);
	if (r == -E2BIG || r == -ENOMEM)
		return bpfw_fail(err, -E2BIG, "the %s map is full", what);
	return r ? bpfw_fail(err, r, "cannot update the %s map", what) : 0;
}

static int del(struct bpfw *b, enum bpfw_map m, const void *key, const char *what,
	       struct hwall_err *err)
{
	int fd, r;

	HWALL_TRY(map_fd(b, m, &fd, err));
	r = bpf_map_delete_elem(fd, key);
	return r ? bpfw_fail(err, r, "cannot remove the %s entry", what) : 0;
}

int bpfw_url_block_key(struct bpfw *b, uint64_t key, uint32_t ttl_s, struct hwall_err *err)
{
	struct bpfw_url_val v = { .expires_ns = bpfw_expiry(ttl_s) }, old;
	int fd;

	if (!ttl_s)
		return bpfw_fail(err, -EINVAL, "a block needs a lifetime (ttl > 0)");
	HWALL_TRY(map_fd(b, BPFW_MAP_URLS, &fd, err));
	/* keep the hit count of an entry being renewed */
	if (bpf_map_lookup_elem(fd, &key, &old) == 0)
		v.hits = old.hits;
	return put(b, BPFW_MAP_URLS, &key, &v, "blocked-URL", err);
}

int bpfw_url_block(struct bpfw *b, const char *url, uint32_t ttl_s, struct hwall_err *err)
{
	uint64_t key;
	int r = bpfw_url_key(url, &key);

	if (r)
		return bpfw_fail(err, r, "not a blockable http URL: '%s'", url ? url : "");
	return bpfw_url_block_key(b, key, ttl_s, err);
}

int bpfw_url_unblock(struct bpfw *b, const char *url, struct hwall_err *err)
{
	uint64_t key;
	int r = bpfw_url_key(url, &key);

	if (r)
		return bpfw_fail(err, r, "not a blockable http URL: '%s'", url ? url : "");
	return del(b, BPFW_MAP_URLS, &key, "blocked-URL", err);
}

int bpfw_url_list(struct bpfw *b, bpfw_url_fn fn, void *arg, struct hwall_err *err)
{
	uint64_t key, next;
	struct bpfw_url_val v;
	int fd, r;
	void *prev = NULL;

	HWALL_TRY(map_fd(b, BPFW_MAP_URLS, &fd, err));
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue; /* removed meanwhile */
		r = fn(key, &v, arg);
		if (r)
			return r;
	}
	return 0;
}

/* "a.b.c.d:port" or "[v6]:port" into a 16-byte address and a port. */
static int parse_endpoint(const char *s, uint8_t addr[16], uint16_t *ret_port)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	uint64_t port;
	size_t n;

	if (!colon || colon == s || hwall_parse_u64(colon + 1, 1, 65535, &port) < 0)
		return -EINVAL;
	n = (size_t)(colon - s);
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = 0;
	memset(addr, 0, 16);
	if (host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = 0;
		if (inet_pton(AF_INET6, host + 1, addr) != 1)
			return -EINVAL;
	} else {
		addr[10] = addr[11] = 0xff;
		if (inet_pton(AF_INET, host, addr + 12) != 1)
			return -EINVAL;
	}
	*ret_port = htons((uint16_t)port);
	return 0;
}

int bpfw_flow_parse(const char *src, const char *dst, struct bpfw_flow_key *ret_key)
{
	struct bpfw_flow_key k = { .proto = IPPROTO_TCP };
	static const uint8_t v4prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (!src || !dst || parse_endpoint(src, k.saddr, &k.sport) ||
	    parse_endpoint(dst, k.daddr, &k.dport))
		return -EINVAL;
	if (!memcmp(k.saddr, v4prefix, 12) != !memcmp(k.daddr, v4prefix, 12))
		return -EINVAL; /* one IPv4, one IPv6 */
	*ret_key = k;
	return 0;
}

static void format_endpoint(const uint8_t addr[16], uint16_t port, char *buf, size_t len)
{
	static const uint8_t v4prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char a[INET6_ADDRSTRLEN];

	if (!memcmp(addr, v4prefix, 12)) {
		inet_ntop(AF_INET, addr + 12, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(port));
	} else {
		inet_ntop(AF_INET6, addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(port));
	}
}

void bpfw_flow_format(const struct bpfw_flow_key *key, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN + 8], d[INET6_ADDRSTRLEN + 8];

	format_endpoint(key->saddr, key->sport, s, sizeof(s));
	format_endpoint(key->daddr, key->dport, d, sizeof(d));
	snprintf(buf, len, "%s -> %s", s, d);
}

int bpfw_flow_block(struct bpfw *b, const struct bpfw_flow_key *key, uint32_t ttl_s,
		    struct hwall_err *err)
{
	struct bpfw_flow_val v = { .expires_ns = bpfw_expiry(ttl_s) };

	if (!ttl_s)
		return bpfw_fail(err, -EINVAL, "a block needs a lifetime (ttl > 0)");
	return put(b, BPFW_MAP_FLOWS, key, &v, "blocked-flow", err);
}

int bpfw_flow_unblock(struct bpfw *b, const struct bpfw_flow_key *key, struct hwall_err *err)
{
	return del(b, BPFW_MAP_FLOWS, key, "blocked-flow", err);
}

int bpfw_flow_list(struct bpfw *b, bpfw_flow_fn fn, void *arg, struct hwall_err *err)
{
	struct bpfw_flow_key key, next;
	struct bpfw_flow_val v;
	void *prev = NULL;
	int fd, r;

	HWALL_TRY(map_fd(b, BPFW_MAP_FLOWS, &fd, err));
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		r = fn(&key, &v, arg);
		if (r)
			return r;
	}
	return 0;
}

int bpfw_counters(struct bpfw *b, uint64_t ret_counts[BPFW_REASON_COUNT], struct hwall_err *err)
{
	int ncpu = libbpf_num_possible_cpus(), fd, r = 0;
	uint64_t sums[BPFW_REASON_COUNT] = { 0 };
	uint64_t *v;

	if (ncpu < 0)
		return bpfw_fail(err, ncpu, "cannot count CPUs");
	HWALL_TRY(map_fd(b, BPFW_MAP_COUNTERS, &fd, err));
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return bpfw_fail(err, -ENOMEM, "counters");
	for (uint32_t i = 0; i < BPFW_REASON_COUNT && !r; i++) {
		r = bpf_map_lookup_elem(fd, &i, v);
		for (int c = 0; c < ncpu && !r; c++)
			sums[i] += v[c];
	}
	free(v);
	if (r)
		return bpfw_fail(err, r, "cannot read the counters");
	memcpy(ret_counts, sums, sizeof(sums));
	return 0;
}

int bpfw_mirror_set(struct bpfw *b, const char *mirror_ifname, const uint16_t *ports, size_t n,
		    struct hwall_err *err)
{
	struct bpfw_mirror_cfg m = { 0 };
	uint32_t zero = 0;

	if (mirror_ifname) {
		if (n > BPFW_MIRROR_PORTS)
			return bpfw_fail(err, -E2BIG, "the mirror takes at most %d ports",
					 BPFW_MIRROR_PORTS);
		if (n == 0 || !ports)
			return bpfw_fail(err, -EINVAL, "the mirror needs at least one port");
		m.ifindex = if_nametoindex(mirror_ifname);
		if (!m.ifindex)
			return bpfw_fail(err, -ENODEV, "mirror interface '%s' does not exist",
					 mirror_ifname);
		for (size_t i = 0; i < n; i++) {
			if (!ports[i])
				return bpfw_fail(err, -EINVAL, "port 0 cannot be mirrored");
			m.ports[i] = ports[i];
		}
		m.enabled = 1;
	}
	return put(b, BPFW_MAP_MIRROR, &zero, &m, "mirror", err);
}

int bpfw_mirror_get(struct bpfw *b, struct bpfw_mirror *ret_mirror, struct hwall_err *err)
{
	struct bpfw_mirror_cfg m;
	uint32_t zero = 0;
	int fd, r;

	HWALL_TRY(map_fd(b, BPFW_MAP_MIRROR, &fd, err));
	r = bpf_map_lookup_elem(fd, &zero, &m);
	if (r)
		return bpfw_fail(err, r, "cannot read the mirror map");
	ret_mirror->enabled = m.enabled != 0;
	ret_mirror->ifindex = m.ifindex;
	memcpy(ret_mirror->ports, m.ports, sizeof(m.ports));
	return 0;
}

struct gc_ctx {
	uint64_t now;
	unsigned int n;
	int fd;
};

static int gc_url(uint64_t key, const struct bpfw_url_val *v, void *arg)
{
	struct gc_ctx *g = arg;

	if (v->expires_ns <= g->now && bpf_map_delete_elem(g->fd, &key) == 0)
		g->n++;
	return 0;
}

static int gc_flow(const struct bpfw_flow_key *key, const struct bpfw_flow_val *v, void *arg)
{
	struct gc_ctx *g = arg;

	if (v->expires_ns <= g->now && bpf_map_delete_elem(g->fd, key) == 0)
		g->n++;
	return 0;
}

int bpfw_gc(struct bpfw *b, unsigned int *ret_urls, unsigned int *ret_flows, struct hwall_err *err)
{
	struct gc_ctx gu = { .now = hwall_mono_ns() }, gf = { .now = gu.now };

	HWALL_TRY(map_fd(b, BPFW_MAP_URLS, &gu.fd, err));
	HWALL_TRY(map_fd(b, BPFW_MAP_FLOWS, &gf.fd, err));
	HWALL_TRY(bpfw_url_list(b, gc_url, &gu, err));
	HWALL_TRY(bpfw_flow_list(b, gc_flow, &gf, err));
	if (ret_urls)
		*ret_urls = gu.n;
	if (ret_flows)
		*ret_flows = gf.n;
	return 0;
}
