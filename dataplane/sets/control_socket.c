/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * control_socket.c - the control socket and its thread (see control_socket.h).
 */
#include "dataplane/sets/control_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/number.h"

#define CLIENT_IDLE_MS 30000 /* a silent client is dropped after this */

static void do_load(struct dp_setpub *live, char *args, char *out, size_t outlen)
{
	char *id = strtok_r(args, " ", &args), *ver = strtok_r(NULL, " ", &args);
	struct hwall_err err = { { 0 } };
	struct hws_info info;
	uint64_t v;
	int r;

	while (args && *args == ' ')
		args++;
	if (!id || !ver || !args || !*args) {
		snprintf(out, outlen, "err usage: load <set-id> <version> <path>\n");
		return;
	}
	if (hwall_parse_u64(ver, 0, UINT64_MAX, &v) < 0) {
		snprintf(out, outlen, "err version '%s' is not a number\n", ver);
		return;
	}
	r = dp_setpub_load(live, id, v, args, &info, &err);
	if (r < 0) {
		HWALL_LOG(WARN, "dp.control", "load %s %" PRIu64 " refused: %s", id, v, err.msg);
		snprintf(out, outlen, "err %s\n", err.msg);
		return;
	}
	HWALL_LOG(INFO, "dp.control", "loaded set %s version %" PRIu64 " (%" PRIu64 " entries) from %s",
	       info.id, info.version, info.entries, args);
	snprintf(out, outlen, "ok loaded %s %" PRIu64 " entries %" PRIu64 "\n", info.id,
		 info.version, info.entries);
}

/* allowlist <path>: a bad file is refused and the published list stays. */
static void do_allowlist(struct dp_setpub *live, char *args, char *out, size_t outlen)
{
	struct dp_allowlist *a = NULL;
	struct hwall_err err;
	uint32_t n;
	int r;

	while (args && *args == ' ')
		args++;
	if (!args || !*args) {
		snprintf(out, outlen, "err usage: allowlist <path>\n");
		return;
	}
	r = dp_allowlist_load(args, &a, &err);
	if (r < 0) {
		HWALL_LOG(WARN, "dp.control", "allowlist refused: %s", err.msg);
		snprintf(out, outlen, "err %s\n", err.msg);
		return;
	}
	n = a->n;
	r = dp_setpub_set_allowlist(live, a);
	if (r < 0) {
		snprintf(out, outlen, "err %s\n", hwall_strerror(r));
		return;
	}
	HWALL_LOG(INFO, "dp.control", "allowlist of %" PRIu32 " digests loaded from %s", n, args);
	snprintf(out, outlen, "ok allowlist %" PRIu32 " entries\n", n);
}

void dp_control_handle(struct dp_setpub *live, const char *line, char *out, size_t outlen)
{
	char buf[DP_CONTROL_LINE_MAX + 1], *rest, *cmd;
	int n;

	snprintf(buf, sizeof(buf), "%s", line);
	cmd = strtok_r(buf, " ", &rest);
	if (cmd && strcmp(cmd, "load") == 0) {
		do_load(live, rest, out, outlen);
	} else if (cmd && strcmp(cmd, "unload") == 0) {
		char *id = strtok_r(NULL, " ", &rest);

		if (!id || strtok_r(NULL, " ", &rest))
			snprintf(out, outlen, "err usage: unload <set-id>\n");
		else if (dp_setpub_unload(live, id) < 0)
			snprintf(out, outlen, "err set '%.64s' is not loaded\n", id);
		else {
			HWALL_LOG(INFO, "dp.control", "unloaded set %s", id);
			snprintf(out, outlen, "ok unloaded %s\n", id);
		}
	} else if (cmd && strcmp(cmd, "allowlist") == 0) {
		do_allowlist(live, rest, out, outlen);
	} else if (cmd && strcmp(cmd, "status") == 0 && !strtok_r(NULL, " ", &rest)) {
		n = dp_setpub_status(live, out, outlen - 1);
		if (n < 0)
			snprintf(out, outlen, "err status too long\n");
		else
			memcpy(out + n, "\n", 2);
	} else {
		snprintf(out, outlen, "err unknown command '%.40s' (load, unload, allowlist, status)\n",
			 cmd ? cmd : "");
	}
}

/* Answer every complete line in @buf[0..*len); keep the rest. */
static int serve_lines(struct dp_control *c, int fd, char *buf, size_t *len)
{
	char out[8192], *nl;

	while ((nl = memchr(buf, '\n', *len))) {
		size_t used = (size_t)(nl - buf) + 1;

		*nl = '\0';
		if (nl > buf && nl[-1] == '\r')
			nl[-1] = '\0';
		dp_control_handle(c->live, buf, out, sizeof(out));
		if (hwall_send_all(fd, out, strlen(out)) < 0)
			return -EIO;
		memmove(buf, buf + used, *len - used);
		*len -= used;
	}
	if (*len >= DP_CONTROL_LINE_MAX) {
		hwall_send_all(fd, "err line too long\n", 18);
		return -E2BIG;
	}
	return 0;
}

/* One client until it closes, goes silent, or the thread is stopped.
 * Returns false when stopped. */
static bool serve_client(struct dp_control *c, int fd)
{
	char buf[DP_CONTROL_LINE_MAX + 1];
	size_t len = 0;

	for (;;) {
		struct pollfd p[2] = { { c->stop_fd[0], POLLIN, 0 }, { fd, POLLIN, 0 } };
		ssize_t n;

		if (poll(p, 2, CLIENT_IDLE_MS) <= 0 || p[0].revents)
			return !p[0].revents;
		n = read(fd, buf + len, DP_CONTROL_LINE_MAX - len);
		if (n <= 0)
			return true;
		len += (size_t)n;
		if (serve_lines(c, fd, buf, &len) < 0)
			return true;
	}
}

static void *control_thread(void *arg)
{
	struct dp_control *c = arg;

	for (;;) {
		struct pollfd p[2] = { { c->stop_fd[0], POLLIN, 0 }, { c->listen_fd, POLLIN, 0 } };
		int fd;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (!p[1].revents)
			continue;
		fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		bool go_on = serve_client(c, fd);
		close(fd);
		if (!go_on)
			break;
	}
	return NULL;
}

/* A stale socket (nobody listening) is removed; anything else stays. */
static int clear_path(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : hwall_neg_errno();
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hwall_neg_errno();
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0)
		return -EADDRINUSE;
	return unlink(path) < 0 ? hwall_neg_errno() : 0;
}

static int open_socket(struct dp_control *c, const char *path, struct hwall_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return hwall_err_set(err, -ENAMETOOLONG, "control socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	r = clear_path(path, &sa);
	if (r < 0)
		return hwall_err_set(err, r, "control socket %s: %s", path,
				     r == -EADDRINUSE ? "another server listens there" :
				     r == -EEXIST ? "exists and is not a socket" : hwall_strerror(r));
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	r = c->listen_fd < 0 ? hwall_neg_errno() : 0;
	if (r == 0) {
		old = umask(0177);
		r = bind(c->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? hwall_neg_errno() : 0;
		umask(old);
	}
	if (r == 0 && listen(c->listen_fd, 8) < 0)
		r = hwall_neg_errno();
	if (r < 0)
		return hwall_err_set(err, r, "control socket %s: %s", path, hwall_strerror(r));
	return 0;
}

int dp_control_start(struct dp_control *c, struct dp_setpub *live, const char *path,
		     struct hwall_err *err)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->listen_fd = c->stop_fd[0] = c->stop_fd[1] = -1;
	c->live = live;
	snprintf(c->path, sizeof(c->path), "%s", path);
	r = open_socket(c, path, err);
	if (r < 0)
		goto out_stop;
	if (pipe2(c->stop_fd, O_CLOEXEC) < 0)
		r = hwall_neg_errno();
	if (r == 0) {
		sigset_t all, old;

		/* The thread is born with every signal blocked: SIGINT/SIGTERM
		 * are for the process's own threads, not the control polls. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		r = -pthread_create(&c->thread, NULL, control_thread, c);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (r < 0) {
		hwall_err_set(err, r, "control socket %s: %s", path, hwall_strerror(r));
		goto out_stop;
	}
	c->running = true;
	return 0;
out_stop:
	dp_control_stop(c);
	return r;
}

void dp_control_stop(struct dp_control *c)
{
	if (!c->path[0])
		return;
	if (c->running) {
		(void)!write(c->stop_fd[1], "x", 1);
		pthread_join(c->thread, NULL);
		c->running = false;
	}
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
		unlink(c->path);
	}
	for (int i = 0; i < 2; i++)
		if (c->stop_fd[i] >= 0)
			close(c->stop_fd[i]);
	memset(c, 0, sizeof(*c));
}
