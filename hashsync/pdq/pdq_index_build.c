/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_index_build.c - writes a PDQ index blob (layout: pdq_index_format.h)
 * from an array of hashes.  The set writer calls it once per set; the
 * result is written into the set file as is.
 *
 * Each slice's postings are a counting sort of the entries by bucket, done
 * in place in the output buffer: the starts table counts, then serves as
 * the scatter cursors, then is shifted back into bucket starts; a pass
 * over the postings then copies each entry's partner slice beside it.  So
 * a build is 16 times three passes and needs no memory beyond the blob.
 */
#include "hashsync/pdq/pdq_index.h"
#include "hashsync/pdq/pdq_index_format.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Fewer entries than this are not worth slice tables: a scan of 128
 * hashes (4 KiB) costs less than probing 16 slices. */
#define PDQI_MIN_INDEXED 128u

/* Bucket bits for @n entries: the largest with 2^bits <= n / 2 (2 to 4
 * entries a bucket), up to 16.  Fewer bits than 16 keep the tables of a
 * small set small (at most 32 bytes an entry); see docs/pdq-index.md. */
static unsigned int pdqi_auto_bits(uint64_t n)
{
	unsigned int bits = 1;

	if (n < PDQI_MIN_INDEXED)
		return 0;
	while (bits < PDQI_MAX_BUCKET_BITS && (4ull << bits) <= n)
		bits++;
	return bits;
}

/* Bucket bits and layout for @n entries with @opts. */
static int pdqi_plan(size_t n, const struct pdqi_build_opts *opts, unsigned int *bits,
		     struct pdqi_layout *l)
{
	unsigned int want = opts ? opts->bucket_bits : PDQI_BITS_AUTO;

	if ((uint64_t)n > PDQI_MAX_ENTRIES)
		return -EINVAL;
	if (want == PDQI_BITS_AUTO)
		*bits = pdqi_auto_bits(n);
	else if (want == PDQI_BITS_NONE)
		*bits = 0;
	else if (want <= PDQI_MAX_BUCKET_BITS)
		*bits = want;
	else
		return -EINVAL;
	pdqi_layout_of(n, *bits, l);
	return l->size > SIZE_MAX ? -EINVAL : 0;
}

int pdqi_build_size(size_t n, const struct pdqi_build_opts *opts, size_t *ret_len)
{
	struct pdqi_layout l;
	unsigned int bits;
	int r = pdqi_plan(n, opts, &bits, &l);

	if (r < 0)
		return r;
	*ret_len = (size_t)l.size;
	return 0;
}

/* Postings of slice @s: entries grouped by bucket, ascending in each, with
 * their partner slices alongside. */
static void pdqi_build_slice(const uint8_t (*hashes)[PDQI_HASH_LEN], size_t n, unsigned int s,
			     unsigned int bits, uint32_t *starts, uint32_t *postings,
			     uint16_t *partners)
{
	uint32_t nb = 1u << bits;
	unsigned int shift = PDQI_SLICE_BITS - bits;

	/* starts is zeroed: count bucket b into starts[b + 1]... */
	for (size_t i = 0; i < n; i++)
		starts[(pdqi_slice(hashes[i], s) >> shift) + 1]++;
	/* ...so that the prefix sums are the bucket starts... */
	for (uint32_t b = 1; b <= nb; b++)
		starts[b] += starts[b - 1];
	/* ...which serve as cursors, leaving starts[b] at bucket b's end... */
	for (size_t i = 0; i < n; i++)
		postings[starts[pdqi_slice(hashes[i], s) >> shift]++] = (uint32_t)i;
	/* ...which is bucket b + 1's start. */
	memmove(starts + 1, starts, (size_t)nb * sizeof(*starts));
	starts[0] = 0;
	for (size_t k = 0; k < n; k++)
		partners[k] = (uint16_t)pdqi_slice(hashes[postings[k]], s ^ 1);
}

int pdqi_build_into(const uint8_t (*hashes)[PDQI_HASH_LEN], size_t n,
		    const struct pdqi_build_opts *opts, void *buf, size_t len)
{
	struct pdqi_disk_header *h = buf;
	uint8_t *base = buf;
	struct pdqi_layout p;
	unsigned int bits;
	int r = pdqi_plan(n, opts, &bits, &p);

	if (r < 0)
		return r;
	if (!buf || (uintptr_t)buf % PDQI_ALIGN || len != p.size || (n && !hashes))
		return -EINVAL;
	memset(buf, 0, len);
	memcpy(h->magic, PDQI_MAGIC, PDQI_MAGIC_LEN);
	h->layout_version = PDQI_LAYOUT_VERSION;
	h->header_size = PDQI_HEADER_SIZE;
	h->blob_size = p.size;
	h->count = (uint32_t)n;
	h->slices = bits ? PDQI_SLICES : 0;
	h->slice_bits = PDQI_SLICE_BITS;
	h->bucket_bits = (uint8_t)bits;
	h->hashes_off = p.hashes_off;
	h->starts_off = p.starts_off;
	h->postings_off = p.postings_off;
	h->partners_off = p.partners_off;
	if (n)
		memcpy(base + p.hashes_off, hashes, n * PDQI_HASH_LEN);
	for (unsigned int s = 0; bits && s < PDQI_SLICES; s++)
		pdqi_build_slice(hashes, n, s, bits,
				 (uint32_t *)(base + p.starts_off + s * pdqi_starts_stride(bits)),
				 (uint32_t *)(base + p.postings_off + s * pdqi_postings_stride(n)),
				 (uint16_t *)(base + p.partners_off + s * pdqi_partners_stride(n)));
	return 0;
}

int pdqi_build(const uint8_t (*hashes)[PDQI_HASH_LEN], size_t n,
	       const struct pdqi_build_opts *opts, void **ret_blob, size_t *ret_len)
{
	size_t len;
	void *blob;
	int r = pdqi_build_size(n, opts, &len);

	if (r < 0)
		return r;
	blob = aligned_alloc(PDQI_ALIGN, len);
	if (!blob)
		return -ENOMEM;
	r = pdqi_build_into(hashes, n, opts, blob, len);
	if (r < 0) {
		free(blob);
		return r;
	}
	*ret_blob = blob;
	*ret_len = len;
	return 0;
}
