/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http.c - HTTP/1.1 heads, pairing and body dispatch (see http.h).
 */
#include "dataplane/http_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/reasm.h"
#include "dataplane/pdq/pdq_tap.h"


void dp_http_limits_default(struct dp_http_limits *lim)
{
	lim->max_header_bytes = 16384;
	lim->max_headers = 100;
	lim->max_chunk_line = 4096;
	lim->max_pending = 32;
	lim->max_heads = 4096;
	lim->max_requests = 65536;
	lim->max_object_bytes = 1ull << 30;
}

int dp_http_init(struct dp_http *h, const struct dp_http_limits *lim, unsigned int algo_mask,
		 uint32_t max_conns, struct dp_counters *ctr, dp_http_object_fn fn, void *fn_ctx)
{
	memset(h, 0, sizeof(*h));
	h->lim = *lim;
	h->algo_mask = algo_mask;
	h->ctr = ctr;
	h->object_fn = fn;
	h->object_ctx = fn_ctx;
	h->hdr_max = lim->max_heads;
	h->obj_max = max_conns;
	h->txn_max = lim->max_requests;
	return 0;
}

void dp_http_fini(struct dp_http *h)
{
	while (h->hdr_free) {
		void *b = h->hdr_free;
		memcpy(&h->hdr_free, b, sizeof(void *));
		free(b);
	}
	while (h->txn_free) {
		struct dp_txn *t = h->txn_free;
		h->txn_free = t->next;
		free(t);
	}
	dp_stitch_fini(&h->stitch);
	while (h->obj_free) {
		struct dp_obj *o = h->obj_free;
		h->obj_free = o->next_free;
		dp_digest_free(o->dg);
		dp_digest_free(o->ddg);
		free(o);
	}
}

/* ---- pools: grow on demand up to a cap, recycle through free lists ---- */

static uint8_t *hdr_get(struct dp_http *h)
{
	void *b = h->hdr_free;

	if (b) {
		memcpy(&h->hdr_free, b, sizeof(void *));
		return b;
	}
	if (h->hdr_n >= h->hdr_max)
		return NULL;
	b = malloc(h->lim.max_header_bytes > sizeof(void *) ? h->lim.max_header_bytes
							     : sizeof(void *));
	if (b)
		h->hdr_n++;
	return b;
}

void dp_http_hdr_put(struct dp_http *h, struct dp_http_dir *d)
{
	if (!d->hdr)
		return;
	memcpy(d->hdr, &h->hdr_free, sizeof(void *));
	h->hdr_free = d->hdr;
	d->hdr = NULL;
	d->hdr_len = 0;
}

struct dp_txn *dp_http_txn_get(struct dp_http *h)
{
	struct dp_txn *t = h->txn_free;

	if (t) {
		h->txn_free = t->next;
	} else if (h->txn_n < h->txn_max && (t = malloc(sizeof(*t)))) {
		h->txn_n++;
	}
	if (t)
		memset(t, 0, sizeof(*t));
	return t;
}

static void txn_put(struct dp_http *h, struct dp_txn *t)
{
	if (!t)
		return;
	t->next = h->txn_free;
	h->txn_free = t;
}

static struct dp_obj *obj_get(struct dp_http *h)
{
	struct dp_obj *o = h->obj_free;
	struct dp_digest *dg, *ddg;
	int r;

	if (o) {
		h->obj_free = o->next_free;
	} else {
		if (h->obj_n >= h->obj_max || !(o = malloc(sizeof(*o))))
			return NULL;
		if (!(o->dg = dp_digest_new())) {
			free(o);
			return NULL;
		}
		o->ddg = NULL;
		h->obj_n++;
	}
	dg = o->dg;
	ddg = o->ddg;
	memset(o, 0, sizeof(*o));
	o->dg = dg;
	o->ddg = ddg;
	o->outcome = DP_DROP_COUNT;
	r = h->mbh ? dp_digest_start_mb(dg, h->algo_mask, h->mbh)
		   : dp_digest_start(dg, h->algo_mask);
	if (r < 0) {
		o->next_free = h->obj_free;
		h->obj_free = o;
		return NULL;
	}
	if (r > 0)
		h->ctr->info[DP_INFO_digest_mbh_full]++;
	return o;
}

/* ---- objects ---- */

/* Finish @o: digests, outcome (exactly one counter), the worker's
 * callback, recycling.  @why is DP_DROP_COUNT for a body that ended by its
 * framing. */
static void obj_finish(struct dp_http *h, struct dp_obj *o, enum dp_drop why, void *owner)
{
	if (why != DP_DROP_COUNT)
		o->outcome = why;
	else if (o->too_large)
		o->outcome = DP_DROP_obj_too_large;
	else if (o->holes)
		o->outcome = DP_DROP_obj_incomplete;
	/* Only a complete body's digest is the object's: md5/sha1 of the
	 * rest are not worth finishing. */
	if (o->coding)
		dp_http_decode_end(h, o);
	if (o->outcome != DP_DROP_COUNT)
		dp_digest_abandon(o->dg);
	o->pending = dp_digest_end(o->dg);
	if (!o->pending)
		dp_digest_finish(o->dg, &o->digests);
	h->ctr->info[DP_INFO_objects]++;
	if (o->outcome == DP_DROP_COUNT)
		h->ctr->info[DP_INFO_objects_complete]++;
	else
		h->ctr->drop[o->outcome]++;
	if (o->partial)
		h->ctr->info[DP_INFO_objects_partial]++;
	if (o->upload)
		h->ctr->info[DP_INFO_objects_upload]++;
	h->object_fn(h->object_ctx, owner, o);
	if (o->stitch)
		dp_http_stitch_end(h, o, owner);
	if (!o->pending)
		dp_http_obj_put(h, o);
}

/* The response body in flight on @c, and the request body (upload). */
static void obj_end(struct dp_http *h, struct dp_http_conn *c, enum dp_drop why, void *owner)
{
	struct dp_obj *o = c->obj;

	c->obj = NULL;
	if (o)
		obj_finish(h, o, why, owner);
}

static void upload_end(struct dp_http *h, struct dp_http_conn *c, enum dp_drop why, void *owner)
{
	struct dp_obj *o = c->up;

	c->up = NULL;
	if (o)
		obj_finish(h, o, why, owner);
}

void dp_http_obj_put(struct dp_http *h, struct dp_obj *o)
{
	if (o->pdq)
		dp_pdq_tap_put(h->pdq, &o->pdq);
	txn_put(h, o->txn);
	o->next_free = h->obj_free;
	h->obj_free = o;
}

void dp_http_body_sync(struct dp_http_conn *c)
{
	if (c->obj)
		dp_digest_sync(c->obj->dg);
	if (c->up)
		dp_digest_sync(c->up->dg);
}

static void body_out(void *ctx, const uint8_t *p, uint32_t len)
{
	struct dp_http *h = ((void **)ctx)[0];
	struct dp_obj *o = ((void **)ctx)[1];
	uint64_t room;

	if (o->too_large)
		return;
	room = h->lim.max_object_bytes - o->size;
	if (len > room) {
		o->too_large = true;
		len = (uint32_t)room;
	}
	dp_digest_update(o->dg, p, len);
	if (o->stitch)
		dp_stitch_feed(o->stitch, p, len, &o->stitch_skip);
	if (o->dec && !o->decode_err)
		dp_http_decode_feed(o, p, len);
	/* Image bodies only: the tap looks at the first bytes of each body. */
	if (h->pdq && (o->pdq || o->size == 0))
		dp_pdq_tap_data(h->pdq, &o->pdq, o->size, p, len);
	o->size += len;
	h->ctr->body_bytes += len;
}

static void discard_out(void *ctx, const uint8_t *p, uint32_t len)
{
	(void)ctx;
	(void)p;
	(void)len;
}

/* Give up the connection: count @why once, report the object in flight. */
static int give_up(struct dp_http *h, struct dp_http_conn *c, enum dp_drop why, void *owner)
{
	h->ctr->drop[why]++;
	obj_end(h, c, DP_DROP_obj_abandoned_conn, owner);
	upload_end(h, c, DP_DROP_obj_abandoned_conn, owner);
	c->dead = true;
	for (int i = 0; i < DP_DIR_COUNT; i++)
		dp_http_hdr_put(h, &c->dir[i]);
	return -1;
}

/* ---- requests and responses ---- */

/* Fill @t from the request-target (origin, absolute, authority or
 * asterisk form, RFC 9112 3.2). */
static void set_target(struct dp_http *h, struct dp_txn *t, const char *target, size_t len)
{
	bool trunc = false;

	if (len > 7 && strncasecmp(target, "http://", 7) == 0) {
		const char *auth = target + 7, *slash = memchr(auth, '/', len - 7);
		size_t alen = slash ? (size_t)(slash - auth) : len - 7;

		dp_http_copy_str(t->host, sizeof(t->host), auth, alen, &t->host_truncated);
		target = slash ? slash : "/";
		len = slash ? len - 7 - alen : 1;
	}
	dp_http_copy_str(t->path, sizeof(t->path), target, len, &trunc);
	t->path_truncated = trunc;
	if (trunc)
		h->ctr->info[DP_INFO_http_path_truncated]++;
}

/* Check "method SP request-target SP HTTP-version" (RFC 9112 3) and find
 * its two spaces. */
static enum dp_drop request_line(const char *line, const char **ret_sp1, const char **ret_sp2)
{
	const char *sp1 = strchr(line, ' ');
	const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;

	/* A method longer than the stored one is cut (on_request), not
	 * refused: the response's digest does not depend on it. */
	if (!sp1 || !sp2 || sp1 == line || sp2 == sp1 + 1)
		return DP_DROP_http_bad_request;
	if (strncmp(line, "PRI ", 4) == 0 && strcmp(sp2 + 1, "HTTP/2.0") == 0)
		return DP_DROP_http_upgrade;
	if (!dp_http_version_ok(sp2 + 1))
		return DP_DROP_http_bad_request;
	for (const char *m = line; m < sp1; m++)
		if (!dp_http_is_tchar(*m))
			return DP_DROP_http_bad_request;
	*ret_sp1 = sp1;
	*ret_sp2 = sp2;
	return DP_DROP_COUNT;
}

void dp_http_pending_push(struct dp_http_conn *c, struct dp_txn *t)
{
	if (c->pend_tail)
		c->pend_tail->next = t;
	else
		c->pend_head = t;
	c->pend_tail = t;
	c->npending++;
}

/* A PUT or POST with a body: the body is an object too, hashed and looked
 * up like a response's (an upload may be caught before anyone downloads
 * it).  It keeps a copy of the request's URL (the request itself waits
 * for its response).  Without a free object or request the body is only
 * framed (uploads_unhashed). */
static void upload_start(struct dp_http *h, struct dp_http_conn *c, const struct dp_txn *t)
{
	struct dp_txn *u = dp_http_txn_get(h);
	struct dp_obj *o = u ? obj_get(h) : NULL;

	if (!o) {
		txn_put(h, u);
		h->ctr->info[DP_INFO_uploads_unhashed]++;
		return;
	}
	*u = *t;
	u->next = NULL;
	o->txn = u;
	o->upload = true;
	c->up = o;
}

/* A request head is complete: queue it and frame its body. */
static enum dp_drop on_request(struct dp_http *h, struct dp_http_conn *c, char *buf, uint32_t end_seq)
{
	struct dp_http_dir *d = &c->dir[DP_DIR_C2S];
	struct dp_head hd = { 0 };
	const char *sp1, *sp2;
	struct dp_txn *t;
	enum dp_drop r = dp_http_parse_fields(h, buf, &hd, DP_DROP_http_bad_request);

	if (r != DP_DROP_COUNT)
		return r;
	r = request_line(hd.start_line, &sp1, &sp2);
	if (r != DP_DROP_COUNT)
		return r;
	if (hd.have_te && !hd.te_chunked)
		return DP_DROP_http_bad_request; /* RFC 9112 6.3 item 4 */
	if (c->npending >= h->lim.max_pending)
		return DP_DROP_http_pipeline_full;
	t = dp_http_txn_get(h);
	if (!t)
		return DP_DROP_http_no_memory;
	dp_http_copy_str(t->method, sizeof(t->method), hd.start_line, (size_t)(sp1 - hd.start_line), NULL);
	dp_http_copy_str(t->host, sizeof(t->host), hd.host, strlen(hd.host), NULL);
	t->host_truncated = hd.host_cut;
	set_target(h, t, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	if (t->host_truncated)
		h->ctr->info[DP_INFO_http_host_truncated]++;
	t->head = strcmp(t->method, "HEAD") == 0;
	t->connect = strcmp(t->method, "CONNECT") == 0;
	t->end_seq = end_seq;
	dp_http_pending_push(c, t);
	h->ctr->info[DP_INFO_http_requests]++;
	if (hd.have_cl && hd.have_te)
		h->ctr->info[DP_INFO_http_cl_and_te]++;
	if (hd.mode == DP_BODY_CLOSE)
		hd.mode = DP_BODY_NONE;
	/* An empty body (Content-Length: 0) is no upload. */
	if ((hd.mode == DP_BODY_CHUNKED || (hd.mode == DP_BODY_LENGTH && hd.length > 0)) &&
	    (!strcmp(t->method, "PUT") || !strcmp(t->method, "POST")))
		upload_start(h, c, t);
	dp_body_start(&d->body, hd.mode, hd.length);
	d->state = hd.mode == DP_BODY_NONE ? H_IDLE : H_BODY;
	return DP_DROP_COUNT;
}

/* Report @t, a request whose response head was lost in a hole: an object
 * with its URL and nothing hashed (obj_response_lost), never silence. */
static void response_lost(struct dp_http *h, struct dp_http_conn *c, struct dp_txn *t, void *owner)
{
	struct dp_obj *o = obj_get(h);

	if (!o) {
		h->ctr->drop[DP_DROP_http_no_memory]++;
		txn_put(h, t);
		return;
	}
	o->txn = t;
	c->obj = o;
	obj_end(h, c, DP_DROP_obj_response_lost, owner);
}

/* The request a final response answers (http_resync.c); NULL with
 * *ret_lost when it was lost.  Requests whose responses were lost on the
 * way are reported. */
static struct dp_txn *pair(struct dp_http *h, struct dp_http_conn *c, void *owner, bool *ret_lost)
{
	struct dp_txn *skipped, *t = dp_http_pair_pick(c, c->resp_ack, &skipped, ret_lost);

	while (skipped) {
		struct dp_txn *s = skipped;
		skipped = s->next;
		s->next = NULL;
		if (s->lost)
			txn_put(h, s);
		else
			response_lost(h, c, s, owner);
	}
	if (*ret_lost)
		h->ctr->info[DP_INFO_http_unpaired]++;
	return t;
}

/* A 206 with its Content-Range: one of the whole file is the whole object
 * (RFC 9110 14.4); another may continue a stitching (stitch.h), given a
 * URL, a validator and the complete length. */
static void on_range(struct dp_http *h, struct dp_obj *o, const struct dp_head *hd)
{
	const struct dp_range *r = &hd->range;

	o->range = *r;
	if (r->total_known && r->start == 0 && r->end + 1 == r->total) {
		o->partial = false;
		return;
	}
	if (!o->txn || !hd->validator[0] || !r->total_known)
		return;
	h->stitch.ctr = h->ctr;
	h->stitch.algo_mask = h->algo_mask;
	o->stitch = dp_stitch_claim(&h->stitch, dp_stitch_key(o->txn->host, o->txn->path, hd->validator),
				    r, h->now_ns, &o->stitch_skip);
}

/* A response head is complete: pair it and start its object. */
static enum dp_drop on_response(struct dp_http *h, struct dp_http_conn *c, char *buf, void *owner)
{
	struct dp_http_dir *d = &c->dir[DP_DIR_S2C];
	struct dp_head hd = { 0 };
	const char *l;
	enum dp_body_mode mode;
	struct dp_txn *t;
	struct dp_obj *o;
	bool lost;
	enum dp_drop r = dp_http_parse_fields(h, buf, &hd, DP_DROP_http_bad_response);

	if (r != DP_DROP_COUNT)
		return r;
	l = hd.start_line;
	if (strncmp(l, "HTTP/1.", 7) != 0 || (l[7] != '0' && l[7] != '1') || l[8] != ' ' ||
	    l[9] < '1' || l[9] > '5' || l[10] < '0' || l[10] > '9' || l[11] < '0' || l[11] > '9' ||
	    (l[12] != ' ' && l[12] != '\0'))
		return DP_DROP_http_bad_response;
	hd.status = (uint16_t)((l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0'));
	h->ctr->info[DP_INFO_http_responses]++;
	if (hd.status == 101)
		return DP_DROP_http_upgrade;
	if (hd.status < 200) { /* interim: the request still waits */
		h->ctr->info[DP_INFO_http_no_body]++;
		d->state = H_IDLE;
		return DP_DROP_COUNT;
	}
	t = pair(h, c, owner, &lost);
	if (t && t->connect && hd.status / 100 == 2) {
		txn_put(h, t);
		return DP_DROP_http_upgrade;
	}
	if (hd.have_cl && hd.have_te)
		h->ctr->info[DP_INFO_http_cl_and_te]++;
	mode = hd.mode;
	if ((t && t->head) || hd.status == 204 || hd.status == 304)
		mode = DP_BODY_NONE; /* RFC 9112 6.3 item 1 */
	if (mode == DP_BODY_NONE) {
		h->ctr->info[DP_INFO_http_no_body]++;
		txn_put(h, t);
		d->state = H_IDLE;
		return DP_DROP_COUNT;
	}
	o = obj_get(h);
	if (!o) {
		txn_put(h, t);
		return DP_DROP_http_no_memory;
	}
	o->txn = t;
	o->request_lost = lost;
	o->status = hd.status;
	o->partial = hd.status == 206;
	if (o->partial && hd.range.set)
		on_range(h, o, &hd);
	if (hd.coding != DP_CODING_NONE)
		dp_http_decode_start(h, o, hd.coding);
	c->obj = o;
	dp_body_start(&d->body, mode, hd.length);
	d->state = H_BODY;
	return DP_DROP_COUNT;
}

/*
 * Append head bytes to the direction's buffer.  Returns the bytes consumed
 * (*ret_done set when the empty line that ends the head was reached), or -1
 * with *ret_err set.
 */
static int64_t head_feed(struct dp_http *h, struct dp_http_dir *d, const uint8_t *p, uint32_t len,
			 enum dp_drop bad, bool *ret_done, enum dp_drop *ret_err)
{
	uint32_t i = 0;

	if (d->state == H_IDLE) { /* RFC 9112 2.2: empty lines before a message */
		while (i < len && (p[i] == '\r' || p[i] == '\n'))
			i++;
		if (i == len)
			return i;
		d->state = H_HEAD;
	}
	if (!d->hdr && !(d->hdr = hdr_get(h))) {
		*ret_err = DP_DROP_http_no_memory;
		return -1;
	}
	while (i < len) {
		uint8_t ch = p[i++];
		uint32_t n = d->hdr_len;

		if (ch == '\0') {
			*ret_err = bad;
			return -1;
		}
		if (n + 1 >= h->lim.max_header_bytes) {
			*ret_err = DP_DROP_http_header_too_large;
			return -1;
		}
		d->hdr[d->hdr_len++] = ch;
		if (ch == '\n' && n >= 1 &&
		    (d->hdr[n - 1] == '\n' || (n >= 2 && d->hdr[n - 1] == '\r' && d->hdr[n - 2] == '\n'))) {
			d->hdr[d->hdr_len] = '\0';
			*ret_done = true;
			return i;
		}
	}
	return i;
}

/* The body of @dir ended by its framing. */
void dp_http_body_done(struct dp_http *h, struct dp_http_conn *c, enum dp_dir dir, void *owner)
{
	if (dir == DP_DIR_S2C)
		obj_end(h, c, DP_DROP_COUNT, owner);
	else
		upload_end(h, c, DP_DROP_COUNT, owner);
	c->dir[dir].state = H_IDLE;
}

/* A candidate head after a hole failed validation: scan on (the next byte
 * is at a line start when the candidate's head ended). */
static void resync_reject(struct dp_http *h, struct dp_http_dir *d, bool at_line_start)
{
	h->ctr->info[DP_INFO_http_resync_rejected]++;
	dp_http_hdr_put(h, d);
	d->state = H_RESYNC;
	d->tentative = false;
	d->bol = at_line_start;
}

/* Whether a candidate head may fail with @r without giving the connection
 * up: it was only a guess. */
static bool resync_may_reject(const struct dp_http_dir *d, enum dp_drop r)
{
	return d->tentative && r != DP_DROP_http_no_memory && r != DP_DROP_http_upgrade &&
	       r != DP_DROP_http_pipeline_full;
}

static int head_done(struct dp_http *h, struct dp_http_conn *c, enum dp_dir dir, uint32_t seq,
		     void *owner)
{
	struct dp_http_dir *d = &c->dir[dir];
	enum dp_drop r = dir == DP_DIR_C2S ? on_request(h, c, (char *)d->hdr, seq)
					   : on_response(h, c, (char *)d->hdr, owner);

	dp_http_hdr_put(h, d);
	if (r != DP_DROP_COUNT && resync_may_reject(d, r)) {
		resync_reject(h, d, true);
		return 0;
	}
	if (r != DP_DROP_COUNT)
		return give_up(h, c, r, owner);
	if (d->tentative) {
		d->tentative = false;
		h->ctr->info[d->resync_why]++;
	}
	if (dir == DP_DIR_C2S && h->request_fn)
		h->request_fn(h->request_ctx, owner, c->pend_tail);
	if (d->state == H_BODY && d->body.mode == DP_BODY_LENGTH && d->body.remaining == 0)
		dp_http_body_done(h, c, dir, owner);
	return 0;
}

/* Resynchronising: skip to a candidate message start, then read its head
 * as a candidate (tentative).  Returns the bytes skipped. */
static uint32_t resync_feed(struct dp_http_conn *c, enum dp_dir dir, uint32_t ack, const uint8_t *p,
			    uint32_t len)
{
	struct dp_http_dir *d = &c->dir[dir];
	bool found;
	uint32_t n = dp_http_resync_scan(d, dir, p, len, &found);

	if (found) {
		d->state = H_HEAD;
		d->tentative = true;
		if (dir == DP_DIR_S2C)
			c->resp_ack = ack;
	}
	return n;
}

int dp_http_data(struct dp_http *h, struct dp_http_conn *c, enum dp_dir dir, uint32_t seq,
		 uint32_t ack, const uint8_t *p, uint32_t len, void *owner)
{
	struct dp_http_dir *d = &c->dir[dir];
	enum dp_drop bad = dir == DP_DIR_C2S ? DP_DROP_http_bad_request : DP_DROP_http_bad_response;

	if (c->dead)
		return -1;
	if (dir == DP_DIR_C2S) {
		c->c2s_seq = seq + len;
		c->c2s_seen = true;
	}
	while (len > 0 && d->state != H_DONE) {
		enum dp_drop err = DP_DROP_COUNT;
		bool done = false;
		int64_t n;

		if (d->state == H_RESYNC) {
			n = resync_feed(c, dir, ack, p, len);
		} else if (d->state == H_BODY) {
			struct dp_obj *bo = dir == DP_DIR_S2C ? c->obj : c->up;
			void *ctx[2] = { h, bo };
			n = dp_body_decode(&d->body, p, len, h->lim.max_chunk_line,
					   bo ? body_out : discard_out, ctx, &done, &err);
		} else {
			if (d->state == H_IDLE && dir == DP_DIR_S2C)
				c->resp_ack = ack;
			n = head_feed(h, d, p, len, bad, &done, &err);
		}
		if (n < 0 && resync_may_reject(d, err)) {
			resync_reject(h, d, false);
			n = 1; /* the byte that broke the candidate */
		} else if (n < 0) {
			return give_up(h, c, err, owner);
		}
		p += n;
		len -= (uint32_t)n;
		seq += (uint32_t)n;
		if (done && d->state == H_BODY)
			dp_http_body_done(h, c, dir, owner);
		else if (done && head_done(h, c, dir, seq, owner) < 0)
			return -1;
	}
	return 0;
}

void dp_http_fin(struct dp_http *h, struct dp_http_conn *c, enum dp_dir dir, void *owner)
{
	struct dp_http_dir *d = &c->dir[dir];

	if (dir != DP_DIR_S2C || c->dead)
		return;
	if (d->state == H_BODY)
		obj_end(h, c, d->body.mode == DP_BODY_CLOSE ? DP_DROP_COUNT : DP_DROP_obj_truncated_fin,
			owner);
	dp_http_hdr_put(h, d);
	d->state = H_DONE;
}

void dp_http_conflict(struct dp_http_conn *c, enum dp_dir dir)
{
	struct dp_obj *bo = dir == DP_DIR_S2C ? c->obj : c->up;

	if (bo)
		bo->holes = true;
}

void dp_http_release(struct dp_http *h, struct dp_http_conn *c, enum dp_drop why, void *owner)
{
	obj_end(h, c, why, owner);
	upload_end(h, c, why, owner);
	for (int i = 0; i < DP_DIR_COUNT; i++)
		dp_http_hdr_put(h, &c->dir[i]);
	while (c->pend_head) {
		struct dp_txn *t = c->pend_head;
		c->pend_head = t->next;
		t->next = NULL;
		/* After a hole in the responses, a waiting request may be one
		 * whose response was lost: reported, never silent. */
		if (c->s2c_resynced && !c->dead && !t->lost)
			response_lost(h, c, t, owner);
		else
			txn_put(h, t);
	}
	memset(c, 0, sizeof(*c));
}

bool dp_http_idle(const struct dp_http_conn *c)
{
	return !c->dir[0].hdr && !c->dir[1].hdr && !c->pend_head && !c->obj && !c->up;
}

struct dp_txn *dp_http_txn_new(struct dp_http *h)
{
	return dp_http_txn_get(h);
}

void dp_http_txn_free(struct dp_http *h, struct dp_txn *t)
{
	txn_put(h, t);
}

struct dp_obj *dp_http_obj_new(struct dp_http *h)
{
	return obj_get(h);
}

void dp_http_obj_body(struct dp_http *h, struct dp_obj *o, const uint8_t *p, uint32_t len)
{
	void *ctx[2] = { h, o };

	body_out(ctx, p, len);
}

void dp_http_obj_end(struct dp_http *h, struct dp_obj *o, enum dp_drop why, void *owner)
{
	struct dp_http_conn one = { .obj = o };

	obj_end(h, &one, why, owner);
}
