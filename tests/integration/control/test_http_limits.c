/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The operator API under slow and idle connections (issue 14, item 7): 100
 * connections from nine loopback addresses that send no request head or
 * half of one, while an operator's hashwallctl requests (from 127.0.0.1,
 * the address some of the flood shares) still answer; a head sent a byte
 * at a time is closed at its deadline although it never idles; a request
 * without a token is answered at once, its body unread, and its
 * connection closed; a head over 8 KiB is refused.  Server in-process
 * (ctl_test_server.h, head deadline 1 s), raw sockets bound to 127.0.0.x.
 */
#include "ctl_test_server.h"
#include "control/ctl_cli.h"
#include "control/httpd_gate.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#define FLOOD_ADDRS 8     /* 127.0.0.2 .. 127.0.0.9 */
#define FLOOD_PER_ADDR 10 /* idle and half heads, under the per-address limit */
#define FLOOD_LOCAL 20    /* idle from 127.0.0.1 too: 4 over its limit */

static int suite_init(void)
{
	if (ctl_test_server_start() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	return setenv("HASHWALL_TOKEN", TOKEN_VIEWER, 1);
}

static int suite_clean(void)
{
	curl_global_cleanup();
	return ctl_test_server_stop();
}

/* A TCP connection from @src (an address of 127/8) to the API. */
static int connect_from(const char *src)
{
	struct sockaddr_in from = { .sin_family = AF_INET };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CU_ASSERT_FATAL(fd >= 0);
	inet_pton(AF_INET, src, &from.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	return fd;
}

static void put(int fd, const char *s)
{
	CU_ASSERT_EQUAL(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* What the server sends on @fd until it closes it, within @ms; the first
 * @cap - 1 bytes into @buf.  Returns true when it closed it in that time. */
static bool read_to_close(int fd, int ms, char *buf, size_t cap)
{
	char chunk[4096];
	size_t len = 0;

	buf[0] = '\0';
	for (int waited = 0; waited <= ms; waited += 50) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		size_t keep;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);
		if (n <= 0)
			return n == 0 || errno == ECONNRESET;
		keep = (size_t)n < cap - 1 - len ? (size_t)n : cap - 1 - len;
		memcpy(buf + len, chunk, keep);
		len += keep;
		buf[len] = '\0';
	}
	return false;
}

/* hashwallctl status, as an operator runs it (token from the environment). */
static int operator_status(void)
{
	char url[64];
	char *argv[] = { "hashwallctl", "--url", url, "status", NULL };
	struct ctl_cli cli = { .out = tmpfile(), .err = tmpfile() };
	int r;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	r = ctl_cli_run(&cli, 4, argv);
	fclose(cli.out);
	fclose(cli.err);
	return r;
}

static void test_operators_served_under_flood(void)
{
	static int fds[FLOOD_ADDRS * FLOOD_PER_ADDR + FLOOD_LOCAL];
	uint64_t timeouts = ctl_counter_get(&metrics, CTL_CTR_API_HEAD_TIMEOUTS);
	uint64_t evicted = ctl_counter_get(&metrics, CTL_CTR_API_HEAD_EVICTED);
	size_t n = 0, closed = 0;
	char src[32], buf[512];

	for (int a = 0; a < FLOOD_ADDRS; a++) {
		snprintf(src, sizeof(src), "127.0.0.%d", a + 2);
		for (int i = 0; i < FLOOD_PER_ADDR; i++) {
			fds[n] = connect_from(src);
			if (i % 2)  /* half a head, then nothing */
				put(fds[n], "GET /api/v1/status HTTP/1.1\r\nHost: x\r\nAuthoriz");
			n++;
		}
	}
	for (int i = 0; i < FLOOD_LOCAL; i++)
		fds[n++] = connect_from("127.0.0.1");
	/* the operator, from the address the local flood uses too */
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(operator_status(), CTL_EXIT_OK);
	/* and the flood is let go: each connection closed by the head deadline
	 * or for a newer one of its address */
	for (size_t i = 0; i < n; i++) {
		closed += read_to_close(fds[i], 5000, buf, sizeof(buf));
		close(fds[i]);
	}
	CU_ASSERT_EQUAL(closed, n);
	/* the 4 local ones over the limit made room by closing the oldest */
	CU_ASSERT_TRUE(ctl_counter_get(&metrics, CTL_CTR_API_HEAD_EVICTED) >= evicted + 4);
	CU_ASSERT_EQUAL(ctl_counter_get(&metrics, CTL_CTR_API_HEAD_TIMEOUTS) +
				ctl_counter_get(&metrics, CTL_CTR_API_HEAD_EVICTED),
			timeouts + evicted + n);
}

/* A head sent a byte every 100 ms never idles, and is closed all the same
 * (the deadline counts from accept, not from the last byte); one that
 * stops half way gets its 408. */
static void test_dripped_head_has_a_deadline(void)
{
	int fd = connect_from("127.0.0.20");
	char buf[512];
	bool closed = false;

	put(fd, "GET /api/v1/status HTTP/1.1\r\nX-Drip: ");
	for (int i = 0; i < 100 && !closed; i++)
		closed = send(fd, "a", 1, MSG_NOSIGNAL) != 1 || read_to_close(fd, 100, buf, sizeof(buf));
	CU_ASSERT_TRUE(closed);
	close(fd);
	fd = connect_from("127.0.0.20");
	put(fd, "GET /api/v1/status HTTP/1.1\r\nHost: x\r\n");
	CU_ASSERT_TRUE(read_to_close(fd, 5000, buf, sizeof(buf)));
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 408 ", 13), 0);
	close(fd);
}

/* Without a token: 401 at once, the announced body never waited for, and
 * the connection closed; with one, the connection may stay. */
static void test_unauthenticated_hold_nothing(void)
{
	int fd = connect_from("127.0.0.21");
	char buf[2048];

	put(fd, "POST /api/v1/blocks HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n{");
	CU_ASSERT_TRUE(read_to_close(fd, 3000, buf, sizeof(buf)));
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 401 ", 13), 0);
	close(fd);
	fd = connect_from("127.0.0.21");
	put(fd, "GET /api/v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n\r\n");
	CU_ASSERT_TRUE(read_to_close(fd, 3000, buf, sizeof(buf)));
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 401 ", 13), 0);
	CU_ASSERT_PTR_NOT_NULL(strcasestr(buf, "\r\nConnection: close\r\n"));
	close(fd);
	fd = connect_from("127.0.0.21");
	put(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TOKEN_VIEWER "\r\n\r\n");
	CU_ASSERT_FALSE(read_to_close(fd, 300, buf, sizeof(buf))); /* kept alive */
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 200 ", 13), 0);
	close(fd);
}

static void test_head_too_large(void)
{
	static char big[CTL_GATE_HEAD_MAX + 100];
	uint64_t before = ctl_counter_get(&metrics, CTL_CTR_API_HEAD_TOO_LARGE);
	int fd = connect_from("127.0.0.22");
	char buf[512];

	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "GET / HTTP/1.1\r\nX-Long: ", 24);
	put(fd, big);
	CU_ASSERT_TRUE(read_to_close(fd, 3000, buf, sizeof(buf)));
	CU_ASSERT_EQUAL(strncmp(buf, "HTTP/1.1 431 ", 13), 0);
	CU_ASSERT_EQUAL(ctl_counter_get(&metrics, CTL_CTR_API_HEAD_TOO_LARGE), before + 1);
	close(fd);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "operators are served under 100 slow and idle connections",
		  test_operators_served_under_flood },
		{ "a dripped head is closed at its deadline", test_dripped_head_has_a_deadline },
		{ "without a token: 401 at once, connection closed",
		  test_unauthenticated_hold_nothing },
		{ "a head over 8 KiB: 431", test_head_too_large },
		CU_TEST_INFO_NULL,
	};
	return ctl_test_run_suite("control/http_limits", suite_init, suite_clean, tests);
}
