/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_refuse.c - names and HTTP statuses of the refusal reasons.
 */
#include "sync_refuse.h"

#include <errno.h>
#include <stdarg.h>

static const struct {
	const char *name;
	int status;
} refusals[SYNC_REFUSE_COUNT] = {
	[SYNC_OK] = { "ok", 200 },
#define SYNC_X_ROW(e, n, s) [SYNC_REFUSE_##e] = { n, s },
	SYNC_REFUSAL_TABLE(SYNC_X_ROW)
#undef SYNC_X_ROW
};

const char *sync_refusal_name(enum sync_refusal r)
{
	return (unsigned int)r < SYNC_REFUSE_COUNT ? refusals[r].name : "?";
}

int sync_refusal_status(enum sync_refusal r)
{
	return (unsigned int)r < SYNC_REFUSE_COUNT ? refusals[r].status : 500;
}

int sync_refuse(struct sync_verdict *v, enum sync_refusal reason, const char *fmt, ...)
{
	va_list ap;

	v->reason = reason;
	va_start(ap, fmt);
	hwall_err_setv(&v->detail, -EPERM, fmt, ap);
	va_end(ap);
	return -EPERM;
}
