/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * File modes of a real hashwall-controld (argv[1]) started with umask 022
 * (issue 14, item 10): the database, its -wal and -shm, the allowlist, the
 * event log and the key it creates are 0600; a database others may read
 * is made 0600 before it is opened; a key or tokens file that group or
 * others may access stops the start with "chmod 600 FILE", and new-token
 * will not add a token to such a file.
 */
#include "control/api.h"
#include "ctl_test_daemon.h"
#include "hwall_test.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static void setup(void)
{
	char cfg[1024], line[160], hash[2 * CTL_TOKEN_HASH_LEN + 1];

	umask(022);
	dir = hwall_test_tmpdir("ctl-modes");
	CU_ASSERT_FATAL(dir != NULL);
	snprintf(cfg, sizeof(cfg),
		 "{\"db\":\"%s/c.db\",\"ingest_socket\":\"%s/i.sock\",\"client_key_file\":"
		 "\"%s/key\",\"tokens_file\":\"%s/tokens\",\"allowlist_file\":\"%s/allow.txt\","
		 "\"event_log\":\"%s/events.jsonl\",\"api\":{\"port\":0}}",
		 dir, dir, dir, dir, dir, dir);
	write_text("controld.json", cfg);
	ctl_token_hash_hex("token-m", hash);
	snprintf(line, sizeof(line), "m viewer %s\n", hash);
	write_text("tokens", line);
}

static unsigned int mode_of(const char *name)
{
	char p[192];
	struct stat st;

	path_of(p, sizeof(p), name);
	return stat(p, &st) == 0 ? (unsigned int)(st.st_mode & 07777) : 0xffff;
}

static void stop(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Exit status of a controld that is expected to refuse to start; -1 when
 * it is still running after 10 s (it is then stopped). */
static int refused_start(void)
{
	int status = 0;
	pid_t pid = start_controld(), w = 0;

	for (int i = 0; i < 1000 && w == 0; i++) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == 0)
			usleep(10000);
	}
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_created_private(void)
{
	pid_t pid;

	setup();
	pid = start_controld();
	find_api_url();
	CU_ASSERT_EQUAL(api_get("token-m", "/api/v1/status", "out"), 200);
	/* while it runs: the database in WAL mode has its -wal and -shm */
	CU_ASSERT_EQUAL(mode_of("c.db"), 0600);
	CU_ASSERT_EQUAL(mode_of("c.db-wal"), 0600);
	CU_ASSERT_EQUAL(mode_of("c.db-shm"), 0600);
	CU_ASSERT_EQUAL(mode_of("allow.txt"), 0600);
	CU_ASSERT_EQUAL(mode_of("events.jsonl"), 0600);
	CU_ASSERT_EQUAL(mode_of("key"), 0600);
	CU_ASSERT_EQUAL(mode_of("i.sock") & 0777, 0660);
	stop(pid);
	hwall_test_tmpdir_remove(dir);
}

/* A database left readable by others (an older controld under umask 022)
 * is made private before it is opened, and said so. */
static void test_existing_db_made_private(void)
{
	char p[192];
	pid_t pid;
	int fd;

	setup();
	path_of(p, sizeof(p), "c.db");
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL(mode_of("c.db"), 0644);
	pid = start_controld();
	find_api_url();
	CU_ASSERT_EQUAL(mode_of("c.db"), 0600);
	CU_ASSERT_EQUAL(mode_of("c.db-wal"), 0600);
	CU_ASSERT_EQUAL(mode_of("c.db-shm"), 0600);
	CU_ASSERT_EQUAL(log_count("c.db was mode 0644, readable beyond its owner: now 0600"), 1);
	stop(pid);
	hwall_test_tmpdir_remove(dir);
}

static void test_open_key_refused(void)
{
	char p[192], fix[256];
	int fd;

	setup();
	path_of(p, sizeof(p), "key");
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "0123456789abcdef0123456789abcdef", 32), 32);
	close(fd);
	CU_ASSERT_EQUAL(refused_start(), 1);
	snprintf(fix, sizeof(fix), "group or others may access it; run: chmod 600 %s", p);
	CU_ASSERT_EQUAL(log_count(fix), 1);
	CU_ASSERT_EQUAL(mode_of("c.db"), 0xffff); /* refused before anything was created */
	hwall_test_tmpdir_remove(dir);
}

static void test_open_tokens_refused(void)
{
	char p[192], fix[256], cmd[512];
	int status;

	setup();
	path_of(p, sizeof(p), "tokens");
	CU_ASSERT_EQUAL(chmod(p, 0644), 0);
	CU_ASSERT_EQUAL(refused_start(), 1);
	snprintf(fix, sizeof(fix), "(mode 0644); run: chmod 600 %s", p);
	CU_ASSERT_EQUAL(log_count(fix), 1);
	/* new-token will not add a token others could read the hash of */
	snprintf(cmd, sizeof(cmd), "'%s' new-token --tokens '%s' x admin >/dev/null 2>&1", controld,
		 p);
	status = system(cmd);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	CU_ASSERT_EQUAL(chmod(p, 0600), 0);
	status = system(cmd);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* and a tokens file it creates is 0600, umask 022 or not */
	path_of(p, sizeof(p), "tokens.new");
	snprintf(cmd, sizeof(cmd), "'%s' new-token --tokens '%s' y viewer >/dev/null", controld, p);
	CU_ASSERT_EQUAL(system(cmd), 0);
	CU_ASSERT_EQUAL(mode_of("tokens.new"), 0600);
	hwall_test_tmpdir_remove(dir);
}

int main(int argc, char **argv)
{
	CU_TestInfo tests[] = {
		{ "what controld creates is 0600 under umask 022", test_created_private },
		{ "a database others may read is made private", test_existing_db_made_private },
		{ "a key others may read stops the start", test_open_key_refused },
		{ "a tokens file others may read stops the start", test_open_tokens_refused },
		CU_TEST_INFO_NULL,
	};

	return ctl_test_daemon_main(argc, argv, "control/modes", tests);
}
