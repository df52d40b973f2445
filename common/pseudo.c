/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pseudo.c - keyed BLAKE2b pseudonyms of client addresses (see pseudo.h).
 */
#include "common/pseudo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/algo.h"
#include "common/errors.h"
#include "common/fileio.h"

/* The longest key file: 64 hex digits and a newline. */
#define KEY_FILE_MAX (2 * HWALL_PSEUDO_KEY_LEN + 1)

static int key_from_bytes(const uint8_t *buf, size_t len, struct hwall_pseudo_key *ret_key)
{
	char hex[2 * HWALL_PSEUDO_KEY_LEN + 1];

	if (len == HWALL_PSEUDO_KEY_LEN) {
		memcpy(ret_key->bytes, buf, HWALL_PSEUDO_KEY_LEN);
		return 0;
	}
	if (len == 2 * HWALL_PSEUDO_KEY_LEN + 1 && buf[len - 1] == '\n')
		len--;
	if (len != 2 * HWALL_PSEUDO_KEY_LEN)
		return -EINVAL;
	memcpy(hex, buf, len);
	hex[len] = '\0';
	return hwall_hex_parse(hex, ret_key->bytes, HWALL_PSEUDO_KEY_LEN);
}

int hwall_pseudo_key_load(const char *path, struct hwall_pseudo_key *ret_key)
{
	struct hwall_pseudo_key key;
	size_t len;
	char *buf;
	int r;

	r = hwall_read_secret_file(path, KEY_FILE_MAX, &buf, &len);
	if (r < 0)
		return r == -EFBIG ? -EINVAL : r;
	r = key_from_bytes((const uint8_t *)buf, len, &key);
	if (r == 0)
		*ret_key = key;
	hwall_pseudo_key_wipe(&key);
	sodium_memzero(buf, len);
	free(buf);
	return r;
}

int hwall_pseudo_key_random(struct hwall_pseudo_key *ret_key)
{
	if (sodium_init() < 0)
		return -EIO;
	randombytes_buf(ret_key->bytes, sizeof(ret_key->bytes));
	return 0;
}

void hwall_pseudo_addr(const struct hwall_pseudo_key *key, const uint8_t addr[16],
		    char out[HWALL_PSEUDO_HEX])
{
	uint8_t h[HWALL_PSEUDO_LEN];

	crypto_generichash(h, sizeof(h), addr, 16, key->bytes, sizeof(key->bytes));
	hwall_hex_format(h, sizeof(h), out);
}

void hwall_pseudo_key_wipe(struct hwall_pseudo_key *key)
{
	sodium_memzero(key->bytes, sizeof(key->bytes));
}
