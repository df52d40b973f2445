/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_scen_ranges.c - scenario "ranges": a file fetched in pieces, as video
 * players and download managers do.  Three ranges of one URL with one
 * strong ETag, the second on another connection and overlapping the
 * first, cover the file from byte 0: each is a partial object, and the
 * dataplane stitches them into one more object with the whole file's
 * digests (known, so it must match).  Ranges of a second URL without a
 * validator cover their file too but must not be stitched; a 206 of a
 * whole file is a whole object.
 */
#include "gen_scen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"

#define FILE_LEN 30000u

static const struct gen_flow_opts plain = { 0 };

/* One range request on @f for bytes [@first, @last] of @file (@total
 * long), answered 206 with @validator (a header line, or ""). */
static int range_exchange(struct gen_flow *f, const char *path, const uint8_t *file, size_t total,
			  size_t first, size_t last, const char *validator)
{
	struct gen_ctx *ctx = f->ctx;
	char range[64], extra[160];
	struct gen_resp r = { .status = 206, .body_len = last - first + 1, .body = file + first,
			      .extra = extra };
	struct gen_buf req = { 0 }, resp = { 0 };
	struct gen_obj *o = gen_obj_add(ctx, f, "GET", path, 206);
	int err;

	if (!o)
		return -ENOMEM;
	snprintf(range, sizeof(range), "Range: bytes=%zu-%zu\r\n", first, last);
	snprintf(extra, sizeof(extra), "Content-Range: bytes %zu-%zu/%zu\r\n%s", first, last, total,
		 validator);
	o->size = r.body_len;
	o->expect = GEN_EXPECT_COMPLETE;
	o->partial = !(first == 0 && last + 1 == total);
	gen_digest_all(r.body, r.body_len, o->dig);
	err = gen_http_request(&req, "GET", o->host, path, range);
	if (!err)
		err = gen_http_response(ctx, &resp, &r, r.body);
	if (!err)
		err = gen_flow_send(f, GEN_C2S, req.data, req.len);
	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data, resp.len);
	gen_buf_free(&req);
	gen_buf_free(&resp);
	return err;
}

/* The stitched whole of @file at @path: what the dataplane adds. */
static int stitched(struct gen_ctx *ctx, const struct gen_flow *f, const char *path,
		    const uint8_t *file, size_t len)
{
	struct gen_obj *o = gen_obj_add(ctx, f, "GET", path, 206);

	if (!o)
		return -ENOMEM;
	o->size = len;
	o->expect = GEN_EXPECT_COMPLETE;
	o->partial = false;
	o->stitched = true;
	o->known_pref = GEN_KNOWN_ALWAYS;
	gen_digest_all(file, len, o->dig);
	return 0;
}

int gen_scen_ranges(struct gen_ctx *ctx)
{
	static const char etag[] = "ETag: \"gen-ranges-v1\"\r\n";
	struct gen_flow *a = gen_flow_new(ctx, &plain), *b = gen_flow_new(ctx, &plain);
	uint8_t *file = gen_body(ctx, FILE_LEN), *other = gen_body(ctx, 5000);
	char path[128], path2[128], path3[128];
	int err = -ENOMEM;

	if (!a || !b || !file || !other)
		goto out_free;
	gen_path(ctx, path, "stitched");
	gen_path(ctx, path2, "no-validator");
	gen_path(ctx, path3, "whole");
	if ((err = gen_flow_handshake(a)) || (err = gen_flow_handshake(b)) ||
	    (err = range_exchange(a, path, file, FILE_LEN, 0, 9999, etag)) ||
	    (err = range_exchange(b, path, file, FILE_LEN, 8000, 19999, etag)) ||
	    (err = range_exchange(b, path2, other, 5000, 0, 2499, "")) ||
	    (err = range_exchange(a, path2, other, 5000, 2500, 4999, "")) ||
	    (err = range_exchange(a, path3, other, 5000, 0, 4999, etag)) ||
	    (err = range_exchange(a, path, file, FILE_LEN, 20000, FILE_LEN - 1, etag)) ||
	    (err = stitched(ctx, a, path, file, FILE_LEN)) || (err = gen_flow_close(a, GEN_C2S)))
		goto out_free;
	err = gen_flow_close(b, GEN_C2S);
out_free:
	free(file);
	free(other);
	return err;
}
