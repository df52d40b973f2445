/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_scen_ranges.c - scenarios "ranges" and "uploads".  Ranges: a file
 * fetched in pieces, as video
 * players and download managers do.  Three ranges of one URL with one
 * strong ETag, the second on another connection and overlapping the
 * first, cover the file from byte 0: each is a partial object, and the
 * dataplane stitches them into one more object with the whole file's
 * digests (known, so it must match).  Ranges of a second URL without a
 * validator cover their file too but must not be stitched; a 206 of a
 * whole file is a whole object.  Uploads: see gen_scen_uploads().
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

/* Send @body as the body of a @method request to @path on @f (chunked in
 * 1000-byte chunks, or with Content-Length); the upload object expected,
 * known: a match before anyone downloads it. */
static int upload(struct gen_flow *f, const char *method, const char *path, const uint8_t *body,
		  size_t len, bool chunked)
{
	struct gen_obj *o = gen_obj_add(f->ctx, f, method, path, 0);
	struct gen_buf req = { 0 };
	int err;

	if (!o)
		return -ENOMEM;
	o->size = len;
	o->expect = GEN_EXPECT_COMPLETE;
	o->known_pref = GEN_KNOWN_ALWAYS;
	gen_digest_all(body, len, o->dig);
	err = gen_buf_printf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", method, path, o->host,
			     chunked ? "Transfer-Encoding: chunked\r\n" : "");
	if (!err && !chunked) {
		req.len -= 2; /* the head's end comes after Content-Length */
		err = gen_buf_printf(&req, "Content-Length: %zu\r\n\r\n", len);
		if (!err)
			err = gen_buf_put(&req, body, len);
	}
	for (size_t off = 0; !err && chunked && off < len; off += 1000) {
		size_t n = len - off < 1000 ? len - off : 1000;
		err = gen_buf_printf(&req, "%zx\r\n", n);
		if (!err)
			err = gen_buf_put(&req, body + off, n);
		if (!err)
			err = gen_buf_put(&req, "\r\n", 2);
	}
	if (!err && chunked)
		err = gen_buf_put(&req, "0\r\n\r\n", 5);
	if (!err)
		err = gen_flow_send(f, GEN_C2S, req.data, req.len);
	gen_buf_free(&req);
	return err;
}

/* The server's answer to an upload: 201 with a short body (an object). */
static int created(struct gen_flow *f, const char *method, const char *path)
{
	struct gen_resp r = { .status = 201, .body_len = 7, .body = (const uint8_t *)"created" };
	struct gen_obj *o = gen_obj_add(f->ctx, f, method, path, 201);
	struct gen_buf resp = { 0 };
	int err;

	if (!o)
		return -ENOMEM;
	o->size = 7;
	o->expect = GEN_EXPECT_COMPLETE;
	o->known_pref = GEN_KNOWN_NEVER;
	gen_digest_all(r.body, 7, o->dig);
	err = gen_http_response(f->ctx, &resp, &r, r.body);
	if (!err)
		err = gen_flow_send(f, GEN_S2C, resp.data, resp.len);
	gen_buf_free(&resp);
	return err;
}

/*
 * Scenario "uploads": a PUT (Content-Length) and a chunked POST of files
 * whose digests are known: each an upload object that matches before the
 * file is ever served; the 201 answers are objects of their own.
 */
int gen_scen_uploads(struct gen_ctx *ctx)
{
	struct gen_flow *f = gen_flow_new(ctx, &plain);
	uint8_t *a = gen_body(ctx, 30000), *b = gen_body(ctx, 4500);
	char pa[128], pb[128];
	int err = f && a && b ? gen_flow_handshake(f) : -ENOMEM;

	gen_path(ctx, pa, "put");
	gen_path(ctx, pb, "post");
	if (!err && !(err = upload(f, "PUT", pa, a, 30000, false)) && !(err = created(f, "PUT", pa)) &&
	    !(err = upload(f, "POST", pb, b, 4500, true)) && !(err = created(f, "POST", pb)))
		err = gen_flow_close(f, GEN_C2S);
	free(a);
	free(b);
	return err;
}
