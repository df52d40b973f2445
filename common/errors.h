/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * errors.h - helpers for the "0 or -errno" convention used everywhere.
 *
 * Functions named as actions return 0 on success or a negative errno value;
 * these helpers turn libc's errno into that form and back into text.
 */
#ifndef HASHWALL_COMMON_ERRORS_H
#define HASHWALL_COMMON_ERRORS_H

#include <errno.h>
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

#define HWALL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
