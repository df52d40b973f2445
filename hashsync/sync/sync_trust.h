/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_trust.h - Ed25519 keys (libsodium), bundle signatures and the
 * threshold rule, after TUF: a bundle counts only when at least
 * root.threshold distinct keys of the root sign its manifest.
 *
 * What is signed is SYNC_SIGN_CONTEXT followed by the manifest bytes exactly
 * as they appear in the bundle; the manifest carries the payload's size and
 * SHA-256, so the signatures cover the payload too.  A key id is the SHA-256
 * of the raw 32-byte public key.
 *
 * Key files are one line of text: "hashwall-ed25519-secret <128 hex>" (the
 * libsodium 64-byte secret key, seed then public key; mode 0600) and
 * "hashwall-ed25519-public <64 hex>".
 */
#ifndef HASHWALL_HASHSYNC_SYNC_TRUST_H
#define HASHWALL_HASHSYNC_SYNC_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "sync_bundle.h"

#define SYNC_SECKEY_LEN 64

/* libsodium's init; call once before anything else here.  Returns 0 or -EIO. */
int sync_crypto_init(void);

/* Key id (SHA-256) of @pub. */
void sync_keyid(const uint8_t pub[SYNC_PUBKEY_LEN], uint8_t ret_id[SYNC_KEYID_LEN]);

/* Make a key pair.  Returns 0. */
int sync_keygen(uint8_t ret_pub[SYNC_PUBKEY_LEN], uint8_t ret_sec[SYNC_SECKEY_LEN]);

/* Public key inside a secret key. */
void sync_seckey_public(const uint8_t sec[SYNC_SECKEY_LEN], uint8_t ret_pub[SYNC_PUBKEY_LEN]);

/* Write a secret (mode 0600) or public (0644) key file, created atomically
 * and never over an existing file.  Returns 0 or -errno (-EEXIST when the
 * file exists). */
int sync_key_write_secret(const char *path, const uint8_t sec[SYNC_SECKEY_LEN]);
int sync_key_write_public(const char *path, const uint8_t pub[SYNC_PUBKEY_LEN]);

/* Read key files.  Returns 0, -errno, or -EINVAL for a malformed file; a
 * secret key file that group or others may access is refused with -EPERM
 * (hwall_read_secret_file()). */
int sync_key_read_secret(const char *path, uint8_t ret_sec[SYNC_SECKEY_LEN]);
int sync_key_read_public(const char *path, uint8_t ret_pub[SYNC_PUBKEY_LEN]);

/*
 * Why reading the secret file (key, token) at @path failed with @r, for a
 * message: for -EPERM how to fix it ("group or others may read it; make it
 * private with: chmod 600 PATH", in @buf), else the errno text.
 */
const char *sync_secret_file_why(const char *path, int r, char *buf, size_t len);

/* Sign @len manifest bytes with @sec into one 96-byte signature entry.
 * Returns 0 or -ENOMEM. */
int sync_sign_manifest(const uint8_t *manifest, size_t len, const uint8_t sec[SYNC_SECKEY_LEN],
		       uint8_t ret_entry[SYNC_SIG_ENTRY_LEN]);

/* How the signatures of a bundle fared against one root. */
struct sync_sig_tally {
	unsigned int valid;   /* distinct root keys with a good signature */
	unsigned int unknown; /* entries whose key id is not in the root */
	unsigned int bad;     /* entries by a root key that do not verify */
};

/* Count @b's signatures against @root (duplicates by one key count once). */
void sync_sig_tally(const struct sync_bundle *b, const struct sync_root *root,
		    struct sync_sig_tally *ret_tally);

/* Whether any signature of @b names a key of @root. */
bool sync_root_knows_any(const struct sync_bundle *b, const struct sync_root *root);

/*
 * Check that @b carries the threshold of @root; on failure set @v to
 * UNKNOWN_KEY (no trusted key signed at all), BAD_SIGNATURE (a trusted key's
 * signature failed and too few good ones remain) or THRESHOLD, or to
 * @short_reason when it is not SYNC_OK (key rotation).  Returns 0 or -EPERM.
 */
int sync_check_threshold(const struct sync_bundle *b, const struct sync_root *root,
			 enum sync_refusal short_reason, const char *which, struct sync_verdict *v);

#endif
