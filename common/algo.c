/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * algo.c - the algorithm table's names, lengths and hooks, and hex
 * conversion (see algo.h).
 */
#include "common/algo.h"

#include <errno.h>
#include <string.h>

static const struct {
	const char *name;
	size_t len;
	enum hwall_algo_kind kind;
	const char *evp_name;
} algos[HWALL_ALGO_COUNT] = {
#define ROW(id, name, len, kind, evp) [HWALL_ALGO_##id] = { name, len, kind, evp },
	HWALL_ALGO_TABLE(ROW)
#undef ROW
};

/* ", xxh3-128, md5, ..." built by the compiler; hwall_algo_names() skips
 * the leading separator. */
static const char names_list[] =
#define NAME(id, name, len, kind, evp) ", " name
	HWALL_ALGO_TABLE(NAME)
#undef NAME
	;

const char *hwall_algo_name(enum hwall_algo algo)
{
	return (unsigned int)algo < HWALL_ALGO_COUNT ? algos[algo].name : "?";
}

size_t hwall_algo_len(enum hwall_algo algo)
{
	return (unsigned int)algo < HWALL_ALGO_COUNT ? algos[algo].len : 0;
}

enum hwall_algo_kind hwall_algo_kind(enum hwall_algo algo)
{
	return (unsigned int)algo < HWALL_ALGO_COUNT ? algos[algo].kind : HWALL_ALGO_KIND_COUNT;
}

bool hwall_algo_streamed(enum hwall_algo algo)
{
	enum hwall_algo_kind k = hwall_algo_kind(algo);

	return k == HWALL_ALGO_KIND_XXH3 || k == HWALL_ALGO_KIND_EVP;
}

const char *hwall_algo_evp_name(enum hwall_algo algo)
{
	return hwall_algo_kind(algo) == HWALL_ALGO_KIND_EVP ? algos[algo].evp_name : NULL;
}

const char *hwall_algo_names(void)
{
	return names_list + 2;
}

/* The algorithm named by the @len bytes at @name; -EINVAL for none. */
static int parse_n(const char *name, size_t len)
{
	for (int i = 0; i < HWALL_ALGO_COUNT; i++)
		if (strlen(algos[i].name) == len && memcmp(name, algos[i].name, len) == 0)
			return i;
	return -EINVAL;
}

int hwall_algo_parse(const char *name)
{
	return parse_n(name, strlen(name));
}

int hwall_algo_parse_list(const char *list, unsigned int *ret_mask, const char **ret_bad)
{
	unsigned int mask = 0;
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");
		int found = parse_n(p, len);

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

int hwall_hex_parse(const char *hex, uint8_t *out, size_t len)
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

int hwall_digest_parse(enum hwall_algo algo, const char *hex, struct hwall_digest *ret)
{
	uint8_t bytes[HWALL_DIGEST_MAX] = { 0 };
	size_t len = hwall_algo_len(algo);

	if (len == 0 || hwall_hex_parse(hex, bytes, len) < 0)
		return -EINVAL;
	ret->algo = algo;
	memcpy(ret->bytes, bytes, sizeof(bytes));
	return 0;
}

void hwall_hex_format(const uint8_t *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0xf];
	}
	out[2 * len] = '\0';
}
