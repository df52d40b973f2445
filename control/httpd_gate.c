/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * httpd_gate.c - request heads wait here, with a deadline, before the HTTP
 * server gets them (see httpd_gate.h).
 */
#include "control/httpd_gate.h"
#include "common/clock.h"
#include "common/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PEEK_EVERY_MS 10 /* a connection's head is looked at no more often */

/* A connection whose request head has not all arrived yet. */
struct waiting {
	int fd;                       /* -1: gone, the slot is free at the next compaction */
	struct sockaddr_storage sa;
	socklen_t sa_len;
	uint8_t addr[9];              /* family, then 4 (IPv4) or 8 (IPv6 /64) bytes */
	uint64_t accepted_ms, deadline_ms, next_peek_ms;
	size_t scanned;               /* bytes of the head already searched */
};

struct ctl_gate {
	struct ctl_gate_config cfg;
	pthread_t thread;
	int wake[2];                  /* a byte in [1] stops the thread */
	struct waiting *w;
	size_t n;
	struct pollfd *pfd;
	size_t *who;                  /* pfd[i] is w[who[i]] (from pfd[2] on) */
	char peek[CTL_GATE_HEAD_MAX];
};

static const char answer_408[] =
	"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
static const char answer_431[] = "HTTP/1.1 431 Request Header Fields Too Large\r\n"
				 "Connection: close\r\nContent-Length: 0\r\n\r\n";

/* The key that counts as "one address": IPv4 (also as ::ffff:a.b.c.d), or
 * the /64 of an IPv6 address (one host or one site's hosts alike). */
static void addr_key(const struct sockaddr_storage *sa, uint8_t key[9])
{
	memset(key, 0, 9);
	if (sa->ss_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		bool v4 = IN6_IS_ADDR_V4MAPPED(a);
		key[0] = v4 ? 4 : 6;
		memcpy(key + 1, v4 ? a->s6_addr + 12 : a->s6_addr, v4 ? 4 : 8);
	}
}

/* Close @e's connection, with @answer when given (and the head it sent
 * read away first, so that the close ends it cleanly). */
static void drop(struct waiting *e, const char *answer, size_t len)
{
	char sink[CTL_GATE_HEAD_MAX];

	if (answer) {
		for (int i = 0; i < 2 && recv(e->fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
			;
		send(e->fd, answer, len, MSG_DONTWAIT | MSG_NOSIGNAL); /* or it sees the close */
	}
	close(e->fd);
	e->fd = -1;
}

/* Remove the slots of connections that are gone, keeping the others. */
static void compact(struct ctl_gate *g)
{
	size_t k = 0;

	for (size_t i = 0; i < g->n; i++)
		if (g->w[i].fd >= 0)
			g->w[k++] = g->w[i];
	g->n = k;
}

/* Close the connection that has waited longest: of address @key, or of
 * all when @key is NULL.  Returns whether there was one. */
static bool evict_oldest(struct ctl_gate *g, const uint8_t *key)
{
	struct waiting *old = NULL;

	for (size_t i = 0; i < g->n; i++) {
		struct waiting *e = &g->w[i];
		if (e->fd < 0 || (key && memcmp(e->addr, key, sizeof(e->addr)) != 0))
			continue;
		if (!old || e->accepted_ms < old->accepted_ms)
			old = e;
	}
	if (!old)
		return false;
	ctl_count(g->cfg.metrics, CTL_CTR_API_HEAD_EVICTED, 1);
	drop(old, NULL, 0);
	return true;
}

static size_t count_from(const struct ctl_gate *g, const uint8_t *key)
{
	size_t n = 0;

	for (size_t i = 0; i < g->n; i++)
		n += g->w[i].fd >= 0 && memcmp(g->w[i].addr, key, sizeof(g->w[i].addr)) == 0;
	return n;
}

/* Take the new connection @fd: room is made by closing the oldest one of
 * its address when that address is at its limit, else the oldest of all
 * when every slot is taken. */
static void admit(struct ctl_gate *g, int fd, const struct sockaddr_storage *sa, socklen_t len)
{
	uint64_t now = hwall_mono_ms();
	struct waiting e = { .fd = fd, .sa = *sa, .sa_len = len, .accepted_ms = now,
			     .deadline_ms = now + g->cfg.head_timeout_ms, .next_peek_ms = now };

	addr_key(sa, e.addr);
	if (count_from(g, e.addr) >= g->cfg.max_per_address)
		evict_oldest(g, e.addr);
	compact(g);
	if (g->n >= g->cfg.max_pending && evict_oldest(g, NULL))
		compact(g);
	g->w[g->n++] = e;
}

static void accept_all(struct ctl_gate *g)
{
	for (;;) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		int fd = accept4(g->cfg.listen_fd, (struct sockaddr *)&sa, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN, or out of descriptors: poll says when to retry */
		admit(g, fd, &sa, len);
	}
}

/* Whether the @n bytes at @p hold the end of a request head (an empty
 * line; RFC 9112 lets a recipient take a bare LF as a line end). */
static bool head_ends(const char *p, size_t n, size_t from)
{
	from = from > 3 ? from - 3 : 0;
	return memmem(p + from, n - from, "\r\n\r\n", 4) || memmem(p + from, n - from, "\n\n", 2);
}

/* Look at what @e has sent: hand it over with a complete head, refuse a
 * head that is too large, close what the client closed. */
static void examine(struct ctl_gate *g, struct waiting *e, uint64_t now)
{
	ssize_t n = recv(e->fd, g->peek, sizeof(g->peek), MSG_PEEK | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop(e, NULL, 0);
	} else if (g->cfg.tls || head_ends(g->peek, (size_t)n, e->scanned)) {
		g->cfg.hand(g->cfg.hand_ctx, e->fd, (const struct sockaddr *)&e->sa, e->sa_len);
		e->fd = -1;
	} else if ((size_t)n == sizeof(g->peek)) {
		/* counted first: whoever sees the answer sees the count */
		ctl_count(g->cfg.metrics, CTL_CTR_API_HEAD_TOO_LARGE, 1);
		drop(e, answer_431, sizeof(answer_431) - 1);
	} else {
		e->scanned = (size_t)n;
		e->next_peek_ms = now + PEEK_EVERY_MS;
	}
}

/* Close the connections past their deadline; the poll timeout until the
 * next deadline or peek (-1: none). */
static int expire(struct ctl_gate *g, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < g->n; i++) {
		struct waiting *e = &g->w[i];
		if (e->fd >= 0 && now >= e->deadline_ms) {
			ctl_count(g->cfg.metrics, CTL_CTR_API_HEAD_TIMEOUTS, 1);
			if (g->cfg.tls)
				drop(e, NULL, 0);
			else
				drop(e, answer_408, sizeof(answer_408) - 1);
			continue;
		}
		next = e->deadline_ms < next ? e->deadline_ms : next;
		if (e->next_peek_ms > now && e->next_peek_ms < next)
			next = e->next_peek_ms;
	}
	compact(g);
	return next == UINT64_MAX ? -1 : (int)(next - now);
}

static void *run(void *arg)
{
	struct ctl_gate *g = arg;

	for (;;) {
		uint64_t now = hwall_mono_ms();
		int timeout = expire(g, now);
		nfds_t n = 0;

		g->pfd[n++] = (struct pollfd){ .fd = g->wake[0], .events = POLLIN };
		g->pfd[n++] = (struct pollfd){ .fd = g->cfg.listen_fd, .events = POLLIN };
		for (size_t i = 0; i < g->n; i++) {
			if (g->w[i].next_peek_ms > now)
				continue;
			g->who[n] = i;
			g->pfd[n++] = (struct pollfd){ .fd = g->w[i].fd, .events = POLLIN };
		}
		if (poll(g->pfd, n, timeout) < 0 && errno != EINTR)
			break;
		if (g->pfd[0].revents)
			break;
		now = hwall_mono_ms();
		for (nfds_t i = 2; i < n; i++)
			if (g->pfd[i].revents)
				examine(g, &g->w[g->who[i]], now);
		compact(g);
		if (g->pfd[1].revents)
			accept_all(g);
	}
	return NULL;
}

int ctl_gate_start(const struct ctl_gate_config *cfg, struct ctl_gate **ret_gate)
{
	struct ctl_gate *g = calloc(1, sizeof(*g));
	int r = -ENOMEM;

	if (!g)
		goto out_close_listen;
	g->cfg = *cfg;
	g->w = calloc(cfg->max_pending + 1, sizeof(*g->w));
	g->pfd = calloc(cfg->max_pending + 3, sizeof(*g->pfd));
	g->who = calloc(cfg->max_pending + 3, sizeof(*g->who));
	if (!g->w || !g->pfd || !g->who)
		goto out_free;
	if (pipe2(g->wake, O_CLOEXEC) < 0) {
		r = hwall_neg_errno();
		goto out_free;
	}
	r = -pthread_create(&g->thread, NULL, run, g);
	if (r < 0)
		goto out_close_pipe;
	*ret_gate = g;
	return 0;

out_close_pipe:
	close(g->wake[0]);
	close(g->wake[1]);
out_free:
	free(g->w);
	free(g->pfd);
	free(g->who);
	free(g);
out_close_listen:
	close(cfg->listen_fd);
	return r;
}

void ctl_gate_stop(struct ctl_gate *g)
{
	ssize_t w;

	if (!g)
		return;
	w = write(g->wake[1], "x", 1); /* a full pipe has woken it anyway */
	(void)w;
	pthread_join(g->thread, NULL);
	for (size_t i = 0; i < g->n; i++)
		if (g->w[i].fd >= 0)
			close(g->w[i].fd);
	close(g->cfg.listen_fd);
	close(g->wake[0]);
	close(g->wake[1]);
	free(g->w);
	free(g->pfd);
	free(g->who);
	free(g);
}
