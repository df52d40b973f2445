/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for control/ui_session.c: sessions expire when idle and at
 * their absolute limit, end with their token, are bounded per token and in
 * all; the Cookie header parser finds one value, refuses what is
 * malformed or ambiguous. */
#include "control/ui_session.h"
#include "hwall_test.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static struct ctl_tokens tokens;
static uint8_t hash_a[CTL_TOKEN_HASH_LEN], hash_b[CTL_TOKEN_HASH_LEN];

/* Before the suite runs (no assertions yet): 0 or -1. */
static int load_tokens(const char *dir)
{
	char path[300], ha[65], hb[65];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tokens", dir);
	ctl_token_hash_hex("token-a", ha);
	ctl_token_hash_hex("token-b", hb);
	f = fopen(path, "w");
	if (!f || fchmod(fileno(f), 0600) < 0)
		return -1;
	fprintf(f, "alice reviewer %s\nbob viewer %s\n", ha, hb);
	fclose(f);
	if (ctl_tokens_load(path, &tokens, NULL) < 0 ||
	    hwall_hex_parse(ha, hash_a, sizeof(hash_a)) < 0 ||
	    hwall_hex_parse(hb, hash_b, sizeof(hash_b)) < 0)
		return -1;
	return 0;
}

static void test_expiry(void)
{
	struct ctl_ui_sessions *ss = ctl_ui_sessions_new(100, 1000);
	char id[65], csrf[65], csrf2[65], name[CTL_ACTOR_MAX + 1];

	CU_ASSERT_EQUAL(ctl_ui_session_open(ss, hash_a, 5000, id, csrf), 0);
	CU_ASSERT_EQUAL(strlen(id), 64);
	CU_ASSERT_NOT_EQUAL(strcmp(id, csrf), 0);
	CU_ASSERT_EQUAL(ctl_ui_session_check(ss, &tokens, id, 5050, name, csrf2), CTL_ROLE_REVIEWER);
	CU_ASSERT_STRING_EQUAL(name, "alice");
	CU_ASSERT_STRING_EQUAL(csrf2, csrf);
	/* used every 90 s: alive until the absolute limit */
	for (int64_t t = 5140; t <= 5990; t += 90)
		CU_ASSERT_EQUAL(ctl_ui_session_check(ss, &tokens, id, t, name, csrf2),
				CTL_ROLE_REVIEWER);
	CU_ASSERT_EQUAL(ctl_ui_session_check(ss, &tokens, id, 6001, name, csrf2), CTL_ROLE_NONE);
	CU_ASSERT_EQUAL(ctl_ui_session_count(ss), 0);
	/* idle */
	CU_ASSERT_EQUAL(ctl_ui_session_open(ss, hash_b, 7000, id, csrf), 0);
	CU_ASSERT_EQUAL(ctl_ui_session_check(ss, &tokens, id, 7101, name, csrf2), CTL_ROLE_NONE);
	/* unknown, wrong length, closed */
	CU_ASSERT_EQUAL(ctl_ui_session_open(ss, hash_b, 8000, id, csrf), 0);
	id[0] = id[0] == 'a' ? 'b' : 'a';
	CU_ASSERT_EQUAL(ctl_ui_session_check(ss, &tokens, id, 8001, name, csrf2), CTL_ROLE_NONE);
	CU_ASSERT_EQUAL(ctl_ui_session_check(ss, &tokens, "abc", 8001, name, csrf2), CTL_ROLE_NONE);
	CU_ASSERT_EQUAL(ctl_ui_session_close(ss, id), -ENOENT);
	ctl_ui_sessions_free(ss);
}

static void test_bounds(void)
{
	struct ctl_ui_sessions *ss = ctl_ui_sessions_new(0, 0);
	char first[65], id[65], csrf[65], name[CTL_ACTOR_MAX + 1];

	CU_ASSERT_EQUAL(ctl_ui_session_open(ss, hash_a, 100, first, csrf), 0);
	for (int i = 1; i < CTL_UI_SESSIONS_PER_TOKEN; i++)
		CU_ASSERT_EQUAL(ctl_ui_session_open(ss, hash_a, 100 + i, id, csrf), 0);
	CU_ASSERT_EQUAL(ctl_ui_session_count(ss), CTL_UI_SESSIONS_PER_TOKEN);
	/* one more for the same token ends its least recently used */
	CU_ASSERT_EQUAL(ctl_ui_session_open(ss, hash_a, 200, id, csrf), 0);
	CU_ASSERT_EQUAL(ctl_ui_session_count(ss), CTL_UI_SESSIONS_PER_TOKEN);
	CU_ASSERT_EQUAL(ctl_ui_session_check(ss, &tokens, first, 201, name, csrf), CTL_ROLE_NONE);
	CU_ASSERT_EQUAL(ctl_ui_session_check(ss, &tokens, id, 201, name, csrf), CTL_ROLE_REVIEWER);
	/* another token is not pushed out by them */
	CU_ASSERT_EQUAL(ctl_ui_session_open(ss, hash_b, 300, id, csrf), 0);
	CU_ASSERT_EQUAL(ctl_ui_session_count(ss), CTL_UI_SESSIONS_PER_TOKEN + 1);
	CU_ASSERT_EQUAL(ctl_ui_session_close(ss, id), 0);
	CU_ASSERT_EQUAL(ctl_ui_session_count(ss), CTL_UI_SESSIONS_PER_TOKEN);
	ctl_ui_sessions_free(ss);
	ctl_ui_sessions_free(NULL);
}

static void test_token_gone(void)
{
	struct ctl_ui_sessions *ss = ctl_ui_sessions_new(0, 0);
	uint8_t other[CTL_TOKEN_HASH_LEN] = { 1 };
	char id[65], csrf[65], name[CTL_ACTOR_MAX + 1];

	CU_ASSERT_EQUAL(ctl_ui_session_open(ss, other, 100, id, csrf), 0);
	CU_ASSERT_EQUAL(ctl_ui_session_check(ss, &tokens, id, 101, name, csrf), CTL_ROLE_NONE);
	CU_ASSERT_EQUAL(ctl_ui_session_count(ss), 0);
	ctl_ui_sessions_free(ss);
}

static void test_cookie(void)
{
	char v[65];

	CU_ASSERT_EQUAL(ctl_ui_cookie("hwsession=abc", "hwsession", v, sizeof(v)), 0);
	CU_ASSERT_STRING_EQUAL(v, "abc");
	CU_ASSERT_EQUAL(ctl_ui_cookie("a=1; hwsession=xyz; b=2", "hwsession", v, sizeof(v)), 0);
	CU_ASSERT_STRING_EQUAL(v, "xyz");
	CU_ASSERT_EQUAL(ctl_ui_cookie("hwsession=\"q\"", "hwsession", v, sizeof(v)), 0);
	CU_ASSERT_STRING_EQUAL(v, "q");
	CU_ASSERT_EQUAL(ctl_ui_cookie("xhwsession=1; hwsessionx=2", "hwsession", v, sizeof(v)),
			-ENOENT);
	CU_ASSERT_EQUAL(ctl_ui_cookie(NULL, "hwsession", v, sizeof(v)), -ENOENT);
	CU_ASSERT_EQUAL(ctl_ui_cookie("", "hwsession", v, sizeof(v)), -ENOENT);
	/* refused: twice, no space after ';', a space in a value, no name, too long */
	CU_ASSERT_EQUAL(ctl_ui_cookie("hwsession=a; hwsession=b", "hwsession", v, sizeof(v)),
			-EINVAL);
	CU_ASSERT_EQUAL(ctl_ui_cookie("a=1;hwsession=b", "hwsession", v, sizeof(v)), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ui_cookie("hwsession=a b", "hwsession", v, sizeof(v)), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ui_cookie("=x", "hwsession", v, sizeof(v)), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ui_cookie("hwsession=abcdef", "hwsession", v, 4), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ui_cookie("hwsession=\"a", "hwsession", v, sizeof(v)), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ui_cookie("hwsession=a; ", "hwsession", v, sizeof(v)), -EINVAL);
}

int main(void)
{
	const char *dir = hwall_test_tmpdir("ui-session");
	CU_TestInfo tests[] = {
		{ "idle and absolute expiry", test_expiry },
		{ "bounded per token and in all", test_bounds },
		{ "a removed token ends its sessions", test_token_gone },
		{ "Cookie header", test_cookie },
		CU_TEST_INFO_NULL,
	};
	int r;

	if (!dir || load_tokens(dir) < 0)
		return 2;
	r = hwall_test_main("control/ui_session", tests);
	ctl_tokens_free(&tokens);
	hwall_test_tmpdir_remove(dir);
	return r;
}
