/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * digest.c - algorithm names and hex conversion (see digest.h).
 */
#include "common/digest.h"

#include <errno.h>
#include <string.h>

static const struct {
	const char *name;
	size_t len;
} algos[HW_ALGO_COUNT] = {
	[HW_ALGO_XXH3_128] = { "xxh3-128", 16 },
	[HW_ALGO_MD5] = { "md5", 16 },
	[HW_ALGO_SHA1] = { "sha1", 20 },
	[HW_ALGO_SHA256] = { "sha256", 32 },
};

const char *hw_algo_name(enum hw_algo algo)
{
	return (unsigned int)algo < HW_ALGO_COUNT ? algos[algo].name : "?";
}

size_t hw_algo_len(enum hw_algo algo)
{
	return (unsigned int)algo < HW_ALGO_COUNT ? algos[algo].len : 0;
}

int hw_algo_parse(const char *name)
{
	for (int i = 0; i < HW_ALGO_COUNT; i++)
		if (strcmp(name, algos[i].name) == 0)
			return i;
	return -EINVAL;
}

int hw_algo_parse_list(const char *list, unsigned int *ret_mask, const char **ret_bad)
{
	unsigned int mask = 0;
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");
		int found = -1;
		for (int i = 0; i < HW_ALGO_COUNT; i++)
			if (strlen(algos[i].name) == len && strncmp(p, algos[i].name, len) == 0)
				found = i;
		if (found < 0) {
			if (ret_bad)
				*ret_bad = p;
			return -EINVAL;
		}
		mask |= 1u << found;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*ret_mask = mask;
	return 0;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hw_hex_parse(const char *hex, uint8_t *out, size_t len)
{
	uint8_t tmp[256];

	if (len > sizeof(tmp) || strlen(hex) != 2 * len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int hi = hex_val(hex[2 * i]), lo = hex_val(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, tmp, len);
	return 0;
}

int hw_digest_parse(enum hw_algo algo, const char *hex, struct hw_digest *ret)
{
	uint8_t bytes[HW_DIGEST_MAX] = { 0 };
	size_t len = hw_algo_len(algo);

	if (len == 0 || hw_hex_parse(hex, bytes, len) < 0)
		return -EINVAL;
	ret->algo = algo;
	memcpy(ret->bytes, bytes, sizeof(bytes));
	return 0;
}

void hw_hex_format(const uint8_t *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0xf];
	}
	out[2 * len] = '\0';
}
