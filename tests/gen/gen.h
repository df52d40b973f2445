/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen.h - the traffic generator library behind hashwall-gen.
 *
 * It writes synthetic HTTP/1.1 traffic as a classic libpcap file (Ethernet
 * link type) and records, for every response it puts on the wire, what a
 * correct dataplane must report about it: the expected digests of the body
 * (xxh3-128, md5, sha1, sha256), whether it must be complete, partial or
 * may be missing.  Everything is deterministic from one seed and every body
 * is PRNG bytes (tests never carry real content).
 *
 * Layers, bottom up:
 *  - gen_pcap_*: the file writer;
 *  - gen_flow_*: a TCP connection (addresses, VLAN tags, IP options or IPv6
 *    extension headers, sequence numbers) that turns stream bytes into
 *    checksummed segments, in order or following an explicit segment plan
 *    (reordering, duplicates, overlaps);
 *  - gen_http_*: request and response bytes, body framing, body digests;
 *  - gen_obj_* and gen_manifest_*: the expected objects, the "known" subset
 *    and the manifest / hash-set list files;
 *  - scenarios (gen_scenarios.c, gen_scen_*.c): named traffic patterns.
 */
#ifndef HASHWALL_TESTS_GEN_H
#define HASHWALL_TESTS_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/algo.h"

/* ---- growable byte buffer ---------------------------------------------- */

struct gen_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* Append @len bytes; returns 0 or -ENOMEM. */
int gen_buf_put(struct gen_buf *b, const void *data, size_t len);
/* Append printf-formatted text (no NUL); returns 0 or -ENOMEM. */
int gen_buf_printf(struct gen_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Free the storage and reset to empty; accepts an empty buffer. */
void gen_buf_free(struct gen_buf *b);

/* ---- pcap writer -------------------------------------------------------- */

struct gen_pcap {
	FILE *f;
	uint64_t packets;
	uint64_t bytes;  /* frame bytes written */
	uint64_t ts_us;  /* timestamp of the next packet, microseconds */
	int err;         /* first write error, sticky */
};

/* Create @path and write the global header (LINKTYPE_ETHERNET, snaplen
 * 262144).  Returns 0 or -errno. */
int gen_pcap_open(struct gen_pcap *w, const char *path);
/* Append one frame stamped ts_us, then advance ts_us by 10 us. */
int gen_pcap_write(struct gen_pcap *w, const uint8_t *frame, size_t len);
/* Flush and close; returns the first error seen (0 when none). */
int gen_pcap_close(struct gen_pcap *w);

/* ---- TCP flows ---------------------------------------------------------- */

enum gen_dir { GEN_C2S, GEN_S2C, GEN_DIR_COUNT };

#define GEN_TCP_FIN 0x01
#define GEN_TCP_SYN 0x02
#define GEN_TCP_RST 0x04
#define GEN_TCP_PSH 0x08
#define GEN_TCP_ACK 0x10

/* How a flow looks on the wire, chosen by the scenario. */
struct gen_flow_opts {
	bool ipv6;
	uint16_t vlan_outer; /* 0 = untagged */
	uint16_t vlan_inner; /* 0 = single tag; else QinQ with outer TPID 0x88a8 */
	bool ip_options;     /* IPv4: 8 bytes of options; IPv6: hop-by-hop and
	                      * destination options extension headers */
	uint16_t server_port;
	uint16_t mss;        /* 0 = 1460 */
	uint32_t server_isn; /* 0 = from the PRNG */
	bool no_acks;        /* client does not ACK server data */
	uint32_t gso;        /* 0, or bytes per data segment instead of the MSS: BIG
	                      * TCP super-frames (over 64 KiB: IPv4 total length 0,
	                      * IPv6 payload length 0) */
	bool jumbo_hbh;      /* IPv6 BIG TCP frames carry the RFC 2675 Jumbo Payload
	                      * option in a hop-by-hop header (older Linux) */
};

struct gen_ctx;

struct gen_flow {
	struct gen_ctx *ctx;
	int id;
	struct gen_flow_opts o;
	uint8_t cli[16], srv[16]; /* IPv4 uses the first 4 bytes */
	uint16_t cport;
	uint32_t isn[GEN_DIR_COUNT];
	uint64_t next[GEN_DIR_COUNT]; /* stream offset of the next new byte */
	uint32_t unacked;             /* server segments since the last ACK */
	bool fragment_next;           /* send the next data segment as two IP
	                               * fragments (IPv4, or IPv6 Fragment header) */
};

/* One segment of a plan: stream bytes [off, off+len) of a direction, taken
 * from @alt when set (overlaps carrying different data) instead of the
 * stream data. */
struct gen_seg {
	uint64_t off;
	uint32_t len;
	const uint8_t *alt;
};

/* Open a new flow with fresh addresses and ports.  Returns NULL with errno
 * set (ENOMEM).  The flow belongs to @ctx and is freed with it. */
struct gen_flow *gen_flow_new(struct gen_ctx *ctx, const struct gen_flow_opts *opts);
/* Emit SYN, SYN-ACK, ACK. */
int gen_flow_handshake(struct gen_flow *f);
/* Emit one segment at stream offset @off of @dir with @flags (ACK is
 * always added except on a bare SYN). */
int gen_flow_segment(struct gen_flow *f, enum gen_dir dir, uint64_t off, const uint8_t *data,
		     size_t len, uint8_t flags);
/* Send @len bytes in order, MSS-sized, and advance the stream. */
int gen_flow_send(struct gen_flow *f, enum gen_dir dir, const uint8_t *data, size_t len);
/* Send at most one MSS of @data from *pos on, advancing *pos and the stream
 * (for interleaving several flows). */
int gen_flow_send_step(struct gen_flow *f, enum gen_dir dir, const uint8_t *data, size_t len,
		       size_t *pos);
/* Emit @n planned segments of @data (stream bytes next[dir] ...
 * next[dir]+len), then advance the stream by @len. */
int gen_flow_send_plan(struct gen_flow *f, enum gen_dir dir, const uint8_t *data, size_t len,
		       const struct gen_seg *segs, size_t n);
/* Skip @len stream bytes without sending them (a flow picked up mid-stream
 * or bytes lost before a RST). */
void gen_flow_skip(struct gen_flow *f, enum gen_dir dir, size_t len);
/* FIN from @dir first, the other side's FIN, final ACK. */
int gen_flow_close(struct gen_flow *f, enum gen_dir first);
/* A RST from @dir. */
int gen_flow_reset(struct gen_flow *f, enum gen_dir dir);

/* Split @len bytes starting at @off into segments of at most @mss bytes.
 * Returns a malloc'ed array (free() it) and its size in *ret_n, or NULL
 * with errno set. */
struct gen_seg *gen_segs_split(uint64_t off, size_t len, size_t mss, size_t *ret_n);
/* Shuffle @segs in place (Fisher-Yates with the context PRNG). */
void gen_segs_shuffle(struct gen_ctx *ctx, struct gen_seg *segs, size_t n);

/* ---- HTTP --------------------------------------------------------------- */

enum gen_framing {
	GEN_FRAME_LENGTH,         /* Content-Length */
	GEN_FRAME_CHUNKED,        /* Transfer-Encoding: chunked */
	GEN_FRAME_CLOSE,          /* body ends with the server's FIN */
	GEN_FRAME_LENGTH_CHUNKED, /* both headers; chunked wins (RFC 9112 6.3) */
	GEN_FRAME_COUNT
};

struct gen_resp {
	int status;                /* 200, 206, 204, 304, ... */
	enum gen_framing framing;
	size_t body_len;           /* ignored for statuses without a body */
	bool head;                 /* response to HEAD: headers only */
	size_t chunk_min;          /* chunk sizes drawn in [min, max]; 0 = 4096 */
	size_t chunk_max;
	bool chunk_ext;            /* add ";name=value" chunk extensions */
	bool trailers;             /* add a trailer section */
	const char *interim;       /* 1xx responses sent first, e.g. "100" */
	const char *extra;         /* extra header lines, each ending in CRLF */
	const uint8_t *body;       /* a given body instead of fresh PRNG bytes */
	/* hostile input (scenario "hostile") */
	const char *status_line;   /* replaces "HTTP/1.1 <status> <reason>" */
	size_t chunk_ext_len;      /* first chunk line gets an extension this long */
	bool bad_chunk;            /* first chunk size is not hex */
	/* the request's Host (scenario "hosts") */
	bool http10;               /* an HTTP/1.0 request without Host */
	const char *host;          /* sent instead of the object's host ("": empty) */
};

/* Write a request line, Host and a few headers; @host NULL: an HTTP/1.0
 * request without Host. */
int gen_http_request(struct gen_buf *out, const char *method, const char *host, const char *path,
		     const char *extra);

/* The host a dataplane event reports for the Host value @sent: at most 255
 * bytes of it, control bytes, DEL and bytes over 0x7f as %XX; into @out
 * (GEN_HOST_MAX bytes).  Returns whether @sent was cut. */
bool gen_http_event_host(const char *sent, char *out);
/* Whether a response with @status to @method carries a body. */
bool gen_http_has_body(const char *method, int status);
/* Append the wire bytes of @r with body @body (r->body_len bytes; may be
 * NULL when the response has no body). */
int gen_http_response(struct gen_ctx *ctx, struct gen_buf *out, const struct gen_resp *r,
		      const uint8_t *body);

/* ---- expected objects, manifest ----------------------------------------- */

enum gen_expect {
	GEN_EXPECT_COMPLETE,   /* reported once, complete, digests equal */
	GEN_EXPECT_INCOMPLETE, /* reported once with complete=false */
	GEN_EXPECT_OPTIONAL,   /* no body (HEAD/204/304): if reported, size 0 */
	GEN_EXPECT_RESYNC,     /* after a mid-stream pickup: absent, or
	                        * complete with the right digests */
	GEN_EXPECT_UNSEEN,     /* its request was not captured: nothing may
	                        * claim it complete */
	GEN_EXPECT_ABANDONED,  /* on a connection given up on (hostile input):
	                        * absent or incomplete, never complete */
	GEN_EXPECT_REQUEST_LOST, /* its request was lost by the capture: reported
	                          * once, complete, request_lost, without URL
	                          * (found by its digests) */
	GEN_EXPECT_COUNT
};

/* Hostile inputs of scenario "hostile"; each gives up one connection. */
enum gen_hostile {
	GEN_HOSTILE_HEAD_TOO_LARGE,   /* a 20000-byte response head */
	GEN_HOSTILE_TOO_MANY_HEADERS, /* 150 header fields */
	GEN_HOSTILE_CHUNK_LINE,       /* a 5000-byte chunk-size line */
	GEN_HOSTILE_BAD_CHUNK,        /* chunk size "zz" */
	GEN_HOSTILE_BAD_STATUS,       /* "HTTX/9.9 two hundred" */
	GEN_HOSTILE_BAD_REQUEST,      /* a request line without spaces */
	GEN_HOSTILE_UPGRADE,          /* 101, then bytes that look like HTTP */
	GEN_HOSTILE_COUNT
};

/* Manifest min_counters key of each hostile input. */
extern const char *const gen_hostile_names[GEN_HOSTILE_COUNT];

enum gen_known { GEN_KNOWN_NEVER, GEN_KNOWN_MAYBE, GEN_KNOWN_ALWAYS, GEN_KNOWN_COUNT };

#define GEN_HOST_MAX (3 * 255 + 1) /* a host as an event reports it */

struct gen_obj {
	int flow;
	const char *scenario;
	char host[GEN_HOST_MAX];
	bool host_truncated;
	char path[128];
	char method[8];
	int status;
	uint64_t size;
	uint64_t resp_off; /* stream offset of the status line (server side) */
	bool partial;
	bool stitched;     /* the whole a dataplane stitches from ranges: no wire bytes */
	enum gen_expect expect;
	enum gen_known known_pref;
	uint8_t dig[HWALL_ALGO_COUNT][HWALL_DIGEST_MAX];
	/* filled by gen_known_choose() */
	bool known;
	enum hwall_algo known_algo;
	uint8_t category;
	uint32_t ref;
};

/* The algorithms gen_digest_all() computes: the table's streamed ones
 * (xxh3 and OpenSSL EVP kinds, not perceptual hashes of images). */
unsigned int gen_digest_mask(void);

/* Compute the digests of gen_digest_mask() of @body into @dig (the
 * others stay zero). */
void gen_digest_all(const uint8_t *body, size_t len, uint8_t dig[HWALL_ALGO_COUNT][HWALL_DIGEST_MAX]);

/* ---- context ------------------------------------------------------------ */

struct gen_bench_params {
	uint64_t total_bytes; /* HTTP response bytes to generate */
	double mean;          /* mean body size, bytes */
	double sigma;         /* sigma of the underlying normal */
	unsigned conns;       /* connections interleaved */
	uint64_t max_body;    /* cap on one body */
};

/* 130 MiB, mean 60000, sigma 1.0, 16 connections, bodies up to 8 MiB. */
extern const struct gen_bench_params gen_bench_default;

struct gen_ctx {
	uint64_t seed;
	uint64_t rng;
	struct gen_pcap pcap;
	struct gen_flow **flows;
	size_t nflows, flows_cap;
	struct gen_obj *objs;
	size_t nobjs, objs_cap;
	const char *scenario; /* the scenario running now */
	uint32_t path_seq;
	uint16_t next_cport;
	uint32_t next_host;
	struct gen_bench_params bench;
	double known_fraction;
	unsigned int known_algos; /* 1u << enum hwall_algo; the list rotates over them */
	uint64_t min_overlap_conflicts; /* scenarios that must trip it */
	uint64_t min_midstream;
	uint64_t min_clte;
	uint64_t min_nonhttp_packets;
	uint64_t min_rst_abandoned;   /* objects cut by a RST */
	uint64_t min_ooo_segments;    /* segments that arrive before a gap closes */
	uint64_t min_retrans_bytes;   /* bytes sent again after delivery */
	uint64_t min_hostile[GEN_HOSTILE_COUNT];
	uint64_t min_fragments;       /* IP fragment packets */
	uint64_t min_idle_timeouts;   /* flows idle longer than 120 s */
	uint64_t min_acked_gaps;      /* holes the receiver acknowledged (lost by the capture) */
};

/* Next PRNG value of the context (splitmix64). */
uint64_t gen_rand(struct gen_ctx *ctx);
/* Uniform in [lo, hi]. */
uint64_t gen_rand_range(struct gen_ctx *ctx, uint64_t lo, uint64_t hi);
/* Lognormal with the given mean and sigma (of the underlying normal). */
double gen_rand_lognormal(struct gen_ctx *ctx, double mean, double sigma);

/* Set up a context writing to @pcap_path.  Returns 0 or -errno. */
int gen_ctx_init(struct gen_ctx *ctx, uint64_t seed, const char *pcap_path);
/* Close the pcap and free flows and objects; accepts a zeroed context. */
int gen_ctx_finish(struct gen_ctx *ctx);

/* Append an expected object; returns it (owned by @ctx, valid until the
 * next gen_obj_add) or NULL with errno set. */
struct gen_obj *gen_obj_add(struct gen_ctx *ctx, const struct gen_flow *f, const char *method,
			    const char *path, int status);
/* A fresh unique path "/<scenario>/<n>-<tag>" in @out (128 bytes). */
void gen_path(struct gen_ctx *ctx, char *out, const char *tag);

/*
 * One request/response exchange on @f: send the request, register the
 * object with @expect, send the response in order with a fresh PRNG body.
 * *ret_obj_index (may be NULL) receives the object's index.
 */
int gen_exchange(struct gen_flow *f, const char *method, const char *tag, const struct gen_resp *r,
		 enum gen_expect expect, size_t *ret_obj_index);
/*
 * Register an object and append its request to @req and its response to
 * @resp; the response's stream offset is @resp_base + resp->len.  For
 * pipelining and for scenarios that put the bytes on the wire themselves.
 */
int gen_obj_build(struct gen_flow *f, const char *method, const char *tag,
		  const struct gen_resp *r, enum gen_expect expect, struct gen_buf *req,
		  struct gen_buf *resp, uint64_t resp_base, size_t *ret_obj_index);
/*
 * The first half of gen_exchange(): send the request, register the object
 * and build the response bytes into @resp (the caller sends them and frees
 * @resp).  The object's resp_off is the flow's current server offset.
 */
int gen_exchange_prepare(struct gen_flow *f, const char *method, const char *tag,
			 const struct gen_resp *r, enum gen_expect expect, struct gen_buf *resp,
			 size_t *ret_obj_index);
/*
 * A flow with a handshake, @n GETs (bodies of min_len..max_len bytes,
 * alternately Content-Length and chunked, all complete, path tags from
 * @tags or "obj") and FINs.  *ret_first (may be NULL) receives the index of
 * the first object.
 */
int gen_flow_objects(struct gen_ctx *ctx, const struct gen_flow_opts *o, size_t n, size_t min_len,
		     size_t max_len, const char *const *tags, size_t *ret_first);
/* Build a PRNG body of @len bytes (malloc'ed, at least 1 byte allocated). */
uint8_t *gen_body(struct gen_ctx *ctx, size_t len);

/* Mark objects as known: those with GEN_KNOWN_ALWAYS, plus about
 * ctx->known_fraction of the GEN_KNOWN_MAYBE ones; every object whose body
 * equals a known body is marked as well.  Algorithms rotate over those in
 * ctx->known_algos (gen_digest_mask() by default). */
void gen_known_choose(struct gen_ctx *ctx);
/* Write the manifest JSON to @path.  Returns 0 or -errno. */
int gen_manifest_write(const struct gen_ctx *ctx, const char *path, const char *set_id);
/* Write the known objects in hashwall-set LIST format.  Returns 0 or -errno. */
int gen_list_write(const struct gen_ctx *ctx, const char *path);

/* ---- scenarios ---------------------------------------------------------- */

struct gen_scenario {
	const char *name;
	const char *help;
	int (*run)(struct gen_ctx *ctx);
	bool in_all; /* part of "all" */
};

/* The table of scenarios, ended by a NULL name. */
extern const struct gen_scenario gen_scenarios[];
/* Find a scenario by name; NULL when unknown. */
const struct gen_scenario *gen_scenario_find(const char *name);
/* Run the named scenario, setting ctx->scenario. */
int gen_scenario_run(struct gen_ctx *ctx, const struct gen_scenario *s);

#endif
