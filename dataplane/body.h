/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * body.h - stage 6: HTTP/1.1 message body framing (RFC 9112 section 6-7).
 *
 * Reads: the stream bytes after a message head, and the framing the head
 * chose (Content-Length, chunked, or delimited by the connection's close).
 * Writes: the decoded body bytes, handed to a callback as pointers into the
 * input (no copy), and where the body ends so that the bytes after it are
 * the next message's.  Chunk extensions and trailer fields are skipped.  The
 * chunk-size line (with its extensions) and each trailer line are limited;
 * going over is an error (the connection is then given up).  The state is
 * a few bytes and lives in the flow.
 */
#ifndef HASHWALL_DATAPLANE_BODY_H
#define HASHWALL_DATAPLANE_BODY_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/counters.h"

enum dp_body_mode {
	DP_BODY_NONE,    /* no body: HEAD, 1xx, 204, 304, request without framing */
	DP_BODY_LENGTH,  /* Content-Length */
	DP_BODY_CHUNKED, /* Transfer-Encoding: chunked */
	DP_BODY_CLOSE,   /* until the server closes the connection */
	DP_BODY_MODE_COUNT
};

/* Decoder state of one body. */
struct dp_body {
	uint64_t remaining; /* LENGTH: body bytes left; CHUNKED: chunk bytes left */
	uint16_t line_len;  /* bytes of the current chunk-size or trailer line */
	uint8_t mode;       /* enum dp_body_mode */
	uint8_t cstate;     /* chunked decoder state (body.c) */
	bool line_digits;   /* a hex digit was seen on the chunk-size line */
	bool line_end_seen; /* the size digits ended (extension or BWS follows) */
};

/* Receives decoded body bytes. */
typedef void (*dp_body_out_fn)(void *ctx, const uint8_t *p, uint32_t len);

/* Start decoding a body of @mode (@length for DP_BODY_LENGTH). */
void dp_body_start(struct dp_body *b, enum dp_body_mode mode, uint64_t length);

/*
 * Decode from @len bytes at @p, passing body bytes to @out.  Returns the
 * number of input bytes consumed (all of them unless the body ended, in
 * which case *ret_done is set and the rest belongs to the next message), or
 * -1 with *ret_err set to http_bad_chunk or http_chunk_line_too_long.
 * A line longer than @max_line bytes is too long.
 */
int64_t dp_body_decode(struct dp_body *b, const uint8_t *p, uint32_t len, uint32_t max_line,
		       dp_body_out_fn out, void *ctx, bool *ret_done, enum dp_drop *ret_err);

/*
 * The stream skipped @len bytes (a hole) inside the body.  Returns true when
 * the body can go on after it (Content-Length or close-delimited, or a hole
 * within one chunk's data; the hole counting as body bytes), false when
 * framing is lost (a hole over a chunk-size line or a chunk's end).  Sets
 * *ret_done when a Content-Length body ends within the hole.  *ret_rest
 * gets the hole bytes beyond the end of the body.
 */
bool dp_body_skip(struct dp_body *b, uint64_t len, bool *ret_done, uint64_t *ret_rest);

#endif
