/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_bundle.h - the wire format of hash-set updates (docs/sync-protocol.md).
 *
 * A bundle is one file: a fixed 24-byte header, a JSON manifest, one or more
 * Ed25519 signatures over the manifest, and a payload of fixed-size binary
 * records.  This module splits a bundle into those parts (checking every
 * size against the caps before looking further), parses and writes the
 * manifest, and walks the payload records.  It does no cryptography and no
 * policy: sync_trust.c checks signatures, sync_verify.c runs the pipeline.
 *
 *   offset  size  field (integers big-endian)
 *   0       8     magic "HWBUNDLE"
 *   8       2     format version (1)
 *   10      2     signature count S (1..SYNC_MAX_SIGS)
 *   12      4     manifest length M (1..manifest cap)
 *   16      8     payload length P
 *   24      M     manifest (UTF-8 JSON)
 *   24+M    96*S  signatures: 32-byte key id, 64-byte Ed25519 signature
 *   ...     P     payload
 */
#ifndef HASHWALL_HASHSYNC_SYNC_BUNDLE_H
#define HASHWALL_HASHSYNC_SYNC_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/algo.h"
#include "sync_refuse.h"

#define SYNC_MAGIC "HWBUNDLE"
#define SYNC_FORMAT_VERSION 1
#define SYNC_HEADER_LEN 24
#define SYNC_KEYID_LEN 32   /* SHA-256 of the raw public key */
#define SYNC_SIG_LEN 64     /* Ed25519 */
#define SYNC_SIG_ENTRY_LEN (SYNC_KEYID_LEN + SYNC_SIG_LEN)
#define SYNC_PUBKEY_LEN 32
#define SYNC_MAX_SIGS 16    /* signatures per bundle, and keys per root */
#define SYNC_MANIFEST_CAP_MAX (1u << 20) /* the manifest cap may not exceed this */
#define SYNC_DEFAULT_MANIFEST_CAP (64u << 10)
#define SYNC_DEFAULT_BUNDLE_CAP (1ull << 30)
#define SYNC_DEFAULT_CREATED_SKEW 86400u /* one day */
#define SYNC_SET_ID_MAX 63
#define SYNC_VERSION_MAX 9007199254740991ull /* 2^53-1: exact in JSON */
#define SYNC_SIGN_CONTEXT "hashwall-bundle-v1\n" /* prefixed to the signed manifest */

enum sync_kind {
	SYNC_KIND_SNAPSHOT,
	SYNC_KIND_DELTA,
	SYNC_KIND_ROOT,
	SYNC_KIND_COUNT
};

/* Limits a receiver enforces: sizes before reading further, and how far
 * ahead of its clock a bundle's creation time may lie. */
struct sync_caps {
	uint64_t bundle_bytes;   /* whole bundle */
	uint32_t manifest_bytes; /* manifest, at most SYNC_MANIFEST_CAP_MAX */
	uint32_t created_skew;   /* seconds "created" may lie in the future */
};

/* The parts of a bundle, pointing into the caller's buffer. */
struct sync_bundle {
	const uint8_t *manifest;
	size_t manifest_len;
	const uint8_t *sigs; /* n_sigs entries of SYNC_SIG_ENTRY_LEN */
	unsigned int n_sigs;
	const uint8_t *payload;
	uint64_t payload_len;
};

/* A root of trust: the keys of one hotline and how many must sign. */
struct sync_root {
	uint64_t version;
	unsigned int threshold;
	unsigned int n_keys;
	uint8_t keys[SYNC_MAX_SIGS][SYNC_PUBKEY_LEN];
};

/* A parsed manifest. */
struct sync_manifest {
	char set[SYNC_SET_ID_MAX + 1];
	enum sync_kind kind;
	uint64_t version;
	uint64_t base;     /* deltas only */
	int64_t created;   /* unix seconds */
	int64_t expires;   /* unix seconds, > created */
	uint64_t payload_size;
	uint8_t payload_sha256[32];
	uint64_t adds[HWALL_ALGO_COUNT];
	uint64_t removes[HWALL_ALGO_COUNT];
	struct sync_root root; /* SYNC_KIND_ROOT only: the new root */
};

/* "snapshot", "delta", "root"; "?" when out of range. */
const char *sync_kind_name(enum sync_kind kind);

/*
 * Split the @len bytes at @buf into the parts of a bundle, checking the
 * header's sizes against @caps before using them.  @len may be shorter than
 * the bundle (a caller that has read only the header gets TRUNCATED, or a
 * cap refusal as soon as the header says the bundle is too big).  Returns 0,
 * or -EPERM with @v set (TOO_LARGE, TRUNCATED, BAD_HEADER, MANIFEST_TOO_LARGE,
 * TOO_MANY_SIGNATURES, PAYLOAD_SIZE for bytes after the payload).
 */
int sync_bundle_split(const uint8_t *buf, size_t len, const struct sync_caps *caps,
		      struct sync_bundle *ret_bundle, struct sync_verdict *v);

/* Total bundle size the 24-byte header at @hdr announces (0 on a bad magic). */
uint64_t sync_bundle_announced_len(const uint8_t *hdr);

/*
 * Parse @len bytes of manifest JSON, strictly (common/json_strict.h: a key
 * given twice at any depth, bytes after the object, a byte-order mark are
 * refused).  Returns 0, or -EPERM with @v set to BAD_MANIFEST naming the
 * field.  The payload size is checked against the per-algorithm counts here
 * (they must agree exactly).
 */
int sync_manifest_parse(const uint8_t *json, size_t len, struct sync_manifest *ret_m,
			struct sync_verdict *v);

/*
 * Write @m as manifest JSON into a newly allocated string (*ret_json, free
 * with free()).  Returns 0, -EINVAL for a manifest that would not parse back,
 * -ENOMEM.
 */
int sync_manifest_format(const struct sync_manifest *m, char **ret_json);

/*
 * A root as JSON: {"version": N, "threshold": K, "keys": ["hex", ...]}, the
 * form manifests and state files use.  sync_root_parse() checks it
 * strictly (1..16 distinct keys, 1 <= K <= keys) and returns 0 or -EPERM
 * with @v set to BAD_MANIFEST; sync_root_json() returns NULL on ENOMEM.
 */
struct cJSON;
int sync_root_parse(const struct cJSON *o, struct sync_root *root, struct sync_verdict *v);
struct cJSON *sync_root_json(const struct sync_root *root);

/* Payload bytes that @adds and @removes records take; UINT64_MAX on overflow. */
uint64_t sync_payload_size(const uint64_t adds[HWALL_ALGO_COUNT], const uint64_t removes[HWALL_ALGO_COUNT]);

/* One payload record, as sync_payload_foreach() hands it out. */
struct sync_record {
	bool remove;
	enum hwall_algo algo;
	const uint8_t *digest; /* hwall_algo_len(algo) bytes */
	uint8_t category;      /* adds only */
	uint32_t ref;          /* adds only */
};

/*
 * Call @fn for every record of @payload (whose size sync_manifest_parse()
 * has already matched to @m's counts): adds, then removes, each algorithm by
 * algorithm.  Stops and returns what @fn returned when non-zero.
 */
int sync_payload_foreach(const struct sync_manifest *m, const uint8_t *payload,
			 int (*fn)(const struct sync_record *r, void *ctx), void *ctx);

/* Append one record to a payload under construction at @out (enough room
 * for hwall_algo_len + 5 bytes); returns the bytes written. */
size_t sync_record_encode(const struct sync_record *r, uint8_t *out);

/*
 * Assemble a bundle from a manifest, @n_sigs signature entries and a
 * payload into a newly allocated buffer.  Returns 0, -EINVAL, -ENOMEM.
 */
int sync_bundle_assemble(const char *manifest, const uint8_t *sigs, unsigned int n_sigs,
			 const uint8_t *payload, uint64_t payload_len, uint8_t **ret_buf,
			 size_t *ret_len);

#endif
