/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * errors.h - the "0 or -errno" convention used everywhere, and the one
 * type that carries an error message up to the caller who logs it.
 *
 * Functions named as actions return 0 on success or a negative errno value;
 * the helpers below turn libc's errno into that form and back into text.
 *
 * A function whose failure a human should be able to read takes a
 * `struct hwall_err *err` as its last parameter and fills it on failure,
 * returning the -errno as it would without it:
 *
 *	if (n > LIMIT)
 *		return hwall_err_set(err, -EINVAL, "line %u: too long", lineno);
 *
 * @err may be NULL (the caller wants only the -errno).  Read it only after
 * a failure: a call that succeeds may have written to it on the way.  A
 * caller that adds context puts it in front of the callee's message and
 * passes the result on:
 *
 *	r = hwall_cfg_parse_file(file, &root, err);
 *	if (r < 0)
 *		return hwall_err_prefix(err, r, "%s: ", name);
 *
 * Library code never logs the message; the caller that gives up logs it
 * once (docs/logging.md).
 */
#ifndef HASHWALL_COMMON_ERRORS_H
#define HASHWALL_COMMON_ERRORS_H

#include <errno.h>
#include <stdarg.h>
#include <string.h>

/* -errno after a failed libc call; -EIO when errno was left unset. */
static inline int hwall_neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* Text for a negative (or positive) errno value. */
static inline const char *hwall_strerror(int err)
{
	return strerror(err < 0 ? -err : err);
}

/* Return -errno from the current function when @expr is negative. */
#define HWALL_TRY(expr)                                                         \
	do {                                                                 \
		int hwall_try_r_ = (expr);                                      \
		if (hwall_try_r_ < 0)                                           \
			return hwall_try_r_;                                    \
	} while (0)

/* Longest message kept, with its NUL; longer ones are cut at the end. */
#define HWALL_ERR_MSG_MAX 512

/* Why a call failed, in words; see the top of this file. */
struct hwall_err {
	char msg[HWALL_ERR_MSG_MAX];
};

/* Set @err's message from @fmt (nothing when @err is NULL); returns @r,
 * normally the -errno the caller is about to return. */
int hwall_err_set(struct hwall_err *err, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same with a va_list, for helpers that take their own format. */
int hwall_err_setv(struct hwall_err *err, int r, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Put the text from @fmt in front of @err's message ("FILE: " + message);
 * nothing when @err is NULL.  Returns @r. */
int hwall_err_prefix(struct hwall_err *err, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The message of @err, or the errno text of @r when none was set (start
 * from a zeroed @err to tell). */
static inline const char *hwall_err_why(const struct hwall_err *err, int r)
{
	return err && err->msg[0] ? err->msg : hwall_strerror(r);
}

#define HWALL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
