/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/log.c: thresholds, topic overrides, output form. */
#include "common/log.h"
#include "hwall_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_default_is_info(void)
{
	CU_ASSERT_EQUAL(hwall_log_configure(NULL), 0);
	CU_ASSERT_TRUE(hwall_log_enabled(HWALL_LOG_ERR, "dp"));
	CU_ASSERT_TRUE(hwall_log_enabled(HWALL_LOG_INFO, "dp"));
	CU_ASSERT_FALSE(hwall_log_enabled(HWALL_LOG_DEBUG, "dp"));
}

static void test_topic_overrides(void)
{
	CU_ASSERT_EQUAL(hwall_log_configure("warn,dp.http=debug,sync=err"), 0);
	CU_ASSERT_TRUE(hwall_log_enabled(HWALL_LOG_DEBUG, "dp.http"));
	CU_ASSERT_TRUE(hwall_log_enabled(HWALL_LOG_DEBUG, "dp.http.chunked"));
	CU_ASSERT_FALSE(hwall_log_enabled(HWALL_LOG_INFO, "dp.reasm"));
	CU_ASSERT_TRUE(hwall_log_enabled(HWALL_LOG_WARN, "dp.reasm"));
	/* "dp.httpx" is not below "dp.http". */
	CU_ASSERT_FALSE(hwall_log_enabled(HWALL_LOG_DEBUG, "dp.httpx"));
	CU_ASSERT_FALSE(hwall_log_enabled(HWALL_LOG_WARN, "sync.verify"));
	CU_ASSERT_TRUE(hwall_log_enabled(HWALL_LOG_ERR, "sync.verify"));
}

static void test_longest_match_wins(void)
{
	CU_ASSERT_EQUAL(hwall_log_configure("err,dp=debug,dp.flow=warn"), 0);
	CU_ASSERT_FALSE(hwall_log_enabled(HWALL_LOG_INFO, "dp.flow"));
	CU_ASSERT_TRUE(hwall_log_enabled(HWALL_LOG_INFO, "dp.parse"));
	CU_ASSERT_FALSE(hwall_log_enabled(HWALL_LOG_WARN, "ctl"));
}

static void test_bad_spec_keeps_previous(void)
{
	CU_ASSERT_EQUAL(hwall_log_configure("debug"), 0);
	CU_ASSERT_EQUAL(hwall_log_configure("info,dp=loud"), -EINVAL);
	CU_ASSERT_EQUAL(hwall_log_configure("=debug"), -EINVAL);
	CU_ASSERT_EQUAL(hwall_log_configure("verbose"), -EINVAL);
	CU_ASSERT_TRUE(hwall_log_enabled(HWALL_LOG_DEBUG, "anything"));
	CU_ASSERT_EQUAL(hwall_log_level_parse("warning"), HWALL_LOG_WARN);
	CU_ASSERT_STRING_EQUAL(hwall_log_level_name(HWALL_LOG_LEVEL_COUNT), "?");
}

static void test_output_line(void)
{
	int fds[2], saved;
	char buf[2048] = { 0 };
	ssize_t n;

	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	dup2(fds[1], STDERR_FILENO);
	hwall_log_configure("info");
	HWALL_LOG(INFO, "test.topic", "value %d", 42);
	HWALL_LOG(DEBUG, "test.topic", "hidden");
	/* a name from a peer cannot break the line or drive the terminal */
	HWALL_LOG(INFO, "test.topic", "set %s", "a\nb\x1b[31m\xc2\x9b\xe2\x80\xae\xff ok");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	CU_ASSERT_TRUE(n > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " info test.topic: value 42\n"));
	CU_ASSERT_PTR_NULL(strstr(buf, "hidden"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " info test.topic: set a\\x0ab\\x1b[31m\\u009b\\u202e\\xff ok\n"));
	/* Exactly two lines. */
	CU_ASSERT_PTR_EQUAL(strchr(strchr(buf, '\n') + 1, '\n'), buf + n - 1);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "default is info", test_default_is_info },
		{ "topic overrides", test_topic_overrides },
		{ "longest match wins", test_longest_match_wins },
		{ "bad spec keeps previous", test_bad_spec_keeps_previous },
		{ "output line", test_output_line },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/log", tests);
}
