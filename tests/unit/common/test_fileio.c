/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/fileio.c: capped reads, atomic writes, mkdir -p. */
#include "common/fileio.h"
#include "hwall_test.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *dir;

/* @name inside the test directory. */
static const char *at(const char *name)
{
	static char path[4][256];
	static unsigned int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

static void put(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(at(name), "w");

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Whole content of @name, compared with @want. */
static int same(const char *name, const void *want, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	int r = hwall_read_file(at(name), 1 << 20, &buf, &n);

	if (r == 0)
		r = n == len && memcmp(buf, want, len) == 0 ? 0 : -1;
	free(buf);
	return r;
}

/* Entries of the test directory, "." and ".." left out. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static mode_t mode_of(const char *name)
{
	struct stat st;

	return stat(at(name), &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void test_read_whole(void)
{
	uint8_t body[3000];
	uint64_t seed = 11;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;

	hwall_test_rand_bytes(&seed, body, sizeof(body));
	put("body", body, sizeof(body));
	CU_ASSERT_EQUAL(hwall_read_file_stat(at("body"), sizeof(body), &buf, &len, &st), 0);
	CU_ASSERT_EQUAL(len, sizeof(body));
	CU_ASSERT_EQUAL(memcmp(buf, body, sizeof(body)), 0);
	CU_ASSERT_EQUAL(buf[len], '\0');
	CU_ASSERT_EQUAL(st.st_size, (off_t)sizeof(body));
	CU_ASSERT_TRUE(S_ISREG(st.st_mode));
	free(buf);
}

static void test_read_empty(void)
{
	char *buf = NULL;
	size_t len = 7;

	put("empty", "", 0);
	CU_ASSERT_EQUAL(hwall_read_file(at("empty"), 0, &buf, &len), 0);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL(buf[0], '\0');
	free(buf);
}

static void test_read_refusals(void)
{
	char *buf = (char *)"untouched";
	size_t len = 42;

	put("ten", "0123456789", 10);
	CU_ASSERT_EQUAL(hwall_read_file(at("ten"), 9, &buf, &len), -EFBIG);
	CU_ASSERT_EQUAL(hwall_read_file(at("missing"), 100, &buf, &len), -ENOENT);
	CU_ASSERT_EQUAL(hwall_read_file(dir, 100, &buf, &len), -EINVAL);
	CU_ASSERT_EQUAL(hwall_read_file("/dev/null", 100, &buf, &len), -EINVAL);
	CU_ASSERT_STRING_EQUAL(buf, "untouched");
	CU_ASSERT_EQUAL(len, 42);
}

/* A secret that group or others may access is refused before it is read;
 * 0600 and 0400 are read. */
static void test_read_secret(void)
{
	char *buf = (char *)"untouched";
	size_t len = 42;

	put("key", "secret\n", 7);
	CU_ASSERT_EQUAL_FATAL(chmod(at("key"), 0644), 0);
	CU_ASSERT_EQUAL(hwall_read_secret_file(at("key"), 100, &buf, &len), -EPERM);
	CU_ASSERT_EQUAL_FATAL(chmod(at("key"), 0640), 0);
	CU_ASSERT_EQUAL(hwall_read_secret_file(at("key"), 100, &buf, &len), -EPERM);
	CU_ASSERT_EQUAL_FATAL(chmod(at("key"), 0602), 0);
	CU_ASSERT_EQUAL(hwall_read_secret_file(at("key"), 100, &buf, &len), -EPERM);
	CU_ASSERT_STRING_EQUAL(buf, "untouched");
	CU_ASSERT_EQUAL(len, 42);
	CU_ASSERT_EQUAL(hwall_read_secret_file(at("missing"), 100, &buf, &len), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(chmod(at("key"), 0400), 0);
	CU_ASSERT_EQUAL(hwall_read_secret_file(at("key"), 100, &buf, &len), 0);
	CU_ASSERT_STRING_EQUAL(buf, "secret\n");
	free(buf);
}

/* /proc files are regular and of size 0 at fstat(): the read goes on past
 * the size it started with, and the cap still holds. */
static void test_read_past_size(void)
{
	char *buf = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL(hwall_read_file("/proc/self/status", 1 << 20, &buf, &len), 0);
	CU_ASSERT_TRUE(len > 100);
	CU_ASSERT_EQUAL(strlen(buf), len);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Name:"));
	free(buf);
	CU_ASSERT_EQUAL(hwall_read_file("/proc/self/status", 10, &buf, &len), -EFBIG);
}

static void test_atomic_replace(void)
{
	static const char old[] = "old content\n", neu[] = "new content, longer\n";

	put("state", old, strlen(old));
	CU_ASSERT_EQUAL(hwall_write_atomic(at("state"), neu, strlen(neu), 0644), 0);
	CU_ASSERT_EQUAL(same("state", neu, strlen(neu)), 0);
	CU_ASSERT_EQUAL(entries(), 1); /* no temporary file left */
	CU_ASSERT_EQUAL(hwall_write_atomic(at("state"), "", 0, 0644), 0);
	CU_ASSERT_EQUAL(same("state", "", 0), 0);
}

/* A write that fails half way (the file size limit) leaves the old content
 * and no temporary file. */
static void test_atomic_write_error(void)
{
	static const char old[] = "the old content";
	uint8_t big[4096] = { 0 };
	struct rlimit was, small = { 1024, 1024 };

	put("keep", old, strlen(old));
	signal(SIGXFSZ, SIG_IGN);
	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &was), 0);
	small.rlim_max = was.rlim_max;
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &small), 0);
	CU_ASSERT_EQUAL(hwall_write_atomic(at("keep"), big, sizeof(big), 0644), -EFBIG);
	CU_ASSERT_EQUAL(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, SIG_DFL);
	CU_ASSERT_EQUAL(same("keep", old, strlen(old)), 0);
	CU_ASSERT_EQUAL(entries(), 1);
}

/* A rename that fails (a directory is the target) leaves no temporary. */
static void test_atomic_rename_error(void)
{
	struct hwall_atomic a;

	CU_ASSERT_EQUAL_FATAL(mkdir(at("isdir"), 0755), 0);
	CU_ASSERT_EQUAL(hwall_write_atomic(at("isdir"), "x", 1, 0644), -EISDIR);
	CU_ASSERT_EQUAL(entries(), 1);
	CU_ASSERT_EQUAL_FATAL(hwall_atomic_begin(at("isdir"), 0644, &a), 0);
	CU_ASSERT_EQUAL(hwall_atomic_commit(&a, true), -EISDIR);
	CU_ASSERT_STRING_EQUAL(a.step, "rename to");
	CU_ASSERT_EQUAL(entries(), 1);
	CU_ASSERT_EQUAL(hwall_write_atomic(at("none/file"), "x", 1, 0644), -ENOENT);
	CU_ASSERT_EQUAL(entries(), 1);
}

static void test_atomic_abort(void)
{
	struct hwall_atomic a;

	put("kept", "old", 3);
	CU_ASSERT_EQUAL_FATAL(hwall_atomic_begin(at("kept"), 0600, &a), 0);
	CU_ASSERT_EQUAL(hwall_write_all(a.fd, "new", 3), 0);
	CU_ASSERT_EQUAL(entries(), 2);
	hwall_atomic_abort(&a);
	hwall_atomic_abort(&a); /* finished: a no-op */
	hwall_atomic_abort(NULL);
	CU_ASSERT_EQUAL(same("kept", "old", 3), 0);
	CU_ASSERT_EQUAL(entries(), 1);
}

static void test_write_new(void)
{
	CU_ASSERT_EQUAL(hwall_write_new(at("key"), "secret", 6, 0600), 0);
	CU_ASSERT_EQUAL(hwall_write_new(at("key"), "other!", 6, 0600), -EEXIST);
	CU_ASSERT_EQUAL(same("key", "secret", 6), 0);
	CU_ASSERT_EQUAL(entries(), 1);
}

/* The mode asked for is the mode the file gets, whatever the umask. */
static void test_modes(void)
{
	mode_t old = umask(022);

	CU_ASSERT_EQUAL(hwall_write_atomic(at("token"), "t", 1, 0600), 0);
	CU_ASSERT_EQUAL(mode_of("token"), 0600);
	CU_ASSERT_EQUAL(hwall_write_atomic(at("public"), "p", 1, 0644), 0);
	CU_ASSERT_EQUAL(mode_of("public"), 0644);
	CU_ASSERT_EQUAL(hwall_write_atomic(at("public"), "p", 1, 0600), 0); /* replaced: new mode */
	CU_ASSERT_EQUAL(mode_of("public"), 0600);
	CU_ASSERT_EQUAL(hwall_write_new(at("new"), "n", 1, 0640), 0);
	CU_ASSERT_EQUAL(mode_of("new"), 0640);
	umask(077);
	CU_ASSERT_EQUAL(hwall_write_atomic(at("shared"), "s", 1, 0644), 0);
	CU_ASSERT_EQUAL(mode_of("shared"), 0644);
	umask(022);
	CU_ASSERT_EQUAL(hwall_mkdir_p(at("private/d"), 0700), 0);
	CU_ASSERT_EQUAL(mode_of("private"), 0700);
	CU_ASSERT_EQUAL(mode_of("private/d"), 0700);
	CU_ASSERT_EQUAL(hwall_mkdir_p(at("open"), 0755), 0);
	CU_ASSERT_EQUAL(mode_of("open"), 0755);
	umask(old);
}

static void test_mkdir_p(void)
{
	struct stat st;

	CU_ASSERT_EQUAL(hwall_mkdir_p(dir, 0755), 0); /* exists */
	CU_ASSERT_EQUAL(hwall_mkdir_p(at("a/b//c/"), 0755), 0);
	CU_ASSERT_EQUAL(stat(at("a/b/c"), &st), 0);
	CU_ASSERT_TRUE(S_ISDIR(st.st_mode));
	CU_ASSERT_EQUAL(hwall_mkdir_p(at("a/b/c"), 0755), 0); /* again */
	put("a/file", "f", 1);
	CU_ASSERT_EQUAL(hwall_mkdir_p(at("a/file"), 0755), -ENOTDIR);
	CU_ASSERT_EQUAL(hwall_mkdir_p(at("a/file/sub"), 0755), -ENOTDIR);
	CU_ASSERT_EQUAL(hwall_mkdir_p("", 0755), -EINVAL);
}

static void test_relative_paths(void)
{
	char cwd[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	CU_ASSERT_EQUAL_FATAL(chdir(dir), 0);
	CU_ASSERT_EQUAL(hwall_write_atomic("here", "h", 1, 0644), 0);
	CU_ASSERT_EQUAL(hwall_fsync_dir_of("here"), 0);
	CU_ASSERT_EQUAL(hwall_mkdir_p("rel/sub", 0755), 0);
	CU_ASSERT_EQUAL(chdir(cwd), 0);
	CU_ASSERT_EQUAL(same("here", "h", 1), 0);
	CU_ASSERT_EQUAL(mode_of("rel/sub"), 0755);
}

/* Each test starts with an empty directory. */
static void fresh_dir(void)
{
	hwall_test_tmpdir_remove(dir);
	dir = hwall_test_tmpdir("fileio");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
}

#define FRESH(fn)                                                              \
	static void fn##_fresh(void)                                           \
	{                                                                      \
		fresh_dir();                                                   \
		fn();                                                          \
	}
FRESH(test_read_whole)
FRESH(test_read_empty)
FRESH(test_read_refusals)
FRESH(test_read_secret)
FRESH(test_atomic_replace)
FRESH(test_atomic_write_error)
FRESH(test_atomic_rename_error)
FRESH(test_atomic_abort)
FRESH(test_write_new)
FRESH(test_modes)
FRESH(test_mkdir_p)
FRESH(test_relative_paths)

int main(void)
{
	CU_TestInfo tests[] = {
		{ "read whole file, NUL-terminated", test_read_whole_fresh },
		{ "read empty file", test_read_empty_fresh },
		{ "read refusals: cap, missing, not a file", test_read_refusals_fresh },
		{ "read a secret: refused when group or others may read", test_read_secret_fresh },
		{ "read past the size at fstat", test_read_past_size },
		{ "atomic replace", test_atomic_replace_fresh },
		{ "failed write keeps the old content", test_atomic_write_error_fresh },
		{ "failed rename leaves no temporary", test_atomic_rename_error_fresh },
		{ "abort keeps the old content", test_atomic_abort_fresh },
		{ "create without replacing", test_write_new_fresh },
		{ "modes under a umask", test_modes_fresh },
		{ "mkdir -p", test_mkdir_p_fresh },
		{ "relative paths", test_relative_paths_fresh },
		CU_TEST_INFO_NULL,
	};

	dir = hwall_test_tmpdir("fileio");
	if (!dir)
		return 2;
	return hwall_test_main("common/fileio", tests);
}
