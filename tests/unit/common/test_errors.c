/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/errors.c: setting, prefixing and reading a struct
 * hwall_err, NULL included, and cutting messages that do not fit. */
#include "common/errors.h"
#include "hwall_test.h"

#include <errno.h>
#include <string.h>

/* A library-style helper with its own format, as allowlist.c or
 * sync_refuse.c write them on top of hwall_err_setv(). */
static int line_fail(struct hwall_err *err, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int line_fail(struct hwall_err *err, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwall_err_setv(err, -EINVAL, fmt, ap);
	va_end(ap);
	return hwall_err_prefix(err, -EINVAL, "line %u: ", line);
}

static void test_set_returns_the_errno(void)
{
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(hwall_err_set(&err, -ENOENT, "%s: %s", "/etc/x", hwall_strerror(-ENOENT)),
			-ENOENT);
	CU_ASSERT_STRING_EQUAL(err.msg, "/etc/x: No such file or directory");
	CU_ASSERT_EQUAL(hwall_err_set(&err, -E2BIG, "more than %d sets", 64), -E2BIG);
	CU_ASSERT_STRING_EQUAL(err.msg, "more than 64 sets");
	CU_ASSERT_STRING_EQUAL(hwall_err_why(&err, -E2BIG), "more than 64 sets");
	err.msg[0] = '\0';
	CU_ASSERT_STRING_EQUAL(hwall_err_why(&err, -E2BIG), "Argument list too long");
}

static void test_null_is_tolerated(void)
{
	CU_ASSERT_EQUAL(hwall_err_set(NULL, -EIO, "read: %s", "oops"), -EIO);
	CU_ASSERT_EQUAL(hwall_err_prefix(NULL, -EIO, "%s: ", "file"), -EIO);
	CU_ASSERT_EQUAL(line_fail(NULL, 3, "bad %s", "digest"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(hwall_err_why(NULL, -EIO), "Input/output error");
}

static void test_prefix_adds_context(void)
{
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(line_fail(&err, 7, "not %d hex digits of %s", 32, "md5"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "line 7: not 32 hex digits of md5");
	CU_ASSERT_EQUAL(hwall_err_prefix(&err, -EINVAL, "%s: ", "/var/lib/allow.txt"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "/var/lib/allow.txt: line 7: not 32 hex digits of md5");
	/* the callee said nothing: the prefix alone */
	err.msg[0] = '\0';
	CU_ASSERT_EQUAL(hwall_err_prefix(&err, -ENOMEM, "%s: ", "ports[0]"), -ENOMEM);
	CU_ASSERT_STRING_EQUAL(err.msg, "ports[0]: ");
}

static void test_long_messages_are_cut(void)
{
	struct hwall_err err = { { 0 } };
	char big[2 * HWALL_ERR_MSG_MAX];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(hwall_err_set(&err, -EINVAL, "%s", big), -EINVAL);
	CU_ASSERT_EQUAL(strlen(err.msg), HWALL_ERR_MSG_MAX - 1);
	/* a prefix keeps its own text and as much of the message as fits */
	CU_ASSERT_EQUAL(hwall_err_set(&err, -EINVAL, "%s", "the reason"), -EINVAL);
	CU_ASSERT_EQUAL(hwall_err_prefix(&err, -EINVAL, "%.*s: ", HWALL_ERR_MSG_MAX - 6, big),
			-EINVAL);
	CU_ASSERT_EQUAL(strlen(err.msg), HWALL_ERR_MSG_MAX - 1);
	CU_ASSERT_EQUAL(memcmp(err.msg + HWALL_ERR_MSG_MAX - 6, ": the", 5), 0);
	/* a prefix that fills the buffer on its own leaves no room for the rest */
	CU_ASSERT_EQUAL(hwall_err_prefix(&err, -EINVAL, "%s", big), -EINVAL);
	CU_ASSERT_EQUAL(strlen(err.msg), HWALL_ERR_MSG_MAX - 1);
	CU_ASSERT_PTR_NULL(strchr(err.msg, ':'));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "set returns the errno it was given", test_set_returns_the_errno },
		{ "NULL error is tolerated", test_null_is_tolerated },
		{ "prefix adds the caller's context", test_prefix_adds_context },
		{ "long messages are cut, never overrun", test_long_messages_are_cut },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/errors", tests);
}
