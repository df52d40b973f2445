/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_config.c - syncd's configuration tables (see sync_config.h).
 */
#include "sync_config.h"
#include "common/config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define F(type, field) offsetof(type, field)

static const struct hwall_cfg_field pull_fields[] = {
	{ .key = "url", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = F(struct sync_pull_config, url) },
	{ .key = "interval", .kind = HWALL_CFG_U32, .min = 5, .max = 86400,
	  .offset = F(struct sync_pull_config, interval) },
	{ .key = "jitter", .kind = HWALL_CFG_DOUBLE, .min = 0, .max = 0.5,
	  .offset = F(struct sync_pull_config, jitter) },
	{ .key = "cacert", .kind = HWALL_CFG_STRING, .offset = F(struct sync_pull_config, cacert) },
	{ 0 },
};

static const struct hwall_cfg_field hotline_fields[] = {
	{ .key = "name", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = F(struct sync_hotline_config, name) },
	{ .key = "set", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = F(struct sync_hotline_config, set) },
	{ .key = "keys", .kind = HWALL_CFG_ARRAY, .required = true,
	  .offset = F(struct sync_hotline_config, keys), .elem_kind = HWALL_CFG_STRING,
	  .elem_size = sizeof(char *), .count_offset = F(struct sync_hotline_config, n_keys),
	  .max_elems = SYNC_MAX_SIGS },
	{ .key = "threshold", .kind = HWALL_CFG_U32, .min = 1, .max = SYNC_MAX_SIGS,
	  .offset = F(struct sync_hotline_config, threshold) },
	{ .key = "token_sha256", .kind = HWALL_CFG_STRING,
	  .offset = F(struct sync_hotline_config, token_sha256) },
	{ .key = "stale_after", .kind = HWALL_CFG_U32,
	  .offset = F(struct sync_hotline_config, stale_after) },
	{ .key = "pull", .kind = HWALL_CFG_OBJECT, .fields = pull_fields,
	  .offset = F(struct sync_hotline_config, pull) },
	{ 0 },
};

static const struct hwall_cfg_field limit_fields[] = {
	{ .key = "head_timeout", .kind = HWALL_CFG_U32, .min = 1, .max = 60,
	  .offset = F(struct sync_push_limits, head_timeout) },
	{ .key = "idle_timeout", .kind = HWALL_CFG_U32, .min = 1, .max = 3600,
	  .offset = F(struct sync_push_limits, idle_timeout) },
	{ .key = "unauth_per_address", .kind = HWALL_CFG_U32, .min = 1, .max = 1024,
	  .offset = F(struct sync_push_limits, unauth_per_address) },
	{ .key = "unauth_total", .kind = HWALL_CFG_U32, .min = 1, .max = 1024,
	  .offset = F(struct sync_push_limits, unauth_total) },
	{ .key = "hotline_uploads", .kind = HWALL_CFG_U32, .min = 1, .max = 16,
	  .offset = F(struct sync_push_limits, hotline_uploads) },
	{ .key = "hotline_upload_bytes", .kind = HWALL_CFG_U64, .min = 1024, .max = 256.0 * (1ull << 30),
	  .offset = F(struct sync_push_limits, hotline_upload_bytes) },
	{ .key = "min_upload_rate", .kind = HWALL_CFG_U32, .max = 1u << 30,
	  .offset = F(struct sync_push_limits, min_upload_rate) },
	{ .key = "rate_window", .kind = HWALL_CFG_U32, .min = 1, .max = 600,
	  .offset = F(struct sync_push_limits, rate_window) },
	{ 0 },
};

static const struct hwall_cfg_field listen_fields[] = {
	{ .key = "address", .kind = HWALL_CFG_STRING, .def_str = "127.0.0.1",
	  .offset = F(struct sync_listen_config, address) },
	{ .key = "port", .kind = HWALL_CFG_U16, .required = true, .min = 1, .max = 65535,
	  .offset = F(struct sync_listen_config, port) },
	{ .key = "cert", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = F(struct sync_listen_config, cert) },
	{ .key = "key", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = F(struct sync_listen_config, key) },
	{ .key = "metrics_token_sha256", .kind = HWALL_CFG_STRING,
	  .offset = F(struct sync_listen_config, metrics_token_sha256) },
	{ .key = "limits", .kind = HWALL_CFG_OBJECT, .fields = limit_fields,
	  .offset = F(struct sync_listen_config, limits) },
	{ 0 },
};

static const struct hwall_cfg_field fields[] = {
	{ .key = "state_dir", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = F(struct sync_config, state_dir) },
	{ .key = "set_dir", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = F(struct sync_config, set_dir) },
	{ .key = "control_socket", .kind = HWALL_CFG_STRING,
	  .offset = F(struct sync_config, control_socket) },
	{ .key = "max_bundle_bytes", .kind = HWALL_CFG_U64, .min = 1024, .max = 64.0 * (1ull << 30),
	  .offset = F(struct sync_config, max_bundle_bytes) },
	{ .key = "max_manifest_bytes", .kind = HWALL_CFG_U32, .min = 512, .max = SYNC_MANIFEST_CAP_MAX,
	  .offset = F(struct sync_config, max_manifest_bytes) },
	{ .key = "max_clock_skew", .kind = HWALL_CFG_U32, .max = 31 * 86400,
	  .offset = F(struct sync_config, max_clock_skew) },
	{ .key = "listen", .kind = HWALL_CFG_OBJECT, .fields = listen_fields,
	  .offset = F(struct sync_config, listen) },
	{ .key = "hotlines", .kind = HWALL_CFG_ARRAY, .required = true,
	  .offset = F(struct sync_config, hotlines), .elem_kind = HWALL_CFG_OBJECT,
	  .elem_size = sizeof(struct sync_hotline_config), .fields = hotline_fields,
	  .count_offset = F(struct sync_config, n_hotlines), .max_elems = SYNC_MAX_HOTLINES },
	{ 0 },
};

/* Check one hotline and derive its root and token hash. */
static int finish_hotline(struct sync_hotline_config *h, size_t idx, struct hwall_err *err)
{
	if (!h->set[0] || strlen(h->set) > SYNC_SET_ID_MAX || strchr(h->set, '/') ||
	    strchr(h->set, ' '))
		return hwall_err_set(err, -EINVAL,
				     "hotlines[%zu].set: 1..63 characters without '/' or spaces", idx);
	if (h->n_keys == 0 || h->threshold > h->n_keys)
		return hwall_err_set(err, -EINVAL, "hotlines[%zu].threshold: %u of %zu keys", idx,
				     h->threshold, h->n_keys);
	h->root.version = 1;
	h->root.threshold = h->threshold;
	h->root.n_keys = (unsigned int)h->n_keys;
	for (size_t k = 0; k < h->n_keys; k++) {
		if (hwall_hex_parse(h->keys[k], h->root.keys[k], SYNC_PUBKEY_LEN) < 0)
			return hwall_err_set(err, -EINVAL, "hotlines[%zu].keys[%zu]: expected 64 hex digits",
					     idx, k);
	}
	if (h->token_sha256) {
		if (hwall_hex_parse(h->token_sha256, h->token_hash, 32) < 0)
			return hwall_err_set(err, -EINVAL,
					     "hotlines[%zu].token_sha256: expected 64 hex digits", idx);
		h->has_token = true;
	}
	h->has_pull = h->pull.url != NULL;
	return 0;
}

/* Check the push endpoint's limits and derive the metrics token hash. */
static int finish_listen(struct sync_config *cfg, struct hwall_err *err)
{
	struct sync_listen_config *l = &cfg->listen;
	struct sync_push_limits *lim = &l->limits;

	if (lim->hotline_upload_bytes == 0)
		lim->hotline_upload_bytes = cfg->max_bundle_bytes;
	if (lim->hotline_upload_bytes < cfg->max_bundle_bytes)
		return hwall_err_set(err, -EINVAL, "listen.limits.hotline_upload_bytes: less than "
				     "max_bundle_bytes (a bundle of the largest size could never be pushed)");
	if (lim->unauth_per_address > lim->unauth_total)
		return hwall_err_set(err, -EINVAL, "listen.limits.unauth_per_address: more than unauth_total");
	if (l->metrics_token_sha256) {
		if (hwall_hex_parse(l->metrics_token_sha256, l->metrics_token_hash, 32) < 0)
			return hwall_err_set(err, -EINVAL, "listen.metrics_token_sha256: expected 64 hex digits");
		l->has_metrics_token = true;
	}
	return 0;
}

int sync_config_load(const char *file, struct sync_config *cfg, struct hwall_err *err)
{
	const struct sync_push_limits limits = SYNC_PUSH_LIMITS_DEFAULT;
	cJSON *root = NULL;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->max_bundle_bytes = SYNC_DEFAULT_BUNDLE_CAP;
	cfg->max_manifest_bytes = SYNC_DEFAULT_MANIFEST_CAP;
	cfg->max_clock_skew = SYNC_DEFAULT_CREATED_SKEW;
	cfg->listen.limits = limits;
	r = hwall_cfg_parse_file(file, &root, err);
	if (r == 0) {
		r = hwall_cfg_load(root, fields, cfg, "", err);
		cJSON_Delete(root);
	}
	if (r < 0)
		return hwall_err_prefix(err, r, "%s: ", file);
	cfg->has_listen = cfg->listen.cert != NULL;
	if (cfg->has_listen && (r = finish_listen(cfg, err)) < 0)
		return r;
	for (size_t i = 0; i < cfg->n_hotlines; i++) {
		struct sync_hotline_config *h = &cfg->hotlines[i];
		if (h->threshold == 0)
			h->threshold = 1;
		if (h->pull.interval == 0)
			h->pull.interval = 300;
		r = finish_hotline(h, i, err);
		for (size_t j = 0; r == 0 && j < i; j++) {
			if (strcmp(cfg->hotlines[j].set, h->set) == 0)
				r = hwall_err_set(err, -EINVAL,
						  "hotlines[%zu].set: \"%s\" is fed by hotlines[%zu] already",
						  i, h->set, j);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

void sync_config_free(struct sync_config *cfg)
{
	hwall_cfg_free(fields, cfg);
}
