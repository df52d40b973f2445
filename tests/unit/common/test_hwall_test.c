/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for the test helpers themselves (tests/include/hwall_test.h):
 * temporary directories are removed at exit, never by a forked child. */
#include "hwall_test.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A file, a subdirectory and a dangling link inside @dir; no CUnit calls,
 * a forked child uses it too. */
static bool fill(const char *dir)
{
	char p[HWALL_TEST_TMPDIR_LEN + 16];
	int fd;

	snprintf(p, sizeof(p), "%s/file", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return false;
	close(fd);
	snprintf(p, sizeof(p), "%s/sub", dir);
	if (mkdir(p, 0700) < 0)
		return false;
	snprintf(p, sizeof(p), "%s/sub/link", dir);
	return symlink("/nonexistent", p) == 0;
}

static void test_remove_now(void)
{
	const char *dir = hwall_test_tmpdir("helper");
	char copy[HWALL_TEST_TMPDIR_LEN];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_PTR_NOT_NULL(strstr(dir, "/tmp/hwall-helper-"));
	CU_ASSERT_TRUE(fill(dir));
	snprintf(copy, sizeof(copy), "%s", dir);
	hwall_test_tmpdir_remove(dir);
	CU_ASSERT_FALSE(exists(copy));
}

/* A program that exits without removing its directory (as after a failed
 * CU_ASSERT_FATAL) leaves nothing behind. */
static void test_removed_at_exit(void)
{
	char path[HWALL_TEST_TMPDIR_LEN] = "";
	int fds[2], status;
	pid_t pid;

	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	pid = fork();
	CU_ASSERT_TRUE_FATAL(pid >= 0);
	if (pid == 0) {
		const char *dir = hwall_test_tmpdir("helper-exit");
		bool ok = dir && fill(dir) && write(fds[1], dir, strlen(dir) + 1) > 0;

		exit(ok ? 3 : 2); /* exit(), not _exit(): the atexit handler runs */
	}
	close(fds[1]);
	CU_ASSERT_TRUE(read(fds[0], path, sizeof(path)) > 0);
	close(fds[0]);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(path, "/tmp/hwall-helper-exit-"));
	CU_ASSERT_FALSE(exists(path));
}

/* A forked child that exits leaves its parent's directory alone. */
static void test_child_leaves_parent_dir(void)
{
	const char *dir = hwall_test_tmpdir("helper-fork");
	int status;
	pid_t pid;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	pid = fork();
	CU_ASSERT_TRUE_FATAL(pid >= 0);
	if (pid == 0)
		exit(0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(exists(dir));
	hwall_test_tmpdir_remove(dir);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "remove now", test_remove_now },
		{ "removed at exit", test_removed_at_exit },
		{ "a forked child leaves the parent's directory", test_child_leaves_parent_dir },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("tests/hwall_test", tests);
}
