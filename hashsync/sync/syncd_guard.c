/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * syncd_guard.c - the push endpoint's connection budgets, deadlines and
 * minimum upload rate (see syncd_guard.h).  A few hundred connections at
 * most: a list, scanned under one lock.
 */
#include "syncd_guard.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum conn_phase {
	PHASE_HEAD,    /* not authenticated yet: the head deadline runs */
	PHASE_UPLOAD,  /* a hotline's upload: the minimum rate applies */
	PHASE_VERIFY,  /* body complete */
	PHASE_CLOSING, /* shut down by the guard, or finished */
};

struct syncd_conn {
	struct syncd_conn *prev, *next;
	uint8_t addr[16];       /* IPv4 as ::ffff:a.b.c.d; IPv6 cut to its /64 */
	int fd;
	enum conn_phase phase;
	enum syncd_limit closed_why;
	int64_t opened_ms;
	bool uploading;         /* holds one of its hotline's upload slots */
	size_t hotline;
	uint64_t bytes;         /* of the hotline's memory budget */
	int64_t window_ms;      /* start of the current rate window */
	uint64_t window_bytes;
};

struct syncd_guard {
	pthread_mutex_t lock;
	struct syncd_guard_limits lim;
	struct syncd_conn *conns;
	uint32_t unauth;        /* connections in PHASE_HEAD */
	size_t n_hotlines;
	uint32_t *uploads;      /* per hotline */
	uint64_t *bytes;        /* per hotline */
	uint64_t counts[SYNCD_LIMIT_COUNT];
};

const char *syncd_limit_name(enum syncd_limit l)
{
	static const char *const names[SYNCD_LIMIT_COUNT] = {
#define SYNCD_LIMIT_NAME(e, name) [SYNCD_LIMIT_##e] = name,
		SYNCD_FOREACH_LIMIT(SYNCD_LIMIT_NAME)
#undef SYNCD_LIMIT_NAME
	};

	return (unsigned int)l < SYNCD_LIMIT_COUNT ? names[l] : "?";
}

/* The address a budget is kept for: IPv4 addresses whole, IPv6 by /64 (one
 * host commonly holds a whole /64). */
static void addr_key(const struct sockaddr *sa, uint8_t key[16])
{
	memset(key, 0, 16);
	if (sa && sa->sa_family == AF_INET) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		bool v4 = memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0;
		memcpy(key, a, v4 ? 16 : 8);
	}
}

struct syncd_guard *syncd_guard_new(const struct syncd_guard_limits *l, size_t n_hotlines)
{
	struct syncd_guard *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	g->uploads = calloc(n_hotlines ? n_hotlines : 1, sizeof(*g->uploads));
	g->bytes = calloc(n_hotlines ? n_hotlines : 1, sizeof(*g->bytes));
	if (!g->uploads || !g->bytes) {
		syncd_guard_free(g);
		return NULL;
	}
	g->lim = *l;
	g->n_hotlines = n_hotlines;
	return g;
}

void syncd_guard_free(struct syncd_guard *g)
{
	struct syncd_conn *c, *next;

	if (!g)
		return;
	for (c = g->conns; c; c = next) {
		next = c->next;
		free(c);
	}
	pthread_mutex_destroy(&g->lock);
	free(g->uploads);
	free(g->bytes);
	free(g);
}

/* Shut @c's socket down; the server sees the end and cleans up.  Locked. */
static void cut(struct syncd_guard *g, struct syncd_conn *c, enum syncd_limit why)
{
	if (c->phase == PHASE_HEAD)
		g->unauth--;
	c->phase = PHASE_CLOSING;
	c->closed_why = why;
	g->counts[why]++;
	shutdown(c->fd, SHUT_RDWR);
}

/* Unauthenticated connections from @key.  Locked. */
static uint32_t unauth_from(const struct syncd_guard *g, const uint8_t key[16])
{
	uint32_t n = 0;

	for (const struct syncd_conn *c = g->conns; c; c = c->next)
		n += c->phase == PHASE_HEAD && memcmp(c->addr, key, 16) == 0;
	return n;
}

/* The oldest unauthenticated connection of the address that holds the
 * most of them (the list is newest first).  Locked. */
static struct syncd_conn *eviction_victim(const struct syncd_guard *g)
{
	struct syncd_conn *best = NULL;
	uint32_t best_n = 0;

	for (struct syncd_conn *c = g->conns; c; c = c->next) {
		uint32_t n = c->phase == PHASE_HEAD ? unauth_from(g, c->addr) : 0;
		if (n && n >= best_n) {
			best = c;
			best_n = n;
		}
	}
	return best;
}

bool syncd_guard_admit(struct syncd_guard *g, const struct sockaddr *sa, int64_t now_ms)
{
	uint8_t key[16];
	bool ok;

	(void)now_ms;
	addr_key(sa, key);
	pthread_mutex_lock(&g->lock);
	ok = unauth_from(g, key) < g->lim.unauth_per_address;
	if (!ok)
		g->counts[SYNCD_LIMIT_ADDRESS]++;
	while (ok && g->unauth >= g->lim.unauth_total) {
		struct syncd_conn *victim = eviction_victim(g);
		if (!victim)
			break;
		cut(g, victim, SYNCD_LIMIT_EVICTED);
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

struct syncd_conn *syncd_guard_open(struct syncd_guard *g, const struct sockaddr *sa, int fd,
				    int64_t now_ms)
{
	struct syncd_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	addr_key(sa, c->addr);
	c->fd = fd;
	c->phase = PHASE_HEAD;
	c->closed_why = SYNCD_LIMIT_COUNT;
	c->opened_ms = now_ms;
	pthread_mutex_lock(&g->lock);
	c->next = g->conns;
	if (g->conns)
		g->conns->prev = c;
	g->conns = c;
	g->unauth++;
	pthread_mutex_unlock(&g->lock);
	return c;
}

/* Give @c's bytes back to its hotline.  Locked. */
static void release_bytes(struct syncd_guard *g, struct syncd_conn *c)
{
	if (c->uploading)
		g->bytes[c->hotline] -= c->bytes;
	c->bytes = 0;
}

void syncd_guard_close(struct syncd_guard *g, struct syncd_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	if (c->phase == PHASE_HEAD)
		g->unauth--;
	release_bytes(g, c);
	if (c->uploading)
		g->uploads[c->hotline]--;
	if (c->prev)
		c->prev->next = c->next;
	else
		g->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&g->lock);
	free(c);
}

/* Whether hotline @h may take one more upload of @bytes.  Locked. */
static int hotline_room(struct syncd_guard *g, size_t h, uint64_t bytes)
{
	if (g->uploads[h] >= g->lim.hotline_uploads) {
		g->counts[SYNCD_LIMIT_UPLOADS]++;
		return -EBUSY;
	}
	if (bytes > g->lim.hotline_upload_bytes - g->bytes[h]) {
		g->counts[SYNCD_LIMIT_BYTES]++;
		return -ENOBUFS;
	}
	return 0;
}

int syncd_guard_upload(struct syncd_guard *g, struct syncd_conn *c, size_t hotline, uint64_t bytes,
		       int64_t now_ms)
{
	int r;

	if (!c || hotline >= g->n_hotlines)
		return -EINVAL;
	pthread_mutex_lock(&g->lock);
	r = c->phase == PHASE_HEAD ? hotline_room(g, hotline, bytes) : -ECONNRESET;
	if (r == 0) {
		g->unauth--;
		g->uploads[hotline]++;
		g->bytes[hotline] += bytes;
		c->phase = PHASE_UPLOAD;
		c->uploading = true;
		c->hotline = hotline;
		c->bytes = bytes;
		c->window_ms = now_ms;
		c->window_bytes = 0;
	}
	pthread_mutex_unlock(&g->lock);
	return r;
}

void syncd_guard_received(struct syncd_guard *g, struct syncd_conn *c, uint64_t n)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	c->window_bytes += n;
	pthread_mutex_unlock(&g->lock);
}

void syncd_guard_body_done(struct syncd_guard *g, struct syncd_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	if (c->phase == PHASE_UPLOAD)
		c->phase = PHASE_VERIFY;
	pthread_mutex_unlock(&g->lock);
}

void syncd_guard_release(struct syncd_guard *g, struct syncd_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	release_bytes(g, c);
	pthread_mutex_unlock(&g->lock);
}

enum syncd_limit syncd_guard_closed_why(struct syncd_guard *g, const struct syncd_conn *c)
{
	enum syncd_limit why;

	if (!c)
		return SYNCD_LIMIT_COUNT;
	pthread_mutex_lock(&g->lock);
	why = c->closed_why;
	pthread_mutex_unlock(&g->lock);
	return why;
}

void syncd_guard_count(struct syncd_guard *g, enum syncd_limit l)
{
	pthread_mutex_lock(&g->lock);
	if ((unsigned int)l < SYNCD_LIMIT_COUNT)
		g->counts[l]++;
	pthread_mutex_unlock(&g->lock);
}

/* Whether @c's upload fell below the minimum rate over a window that ended
 * by @now_ms; starts the next window when it did not.  Locked. */
static bool too_slow(const struct syncd_guard *g, struct syncd_conn *c, int64_t now_ms)
{
	int64_t elapsed = now_ms - c->window_ms;

	if (!g->lim.min_upload_rate || elapsed < (int64_t)g->lim.rate_window_ms)
		return false;
	if (c->window_bytes * 1000 < g->lim.min_upload_rate * (uint64_t)elapsed)
		return true;
	c->window_ms = now_ms;
	c->window_bytes = 0;
	return false;
}

unsigned int syncd_guard_sweep(struct syncd_guard *g, int64_t now_ms)
{
	unsigned int closed = 0;

	pthread_mutex_lock(&g->lock);
	for (struct syncd_conn *c = g->conns; c; c = c->next) {
		if (c->phase == PHASE_HEAD && now_ms - c->opened_ms >= (int64_t)g->lim.head_timeout_ms) {
			cut(g, c, SYNCD_LIMIT_HEAD_TIMEOUT);
			closed++;
		} else if (c->phase == PHASE_UPLOAD && too_slow(g, c, now_ms)) {
			cut(g, c, SYNCD_LIMIT_SLOW);
			closed++;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return closed;
}

void syncd_guard_counts(struct syncd_guard *g, uint64_t ret_counts[SYNCD_LIMIT_COUNT])
{
	pthread_mutex_lock(&g->lock);
	memcpy(ret_counts, g->counts, sizeof(g->counts));
	pthread_mutex_unlock(&g->lock);
}
