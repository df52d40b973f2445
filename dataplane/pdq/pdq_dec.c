/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_dec.c - starting, feeding and restarting the decoder process (see
 * pdq_dec.h).
 */
#include "dataplane/pdq/pdq_dec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "dataplane/pdq/pdq_proto.h"

int dp_pdq_dec_init(struct dp_pdq_dec *d, const char *path, uint32_t timeout_ms,
		    uint32_t memory_mib, uint64_t max_bytes)
{
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->path = strdup(path);
	if (!d->path)
		return -ENOMEM;
	d->timeout_ms = timeout_ms;
	d->memory_mib = memory_mib;
	d->max_bytes = max_bytes;
	return 0;
}

/* Kill the process (if @kill) and reap it; the next body starts another. */
static void stop(struct dp_pdq_dec *d, bool kill_it)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	if (d->pid <= 0)
		return;
	if (kill_it)
		kill(d->pid, SIGKILL);
	while (waitpid(d->pid, &d->last_status, 0) < 0 && errno == EINTR)
		;
	d->pid = 0;
}

void dp_pdq_dec_fini(struct dp_pdq_dec *d)
{
	if (d->pid > 0 && d->fd >= 0) {
		/* End of input: it exits by itself; give it a moment. */
		struct pollfd p = { .fd = d->fd, .events = POLLIN };

		shutdown(d->fd, SHUT_WR);
		poll(&p, 1, 200);
	}
	stop(d, true);
	free(d->path);
	memset(d, 0, sizeof(*d));
	d->fd = -1;
}

static int start(struct dp_pdq_dec *d)
{
	char mib[24], maxb[24];
	char *argv[] = { d->path, mib, maxb, NULL };
	char *envp[] = { NULL };
	posix_spawn_file_actions_t fa;
	int sv[2], r;

	snprintf(mib, sizeof(mib), "%u", d->memory_mib);
	snprintf(maxb, sizeof(maxb), "%llu", (unsigned long long)d->max_bytes);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	r = posix_spawn_file_actions_init(&fa);
	if (r == 0) {
		/* dup2 clears close-on-exec on the child's stdin only. */
		r = posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
		if (r == 0)
			r = posix_spawn(&d->pid, d->path, &fa, NULL, argv, envp);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(sv[1]);
	if (r != 0) {
		close(sv[0]);
		d->pid = 0;
		return -r;
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	d->fd = sv[0];
	d->starts++;
	return 0;
}

/* Milliseconds left until @deadline (CLOCK_MONOTONIC seconds), >= 0. */
static int left_ms(double deadline)
{
	double left = deadline - hwall_mono_s();

	return left > 0 ? (int)(left * 1000) + 1 : 0;
}

/* Send or receive exactly @len bytes before @deadline.  Returns 0,
 * -ETIMEDOUT, or -ECHILD (the other end went away). */
static int xfer(int fd, void *buf, size_t len, bool out, double deadline)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pf = { .fd = fd, .events = out ? POLLOUT : POLLIN };
		ssize_t n;
		int ms = left_ms(deadline);

		if (ms == 0)
			return -ETIMEDOUT;
		n = poll(&pf, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -ECHILD;
		if (n == 0)
			return -ETIMEDOUT;
		n = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -ECHILD;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int dp_pdq_dec_hash(struct dp_pdq_dec *d, const void *buf, size_t len,
		    struct pdq_result *ret_res)
{
	struct dp_pdq_req req = { DP_PDQ_REQ_MAGIC, (uint32_t)len };
	struct dp_pdq_reply rep;
	double deadline;
	int r;

	if (len == 0 || len > d->max_bytes)
		return -E2BIG;
	if (d->pid <= 0 && (r = start(d)) < 0)
		return r;
	deadline = hwall_mono_s() + d->timeout_ms / 1000.0;
	r = xfer(d->fd, &req, sizeof(req), true, deadline);
	if (r == 0)
		r = xfer(d->fd, (void *)buf, len, true, deadline);
	if (r == 0)
		r = xfer(d->fd, &rep, sizeof(rep), false, deadline);
	if (r == 0) {
		r = dp_pdq_reply_parse(&rep, sizeof(rep), ret_res);
		if (r == -EPROTO)
			r = -ECHILD; /* not a decoder we can trust any more */
	}
	if (r == -ETIMEDOUT || r == -ECHILD)
		stop(d, true);
	return r;
}

int dp_pdq_dec_default_path(char *out, size_t cap)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)snprintf(out, cap, "%s/%s", exe, DP_PDQ_DECODER_NAME) >= cap)
		return -ENAMETOOLONG;
	return 0;
}
