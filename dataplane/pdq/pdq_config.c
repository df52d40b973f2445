/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_config.c - the PDQ stage's settings (see pdq_config.h).
 */
#include "dataplane/pdq/pdq_config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/errors.h"
#include "dataplane/pdq/pdq_dec.h"
#include "hashsync/pdq/pdq.h"

#define F(k, kd, field, ...) { .key = k, .kind = kd, .offset = offsetof(S, field), __VA_ARGS__ }

#define S struct dp_pdq_set_policy
static const struct hwall_cfg_field set_fields[] = {
	F("id", HWALL_CFG_STRING, id, .required = true),
	F("max_distance", HWALL_CFG_U32, max_distance, .min = 0, .max = 256),
	F("min_quality", HWALL_CFG_U32, min_quality, .min = 0, .max = 101),
	{ 0 },
};
#undef S

/* Set entries take the section's defaults for what they leave out: an
 * element starts as UNSET, then its keys are loaded. */
#define UNSET UINT32_MAX

static int load_set(const cJSON *node, void *field, const char *path, struct hwall_err *err)
{
	struct dp_pdq_set_policy *p = field;

	p->max_distance = UNSET;
	p->min_quality = UNSET;
	return hwall_cfg_load(node, set_fields, p, path, err);
}

#define S struct dp_pdq_conf
const struct hwall_cfg_field dp_pdq_conf_fields[] = {
	F("enabled", HWALL_CFG_BOOL, enabled),
	F("min_bytes", HWALL_CFG_U64, min_bytes, .min = 16, .max = 1u << 30),
	F("max_bytes", HWALL_CFG_U64, max_bytes, .min = 16, .max = 1u << 30),
	F("copies", HWALL_CFG_U32, copies, .min = 1, .max = 4096),
	F("buffer_mib", HWALL_CFG_U32, buffer_mib, .min = 1, .max = 1u << 16),
	F("queue", HWALL_CFG_U32, queue, .min = 2, .max = 1u << 14),
	F("cache_entries", HWALL_CFG_U32, cache_entries, .min = 0, .max = 1u << 24),
	F("decoder", HWALL_CFG_STRING, decoder),
	F("timeout_ms", HWALL_CFG_U32, timeout_ms, .min = 10, .max = 600000),
	F("memory_mib", HWALL_CFG_U32, memory_mib, .min = 64, .max = 1u << 16),
	F("max_distance", HWALL_CFG_U32, max_distance, .min = 0, .max = 256),
	F("min_quality", HWALL_CFG_U32, min_quality, .min = 0, .max = 101),
	{ .key = "sets", .kind = HWALL_CFG_ARRAY, .offset = offsetof(S, sets),
	  .elem_kind = HWALL_CFG_CUSTOM, .elem_size = sizeof(struct dp_pdq_set_policy),
	  .count_offset = offsetof(S, n_sets), .max_elems = DP_PDQ_SETS_MAX, .custom = load_set },
	{ 0 },
};
#undef S
#undef F

void dp_pdq_conf_default(struct dp_pdq_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->min_bytes = 2048;
	c->max_bytes = 20u << 20;
	c->copies = 16;
	c->buffer_mib = 64;
	c->queue = 64;
	c->cache_entries = 16384;
	c->timeout_ms = 2000;
	c->memory_mib = 512;
	c->max_distance = PDQ_MATCH_DISTANCE;
	c->min_quality = PDQ_QUALITY_FLOOR + 1;
}

/* An enabled stage needs its decoder: said now, not at the first image. */
static bool decoder_missing(const struct dp_pdq_conf *c, const char *path, struct hwall_err *err)
{
	char exe[PATH_MAX], key[96];

	if (c->decoder)
		snprintf(exe, sizeof(exe), "%s", c->decoder);
	else if (dp_pdq_dec_default_path(exe, sizeof(exe)) < 0)
		exe[0] = '\0';
	if (exe[0] && access(exe, X_OK) == 0)
		return false;
	snprintf(key, sizeof(key), "%s%sdecoder", path, path[0] ? "." : "");
	hwall_cfg_fail(err, key, "%s: %s", exe[0] ? exe : DP_PDQ_DECODER_NAME,
		       exe[0] ? hwall_strerror(hwall_neg_errno()) : "not found beside the executable");
	return true;
}

int dp_pdq_conf_check(const struct dp_pdq_conf *c, const char *path, struct hwall_err *err)
{
	char key[96];

	if (c->min_bytes > c->max_bytes) {
		snprintf(key, sizeof(key), "%s%smin_bytes", path, path[0] ? "." : "");
		return hwall_cfg_fail(err, key, "%llu is over max_bytes %llu",
				      (unsigned long long)c->min_bytes,
				      (unsigned long long)c->max_bytes);
	}
	if (c->queue & (c->queue - 1)) {
		snprintf(key, sizeof(key), "%s%squeue", path, path[0] ? "." : "");
		return hwall_cfg_fail(err, key, "%u is not a power of two", c->queue);
	}
	if (c->enabled && decoder_missing(c, path, err))
		return -EINVAL;
	for (size_t i = 0; i < c->n_sets; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(c->sets[i].id, c->sets[j].id) != 0)
				continue;
			snprintf(key, sizeof(key), "%s%ssets[%zu].id", path, path[0] ? "." : "", i);
			return hwall_cfg_fail(err, key, "set '%s' is listed twice", c->sets[i].id);
		}
	}
	return 0;
}

int dp_pdq_conf_load(const char *file, struct dp_pdq_conf *c, struct hwall_err *err)
{
	cJSON *root = NULL;
	int r;

	dp_pdq_conf_default(c);
	c->enabled = true;
	r = hwall_cfg_parse_file(file, &root, err);
	if (r < 0)
		return r;
	r = hwall_cfg_load(root, dp_pdq_conf_fields, c, "", err);
	cJSON_Delete(root);
	return r < 0 ? r : dp_pdq_conf_check(c, "", err);
}

void dp_pdq_conf_free(struct dp_pdq_conf *c)
{
	/* The set entries are CUSTOM elements: their strings are ours. */
	for (size_t i = 0; c->sets && i < c->n_sets; i++)
		hwall_cfg_free(set_fields, &c->sets[i]);
	hwall_cfg_free(dp_pdq_conf_fields, c);
	c->sets = NULL;
	c->n_sets = 0;
	c->decoder = NULL;
}

void dp_pdq_conf_policy(const struct dp_pdq_conf *c, const char *id, uint32_t *ret_distance,
			uint32_t *ret_min_quality)
{
	*ret_distance = c->max_distance;
	*ret_min_quality = c->min_quality;
	for (size_t i = 0; i < c->n_sets; i++) {
		if (strcmp(c->sets[i].id, id) != 0)
			continue;
		if (c->sets[i].max_distance != UNSET)
			*ret_distance = c->sets[i].max_distance;
		if (c->sets[i].min_quality != UNSET)
			*ret_min_quality = c->sets[i].min_quality;
	}
}
