/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hashwallctl against a real API server on loopback, in-process: every
 * command, tables and --json, the token from a file and from the
 * environment, and every exit code (0, 1, 2, 3, 4).
 */
#include "ctl_test_server.h"
#include "ctl_test_cli.h"
#include "common/utf8.h"

#include <curl/curl.h>

static char token_file[160];

static int suite_init(void)
{
	FILE *f;

	if (ctl_test_server_start() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	snprintf(token_file, sizeof(token_file), "%s/token", dir);
	f = fopen(token_file, "w");
	if (!f || fchmod(fileno(f), 0600) < 0)
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
	/* issue 14, item 10: a token file others may read is refused (exit 3) */
	CU_ASSERT_EQUAL(chmod(token_file, 0644), 0);
	CU_ASSERT_EQUAL(run((const char *[]){ "--token-file", token_file, "status", NULL }), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(errout, "group or others may access it (mode 0644); run: "
					      "chmod 600 "));
	CU_ASSERT_EQUAL(chmod(token_file, 0600), 0);
	/* nothing listens on port 1: 4 */
	CU_ASSERT_EQUAL(run((const char *[]){ "--url", "http://127.0.0.1:1", "status", NULL }), 4);
}

/* Whether @s holds nothing a terminal acts on: no control character but
 * line ends (LF, CRLF), no C1, no bidi control or line separator. */
static bool terminal_safe(const char *s)
{
	size_t len = strlen(s);

	for (size_t i = 0, n; i < len; i += n) {
		uint32_t cp;
		n = hwall_utf8_next(s + i, len - i, &cp);
		bool line_end = cp == '\n' || (cp == '\r' && s[i + 1] == '\n');
		if (n == 0 || (hwall_utf8_is_control(cp) && !line_end) || hwall_utf8_is_layout(cp))
			return false;
	}
	return true;
}

/* Issue 14, item 8: a note with ESC, BEL and C1, and a candidate whose
 * host, path and set hold them (stored by something other than ingest,
 * which refuses them), print escaped in every command. */
static void test_terminal_escapes(void)
{
	static const char note[] = "\x1b]0;owned\x07 \xc2\x9b" "31mred\xe2\x80\xae txt \\ ok\x7f";
	struct ctl_event ev = { .set = "esc\x1b[5m", .algo = HWALL_ALGO_MD5, .ts = 90000,
				.digest = "0123456789abcdef0123456789abcdef",
				.host = "h\x1b[2J.example", .path = "/p\xc2\x9b" "q\x07" };
	struct ctl_record_result res;

	CU_ASSERT_EQUAL(run((const char *[]){ "review", "9", "confirmed", "--note", note, NULL }),
			0);
	CU_ASSERT_EQUAL(run((const char *[]){ "show", "9", NULL }), 0);
	CU_ASSERT_TRUE(terminal_safe(out));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\x1b]0;owned\\x07 \\u009b31mred\\u202e txt \\\\ ok\\x7f"));
	CU_ASSERT_EQUAL(run((const char *[]){ "--json", "show", "9", NULL }), 0);
	CU_ASSERT_TRUE(terminal_safe(out));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"note\":\"\\u001b]0;owned\\u0007 \\u009b31mred\\u202e"));
	CU_ASSERT_EQUAL_FATAL(ctl_store_begin(store), 0);
	CU_ASSERT_EQUAL(ctl_store_record(store, &ev, "dp0", "esc", 1, &res), 0);
	CU_ASSERT_EQUAL(ctl_store_block_add(store, ev.host, ev.path, res.candidate_id,
					    CTL_BLOCK_AUTO, "controld", 3000, 300000, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(ctl_store_commit(store), 0);
	CU_ASSERT_EQUAL(run((const char *[]){ "candidates", "--limit", "1", NULL }), 0);
	CU_ASSERT_TRUE(terminal_safe(out));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " esc\\x1b[5m "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " http://h\\x1b[2J.example/p\\u009bq\\x07\n"));
	CU_ASSERT_EQUAL(run((const char *[]){ "blocks", "--offset", "10", NULL }), 0); /* the 11th */
	CU_ASSERT_TRUE(terminal_safe(out));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "http://h\\x1b[2J.example/p\\u009bq\\x07"));
	CU_ASSERT_EQUAL(run((const char *[]){ "status", NULL }), 0);
	CU_ASSERT_TRUE(terminal_safe(out));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "set         esc\\x1b[5m: 1 candidates"));
	CU_ASSERT_EQUAL(run((const char *[]){ "export", "notices", "--status", "all", "--format",
					      "csv", NULL }), 0);
	CU_ASSERT_TRUE(terminal_safe(out));
	CU_ASSERT_EQUAL(run((const char *[]){ "export", "notices", "--status", "all", NULL }), 0);
	CU_ASSERT_TRUE(terminal_safe(out));
	/* what the operator typed is echoed escaped too */
	CU_ASSERT_EQUAL(run((const char *[]){ "show", "\x1b[2J", NULL }), 2);
	CU_ASSERT_TRUE(terminal_safe(errout));
	CU_ASSERT_PTR_NOT_NULL(strstr(errout, "'\\x1b[2J' is not an id"));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "tables", test_tables },
		{ "review, block, unblock, export", test_review_block_unblock },
		{ "no Host, cut path", test_no_host },
		{ "review: false positive for a set or every set", test_review_allowlist },
		{ "exit codes", test_exit_codes },
		{ "terminal escapes are escaped", test_terminal_escapes },
		CU_TEST_INFO_NULL,
	};
	return ctl_test_run_suite("control/ctl", suite_init, suite_clean, tests);
}
