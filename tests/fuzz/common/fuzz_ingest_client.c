/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target: the dataplane's ingest client (common/ingest_client.c)
 * reading controld's records.  A real SOCK_SEQPACKET connection in one
 * thread: the client connects to a listening socket of this process, sends
 * its hello, and gets the input's lines as records (welcome, ack, error or
 * anything else) between polls, with three events queued.  Whatever it is
 * sent, it must not crash, must keep its counters consistent and must
 * never count more acknowledged events than it queued.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ingest_client.h"

static int listen_fd = -1;
static char sock_path[108];

static void setup(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sock_path, sizeof(sock_path), "/tmp/hw-fuzz-ic-%d.sock", (int)getpid());
	unlink(sock_path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(listen_fd, 4) < 0)
		abort();
}

static void cleanup(void)
{
	unlink(sock_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwall_ic_config cfg = { .socket_path = sock_path, .dataplane = "fz", .reconnect_ms = 1 };
	struct hwall_ic_stats st;
	struct hwall_ic *ic;
	char buf[65536];
	const char *p = (const char *)data, *end = p + size;
	int fd;

	if (listen_fd < 0) {
		setup();
		atexit(cleanup);
	}
	if (hwall_ic_new(&cfg, &ic) < 0)
		abort();
	for (int i = 0; i < 3; i++)
		hwall_ic_submit(ic, "{\"event\":\"match\"}", 17);
	hwall_ic_poll(ic, 0); /* connects and says hello */
	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			hwall_ic_poll(ic, 0);
			while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
			p += len + (nl != NULL);
		}
		close(fd);
	}
	hwall_ic_poll(ic, 0);
	hwall_ic_stats(ic, &st);
	if (st.acked > st.submitted || st.acked + st.queued != st.submitted)
		abort();
	hwall_ic_free(ic);
	return 0;
}
