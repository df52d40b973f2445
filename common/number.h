/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * number.h - strict number parsing for command lines, protocols and text
 * formats.  Every decimal number hashwall reads goes through these: digits
 * only (a '-' for the signed form), no spaces, no '+', no base prefix.
 */
#ifndef HASHWALL_COMMON_NUMBER_H
#define HASHWALL_COMMON_NUMBER_H

#include <stdint.h>

/*
 * Parse @s as a plain decimal number in [min, max]: digits only, no sign,
 * no spaces, no base prefix.  Returns 0 with *ret set, -EINVAL when @s is
 * not such a number, -ERANGE when it is outside [min, max]; *ret is then
 * untouched.
 */
int hwall_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

/*
 * Parse the decimal digits at the start of @s (a number followed by a unit
 * or a separator); *ret_end points after them.  Returns 0, -EINVAL when @s
 * does not start with a digit, -ERANGE when the number is outside
 * [min, max]; the out-parameters are then untouched.
 */
int hwall_parse_u64_prefix(const char *s, uint64_t min, uint64_t max, uint64_t *ret,
			   const char **ret_end);

/* hwall_parse_u64() for a signed number: an optional '-', then digits. */
int hwall_parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret);

#endif
