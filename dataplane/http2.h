/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http2.h - stage 5 for HTTP/2 (RFC 9113): the same objects as http.c,
 * from a connection's two HTTP/2 byte streams.
 *
 * Reads: in-order bytes of each direction (the client's starts with the
 * connection preface), holes.  Frames are parsed strictly (RFC 9113 4-6):
 * lengths, stream 0 rules, padding, CONTINUATION order.  Header blocks
 * (HEADERS, CONTINUATION, PUSH_PROMISE) are decoded with libnghttp2's HPACK
 * inflater, one per direction, whose table size follows the peer's
 * SETTINGS_HEADER_TABLE_SIZE.  A request stream's :method, :authority (or
 * Host) and :path make a struct dp_txn; its response HEADERS (:status,
 * not 1xx) start a struct dp_obj whose DATA payload (padding removed) goes
 * to the digest stage through http.c's object helpers, ended by
 * END_STREAM (complete), RST_STREAM (obj_h2_reset) or the connection's end.
 * Writes: finished objects to the same callback as HTTP/1.1 (verdict and
 * events), counters.
 *
 * Limits (struct dp_h2_limits): open streams per connection, bytes of a
 * buffered frame or header block (encoded), decoded header list, HPACK
 * table size.  Body bytes are never buffered.  Going over a limit, or any
 * protocol violation, gives the connection up: its objects in flight end
 * as obj_abandoned_conn, one named counter says why.
 */
#ifndef HASHWALL_DATAPLANE_HTTP2_H
#define HASHWALL_DATAPLANE_HTTP2_H

#include <stdint.h>

#include "dataplane/counters.h"
#include "dataplane/http.h"

#define DP_H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define DP_H2_PREFACE_LEN 24u

struct dp_h2_limits {
	uint32_t max_streams;     /* streams open at once per connection */
	uint32_t max_block;       /* bytes of a buffered frame or encoded header block */
	uint32_t max_header_list; /* decoded header list (RFC 9113 6.5.2 size) */
	uint32_t max_table;       /* HPACK dynamic table size a peer may set */
};

/* Per-worker state of the stage: limits, and the HTTP/1.1 stage whose
 * pools, digests, counters and object callback it shares. */
struct dp_h2 {
	struct dp_h2_limits lim;
	struct dp_http *http;
};

struct dp_h2_conn;

/* Defaults: 256 streams, 64 KiB blocks, 64 KiB header lists, 64 KiB tables. */
void dp_h2_limits_default(struct dp_h2_limits *lim);

/* Set up @h over @http (must outlive it); @lim NULL: defaults. */
void dp_h2_init(struct dp_h2 *h, const struct dp_h2_limits *lim, struct dp_http *http);

/* A connection's state (allocated); NULL with errno = ENOMEM. */
struct dp_h2_conn *dp_h2_conn_new(struct dp_h2 *h);

/* End @c: every object in flight is reported with outcome @why; frees
 * everything.  Accepts NULL. */
void dp_h2_conn_free(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_drop why, void *owner);

/* In-order bytes of @dir.  Returns 0, or -1 when the connection was given
 * up (counted once; later calls return -1 at once). */
int dp_h2_data(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_dir dir, const uint8_t *p,
	       uint32_t len, void *owner);

/* A hole of @len bytes in @dir: inside a DATA payload the stream's object
 * becomes incomplete and parsing goes on after it; anywhere else framing
 * is lost and the connection is given up (h2_gap_in_frame).  Returns 0
 * or -1 as dp_h2_data(). */
int dp_h2_gap(struct dp_h2 *h, struct dp_h2_conn *c, enum dp_dir dir, uint32_t len, void *owner);

#endif
