/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws_internal.h - the in-memory form of an open set, shared by the
 * hws_*.c files only.
 */
#ifndef HASHWALL_HASHSYNC_HWS_INTERNAL_H
#define HASHWALL_HASHSYNC_HWS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "hashsync/hws.h"

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
};

struct hws_set {
	const uint8_t *base;
	size_t len;
	bool mapped;
	struct hws_info info;
	struct hws_view views[HW_ALGO_COUNT];
};

/* Set @err (when not NULL) from @fmt and return @r. */
int hws_fail(struct hws_error *err, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Builder records, one table per algorithm:
 *   digest (dlen) | ref u32 | seq u32 | category u8 | op u8 */
#define HWS_OP_REMOVE 0
#define HWS_OP_ADD 1
#define HWS_REC_EXTRA 10

struct hws_op_table {
	uint8_t *recs;
	size_t n, cap;
	unsigned int dlen, stride;
};

struct hws_builder {
	char id[HWS_ID_MAX + 1];
	uint64_t version;
	int64_t created, expires;
	uint32_t seq;
	struct hws_op_table t[HW_ALGO_COUNT];
};

/*
 * Sort and merge every table of @b in place: afterwards each table holds one
 * add record per digest, sorted.  Adds the merge figures to @st.  Returns 0
 * or -ENOMEM (the builder is unchanged then).
 */
int hws_builder_prepare(struct hws_builder *b, struct hws_write_stats *st);

#endif
