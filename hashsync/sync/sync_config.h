/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_config.h - hashwall-syncd's configuration file (JSON, loaded with
 * common/config.h; every key is described in docs/sync-protocol.md):
 *
 *   {
 *     "state_dir": "/var/lib/hashwall/sync",
 *     "set_dir": "/var/lib/hashwall/sets",
 *     "control_socket": "/run/hashwall/dataplane.sock",    (optional)
 *     "max_bundle_bytes": 1073741824, "max_manifest_bytes": 65536,
 *     "max_clock_skew": 86400,
 *     "listen": { "address": "127.0.0.1", "port": 8443,    (optional: push)
 *                 "cert": "cert.pem", "key": "key.pem",
 *                 "metrics_token_sha256": "<64 hex>",       (optional)
 *                 "limits": { "head_timeout": 5, "idle_timeout": 30,
 *                             "unauth_per_address": 8, "unauth_total": 64,
 *                             "hotline_uploads": 2,
 *                             "hotline_upload_bytes": <max_bundle_bytes>,
 *                             "min_upload_rate": 32768, "rate_window": 10 } },
 *     "hotlines": [ {
 *       "name": "meldpunt", "set": "nl-meldpunt",
 *       "keys": ["<64 hex>", ...], "threshold": 2,
 *       "token_sha256": "<64 hex>",                          (push)
 *       "stale_after": 86400,
 *       "pull": { "url": "https://...", "interval": 300,     (optional)
 *                 "jitter": 0.2, "cacert": "ca.pem" } } ]
 *   }
 */
#ifndef HASHWALL_HASHSYNC_SYNC_CONFIG_H
#define HASHWALL_HASHSYNC_SYNC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sync_bundle.h"

#define SYNC_MAX_HOTLINES 32

struct sync_pull_config {
	char *url;       /* directory laid out by `hashwall-publish export` */
	uint32_t interval; /* seconds between polls */
	double jitter;   /* fraction of the interval, 0..0.5 */
	char *cacert;    /* CA bundle for https, NULL = system default */
};

struct sync_hotline_config {
	char *name;
	char *set;
	char **keys; /* hex public keys */
	size_t n_keys;
	uint32_t threshold;
	char *token_sha256;
	uint32_t stale_after; /* seconds without an update or check; 0 = never */
	struct sync_pull_config pull;
	/* Derived by sync_config_load(). */
	struct sync_root root;
	uint8_t token_hash[32];
	bool has_token;
	bool has_pull;
};

/* What a client of the push endpoint may hold, and for how long
 * (syncd_guard.h; docs/sync-protocol.md, "Push"). */
struct sync_push_limits {
	uint32_t head_timeout;         /* s from accept to a complete request head */
	uint32_t idle_timeout;         /* s an upload may send nothing */
	uint32_t unauth_per_address;   /* unauthenticated connections per address */
	uint32_t unauth_total;         /* ... in all */
	uint32_t hotline_uploads;      /* uploads at once per hotline (token) */
	uint64_t hotline_upload_bytes; /* their memory together; 0: max_bundle_bytes */
	uint32_t min_upload_rate;      /* bytes/s over each rate_window; 0: none */
	uint32_t rate_window;          /* s */
};

#define SYNC_PUSH_LIMITS_DEFAULT                                                  \
	{ .head_timeout = 5, .idle_timeout = 30, .unauth_per_address = 8,         \
	  .unauth_total = 64, .hotline_uploads = 2, .min_upload_rate = 32768,     \
	  .rate_window = 10 }

struct sync_listen_config {
	char *address;
	uint16_t port;
	char *cert;
	char *key;
	char *metrics_token_sha256;    /* may read /v1/status and /metrics */
	struct sync_push_limits limits;
	/* Derived by sync_config_load(). */
	uint8_t metrics_token_hash[32];
	bool has_metrics_token;
};

struct sync_config {
	char *state_dir;
	char *set_dir;
	char *control_socket;
	uint64_t max_bundle_bytes;
	uint32_t max_manifest_bytes;
	uint32_t max_clock_skew; /* seconds a bundle's "created" may lie ahead */
	struct sync_listen_config listen;
	struct sync_hotline_config *hotlines;
	size_t n_hotlines;
	bool has_listen;
};

/*
 * Load @file into @cfg.  Returns 0, or -errno with @err naming the file,
 * the JSON path and the reason.  Free with sync_config_free() in any case.
 */
int sync_config_load(const char *file, struct sync_config *cfg, struct hwall_err *err);

/* Release what sync_config_load() allocated; accepts a zeroed @cfg. */
void sync_config_free(struct sync_config *cfg);

#endif
