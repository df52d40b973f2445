/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws_delta.h - the writer's fast path for a table made of a base set and
 * a few operations (internal to hws_write.c; see hws_delta.c).
 */
#ifndef HASHWALL_HASHSYNC_HWS_DELTA_H
#define HASHWALL_HASHSYNC_HWS_DELTA_H

#include <stdbool.h>
#include <stdint.h>

#include "hashsync/hws_format.h"
#include "hashsync/hws_int.h"

/* Whether table @algo of prepared builder @b can be written from its base
 * by runs: it has a base with @algo entries at the same bucket bits. */
bool hws_delta_applies(const struct hws_builder *b, enum hwall_algo algo, unsigned int bits);

/* The 2^bits + 1 bucket starts of the new table, or NULL when out of
 * memory (free() them). */
uint32_t *hws_delta_starts(const struct hws_builder *b, enum hwall_algo algo, unsigned int bits);

/* Write the keys, references and categories of the new table. */
void hws_delta_fill(const struct hws_builder *b, enum hwall_algo algo, const struct hws_disk_algo *d,
		    uint8_t *file);

#endif
