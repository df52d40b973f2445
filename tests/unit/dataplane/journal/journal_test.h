/* SPDX-License-Identifier: GPL-2.0-only */
/* Records for the journal's tests: digests from a PRNG seed, a URL. */
#ifndef HASHWALL_TEST_JOURNAL_H
#define HASHWALL_TEST_JOURNAL_H

#include <string.h>

#include "dataplane/journal/jrec.h"
#include "hwall_test.h"

struct jt_rec {
	struct dp_jrec r;
	uint8_t dg[HWALL_ALGO_COUNT * HWALL_DIGEST_MAX];
	char host[64], path[128];
};

/* A record served at @t with the digests of @mask drawn from @seed (the
 * digest of algorithm a from seed + a), on @host@path. */
static inline void jt_make(struct jt_rec *j, uint64_t seed, uint32_t mask, const char *host,
			   const char *path, int64_t t)
{
	size_t off = 0;

	memset(j, 0, sizeof(*j));
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		uint64_t s = seed * 16 + (uint64_t)a;
		size_t len = hwall_algo_len((enum hwall_algo)a);

		if (!(mask & (1u << a)))
			continue;
		hwall_test_rand_bytes(&s, j->dg + off, len);
		off += len;
	}
	snprintf(j->host, sizeof(j->host), "%s", host);
	snprintf(j->path, sizeof(j->path), "%s", path);
	j->r = (struct dp_jrec){ .mask = mask, .count = 1, .family = 4, .port = 80, .first = t,
				 .last = t, .size = 1000 + seed, .host_len = (uint16_t)strlen(j->host),
				 .path_len = (uint16_t)strlen(j->path), .digests = j->dg,
				 .host = j->host, .path = j->path };
	/* 192.0.2.7 as a flow key holds it: IPv4-mapped. */
	j->r.server[10] = 0xff;
	j->r.server[11] = 0xff;
	j->r.server[12] = 192;
	j->r.server[14] = 2;
	j->r.server[15] = 7;
}

/* The digest of algorithm @a of a jt_make() record (into @out). */
static inline void jt_digest(uint64_t seed, enum hwall_algo a, uint8_t *out)
{
	uint64_t s = seed * 16 + (uint64_t)a;

	hwall_test_rand_bytes(&s, out, hwall_algo_len(a));
}

#endif
