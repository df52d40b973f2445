/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_util.c - the small pieces around the hash: hex form, Hamming
 * distance, names, format sniffing (no decoder needed: the dataplane's
 * fast path links this file alone), and the page allocator for pixel
 * buffers (kept out of core dumps, zeroed when freed).
 */
#include "pdq_int.h"
#include "common/algo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const char *const dihedral_names[PDQ_DIHEDRAL_COUNT] = {
	[PDQ_ORIGINAL] = "original",
	[PDQ_ROTATE_90] = "rotate-90",
	[PDQ_ROTATE_180] = "rotate-180",
	[PDQ_ROTATE_270] = "rotate-270",
	[PDQ_FLIP_X] = "flip-x",
	[PDQ_FLIP_Y] = "flip-y",
	[PDQ_FLIP_PLUS_1] = "flip-plus-1",
	[PDQ_FLIP_MINUS_1] = "flip-minus-1",
};

static const char *const format_names[PDQ_FORMAT_COUNT] = {
	[PDQ_FORMAT_UNKNOWN] = "unknown",
	[PDQ_FORMAT_JPEG] = "jpeg",
	[PDQ_FORMAT_PNG] = "png",
	[PDQ_FORMAT_WEBP] = "webp",
	[PDQ_FORMAT_GIF] = "gif",
};

const char *pdq_format_name(enum pdq_format format)
{
	return (unsigned int)format < PDQ_FORMAT_COUNT ? format_names[format] : "unknown";
}

/* Magic bytes: JPEG SOI + marker, the PNG signature, RIFF....WEBP, GIF87a
 * and GIF89a. */
enum pdq_format pdq_sniff(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!p)
		return PDQ_FORMAT_UNKNOWN;
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return PDQ_FORMAT_JPEG;
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return PDQ_FORMAT_PNG;
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return PDQ_FORMAT_WEBP;
	if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return PDQ_FORMAT_GIF;
	return PDQ_FORMAT_UNKNOWN;
}

const char *pdq_dihedral_name(enum pdq_dihedral d)
{
	return (unsigned int)d < PDQ_DIHEDRAL_COUNT ? dihedral_names[d] : "unknown";
}

int pdq_distance(const struct pdq_hash *a, const struct pdq_hash *b)
{
	int n = 0;

	for (size_t i = 0; i < PDQ_HASH_BYTES; i += 8) {
		uint64_t x, y;
		memcpy(&x, a->b + i, 8);
		memcpy(&y, b->b + i, 8);
		n += __builtin_popcountll(x ^ y);
	}
	return n;
}

bool pdq_hash_bit(const struct pdq_hash *h, unsigned int k)
{
	k &= PDQ_HASH_BITS - 1;
	return h->b[(15 - k / 16) * 2 + (k % 16 < 8)] >> (k % 8) & 1;
}

void pdq_hash_format(const struct pdq_hash *h, char out[PDQ_HEX_LEN + 1])
{
	hwall_hex_format(h->b, PDQ_HASH_BYTES, out);
}

int pdq_hash_parse(const char *hex, size_t len, struct pdq_hash *ret_hash)
{
	char buf[PDQ_HEX_LEN + 1];

	/* hwall_hex_parse() wants exactly the digits, NUL-terminated */
	if (!hex || len != PDQ_HEX_LEN)
		return -EINVAL;
	memcpy(buf, hex, PDQ_HEX_LEN);
	buf[PDQ_HEX_LEN] = '\0';
	return hwall_hex_parse(buf, ret_hash->b, PDQ_HASH_BYTES);
}

void *pdq_buf_alloc(size_t len)
{
	void *p;

	if (len == 0) {
		errno = EINVAL;
		return NULL;
	}
	/* Populated at once: every page is written anyway, and one call
	 * costs far less than a fault per page (much less again in a VM). */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		 -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Pixels of served objects must never reach a core file. */
	if (madvise(p, len, MADV_DONTDUMP) < 0) {
		int e = errno;
		munmap(p, len);
		errno = e;
		return NULL;
	}
	return p;
}

void pdq_buf_free(void *buf, size_t len)
{
	if (!buf)
		return;
	explicit_bzero(buf, len);
	munmap(buf, len);
}

/*
 * A malloc family that zeroes on free, for decoders that take allocator
 * hooks (libspng, and zlib through it): their row and window buffers hold
 * pixels.  Each block is prefixed by its size.
 */
#define ZHDR 16 /* keeps malloc's alignment for the caller */

void *pdq_zmalloc(size_t size)
{
	uint8_t *p;

	if (size > SIZE_MAX - ZHDR)
		return NULL;
	p = malloc(size + ZHDR);
	if (!p)
		return NULL;
	memcpy(p, &size, sizeof(size));
	return p + ZHDR;
}

void pdq_zfree(void *ptr)
{
	uint8_t *p = ptr;
	size_t size;

	if (!p)
		return;
	p -= ZHDR;
	memcpy(&size, p, sizeof(size));
	explicit_bzero(p, size + ZHDR);
	free(p);
}

void *pdq_zcalloc(size_t count, size_t size)
{
	void *p;

	if (size && count > SIZE_MAX / size)
		return NULL;
	p = pdq_zmalloc(count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

void *pdq_zrealloc(void *ptr, size_t size)
{
	uint8_t *old = ptr, *p;
	size_t old_size;

	if (!old)
		return pdq_zmalloc(size);
	memcpy(&old_size, old - ZHDR, sizeof(old_size));
	p = pdq_zmalloc(size);
	if (!p)
		return NULL;
	memcpy(p, old, old_size < size ? old_size : size);
	pdq_zfree(old);
	return p;
}
