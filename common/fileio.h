/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fileio.h - the file I/O every folder shares: reading a whole file with a
 * size cap, writing all of a buffer, replacing or creating a file
 * atomically, and mkdir -p.
 *
 * Configuration, keys, set files, bundles, state and exported lists all go
 * through these, so that every file is read with the same limits and
 * written with the same durability: a temporary file in the same directory,
 * created with the file's final mode, written, fsync'ed, renamed over the
 * target, and the directory fsync'ed.  A crash at any point leaves either
 * the old or the new content, never a mix.  The functions do not log.
 */
#ifndef HASHWALL_COMMON_FILEIO_H
#define HASHWALL_COMMON_FILEIO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Read the regular file at @path into a new buffer, NUL-terminated (the NUL
 * is not counted in *ret_len); the caller frees *ret_buf.  Reads to the end
 * of the file, never more than @cap bytes.  Returns 0, -EFBIG when the file
 * holds more than @cap bytes (refused before reading when its size says so),
 * -EINVAL when @path is not a regular file, -ENOMEM, or the -errno of open()
 * or read().  On failure the out-parameters are untouched and nothing read
 * stays in memory (secrets may be read this way; the caller wipes the buffer
 * it gets).
 */
int hwall_read_file(const char *path, size_t cap, char **ret_buf, size_t *ret_len);

/* hwall_read_file() that also returns the fstat() of the file it read in
 * *ret_st (taken before reading), for callers that watch a file for
 * changes. */
int hwall_read_file_stat(const char *path, size_t cap, char **ret_buf, size_t *ret_len,
			 struct stat *ret_st);

/*
 * hwall_read_file() for a secret (a private key, a token): a file that its
 * group or others may access in any way (mode & 0077) is refused with
 * -EPERM before a byte of it is read, so that a key left readable is
 * noticed and fixed (chmod 600) rather than used.  The caller wipes the
 * buffer before freeing it.
 */
int hwall_read_secret_file(const char *path, size_t cap, char **ret_buf, size_t *ret_len);

/* Write all @len bytes of @data to @fd (retrying short writes and EINTR).
 * Returns 0 or -errno. */
int hwall_write_all(int fd, const void *data, size_t len);

/* hwall_write_all() for a connected socket, without SIGPIPE when the peer
 * has gone (-EPIPE instead). */
int hwall_send_all(int fd, const void *data, size_t len);

/*
 * An atomic replacement in progress: hwall_atomic_begin() creates the
 * temporary file, the caller writes @fd (write(), ftruncate(), mmap(): any
 * way), then either hwall_atomic_commit() or hwall_atomic_abort().
 */
struct hwall_atomic {
	int fd;               /* the temporary file, open for writing */
	const char *path;     /* the target; the caller keeps it alive */
	const char *step;     /* after a failed commit, for messages: "fsync",
			       * "close", "rename to", "fsync of the directory of" */
	char tmp[PATH_MAX];   /* "<path>.tmp.XXXXXX", in the target's directory */
};

/*
 * Create a temporary file next to @path with exactly @mode (the umask does
 * not apply: 0600 for keys and tokens, 0644 for what other users read).
 * Returns 0 with *ret_a filled, or -errno (-ENAMETOOLONG when the temporary
 * name does not fit).
 */
int hwall_atomic_begin(const char *path, mode_t mode, struct hwall_atomic *ret_a);

/*
 * fsync and close the temporary file, rename it over the target (with
 * @replace false: only when the target does not exist yet, -EEXIST
 * otherwise), then fsync the directory.  Returns 0 or -errno.  On an error
 * before the rename the target is untouched and the temporary file removed;
 * an error of the final directory fsync is returned with the new content
 * already in place.  On failure a->step names the step that failed.  @a is
 * finished either way.
 */
int hwall_atomic_commit(struct hwall_atomic *a, bool replace);

/* Close and remove the temporary file of @a (after a failed write).
 * Accepts a finished or NULL @a. */
void hwall_atomic_abort(struct hwall_atomic *a);

/*
 * Replace @path atomically with @len bytes of @data, mode @mode (see
 * hwall_atomic_begin() and hwall_atomic_commit()).  Returns 0 or -errno; on
 * failure the old content stays and no temporary file is left.
 */
int hwall_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Create @path atomically with @len bytes of @data and mode @mode, refusing
 * with -EEXIST when it exists (key generation).  Otherwise as
 * hwall_write_atomic(). */
int hwall_write_new(const char *path, const void *data, size_t len, mode_t mode);

/* fsync the directory that holds @path.  Returns 0 or -errno. */
int hwall_fsync_dir_of(const char *path);

/*
 * mkdir -p: create directory @path and its missing parents with @mode (less
 * the umask, as mkdir(2)); existing directories are left as they are.
 * Returns 0, -ENOTDIR when a file other than a directory is in the way,
 * -EINVAL for an empty path, or the -errno of mkdir().
 */
int hwall_mkdir_p(const char *path, mode_t mode);

#endif
