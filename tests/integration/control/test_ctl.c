/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hashwallctl against a real API server on loopback, in-process: every
 * command, tables and --json, the token from a file and from the
 * environment, and every exit code (0, 1, 2, 3, 4).
 */
#include "ctl_test_server.h"
#include "control/ctl_cli.h"

#include <curl/curl.h>

static char out[65536], token_file[160];

/* Run hashwallctl with @args (NULL-ended) and capture stdout in `out`. */
static int run(const char *const *args)
{
	char *argv[24], url[64];
	struct ctl_cli cli;
	FILE *o = tmpfile(), *e = tmpfile();
	int argc = 0, r;
	size_t n;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	argv[argc++] = (char *)"hashwallctl";
	argv[argc++] = (char *)"--url";
	argv[argc++] = url;
	for (int i = 0; args[i] && argc < 23; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	cli = (struct ctl_cli){ .out = o, .err = e };
	r = ctl_cli_run(&cli, argc, argv);
	rewind(o);
	n = fread(out, 1, sizeof(out) - 1, o);
	out[n] = '\0';
	fclose(o);
	fclose(e);
	return r;
}

static int suite_init(void)
{
	FILE *f;

	if (ctl_test_server_start() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	snprintf(token_file, sizeof(token_file), "%s/token", dir);
	f = fopen(token_file, "w");
	if (!f)
		return -1;
	fprintf(f, "%s\n", TOKEN_REVIEWER);
	fclose(f);
	setenv("HASHWALL_TOKEN", TOKEN_ADMIN, 1);
	return 0;
}

static int suite_clean(void)
{
	unlink(token_file);
	curl_global_cleanup();
	return ctl_test_server_stop();
}

static void test_tables(void)
{
	CU_ASSERT_EQUAL(run((const char *[]){ "candidates", "--host", "h1.example", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ID      STATUS"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "http://h1.example/img/10.jpg"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "(4 of 4, offset 0)"));
	CU_ASSERT_EQUAL(run((const char *[]){ "show", "2", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "url         http://h1.example/img/1.jpg"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, digests[1]));
	CU_ASSERT_EQUAL(run((const char *[]){ "status", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "candidates  new 12, confirmed 0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "enforcement on (fake)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "installed   hotline version 5, 1 entries, age 1000 s\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "installed   broken.hws: UNREADABLE: "));
	CU_ASSERT_EQUAL(run((const char *[]){ "blocks", "--limit", "2", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "(2 of 12; enforced)"));
}

static void test_review_block_unblock(void)
{
	CU_ASSERT_EQUAL(run((const char *[]){ "--token-file", token_file, "review", "5",
					      "confirmed", "--note", "seen it", NULL }), 0);
	CU_ASSERT_STRING_EQUAL(out, "candidate 5 is now confirmed\n");
	CU_ASSERT_EQUAL(run((const char *[]){ "--json", "show", "5", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"actor\":\"rita\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"note\":\"seen it\""));
	CU_ASSERT_EQUAL(run((const char *[]){ "block", "http://cli.example/x/y", "--ttl", "900",
					      NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "block 13: http://cli.example/x/y until"));
	CU_ASSERT_EQUAL(run((const char *[]){ "unblock", "13", NULL }), 0);
	CU_ASSERT_STRING_EQUAL(out, "unblocked 13: http://cli.example/x/y\n");
	CU_ASSERT_EQUAL(run((const char *[]){ "export", "notices", "--format", "csv", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"http://h1.example/img/4.jpg\",\"confirmed\""));
}

/* A candidate without a Host names the server instead; a cut path says so;
 * an occurrence lists the fields ingest normalised. */
static void test_no_host(void)
{
	struct ctl_event ev;
	char id[24];

	ctl_test_nohost_event(&ev, "192.0.2.9", 80);
	ev.path_truncated = true;
	ev.normalised = 1u << CTL_EVF_status | 1u << CTL_EVF_ts;
	snprintf(id, sizeof(id), "%lld", (long long)ctl_test_record(&ev, 1));
	CU_ASSERT_EQUAL(run((const char *[]){ "candidates", "--set", "nohost", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " (no Host; server 192.0.2.9 port 80) /nohost.jpg "
					   "(path truncated)\n"));
	CU_ASSERT_EQUAL(run((const char *[]){ "show", id, NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "url         (no Host; server 192.0.2.9 port 80) "
					   "/nohost.jpg (path truncated)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  normalised: status,ts\n"));
}

/* A false positive for the candidate's set by default, for every set with
 * --allowlist global (an admin's); show says which. */
static void test_review_allowlist(void)
{
	CU_ASSERT_EQUAL(run((const char *[]){ "--token-file", token_file, "review", "7",
					      "false_positive", NULL }), 0);
	CU_ASSERT_STRING_EQUAL(out, "candidate 7 is now false_positive; digest allowlisted for "
				    "set hotline; unblocked\n");
	CU_ASSERT_EQUAL(run((const char *[]){ "--token-file", token_file, "review", "8",
					      "false_positive", "--allowlist", "global", NULL }), 3);
	CU_ASSERT_EQUAL(run((const char *[]){ "review", "8", "false_positive", "--allowlist",
					      "global", NULL }), 0);
	CU_ASSERT_STRING_EQUAL(out, "candidate 8 is now false_positive; digest allowlisted for "
				    "every set; unblocked\n");
	CU_ASSERT_EQUAL(run((const char *[]){ "show", "7", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "new -> false_positive    [allowlisted for set hotline]\n"));
	CU_ASSERT_EQUAL(run((const char *[]){ "show", "8", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "new -> false_positive    [allowlisted for every set]\n"));
}

static void test_exit_codes(void)
{
	CU_ASSERT_EQUAL(run((const char *[]){ "show", "999", NULL }), 1);
	CU_ASSERT_EQUAL(run((const char *[]){ "unblock", "999", NULL }), 1);
	CU_ASSERT_EQUAL(run((const char *[]){ "show", NULL }), 2);
	CU_ASSERT_EQUAL(run((const char *[]){ "show", "x", NULL }), 2);
	CU_ASSERT_EQUAL(run((const char *[]){ "frobnicate", NULL }), 2);
	CU_ASSERT_EQUAL(run((const char *[]){ "candidates", "--colour", "red", NULL }), 2);
	CU_ASSERT_EQUAL(run((const char *[]){ "review", "1", "gone", NULL }), 2);
	CU_ASSERT_EQUAL(run((const char *[]){ "block", "ftp://x/y", NULL }), 2);
	CU_ASSERT_EQUAL(run((const char *[]){ NULL }), 2);
	/* --help: the usage on stdout, success */
	CU_ASSERT_EQUAL(run((const char *[]){ "--help", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "usage: hashwallctl"));
	/* the reviewer may not block: 403 */
	CU_ASSERT_EQUAL(run((const char *[]){ "--token-file", token_file, "block", "http://a/b",
					      NULL }), 3);
	setenv("HASHWALL_TOKEN", "wrong", 1);
	CU_ASSERT_EQUAL(run((const char *[]){ "status", NULL }), 3);
	unsetenv("HASHWALL_TOKEN");
	CU_ASSERT_EQUAL(run((const char *[]){ "status", NULL }), 3); /* no token at all */
	setenv("HASHWALL_TOKEN_FILE", token_file, 1);
	CU_ASSERT_EQUAL(run((const char *[]){ "status", NULL }), 0);
	unsetenv("HASHWALL_TOKEN_FILE");
	setenv("HASHWALL_TOKEN", TOKEN_ADMIN, 1);
	/* nothing listens on port 1: 4 */
	CU_ASSERT_EQUAL(run((const char *[]){ "--url", "http://127.0.0.1:1", "status", NULL }), 4);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "tables", test_tables },
		{ "review, block, unblock, export", test_review_block_unblock },
		{ "no Host, cut path", test_no_host },
		{ "review: false positive for a set or every set", test_review_allowlist },
		{ "exit codes", test_exit_codes },
		CU_TEST_INFO_NULL,
	};
	return ctl_test_run_suite("control/ctl", suite_init, suite_clean, tests);
}
