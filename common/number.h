/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parse.h - strict number parsing for command lines and text formats.
 */
#ifndef HASHWALL_COMMON_PARSE_H
#define HASHWALL_COMMON_PARSE_H

#include <stdint.h>

/*
 * Parse @s as a plain decimal number in [min, max]: digits only, no sign,
 * no spaces, no base prefix.  Returns 0 with *ret set, -EINVAL when @s is
 * not such a number, -ERANGE when it is outside [min, max]; *ret is then
 * untouched.
 */
int hwall_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

#endif
