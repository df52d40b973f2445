/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * algo.h - the hash algorithms hashwall knows: one table row each, and the
 * names, lengths, hex form and implementation hooks generated from it.
 *
 * Every folder takes its algorithms from here: the dataplane's digest
 * stage, set files and lists (hashsync/), sync bundles, the ingest events
 * and controld's store (control/), and every message that lists them.
 * docs/algorithms.md says what a new row touches ("Adding an algorithm").
 *
 * The byte order of a digest is the algorithm's canonical one: md5, sha1 and
 * sha256 as their specifications print them, xxh3-128 as XXH128's canonical
 * (big-endian) form, which is what `xxhsum -H2` prints, pdq as Meta's
 * reference prints it (hashsync/pdq/pdq.h, struct pdq_hash).  Hex is lower case on
 * output and accepted in either case on input.
 */
#ifndef HASHWALL_COMMON_ALGO_H
#define HASHWALL_COMMON_ALGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How an algorithm is computed, which says who computes it. */
enum hwall_algo_kind {
	HWALL_ALGO_KIND_XXH3,       /* XXH3 128-bit, streamed over the body (dataplane/xxh3_impl.c) */
	HWALL_ALGO_KIND_EVP,        /* an OpenSSL digest, streamed, looked up by its EVP name */
	HWALL_ALGO_KIND_PERCEPTUAL, /* from the decoded image, off the fast path; matched by distance */
	HWALL_ALGO_KIND_COUNT
};

/*
 * The algorithm table: X(ID, name, length in bytes, kind, OpenSSL EVP name).
 *
 * APPEND ONLY: THIS ORDER IS ON DISK AND ON THE WIRE.  A row's position is
 * its number: the descriptor slot in set files (hashsync/hws_format.h, at
 * most HWS_ALGO_SLOTS rows), the order of a sync bundle's payload records
 * (docs/sync-protocol.md) and its bit in algorithm masks (1u << algo).
 * Never reorder, remove or reuse a row; names are lower case, at most
 * HWALL_ALGO_NAME_MAX - 1 characters, and are what lists, bundles, events
 * and the store spell.
 */
#define HWALL_ALGO_TABLE(X)                                          \
	X(XXH3_128, "xxh3-128", 16, HWALL_ALGO_KIND_XXH3, NULL)       \
	X(MD5,      "md5",      16, HWALL_ALGO_KIND_EVP,  "MD5")      \
	X(SHA1,     "sha1",     20, HWALL_ALGO_KIND_EVP,  "SHA1")     \
	X(SHA256,   "sha256",   32, HWALL_ALGO_KIND_EVP,  "SHA256")   \
	X(PDQ,      "pdq",      32, HWALL_ALGO_KIND_PERCEPTUAL, NULL)

#define HWALL_ALGO_ENUM_(id, name, len, kind, evp) HWALL_ALGO_##id,
enum hwall_algo {
	HWALL_ALGO_TABLE(HWALL_ALGO_ENUM_)
	HWALL_ALGO_COUNT
};
#undef HWALL_ALGO_ENUM_

/* Every algorithm's bit (1u << algo); masks are unsigned int. */
#define HWALL_ALGO_MASK_ALL ((1u << HWALL_ALGO_COUNT) - 1)
_Static_assert(HWALL_ALGO_COUNT <= 32, "algorithm masks are unsigned int");

/* The longest digest of the table, in bytes: the size of a union of them. */
#define HWALL_ALGO_LEN_MEMBER_(id, name, len, kind, evp) uint8_t id[len];
union hwall_algo_longest_ {
	HWALL_ALGO_TABLE(HWALL_ALGO_LEN_MEMBER_)
};
#undef HWALL_ALGO_LEN_MEMBER_
#define HWALL_DIGEST_MAX sizeof(union hwall_algo_longest_)
#define HWALL_DIGEST_HEX_MAX (2 * HWALL_DIGEST_MAX + 1) /* with the NUL */

/* Longest algorithm name, with its NUL (buffers that read one from input). */
#define HWALL_ALGO_NAME_MAX 16
#define HWALL_ALGO_NAME_CHECK_(id, name, len, kind, evp) \
	_Static_assert(sizeof(name) <= HWALL_ALGO_NAME_MAX, name ": name too long");
HWALL_ALGO_TABLE(HWALL_ALGO_NAME_CHECK_)
#undef HWALL_ALGO_NAME_CHECK_

/* A digest with its algorithm; only the first hwall_algo_len(algo) bytes count. */
struct hwall_digest {
	enum hwall_algo algo;
	uint8_t bytes[HWALL_DIGEST_MAX];
};

/* The table's name of @algo ("xxh3-128", "md5", ...); "?" when out of range. */
const char *hwall_algo_name(enum hwall_algo algo);

/* Digest length in bytes; 0 when out of range. */
size_t hwall_algo_len(enum hwall_algo algo);

/* How @algo is computed; HWALL_ALGO_KIND_COUNT when out of range. */
enum hwall_algo_kind hwall_algo_kind(enum hwall_algo algo);

/* Whether the dataplane's digest stage computes @algo over the body as it
 * streams (the xxh3 and EVP kinds): what `--hash` and the live
 * configuration's `hash` may ask for.  False for a perceptual algorithm,
 * which the PDQ stage computes from the decoded image, and out of range. */
bool hwall_algo_streamed(enum hwall_algo algo);

/* OpenSSL's name of an HWALL_ALGO_KIND_EVP algorithm (for
 * EVP_get_digestbyname()); NULL for every other kind or out of range. */
const char *hwall_algo_evp_name(enum hwall_algo algo);

/* Every name in table order, ", "-separated ("xxh3-128, md5, ..."): for
 * the messages and usage texts that list the algorithms.  Static storage. */
const char *hwall_algo_names(void);

/* Parse an algorithm name (exact, lower case); returns the algo or -EINVAL. */
int hwall_algo_parse(const char *name);

/*
 * Parse a comma-separated list of algorithm names into a bit mask
 * (1u << algo).  Returns 0, or -EINVAL with *ret_mask untouched; when
 * @ret_bad is given it points at the first bad name on failure (up to the
 * next comma or the end; hwall_algo_names() lists the good ones).
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
