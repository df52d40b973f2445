/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/pseudo.c: keyed pseudonyms of client addresses. */
#include "common/algo.h"
#include "common/pseudo.h"
#include "hwall_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

static const char *dir;

static void write_file(const char *name, const void *data, size_t len, mode_t mode, char *ret_path)
{
	int fd;

	snprintf(ret_path, 128, "%s/%s", dir, name);
	fd = open(ret_path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, data, len), (ssize_t)len);
	CU_ASSERT_EQUAL(fchmod(fd, mode), 0);
	close(fd);
}

static void test_known_answer(void)
{
	struct hwall_pseudo_key key;
	uint8_t addr[16] = { 0 }, expect[16];
	char out[HWALL_PSEUDO_HEX], hex[HWALL_PSEUDO_HEX];

	for (int i = 0; i < HWALL_PSEUDO_KEY_LEN; i++)
		key.bytes[i] = (uint8_t)i;
	addr[10] = addr[11] = 0xff;
	addr[12] = 192;
	addr[15] = 1;
	/* Independently: keyed BLAKE2b-128 of the 16 address bytes. */
	crypto_generichash(expect, sizeof(expect), addr, 16, key.bytes, sizeof(key.bytes));
	hwall_hex_format(expect, 16, hex);
	hwall_pseudo_addr(&key, addr, out);
	CU_ASSERT_STRING_EQUAL(out, hex);
	CU_ASSERT_EQUAL(strlen(out), 32);
	/* Another address or another key: another pseudonym. */
	addr[15] = 2;
	hwall_pseudo_addr(&key, addr, hex);
	CU_ASSERT_STRING_NOT_EQUAL(out, hex);
	addr[15] = 1;
	key.bytes[0] ^= 1;
	hwall_pseudo_addr(&key, addr, hex);
	CU_ASSERT_STRING_NOT_EQUAL(out, hex);
}

static void test_key_files(void)
{
	static const char hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	uint8_t raw[32];
	struct hwall_pseudo_key a, b;
	char path[128];

	for (int i = 0; i < 32; i++)
		raw[i] = (uint8_t)i;
	write_file("raw.key", raw, sizeof(raw), 0600, path);
	CU_ASSERT_EQUAL(hwall_pseudo_key_load(path, &a), 0);
	write_file("hex.key", hex, strlen(hex), 0400, path);
	CU_ASSERT_EQUAL(hwall_pseudo_key_load(path, &b), 0);
	CU_ASSERT_EQUAL(memcmp(a.bytes, raw, 32), 0);
	CU_ASSERT_EQUAL(memcmp(b.bytes, raw, 32), 0);
	/* Readable by others: refused, key untouched. */
	write_file("open.key", raw, sizeof(raw), 0644, path);
	memset(b.bytes, 7, 32);
	CU_ASSERT_EQUAL(hwall_pseudo_key_load(path, &b), -EPERM);
	CU_ASSERT_EQUAL(b.bytes[0], 7);
	write_file("short.key", raw, 31, 0600, path);
	CU_ASSERT_EQUAL(hwall_pseudo_key_load(path, &b), -EINVAL);
	write_file("long.key", hex, strlen(hex) - 1, 0600, path);
	CU_ASSERT_EQUAL(hwall_pseudo_key_load(path, &b), 0);
	write_file("bad.key", "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 64,
		   0600, path);
	CU_ASSERT_EQUAL(hwall_pseudo_key_load(path, &b), -EINVAL);
	CU_ASSERT_EQUAL(hwall_pseudo_key_load("/nonexistent/key", &b), -ENOENT);
}

static void test_random_keys_differ(void)
{
	struct hwall_pseudo_key a, b;

	CU_ASSERT_EQUAL(hwall_pseudo_key_random(&a), 0);
	CU_ASSERT_EQUAL(hwall_pseudo_key_random(&b), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a.bytes, b.bytes, 32), 0);
	hwall_pseudo_key_wipe(&a);
	CU_ASSERT_EQUAL(a.bytes[0] | a.bytes[17] | a.bytes[31], 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "known_answer", test_known_answer },
		{ "key_files", test_key_files },
		{ "random_keys_differ", test_random_keys_differ },
		CU_TEST_INFO_NULL,
	};

	dir = hwall_test_tmpdir("pseudo");
	if (!dir)
		return 2;
	return hwall_test_main("common/pseudo", tests);
}
