/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * digest.h - digest algorithms known to hashwall, their names and hex form.
 *
 * The byte order of a digest is the algorithm's canonical one: md5, sha1 and
 * sha256 as their specifications print them, xxh3-128 as XXH128's canonical
 * (big-endian) form, which is what `xxhsum -H2` prints.  Hex is lower case on
 * output and accepted in either case on input.
 */
#ifndef HASHWALL_COMMON_DIGEST_H
#define HASHWALL_COMMON_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hw_algo {
	HW_ALGO_XXH3_128,
	HW_ALGO_MD5,
	HW_ALGO_SHA1,
	HW_ALGO_SHA256,
	HW_ALGO_COUNT
};

#define HW_DIGEST_MAX 32                       /* bytes, sha256 */
#define HW_DIGEST_HEX_MAX (2 * HW_DIGEST_MAX + 1) /* with the NUL */

/* A digest with its algorithm; only the first hw_algo_len(algo) bytes count. */
struct hw_digest {
	enum hw_algo algo;
	uint8_t bytes[HW_DIGEST_MAX];
};

/* "xxh3-128", "md5", "sha1", "sha256"; "?" when out of range. */
const char *hw_algo_name(enum hw_algo algo);

/* Digest length in bytes; 0 when out of range. */
size_t hw_algo_len(enum hw_algo algo);

/* Parse an algorithm name (exact, lower case); returns the algo or -EINVAL. */
int hw_algo_parse(const char *name);

/*
 * Parse a comma-separated list of algorithm names into a bit mask
 * (1u << algo).  Returns 0, or -EINVAL with *ret_mask untouched; when
 * @ret_bad is given it points at the first bad name on failure.
 */
int hw_algo_parse_list(const char *list, unsigned int *ret_mask, const char **ret_bad);

/*
 * Parse exactly @len bytes of hex from @hex (which must hold 2*len hex
 * digits and nothing else).  Returns 0, or -EINVAL (wrong length or a
 * non-hex character) with @out untouched.
 */
int hw_hex_parse(const char *hex, uint8_t *out, size_t len);

/* Parse @hex as a digest of @algo into @ret. Returns 0 or -EINVAL. */
int hw_digest_parse(enum hw_algo algo, const char *hex, struct hw_digest *ret);

/* Write 2*len lower-case hex digits and a NUL to @out (2*len+1 bytes). */
void hw_hex_format(const uint8_t *bytes, size_t len, char *out);

#endif
