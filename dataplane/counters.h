/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * counters.h - the one table of dataplane counters.
 *
 * DP_DROP_TABLE lists every reason for which a packet, a segment, an
 * object, a whole connection or a set hit is skipped, dropped or given up
 * on; each such event increments exactly one of them.  DP_INFO_TABLE lists
 * the counters that only describe the traffic (objects seen, matches,
 * evictions that lost nothing).  Both X-macro tables generate the enum, the
 * names printed in the stats event and the per-worker arrays (struct
 * dp_counters), so a reason cannot exist without a name or a counter.
 * Counters are per worker: no atomics.
 */
#ifndef HASHWALL_DATAPLANE_COUNTERS_H
#define HASHWALL_DATAPLANE_COUNTERS_H

#include <stdint.h>

#include "dataplane/pdq/pdq_counters.h"

/* X(name, what it counts) */
#define DP_DROP_TABLE(X)                                                                     \
	/* packets (parse.c) */                                                              \
	X(pkt_truncated, "packet shorter than its headers claim")                           \
	X(pkt_not_ip, "ethertype is neither IPv4 nor IPv6")                                 \
	X(pkt_bad_ip, "bad IP version, header length or total length")                      \
	X(pkt_ip_fragment, "IPv4 or IPv6 fragment (not reassembled)")                       \
	X(pkt_ipv6_ext_limit, "more IPv6 extension headers than we walk, or ESP/AH-less")   \
	X(pkt_not_tcp, "IP payload is not TCP")                                             \
	X(pkt_bad_tcp, "TCP data offset out of range")                                      \
	X(pkt_not_http_port, "neither port is a configured HTTP port")                      \
	X(pkt_no_mbuf, "frame of a streamed replay not loaded: its mbuf pool was exhausted") \
	/* flows (flow.c) */                                                                 \
	X(pkt_flow_unusable, "packet of a connection already given up on")                 \
	X(pkt_no_flow, "non-data packet of an unknown connection")                          \
	/* segments (reasm.c) */                                                             \
	X(seg_duplicate, "segment holding only bytes already delivered")                    \
	X(seg_out_of_window, "segment more than the window ahead of the stream")            \
	X(seg_after_fin, "payload beyond the FIN sequence")                                 \
	X(seg_unsynced, "segment of a picked-up flow before a message boundary")            \
	X(seg_overlap_conflict, "overlap carrying different bytes (object incomplete)")     \
	X(seg_ooo_no_room, "out-of-order segment over the global cap or pool")              \
	X(reasm_gap, "hole skipped because the out-of-order cap was reached")               \
	X(reasm_gap_acked, "hole skipped at once: the receiver acknowledged past it")       \
	/* connections given up (http.c, body.c) */                                          \
	X(http_header_too_large, "message head longer than max_header_bytes")               \
	X(http_too_many_headers, "more header fields than max_headers")                     \
	X(http_bad_request, "malformed request line or header")                             \
	X(http_bad_response, "malformed status line or header")                             \
	X(http_bad_chunk, "malformed chunk size line or chunk end")                         \
	X(http_chunk_line_too_long, "chunk size line longer than max_chunk_line")          \
	X(http_pipeline_full, "more pipelined requests pending than max_pending")           \
	X(http_upgrade, "101, CONNECT or HTTP/2 preface: no longer HTTP/1.1")               \
	X(http_no_memory, "header buffer, request or object pool exhausted")                \
	/* HTTP/2 connections given up (http2.c) */                                         \
	X(h2_protocol_error, "HTTP/2 frame violating RFC 9113 (preface, stream 0, length, padding, order)") \
	X(h2_block_too_large, "HTTP/2 header block or buffered frame over max_block")      \
	X(h2_header_list_too_large, "HTTP/2 decoded header list over max_header_list")      \
	X(h2_hpack_error, "HPACK block the inflater refused")                              \
	X(h2_hpack_table_too_large, "SETTINGS_HEADER_TABLE_SIZE over max_table")          \
	X(h2_too_many_streams, "more HTTP/2 streams open at once than max_streams")        \
	X(h2_gap_in_frame, "hole in an HTTP/2 frame header or header block: framing lost")  \
	/* objects (body.c, worker.c) */                                                     \
	X(obj_too_large, "body over max_object_bytes: hashing stopped")                     \
	X(obj_abandoned_rst, "object in flight when the connection was reset")              \
	X(obj_abandoned_evicted, "object in flight when its flow was evicted")              \
	X(obj_abandoned_timeout, "object in flight when its flow timed out")                \
	X(obj_abandoned_conn, "object in flight when its connection was given up")          \
	X(obj_abandoned_end, "object in flight at the end of the capture")                  \
	X(obj_abandoned_reused, "object in flight when a new SYN reused the connection")     \
	X(obj_truncated_fin, "connection closed before the framed body ended")              \
	X(obj_incomplete, "object ended with holes or conflicting overlaps")                \
	X(obj_response_lost, "request whose response head was lost in a hole (URL, no body)") \
	X(obj_h2_reset, "HTTP/2 object in flight when its stream was reset (RST_STREAM)")   \
	/* matches (verdict.c) */                                                            \
	X(allowlisted, "set hit skipped: the digest is in the local allowlist")

#define DP_INFO_TABLE(X)                                                                    \
	X(flows_created, "connections added to the flow table")                             \
	X(flows_midstream, "connections first seen without a SYN")                          \
	X(flows_evicted, "flows evicted because the table was full")                        \
	X(flows_timed_out, "flows removed after their idle timeout")                        \
	X(flows_closed, "flows removed after FIN in both directions or RST")               \
	X(flows_reused, "flows replaced by a new connection on the same 4-tuple")           \
	X(seg_out_of_order, "segments held for later delivery")                             \
	X(seg_retransmit_bytes, "bytes received again and not hashed twice")                \
	X(http_requests, "request heads parsed")                                            \
	X(http_responses, "response heads parsed")                                          \
	X(http_no_body, "responses without a body (HEAD, 1xx, 204, 304)")                  \
	X(http_unpaired, "responses whose request was lost or not captured: request_lost")  \
	X(http_requests_lost, "holes in the requests where a request head may have been")   \
	X(http_resync_head, "resynchronised after a hole in a head or between messages")    \
	X(http_resync_chunk, "resynchronised after a hole in chunked framing")              \
	X(http_resync_overrun, "resynchronised after a hole past the end of a body")        \
	X(http_resync_rejected, "candidate heads after a hole that failed validation")      \
	X(http_cl_and_te, "Content-Length and chunked both present: chunked used")          \
	X(http_path_truncated, "request-target longer than the stored path")               \
	X(http_host_truncated, "Host longer than the stored host (255 bytes): cut, flagged")  \
	X(h2_streams, "HTTP/2 request streams (also counted in http_requests)")           \
	X(objects, "response and upload bodies that ended or were abandoned")               \
	X(objects_complete, "objects whose every body byte was hashed in order")            \
	X(objects_partial, "206 bodies (hashed, flagged partial)")                          \
	X(objects_decoded, "complete objects whose Content-Encoding was decoded and hashed") \
	X(decode_errors, "complete objects whose encoded stream was corrupt or cut")         \
	X(decode_capped, "objects whose decoding hit the size or ratio cap (a bomb)")        \
	X(objects_upload, "request bodies (PUT, POST) hashed as objects (also in objects)")  \
	X(uploads_unhashed, "request bodies only framed: no object or request free")         \
	X(objects_stitched, "whole objects stitched from 206 ranges (also in objects)")     \
	X(stitch_evicted, "range stitchings dropped for room or after their idle timeout")  \
	X(stitch_broken, "range stitchings dropped: a range of them ended incomplete")      \
	X(matches, "digest hits in a loaded set")                                           \
	X(digest_mbh_full, "objects with md5/sha1 on OpenSSL: every mbhash stream was open")

enum dp_drop {
#define DP_X_ENUM(name, desc) DP_DROP_##name,
	DP_DROP_TABLE(DP_X_ENUM)
#undef DP_X_ENUM
	DP_DROP_COUNT
};

enum dp_info {
#define DP_X_ENUM(name, desc) DP_INFO_##name,
	DP_INFO_TABLE(DP_X_ENUM)
#undef DP_X_ENUM
	DP_INFO_COUNT
};

/* One worker's counters; only that worker writes them. */
struct dp_counters {
	uint64_t drop[DP_DROP_COUNT];
	uint64_t info[DP_INFO_COUNT];
	uint64_t pdq[DP_PDQ_COUNT]; /* the PDQ stage's (dataplane/pdq/pdq_counters.h) */
	uint64_t packets;    /* packets given to the pipeline */
	uint64_t bytes;      /* their wire bytes */
	uint64_t body_bytes; /* decoded body bytes hashed */
};

/* Name of a drop reason or info counter ("pkt_truncated"); "?" if unknown. */
const char *dp_drop_name(enum dp_drop d);
const char *dp_info_name(enum dp_info i);
const char *dp_pdq_ctr_name(enum dp_pdq_ctr c);

/* Add @src into @dst (the stats of several workers or passes). */
void dp_counters_add(struct dp_counters *dst, const struct dp_counters *src);

#endif
