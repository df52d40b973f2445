/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Integration tests of the ingest protocol: the dataplane-side client
 * library (common/ingest_client.c) against the server (control/ingest.c)
 * in one process over a real SOCK_SEQPACKET socket, plus raw records for
 * duplicates and protocol errors.  Events carry synthetic digests only.
 */
#include "ctl_test_ingest.h"

#include <time.h>

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

#define NOT_STRICT "{\"type\":\"error\",\"message\":\"record is not a strict JSON object with a type\"}"

static const char *const not_strict[] = {
	"{\"type\":\"hello\",\"proto\":1,\"dataplane\":\"dp1\",\"dataplane\":\"dp2\",\"epoch\":\"e\"}",
	"{\"type\":\"hello\",\"proto\":1,\"dataplane\":\"dp1\",\"epoch\":\"e\"}{}",
	"\xef\xbb\xbf{\"type\":\"hello\",\"proto\":1,\"dataplane\":\"dp1\",\"epoch\":\"e\"}",
};

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
	CU_ASSERT_STRING_EQUAL(buf, NOT_STRICT);
	close(fd);
	/* strict JSON: a duplicate key, bytes after the object, a byte-order mark */
	for (size_t i = 0; i < HWALL_ARRAY_SIZE(not_strict); i++) {
		fd = raw_connect();
		raw_send(fd, not_strict[i]);
		raw_recv(&s, fd, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, NOT_STRICT);
		close(fd);
	}
	CU_ASSERT_EQUAL(ctl_counter_get(&s.m, CTL_CTR_INGEST_PROTOCOL_ERRORS),
			4 + HWALL_ARRAY_SIZE(not_strict));
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
		{ "stats snapshot", test_stats_snapshot },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/ingest", tests);
}
