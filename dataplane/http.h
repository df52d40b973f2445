/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http.h - stage 5: HTTP/1.1 requests and responses on a connection's two
 * byte streams (RFC 9112).
 *
 * Reads: in-order bytes of each direction from reasm (pointers into mbufs),
 * holes, FINs.  Client-to-server bytes are parsed as request heads (method,
 * request-target, Host) whose bodies are skipped; each request waits in a
 * per-connection FIFO.  Server-to-client bytes are parsed as response heads,
 * paired in order with the oldest waiting request the server had received
 * by the ACK of the response's first segment (keep-alive and pipelining;
 * across lost requests and responses, http_resync.c); the response body is
 * framed by body.c and its decoded bytes are hashed by digest.c.  Writes: one finished struct dp_obj per response
 * body (ended, or given up) handed to the worker's callback (verdict and
 * events), and counters.
 *
 * Limits (struct dp_http_limits) bound every resource the peer controls; a
 * malformed or over-limit message gives up the connection (counted).  Only
 * after a hole (bytes the capture lost) does this stage look for where the
 * next message starts, and only trusts a candidate whose head parses
 * (http_resync.c).
 *
 * Idle connections hold no buffers: a head buffer is taken from the worker's
 * pool only while a head is being read, an object (with its digest state)
 * only while a body is in flight.
 */
#ifndef HASHWALL_DATAPLANE_HTTP_H
#define HASHWALL_DATAPLANE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/body.h"
#include "dataplane/counters.h"
#include "dataplane/decode.h"
#include "dataplane/digest.h"
#include "dataplane/stitch.h"

#define DP_METHOD_MAX 16  /* with the NUL; longer methods are truncated */
#define DP_HOST_MAX 256   /* with the NUL; longer Hosts are truncated, counted */
#define DP_PATH_MAX 1024  /* with the NUL; longer targets are truncated, counted */

enum dp_dir {
	DP_DIR_C2S, /* client to server: requests */
	DP_DIR_S2C, /* server to client: responses */
	DP_DIR_COUNT
};

struct dp_http_limits {
	uint32_t max_header_bytes; /* one message head */
	uint32_t max_headers;      /* header fields in one head */
	uint32_t max_chunk_line;   /* a chunk-size line or trailer line */
	uint32_t max_pending;      /* pipelined requests waiting per connection */
	uint32_t max_heads;        /* heads being read at once, per worker */
	uint32_t max_requests;     /* requests waiting at once, per worker */
	uint64_t max_object_bytes; /* hashing stops beyond this */
};

/* Which bytes of which representation a 206 carries (Content-Range). */
struct dp_range {
	uint64_t start, end; /* first and last byte, inclusive */
	uint64_t total;      /* complete length, when total_known */
	bool set;            /* a Content-Range was there and valid */
	bool total_known;    /* not "*" */
};

/* A request waiting for its response. */
struct dp_txn {
	struct dp_txn *next;
	uint32_t end_seq; /* client sequence number after the head */
	bool head;        /* HEAD: the response has no body */
	bool lost;        /* a hole where a request head was: no URL (http_resync.c) */
	bool connect;     /* CONNECT: a 2xx turns the connection into a tunnel */
	bool host_truncated, path_truncated; /* cut to host[], path[] */
	char method[DP_METHOD_MAX];
	char host[DP_HOST_MAX];
	char path[DP_PATH_MAX];
};

struct dp_pdq_tap;
struct dp_pdq_copy;

/* A response body (or an uploaded request body) in flight, then finished. */
struct dp_obj {
	struct dp_obj *next_free;
	struct dp_digest *dg;
	struct dp_pdq_copy *pdq; /* its copy for the PDQ stage (pdq/pdq_tap.h), or NULL */
	struct dp_txn *txn;     /* the request, NULL when unpaired */
	struct dp_digests digests; /* set when finished */
	uint64_t size;          /* decoded body bytes hashed */
	enum dp_drop outcome;   /* DP_DROP_COUNT when complete, else why not */
	uint16_t status;
	bool partial;           /* 206 */
	bool request_lost;      /* its request was lost in a hole or not captured: no URL */
	bool holes;             /* a hole or a conflicting overlap */
	bool too_large;
	bool pending;           /* md5/sha1 finished after the burst: see dp_http_object_fn */
	bool stitched;          /* ranges of one URL stitched into the whole (stitch.h) */
	bool upload;            /* a request body (PUT, POST), status 0 */
	struct dp_range range;  /* 206: its Content-Range */
	struct dp_stitch_ent *stitch; /* the stitching this 206 continues, or NULL */
	uint64_t stitch_skip;   /* body bytes already stitched by an earlier range */
	/* Content-Encoding (decode.h): the decoded body's digests besides the
	 * wire bytes' (digests above) */
	struct dp_decoder *dec;
	struct dp_digest *ddg;  /* kept with the object in the pool */
	struct dp_digests ddigests; /* valid when decoded */
	uint64_t dsize;         /* decoded bytes */
	uint8_t coding;         /* enum dp_coding */
	int decode_err;         /* 0, -EINVAL (corrupt or cut), -EFBIG (caps), -ENOMEM */
	bool decoded;           /* complete and decoded: ddigests are the file's */
};

/* One direction of a connection. */
struct dp_http_dir {
	uint8_t *hdr;      /* head bytes so far (pool buffer), NULL when idle */
	uint32_t hdr_len;
	uint8_t state;     /* http.c */
	bool bol;          /* resynchronising: the last byte seen ended a line */
	bool tentative;    /* the head being read is a candidate after a hole */
	uint8_t resync_why; /* enum dp_info of the resync in progress */
	struct dp_body body;
};

/* A connection's HTTP state; lives in the flow. */
struct dp_http_conn {
	struct dp_http_dir dir[DP_DIR_COUNT];
	struct dp_txn *pend_head;
	struct dp_txn *pend_tail;
	struct dp_obj *obj;
	struct dp_obj *up;  /* the request body in flight (PUT, POST): an upload */
	uint32_t resp_ack;  /* ACK of the segment where the response head began */
	uint32_t c2s_seq;   /* client sequence number after the bytes given so far */
	uint8_t npending;
	uint8_t lost_credit; /* responses reported request_lost before their hole showed */
	bool c2s_seen;      /* c2s_seq is set */
	bool s2c_resynced;  /* a hole in the responses since the last one paired */
	bool dead; /* given up: everything else is ignored */
};

/*
 * Called with every finished object; @owner is what the data calls got.
 * The object and its request are recycled after the call returns, unless
 * obj->pending: its md5/sha1 are still queued in the lanes of h->mbh (only
 * with an mbhash context), obj->digests are not set yet, and the callee
 * keeps the object (its @owner may be gone by then) until after the
 * burst's mbh_flush(), then calls dp_digest_finish() on obj->dg and gives
 * it back with dp_http_obj_put().
 */
typedef void (*dp_http_object_fn)(void *ctx, void *owner, const struct dp_obj *obj);

/* Called with every request parsed (HTTP/1.1 head, HTTP/2 request
 * stream), before its response; @owner is what the data calls got. */
typedef void (*dp_http_request_fn)(void *ctx, void *owner, const struct dp_txn *txn);

/* Per-worker HTTP context: limits, pools, counters. */
struct dp_http {
	struct dp_http_limits lim;
	unsigned int algo_mask; /* digests computed besides xxh3-128 */
	struct mbh_ctx *mbh;    /* md5/sha1 streams (the worker's); NULL: OpenSSL */
	struct dp_pdq_tap *pdq; /* image bodies copied for the PDQ stage; NULL: off */
	struct dp_counters *ctr;
	dp_http_object_fn object_fn;
	void *object_ctx;
	dp_http_request_fn request_fn; /* NULL: none (the TLS tap's URL blocks) */
	void *request_ctx;
	void *hdr_free;
	struct dp_txn *txn_free;
	struct dp_obj *obj_free;
	struct dp_stitch stitch; /* ranges being stitched (206 responses) */
	uint64_t now_ns;         /* packet time, for the stitching's idle timeout */
	uint32_t hdr_n, txn_n, obj_n; /* allocated so far */
	uint32_t hdr_max, txn_max, obj_max;
};

/* Defaults: 16 KiB heads, 100 fields, 4 KiB chunk lines, 32 pending per
 * connection, 4096 heads and 65536 requests per worker, 1 GiB objects. */
void dp_http_limits_default(struct dp_http_limits *lim);

/*
 * Set up @h.  Pools grow on demand up to @max_conns objects (connections
 * busy at once), lim->max_heads head buffers and lim->max_requests
 * requests.  Returns 0.
 */
int dp_http_init(struct dp_http *h, const struct dp_http_limits *lim, unsigned int algo_mask,
		 uint32_t max_conns, struct dp_counters *ctr, dp_http_object_fn fn, void *fn_ctx);

/* Free the pools; every connection must have been released. */
void dp_http_fini(struct dp_http *h);

/* In-order bytes of direction @dir starting at sequence @seq, from a
 * segment acknowledging the other direction up to @ack (a response is
 * paired with the request that ACK shows the server had received).
 * Returns 0, or -1 when the connection was given up (counted, object
 * reported). */
int dp_http_data(struct dp_http *h, struct dp_http_conn *c, enum dp_dir dir, uint32_t seq,
		 uint32_t ack, const uint8_t *p, uint32_t len, void *owner);

/*
 * A hole of @len bytes in direction @dir, ending at sequence @seq.  Inside
 * a Content-Length or close-delimited body, or inside one chunk's data, the
 * body goes on (incomplete).  Otherwise the direction resynchronises: the
 * object hit ends incomplete, bytes are skipped up to the next plausible
 * message start at a line start (a status line "HTTP/1.x NNN", or a known
 * method and a space), whose whole head must parse before it is trusted
 * (http_resync.c).  A hole in the requests may have held a request head:
 * the response to it is reported request_lost.  Returns 0 or -1 as above.
 */
int dp_http_gap(struct dp_http *h, struct dp_http_conn *c, enum dp_dir dir, uint32_t seq,
		uint32_t len, void *owner);

/* Every byte of @dir up to its FIN was delivered. */
void dp_http_fin(struct dp_http *h, struct dp_http_conn *c, enum dp_dir dir, void *owner);

/* Conflicting overlap in @dir: the body in flight there is incomplete. */
void dp_http_conflict(struct dp_http_conn *c, enum dp_dir dir);

/* Mid-stream pick-up: does a message of @dir start at @p?  (A status line
 * for responses, only once a request seen since the pick-up was
 * acknowledged by @ack; a request line for requests.) */
bool dp_http_sync(const struct dp_http_conn *c, enum dp_dir dir, const uint8_t *p, uint32_t len,
		  uint32_t ack);

/* End the connection: an object in flight is reported with outcome @why;
 * buffers and requests go back to the pools.  @c is zeroed. */
void dp_http_release(struct dp_http *h, struct dp_http_conn *c, enum dp_drop why, void *owner);

/* The bytes given so far for the body in flight on @c are about to be
 * freed before the end of the burst: stop referencing them. */
void dp_http_body_sync(struct dp_http_conn *c);

/* Give back an object kept by the object callback (obj->pending). */
void dp_http_obj_put(struct dp_http *h, struct dp_obj *o);

/* Whether @c holds no buffer, request or object (an idle connection). */
bool dp_http_idle(const struct dp_http_conn *c);

/* ---- the same objects framed otherwise (HTTP/2, http2.c) ---- */

/* A request from the pool (zeroed), or NULL when the pool is exhausted. */
struct dp_txn *dp_http_txn_new(struct dp_http *h);

/* Give @t back (accepts NULL). */
void dp_http_txn_free(struct dp_http *h, struct dp_txn *t);

/* An object from the pool with its digests started, or NULL. */
struct dp_obj *dp_http_obj_new(struct dp_http *h);

/* @len more decoded body bytes of @o (max_object_bytes applies). */
void dp_http_obj_body(struct dp_http *h, struct dp_obj *o, const uint8_t *p, uint32_t len);

/* Finish @o as the HTTP/1.1 stage does (outcome @why, DP_DROP_COUNT when
 * its framing ended it; counters; the object callback with @owner) and
 * give it and its request back to the pools. */
void dp_http_obj_end(struct dp_http *h, struct dp_obj *o, enum dp_drop why, void *owner);

#endif
