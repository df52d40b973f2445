/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http_media.c - the HTTP stage's side of what a body holds (see
 * http_int.h): Content-Encoding (decode.h: a decoder and a second digest
 * state for a response that has one) and 206 ranges stitched into the
 * whole (stitch.h).
 */
#include "dataplane/http_int.h"

#include <errno.h>

/* A Content-Encoding this stage decodes: a decoder, and digests of the
 * decoded bytes on OpenSSL (the flow's mbhash stream has the wire's). */
void dp_http_decode_start(struct dp_http *h, struct dp_obj *o, enum dp_coding c)
{
	o->coding = (uint8_t)c;
	if ((!o->ddg && !(o->ddg = dp_digest_new())) || dp_digest_start(o->ddg, h->algo_mask) < 0 ||
	    !(o->dec = dp_decoder_new(c, h->lim.max_object_bytes, DP_DECODE_RATIO_MAX)))
		o->decode_err = -ENOMEM;
}

/* Decoded bytes: hashed as the file. */
static void decoded_out(void *ctx, const uint8_t *p, uint32_t len)
{
	struct dp_obj *o = ctx;

	dp_digest_update(o->ddg, p, len);
	o->dsize += len;
}

void dp_http_decode_feed(struct dp_obj *o, const uint8_t *p, uint32_t len)
{
	o->decode_err = dp_decoder_feed(o->dec, p, len, decoded_out, o);
}

/* The body ended (or was given up): the decoded digests count only when
 * both the body and its encoded stream are whole.  The decoder's buffers
 * are zeroed as they go. */
void dp_http_decode_end(struct dp_http *h, struct dp_obj *o)
{
	if (!o->decode_err)
		o->decode_err = dp_decoder_finish(o->dec);
	dp_decoder_free(o->dec);
	o->dec = NULL;
	if (o->ddg)
		dp_digest_finish(o->ddg, &o->ddigests);
	o->decoded = o->outcome == DP_DROP_COUNT && !o->decode_err;
	if (o->decoded)
		h->ctr->info[DP_INFO_objects_decoded]++;
	else if (o->decode_err == -EFBIG)
		h->ctr->info[DP_INFO_decode_capped]++;
	else if (o->decode_err && o->outcome == DP_DROP_COUNT)
		h->ctr->info[DP_INFO_decode_errors]++;
}


/* A range that continued a stitching ended: when the whole is stitched,
 * report it as an object of its own (its URL is the range's). */
void dp_http_stitch_end(struct dp_http *h, const struct dp_obj *o, void *owner)
{
	const struct dp_range *r = &o->range;
	bool whole_body = o->outcome == DP_DROP_COUNT && o->size == r->end - r->start + 1;
	struct dp_obj so = { .txn = o->txn, .size = r->total, .status = 206, .stitched = true,
			     .outcome = DP_DROP_COUNT,
			     .range = { .end = r->total - 1, .total = r->total, .set = true,
					.total_known = true } };

	if (!dp_stitch_done(&h->stitch, o->stitch, whole_body, r->end, &so.digests))
		return;
	h->ctr->info[DP_INFO_objects]++;
	h->ctr->info[DP_INFO_objects_complete]++;
	h->object_fn(h->object_ctx, owner, &so);
}
