/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SIGHUP re-reads the tokens file of a running hashwall-controld (argv[1]):
 * a token added to the file is accepted and a removed one refused after
 * the signal, not before; a bad file is refused with the line named in the
 * log and the tokens in use stay.  Over real HTTP on loopback.
 */
#include "control/api.h"
#include "ctl_test_daemon.h"
#include "hwall_test.h"

#include <signal.h>
#include <sys/wait.h>

/* A tokens file line for @name with @role and the token @token. */
static void token_line(char *buf, size_t cap, const char *name, const char *role,
		       const char *token)
{
	char hash[2 * CTL_TOKEN_HASH_LEN + 1];

	ctl_token_hash_hex(token, hash);
	snprintf(buf, cap, "%s %s %s\n", name, role, hash);
}

/* Send SIGHUP and wait until controld logged the reload's outcome @what
 * for the @n-th time. */
static void hup(pid_t pid, const char *what, int n)
{
	CU_ASSERT_EQUAL(kill(pid, SIGHUP), 0);
	for (int i = 0; i < 500 && log_count(what) < n; i++)
		usleep(10000);
	CU_ASSERT_EQUAL(log_count(what), n);
}

static void test_sighup_reloads_tokens(void)
{
	char cfg[1024], a[160], b[160], both[400];
	pid_t pid;
	int status;

	dir = hwall_test_tmpdir("ctl-reload");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(cfg, sizeof(cfg),
		 "{\"db\":\"%s/c.db\",\"ingest_socket\":\"%s/i.sock\",\"client_key_file\":"
		 "\"%s/key\",\"tokens_file\":\"%s/tokens\",\"api\":{\"port\":0}}",
		 dir, dir, dir, dir);
	write_text("controld.json", cfg);
	token_line(a, sizeof(a), "alice", "viewer", "token-alice");
	token_line(b, sizeof(b), "bob", "admin", "token-bob");
	write_text("tokens", a);
	pid = start_controld();
	find_api_url();
	CU_ASSERT_EQUAL(api_get("token-alice", "/api/v1/status", "out"), 200);
	CU_ASSERT_EQUAL(api_get("token-bob", "/api/v1/status", "out"), 401);
	/* bob added: not before the signal, at once after it */
	snprintf(both, sizeof(both), "%s%s", a, b);
	write_text("tokens", both);
	CU_ASSERT_EQUAL(api_get("token-bob", "/api/v1/status", "out"), 401);
	hup(pid, "tokens reloaded from", 1);
	CU_ASSERT_EQUAL(api_get("token-bob", "/api/v1/status", "out"), 200);
	CU_ASSERT_EQUAL(api_get("token-alice", "/api/v1/status", "out"), 200);
	/* alice removed */
	write_text("tokens", b);
	hup(pid, "tokens reloaded from", 2);
	CU_ASSERT_EQUAL(api_get("token-alice", "/api/v1/status", "out"), 401);
	CU_ASSERT_EQUAL(api_get("token-bob", "/api/v1/status", "out"), 200);
	/* a bad file: logged with its line, bob's token still works */
	snprintf(both, sizeof(both), "%scarol superuser %s\n", a, "00");
	write_text("tokens", both);
	hup(pid, "tokens not reloaded, the 1 in use stay", 1);
	CU_ASSERT_EQUAL(log_count("tokens:2: role must be viewer, reviewer or admin"), 1);
	CU_ASSERT_EQUAL(api_get("token-bob", "/api/v1/status", "out"), 200);
	CU_ASSERT_EQUAL(api_get("token-alice", "/api/v1/status", "out"), 401);
	kill(pid, SIGTERM);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	hwall_test_tmpdir_remove(dir);
}

int main(int argc, char **argv)
{
	CU_TestInfo tests[] = {
		{ "SIGHUP reloads the tokens file", test_sighup_reloads_tokens },
		CU_TEST_INFO_NULL,
	};

	return ctl_test_daemon_main(argc, argv, "control/reload", tests);
}
