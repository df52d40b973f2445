/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http_resync.c - finding messages again: a flow picked up mid-stream
 * (dp_http_sync), a hole in a direction (dp_http_gap: the body cut, a
 * placeholder for a lost request, resynchronising), the next message start
 * after it, and which request a response answers when requests or
 * responses were lost (see http.h).
 *
 * Pairing.  A response's first segment acknowledges exactly the client
 * bytes the server had received when it answered, so the request it
 * answers is one whose head ends at or before that ACK.  Normally that is
 * the oldest waiting request (FIFO, pipelining included).  Three cases
 * differ:
 *  - no waiting request ends by the ACK: the request was lost in a hole
 *    the capture has not declared yet (or never captured): the response is
 *    request_lost; if the server had received client bytes this stage has
 *    not seen, the hole will show later, and the placeholder it would
 *    queue is already accounted for (lost_credit);
 *  - the oldest is a placeholder queued for a hole in the requests: the
 *    response is request_lost, the placeholder used up;
 *  - after a hole in the responses, whole responses may be missing: the
 *    request whose head ends exactly at the ACK (a server answering each
 *    request as it arrives) is taken, and older ones are reported with
 *    obj_response_lost; without an exact match, the oldest.
 */
#include "dataplane/http_int.h"

#include <string.h>

#include "dataplane/reasm.h"

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT",
};

/* "HTTP/1.x NNN" as far as @n bytes go ('#' is a digit). */
static bool status_prefix(const uint8_t *p, uint32_t n)
{
	static const char pat[] = "HTTP/1.# ###";

	for (uint32_t i = 0; i < n && i < sizeof(pat) - 1; i++)
		if (pat[i] == '#' ? p[i] < '0' || p[i] > '9' : p[i] != (uint8_t)pat[i])
			return false;
	return true;
}

/* A known method and a space, whole within @n bytes. */
static bool request_prefix(const uint8_t *p, uint32_t n)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t m = strlen(methods[i]);
		if (n > m && memcmp(p, methods[i], m) == 0 && p[m] == ' ')
			return true;
	}
	return false;
}

bool dp_http_sync(const struct dp_http_conn *c, enum dp_dir dir, const uint8_t *p, uint32_t len,
		  uint32_t ack)
{
	if (dir == DP_DIR_S2C)
		return c->pend_head && dp_seq_leq(c->pend_head->end_seq, ack) && len >= 7 &&
		       memcmp(p, "HTTP/1.", 7) == 0;
	return request_prefix(p, len);
}

/* A candidate starts at a line start, or where a segment starts (a server
 * usually begins a response in a new segment; its head is validated all
 * the same).  Not in the middle of a line: a body that quotes a status
 * line is not taken for one. */
uint32_t dp_http_resync_scan(struct dp_http_dir *d, enum dp_dir dir, const uint8_t *p, uint32_t len,
			     bool *ret_found)
{
	uint32_t i = 0;

	*ret_found = false;
	while (i < len) {
		const uint8_t *nl;

		if ((i == 0 || d->bol) && (dir == DP_DIR_S2C ? status_prefix(p + i, len - i)
						 : request_prefix(p + i, len - i))) {
			*ret_found = true;
			return i;
		}
		nl = memchr(p + i, '\n', len - i);
		if (!nl) {
			d->bol = false;
			return len;
		}
		i = (uint32_t)(nl - p) + 1;
		d->bol = true;
	}
	return len;
}

/* Take the requests before @pick and @pick itself off the queue; the
 * former go to *ret_skipped. */
static void dequeue_upto(struct dp_http_conn *c, struct dp_txn *pick, struct dp_txn **ret_skipped)
{
	struct dp_txn *t = c->pend_head, *prev = NULL;

	for (; t != pick; prev = t, t = t->next)
		c->npending--;
	if (prev) {
		prev->next = NULL;
		*ret_skipped = c->pend_head;
	}
	c->pend_head = pick->next;
	if (!c->pend_head)
		c->pend_tail = NULL;
	c->npending--;
	pick->next = NULL;
}

struct dp_txn *dp_http_pair_pick(struct dp_http_conn *c, uint32_t ack, struct dp_txn **ret_skipped,
				 bool *ret_lost)
{
	struct dp_txn *pick = c->pend_head;

	*ret_skipped = NULL;
	*ret_lost = false;
	if (!pick || !dp_seq_leq(pick->end_seq, ack)) {
		*ret_lost = true;
		if (c->c2s_seen && dp_seq_lt(c->c2s_seq, ack) && c->lost_credit < UINT8_MAX)
			c->lost_credit++;
		return NULL;
	}
	if (c->s2c_resynced)
		for (struct dp_txn *t = pick; t && dp_seq_leq(t->end_seq, ack); t = t->next)
			if (t->end_seq == ack) {
				pick = t;
				break;
			}
	c->s2c_resynced = false;
	dequeue_upto(c, pick, ret_skipped);
	if (!pick->lost)
		return pick;
	*ret_lost = true;
	pick->next = *ret_skipped;
	*ret_skipped = pick;
	return NULL;
}

/* A hole in the requests where a request head may have been: queue a
 * placeholder, unless a response was already reported request_lost for it
 * (lost_credit).  Its head ended by @seq at the latest. */
static void request_lost(struct dp_http *h, struct dp_http_conn *c, uint32_t seq)
{
	struct dp_txn *t;

	h->ctr->info[DP_INFO_http_requests_lost]++;
	if (c->lost_credit) {
		c->lost_credit--;
		return;
	}
	if (c->npending >= h->lim.max_pending || !(t = dp_http_txn_get(h)))
		return;
	t->lost = true;
	t->end_seq = seq;
	dp_http_pending_push(c, t);
}

/* Start (or go on) resynchronising @dir after a hole ending at @seq. */
static void resync_start(struct dp_http *h, struct dp_http_conn *c, enum dp_dir dir, uint32_t seq,
			 enum dp_info why)
{
	struct dp_http_dir *d = &c->dir[dir];
	bool going_on = d->state == H_RESYNC || d->tentative;

	dp_http_hdr_put(h, d);
	d->state = H_RESYNC;
	d->bol = true;
	d->tentative = false;
	if (going_on)
		return;
	d->resync_why = (uint8_t)why;
	if (dir == DP_DIR_S2C)
		c->s2c_resynced = true;
	else if (why != DP_INFO_http_resync_chunk)
		request_lost(h, c, seq);
}

int dp_http_gap(struct dp_http *h, struct dp_http_conn *c, enum dp_dir dir, uint32_t seq,
		uint32_t len, void *owner)
{
	struct dp_http_dir *d = &c->dir[dir];
	enum dp_info why = DP_INFO_http_resync_head;
	bool done;
	uint64_t rest;

	if (c->dead)
		return -1;
	if (dir == DP_DIR_C2S) {
		c->c2s_seq = seq;
		c->c2s_seen = true;
	}
	if (d->state == H_DONE)
		return 0;
	if (d->state == H_BODY) {
		struct dp_obj *bo = dir == DP_DIR_S2C ? c->obj : c->up;
		if (bo)
			bo->holes = true;
		if (!dp_body_skip(&d->body, len, &done, &rest)) {
			why = DP_INFO_http_resync_chunk;
			dp_http_body_done(h, c, dir, owner); /* incomplete: it has holes */
		} else {
			if (done)
				dp_http_body_done(h, c, dir, owner);
			if (!rest)
				return 0;
			why = DP_INFO_http_resync_overrun;
		}
	}
	resync_start(h, c, dir, seq, why);
	return 0;
}
