/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_proto.h - what the PDQ stage and its decoder process say to each
 * other over their socket pair (host byte order: both ends are one build
 * on one machine).
 *
 * Stage -> decoder: struct dp_pdq_req, then len body bytes.
 * Decoder -> stage: struct dp_pdq_reply, fixed size.
 *
 * The decoder parses untrusted image bytes and may be compromised, so the
 * stage treats its reply as untrusted too: dp_pdq_reply_parse() checks
 * every field (fuzzed: tests/fuzz/dataplane/fuzz_pdq_reply.c).
 */
#ifndef HASHWALL_DATAPLANE_PDQ_PROTO_H
#define HASHWALL_DATAPLANE_PDQ_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "hashsync/pdq/pdq.h"

#define DP_PDQ_REQ_MAGIC 0x71445752u   /* "RWDq" */
#define DP_PDQ_REPLY_MAGIC 0x71445741u /* "AWDq" */

struct dp_pdq_req {
	uint32_t magic;
	uint32_t len; /* body bytes that follow; at most the decoder's --max-bytes */
};

struct dp_pdq_reply {
	uint32_t magic;
	int32_t status;   /* 0, or pdq_hash_image()'s -EINVAL, -E2BIG, -ENOTSUP, -ENOMEM */
	uint32_t quality; /* 0..100 */
	uint32_t format;  /* enum pdq_format */
	uint32_t width, height;
	uint8_t hash[PDQ_DIHEDRAL_COUNT][PDQ_HASH_BYTES];
};

/*
 * Check the @len bytes at @buf as a reply.  Returns 0 with *ret_res
 * filled (the image was hashed), a negative status the decoder reported
 * (-EINVAL, -E2BIG, -ENOTSUP, -ENOMEM: the image was refused), or
 * -EPROTO when the bytes are not a well-formed reply (*ret_res untouched
 * unless 0 is returned).
 */
int dp_pdq_reply_parse(const void *buf, size_t len, struct pdq_result *ret_res);

#endif
