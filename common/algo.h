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

enum hwall_algo {
	HWALL_ALGO_XXH3_128,
	HWALL_ALGO_MD5,
	HWALL_ALGO_SHA1,
	HWALL_ALGO_SHA256,
	HWALL_ALGO_COUNT
};

#define HWALL_DIGEST_MAX 32                       /* bytes, sha256 */
#define HWALL_DIGEST_HEX_MAX (2 * HWALL_DIGEST_MAX + 1) /* with the NUL */

/* A digest with its algorithm; only the first hwall_algo_len(algo) bytes count. */
struct hwall_digest {
	enum hwall_algo algo;
	uint8_t bytes[HWALL_DIGEST_MAX];
};

/* "xxh3-128", "md5", "sha1", "sha256"; "?" when out of range. */
const char *hwall_algo_name(enum hwall_algo algo);

/* Digest length in bytes; 0 when out of range. */
size_t hwall_algo_len(enum hwall_algo algo);

/* Parse an algorithm name (exact, lower case); returns the algo or -EINVAL. */
int hwall_algo_parse(const char *name);

/*
 * Parse a comma-separated list of algorithm names into a bit mask
 * (1u << algo).  Returns 0, or -EINVAL with *ret_mask untouched; when
 * @ret_bad is given it points at the first bad name on failure.
 */
int hwall_algo_parse_list(const char *list, unsigned int *ret_mask, const char **ret_bad);

/*
 * Parse exactly @len bytes of hex from @hex (which must hold 2*len hex
 * digits and nothing else).  Returns 0, or -EINVAL (wrong length or a
 * non-hex character) with @out untouched.
 */
int hwall_hex_parse(const char *hex, uint8_t *out, size_t len);

/* Parse @hex as a digest of @algo into @ret. Returns 0 or -EINVAL. */
int hwall_digest_parse(enum hwall_algo algo, const char *hex, struct hwall_digest *ret);

/* Write 2*len lower-case hex digits and a NUL to @out (2*len+1 bytes). */
void hwall_hex_format(const uint8_t *bytes, size_t len, char *out);

#endif
