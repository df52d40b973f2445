/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jrec.h - one served-object journal record: its fields and its byte form,
 * shared by the open segment's log and the closed segment's record section
 * (docs/journal.md, "Records").
 *
 * A record is what the journal knows of one (object, URL) pair in one
 * period: the object's digests, the host and path it was served under,
 * the server's address and port, its size, when it was first and last
 * served and how often.  Never a client, never a body byte.
 *
 * Byte form (little-endian), 72 bytes of fixed part, then the digests of
 * the algorithms in @mask in table order (common/algo.h lengths), the host
 * and the path:
 *
 *   0  u32 len     bytes of the whole record
 *   4  u32 check   low 32 bits of XXH3-64 over bytes 8..len
 *   8  u32 id      the record's number in its segment
 *  12  u32 mask    algorithms present (1u << algo); xxh3-128 always
 *  16  u32 count   times served in the period (>= 1)
 *  20  u8  family  4 or 6
 *  21  u8  flags   DP_JREC_DIGESTS_ONLY or 0
 *  22  u16 port    server port
 *  24  i64 first   unix seconds, first served in the period
 *  32  i64 last    unix seconds, last served (>= first)
 *  40  u64 size    body bytes
 *  48  u8[16] server  IPv6, or IPv4 mapped (::ffff:a.b.c.d) as flow keys hold it
 *  64  u16 host_len
 *  66  u16 path_len
 *  68  u32 reserved (0)
 *  72  digests, host, path
 */
#ifndef HASHWALL_DATAPLANE_JREC_H
#define HASHWALL_DATAPLANE_JREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/algo.h"
#include "common/errors.h"

#define DP_JREC_FIXED 72
#define DP_JREC_HOST_MAX 1024
#define DP_JREC_PATH_MAX 8192
/* The longest record: every digest, the longest host and path. */
#define DP_JREC_MAX (DP_JREC_FIXED + 128 + DP_JREC_HOST_MAX + DP_JREC_PATH_MAX)

/* flags: a record that only brings digests to the record of its key (the
 * PDQ stage's late pdq hash): not a serving, counts nothing.  Only on the
 * way to the journal writer; never in a log or a segment. */
#define DP_JREC_DIGESTS_ONLY 1u

/* A record's fields; digests, host and path point into someone's bytes. */
struct dp_jrec {
	uint32_t id;
	uint32_t mask;
	uint32_t count;
	uint8_t family;
	uint8_t flags;
	uint16_t port;
	int64_t first, last;
	uint64_t size;
	uint8_t server[16];
	uint16_t host_len, path_len;
	const uint8_t *digests; /* packed: the algorithms of @mask in table order */
	const char *host, *path; /* not NUL-terminated */
};

/* Bytes of the packed digests of @mask. */
size_t dp_jrec_digests_len(uint32_t mask);

/* Where algorithm @a's digest sits in @r's packed digests; NULL when @r
 * has none. */
const uint8_t *dp_jrec_digest(const struct dp_jrec *r, enum hwall_algo a);

/* Bytes dp_jrec_encode() writes for @r. */
size_t dp_jrec_size(const struct dp_jrec *r);

/*
 * Write @r (valid: see dp_jrec_decode()) with its checksum into @buf of
 * @cap bytes.  Returns the length, or 0 when it does not fit or @r is
 * not valid.
 */
size_t dp_jrec_encode(const struct dp_jrec *r, uint8_t *buf, size_t cap);

/*
 * Read the record at the start of @buf (@len bytes available) into @ret
 * (pointing into @buf).  Refuses, with @err saying which check failed: a
 * length outside DP_JREC_FIXED..DP_JREC_MAX or beyond @len, a checksum
 * mismatch, an unknown flag or a non-zero reserved field, a mask without xxh3-128 or with an
 * unknown algorithm, a family other than 4 or 6, a count of 0, last
 * before first, a host or path over its limit, or lengths that do not add
 * up to the record's.  Returns the record's length, or -EINVAL.
 */
int dp_jrec_decode(const uint8_t *buf, size_t len, struct dp_jrec *ret, struct hwall_err *err);

#endif
