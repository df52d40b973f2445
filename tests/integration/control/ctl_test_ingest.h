/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_test_ingest.h - what the ingest protocol's integration tests share:
 * a temporary directory with the socket and the database, the server
 * (control/ingest.c) run in-process, the client library's queue pumped
 * against it, synthetic match events, and raw records over the socket.
 * Events carry synthetic digests only.
 */
#ifndef HASHWALL_TESTS_CTL_TEST_INGEST_H
#define HASHWALL_TESTS_CTL_TEST_INGEST_H

#include "control/ingest.h"
#include "common/ingest_client.h"
#include "common/ingest_proto.h"
#include "common/errors.h"
#include "hwall_test.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *dir;
static char sock_path[128], db_path[128];
static const uint8_t key[CTL_CLIENT_KEY_LEN] = { 1, 2, 3 };

static inline void setup_dir(void)
{
	dir = hwall_test_tmpdir("ctl-ingest");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(sock_path, sizeof(sock_path), "%s/ingest.sock", dir);
	snprintf(db_path, sizeof(db_path), "%s/controld.db", dir);
}

struct server {
	struct ctl_store *store;
	struct ctl_ingest *in;
	struct ctl_metrics m;
};

/* The flow hook of the next server_start() (NULL: none). */
static void (*flow_hook)(void *ctx, struct ctl_store *s, const struct ctl_event *ev,
			 const struct ctl_record_result *res, const struct ctl_flow *flow);

static inline void server_start(struct server *s, ctl_ingest_tx_fn hook, void *hook_ctx)
{
	struct ctl_ingest_config cfg = { .socket_path = sock_path, .batch_max = 64,
					 .client_key = key, .on_record = hook,
					 .on_flow = flow_hook, .hook_ctx = hook_ctx };

	memset(&s->m, 0, sizeof(s->m));
	cfg.metrics = &s->m;
	CU_ASSERT_FATAL(ctl_store_open(db_path, &s->store, NULL) == 0);
	CU_ASSERT_FATAL(ctl_ingest_new(&cfg, s->store, &s->in) == 0);
}

static inline void server_stop(struct server *s)
{
	ctl_ingest_free(s->in);
	ctl_store_close(s->store);
}

/* A match event as the dataplane writes it; digest and client from @i. */
static inline int event_json(char *buf, size_t cap, unsigned int i, const char *client)
{
	uint64_t st = i;
	uint8_t d[16];
	char hex[33];

	hwall_test_rand_bytes(&st, d, sizeof(d));
	hwall_hex_format(d, sizeof(d), hex);
	return snprintf(buf, cap,
			"{\"event\":\"match\",\"server_ip\":\"192.0.2.10\",\"server_port\":80,"
			"\"client\":\"%s\",\"host\":\"h%u.example\",\"path\":\"/o/%u.jpg\","
			"\"method\":\"GET\",\"status\":200,\"size\":%u,\"complete\":true,"
			"\"partial\":false,\"digests\":{\"xxh3-128\":\"%s\"},\"set\":\"test\","
			"\"set_version\":3,\"algo\":\"xxh3-128\",\"digest\":\"%s\","
			"\"category\":1,\"ref\":%u}",
			client, i % 7, i, 1000 + i, hex, hex, i);
}

static inline void submit_range(struct hwall_ic *ic, unsigned int from, unsigned int to)
{
	char buf[1024];

	for (unsigned int i = from; i < to; i++) {
		int n = event_json(buf, sizeof(buf), i, "5f0c3a9e21b7d4c8");
		CU_ASSERT_EQUAL(hwall_ic_submit(ic, buf, (size_t)n), 0);
	}
}

/* Run server and client rounds until the client saw @acked acks. */
static inline void pump(struct server *s, struct hwall_ic *ic, uint64_t acked)
{
	struct hwall_ic_stats st;

	for (int round = 0; round < 5000; round++) {
		hwall_ic_poll(ic, 0);
		ctl_ingest_run(s->in, 1);
		hwall_ic_poll(ic, 0);
		hwall_ic_stats(ic, &st);
		if (st.acked >= acked)
			return;
	}
}

static inline int64_t db_count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static inline struct hwall_ic *client_new(uint32_t queue_max)
{
	struct hwall_ic_config cfg = { .socket_path = sock_path, .dataplane = "dp0",
				     .queue_max = queue_max, .reconnect_ms = 1 };
	struct hwall_ic *ic = NULL;

	CU_ASSERT_FATAL(hwall_ic_new(&cfg, &ic) == 0);
	return ic;
}

/* ---- raw records ---- */

static inline int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, sock_path, strlen(sock_path));
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	return fd;
}

static inline void raw_send(int fd, const char *msg)
{
	CU_ASSERT_EQUAL(send(fd, msg, strlen(msg), MSG_NOSIGNAL), (ssize_t)strlen(msg));
}

/* Let the server run, then read one record from @fd into @buf ("" on EOF). */
static inline void raw_recv(struct server *s, int fd, char *buf, size_t cap)
{
	ssize_t n;

	for (int i = 0; i < 20; i++)
		ctl_ingest_run(s->in, 1);
	n = recv(fd, buf, cap - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
}

static inline void raw_event(int fd, unsigned int seq, unsigned int i, const char *client)
{
	char ev[1024], msg[1200];

	event_json(ev, sizeof(ev), i, client);
	snprintf(msg, sizeof(msg), "{\"type\":\"event\",\"seq\":%u,\"event\":%s}", seq, ev);
	raw_send(fd, msg);
}

/* Connect and say hello as (@id, @epoch); the answer goes into @buf. */
static inline int raw_hello(struct server *s, const char *id, const char *epoch, char *buf,
			    size_t cap)
{
	char hello[160];
	int fd = raw_connect();

	snprintf(hello, sizeof(hello),
		 "{\"type\":\"hello\",\"proto\":1,\"dataplane\":\"%s\",\"epoch\":\"%s\"}", id,
		 epoch);
	raw_send(fd, hello);
	raw_recv(s, fd, buf, cap);
	return fd;
}

#endif
