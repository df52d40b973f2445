/* SPDX-License-Identifier: GPL-2.0-only */
/* number.c - strict number parsing (see number.h). */
#include "common/number.h"

#include <errno.h>
#include <stdlib.h>

/* The leading digits of @s into *v and *end: 0, -EINVAL when there are
 * none (*v and *end untouched), -ERANGE past UINT64_MAX. */
static int digits(const char *s, uint64_t *v, const char **end)
{
	char *e;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &e, 10);
	*end = e;
	return errno == ERANGE ? -ERANGE : 0;
}

int hwall_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	const char *end;
	uint64_t v;
	int r = digits(s, &v, &end);

	if (r == -EINVAL || *end)
		return -EINVAL;
	if (r < 0 || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int hwall_parse_u64_prefix(const char *s, uint64_t min, uint64_t max, uint64_t *ret,
			   const char **ret_end)
{
	const char *end;
	uint64_t v;
	int r = digits(s, &v, &end);

	if (r == -EINVAL)
		return r;
	if (r < 0 || v < min || v > max)
		return -ERANGE;
	*ret = v;
	*ret_end = end;
	return 0;
}

int hwall_parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	const uint64_t most_negative = (uint64_t)INT64_MAX + 1;
	int neg = *s == '-';
	uint64_t mag;
	int64_t v;
	int r;

	r = hwall_parse_u64(s + neg, 0, neg ? most_negative : INT64_MAX, &mag);
	if (r < 0)
		return r;
	if (!neg)
		v = (int64_t)mag;
	else
		v = mag == most_negative ? INT64_MIN : -(int64_t)mag;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}
