/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http_int.h - what http.c and http_resync.c share inside the HTTP stage
 * (stage 5); nothing outside dataplane/http*.c includes it.
 */
#ifndef HASHWALL_DATAPLANE_HTTP_INT_H
#define HASHWALL_DATAPLANE_HTTP_INT_H

#include "dataplane/http.h"

/* What a parsed head says. */
struct dp_head {
	const char *start_line;
	enum dp_body_mode mode;
	uint64_t length;
	uint16_t status;
	bool have_cl;
	bool have_te;
	bool te_chunked;
	bool host_cut; /* the Host was longer than host[] */
	char host[DP_HOST_MAX];
	struct dp_range range;                  /* Content-Range */
	char validator[DP_STITCH_VALIDATOR_MAX]; /* "E" + strong ETag, else "L" + Last-Modified */
	bool have_etag;
	enum dp_coding coding;                  /* Content-Encoding */
};

/* Whether @ch is a tchar (RFC 9110 5.6.2). */
bool dp_http_is_tchar(char ch);

/* Copy @len bytes of @src into @dst (@cap bytes with the NUL), cut to fit;
 * *ret_trunc (may be NULL) is set when cut. */
void dp_http_copy_str(char *dst, size_t cap, const char *src, size_t len, bool *ret_trunc);

/*
 * Content-Range (RFC 9110 14.4) "bytes FIRST-LAST/COMPLETE", or with "*"
 * for COMPLETE (not known), into *ret: 0, or -EINVAL for anything else
 * (unsatisfied-range "bytes STAR/N", another unit, LAST < FIRST, LAST not
 * below COMPLETE, numbers over 2^60).  @ret is untouched on failure.
 */
int dp_http_content_range(const char *v, struct dp_range *ret);

/* A 206 that continued a stitching ended (http_media.c): when the whole
 * is stitched, it is reported as an object of its own. */
void dp_http_stitch_end(struct dp_http *h, const struct dp_obj *o, void *owner);

/* Start decoding @o's body as @c (http_media.c); a failure to set up
 * leaves o->decode_err set and the body hashed as sent. */
void dp_http_decode_start(struct dp_http *h, struct dp_obj *o, enum dp_coding c);

/* @len more body bytes of @o (as framed) to its decoder. */
void dp_http_decode_feed(struct dp_obj *o, const uint8_t *p, uint32_t len);

/* @o's body ended or was given up (outcome set): finish decoding, set
 * o->decoded and o->ddigests, count; the decoder's buffers are zeroed. */
void dp_http_decode_end(struct dp_http *h, struct dp_obj *o);

/* HTTP/1.0, 1.1 and any other HTTP/1.x. */
bool dp_http_version_ok(const char *v);

/*
 * Split the head at @buf (NUL-terminated, lines ending in LF or CRLF) into
 * its start line and the framing fields.  Returns DP_DROP_COUNT or a drop
 * reason (@bad is the reason for syntax errors).
 */
enum dp_drop dp_http_parse_fields(const struct dp_http *h, char *buf, struct dp_head *hd, enum dp_drop bad);

/*
 * Resynchronising @d after a hole: skip @len bytes at @p up to the next
 * candidate message start at a line start or at @p itself (where a segment
 * starts): "HTTP/1.x NNN" for responses, a known method and a space for
 * requests.  Returns the bytes skipped
 * (all of them when *ret_found is false).  d->bol carries "at a line
 * start" across calls.
 */
uint32_t dp_http_resync_scan(struct dp_http_dir *d, enum dp_dir dir, const uint8_t *p, uint32_t len,
			     bool *ret_found);

/*
 * The waiting request that a final response whose head began in a segment
 * acknowledging @ack answers, taken off the queue of @c; NULL with
 * *ret_lost set when its request was lost (or never captured).  Requests
 * skipped on the way (their responses were lost in a hole) and a used
 * placeholder are moved to *ret_skipped (linked by next) for the caller to
 * report or recycle.
 */
struct dp_txn *dp_http_pair_pick(struct dp_http_conn *c, uint32_t ack, struct dp_txn **ret_skipped,
				 bool *ret_lost);

/* Shared by http.c and http_resync.c (the gap path). */
/* A direction's parse state (struct dp_http_dir.state). */
enum hstate {
	H_IDLE, /* between messages: leading empty lines are skipped */
	H_HEAD, /* reading a head into the buffer */
	H_BODY, /* in a body */
	H_DONE, /* server closed: nothing more expected */
	H_RESYNC, /* after a hole: skipping to a candidate message start */
	H_STATE_COUNT
};
/* Return @d's head buffer, if any, to the pool. */
void dp_http_hdr_put(struct dp_http *h, struct dp_http_dir *d);
/* A zeroed request from the pool; NULL at its cap. */
struct dp_txn *dp_http_txn_get(struct dp_http *h);
/* Queue @t as @c's newest waiting request. */
void dp_http_pending_push(struct dp_http_conn *c, struct dp_txn *t);
/* The body of @dir ended by its framing (or was cut by a hole). */
void dp_http_body_done(struct dp_http *h, struct dp_http_conn *c, enum dp_dir dir, void *owner);

#endif
