/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * live_telemetry.c - DPDK telemetry commands of the live dataplane, so that
 * operators' DPDK tooling (dpdk-telemetry.py, collectd, Prometheus
 * exporters) reads them:
 *
 *   /hashwall/stats  every counter summed over the workers, per-worker
 *                    packets, event and ingest counters, the md5/sha1
 *                    implementation ("mbh_impl": avx512, avx2 or scalar)
 *   /hashwall/sets   the published sets: "set0".."setN" -> id, version,
 *                    entries, expires (DPDK 22.11 takes only letters,
 *                    digits, '_' and '/' in dict keys: set ids are values)
 *   /hashwall/flows  flow table use per worker (counts only: never an
 *                    address, a URL or a digest)
 *
 * The callbacks run on DPDK's telemetry thread and only read: counters
 * with relaxed loads, the set list under dp_setpub's writer lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include <rte_telemetry.h>

#include "dataplane/live/live_run.h"

static struct dp_run *tel_run; /* callbacks take no context pointer */

static inline uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* An array of one u64 per worker, from @get. */
static struct rte_tel_data *per_worker(uint64_t (*get)(const struct dp_lw *))
{
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (!a)
		return NULL;
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (unsigned int k = 0; k < tel_run->n_lws; k++)
		rte_tel_data_add_array_u64(a, get(&tel_run->lws[k]));
	return a;
}

static uint64_t lw_packets(const struct dp_lw *lw) { return rd(&lw->w.ctr.packets); }
static uint64_t lw_ev_dropped(const struct dp_lw *lw) { return rd(&lw->ring.dropped); }
static uint64_t lw_steered(const struct dp_lw *lw) { return rd(&lw->steered); }
static uint64_t lw_steer_dropped(const struct dp_lw *lw) { return rd(&lw->steer_dropped); }
static uint64_t lw_flows(const struct dp_lw *lw)
{
	return __atomic_load_n(&lw->w.flows.count, __ATOMIC_RELAXED);
}
static uint64_t lw_flows_max(const struct dp_lw *lw) { return lw->run->wconf.max_flows; }

static uint64_t sum_of(uint64_t (*get)(const struct dp_lw *))
{
	uint64_t sum = 0;

	for (unsigned int k = 0; k < tel_run->n_lws; k++)
		sum += get(&tel_run->lws[k]);
	return sum;
}

static void add_array(struct rte_tel_data *d, const char *name,
		      uint64_t (*get)(const struct dp_lw *))
{
	struct rte_tel_data *a = per_worker(get);

	if (a && rte_tel_data_add_dict_container(d, name, a, 0) != 0)
		rte_tel_data_free(a);
}

/* The md5/sha1 implementation the workers run: resolved as each worker's
 * mbh_ctx_new() does, from the configuration and the environment, so that
 * no worker's context is read from this thread. */
static const char *run_mbh_impl(const struct dp_run *run)
{
	enum mbh_impl impl;

	return mbh_impl_resolve(run->wconf.mbh_impl, &impl) == 0 ? mbh_impl_name(impl) : "?";
}

static int cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dp_service *s;
	struct dp_counters c;

	(void)cmd;
	(void)params;
	if (!__atomic_load_n(&tel_run, __ATOMIC_ACQUIRE))
		return -1;
	s = &tel_run->svc;
	dp_run_counters(tel_run, &c);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "workers", tel_run->n_lws);
	rte_tel_data_add_dict_string(d, "mbh_impl", run_mbh_impl(tel_run));
	rte_tel_data_add_dict_u64(d, "packets", c.packets);
	rte_tel_data_add_dict_u64(d, "bytes", c.bytes);
	rte_tel_data_add_dict_u64(d, "body_bytes", c.body_bytes);
	for (int i = 0; i < DP_INFO_COUNT; i++)
		rte_tel_data_add_dict_u64(d, dp_info_name((enum dp_info)i), c.info[i]);
	for (int i = 0; i < DP_DROP_COUNT; i++)
		rte_tel_data_add_dict_u64(d, dp_drop_name((enum dp_drop)i), c.drop[i]);
	for (int i = 0; i < DP_PDQ_COUNT; i++)
		rte_tel_data_add_dict_u64(d, dp_pdq_ctr_name((enum dp_pdq_ctr)i), c.pdq[i]);
	rte_tel_data_add_dict_u64(d, "events_dropped", sum_of(lw_ev_dropped));
	rte_tel_data_add_dict_u64(d, "events_written", rd(&s->written));
	rte_tel_data_add_dict_u64(d, "events_write_errors", rd(&s->write_errors));
	rte_tel_data_add_dict_u64(d, "ingest_submitted", rd(&s->submitted));
	rte_tel_data_add_dict_u64(d, "ingest_not_queued", rd(&s->not_queued));
	add_array(d, "worker_packets", lw_packets);
	add_array(d, "worker_events_dropped", lw_ev_dropped);
	rte_tel_data_add_dict_u64(d, "steered", sum_of(lw_steered));
	rte_tel_data_add_dict_u64(d, "steer_dropped", sum_of(lw_steer_dropped));
	return 0;
}

static int cmd_sets(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct dp_setpub *l = &tel_run->live;

	(void)cmd;
	(void)params;
	if (!__atomic_load_n(&tel_run, __ATOMIC_ACQUIRE))
		return -1;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&l->lock);
	rte_tel_data_add_dict_u64(d, "swaps", l->swaps);
	rte_tel_data_add_dict_u64(d, "count", l->cur->n);
	for (unsigned int i = 0; i < l->cur->n; i++) {
		const struct hws_info *in = &l->cur->sets[i].info;
		struct rte_tel_data *s = rte_tel_data_alloc();
		char key[16];

		if (!s)
			break;
		snprintf(key, sizeof(key), "set%u", i);
		rte_tel_data_start_dict(s);
		rte_tel_data_add_dict_string(s, "id", in->id);
		rte_tel_data_add_dict_u64(s, "version", in->version);
		rte_tel_data_add_dict_u64(s, "entries", in->entries);
		rte_tel_data_add_dict_u64(s, "created", (uint64_t)in->created);
		rte_tel_data_add_dict_u64(s, "expires", (uint64_t)in->expires);
		if (rte_tel_data_add_dict_container(d, key, s, 0) != 0)
			rte_tel_data_free(s);
	}
	pthread_mutex_unlock(&l->lock);
	return 0;
}

static int cmd_flows(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct dp_counters c;

	(void)cmd;
	(void)params;
	if (!__atomic_load_n(&tel_run, __ATOMIC_ACQUIRE))
		return -1;
	dp_run_counters(tel_run, &c);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "active", sum_of(lw_flows));
	rte_tel_data_add_dict_u64(d, "capacity", (uint64_t)tel_run->wconf.max_flows * tel_run->n_lws);
	rte_tel_data_add_dict_u64(d, "created", c.info[DP_INFO_flows_created]);
	rte_tel_data_add_dict_u64(d, "closed", c.info[DP_INFO_flows_closed]);
	rte_tel_data_add_dict_u64(d, "timed_out", c.info[DP_INFO_flows_timed_out]);
	rte_tel_data_add_dict_u64(d, "evicted", c.info[DP_INFO_flows_evicted]);
	rte_tel_data_add_dict_u64(d, "midstream", c.info[DP_INFO_flows_midstream]);
	add_array(d, "worker_active", lw_flows);
	add_array(d, "worker_capacity", lw_flows_max);
	return 0;
}

void dp_telemetry_unregister(void)
{
	__atomic_store_n(&tel_run, NULL, __ATOMIC_RELEASE);
}

int dp_telemetry_register(struct dp_run *run)
{
	tel_run = run;
	if (rte_telemetry_register_cmd("/hashwall/stats", cmd_stats,
				       "Dataplane counters summed over the workers. No parameters") ||
	    rte_telemetry_register_cmd("/hashwall/sets", cmd_sets,
				       "Loaded hash sets: id -> version, entries, expires. No parameters") ||
	    rte_telemetry_register_cmd("/hashwall/flows", cmd_flows,
				       "Flow table use, total and per worker. No parameters"))
		return -EINVAL;
	return 0;
}
