/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * framing_cases.h - the HTTP framing tests as data: each row is a name, the
 * bytes a connection carries, and what the HTTP stage (dataplane/http.c)
 * or the body decoder (dataplane/body.c) must make of them.
 *
 * test_http.c and test_body.c run the rows; tests/fuzz/dataplane/http_seeds
 * writes each row as a seed of the http fuzz target
 * (tests/fuzz/dataplane/corpus/http/table-http-<name>, table-body-<name>)
 * and the test dataplane/http-seeds checks that the committed seeds are
 * those of the rows.
 */
#ifndef HASHWALL_TESTS_FRAMING_CASES_H
#define HASHWALL_TESTS_FRAMING_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/body.h"
#include "dataplane/http.h"

#define FC_STEPS_MAX 10
#define FC_OBJS_MAX 5
#define FC_COUNTERS_MAX 4

enum fc_op {
	FC_END,  /* no more steps */
	FC_DATA, /* .len bytes at .data in direction .dir */
	FC_GAP,  /* a hole of .len bytes in .dir */
	FC_FIN,  /* .dir ended */
	FC_RST,  /* the connection is released as reset (obj_abandoned_rst) */
	FC_OP_COUNT
};

/* The bytes of a string literal, NULs included. */
#define FC_C2S(s) .op = FC_DATA, .dir = DP_DIR_C2S, .data = (s), .len = sizeof(s) - 1
#define FC_S2C(s) .op = FC_DATA, .dir = DP_DIR_S2C, .data = (s), .len = sizeof(s) - 1

/* One step and what it must return; after it, .objs objects have been
 * reported in all (and, with .check_pending, .pending requests wait). */
struct fc_step {
	enum fc_op op;
	enum dp_dir dir;
	const char *data;
	uint32_t len;
	int ret;
	unsigned int objs;
	bool check_pending;
	unsigned int pending;
	int32_t ack_adj; /* a data step acknowledges the other side's bytes plus this */
};

/* A reported object.  NULL strings are not checked. */
struct fc_obj {
	const char *outcome; /* "complete" or the drop reason's name */
	uint16_t status;
	uint64_t size;
	bool partial;
	const char *body; /* the object's xxh3-128 must be this body's */
	const char *method;
	const char *host;
	const char *path;
	bool host_truncated; /* the Host was cut to DP_HOST_MAX - 1 bytes */
	bool request_lost;   /* reported without its request (lost in a hole) */
	bool stitched;       /* the whole, stitched from 206 ranges */
	bool upload;         /* a request body (PUT, POST) */
	const char *decoded; /* Content-Encoding decoded: the xxh3-128 of the decoded body
	                      * is this string's; NULL: not decoded */
};

/* A counter by its name (dp_drop_name(), dp_info_name()) and its value. */
struct fc_counter {
	const char *name;
	uint64_t value;
};

/*
 * A connection through dp_http: the steps, then the release every
 * connection ends with (obj_abandoned_end).  Afterwards exactly .objs were
 * reported, in order; the counters named have their value and every other
 * drop counter is 0.  .dead and .idle are the connection's state after the
 * last step, before the release.  Limits not zero in .lim replace the
 * defaults.
 */
struct fc_http_case {
	const char *name;
	struct dp_http_limits lim;
	struct fc_step steps[FC_STEPS_MAX];
	struct fc_obj objs[FC_OBJS_MAX];
	struct fc_counter counters[FC_COUNTERS_MAX];
	bool dead;
	bool idle;
};

/*
 * One body through dp_body_decode(), fed in pieces of every size in
 * fc_body_steps (chunk-size and trailer lines limited to FC_BODY_MAX_LINE
 * bytes): the input bytes consumed (-1: an error, .err naming it), whether
 * the body ended, and the decoded bytes (NULL: not checked).
 */
struct fc_body_case {
	const char *name;
	enum dp_body_mode mode;
	uint64_t length; /* DP_BODY_LENGTH */
	const char *in;
	size_t in_len;
	int64_t consumed;
	bool done;
	const char *out;
	const char *err;
};

#define FC_BODY_IN(s) .in = (s), .in_len = sizeof(s) - 1
#define FC_BODY_MAX_LINE 64

extern const struct fc_http_case fc_http_cases[];
extern const size_t fc_http_count;
extern const struct fc_body_case fc_body_cases[];
extern const size_t fc_body_count;
extern const uint32_t fc_body_steps[];
extern const size_t fc_body_step_count;

#endif
