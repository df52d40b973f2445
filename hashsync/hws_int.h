/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws_int.h - the in-memory form of an open set, shared by the
 * hws_*.c files only.
 */
#ifndef HASHWALL_HASHSYNC_HWS_INT_H
#define HASHWALL_HASHSYNC_HWS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hashsync/hws.h"
#include "hashsync/pdq/pdq_index.h"

/* One algorithm's table inside the mapping. */
struct hws_view {
	const uint32_t *base;  /* groups + 1 entries */
	const void *index;     /* 2^bits offsets of off_width bytes */
	const uint8_t *keys;   /* count * key_len */
	const uint32_t *refs;
	const uint8_t *cats;
	uint64_t count;
	unsigned int bits, strip, key_len, digest_len, off_width;
	unsigned int shift;  /* bucket = leading 32 bits >> shift (64-bit shift) */
	uint64_t last_mask;  /* (b + 1) & last_mask == 0: b is its group's last bucket */
	/* A perceptual algorithm's near-neighbour index over its aux section
	 * (entry i is key i); NULL for every other algorithm. */
	struct pdqi *near;
};

struct hws_set {
	const uint8_t *base;
	size_t len;
	bool mapped;
	struct hws_info info;
	struct hws_view views[HWALL_ALGO_COUNT];
};

/* First entry of bucket @b of @v (clamped to the table). */
uint64_t hws_view_bucket_start(const struct hws_view *v, uint32_t b);

/*
 * Where @digest is or would go in @v: the position of the first entry not
 * below it; *ret_found tells whether that entry is @digest.
 */
uint64_t hws_view_lower_bound(const struct hws_view *v, const uint8_t *digest, bool *ret_found);

/* Walks one algorithm's entries in sorted order, each once even in a
 * crafted file. */
struct hws_cursor {
	const struct hws_view *v;
	enum hwall_algo algo;
	uint64_t b, nb, i, hi, next;
	uint8_t prefix[4]; /* of the current bucket */
};

void hws_cursor_init(struct hws_cursor *c, const struct hws_set *set, enum hwall_algo algo);

/* The next entry into *ret; false at the end. */
bool hws_cursor_next(struct hws_cursor *c, struct hws_entry *ret);

/* memcmp() of two digests of @len bytes (16, 20 or 32), inlined: the
 * merge passes compare every record with its neighbour. */
static inline int hws_digest_cmp(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int off = 0;
	uint64_t x, y;

	for (; off + 8 <= len; off += 8) {
		memcpy(&x, a + off, 8);
		memcpy(&y, b + off, 8);
		if (x != y)
			return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
	}
	if (off < len) { /* sha1's last 4 bytes */
		uint32_t u, w;
		memcpy(&u, a + off, 4);
		memcpy(&w, b + off, 4);
		if (u != w)
			return __builtin_bswap32(u) < __builtin_bswap32(w) ? -1 : 1;
	}
	return 0;
}

/* Builder records, one table per algorithm:
 *   digest (dlen) | ref u32 | seq u32 | category u8 | op u8 */
#define HWS_OP_REMOVE 0
#define HWS_OP_ADD 1
#define HWS_REC_EXTRA 10

struct hws_op_table {
	uint8_t *recs;
	size_t n, cap;
	unsigned int dlen, stride;
	uint64_t final_n; /* entries once merged with the base (prepare) */
};

struct hws_builder {
	char id[HWS_ID_MAX + 1];
	uint64_t version;
	int64_t created, expires;
	mode_t mode; /* of the written file, exactly */
	uint32_t seq;
	/* A set whose entries come before every operation, merged with them
	 * while writing (already sorted: no copy, no sort); NULL when none.
	 * Borrowed: it must stay open until hws_builder_free(). */
	const struct hws_set *base;
	struct hws_op_table t[HWALL_ALGO_COUNT];
};

/*
 * Sort and merge every table of @b in place: afterwards each table holds,
 * sorted, one record per digest whose last operation changes the result:
 * an add, or a remove of an entry of the base (which the writer then
 * skips).  Sets each table's final_n and adds the merge figures to @st.
 * Returns 0 or -ENOMEM (the builder means the same then).
 */
int hws_builder_prepare(struct hws_builder *b, struct hws_write_stats *st);

#endif
