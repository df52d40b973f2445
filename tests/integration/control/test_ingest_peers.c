/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Integration tests of what one ingest peer may do to another (issue 14,
 * item 15): sequence numbers that run ahead of what the peer can have
 * sent, a hello for an epoch another process holds, made-up ids against
 * the status slots.  The server in-process, the peers over the real
 * socket (a forked child plays the other process).
 */
#include "ctl_test_ingest.h"

#include <sys/time.h>
#include <sys/wait.h>

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

int main(void)
{
	CU_TestInfo tests[] = {
		{ "seq bounded by what the peer sent", test_raw_seq_bounds },
		{ "hello cannot take another process's epoch", test_hello_takeover },
		{ "made-up ids do not exhaust the status slots", test_status_slots_not_exhausted },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/ingest_peers", tests);
}
