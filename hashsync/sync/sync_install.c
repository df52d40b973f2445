/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_install.c - build the new set file from a verified bundle, and the
 * dataplane notification (see sync_install.h).
 */
#include "sync_install.h"
#include "sync_state.h"
#include "common/errors.h"
#include "common/fileio.h"
#include "hashsync/hws.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Apply one payload record of the operation @ctx asks for. */
struct apply_ctx {
	struct hws_builder *b;
	bool removes;
};

static int apply_record(const struct sync_record *r, void *arg)
{
	struct apply_ctx *c = arg;

	if (r->remove != c->removes)
		return 0;
	if (r->remove)
		return hws_builder_remove(c->b, r->algo, r->digest);
	return hws_builder_add(c->b, r->algo, r->digest, r->category, r->ref);
}

/* The delta's base: the installed set, which must be at m->base.  The
 * builder merges it in while writing, so *ret_old stays open until the
 * builder is freed. */
static int add_base(struct hws_builder *b, const struct sync_manifest *m, const char *path,
		    struct hws_set **ret_old, struct hwall_err *err)
{
	struct hwall_err herr;
	struct hws_set *old = NULL;
	struct hws_info info;
	int r;

	r = hws_open(path, &old, &herr);
	if (r < 0)
		return hwall_err_set(err, r, "opening the base set: %s",
				     r == -EINVAL ? herr.msg : hwall_strerror(r));
	hws_info(old, &info);
	if (info.version != m->base) {
		r = hwall_err_set(err, -ESTALE, "installed set is at %" PRIu64 ", delta base %" PRIu64,
				  info.version, m->base);
	} else {
		r = hws_builder_add_set(b, old);
		if (r < 0)
			hwall_err_set(err, r, "reading the base set: %s", hwall_strerror(r));
	}
	if (r < 0) {
		hws_close(old);
		return r;
	}
	*ret_old = old;
	return 0;
}

int sync_install_set(const struct sync_verified *vb, const char *path, uint64_t *ret_entries,
		     struct hwall_err *err)
{
	const struct sync_manifest *m = &vb->m;
	struct hws_write_stats stats;
	struct hwall_err herr;
	struct hws_builder *b;
	struct hws_set *old = NULL;
	struct apply_ctx c;
	int r = 0;

	b = hws_builder_new(m->set, m->version);
	if (!b) {
		r = hwall_neg_errno();
		return hwall_err_set(err, r, "set builder: %s", hwall_strerror(r));
	}
	hws_builder_set_times(b, m->created, m->expires);
	hws_builder_set_mode(b, SYNC_SET_FILE_MODE);
	if (m->kind == SYNC_KIND_DELTA)
		r = add_base(b, m, path, &old, err);
	c.b = b;
	for (int pass = 0; pass < 2 && r == 0; pass++) {
		c.removes = pass == 0;
		r = sync_payload_foreach(m, vb->payload, apply_record, &c);
		if (r < 0)
			hwall_err_set(err, r, "applying records: %s", hwall_strerror(r));
	}
	if (r == 0) {
		r = hws_builder_write(b, path, &stats, &herr);
		if (r < 0)
			hwall_err_set(err, r, "writing %s: %s", path, herr.msg);
		else
			*ret_entries = stats.entries;
	}
	hws_builder_free(b);
	hws_close(old);
	return r;
}

/* Read one line (without the newline) into @line within @timeout_ms. */
static int read_line(int fd, char *line, size_t cap, int timeout_ms)
{
	size_t got = 0;

	while (got + 1 < cap) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int pr = poll(&p, 1, timeout_ms);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return pr < 0 ? hwall_neg_errno() : -ETIMEDOUT;
		n = read(fd, line + got, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? hwall_neg_errno() : -ECONNRESET;
		if (line[got] == '\n')
			break;
		got++;
	}
	line[got] = '\0';
	return 0;
}

int sync_notify_dataplane(const char *sock, const char *set, uint64_t version, const char *path,
			  struct hwall_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[4300], answer[256];
	int fd, r;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return hwall_err_set(err, -ENAMETOOLONG, "control socket path too long");
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hwall_neg_errno();
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? hwall_neg_errno() : 0;
	if (r == 0) {
		int n = snprintf(msg, sizeof(msg), "load %s %" PRIu64 " %s\n", set, version, path);
		r = n > 0 && (size_t)n < sizeof(msg) ? hwall_send_all(fd, msg, (size_t)n) : -ENAMETOOLONG;
	}
	if (r == 0)
		r = read_line(fd, answer, sizeof(answer), 10000);
	if (r == 0 && strncmp(answer, "ok", 2) != 0)
		r = hwall_err_set(err, -EPROTO, "dataplane answered: %s", answer);
	else if (r < 0)
		hwall_err_set(err, r, "control socket %s: %s", sock, hwall_strerror(r));
	close(fd);
	return r;
}
