/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * set_publish.c - set list publication with RCU (see set_publish.h).
 */
#include "dataplane/sets/set_publish.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"

int dp_setpub_init(struct dp_setpub *l, unsigned int max_workers, struct dp_setlist *initial)
{
	size_t sz;

	memset(l, 0, sizeof(*l));
	if (!initial)
		initial = calloc(1, sizeof(*initial));
	if (!initial || max_workers == 0) {
		dp_setlist_free(initial);
		return initial ? -EINVAL : -ENOMEM;
	}
	sz = rte_rcu_qsbr_get_memsize(max_workers);
	l->qs = aligned_alloc(RTE_CACHE_LINE_SIZE, (sz + RTE_CACHE_LINE_SIZE - 1) &
							   ~(size_t)(RTE_CACHE_LINE_SIZE - 1));
	if (!l->qs || rte_rcu_qsbr_init(l->qs, max_workers) != 0) {
		free(l->qs);
		dp_setlist_free(initial);
		return -ENOMEM;
	}
	pthread_mutex_init(&l->lock, NULL);
	l->max_workers = max_workers;
	l->cur = initial;
	return 0;
}

void dp_setpub_fini(struct dp_setpub *l)
{
	if (!l->qs)
		return;
	dp_setlist_free(l->cur);
	free(l->qs);
	pthread_mutex_destroy(&l->lock);
	memset(l, 0, sizeof(*l));
}

int dp_setpub_register(struct dp_setpub *l, unsigned int tid)
{
	if (tid >= l->max_workers || rte_rcu_qsbr_thread_register(l->qs, tid) != 0)
		return -EINVAL;
	rte_rcu_qsbr_thread_online(l->qs, tid);
	return 0;
}

void dp_setpub_unregister(struct dp_setpub *l, unsigned int tid)
{
	rte_rcu_qsbr_thread_offline(l->qs, tid);
	rte_rcu_qsbr_thread_unregister(l->qs, tid);
}

static bool holds(const struct dp_setlist *list, const struct hws_set *s)
{
	for (unsigned int i = 0; i < list->n; i++)
		if (list->sets[i].set == s)
			return true;
	return false;
}

/* Publish @next (caller holds the lock), wait for a grace period, then
 * close what only the old list held (sets, allowlist), except @keep. */
static void publish_keep(struct dp_setpub *l, struct dp_setlist *next, const struct hws_set *keep)
{
	struct dp_setlist *old = l->cur;

	dp_setlist_compute_mask(next);
	__atomic_store_n(&l->cur, next, __ATOMIC_RELEASE);
	l->swaps++;
	rte_rcu_qsbr_synchronize(l->qs, RTE_QSBR_THRID_INVALID);
	for (unsigned int i = 0; i < old->n; i++)
		if (!holds(next, old->sets[i].set) && old->sets[i].set != keep)
			hws_close(old->sets[i].set);
	if (old->allow != next->allow)
		dp_allowlist_free(old->allow);
	free(old);
}

static void publish(struct dp_setpub *l, struct dp_setlist *next)
{
	publish_keep(l, next, NULL);
}

static int find(const struct dp_setlist *list, const char *id)
{
	for (unsigned int i = 0; i < list->n; i++)
		if (strcmp(list->sets[i].info.id, id) == 0)
			return (int)i;
	return -1;
}

/* Open @path and check that it is @id at @version. */
static int open_checked(const char *id, uint64_t version, const char *path,
			struct dp_set_ref *ref, struct hwall_err *err)
{
	int r = hws_open(path, &ref->set, err);

	if (r < 0)
		return hwall_err_prefix(err, r, "%s: ", path);
	hws_info(ref->set, &ref->info);
	if (strcmp(ref->info.id, id) != 0 || ref->info.version != version) {
		hws_close(ref->set);
		return hwall_err_set(err, -EINVAL, "%s holds set '%s' version %" PRIu64
				     ", not '%s' version %" PRIu64, path, ref->info.id,
				     ref->info.version, id, version);
	}
	return 0;
}

int dp_setpub_load(struct dp_setpub *l, const char *id, uint64_t version, const char *path,
		 struct hws_info *ret_info, struct hwall_err *err)
{
	struct dp_set_ref ref;
	struct dp_setlist *next;
	struct hws_set *replaced;
	int r, i;

	r = open_checked(id, version, path, &ref, err);
	if (r < 0)
		return r;
	next = malloc(sizeof(*next));
	if (!next) {
		hws_close(ref.set);
		return hwall_err_set(err, -ENOMEM, "out of memory");
	}
	pthread_mutex_lock(&l->lock);
	*next = *l->cur;
	i = find(next, id);
	if (i < 0 && next->n == DP_SETS_MAX) {
		pthread_mutex_unlock(&l->lock);
		hws_close(ref.set);
		free(next);
		return hwall_err_set(err, -E2BIG, "%d sets loaded already (the most)", DP_SETS_MAX);
	}
	replaced = i < 0 ? NULL : next->sets[i].set;
	if (replaced == ref.set)
		replaced = NULL;
	next->sets[i < 0 ? next->n++ : (unsigned int)i] = ref;
	publish_keep(l, next, l->loaded ? replaced : NULL);
	if (l->loaded)
		l->loaded(l->loaded_ctx, &ref.info, path, replaced);
	pthread_mutex_unlock(&l->lock);
	*ret_info = ref.info;
	return 0;
}

int dp_setpub_unload(struct dp_setpub *l, const char *id)
{
	struct dp_setlist *next = malloc(sizeof(*next));
	int i;

	if (!next)
		return -ENOMEM;
	pthread_mutex_lock(&l->lock);
	*next = *l->cur;
	i = find(next, id);
	if (i < 0) {
		pthread_mutex_unlock(&l->lock);
		free(next);
		return -ENOENT;
	}
	next->sets[i] = next->sets[--next->n];
	publish(l, next);
	pthread_mutex_unlock(&l->lock);
	return 0;
}

int dp_setpub_set_allowlist(struct dp_setpub *l, struct dp_allowlist *a)
{
	struct dp_setlist *next = malloc(sizeof(*next));

	if (!next) {
		dp_allowlist_free(a);
		return -ENOMEM;
	}
	pthread_mutex_lock(&l->lock);
	*next = *l->cur;
	next->allow = a;
	publish(l, next);
	pthread_mutex_unlock(&l->lock);
	return 0;
}

void dp_setpub_replace(struct dp_setpub *l, struct dp_setlist *next)
{
	pthread_mutex_lock(&l->lock);
	next->allow = l->cur->allow;
	publish(l, next);
	pthread_mutex_unlock(&l->lock);
}

/* The sets of the current list as the array "sets"; @l->lock held. */
static void sets_json(const struct dp_setpub *l, struct hwall_json *w, unsigned int fields)
{
	hwall_json_arr_begin(w, "sets");
	for (unsigned int i = 0; i < l->cur->n; i++) {
		const struct hws_info *in = &l->cur->sets[i].info;

		hwall_json_obj_begin(w, NULL);
		hwall_json_str(w, "id", in->id);
		hwall_json_u64(w, "version", in->version);
		if (fields & DP_SETPUB_ENTRIES)
			hwall_json_u64(w, "entries", in->entries);
		if (fields & DP_SETPUB_CREATED)
			hwall_json_i64(w, "created", in->created);
		hwall_json_i64(w, "expires", in->expires);
		hwall_json_obj_end(w);
	}
	hwall_json_arr_end(w);
}

void dp_setpub_sets_json(struct dp_setpub *l, struct hwall_json *w, unsigned int fields)
{
	pthread_mutex_lock(&l->lock);
	sets_json(l, w, fields);
	pthread_mutex_unlock(&l->lock);
}

int dp_setpub_status(struct dp_setpub *l, char *buf, size_t len)
{
	struct hwall_json w;
	size_t n;
	int r;

	hwall_json_init(&w, buf, len);
	hwall_json_obj_begin(&w, NULL);
	pthread_mutex_lock(&l->lock);
	hwall_json_u64(&w, "swaps", l->swaps);
	hwall_json_u64(&w, "allowlist", l->cur->allow ? l->cur->allow->n : 0);
	sets_json(l, &w, DP_SETPUB_ENTRIES);
	pthread_mutex_unlock(&l->lock);
	hwall_json_obj_end(&w);
	r = hwall_json_finish(&w, &n);
	return r < 0 ? r : (int)n;
}
