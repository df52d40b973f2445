/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_trust.c - keys, signing and signature thresholds (see sync_trust.h).
 */
#include "sync_trust.h"
#include "common/errors.h"
#include "common/fileio.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define SECRET_TAG "hashwall-ed25519-secret "
#define PUBLIC_TAG "hashwall-ed25519-public "

int sync_crypto_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

void sync_keyid(const uint8_t pub[SYNC_PUBKEY_LEN], uint8_t ret_id[SYNC_KEYID_LEN])
{
	crypto_hash_sha256(ret_id, pub, SYNC_PUBKEY_LEN);
}

int sync_keygen(uint8_t ret_pub[SYNC_PUBKEY_LEN], uint8_t ret_sec[SYNC_SECKEY_LEN])
{
	crypto_sign_ed25519_keypair(ret_pub, ret_sec);
	return 0;
}

void sync_seckey_public(const uint8_t sec[SYNC_SECKEY_LEN], uint8_t ret_pub[SYNC_PUBKEY_LEN])
{
	crypto_sign_ed25519_sk_to_pk(ret_pub, sec);
}

static int write_key(const char *path, const char *tag, const uint8_t *key, size_t len, mode_t mode)
{
	char line[2 * SYNC_SECKEY_LEN + 64];
	size_t n;
	int r;

	n = (size_t)snprintf(line, sizeof(line), "%s", tag);
	hwall_hex_format(key, len, line + n);
	n += 2 * len;
	line[n++] = '\n';
	r = hwall_write_new(path, line, n, mode);
	sodium_memzero(line, sizeof(line));
	return r;
}

/* The longest key file: tag, hex, a line end. */
#define KEY_FILE_MAX (2 * SYNC_SECKEY_LEN + 63)

static int read_key(const char *path, const char *tag, uint8_t *key, size_t len)
{
	size_t tlen = strlen(tag), n;
	bool secret = strcmp(tag, SECRET_TAG) == 0;
	char *line;
	int r;

	r = secret ? hwall_read_secret_file(path, KEY_FILE_MAX, &line, &n)
		   : hwall_read_file(path, KEY_FILE_MAX, &line, &n);
	if (r < 0)
		return r == -EFBIG ? -EINVAL : r;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n != tlen + 2 * len || strncmp(line, tag, tlen) != 0 ||
	    hwall_hex_parse(line + tlen, key, len) < 0)
		r = -EINVAL;
	sodium_memzero(line, n);
	free(line);
	return r;
}

int sync_key_write_secret(const char *path, const uint8_t sec[SYNC_SECKEY_LEN])
{
	return write_key(path, SECRET_TAG, sec, SYNC_SECKEY_LEN, 0600);
}

int sync_key_write_public(const char *path, const uint8_t pub[SYNC_PUBKEY_LEN])
{
	return write_key(path, PUBLIC_TAG, pub, SYNC_PUBKEY_LEN, 0644);
}

int sync_key_read_secret(const char *path, uint8_t ret_sec[SYNC_SECKEY_LEN])
{
	uint8_t sec[SYNC_SECKEY_LEN], seed[32], pk[SYNC_PUBKEY_LEN], again[SYNC_SECKEY_LEN];
	int r = read_key(path, SECRET_TAG, sec, sizeof(sec));

	/* The key must be what its seed derives, or the file is damaged. */
	if (r == 0) {
		crypto_sign_ed25519_sk_to_seed(seed, sec);
		crypto_sign_ed25519_seed_keypair(pk, again, seed);
		r = sodium_memcmp(again, sec, sizeof(sec)) == 0 ? 0 : -EINVAL;
	}
	if (r == 0)
		memcpy(ret_sec, sec, sizeof(sec));
	sodium_memzero(sec, sizeof(sec));
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(again, sizeof(again));
	return r;
}

int sync_key_read_public(const char *path, uint8_t ret_pub[SYNC_PUBKEY_LEN])
{
	return read_key(path, PUBLIC_TAG, ret_pub, SYNC_PUBKEY_LEN);
}

const char *sync_secret_file_why(const char *path, int r, char *buf, size_t len)
{
	if (r != -EPERM)
		return hwall_strerror(r);
	snprintf(buf, len, "group or others may read it; make it private with: chmod 600 %s", path);
	return buf;
}

/* The signed message: SYNC_SIGN_CONTEXT || manifest (allocated). */
static uint8_t *signed_message(const uint8_t *manifest, size_t len, size_t *ret_len)
{
	size_t clen = strlen(SYNC_SIGN_CONTEXT);
	uint8_t *msg = malloc(clen + len);

	if (!msg)
		return NULL;
	memcpy(msg, SYNC_SIGN_CONTEXT, clen);
	memcpy(msg + clen, manifest, len);
	*ret_len = clen + len;
	return msg;
}

int sync_sign_manifest(const uint8_t *manifest, size_t len, const uint8_t sec[SYNC_SECKEY_LEN],
		       uint8_t ret_entry[SYNC_SIG_ENTRY_LEN])
{
	uint8_t pub[SYNC_PUBKEY_LEN];
	size_t mlen;
	uint8_t *msg = signed_message(manifest, len, &mlen);

	if (!msg)
		return -ENOMEM;
	sync_seckey_public(sec, pub);
	sync_keyid(pub, ret_entry);
	crypto_sign_ed25519_detached(ret_entry + SYNC_KEYID_LEN, NULL, msg, mlen, sec);
	free(msg);
	return 0;
}

/* Index of the root key whose id is @id, or -1. */
static int root_key_index(const struct sync_root *root, const uint8_t *id)
{
	uint8_t kid[SYNC_KEYID_LEN];

	for (unsigned int i = 0; i < root->n_keys; i++) {
		sync_keyid(root->keys[i], kid);
		if (memcmp(kid, id, SYNC_KEYID_LEN) == 0)
			return (int)i;
	}
	return -1;
}

bool sync_root_knows_any(const struct sync_bundle *b, const struct sync_root *root)
{
	for (unsigned int s = 0; s < b->n_sigs; s++)
		if (root_key_index(root, b->sigs + (size_t)s * SYNC_SIG_ENTRY_LEN) >= 0)
			return true;
	return false;
}

void sync_sig_tally(const struct sync_bundle *b, const struct sync_root *root,
		    struct sync_sig_tally *ret_tally)
{
	struct sync_sig_tally t = { 0 };
	bool counted[SYNC_MAX_SIGS] = { false };
	size_t mlen;
	uint8_t *msg = signed_message(b->manifest, b->manifest_len, &mlen);

	for (unsigned int s = 0; s < b->n_sigs; s++) {
		const uint8_t *e = b->sigs + (size_t)s * SYNC_SIG_ENTRY_LEN;
		int k = root_key_index(root, e);
		if (k < 0) {
			t.unknown++;
		} else if (!msg || crypto_sign_ed25519_verify_detached(e + SYNC_KEYID_LEN, msg, mlen,
								      root->keys[k]) != 0) {
			t.bad++;
		} else if (!counted[k]) {
			counted[k] = true;
			t.valid++;
		}
	}
	free(msg);
	*ret_tally = t;
}

int sync_check_threshold(const struct sync_bundle *b, const struct sync_root *root,
			 enum sync_refusal short_reason, const char *which, struct sync_verdict *v)
{
	struct sync_sig_tally t;
	enum sync_refusal reason;

	sync_sig_tally(b, root, &t);
	if (t.valid >= root->threshold)
		return 0;
	if (short_reason != SYNC_OK)
		reason = short_reason;
	else if (t.bad)
		reason = SYNC_REFUSE_BAD_SIGNATURE;
	else if (t.valid == 0)
		reason = SYNC_REFUSE_UNKNOWN_KEY;
	else
		reason = SYNC_REFUSE_THRESHOLD;
	return sync_refuse(v, reason,
			   "%u valid signature(s) by %s keys, %u needed (%u failed, %u by unknown keys)",
			   t.valid, which, root->threshold, t.bad, t.unknown);
}
