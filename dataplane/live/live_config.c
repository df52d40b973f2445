/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * live_config.c - loading and checking the live configuration (see
 * live_config.h).
 */
#include "dataplane/live/live_config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/algo.h"
#include "common/errors.h"
#include "common/log.h"
#include "dataplane/mbhash/mbh.h"
#include "dataplane/verdict.h"

#define F(k, kd, field, ...) { .key = k, .kind = kd, .offset = offsetof(S, field), __VA_ARGS__ }

#define S struct dp_lcfg_port
static const struct hwall_cfg_field port_fields[] = {
	F("profile", HWALL_CFG_STRING, profile, .required = true),
	F("device", HWALL_CFG_STRING, device, .required = true),
	{ 0 },
};
#undef S
#define S struct dp_lcfg
#define ARR(k, field, kind, size, cnt, maxn, ...)                                              \
	F(k, HWALL_CFG_ARRAY, field, .elem_kind = kind, .elem_size = size,                        \
	  .count_offset = offsetof(S, cnt), .max_elems = maxn, __VA_ARGS__)
static const struct hwall_cfg_field fields[] = {
	F("id", HWALL_CFG_STRING, id, .def_str = "dataplane"),
	F("log", HWALL_CFG_STRING, log, .def_str = "info"),
	ARR("ports", ports, HWALL_CFG_OBJECT, sizeof(struct dp_lcfg_port), n_ports,
	    DP_LCFG_PORTS_MAX, .required = true, .fields = port_fields),
	F("workers", HWALL_CFG_U32, workers, .min = 1, .max = DP_LCFG_WORKERS_MAX),
	ARR("cpus", cpus, HWALL_CFG_U32, sizeof(uint32_t), n_cpus, DP_LCFG_WORKERS_MAX,
	    .min = 0, .max = 4095),
	F("service_cpu", HWALL_CFG_U32, service_cpu, .min = 0, .max = 4095),
	F("memory_mb", HWALL_CFG_U32, memory_mb, .min = 64, .max = 1u << 20),
	F("hugepages", HWALL_CFG_BOOL, hugepages),
	ARR("http_ports", http_ports, HWALL_CFG_U16, sizeof(uint16_t), n_http_ports, 64,
	    .min = 1, .max = 65535),
	ARR("hash", hash, HWALL_CFG_STRING, sizeof(char *), n_hash, HWALL_ALGO_COUNT),
	F("max_flows", HWALL_CFG_U32, max_flows, .min = 1024, .max = 1u << 26),
	F("idle_timeout", HWALL_CFG_U32, idle_timeout, .min = 1, .max = 86400),
	F("max_held_segments", HWALL_CFG_U32, max_held_segments, .min = 64, .max = 1u << 20),
	F("max_object_bytes", HWALL_CFG_U64, max_object_bytes, .min = 1, .max = 1ull << 50),
	F("event_ring", HWALL_CFG_U32, event_ring, .min = 64, .max = 1u << 16),
	F("client_key_file", HWALL_CFG_STRING, client_key_file),
	F("control_socket", HWALL_CFG_STRING, control_socket),
	F("event_file", HWALL_CFG_STRING, event_file),
	F("log_objects", HWALL_CFG_BOOL, log_objects),
	F("mbh_impl", HWALL_CFG_STRING, mbh_impl),
	F("ingest_socket", HWALL_CFG_STRING, ingest_socket),
	F("allowlist_file", HWALL_CFG_STRING, allowlist_file),
	ARR("sets", sets, HWALL_CFG_STRING, sizeof(char *), n_sets, DP_SETS_MAX),
	F("set_dir", HWALL_CFG_STRING, set_dir),
	F("stats_interval", HWALL_CFG_U32, stats_interval, .min = 1, .max = 3600),
	F("pdq", HWALL_CFG_OBJECT, pdq, .fields = dp_pdq_conf_fields),
	F("journal_dir", HWALL_CFG_STRING, journal_dir),
	F("journal_period", HWALL_CFG_U32, journal_period, .min = 60, .max = 30 * 86400),
	F("journal_retention_days", HWALL_CFG_U32, journal_retention_days, .min = 0, .max = 3650),
	F("journal_max_open", HWALL_CFG_U32, journal_max_open, .min = 1024, .max = 1u << 30),
	F("journal_ring", HWALL_CFG_U32, journal_ring, .min = 64, .max = 1u << 16),
	F("journal_pdq_distance", HWALL_CFG_U32, journal_pdq_distance, .min = 0, .max = 256),
	{ 0 },
};
#undef ARR
#undef S
#undef F

static void defaults(struct dp_lcfg *c)
{
	memset(c, 0, sizeof(*c));
	c->workers = 1;
	c->service_cpu = DP_LCFG_CPU_UNSET;
	c->max_flows = 65536;
	c->idle_timeout = 120;
	c->max_held_segments = 16384;
	c->max_object_bytes = 1ull << 40;
	c->event_ring = 1024;
	c->stats_interval = 10;
	dp_pdq_conf_default(&c->pdq);
	c->journal_period = 86400;
	c->journal_retention_days = 7;
	c->journal_max_open = 1u << 24;
	c->journal_ring = 4096;
	c->journal_pdq_distance = 31;
}

/* @path as given when absolute, else relative to the config's directory;
 * NULL when out of memory. */
static char *resolve(const struct dp_lcfg *c, const char *path)
{
	char *out = NULL;

	if (path[0] == '/')
		return strdup(path);
	if (asprintf(&out, "%s/%s", c->dir, path) < 0)
		return NULL;
	return out;
}

static int check_ports(struct dp_lcfg *c, struct hwall_err *err)
{
	char sub[64];

	if (c->n_ports == 0)
		return hwall_cfg_fail(err, "ports", "at least one port is needed");
	for (size_t i = 0; i < c->n_ports; i++) {
		struct dp_lcfg_port *p = &c->ports[i];
		int r;

		snprintf(sub, sizeof(sub), "ports[%zu].profile", i);
		p->profile_path = resolve(c, p->profile);
		if (!p->profile_path)
			return hwall_cfg_fail(err, sub, "out of memory");
		r = dp_profile_load(p->profile_path, &p->prof, err);
		p->prof_loaded = r == 0;
		if (r < 0)
			return hwall_err_prefix(err, -EINVAL, "%s: ", sub);
		if (c->workers > p->prof.max_queues)
			return hwall_cfg_fail(err, sub, "profile '%s' gives at most %u queues, "
					   "workers is %u", p->prof.name, p->prof.max_queues,
					   c->workers);
		snprintf(sub, sizeof(sub), "ports[%zu].device", i);
		r = dp_port_devstr(&p->prof, p->device, c->workers, p->devstr, sizeof(p->devstr),
				   err);
		if (r < 0)
			return hwall_err_prefix(err, -EINVAL, "%s: ", sub);
	}
	return 0;
}

static int check(struct dp_lcfg *c, struct hwall_err *err)
{
	char sub[32];

	if (!c->id[0] || strlen(c->id) > 63 || strspn(c->id, "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(c->id))
		return hwall_cfg_fail(err, "id", "'%s': 1-63 letters, digits, '-', '_' or '.'", c->id);
	if (hwall_log_configure(c->log) < 0)
		return hwall_cfg_fail(err, "log", "bad level spec '%s'", c->log);
	if (c->event_ring & (c->event_ring - 1))
		return hwall_cfg_fail(err, "event_ring", "%u is not a power of two", c->event_ring);
	if (c->journal_ring & (c->journal_ring - 1))
		return hwall_cfg_fail(err, "journal_ring", "%u is not a power of two", c->journal_ring);
	if (c->n_cpus && c->n_cpus != c->workers)
		return hwall_cfg_fail(err, "cpus", "%zu CPUs listed for %u workers", c->n_cpus,
				   c->workers);
	for (size_t i = 0; i < c->n_hash; i++) {
		snprintf(sub, sizeof(sub), "hash[%zu]", i);
		int a = hwall_algo_parse(c->hash[i]);

		if (a < 0)
			return hwall_cfg_fail(err, sub, "unknown algorithm '%s' (known: %s)", c->hash[i],
					      hwall_algo_names());
		if (!hwall_algo_streamed((enum hwall_algo)a))
			return hwall_cfg_fail(err, sub, "'%s' is perceptual: the PDQ stage computes it "
					      "from decoded images, not the digest stage; a set with "
					      "%s entries is enough to match it", c->hash[i], c->hash[i]);
	}
	if (c->mbh_impl && (mbh_impl_parse(c->mbh_impl) < 0 ||
			    mbh_impl_parse(c->mbh_impl) == MBH_IMPL_AUTO))
		return hwall_cfg_fail(err, "mbh_impl", "'%s' is not avx512, avx2 or scalar",
				      c->mbh_impl);
	if (dp_pdq_conf_check(&c->pdq, "pdq", err) < 0)
		return -EINVAL;
	if (c->journal_dir && c->journal_dir[0] != '/') {
		char *abs = resolve(c, c->journal_dir);

		if (!abs)
			return hwall_cfg_fail(err, "journal_dir", "out of memory");
		free(c->journal_dir);
		c->journal_dir = abs;
	}
	return check_ports(c, err);
}

int dp_lcfg_load(const char *file, struct dp_lcfg *c, struct hwall_err *err)
{
	cJSON *root = NULL;
	const char *slash;
	int r;

	defaults(c);
	r = hwall_cfg_parse_file(file, &root, err);
	if (r < 0)
		return r;
	slash = strrchr(file, '/');
	c->dir = slash ? strndup(file, (size_t)(slash - file) + (slash == file)) : strdup(".");
	r = c->dir ? hwall_cfg_load(root, fields, c, "", err) : hwall_cfg_fail(err, "", "out of memory");
	cJSON_Delete(root);
	if (r == 0 && c->n_http_ports == 0) {
		c->http_ports = malloc(2 * sizeof(*c->http_ports));
		if (!c->http_ports)
			return hwall_cfg_fail(err, "http_ports", "out of memory");
		c->http_ports[0] = 80;
		c->http_ports[1] = 8080;
		c->n_http_ports = 2;
	}
	return r < 0 ? r : check(c, err);
}

void dp_lcfg_free(struct dp_lcfg *c)
{
	for (size_t i = 0; c->ports && i < c->n_ports; i++) {
		free(c->ports[i].profile_path);
		if (c->ports[i].prof_loaded)
			dp_profile_free(&c->ports[i].prof);
	}
	dp_pdq_conf_free(&c->pdq); /* its set entries first (pdq_config.h) */
	hwall_cfg_free(fields, c);
	free(c->dir);
	memset(c, 0, sizeof(*c));
}

void dp_lcfg_worker_conf(const struct dp_lcfg *c, struct dp_worker_conf *wc)
{
	dp_worker_conf_default(wc);
	dp_ports_clear(&wc->ports);
	for (size_t i = 0; i < c->n_http_ports; i++)
		dp_ports_add(&wc->ports, c->http_ports[i]);
	for (size_t i = 0; i < c->n_hash; i++)
		wc->hash_mask |= 1u << hwall_algo_parse(c->hash[i]);
	wc->max_flows = c->max_flows;
	wc->idle_ns = (uint64_t)c->idle_timeout * 1000000000ull;
	wc->max_held = c->max_held_segments;
	wc->http.max_object_bytes = c->max_object_bytes;
	wc->log_objects = c->log_objects;
	if (c->mbh_impl)
		wc->mbh_impl = (enum mbh_impl)mbh_impl_parse(c->mbh_impl);
}

static int add_path(char **paths, int *n, char *p, struct hwall_err *err, const char *key)
{
	if (!p)
		return hwall_cfg_fail(err, key, "out of memory");
	for (int i = 0; i < *n; i++) {
		if (strcmp(paths[i], p) == 0) {
			free(p);
			return 0;
		}
	}
	if (*n == DP_SETS_MAX) {
		free(p);
		return hwall_cfg_fail(err, key, "more than %d sets", DP_SETS_MAX);
	}
	paths[(*n)++] = p;
	return 0;
}

static int hws_name(const struct dirent *e)
{
	size_t len = strlen(e->d_name);

	return e->d_name[0] != '.' && len > 4 && strcmp(e->d_name + len - 4, ".hws") == 0;
}

static int add_dir(const struct dp_lcfg *c, char **paths, int *n, struct hwall_err *err)
{
	struct dirent **names = NULL;
	char *dir = resolve(c, c->set_dir), *p;
	int k, r = 0;

	if (!dir)
		return hwall_cfg_fail(err, "set_dir", "out of memory");
	k = scandir(dir, &names, hws_name, alphasort);
	if (k < 0)
		r = hwall_cfg_fail(err, "set_dir", "%s: %s", dir, hwall_strerror(hwall_neg_errno()));
	for (int i = 0; i < k; i++) {
		if (r == 0) {
			p = NULL;
			r = asprintf(&p, "%s/%s", dir, names[i]->d_name) < 0 ? -ENOMEM : 0;
			r = add_path(paths, n, r < 0 ? NULL : p, err, "set_dir");
		}
		free(names[i]);
	}
	free(names);
	free(dir);
	return r;
}

int dp_lcfg_set_paths(const struct dp_lcfg *c, char ***ret_paths, struct hwall_err *err)
{
	char **paths = calloc(DP_SETS_MAX, sizeof(*paths));
	char key[32];
	int n = 0, r = paths ? 0 : hwall_cfg_fail(err, "sets", "out of memory");

	for (size_t i = 0; r == 0 && i < c->n_sets; i++) {
		snprintf(key, sizeof(key), "sets[%zu]", i);
		r = add_path(paths, &n, resolve(c, c->sets[i]), err, key);
	}
	if (r == 0 && c->set_dir)
		r = add_dir(c, paths, &n, err);
	if (r < 0) {
		dp_lcfg_paths_free(paths, n);
		return r;
	}
	*ret_paths = paths;
	return n;
}

void dp_lcfg_paths_free(char **paths, int n)
{
	for (int i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}
