/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jrec.c - the served-object journal's record codec (see jrec.h).
 */
#include "dataplane/journal/jrec.h"

#include <errno.h>
#include <string.h>

#include <xxhash.h>

static inline void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the journal is little-endian");

size_t dp_jrec_digests_len(uint32_t mask)
{
	size_t n = 0;

	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		if (mask & (1u << a))
			n += hwall_algo_len((enum hwall_algo)a);
	return n;
}

const uint8_t *dp_jrec_digest(const struct dp_jrec *r, enum hwall_algo a)
{
	if (!(r->mask & (1u << a)))
		return NULL;
	return r->digests + dp_jrec_digests_len(r->mask & ((1u << a) - 1));
}

size_t dp_jrec_size(const struct dp_jrec *r)
{
	return DP_JREC_FIXED + dp_jrec_digests_len(r->mask) + r->host_len + r->path_len;
}

static uint32_t check_of(const uint8_t *rec, size_t len)
{
	return (uint32_t)XXH3_64bits(rec + 8, len - 8);
}

/* The field checks that encode and decode share. */
static int fields_valid(const struct dp_jrec *r, struct hwall_err *err)
{
	if (!(r->mask & (1u << HWALL_ALGO_XXH3_128)) || (r->mask & ~HWALL_ALGO_MASK_ALL))
		return hwall_err_set(err, -EINVAL, "algorithm mask 0x%x: xxh3-128 missing or unknown algorithm",
				     r->mask);
	if (r->family != 4 && r->family != 6)
		return hwall_err_set(err, -EINVAL, "address family %u", r->family);
	if (r->count == 0 || r->last < r->first)
		return hwall_err_set(err, -EINVAL, "count 0 or last served before first");
	if (r->host_len > DP_JREC_HOST_MAX || r->path_len > DP_JREC_PATH_MAX)
		return hwall_err_set(err, -EINVAL, "host or path too long");
	return 0;
}

size_t dp_jrec_encode(const struct dp_jrec *r, uint8_t *buf, size_t cap)
{
	size_t len = dp_jrec_size(r), dl = dp_jrec_digests_len(r->mask);
	uint8_t *p = buf;

	if (len > cap || fields_valid(r, NULL) < 0)
		return 0;
	memset(buf, 0, DP_JREC_FIXED);
	put32(p, (uint32_t)len);
	put32(p + 8, r->id);
	put32(p + 12, r->mask);
	put32(p + 16, r->count);
	p[20] = r->family;
	p[21] = r->flags;
	put16(p + 22, r->port);
	put64(p + 24, (uint64_t)r->first);
	put64(p + 32, (uint64_t)r->last);
	put64(p + 40, r->size);
	memcpy(p + 48, r->server, 16);
	put16(p + 64, r->host_len);
	put16(p + 66, r->path_len);
	p += DP_JREC_FIXED;
	memcpy(p, r->digests, dl);
	memcpy(p + dl, r->host, r->host_len);
	memcpy(p + dl + r->host_len, r->path, r->path_len);
	put32(buf + 4, check_of(buf, len));
	return len;
}

int dp_jrec_decode(const uint8_t *buf, size_t len, struct dp_jrec *ret, struct hwall_err *err)
{
	struct dp_jrec r;
	uint32_t rl;
	size_t dl;
	int e;

	if (len < DP_JREC_FIXED)
		return hwall_err_set(err, -EINVAL, "record cut short (%zu bytes)", len);
	rl = get32(buf);
	if (rl < DP_JREC_FIXED || rl > DP_JREC_MAX || rl > len)
		return hwall_err_set(err, -EINVAL, "record length %u out of range", rl);
	if (get32(buf + 4) != check_of(buf, rl))
		return hwall_err_set(err, -EINVAL, "record checksum mismatch");
	if ((buf[21] & ~DP_JREC_DIGESTS_ONLY) || get32(buf + 68) != 0)
		return hwall_err_set(err, -EINVAL, "record flags or reserved field not zero");
	r.id = get32(buf + 8);
	r.mask = get32(buf + 12);
	r.count = get32(buf + 16);
	r.family = buf[20];
	r.flags = buf[21];
	r.port = get16(buf + 22);
	r.first = (int64_t)get64(buf + 24);
	r.last = (int64_t)get64(buf + 32);
	r.size = get64(buf + 40);
	memcpy(r.server, buf + 48, 16);
	r.host_len = get16(buf + 64);
	r.path_len = get16(buf + 66);
	e = fields_valid(&r, err);
	if (e < 0)
		return e;
	dl = dp_jrec_digests_len(r.mask);
	if (DP_JREC_FIXED + dl + r.host_len + r.path_len != rl)
		return hwall_err_set(err, -EINVAL, "record lengths do not add up to %u", rl);
	r.digests = buf + DP_JREC_FIXED;
	r.host = (const char *)r.digests + dl;
	r.path = r.host + r.host_len;
	*ret = r;
	return (int)rl;
}
