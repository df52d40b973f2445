/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for the push endpoint's connection guard
 * (hashsync/sync/syncd_guard.c): per-address and total budgets of
 * unauthenticated connections, eviction, the head deadline, per-hotline
 * upload slots and memory, and the minimum upload rate.  Connections are
 * socket pairs: what the guard shuts down, the other end reads as EOF.
 * Time is made up.
 */
#include "syncd_guard.h"
#include "hwall_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONNS 16

static const struct syncd_guard_limits limits = {
	.head_timeout_ms = 5000, .unauth_per_address = 3, .unauth_total = 4,
	.hotline_uploads = 2, .hotline_upload_bytes = 1000,
	.min_upload_rate = 2000, .rate_window_ms = 1000,
};

struct fake_conn {
	struct syncd_conn *c;
	int fds[2]; /* [0] the guard's side, [1] the client's */
};

static struct syncd_guard *g;
static struct fake_conn conns[MAX_CONNS];
static int n_conns;

static struct sockaddr_storage addr(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		ss.ss_family = AF_INET6;
		CU_ASSERT_FATAL(inet_pton(AF_INET6, text, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1);
	} else {
		ss.ss_family = AF_INET;
		CU_ASSERT_FATAL(inet_pton(AF_INET, text, &((struct sockaddr_in *)&ss)->sin_addr) == 1);
	}
	return ss;
}

/* Admit and open a connection from @text at @now; its index, or -1 when
 * refused. */
static int open_from(const char *text, int64_t now)
{
	struct sockaddr_storage ss = addr(text);
	struct fake_conn *f = &conns[n_conns];

	CU_ASSERT_FATAL(n_conns < MAX_CONNS);
	if (!syncd_guard_admit(g, (struct sockaddr *)&ss, now))
		return -1;
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, f->fds) == 0);
	fcntl(f->fds[1], F_SETFL, O_NONBLOCK);
	f->c = syncd_guard_open(g, (struct sockaddr *)&ss, f->fds[0], now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->c);
	return n_conns++;
}

/* Whether the guard shut connection @i down (its client reads EOF). */
static bool was_cut(int i)
{
	char b;

	return read(conns[i].fds[1], &b, 1) == 0;
}

static uint64_t count(enum syncd_limit l)
{
	uint64_t counts[SYNCD_LIMIT_COUNT];

	syncd_guard_counts(g, counts);
	return counts[l];
}

static void setup(void)
{
	g = syncd_guard_new(&limits, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	n_conns = 0;
}

static void teardown(void)
{
	for (int i = 0; i < n_conns; i++) {
		syncd_guard_close(g, conns[i].c);
		close(conns[i].fds[0]);
		close(conns[i].fds[1]);
	}
	syncd_guard_free(g);
}

static void test_per_address(void)
{
	setup();
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 0), 0);
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 1), 1);
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 2), 2);
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 3), -1);
	CU_ASSERT_EQUAL(count(SYNCD_LIMIT_ADDRESS), 1);
	/* Closing one makes room for the address again. */
	syncd_guard_close(g, conns[0].c);
	conns[0].c = NULL;
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 4), 3);
	teardown();
}

/* The total full: the oldest connection of the fullest address goes. */
static void test_eviction(void)
{
	setup();
	CU_ASSERT_EQUAL(open_from("10.0.0.2", 0), 0);
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 1), 1);
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 2), 2);
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 3), 3);
	CU_ASSERT_EQUAL(open_from("10.0.0.9", 4), 4);
	CU_ASSERT_TRUE(was_cut(1));
	CU_ASSERT_FALSE(was_cut(0));
	CU_ASSERT_FALSE(was_cut(2));
	CU_ASSERT_EQUAL(count(SYNCD_LIMIT_EVICTED), 1);
	CU_ASSERT_EQUAL(syncd_guard_closed_why(g, conns[1].c), SYNCD_LIMIT_EVICTED);
	/* An evicted connection cannot go on to upload. */
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[1].c, 0, 10, 5), -ECONNRESET);
	teardown();
}

static void test_head_deadline(void)
{
	setup();
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 1000), 0);
	CU_ASSERT_EQUAL(open_from("10.0.0.2", 3000), 1);
	CU_ASSERT_EQUAL(syncd_guard_sweep(g, 5999), 0);
	CU_ASSERT_EQUAL(syncd_guard_sweep(g, 6000), 1);
	CU_ASSERT_TRUE(was_cut(0));
	CU_ASSERT_FALSE(was_cut(1));
	CU_ASSERT_EQUAL(count(SYNCD_LIMIT_HEAD_TIMEOUT), 1);
	/* Once authenticated, the head deadline no longer applies. */
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[1].c, 0, 10, 4000), 0);
	syncd_guard_received(g, conns[1].c, 100000);
	CU_ASSERT_EQUAL(syncd_guard_sweep(g, 9000), 0);
	CU_ASSERT_FALSE(was_cut(1));
	teardown();
}

/* Uploads leave the unauthenticated budget: the address has room again. */
static void test_upload_frees_address(void)
{
	setup();
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(open_from("10.0.0.1", i), i);
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 3), -1);
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[0].c, 0, 10, 3), 0);
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 4), 3);
	teardown();
}

static void test_hotline_budgets(void)
{
	setup();
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(open_from(i < 2 ? "10.0.0.1" : "10.0.0.2", i), i);
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[0].c, 0, 600, 10), 0);
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[1].c, 0, 401, 10), -ENOBUFS);
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[1].c, 0, 400, 10), 0);
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[2].c, 0, 1, 10), -EBUSY);
	/* Hotline 1 has budgets of its own. */
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[2].c, 1, 1000, 10), 0);
	CU_ASSERT_EQUAL(count(SYNCD_LIMIT_BYTES), 1);
	CU_ASSERT_EQUAL(count(SYNCD_LIMIT_UPLOADS), 1);
	/* A freed buffer gives its bytes back; the slot stays until close. */
	syncd_guard_release(g, conns[0].c);
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[3].c, 0, 600, 10), -EBUSY);
	syncd_guard_close(g, conns[0].c);
	conns[0].c = NULL;
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[3].c, 0, 600, 10), 0);
	teardown();
}

static void test_min_rate(void)
{
	setup();
	CU_ASSERT_EQUAL(open_from("10.0.0.1", 0), 0);
	CU_ASSERT_EQUAL(open_from("10.0.0.2", 0), 1);
	CU_ASSERT_EQUAL(open_from("10.0.0.3", 0), 2);
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[0].c, 0, 10, 0), 0);
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[1].c, 0, 10, 0), 0);
	CU_ASSERT_EQUAL(syncd_guard_upload(g, conns[2].c, 1, 10, 0), 0);
	syncd_guard_received(g, conns[0].c, 1999); /* 2000 bytes/s needed */
	syncd_guard_received(g, conns[1].c, 2000);
	syncd_guard_body_done(g, conns[2].c);      /* verifying: no rate */
	CU_ASSERT_EQUAL(syncd_guard_sweep(g, 999), 0);
	CU_ASSERT_EQUAL(syncd_guard_sweep(g, 1000), 1);
	CU_ASSERT_TRUE(was_cut(0));
	CU_ASSERT_EQUAL(syncd_guard_closed_why(g, conns[0].c), SYNCD_LIMIT_SLOW);
	CU_ASSERT_EQUAL(syncd_guard_closed_why(g, conns[1].c), SYNCD_LIMIT_COUNT);
	/* Each window on its own: a fast start does not pay for a stall. */
	CU_ASSERT_EQUAL(syncd_guard_sweep(g, 2000), 1);
	CU_ASSERT_TRUE(was_cut(1));
	CU_ASSERT_FALSE(was_cut(2));
	CU_ASSERT_EQUAL(count(SYNCD_LIMIT_SLOW), 2);
	teardown();
}

/* IPv6 addresses share a budget per /64; IPv4-mapped is IPv4. */
static void test_address_keys(void)
{
	setup();
	CU_ASSERT_EQUAL(open_from("2001:db8:0:1::1", 0), 0);
	CU_ASSERT_EQUAL(open_from("2001:db8:0:1:ffff::2", 0), 1);
	CU_ASSERT_EQUAL(open_from("2001:db8:0:1:1234::3", 0), 2);
	CU_ASSERT_EQUAL(open_from("2001:db8:0:1::4", 0), -1);
	syncd_guard_close(g, conns[0].c);
	conns[0].c = NULL;
	syncd_guard_close(g, conns[1].c);
	conns[1].c = NULL;
	CU_ASSERT_EQUAL(open_from("192.0.2.1", 0), 3);
	CU_ASSERT_EQUAL(open_from("::ffff:192.0.2.1", 0), 4);
	CU_ASSERT_EQUAL(open_from("192.0.2.1", 0), 5);
	CU_ASSERT_EQUAL(open_from("::ffff:192.0.2.1", 0), -1);
	CU_ASSERT_STRING_EQUAL(syncd_limit_name(SYNCD_LIMIT_EVICTED), "evicted");
	teardown();
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "unauthenticated per address", test_per_address },
		{ "total full: the fullest address's oldest goes", test_eviction },
		{ "head deadline", test_head_deadline },
		{ "an upload leaves the address budget", test_upload_frees_address },
		{ "per-hotline slots and memory", test_hotline_budgets },
		{ "minimum upload rate per window", test_min_rate },
		{ "IPv6 by /64, IPv4-mapped as IPv4", test_address_keys },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("syncd_guard", tests);
}
