/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fileio.c - whole-file reads with a cap, atomic writes, mkdir -p (see
 * fileio.h).
 */
#include "common/fileio.h"
#include "common/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Free @buf after wiping its first @len bytes: it may hold a key. */
static void wipe_free(char *buf, size_t len)
{
	if (buf)
		explicit_bzero(buf, len);
	free(buf);
}

/* Grow @buf (holding @len bytes) to @size bytes without leaving a copy of
 * what it held behind in freed memory.  Returns the new buffer or NULL. */
static char *grow(char *buf, size_t len, size_t size)
{
	char *n = malloc(size);

	if (n)
		memcpy(n, buf, len);
	wipe_free(buf, len);
	return n;
}

/*
 * Read @fd to its end into a buffer first sized for @hint bytes (its size
 * at fstat(); it may change while read).  The buffer always keeps room for
 * one byte past what was read: a file that still ends at @hint needs no
 * second buffer, and a byte past @cap proves the file too large.
 */
static int read_fd(int fd, size_t cap, size_t hint, char **ret_buf, size_t *ret_len)
{
	size_t size = hint + 2, len = 0;
	char *buf = malloc(size);
	ssize_t n = 1;
	int r;

	while (buf && n > 0 && len <= cap) {
		if (len + 1 == size) { /* it grew since fstat() */
			size = size > (cap + 2) / 2 ? cap + 2 : 2 * size;
			buf = grow(buf, len, size);
			if (!buf)
				break;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n > 0)
			len += (size_t)n;
		else if (n < 0 && errno == EINTR)
			n = 1;
	}
	if (!buf)
		return -ENOMEM;
	r = n < 0 ? hwall_neg_errno() : len > cap ? -EFBIG : 0;
	if (r < 0) {
		wipe_free(buf, len);
		return r;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

/* The reads above; with @secret, -EPERM for a file group or others may
 * access, checked on the open file before reading. */
static int read_path(const char *path, size_t cap, bool secret, char **ret_buf, size_t *ret_len,
		     struct stat *ret_st)
{
	struct stat st;
	int fd, r;

	if (cap > SIZE_MAX - 2)
		cap = SIZE_MAX - 2;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hwall_neg_errno();
	if (fstat(fd, &st) < 0)
		r = hwall_neg_errno();
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else if (secret && (st.st_mode & 0077))
		r = -EPERM;
	else if ((uint64_t)st.st_size > cap)
		r = -EFBIG;
	else
		r = read_fd(fd, cap, (size_t)st.st_size, ret_buf, ret_len);
	close(fd);
	if (r == 0 && ret_st)
		*ret_st = st;
	return r;
}

int hwall_read_file_stat(const char *path, size_t cap, char **ret_buf, size_t *ret_len,
			 struct stat *ret_st)
{
	return read_path(path, cap, false, ret_buf, ret_len, ret_st);
}

int hwall_read_file(const char *path, size_t cap, char **ret_buf, size_t *ret_len)
{
	return read_path(path, cap, false, ret_buf, ret_len, NULL);
}

int hwall_read_secret_file(const char *path, size_t cap, char **ret_buf, size_t *ret_len)
{
	return read_path(path, cap, true, ret_buf, ret_len, NULL);
}

/* Write all of @data to @fd: with send() when @sock, write() otherwise. */
static int put_all(int fd, const void *data, size_t len, bool sock)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = sock ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? hwall_neg_errno() : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int hwall_write_all(int fd, const void *data, size_t len)
{
	return put_all(fd, data, len, false);
}

int hwall_send_all(int fd, const void *data, size_t len)
{
	return put_all(fd, data, len, true);
}

int hwall_fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r = 0;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hwall_neg_errno();
	if (fsync(fd) < 0)
		r = hwall_neg_errno();
	close(fd);
	return r;
}

int hwall_atomic_begin(const char *path, mode_t mode, struct hwall_atomic *ret_a)
{
	struct hwall_atomic a = { .path = path, .step = "" };

	if (snprintf(a.tmp, sizeof(a.tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(a.tmp))
		return -ENAMETOOLONG;
	a.fd = mkostemp(a.tmp, O_CLOEXEC);
	if (a.fd < 0)
		return hwall_neg_errno();
	/* mkostemp() makes 0600; set the final mode before any byte is in. */
	if (fchmod(a.fd, mode) < 0) {
		int r = hwall_neg_errno();

		hwall_atomic_abort(&a);
		return r;
	}
	*ret_a = a;
	return 0;
}

/* Move the temporary file of @a to its target. */
static int atomic_rename(const struct hwall_atomic *a, bool replace)
{
	if (replace)
		return rename(a->tmp, a->path) < 0 ? hwall_neg_errno() : 0;
	if (renameat2(AT_FDCWD, a->tmp, AT_FDCWD, a->path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return hwall_neg_errno();
	/* A filesystem without RENAME_NOREPLACE: link() refuses an existing
	 * target just as well. */
	if (link(a->tmp, a->path) < 0)
		return hwall_neg_errno();
	unlink(a->tmp);
	return 0;
}

int hwall_atomic_commit(struct hwall_atomic *a, bool replace)
{
	int r = 0;

	a->step = "fsync";
	if (fsync(a->fd) < 0)
		r = hwall_neg_errno();
	if (close(a->fd) < 0 && r == 0) {
		a->step = "close";
		r = hwall_neg_errno();
	}
	a->fd = -1;
	if (r == 0) {
		a->step = "rename to";
		r = atomic_rename(a, replace);
	}
	if (r < 0) {
		hwall_atomic_abort(a);
		return r;
	}
	a->tmp[0] = '\0';
	a->step = "fsync of the directory of";
	return hwall_fsync_dir_of(a->path);
}

void hwall_atomic_abort(struct hwall_atomic *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	if (a->tmp[0])
		unlink(a->tmp);
	a->tmp[0] = '\0';
}

/* Write @data to a temporary file and commit it over (or to) @path. */
static int write_whole(const char *path, const void *data, size_t len, mode_t mode, bool replace)
{
	struct hwall_atomic a;
	int r;

	r = hwall_atomic_begin(path, mode, &a);
	if (r < 0)
		return r;
	r = hwall_write_all(a.fd, data, len);
	if (r < 0) {
		hwall_atomic_abort(&a);
		return r;
	}
	return hwall_atomic_commit(&a, replace);
}

int hwall_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	return write_whole(path, data, len, mode, true);
}

int hwall_write_new(const char *path, const void *data, size_t len, mode_t mode)
{
	return write_whole(path, data, len, mode, false);
}

/* mkdir @path unless a directory is there; -ENOTDIR for anything else. */
static int mkdir_one(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return hwall_neg_errno();
	if (stat(path, &st) < 0)
		return hwall_neg_errno();
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int hwall_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		HWALL_TRY(mkdir_one(buf, mode));
		*p = '/';
	}
	return mkdir_one(buf, mode);
}
