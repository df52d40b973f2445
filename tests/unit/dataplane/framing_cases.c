/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * framing_cases.c - the rows of the HTTP framing tests (framing_cases.h).
 * A row's name is also the name of its fuzz seed: lower case, digits and
 * '-' only, unique in its table.
 */
#include "framing_cases.h"

#define A10 "aaaaaaaaaa"
#define A100 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10

#define GET_ROOT "GET / HTTP/1.1\r\n\r\n"

/* Bytes over 0x7f, as a Host may hold them. */
#define C3_5 "\xc3\xc3\xc3\xc3\xc3"
#define C3_50 C3_5 C3_5 C3_5 C3_5 C3_5 C3_5 C3_5 C3_5 C3_5 C3_5
#define C3_100 C3_50 C3_50
#define OK_1(body) "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" body

/* Limits: the defaults, or small ones that a few bytes reach. */
#define LIM_DEFAULT .max_header_bytes = 0
#define LIM_SMALL .max_header_bytes = 64, .max_headers = 2, .max_pending = 2, .max_object_bytes = 4
/* ... and per-worker pools of one head buffer and one waiting request. */
#define LIM_POOLS LIM_SMALL, .max_heads = 1, .max_requests = 1

/* "hello hello hello hello hello hello!" (36 bytes) as gzip (30 bytes),
 * zlib (18) and raw deflate (12), made by Python's gzip and zlib. */
#define HELLO36 "hello hello hello hello hello hello!"
#define GZ_HELLO                                                                            \
	"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xcb\x48\xcd\xc9\xc9\x57\xc8\xc0\x47\x2a"  \
	"\x02\x00\xb3\x59\xe1\x6b\x24\x00\x00\x00"
#define ZLIB_HELLO "\x78\x9c\xcb\x48\xcd\xc9\xc9\x57\xc8\xc0\x47\x2a\x02\x00\xf8\x8f\x0d\x3a"
#define RAW_HELLO "\xcb\x48\xcd\xc9\xc9\x57\xc8\xc0\x47\x2a\x02\x00"
#define CODED_200(coding, len)                                                              \
	"HTTP/1.1 200 OK\r\nContent-Encoding: " coding "\r\nContent-Length: " len "\r\n\r\n"

/* A 206 head with Content-Range @cr, ETag @etag and Content-Length @len. */
#define RANGE_206(cr, etag, len)                                                            \
	"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " cr "\r\nETag: " etag        \
	"\r\nContent-Length: " len "\r\n\r\n"

/* /1, /2 and /3 answered A, B and C; the request for /2 was lost. */
#define LOST_REQUEST_2_OF_3                                                                 \
	.objs = { { "complete", 200, 1, false, "A", "GET", NULL, "/1" },                    \
		  { "complete", 200, 1, false, "B", .request_lost = true },                 \
		  { "complete", 200, 1, false, "C", "GET", NULL, "/3" } },                  \
	.counters = { { "http_unpaired", 1 }, { "http_requests_lost", 1 },                  \
		      { "http_resync_head", 1 } },                                          \
	.idle = true

/* Row @row: a request, and a response that gives the connection up. */
#define BAD_RESPONSE(row, response)                                                         \
	{                                                                                   \
		.name = (row),                                                              \
		.steps = { { FC_C2S(GET_ROOT) }, { FC_S2C(response), .ret = -1 } },         \
		.counters = { { "http_bad_response", 1 } },                                 \
		.dead = true,                                                               \
	}

/* Row @row: a connection given up in its first request, for @reason; it
 * holds a buffer or a request until released unless @idle. */
#define BAD_REQUEST(row, request, reason, idle_after, limits)                               \
	{                                                                                   \
		.name = (row), .lim = { limits },                                           \
		.steps = { { FC_C2S(request), .ret = -1 } },                                \
		.counters = { { (reason), 1 } },                                            \
		.dead = true, .idle = (idle_after),                                         \
	}

const struct fc_http_case fc_http_cases[] = {
	{
		.name = "simple-get",
		.steps = { { FC_C2S("GET /a/b?c=d HTTP/1.1\r\nHost: ex.example\r\n\r\n") },
			   { FC_S2C("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), .objs = 1 } },
		.objs = { { "complete", 200, 5, false, "hello", "GET", "ex.example", "/a/b?c=d" } },
		.counters = { { "objects", 1 }, { "objects_complete", 1 }, { "http_requests", 1 },
			      { "http_responses", 1 } },
		.idle = true,
	},
	{
		.name = "pipelining-pairs-in-order",
		.steps = { { FC_C2S("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
				    "HEAD /2 HTTP/1.1\r\nHost: a\r\n\r\n"
				    "POST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"
				    "GET /4 HTTP/1.1\r\nHost: a\r\n\r\n"),
			     .objs = 1, .check_pending = true, .pending = 4 },
			   { FC_S2C("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
				    "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"
				    "HTTP/1.1 100 Continue\r\n\r\n"
				    "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nBB"
				    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				    "3\r\nCCC\r\n0\r\n\r\n"),
			     .objs = 4, .check_pending = true, .pending = 0 } },
		.objs = { { "complete", 0, 4, false, "body", "POST", "a", "/3", .upload = true },
			  { "complete", 200, 1, false, "A", "GET", "a", "/1" },
			  { "complete", 201, 2, false, "BB", "POST", "a", "/3" },
			  { "complete", 200, 3, false, "CCC", "GET", "a", "/4" } },
		.counters = { { "http_no_body", 2 }, /* HEAD and 100 */
			      { "objects_complete", 4 }, { "objects_upload", 1 } },
		.idle = true,
	},
	{
		.name = "no-body-statuses",
		.steps = { { FC_C2S("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n") },
			   { FC_S2C("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
				    "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"
				    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
			     .objs = 1 } },
		/* the empty 200 is an object, 204 and 304 are not */
		.objs = { { "complete", 200, 0, false, "", "GET", NULL, "/3" } },
		.counters = { { "http_no_body", 2 } },
		.idle = true,
	},
	{
		.name = "cl-and-te-chunked-wins",
		.steps = { { FC_C2S("GET /x HTTP/1.1\r\n\r\n") },
			   { FC_S2C("HTTP/1.1 206 Partial Content\r\nContent-Length: 100\r\n"
				    "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"),
			     .objs = 1 } },
		.objs = { { "complete", 206, 2, true, "ab", NULL, NULL, "/x" } },
		.counters = { { "http_cl_and_te", 1 }, { "objects_partial", 1 } },
		.idle = true,
	},
	{
		.name = "close-delimited-and-fin",
		.steps = { { FC_C2S("GET http://abs.example/p HTTP/1.0\r\n\r\n") },
			   { FC_S2C("HTTP/1.0 200 OK\r\n\r\nuntil") },
			   { FC_S2C(" close") },
			   { .op = FC_FIN, .dir = DP_DIR_S2C, .objs = 1 } },
		.objs = { { "complete", 200, 11, false, "until close", "GET", "abs.example", "/p" } },
		.idle = true,
	},
	{
		.name = "fin-truncates-framed-body",
		.steps = { { FC_C2S(GET_ROOT) },
			   { FC_S2C("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc") },
			   { .op = FC_FIN, .dir = DP_DIR_S2C, .objs = 1 } },
		.objs = { { "obj_truncated_fin", 200, 3 } },
		.counters = { { "obj_truncated_fin", 1 } },
		.idle = true,
	},
	{
		.name = "gap-in-length-body",
		.steps = { { FC_C2S("GET / HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n") },
			   { FC_S2C("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc") },
			   { .op = FC_GAP, .dir = DP_DIR_S2C, .len = 4 },
			   { FC_S2C("xyz"), .objs = 1 },
			   { FC_S2C("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nZ"), .objs = 2 } },
		.objs = { { "obj_incomplete", 200, 6 }, { "complete", 200, 1, false, "Z", NULL, NULL, "/2" } },
		.counters = { { "obj_incomplete", 1 } },
		.idle = true,
	},
	{
		/* A hole in a response head: resynchronised on the next status
		 * line; the request it answered is reported (obj_response_lost),
		 * the next response paired by its ACK (issue 16). */
		.name = "gap-in-head-resyncs",
		.steps = { { FC_C2S("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n") },
			   { FC_S2C("HTTP/1.1 2") },
			   { .op = FC_GAP, .dir = DP_DIR_S2C, .len = 40 },
			   { FC_S2C("ead tail\r\n" OK_1("Z")), .objs = 2 } },
		.objs = { { "obj_response_lost", 0, 0, false, NULL, "GET", NULL, "/1" },
			  { "complete", 200, 1, false, "Z", "GET", NULL, "/2" } },
		.counters = { { "http_resync_head", 1 }, { "obj_response_lost", 1 } },
		.idle = true,
	},
	{
		.name = "gap-in-chunk-size-line",
		.steps = { { FC_C2S("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n") },
			   { FC_S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n") },
			   { .op = FC_GAP, .dir = DP_DIR_S2C, .len = 5, .objs = 1 },
			   { FC_S2C("\r\nxyz\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
			     .objs = 2 } },
		.objs = { { "obj_incomplete", 200, 3, false, NULL, "GET", NULL, "/1" },
			  { "complete", 200, 2, false, "ok", "GET", NULL, "/2" } },
		.counters = { { "http_resync_chunk", 1 }, { "obj_incomplete", 1 } },
		.idle = true,
	},
	{
		/* Within one chunk's data the framing holds: no resync. */
		.name = "gap-in-chunk-data",
		.steps = { { FC_C2S(GET_ROOT) },
			   { FC_S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nabc") },
			   { .op = FC_GAP, .dir = DP_DIR_S2C, .len = 4 },
			   { FC_S2C("hij\r\n0\r\n\r\n"), .objs = 1 } },
		.objs = { { "obj_incomplete", 200, 6 } },
		.counters = { { "obj_incomplete", 1 } },
		.idle = true,
	},
	{
		/* A hole past the end of a body took the next head with it. */
		.name = "gap-past-body-end",
		.steps = { { FC_C2S("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n") },
			   { FC_S2C("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab") },
			   { .op = FC_GAP, .dir = DP_DIR_S2C, .len = 30, .objs = 1 },
			   { FC_S2C("th: 2\r\n\r\nBB"), .objs = 1 },
			   { FC_S2C(OK_1("C")), .objs = 3 } },
		.objs = { { "obj_incomplete", 200, 2, false, NULL, "GET", NULL, "/1" },
			  { "obj_response_lost", 0, 0, false, NULL, "GET", NULL, "/2" },
			  { "complete", 200, 1, false, "C", "GET", NULL, "/3" } },
		.counters = { { "http_resync_overrun", 1 }, { "obj_incomplete", 1 },
			      { "obj_response_lost", 1 } },
		.idle = true,
	},
	{
		/* A candidate whose head does not parse is skipped. */
		.name = "resync-rejects-bad-candidate",
		.steps = { { FC_C2S("GET /1 HTTP/1.1\r\n\r\n") },
			   { .op = FC_GAP, .dir = DP_DIR_S2C, .len = 20 },
			   { FC_S2C("HTTP/1.1 200 x\r\nno colon\r\n\r\n" OK_1("Z")), .objs = 1 } },
		.objs = { { "complete", 200, 1, false, "Z", "GET", NULL, "/1" } },
		.counters = { { "http_resync_rejected", 1 }, { "http_resync_head", 1 } },
		.idle = true,
	},
	{
		/* A response head lost and nothing after it: the request is
		 * still reported when the connection ends. */
		.name = "lost-response-at-release",
		.steps = { { FC_C2S("GET /1 HTTP/1.1\r\n\r\n") },
			   { .op = FC_GAP, .dir = DP_DIR_S2C, .len = 10 } },
		.objs = { { "obj_response_lost", 0, 0, false, NULL, "GET", NULL, "/1" } },
		.counters = { { "obj_response_lost", 1 } },
	},
	{
		/* A lost response on a keep-alive connection (one request at a
		 * time): the next response's ACK names its request. */
		.name = "lost-response-keepalive",
		.steps = { { FC_C2S("GET /1 HTTP/1.1\r\n\r\n") },
			   { FC_S2C(OK_1("A")), .objs = 1 },
			   { FC_C2S("GET /2 HTTP/1.1\r\n\r\n"), .objs = 1 },
			   { FC_S2C("HTTP/1.1 200 OK\r\nContent-Len"), .objs = 1 },
			   { .op = FC_GAP, .dir = DP_DIR_S2C, .len = 30, .objs = 1 },
			   { FC_S2C("xxxx"), .objs = 1 },
			   { FC_C2S("GET /3 HTTP/1.1\r\n\r\n"), .objs = 1 },
			   { FC_S2C(OK_1("C")), .objs = 3 } },
		.objs = { { "complete", 200, 1, false, "A", "GET", NULL, "/1" },
			  { "obj_response_lost", 0, 0, false, NULL, "GET", NULL, "/2" },
			  { "complete", 200, 1, false, "C", "GET", NULL, "/3" } },
		.counters = { { "obj_response_lost", 1 }, { "http_resync_head", 1 } },
		.idle = true,
	},
	{
		/* A lost request among pipelined ones: only its response has
		 * no URL (request_lost), the next one keeps its own. */
		.name = "lost-request-pipelined",
		.steps = { { FC_C2S("GET /1 HTTP/1.1\r\n\r\n") },
			   { .op = FC_GAP, .dir = DP_DIR_C2S, .len = 18 },
			   { FC_C2S("GET /3 HTTP/1.1\r\n\r\n"), .check_pending = true, .pending = 3 },
			   { FC_S2C(OK_1("A") OK_1("B") OK_1("C")), .objs = 3 } },
		LOST_REQUEST_2_OF_3,
	},
	{
		/* One request at a time: the response to the lost request
		 * comes before the hole shows (its ACK covers bytes not seen). */
		.name = "lost-request-keepalive",
		.steps = { { FC_C2S("GET /1 HTTP/1.1\r\n\r\n") },
			   { FC_S2C(OK_1("A")), .objs = 1 },
			   { FC_S2C(OK_1("B")), .objs = 2, .ack_adj = 18 },
			   { .op = FC_GAP, .dir = DP_DIR_C2S, .len = 18, .objs = 2 },
			   { FC_C2S("GET /3 HTTP/1.1\r\n\r\n"), .objs = 2, .check_pending = true,
			     .pending = 1 },
			   { FC_S2C(OK_1("C")), .objs = 3 } },
		LOST_REQUEST_2_OF_3,
	},
	{
		/* A 206 of the whole file is the whole object (issue 16). */
		.name = "range-whole-file",
		.steps = { { FC_C2S("GET /w HTTP/1.1\r\n\r\n") },
			   { FC_S2C("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-4/5\r\n"
				    "Content-Length: 5\r\n\r\nhello"), .objs = 1 } },
		.objs = { { "complete", 206, 5, false, "hello", "GET", NULL, "/w" } },
		.idle = true,
	},
	{
		/* Ranges of one URL and ETag from byte 0, the second overlapping
		 * the first: one more object, the whole file's digest. */
		.name = "ranges-stitched",
		.steps = { { FC_C2S("GET /v HTTP/1.1\r\nHost: h\r\n\r\nGET /v HTTP/1.1\r\nHost: h\r\n\r\n"
				    "GET /v HTTP/1.1\r\nHost: h\r\n\r\n") },
			   { FC_S2C(RANGE_206("0-3/10", "\"e1\"", "4") "abcd"), .objs = 1 },
			   { FC_S2C(RANGE_206("2-6/10", "\"e1\"", "5") "cdefg"), .objs = 2 },
			   { FC_S2C(RANGE_206("7-9/10", "\"e1\"", "3") "hij"), .objs = 4 } },
		.objs = { { "complete", 206, 4, true, "abcd", "GET", "h", "/v" },
			  { "complete", 206, 5, true, "cdefg", "GET", "h", "/v" },
			  { "complete", 206, 3, true, "hij", "GET", "h", "/v" },
			  { "complete", 206, 10, false, "abcdefghij", "GET", "h", "/v", .stitched = true } },
		.counters = { { "objects_stitched", 1 }, { "objects_partial", 3 }, { "objects", 4 } },
		.idle = true,
	},
	{
		/* Not from byte 0, another validator, a range left incomplete:
		 * nothing stitched. */
		.name = "ranges-not-stitched",
		.steps = { { FC_C2S("GET /v HTTP/1.1\r\n\r\nGET /v HTTP/1.1\r\n\r\nGET /v HTTP/1.1\r\n\r\n"
				    "GET /v HTTP/1.1\r\n\r\n") },
			   { FC_S2C(RANGE_206("3-5/6", "\"e1\"", "3") "def"), .objs = 1 },
			   { FC_S2C(RANGE_206("0-2/6", "\"e1\"", "3") "abc"), .objs = 2 },
			   { FC_S2C(RANGE_206("3-5/6", "\"e2\"", "3") "def"), .objs = 3 },
			   { FC_S2C(RANGE_206("3-5/6", "\"e1\"", "3") "d"), .objs = 3 },
			   { .op = FC_GAP, .dir = DP_DIR_S2C, .len = 1, .objs = 3 },
			   { FC_S2C("f"), .objs = 4 } },
		.objs = { { "complete", 206, 3, true, "def" }, { "complete", 206, 3, true, "abc" },
			  { "complete", 206, 3, true, "def" }, { "obj_incomplete", 206, 2, true } },
		.counters = { { "objects_stitched", 0 }, { "stitch_broken", 1 }, { "obj_incomplete", 1 } },
		.idle = true,
	},
	{
		/* Content-Encoding gzip, deflate (zlib format), deflate (raw,
		 * as some servers send it, chunked): the decoded body is hashed
		 * too (issue 16). */
		.name = "encodings-decoded",
		.steps = { { FC_C2S("GET /g HTTP/1.1\r\n\r\nGET /z HTTP/1.1\r\n\r\nGET /r HTTP/1.1\r\n\r\n"
				    "GET /l HTTP/1.1\r\n\r\n") },
			   { FC_S2C(CODED_200("gzip", "30") GZ_HELLO), .objs = 1 },
			   { FC_S2C(CODED_200("deflate", "18") ZLIB_HELLO), .objs = 2 },
			   { FC_S2C("HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n"
				    "Transfer-Encoding: chunked\r\n\r\nc\r\n" RAW_HELLO "\r\n0\r\n\r\n"),
			     .objs = 3 },
			   { FC_S2C(CODED_200("gzip, br", "5") "hello"), .objs = 4 } },
		.objs = { { "complete", 200, 30, .path = "/g", .decoded = HELLO36 },
			  { "complete", 200, 18, .path = "/z", .decoded = HELLO36 },
			  { "complete", 200, 12, .path = "/r", .decoded = HELLO36 },
			  { "complete", 200, 5, false, "hello", .path = "/l" } },
		.counters = { { "objects_decoded", 3 } },
		.idle = true,
	},
	{
		/* Decoded bytes over the object cap (32 here), and a body that
		 * is no gzip: hashed as sent, not decoded. */
		.name = "encodings-capped-or-corrupt",
		.lim = { .max_object_bytes = 32 },
		.steps = { { FC_C2S("GET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n") },
			   { FC_S2C(CODED_200("gzip", "30") GZ_HELLO), .objs = 1 },
			   { FC_S2C(CODED_200("gzip", "8") "not gzip"), .objs = 2 } },
		.objs = { { "complete", 200, 30, .path = "/b" },
			  { "complete", 200, 8, false, "not gzip", .path = "/c" } },
		.counters = { { "objects_decoded", 0 }, { "decode_capped", 1 }, { "decode_errors", 1 } },
		.idle = true,
	},
	{
		/* Request bodies of PUT and POST are objects too (uploads,
		 * issue 16), Content-Length or chunked; a hole makes one
		 * incomplete; other methods' bodies and empty ones are only
		 * framed. */
		.name = "uploads-hashed",
		.steps = { { FC_C2S("PUT /u/1 HTTP/1.1\r\nHost: up\r\nContent-Length: 5\r\n\r\nhello"),
			     .objs = 1 },
			   { FC_S2C("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"), .objs = 2 },
			   { FC_C2S("POST /u/2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
				    "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
				    "DELETE /u/3 HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz"
				    "POST /u/5 HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
				    "POST /u/4 HTTP/1.1\r\nContent-Length: 6\r\n\r\nab"), .objs = 3 },
			   { .op = FC_GAP, .dir = DP_DIR_C2S, .len = 2, .objs = 3 },
			   { FC_C2S("ef"), .objs = 4 } },
		.objs = { { "complete", 0, 5, false, "hello", "PUT", "up", "/u/1", .upload = true },
			  { "complete", 201, 2, false, "ok", "PUT", "up", "/u/1" },
			  { "complete", 0, 5, false, "abcde", "POST", NULL, "/u/2", .upload = true },
			  { "obj_incomplete", 0, 4, false, NULL, "POST", NULL, "/u/4", .upload = true } },
		.counters = { { "objects_upload", 3 }, { "obj_incomplete", 1 } },
	},
	{
		/* Whatever the client sent as its Host, the response is hashed:
		 * none (HTTP/1.0), an empty one, one cut to 255 bytes (issue 14). */
		.name = "host-absent-empty-or-long",
		.steps = { { FC_C2S("GET /a HTTP/1.0\r\n\r\n") },
			   { FC_S2C(OK_1("x")), .objs = 1 },
			   { FC_C2S("GET /b HTTP/1.1\r\nHost:\r\n\r\n"), .objs = 1 },
			   { FC_S2C(OK_1("y")), .objs = 2 },
			   { FC_C2S("GET /c HTTP/1.1\r\nHost: " C3_100 C3_100 C3_100 "\r\n\r\n"),
			     .objs = 2 },
			   { FC_S2C(OK_1("z")), .objs = 3 } },
		.objs = { { "complete", 200, 1, false, "x", "GET", "", "/a" },
			  { "complete", 200, 1, false, "y", "GET", "", "/b" },
			  { "complete", 200, 1, false, "z", "GET", C3_100 C3_100 C3_50 C3_5, "/c",
			    .host_truncated = true } },
		.counters = { { "objects_complete", 3 }, { "http_host_truncated", 1 } },
		.idle = true,
	},
	{
		/* Nor does a long method or an HTTP/1.x version servers take. */
		.name = "long-method-and-http-1-9",
		.steps = { { FC_C2S("VERY-LONG-METHOD-NAME /a HTTP/1.1\r\n\r\n") },
			   { FC_S2C(OK_1("x")), .objs = 1 },
			   { FC_C2S("GET /b HTTP/1.9\r\nHost: h\r\n\r\n"), .objs = 1 },
			   { FC_S2C(OK_1("y")), .objs = 2 } },
		.objs = { { "complete", 200, 1, false, "x", "VERY-LONG-METHO", NULL, "/a" },
			  { "complete", 200, 1, false, "y", "GET", "h", "/b" } },
		.counters = { { "objects_complete", 2 } },
		.idle = true,
	},
	BAD_REQUEST("bad-request-version-3", "GET / HTTP/3.0\r\n\r\n", "http_bad_request", true,
		    LIM_DEFAULT),
	BAD_REQUEST("bad-request-version-1-10", "GET / HTTP/1.10\r\n\r\n", "http_bad_request", true,
		    LIM_DEFAULT),
	BAD_RESPONSE("bad-response-version", "HTTP/2 200 OK\r\n\r\n"),
	BAD_RESPONSE("bad-response-status", "HTTP/1.1 20 OK\r\n\r\n"),
	BAD_RESPONSE("bad-response-length", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n"),
	BAD_RESPONSE("bad-response-two-lengths",
		     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
	BAD_RESPONSE("bad-response-field-name", "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n"),
	BAD_REQUEST("bad-request-nul", "GET /\0 HTTP/1.1", "http_bad_request", true, LIM_DEFAULT),
	BAD_REQUEST("bad-request-te-not-chunked", "GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
		    "http_bad_request", true, LIM_DEFAULT),
	BAD_REQUEST("http2-preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "http_upgrade", true, LIM_DEFAULT),
	{
		.name = "abandoned-object-reported-once",
		.steps = { { FC_C2S(GET_ROOT) },
			   { FC_S2C("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab") },
			   { FC_S2C("\r\n") },
			   { .op = FC_RST, .objs = 1 } },
		.objs = { { "obj_abandoned_rst", 200, 4 } },
		.counters = { { "obj_abandoned_rst", 1 }, { "objects", 1 } },
		.idle = true,
	},
	BAD_REQUEST("limit-header-bytes", A100 A100, "http_header_too_large", true, LIM_SMALL),
	BAD_REQUEST("limit-headers", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
		    "http_too_many_headers", true, LIM_SMALL),
	BAD_REQUEST("limit-pipeline", GET_ROOT GET_ROOT GET_ROOT, "http_pipeline_full", false, LIM_SMALL),
	BAD_REQUEST("limit-request-pool", "GET / HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n",
		    "http_no_memory", false, LIM_POOLS),
	{
		.name = "limit-head-pool",
		.lim = { LIM_POOLS },
		.steps = { { FC_C2S("GET / HTTP/1.1\r\n") },
			   { FC_S2C("HTTP/1.1 200 OK\r\n"), .ret = -1 } },
		.counters = { { "http_no_memory", 1 } },
		.dead = true,
		.idle = true,
	},
	{
		.name = "limit-object-bytes",
		.lim = { LIM_POOLS },
		.steps = { { FC_C2S(GET_ROOT) },
			   { FC_S2C("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabcdef"), .objs = 1 } },
		.objs = { { "obj_too_large", 200, 4 } },
		.counters = { { "obj_too_large", 1 } },
		.idle = true,
	},
};

const size_t fc_http_count = sizeof(fc_http_cases) / sizeof(fc_http_cases[0]);

const struct fc_body_case fc_body_cases[] = {
	{ "length", DP_BODY_LENGTH, 5, FC_BODY_IN("helloHTTP/1.1"), 5, true, "hello" },
	{ "chunked-ext-and-trailers", DP_BODY_CHUNKED, 0,
	  FC_BODY_IN("5;name=val\r\nhello\r\n1A \r\nabcdefghijklmnopqrstuvwxyz\r\n"
		     "0\r\nX-Trailer: 1\r\n\r\nNEXT"),
	  71, true, "helloabcdefghijklmnopqrstuvwxyz" },
	{ "chunked-bare-lf", DP_BODY_CHUNKED, 0, FC_BODY_IN("3\nabc\n0\n\n"), 9, true, "abc" },
	{ "chunked-empty", DP_BODY_CHUNKED, 0, FC_BODY_IN("0\r\n\r\n"), 5, true, "" },
	{ "chunked-not-hex", DP_BODY_CHUNKED, 0, FC_BODY_IN("g\r\n"), -1, .err = "http_bad_chunk" },
	{ "chunked-no-digits", DP_BODY_CHUNKED, 0, FC_BODY_IN("\r\n"), -1, .err = "http_bad_chunk" },
	{ "chunked-extension-without-size", DP_BODY_CHUNKED, 0, FC_BODY_IN(";x\r\n"), -1,
	  .err = "http_bad_chunk" },
	{ "chunked-garbage-after-size", DP_BODY_CHUNKED, 0, FC_BODY_IN("5x\r\n"), -1,
	  .err = "http_bad_chunk" },
	{ "chunked-no-crlf-after-data", DP_BODY_CHUNKED, 0, FC_BODY_IN("3\r\nabcX\r\n"), -1,
	  .err = "http_bad_chunk" },
	{ "chunked-size-overflow", DP_BODY_CHUNKED, 0, FC_BODY_IN("1000000000000000\r\n"), -1,
	  .err = "http_bad_chunk" },
	{ "chunk-line-too-long", DP_BODY_CHUNKED, 0, FC_BODY_IN("1;" A100 A100), -1,
	  .err = "http_chunk_line_too_long" },
	/* Trailer lines have the same limit. */
	{ "trailer-line-too-long", DP_BODY_CHUNKED, 0, FC_BODY_IN("0\n" A100 A100), -1,
	  .err = "http_chunk_line_too_long" },
	{ "close", DP_BODY_CLOSE, 0, FC_BODY_IN("all of it"), 9, false, "all of it" },
	{ "none", DP_BODY_NONE, 0, FC_BODY_IN("x"), 0, true, "" },
};

const size_t fc_body_count = sizeof(fc_body_cases) / sizeof(fc_body_cases[0]);

/* Every body row is fed in pieces of each of these sizes: framing must not
 * depend on how the stream was segmented. */
const uint32_t fc_body_steps[] = { 1, 2, 3, 7, 13, 64, 4096 };
const size_t fc_body_step_count = sizeof(fc_body_steps) / sizeof(fc_body_steps[0]);
