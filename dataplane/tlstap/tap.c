// SPDX-License-Identifier: GPL-2.0-only
/*
 * tap.c - TLS tap records to ordered streams, then the HTTP stages (tap.h).
 */
#include "dataplane/tlstap/tap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/http.h"

#define H2_PREFACE_START "PRI "

static const char *const ctr_names[DP_TAP_CTR_COUNT] = {
#define DP_TAP_X_NAME(name, desc) #name,
	DP_TAP_TABLE(DP_TAP_X_NAME)
#undef DP_TAP_X_NAME
};

const char *dp_tap_ctr_name(unsigned int c)
{
	return c < DP_TAP_CTR_COUNT ? ctr_names[c] : "?";
}

/* The table: slots[] holds conn index + 1 (0: empty), linear probing with
 * backward-shift deletion; conns[] never move (their flows are handed to
 * the stages by pointer).  Free conns are chained through their tgid. */
struct tap_index {
	uint32_t *slots;
	uint32_t free_head;
};

static uint64_t key_hash(uint32_t tgid, uint64_t ssl)
{
	uint64_t h = (ssl ^ ((uint64_t)tgid << 32)) * 0x9e3779b97f4a7c15ull;

	return h ^ (h >> 29);
}

static struct tap_index *index_of(struct dp_tap *t)
{
	return (struct tap_index *)(t->conns + t->max_conns);
}

int dp_tap_init(struct dp_tap *t, struct dp_worker *w, uint32_t max_conns, uint64_t idle_ns,
		const struct dp_h2_limits *h2lim)
{
	struct tap_index *ix;
	uint32_t cap = 2;

	memset(t, 0, sizeof(*t));
	if (max_conns == 0 || max_conns > (1u << 24))
		return -EINVAL;
	while (cap < 2 * max_conns)
		cap <<= 1;
	/* conns[], then the index header (one allocation, one free) */
	t->conns = calloc(1, (size_t)max_conns * sizeof(*t->conns) + sizeof(*ix));
	if (!t->conns)
		return -ENOMEM;
	t->max_conns = max_conns;
	ix = index_of(t);
	ix->slots = calloc(cap, sizeof(*ix->slots));
	if (!ix->slots) {
		free(t->conns);
		t->conns = NULL;
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < max_conns; i++)
		t->conns[i].tgid = i + 1 < max_conns ? i + 1 : UINT32_MAX;
	ix->free_head = 0;
	t->cap = cap;
	t->idle_ns = idle_ns;
	t->w = w;
	dp_h2_init(&t->h2, h2lim, &w->http);
	return 0;
}

/* Slot of (tgid, ssl), or of the empty slot where it would go. */
static uint32_t slot_find(const struct dp_tap *t, const struct tap_index *ix, uint32_t tgid,
			  uint64_t ssl)
{
	uint32_t s = (uint32_t)key_hash(tgid, ssl) & (t->cap - 1);

	for (;;) {
		uint32_t v = ix->slots[s];

		if (!v || (t->conns[v - 1].ssl == ssl && t->conns[v - 1].tgid == tgid))
			return s;
		s = (s + 1) & (t->cap - 1);
	}
}

static void slot_delete(struct dp_tap *t, struct tap_index *ix, uint32_t s)
{
	uint32_t mask = t->cap - 1, j = s;

	ix->slots[s] = 0;
	for (;;) {
		uint32_t home;
		const struct dp_tap_conn *c;

		j = (j + 1) & mask;
		if (!ix->slots[j])
			return;
		c = &t->conns[ix->slots[j] - 1];
		home = (uint32_t)key_hash(c->tgid, c->ssl) & mask;
		/* move j back to s unless its home lies cyclically in (s, j] */
		if ((s < j) ? (home <= s || home > j) : (home <= s && home > j)) {
			ix->slots[s] = ix->slots[j];
			ix->slots[j] = 0;
			s = j;
		}
	}
}

/* End @c: objects in flight get @why, then the slot is freed. */
static void conn_end(struct dp_tap *t, struct dp_tap_conn *c, enum dp_drop why)
{
	struct tap_index *ix = index_of(t);
	uint32_t idx = (uint32_t)(c - t->conns);

	if (c->mode == DP_TAP_H2)
		dp_h2_conn_free(&t->h2, c->h2, why, &c->flow);
	dp_http_release(&t->w->http, &c->flow.http, why, &c->flow);
	slot_delete(t, ix, slot_find(t, ix, c->tgid, c->ssl));
	memset(c, 0, sizeof(*c));
	c->tgid = ix->free_head;
	ix->free_head = idx;
	t->count--;
}

static void set_key(struct dp_tap_conn *c, const struct tlstap_rec *rec)
{
	struct dp_flow_key *k = &c->flow.key;

	c->cookie = rec->cookie;
	c->flow.family = rec->family;
	memcpy(k->server, rec->local, sizeof(k->server));
	memcpy(k->client, rec->peer, sizeof(k->client));
	k->server_port = rec->local_port;
	k->client_port = rec->peer_port;
}

static struct dp_tap_conn *conn_new(struct dp_tap *t, const struct tlstap_rec *rec)
{
	struct tap_index *ix = index_of(t);
	uint32_t s = slot_find(t, ix, rec->tgid, rec->ssl), idx;
	struct dp_tap_conn *c;

	if (t->count >= t->max_conns) {
		t->ctr[DP_TAP_conn_table_full]++;
		return NULL;
	}
	idx = ix->free_head;
	c = &t->conns[idx];
	ix->free_head = c->tgid;
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->tgid = rec->tgid;
	c->ssl = rec->ssl;
	c->flow.in_use = true;
	ix->slots[s] = idx + 1;
	t->count++;
	t->ctr[DP_TAP_conns]++;
	return c;
}

static struct dp_tap_conn *conn_lookup(struct dp_tap *t, uint32_t tgid, uint64_t ssl)
{
	struct tap_index *ix = index_of(t);
	uint32_t v = ix->slots[slot_find(t, ix, tgid, ssl)];

	return v ? &t->conns[v - 1] : NULL;
}

void dp_tap_fini(struct dp_tap *t)
{
	if (!t->conns)
		return;
	for (uint32_t i = 0; i < t->max_conns; i++)
		if (t->conns[i].used)
			conn_end(t, &t->conns[i], DP_DROP_obj_abandoned_end);
	free(index_of(t)->slots);
	free(t->conns);
	t->conns = NULL;
}

/* Which parser: the client's HTTP/2 preface, or a server that speaks
 * first (HTTP/2 SETTINGS), means HTTP/2; anything else HTTP/1.1. */
static enum dp_tap_mode sniff(enum dp_dir dir, const uint8_t *p, uint32_t len)
{
	if (dir == DP_DIR_C2S)
		return len >= 4 && !memcmp(p, H2_PREFACE_START, 4) ? DP_TAP_H2 : DP_TAP_H1;
	return len >= 5 && !memcmp(p, "HTTP/", 5) ? DP_TAP_H1 : DP_TAP_H2;
}

static int conn_start(struct dp_tap *t, struct dp_tap_conn *c, enum dp_dir dir,
		      const uint8_t *p, uint32_t len)
{
	c->mode = sniff(dir, p, len);
	if (c->mode != DP_TAP_H2)
		return 0;
	t->ctr[DP_TAP_conns_h2]++;
	c->h2 = dp_h2_conn_new(&t->h2);
	if (!c->h2) {
		t->w->ctr.drop[DP_DROP_http_no_memory]++;
		return -1;
	}
	return 0;
}

static int stream_gap(struct dp_tap *t, struct dp_tap_conn *c, enum dp_dir dir, uint64_t len)
{
	uint32_t n = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;

	t->ctr[DP_TAP_holes]++;
	t->ctr[DP_TAP_hole_bytes] += len;
	if (c->mode == DP_TAP_H2)
		return dp_h2_gap(&t->h2, c->h2, dir, n, &c->flow);
	return dp_http_gap(&t->w->http, &c->flow.http, dir, (uint32_t)c->off[dir], n, &c->flow);
}

static void stream_data(struct dp_tap *t, struct dp_tap_conn *c, const struct tlstap_rec *rec)
{
	enum dp_dir dir = rec->dir == TLSTAP_DIR_IN ? DP_DIR_C2S : DP_DIR_S2C;
	int r = 0;

	if (rec->off < c->off[dir]) {
		t->ctr[DP_TAP_stale_records]++;
		return;
	}
	if (c->flow.unusable)
		return;
	/* A connection whose start was lost goes to HTTP/1.1, which gives it
	 * up at the first byte that is not a message start (counted). */
	if (c->mode == DP_TAP_UNKNOWN && rec->off > 0)
		c->mode = DP_TAP_H1;
	else if (c->mode == DP_TAP_UNKNOWN)
		r = conn_start(t, c, dir, rec->data, rec->len);
	if (r == 0 && rec->off > c->off[dir])
		r = stream_gap(t, c, dir, rec->off - c->off[dir]);
	c->off[dir] = rec->off + rec->len;
	if (r == 0 && c->mode == DP_TAP_H2)
		r = dp_h2_data(&t->h2, c->h2, dir, rec->data, rec->len, &c->flow);
	else if (r == 0)
		/* "ack": all the other side has sent was read by now (a
		 * plaintext stream has no loss to pair around) */
		r = dp_http_data(&t->w->http, &c->flow.http, dir, (uint32_t)rec->off,
				 (uint32_t)c->off[dir == DP_DIR_C2S ? DP_DIR_S2C : DP_DIR_C2S],
				 rec->data, rec->len, &c->flow);
	if (r < 0)
		c->flow.unusable = true; /* given up (counted by the stage) */
}

/* The connection of @rec, created for data; NULL when there is none. */
static struct dp_tap_conn *conn_of(struct dp_tap *t, const struct tlstap_rec *rec)
{
	struct dp_tap_conn *c = conn_lookup(t, rec->tgid, rec->ssl);

	/* The SSL object was freed and reused without us seeing the end. */
	if (c && rec->kind == TLSTAP_DATA &&
	    ((rec->cookie && c->cookie && rec->cookie != c->cookie) || (rec->off == 0 &&
	      c->off[rec->dir == TLSTAP_DIR_IN ? DP_DIR_C2S : DP_DIR_S2C] > 0))) {
		t->ctr[DP_TAP_conns_replaced]++;
		conn_end(t, c, DP_DROP_obj_abandoned_reused);
		c = NULL;
	}
	if (!c && rec->kind == TLSTAP_DATA)
		c = conn_new(t, rec);
	return c;
}

void dp_tap_record(struct dp_tap *t, const struct tlstap_rec *rec, size_t size, uint64_t now_ns)
{
	struct dp_tap_conn *c;

	t->ctr[DP_TAP_records]++;
	if (size < sizeof(*rec) || size - sizeof(*rec) < rec->len || rec->kind >= TLSTAP_KIND_COUNT ||
	    rec->dir >= TLSTAP_DIR_COUNT) {
		t->ctr[DP_TAP_bad_records]++;
		return;
	}
	t->w->now_ns = now_ns;
	c = conn_of(t, rec);
	if (!c)
		return;
	c->last_ns = rec->ts_ns;
	if (rec->family && rec->cookie != c->cookie)
		set_key(c, rec);
	if (rec->kind != TLSTAP_DATA) {
		/* the server's close_notify: a close-delimited body ends there */
		if (c->mode == DP_TAP_H1 && !c->flow.unusable)
			dp_http_fin(&t->w->http, &c->flow.http, DP_DIR_S2C, &c->flow);
		if (rec->kind == TLSTAP_CLOSE) {
			t->ctr[DP_TAP_conns_closed]++;
			conn_end(t, c, DP_DROP_obj_abandoned_rst);
		}
		return;
	}
	t->w->ctr.packets++;
	t->w->ctr.bytes += rec->len;
	stream_data(t, c, rec);
	dp_worker_burst_end(t->w); /* the record goes back to the ring after this */
}

uint32_t dp_tap_expire(struct dp_tap *t, uint64_t now_ns, uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < max && i < t->max_conns; i++) {
		struct dp_tap_conn *c = &t->conns[t->expire_pos];

		t->expire_pos = (t->expire_pos + 1) % t->max_conns;
		if (c->used && now_ns > c->last_ns && now_ns - c->last_ns > t->idle_ns) {
			t->ctr[DP_TAP_conns_idle]++;
			conn_end(t, c, DP_DROP_obj_abandoned_timeout);
			n++;
		}
	}
	return n;
}
