/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * live_config.h - the live dataplane's JSON configuration
 * (docs/dataplane.md, "Live mode").
 *
 * Loading checks everything that can be checked without starting DPDK:
 * the keys and their ranges (common/config.h names the JSON path of any
 * error), the port profiles the ports name (relative paths are taken from
 * the config file's directory), the digest names, the CPU list against the
 * worker count.  The set files are opened separately (dp_lcfg_set_paths +
 * dp_setlist_open) because SIGHUP re-reads them.
 */
#ifndef HASHWALL_DATAPLANE_LIVE_CONFIG_H
#define HASHWALL_DATAPLANE_LIVE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "dataplane/pdq/pdq_config.h"
#include "dataplane/ports/port.h"
#include "dataplane/worker.h"

#define DP_LCFG_PORTS_MAX 4
#define DP_LCFG_WORKERS_MAX 64
#define DP_LCFG_CPU_UNSET UINT32_MAX

struct dp_lcfg_port {
	char *profile; /* as written; resolved in profile_path */
	char *device;
	char *profile_path;
	char devstr[512]; /* device with the profile's devargs, for the EAL */
	struct dp_profile prof;
	bool prof_loaded;
};

struct dp_lcfg {
	char *id, *log;
	struct dp_lcfg_port *ports;
	size_t n_ports;
	uint32_t workers;
	uint32_t *cpus;
	size_t n_cpus;
	uint32_t service_cpu;
	uint32_t memory_mb; /* 0: computed from the pools */
	bool hugepages;
	uint16_t *http_ports;
	size_t n_http_ports;
	char **hash;
	size_t n_hash;
	uint32_t max_flows, idle_timeout, max_held_segments, event_ring;
	uint64_t max_object_bytes;
	char *client_key_file, *control_socket, *event_file, *ingest_socket, *allowlist_file;
	bool log_objects;
	char *mbh_impl; /* "avx512", "avx2" or "scalar"; NULL: $HASHWALL_MBH_IMPL or the CPU's best */
	char **sets;
	size_t n_sets;
	char *set_dir;
	uint32_t stats_interval; /* seconds between status snapshots to controld */
	struct dp_pdq_conf pdq;  /* the PDQ stage ("pdq") */
	char *journal_dir;       /* the served-object journal (docs/journal.md); NULL: none */
	uint32_t journal_period, journal_retention_days, journal_max_open, journal_ring;
	uint32_t journal_pdq_distance;
	char *dir;               /* the config file's directory */
};

/*
 * Read and check @file into @c.  Returns 0, or -errno with @err saying
 * why ("ports[0].profile: hw/x.json: No such file or directory",
 * "workers: unknown key", "FILE:3:7: JSON syntax error").  @c is to be
 * released with dp_lcfg_free() in both cases.
 */
int dp_lcfg_load(const char *file, struct dp_lcfg *c, struct hwall_err *err);

/* Release what dp_lcfg_load() allocated; accepts a zeroed @c. */
void dp_lcfg_free(struct dp_lcfg *c);

/* The worker settings the configuration describes. */
void dp_lcfg_worker_conf(const struct dp_lcfg *c, struct dp_worker_conf *wc);

/*
 * The set files to load: "sets" in order, then every "*.hws" file of
 * "set_dir" in name order (a file named in both comes once).  Returns the
 * count (at most DP_SETS_MAX) with *ret_paths to be freed with
 * dp_lcfg_paths_free(), or -errno with @err set.
 */
int dp_lcfg_set_paths(const struct dp_lcfg *c, char ***ret_paths, struct hwall_err *err);
void dp_lcfg_paths_free(char **paths, int n);

#endif
