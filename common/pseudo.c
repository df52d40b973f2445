/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pseudo.c - keyed BLAKE2b pseudonyms of client addresses (see pseudo.h).
 */
#include "common/pseudo.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/algo.h"
#include "common/errors.h"

/* Room for 64 hex digits, a newline and one byte more to detect excess. */
#define KEY_FILE_MAX (2 * HWALL_PSEUDO_KEY_LEN + 2)

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
	uint8_t buf[KEY_FILE_MAX];
	struct hwall_pseudo_key key;
	struct stat st;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hwall_neg_errno();
	if (fstat(fd, &st) < 0) {
		r = hwall_neg_errno();
		goto out_close;
	}
	if (st.st_mode & 0077) {
		r = -EPERM;
		goto out_close;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = hwall_neg_errno();
			goto out_wipe;
		}
		if (n == 0 || (len += (size_t)n) == sizeof(buf))
			break;
	}
	r = key_from_bytes(buf, len, &key);
	if (r == 0)
		*ret_key = key;
	hwall_pseudo_key_wipe(&key);
out_wipe:
	sodium_memzero(buf, sizeof(buf));
out_close:
	close(fd);
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
