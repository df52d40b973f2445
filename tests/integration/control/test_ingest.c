/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Integration tests of the ingest protocol: the dataplane-side client
 * library (common/ingest_client.c) against the server (control/ingest.c)
 * in one process over a real SOCK_SEQPACKET socket, plus raw records for
 * duplicates and protocol errors.  Events carry synthetic digests only.
 */
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dir;
static char sock_path[128], db_path[128];
static const uint8_t key[CTL_CLIENT_KEY_LEN] = { 1, 2, 3 };

static void setup_dir(void)
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

static void server_start(struct server *s, ctl_ingest_tx_fn hook, void *hook_ctx)
{
	struct ctl_ingest_config cfg = { .socket_path = sock_path, .batch_max = 64,
					 .client_key = key, .on_record = hook,
					 .on_flow = flow_hook, .hook_ctx = hook_ctx };

	memset(&s->m, 0, sizeof(s->m));
	cfg.metrics = &s->m;
	CU_ASSERT_FATAL(ctl_store_open(db_path, &s->store, NULL) == 0);
	CU_ASSERT_FATAL(ctl_ingest_new(&cfg, s->store, &s->in) == 0);
}

static void server_stop(struct server *s)
{
	ctl_ingest_free(s->in);
	ctl_store_close(s->store);
}

/* A match event as the dataplane writes it; digest and client from @i. */
static int event_json(char *buf, size_t cap, unsigned int i, const char *client)
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

static void submit_range(struct hwall_ic *ic, unsigned int from, unsigned int to)
{
	char buf[1024];

	for (unsigned int i = from; i < to; i++) {
		int n = event_json(buf, sizeof(buf), i, "5f0c3a9e21b7d4c8");
		CU_ASSERT_EQUAL(hwall_ic_submit(ic, buf, (size_t)n), 0);
	}
}

/* Run server and client rounds until the client saw @acked acks. */
static void pump(struct server *s, struct hwall_ic *ic, uint64_t acked)
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

static int64_t db_count(const char *sql)
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

static struct hwall_ic *client_new(uint32_t queue_max)
{
	struct hwall_ic_config cfg = { .socket_path = sock_path, .dataplane = "dp0",
				     .queue_max = queue_max, .reconnect_ms = 1 };
	struct hwall_ic *ic = NULL;

	CU_ASSERT_FATAL(hwall_ic_new(&cfg, &ic) == 0);
	return ic;
}

static void test_stream(void)
{
	struct hwall_ic_stats st;
	struct server s;
	struct hwall_ic *ic;

	setup_dir();
	server_start(&s, NULL, NULL);
	ic = client_new(0);
	submit_range(ic, 0, 500);
	pump(&s, ic, 500);
	hwall_ic_stats(ic, &st);
	CU_ASSERT_EQUAL(st.acked, 500);
	CU_ASSERT_EQUAL(st.queued, 0);
	CU_ASSERT_EQUAL(st.connects, 1);
	CU_ASSERT_EQUAL(st.resent, 0);
	CU_ASSERT_TRUE(st.connected);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_EVENTS), 500);
	CU_ASSERT_TRUE(ctl_counter_get(&s.m, CTL_CTR_INGEST_COMMITS) >= 8); /* batches of 64 */
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences"), 500);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM candidates"), 500);
	CU_ASSERT_EQUAL(db_count("SELECT last_seq FROM ingest_peers WHERE dataplane = 'dp0'"), 500);
	hwall_ic_free(ic);
	server_stop(&s);
	hwall_test_tmpdir_remove(dir);
}

static void test_server_restart(void)
{
	struct hwall_ic_stats st;
	struct server s;
	struct hwall_ic *ic;

	setup_dir();
	server_start(&s, NULL, NULL);
	ic = client_new(0);
	submit_range(ic, 0, 30);
	pump(&s, ic, 30);
	server_stop(&s);
	/* controld is gone: events wait in the queue */
	submit_range(ic, 30, 60);
	CU_ASSERT_EQUAL(hwall_ic_poll(ic, 0), -ENOTCONN);
	hwall_ic_stats(ic, &st);
	CU_ASSERT_EQUAL(st.queued, 30);
	CU_ASSERT_FALSE(st.connected);
	server_start(&s, NULL, NULL);
	pump(&s, ic, 60);
	hwall_ic_stats(ic, &st);
	CU_ASSERT_EQUAL(st.acked, 60);
	CU_ASSERT_EQUAL(st.connects, 2);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences"), 60);
	CU_ASSERT_EQUAL(db_count("SELECT count(DISTINCT seq) FROM occurrences"), 60);
	hwall_ic_free(ic);
	server_stop(&s);
	hwall_test_tmpdir_remove(dir);
}

/* Fails the batch holding the 40th recorded event, once. */
static int failing_hook(void *ctx, struct ctl_store *st, const struct ctl_event *ev,
			const struct ctl_record_result *res)
{
	int *calls = ctx;

	(void)st;
	(void)ev;
	(void)res;
	return ++*calls == 40 ? -EIO : 0;
}

static void test_rollback_resends(void)
{
	struct hwall_ic_stats st;
	struct server s;
	struct hwall_ic *ic;
	int calls = 0;

	setup_dir();
	server_start(&s, failing_hook, &calls);
	ic = client_new(0);
	submit_range(ic, 0, 100);
	pump(&s, ic, 100);
	hwall_ic_stats(ic, &st);
	CU_ASSERT_EQUAL(st.acked, 100);
	CU_ASSERT_TRUE(st.resent > 0);
	CU_ASSERT_EQUAL(st.connects, 2);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_COMMIT_FAILURES), 1);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences"), 100);
	CU_ASSERT_EQUAL(db_count("SELECT count(DISTINCT seq) FROM occurrences"), 100);
	hwall_ic_free(ic);
	server_stop(&s);
	hwall_test_tmpdir_remove(dir);
}

static void test_queue_full(void)
{
	struct hwall_ic_config cfg = { .socket_path = sock_path, .dataplane = "dp0" };
	struct hwall_ic_stats st;
	struct hwall_ic *ic;
	char big[HWALL_INGEST_MSG_MAX];

	setup_dir();
	ic = client_new(8);
	submit_range(ic, 0, 8);
	CU_ASSERT_EQUAL(hwall_ic_submit(ic, "{}", 2), -ENOBUFS);
	CU_ASSERT_EQUAL(hwall_ic_submit(ic, "{}", 2), -ENOBUFS);
	memset(big, ' ', sizeof(big));
	CU_ASSERT_EQUAL(hwall_ic_submit(ic, big, sizeof(big)), -EMSGSIZE);
	hwall_ic_stats(ic, &st);
	CU_ASSERT_EQUAL(st.dropped, 2);
	CU_ASSERT_EQUAL(st.oversized, 1);
	CU_ASSERT_EQUAL(st.queued, 8);
	CU_ASSERT_EQUAL(st.last_seq, 8);
	hwall_ic_free(ic);
	/* no queue longer than controld's window for a first sequence number */
	cfg.queue_max = HWALL_INGEST_SEQ_WINDOW + 1;
	CU_ASSERT_EQUAL(hwall_ic_new(&cfg, &ic), -EINVAL);
	hwall_test_tmpdir_remove(dir);
}

/* ---- raw records ---- */

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, sock_path, strlen(sock_path));
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	return fd;
}

static void raw_send(int fd, const char *msg)
{
	CU_ASSERT_EQUAL(send(fd, msg, strlen(msg), MSG_NOSIGNAL), (ssize_t)strlen(msg));
}

/* Let the server run, then read one record from @fd into @buf ("" on EOF). */
static void raw_recv(struct server *s, int fd, char *buf, size_t cap)
{
	ssize_t n;

	for (int i = 0; i < 20; i++)
		ctl_ingest_run(s->in, 1);
	n = recv(fd, buf, cap - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
}

static void raw_event(int fd, unsigned int seq, unsigned int i, const char *client)
{
	char ev[1024], msg[1200];

	event_json(ev, sizeof(ev), i, client);
	snprintf(msg, sizeof(msg), "{\"type\":\"event\",\"seq\":%u,\"event\":%s}", seq, ev);
	raw_send(fd, msg);
}

static void test_raw_duplicates(void)
{
	struct server s;
	char buf[512];
	int fd;

	setup_dir();
	server_start(&s, NULL, NULL);
	fd = raw_connect();
	raw_send(fd, "{\"type\":\"hello\",\"proto\":1,\"dataplane\":\"dp9\",\"epoch\":\"e\"}");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"welcome\",\"proto\":1,\"acked\":0}");
	raw_event(fd, 1, 1, "aa");
	raw_event(fd, 2, 2, "aa");
	raw_event(fd, 3, 3, "aa");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"ack\",\"seq\":3}");
	raw_event(fd, 2, 2, "aa"); /* a resend of a committed event */
	raw_event(fd, 4, 4, "aa");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"ack\",\"seq\":4}");
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_DUPLICATES), 1);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences"), 4);
	close(fd);
	/* a reconnect learns the mark */
	fd = raw_connect();
	raw_send(fd, "{\"type\":\"hello\",\"proto\":1,\"dataplane\":\"dp9\",\"epoch\":\"e\"}");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"welcome\",\"proto\":1,\"acked\":4}");
	close(fd);
	server_stop(&s);
	hwall_test_tmpdir_remove(dir);
}

static void test_raw_invalid_and_pseudonyms(void)
{
	struct server s;
	char buf[512];
	int fd;

	setup_dir();
	server_start(&s, NULL, NULL);
	fd = raw_connect();
	raw_send(fd, "{\"type\":\"hello\",\"proto\":1,\"dataplane\":\"dp1\",\"epoch\":\"e\"}");
	raw_recv(&s, fd, buf, sizeof(buf));
	raw_send(fd, "{\"type\":\"event\",\"seq\":1,\"event\":{\"set\":\"s\",\"algo\":\"md5\","
		     "\"digest\":\"abc\",\"host\":\"h\",\"path\":\"/\"}}");
	raw_event(fd, 2, 2, "192.0.2.99"); /* a plain address: only stored keyed */
	raw_event(fd, 3, 3, "");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"ack\",\"seq\":3}");
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_INVALID), 1);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_PLAIN_CLIENT), 1);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences"), 2);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences WHERE client LIKE '%192.0.2%'"),
			0);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences WHERE length(client) = 32"), 1);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences WHERE client = ''"), 1);
	close(fd);
	server_stop(&s);
	hwall_test_tmpdir_remove(dir);
}

/* An event record with the key fields (digest from @i) and @rest as the
 * rest of the event object. */
static void raw_event_rest(int fd, unsigned int seq, unsigned int i, const char *rest)
{
	static char msg[16384];
	uint64_t st = i;
	uint8_t d[16];
	char hex[33];

	hwall_test_rand_bytes(&st, d, sizeof(d));
	hwall_hex_format(d, sizeof(d), hex);
	snprintf(msg, sizeof(msg), "{\"type\":\"event\",\"seq\":%u,\"event\":{\"set\":\"test\","
		 "\"algo\":\"xxh3-128\",\"digest\":\"%s\"%s}}", seq, hex, rest);
	raw_send(fd, msg);
}

/* Whatever else the client sent, a match is a candidate with an
 * occurrence: no Host (HTTP/1.0), an empty one, one whose escaped form is
 * 900 bytes, and every other field out of shape. */
static void test_raw_every_match_recorded(void)
{
	static char host[1024], path[6000], rest[8192];
	const char *cases[] = {
		",\"path\":\"/http10.jpg\",\"method\":\"GET\"",
		",\"host\":\"\",\"path\":\"/empty-host.jpg\"",
		host,
		path,
		",\"host\":\"h\\u0001\\u007f.example\",\"path\":\"/\\t\"",
		",\"host\":\"h.example\",\"method\":\"GETGETGETGETGETGET\",\"status\":1000",
		",\"host\":\"h.example\",\"method\":7,\"size\":-1,\"set_version\":1e300",
		",\"host\":\"h.example\",\"category\":-1,\"ref\":8589934592,\"complete\":\"yes\"",
		",\"host\":\"h.example\",\"server_ip\":\"999.1.1.1\",\"server_port\":70000",
		",\"host\":\"h.example\",\"server_ip\":\"::ffff:192.0.2.1\",\"ts\":1e15",
		",\"host\":\"h.example\",\"ts\":-1,\"partial\":null,\"client\":[1]",
		rest,
	};
	unsigned int n = HWALL_ARRAY_SIZE(cases);
	struct server s;
	char buf[512], want[64];
	int fd;

	memcpy(host, ",\"host\":\"", 9);
	for (int i = 0; i < 300; i++)
		memcpy(host + 9 + 3 * i, "%C3", 3);
	snprintf(host + 909, sizeof(host) - 909, "\",\"path\":\"/long-host.jpg\"");
	snprintf(path, sizeof(path), ",\"host\":\"h.example\",\"path\":\"/%05000d\"", 7);
	snprintf(rest, sizeof(rest), ",\"host\":\"h.example\",\"client\":\"%0300d\"", 1);
	setup_dir();
	server_start(&s, NULL, NULL);
	fd = raw_connect();
	raw_send(fd, "{\"type\":\"hello\",\"proto\":1,\"dataplane\":\"dp1\",\"epoch\":\"e\"}");
	raw_recv(&s, fd, buf, sizeof(buf));
	for (unsigned int i = 0; i < n; i++)
		raw_event_rest(fd, i + 1, 100 + i, cases[i]);
	raw_recv(&s, fd, buf, sizeof(buf));
	snprintf(want, sizeof(want), "{\"type\":\"ack\",\"seq\":%u}", n);
	CU_ASSERT_STRING_EQUAL(buf, want);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_INVALID), 0);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_EVENTS), n);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_NORMALISED), n - 2);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM candidates"), n);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences"), n);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM candidates WHERE host = ''"), 2);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM candidates WHERE host_truncated"), 1);
	CU_ASSERT_EQUAL(db_count("SELECT length(host) FROM candidates WHERE host_truncated"),
			CTL_HOST_MAX);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM candidates WHERE path_truncated"), 1);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM candidates WHERE host ="
				 " 'h%01%7F.example' AND path = '/%09'"), 1);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM candidates WHERE server_ip ="
				 " '::ffff:192.0.2.1'"), 1);
	CU_ASSERT_EQUAL(db_count("SELECT max(seen) FROM occurrences") <= time(NULL) + 1, 1);
	CU_ASSERT_EQUAL(db_count("SELECT min(seen) FROM occurrences") > 0, 1);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences WHERE normalised != 0"), n - 2);
	close(fd);
	server_stop(&s);
	hwall_test_tmpdir_remove(dir);
}

struct flows_seen {
	int n;
	struct ctl_flow last;
	char last_path[CTL_PATH_MAX + 1];
};

static void record_flow(void *ctx, struct ctl_store *s, const struct ctl_event *ev,
			const struct ctl_record_result *res, const struct ctl_flow *flow)
{
	struct flows_seen *fs = ctx;

	(void)s, (void)res;
	fs->n++;
	fs->last = *flow;
	snprintf(fs->last_path, sizeof(fs->last_path), "%s", ev->path);
}

/* An event record with a flow member after the event's own fields. */
static void raw_event_flow(int fd, unsigned int seq, unsigned int i, const char *flow)
{
	char ev[1024], msg[1400];
	int n = event_json(ev, sizeof(ev), i, "aa");

	snprintf(msg, sizeof(msg), "{\"type\":\"event\",\"seq\":%u,\"event\":%.*s,\"flow\":%s}}",
		 seq, n - 1, ev, flow);
	raw_send(fd, msg);
}

/* Flows reach the hook of a recorded event only; a malformed flow is
 * counted and ignored, its event stored; nothing of a flow is stored. */
static void test_raw_flows(void)
{
	static const uint8_t client[4] = { 10, 1, 0, 2 };
	struct flows_seen fs = { 0 };
	struct server s;
	char buf[512];
	int fd;

	setup_dir();
	flow_hook = record_flow;
	server_start(&s, NULL, &fs);
	fd = raw_connect();
	raw_send(fd, "{\"type\":\"hello\",\"proto\":1,\"dataplane\":\"dp1\",\"epoch\":\"e\"}");
	raw_recv(&s, fd, buf, sizeof(buf));
	raw_event_flow(fd, 1, 1, "{\"client_ip\":\"10.1.0.2\",\"client_port\":51234}");
	raw_event_flow(fd, 2, 2, "{\"client_ip\":\"10.1.0.256\",\"client_port\":51234}");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"ack\",\"seq\":2}");
	raw_event_flow(fd, 1, 1, "{\"client_ip\":\"10.1.0.2\",\"client_port\":51234}");
	raw_send(fd, "{\"type\":\"event\",\"seq\":3,\"event\":{\"set\":\"s\",\"flow\":"
		     "{\"client_ip\":\"10.1.0.2\",\"client_port\":1}}}");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"ack\",\"seq\":3}");
	CU_ASSERT_EQUAL(fs.n, 1); /* not the duplicate, the bad flow, the bad event */
	CU_ASSERT_EQUAL(fs.last.family, 4);
	CU_ASSERT_EQUAL(memcmp(fs.last.client, client, 4), 0);
	CU_ASSERT_EQUAL(fs.last.client_port, 51234);
	CU_ASSERT_EQUAL(fs.last.server_port, 80);
	CU_ASSERT_STRING_EQUAL(fs.last_path, "/o/1.jpg");
	/* the bad address, and the bad event's flow (it has no server) */
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_FLOW_INVALID), 2);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_INVALID), 1);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_DUPLICATES), 1);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences"), 2);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences WHERE client LIKE '%10.1.0%' "
				 "OR server_ip LIKE '10.1%'"), 0);
	close(fd);
	server_stop(&s);
	flow_hook = NULL;
	hwall_test_tmpdir_remove(dir);
}

/* Connect and say hello as (@id, @epoch); the answer goes into @buf. */
static int raw_hello(struct server *s, const char *id, const char *epoch, char *buf, size_t cap)
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

#define INVALID_AT_2_53 "{\"type\":\"event\",\"seq\":9007199254740992,\"event\":{\"set\":\"s\"}}"

/* Sequence numbers cannot run ahead of what the peer can have sent: one
 * invalid event numbered 2^53 is a protocol error, not an acknowledgement
 * that would make the dataplane's next events duplicates. */
static void test_raw_seq_bounds(void)
{
	struct server s;
	char buf[512];
	int fd;

	setup_dir();
	server_start(&s, NULL, NULL);
	fd = raw_hello(&s, "dp2", "e", buf, sizeof(buf));
	raw_send(fd, INVALID_AT_2_53);
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"error\",\"message\":"
				    "\"seq too far ahead of the acknowledged mark\"}");
	close(fd);
	fd = raw_hello(&s, "dp2", "e", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"welcome\",\"proto\":1,\"acked\":0}");
	raw_event(fd, 1, 1, "aa");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"ack\",\"seq\":1}");
	raw_event(fd, 3, 3, "aa"); /* 2 skipped */
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"error\",\"message\":\"seq skipped ahead\"}");
	close(fd);
	/* an invalid event in its place is acknowledged as one number, no more */
	fd = raw_hello(&s, "dp2", "e", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"welcome\",\"proto\":1,\"acked\":1}");
	raw_send(fd, "{\"type\":\"event\",\"seq\":2,\"event\":{\"set\":\"s\"}}");
	raw_event(fd, 3, 3, "aa");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"ack\",\"seq\":3}");
	close(fd);
	/* a first event a little past the mark (a store restored from a
	 * backup forgot what it had acknowledged) is taken, and counted */
	fd = raw_hello(&s, "dp2", "e", buf, sizeof(buf));
	raw_event(fd, 1003, 4, "aa");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"ack\",\"seq\":1003}");
	close(fd);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_PROTOCOL_ERRORS), 2);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_INVALID), 1);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_SEQ_GAPS), 1);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_DUPLICATES), 0);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences"), 3);
	CU_ASSERT_EQUAL(db_count("SELECT last_seq FROM ingest_peers WHERE dataplane = 'dp2'"), 1003);
	server_stop(&s);
	hwall_test_tmpdir_remove(dir);
}

/* In a child process: hello as (@id, @epoch), its answer to @out, then
 * an invalid event numbered 2^53 (the attack, had the hello been taken).
 * Never returns. */
static void hostile_peer(const char *id, const char *epoch, int out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	char hello[160], buf[512];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ssize_t n;

	memcpy(sa.sun_path, sock_path, strlen(sock_path));
	snprintf(hello, sizeof(hello),
		 "{\"type\":\"hello\",\"proto\":1,\"dataplane\":\"%s\",\"epoch\":\"%s\"}", id,
		 epoch);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, hello, strlen(hello), MSG_NOSIGNAL) < 0)
		_exit(1);
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0 || write(out, buf, (size_t)n) != n)
		_exit(1);
	/* fails when the hello was refused and the connection closed */
	(void)send(fd, INVALID_AT_2_53, strlen(INVALID_AT_2_53), MSG_NOSIGNAL);
	_exit(0);
}

/* Run the server (and @ic, when given) until a hostile_peer() child as
 * (@id, @epoch) is done; its answer into @buf. */
static void run_hostile(struct server *s, struct hwall_ic *ic, const char *id,
			const char *epoch, char *buf, size_t cap)
{
	int pfd[2], status = -1;
	ssize_t n;
	pid_t pid;

	CU_ASSERT_FATAL(pipe(pfd) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		hostile_peer(id, epoch, pfd[1]);
	close(pfd[1]);
	for (int i = 0; i < 2000 && waitpid(pid, &status, WNOHANG) == 0; i++) {
		ctl_ingest_run(s->in, 5);
		if (ic)
			hwall_ic_poll(ic, 0);
	}
	CU_ASSERT_EQUAL(status, 0);
	n = read(pfd[0], buf, cap - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
}

/* Another process cannot take a dataplane's epoch over, connected or not;
 * the dataplane's own process reconnects as before. */
static void test_hello_takeover(void)
{
	struct hwall_ic_config cfg = { .socket_path = sock_path, .dataplane = "dp3",
				       .epoch = "ep3", .reconnect_ms = 1 };
	static const char refused[] = "{\"type\":\"error\",\"message\":"
				      "\"this dataplane epoch belongs to another process\"}";
	struct hwall_ic_stats st;
	struct hwall_ic *ic = NULL;
	struct server s;
	char buf[512];
	int fd;

	setup_dir();
	server_start(&s, NULL, NULL);
	CU_ASSERT_FATAL(hwall_ic_new(&cfg, &ic) == 0);
	submit_range(ic, 0, 2);
	pump(&s, ic, 2);
	run_hostile(&s, ic, "dp3", "ep3", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, refused);
	submit_range(ic, 2, 3); /* the dataplane's next match is recorded */
	pump(&s, ic, 3);
	hwall_ic_stats(ic, &st);
	CU_ASSERT_EQUAL(st.acked, 3);
	CU_ASSERT_EQUAL(st.connects, 1);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences"), 3);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_DUPLICATES), 0);
	hwall_ic_free(ic);
	ctl_ingest_run(s.in, 10);
	/* gone, the epoch is still its process's */
	run_hostile(&s, NULL, "dp3", "ep3", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, refused);
	fd = raw_hello(&s, "dp3", "ep3", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"welcome\",\"proto\":1,\"acked\":3}");
	close(fd);
	CU_ASSERT_EQUAL(db_count("SELECT last_seq FROM ingest_peers WHERE dataplane = 'dp3'"), 3);
	server_stop(&s);
	hwall_test_tmpdir_remove(dir);
}

/* Made-up ids said hello with (more than the status keeps) cannot leave a
 * real dataplane without a status slot, nor get it disconnected for
 * sending its stats. */
static void test_status_slots_not_exhausted(void)
{
	static const char stats[] = "{\"counters\":{\"rx_packets\":5}}";
	struct hwall_ic_stats st;
	struct hwall_ic *ic;
	struct server s;
	char buf[512], id[16];
	cJSON *status;
	char *text;

	setup_dir();
	server_start(&s, NULL, NULL);
	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "fake%d", i);
		close(raw_hello(&s, id, "e", buf, sizeof(buf)));
	}
	ic = client_new(0);
	submit_range(ic, 0, 3);
	pump(&s, ic, 3);
	CU_ASSERT_EQUAL(hwall_ic_send_stats(ic, stats, strlen(stats)), 0);
	for (int i = 0; i < 5; i++)
		ctl_ingest_run(s.in, 2);
	submit_range(ic, 3, 4);
	pump(&s, ic, 4);
	hwall_ic_stats(ic, &st);
	CU_ASSERT_EQUAL(st.acked, 4);
	CU_ASSERT_EQUAL(st.connects, 1);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_PROTOCOL_ERRORS), 0);
	status = ctl_ingest_status(s.in);
	text = cJSON_PrintUnformatted(status);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"dataplane\":\"dp0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"counters\":{\"rx_packets\":5}"));
	CU_ASSERT_EQUAL(cJSON_GetArraySize(status), 32);
	free(text);
	cJSON_Delete(status);
	hwall_ic_free(ic);
	server_stop(&s);
	hwall_test_tmpdir_remove(dir);
}

static void test_raw_protocol_errors(void)
{
	static char big[HWALL_INGEST_MSG_MAX + 100];
	struct server s;
	char buf[512];
	int fd;

	setup_dir();
	server_start(&s, NULL, NULL);
	fd = raw_connect();
	raw_event(fd, 1, 1, "aa");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"error\",\"message\":\"event before hello\"}");
	close(fd);
	fd = raw_connect();
	raw_send(fd, "{\"type\":\"hello\",\"proto\":2,\"dataplane\":\"dp1\",\"epoch\":\"e\"}");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf,
			       "{\"type\":\"error\",\"message\":\"unsupported protocol version\"}");
	close(fd);
	fd = raw_connect();
	memset(big, ' ', sizeof(big));
	CU_ASSERT_EQUAL(send(fd, big, sizeof(big), MSG_NOSIGNAL), (ssize_t)sizeof(big));
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "{\"type\":\"error\",\"message\":\"record too large\"}");
	close(fd);
	fd = raw_connect();
	raw_send(fd, "not json");
	raw_recv(&s, fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(
		buf, "{\"type\":\"error\",\"message\":\"record is not a JSON object with a type\"}");
	close(fd);
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_PROTOCOL_ERRORS), 4);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences"), 0);
	server_stop(&s);
	hwall_test_tmpdir_remove(dir);
}

static void test_stats_snapshot(void)
{
	static const char stats[] = "{\"counters\":{\"rx_packets\":12,\"flows_evicted\":1},"
				    "\"sets\":[{\"id\":\"test\",\"version\":3,\"created\":100}]}";
	struct server s;
	struct hwall_ic *ic;
	cJSON *status;
	char *text;

	setup_dir();
	server_start(&s, NULL, NULL);
	ic = client_new(0);
	submit_range(ic, 0, 3);
	pump(&s, ic, 3);
	CU_ASSERT_EQUAL(hwall_ic_send_stats(ic, stats, strlen(stats)), 0);
	ctl_ingest_run(s.in, 10);
	status = ctl_ingest_status(s.in);
	text = cJSON_PrintUnformatted(cJSON_GetArrayItem(status, 0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"dataplane\":\"dp0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"connected\":true,\"acked\":3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"counters\":{\"rx_packets\":12,\"flows_evicted\":1}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"sets\":[{\"id\":\"test\",\"version\":3,\"created\":100}]"));
	free(text);
	cJSON_Delete(status);
	hwall_ic_free(ic);
	server_stop(&s);
	hwall_test_tmpdir_remove(dir);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "raw_flows", test_raw_flows },
		{ "stream 500 events", test_stream },
		{ "server restart: queue and resend", test_server_restart },
		{ "rollback: nothing acked, resent", test_rollback_resends },
		{ "queue full and oversized", test_queue_full },
		{ "duplicates by seq, mark on reconnect", test_raw_duplicates },
		{ "invalid events, pseudonyms", test_raw_invalid_and_pseudonyms },
		{ "every match recorded, whatever it holds", test_raw_every_match_recorded },
		{ "protocol errors", test_raw_protocol_errors },
		{ "seq bounded by what the peer sent", test_raw_seq_bounds },
		{ "hello cannot take another process's epoch", test_hello_takeover },
		{ "made-up ids do not exhaust the status slots", test_status_slots_not_exhausted },
		{ "stats snapshot", test_stats_snapshot },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/ingest", tests);
}
