/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decode.h - part of stage 6 (body): Content-Encoding gzip, deflate and br
 * decoded on the fly, so that a compressed response is also hashed as the
 * file a list of digests holds.
 *
 * Reads: the body bytes as framed (after chunked decoding), in pieces.
 * Writes: the decoded bytes, in pieces, to a callback (digest.c hashes
 * them).  zlib inflates gzip (RFC 1952) and deflate (the zlib format of
 * RFC 9110 8.4.1.2, or a raw deflate stream as some servers send it);
 * libbrotli decodes br (RFC 7932).
 *
 * Bounded: the decoded bytes may not pass @max_out nor @max_ratio times
 * the encoded bytes given so far plus 64 KiB (a decompression bomb stops
 * there, -EFBIG).  Every buffer that holds decoded bytes (the libraries'
 * windows and states, our output buffer) comes from a private mapping
 * marked MADV_DONTDUMP and is zeroed before it is unmapped: object content
 * never reaches a core dump or a later allocation.
 */
#ifndef HASHWALL_DATAPLANE_DECODE_H
#define HASHWALL_DATAPLANE_DECODE_H

#include <stdint.h>

#include "dataplane/body.h"

enum dp_coding {
	DP_CODING_NONE,    /* identity, or one this stage does not decode */
	DP_CODING_GZIP,    /* gzip, x-gzip */
	DP_CODING_DEFLATE, /* deflate */
	DP_CODING_BR,      /* br */
	DP_CODING_COUNT
};

#define DP_DECODE_RATIO_MAX 1100u /* deflate's own limit is about 1032:1 */

/* The coding of a Content-Encoding value: one coding, case-insensitive;
 * none, identity, a list of several or an unknown one: DP_CODING_NONE
 * (hashed as sent). */
enum dp_coding dp_coding_parse(const char *v);

/* "gzip", "deflate", "br"; "" for DP_CODING_NONE. */
const char *dp_coding_name(enum dp_coding c);

struct dp_decoder;

/* A decoder of @c; NULL with errno set (ENOMEM, EINVAL for NONE). */
struct dp_decoder *dp_decoder_new(enum dp_coding c, uint64_t max_out, uint32_t max_ratio);

/*
 * Decode @len more encoded bytes, handing the decoded ones to @out.
 * Returns 0; -EINVAL for a corrupt stream or bytes after its end; -EFBIG
 * when the caps were reached.  After an error nothing more is decoded.
 */
int dp_decoder_feed(struct dp_decoder *d, const uint8_t *p, uint32_t len, dp_body_out_fn out,
		    void *ctx);

/* The encoded body ended: 0 when the stream ended too, -EINVAL when it
 * was cut short, or the error dp_decoder_feed() returned. */
int dp_decoder_finish(const struct dp_decoder *d);

/* Decoded bytes so far. */
uint64_t dp_decoder_out(const struct dp_decoder *d);

/* Zero every buffer, free them and @d; accepts NULL. */
void dp_decoder_free(struct dp_decoder *d);

#endif
