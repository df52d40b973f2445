/* SPDX-License-Identifier: GPL-2.0-only */
/* parse.c - strict number parsing (see parse.h). */
#include "common/number.h"

#include <errno.h>
#include <stdlib.h>

int hwall_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}
