/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tap.h - the TLS tap as a source of the dataplane's stages: turns the tap
 * program's records (bpf/tlstap_shared.h) into the two ordered byte streams
 * of each TLS connection and hands them to the same HTTP stages, digests,
 * verdict and events as the packet path (a struct dp_worker), in place of
 * parse -> flow -> reasm.
 *
 * Reads: records of plaintext (connection = SSL object + process, stream
 * offset, socket addresses) and connection ends.  Writes: per connection a
 * struct dp_flow (its key is the TCP socket's: server = local side), whose
 * bytes go to the HTTP/1.1 stage (dataplane/http.c) or, when the client
 * opens with the HTTP/2 preface, to the HTTP/2 stage (dataplane/http2.c);
 * finished objects go through the worker's verdict and event callback.
 * A record beyond the expected offset is a hole of that many bytes (the
 * ring was full): the body in flight becomes incomplete, or, where framing
 * is lost, the connection is given up; both counted.
 *
 * Connections live in a fixed open-addressing table; idle ones are
 * removed by dp_tap_expire().  Single-threaded: one tap per thread.
 */
#ifndef HASHWALL_DATAPLANE_TLSTAP_TAP_H
#define HASHWALL_DATAPLANE_TLSTAP_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/tlstap_shared.h"
#include "dataplane/flow.h"
#include "dataplane/http2.h"
#include "dataplane/worker.h"

/* X(name, description): the tap's own counters (user space). */
#define DP_TAP_TABLE(X)                                                                   \
	X(records, "records read from the ring")                                       \
	X(bad_records, "records shorter than their header says (ignored)")             \
	X(conns, "TLS connections followed")                                           \
	X(conns_closed, "connections ended by SSL_shutdown or SSL_free")              \
	X(conns_idle, "connections removed after the idle timeout")                  \
	X(conns_replaced, "connections whose SSL object came back with another socket") \
	X(conn_table_full, "records of new connections dropped: the table was full")  \
	X(holes, "holes in a stream (records the kernel could not queue)")            \
	X(hole_bytes, "plaintext bytes in those holes")                               \
	X(stale_records, "records behind the stream's offset (ignored)")              \
	X(conns_h2, "connections that opened with the HTTP/2 preface")

enum dp_tap_ctr {
#define DP_TAP_X_ENUM(name, desc) DP_TAP_##name,
	DP_TAP_TABLE(DP_TAP_X_ENUM)
#undef DP_TAP_X_ENUM
	DP_TAP_CTR_COUNT
};

enum dp_tap_mode {
	DP_TAP_UNKNOWN, /* nothing seen yet */
	DP_TAP_H1,
	DP_TAP_H2,
	DP_TAP_MODE_COUNT
};

/* One TLS connection. */
struct dp_tap_conn {
	struct dp_flow flow;      /* key, family, HTTP/1.1 state: what the stages see */
	struct dp_h2_conn *h2;    /* HTTP/2 state, NULL unless mode is H2 */
	uint64_t ssl;
	uint64_t cookie;
	uint64_t off[DP_DIR_COUNT]; /* next expected stream offset */
	uint64_t last_ns;
	uint32_t tgid;
	uint8_t mode;             /* enum dp_tap_mode */
	bool used;
};

struct dp_tap {
	struct dp_worker *w;
	struct dp_h2 h2;          /* the HTTP/2 stage's per-worker state */
	struct dp_tap_conn *conns;
	uint32_t cap;             /* a power of two */
	uint32_t count;
	uint32_t max_conns;       /* count never exceeds this (half the table) */
	uint32_t expire_pos;      /* where dp_tap_expire() goes on */
	uint64_t idle_ns;
	uint64_t ctr[DP_TAP_CTR_COUNT];
};

/*
 * Set up @t for @max_conns connections idle for at most @idle_ns, feeding
 * @w (initialised by the caller, must outlive @t).  Returns 0 or -ENOMEM.
 */
int dp_tap_init(struct dp_tap *t, struct dp_worker *w, uint32_t max_conns, uint64_t idle_ns,
		const struct dp_h2_limits *h2lim);

/* End every connection (objects in flight: obj_abandoned_end) and free.
 * Accepts a zeroed @t. */
void dp_tap_fini(struct dp_tap *t);

/*
 * One record of @size bytes from the ring at @now_ns (event time, wall
 * clock).  The record's bytes are hashed before this returns (the md5/sha1
 * lanes are flushed), so the caller may drop it afterwards.
 */
void dp_tap_record(struct dp_tap *t, const struct tlstap_rec *rec, size_t size, uint64_t now_ns);

/* Remove connections idle at @now_ns (monotonic, the records' clock);
 * looks at up to @max slots per call.  Returns the number removed. */
uint32_t dp_tap_expire(struct dp_tap *t, uint64_t now_ns, uint32_t max);

/* Name of counter @c ("holes"), "?" if unknown. */
const char *dp_tap_ctr_name(unsigned int c);

#endif
