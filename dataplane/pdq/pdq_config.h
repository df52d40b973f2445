/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_config.h - the PDQ stage's settings: the "pdq" object of the live
 * configuration, or the file `replay --pdq-config` reads
 * (docs/config.md, "pdq").
 *
 * Which bodies are copied (min_bytes..max_bytes), how much a worker may
 * hold (copies, buffer_mib, queue), the decoder process (path, time and
 * memory limits), the cache, and per set the match threshold and quality
 * floor (Meta's defaults: distance <= 31, quality >= 50).
 */
#ifndef HASHWALL_DATAPLANE_PDQ_CONFIG_H
#define HASHWALL_DATAPLANE_PDQ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"

#define DP_PDQ_SETS_MAX 64

/* One set's policy; a set the list does not name takes the defaults. */
struct dp_pdq_set_policy {
	char *id;
	uint32_t max_distance; /* a hit is at most this many bits away */
	uint32_t min_quality;  /* hashes of lower quality are not matched */
};

struct dp_pdq_conf {
	bool enabled;
	uint64_t min_bytes, max_bytes; /* image bodies copied: min..max bytes */
	uint32_t copies;               /* bodies one worker copies at once */
	uint32_t buffer_mib;           /* bytes one worker holds (copying and queued) */
	uint32_t queue;                /* bodies waiting per worker (a power of two) */
	uint32_t cache_entries;        /* PDQ results kept by xxh3-128 */
	char *decoder;                 /* hashwall-pdq-decode; NULL: beside the executable */
	uint32_t timeout_ms;           /* one body's decode and hash */
	uint32_t memory_mib;           /* the decoder's address space (RLIMIT_AS) */
	uint32_t max_distance;         /* default policy */
	uint32_t min_quality;
	struct dp_pdq_set_policy *sets;
	size_t n_sets;
};

/* The config fields of struct dp_pdq_conf (for an HWALL_CFG_OBJECT). */
extern const struct hwall_cfg_field dp_pdq_conf_fields[];

/* Defaults: off; 2 KiB..20 MiB, 16 copies, 64 MiB, queue 64, 16384 cache
 * entries, 2000 ms, 512 MiB, distance 31, quality 50. */
void dp_pdq_conf_default(struct dp_pdq_conf *c);

/* Checks what the field table cannot (min <= max, queue a power of two,
 * set ids once each).  Returns 0 or -EINVAL with @err naming the key
 * under @path. */
int dp_pdq_conf_check(const struct dp_pdq_conf *c, const char *path, struct hwall_err *err);

/* Read a file holding just the "pdq" object (replay --pdq-config);
 * enabled unless it says otherwise.  Returns 0 or -errno with @err set;
 * release with dp_pdq_conf_free() in both cases. */
int dp_pdq_conf_load(const char *file, struct dp_pdq_conf *c, struct hwall_err *err);

/* Release the strings and the set list; accepts a zeroed @c. */
void dp_pdq_conf_free(struct dp_pdq_conf *c);

/* The policy for set @id. */
void dp_pdq_conf_policy(const struct dp_pdq_conf *c, const char *id, uint32_t *ret_distance,
			uint32_t *ret_min_quality);

#endif
