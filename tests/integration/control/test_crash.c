/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The crash test: 10,000 synthetic match events streamed through the
 * ingest client library into a real hashwall-controld (argv[1]) that is
 * killed with SIGKILL five times mid-stream and restarted.  After each kill
 * every event acknowledged so far must be in the database; at the end all
 * 10,000 are there exactly once and PRAGMA integrity_check says ok.
 */
#include "common/ingest_client.h"
#include "common/algo.h"
#include "common/errors.h"
#include "hwall_test.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define EVENTS 10000
#define KILLS 5

static const char *controld;
static const char *dir;
static char cfg_path[128], db_path[128], sock_path[128];

static void write_file(const char *name, const char *text)
{
	char p[192];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(fchmod(fileno(f), 0600), 0); /* a tokens file must be private */
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	char cfg[1024];

	dir = hwall_test_tmpdir("ctl-crash");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(cfg_path, sizeof(cfg_path), "%s/controld.json", dir);
	snprintf(db_path, sizeof(db_path), "%s/c.db", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/ingest.sock", dir);
	/* port 0: any free port, the API is not used here */
	snprintf(cfg, sizeof(cfg),
		 "{\"db\":\"%s\",\"ingest_socket\":\"%s\",\"client_key_file\":\"%s/key\","
		 "\"tokens_file\":\"%s/tokens\",\"batch_max\":256,\"log\":\"warn\","
		 "\"api\":{\"port\":0}}",
		 db_path, sock_path, dir, dir);
	write_file("controld.json", cfg);
	write_file("tokens", "# none\n");
}

static pid_t start_controld(void)
{
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		execl(controld, controld, "--config", cfg_path, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void kill_controld(pid_t pid, int sig)
{
	int status = 0;

	kill(pid, sig);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(sig == SIGKILL ? WIFSIGNALED(status) : WEXITSTATUS(status) == 0);
}

static int64_t db_count(const char *sql, int64_t arg)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, arg);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void submit_all(struct hwall_ic *ic)
{
	char buf[1024];
	uint64_t st = 42;

	for (unsigned int i = 0; i < EVENTS; i++) {
		uint8_t d[32];
		char hex[65];
		int n;
		hwall_test_rand_bytes(&st, d, sizeof(d));
		hwall_hex_format(d, sizeof(d), hex);
		n = snprintf(buf, sizeof(buf),
			     "{\"server_ip\":\"192.0.2.7\",\"server_port\":80,"
			     "\"client\":\"%.16s\",\"host\":\"h%u.example\",\"path\":\"/%u\","
			     "\"method\":\"GET\",\"status\":200,\"size\":%u,\"complete\":true,"
			     "\"partial\":false,\"set\":\"crash\",\"set_version\":1,"
			     "\"algo\":\"sha256\",\"digest\":\"%s\",\"category\":1,\"ref\":%u}",
			     hex + 32, i % 50, i, i, hex, i);
		CU_ASSERT_EQUAL(hwall_ic_submit(ic, buf, (size_t)n), 0);
	}
}

/* Poll until @acked events are acknowledged (or a generous bound). */
static void pump_until(struct hwall_ic *ic, uint64_t acked)
{
	struct hwall_ic_stats st;

	for (int i = 0; i < 200000; i++) {
		hwall_ic_poll(ic, 5);
		hwall_ic_stats(ic, &st);
		if (st.acked >= acked)
			return;
	}
}

static void test_crash(void)
{
	struct hwall_ic_config cfg = { .dataplane = "dp-crash", .queue_max = EVENTS,
				     .reconnect_ms = 5 };
	struct hwall_ic_stats st;
	struct hwall_ic *ic = NULL;
	pid_t pid;

	setup();
	cfg.socket_path = sock_path;
	CU_ASSERT_FATAL(hwall_ic_new(&cfg, &ic) == 0);
	submit_all(ic);
	pid = start_controld();
	for (int k = 1; k <= KILLS; k++) {
		pump_until(ic, (uint64_t)k * EVENTS / (KILLS + 1));
		kill_controld(pid, SIGKILL);
		hwall_ic_stats(ic, &st);
		/* every acknowledged event is committed: seqs 1..acked all present */
		CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences WHERE seq <= ?1",
					 (int64_t)st.acked),
				(int64_t)st.acked);
		pid = start_controld();
	}
	pump_until(ic, EVENTS);
	hwall_ic_stats(ic, &st);
	CU_ASSERT_EQUAL(st.acked, EVENTS);
	CU_ASSERT_EQUAL(st.dropped, 0);
	CU_ASSERT_EQUAL(st.connects, KILLS + 1);
	printf("\n  %d kills, %llu events resent after reconnects\n", KILLS,
	       (unsigned long long)st.resent);
	kill_controld(pid, SIGTERM);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM occurrences", 0), EVENTS);
	CU_ASSERT_EQUAL(db_count("SELECT count(DISTINCT seq) FROM occurrences", 0), EVENTS);
	CU_ASSERT_EQUAL(db_count("SELECT min(seq) FROM occurrences", 0), 1);
	CU_ASSERT_EQUAL(db_count("SELECT max(seq) FROM occurrences", 0), EVENTS);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM candidates", 0), EVENTS);
	CU_ASSERT_EQUAL(db_count("SELECT sum(occurrences) FROM candidates", 0), EVENTS);
	CU_ASSERT_EQUAL(db_count("SELECT last_seq FROM ingest_peers", 0), EVENTS);
	CU_ASSERT_EQUAL(db_count("SELECT count(*) FROM pragma_integrity_check"
				 " WHERE integrity_check = 'ok'", 0), 1);
	hwall_ic_free(ic);
	hwall_test_tmpdir_remove(dir);
}

int main(int argc, char **argv)
{
	CU_TestInfo tests[] = {
		{ "10,000 events, SIGKILL x5", test_crash },
		CU_TEST_INFO_NULL,
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-hashwall-controld\n", argv[0]);
		return 2;
	}
	controld = argv[1];
	signal(SIGPIPE, SIG_IGN);
	return hwall_test_main("control/crash", tests);
}
