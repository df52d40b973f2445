/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * recheck.c - the retroactive re-check of a set's added entries against
 * the served-object journal (see recheck.h).
 */
#include "dataplane/journal/recheck.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/fileio.h"
#include "common/json_writer.h"
#include "common/url.h"

struct run {
	const struct dp_journal *j;
	const struct hws_set *nw, *old;
	struct hws_info info;
	unsigned int dist;
	dp_recheck_fn fn;
	void *ctx;
	struct dp_recheck_stats *st;
	/* the entry being looked up */
	const struct hws_entry *e;
};

static inline void bump(uint64_t *p, uint64_t n)
{
	__atomic_store_n(p, *p + n, __ATOMIC_RELAXED);
}

static bool in_old(const struct run *r, enum hwall_algo a, const uint8_t *d)
{
	return r->old && hws_lookup(r->old, a, d, NULL);
}

static int seg_hit(void *ctx, const struct dp_jrec *rec, unsigned int dist)
{
	struct run *r = ctx;
	struct dp_recheck_hit h = { .set = &r->info, .algo = r->e->algo, .entry = r->e->digest,
				    .category = r->e->category, .ref = r->e->ref,
				    .distance = dist, .rec = rec };

	bump(&r->st->hits, 1);
	return r->fn(r->ctx, &h);
}

/* One entry of the new set against every closed segment. */
static int closed_entry(const struct hws_entry *e, void *ctx)
{
	struct run *r = ctx;
	unsigned int n = dp_journal_segments(r->j);
	int rc = 0;

	if (in_old(r, e->algo, e->digest))
		return 0;
	r->e = e;
	for (unsigned int i = 0; i < n && rc == 0; i++)
		rc = dp_jseg_lookup(dp_journal_segment(r->j, i), e->algo, e->digest, r->dist,
				    seg_hit, r, &r->st->bad);
	bump(&r->st->looked_up, 1);
	return rc;
}

static int count_added(const struct hws_entry *e, void *ctx)
{
	struct run *r = ctx;

	if (!in_old(r, e->algo, e->digest))
		r->st->added++;
	return 0;
}

/* A hit of open record @rec on the set's entry @e at @dist. */
static int open_hit(struct run *r, const struct dp_jrec *rec, enum hwall_algo a,
		    const uint8_t *digest, uint8_t cat, uint32_t ref, unsigned int dist)
{
	struct dp_recheck_hit h = { .set = &r->info, .algo = a, .entry = digest, .category = cat,
				    .ref = ref, .distance = dist, .rec = rec };

	bump(&r->st->hits, 1);
	return r->fn(r->ctx, &h);
}

/* The open segment: each record's digests looked up in the new set. */
static int open_record(struct run *r, const struct dp_jrec *rec)
{
	struct hws_near near[HWS_NEAR_MAX];
	struct hws_hit hit;
	size_t total;
	int rc = 0;

	for (int a = 0; a < HWALL_ALGO_COUNT && rc == 0; a++) {
		const uint8_t *d = dp_jrec_digest(rec, (enum hwall_algo)a);

		if (!d)
			continue;
		if (hwall_algo_kind((enum hwall_algo)a) != HWALL_ALGO_KIND_PERCEPTUAL) {
			if (hws_lookup(r->nw, (enum hwall_algo)a, d, &hit) &&
			    !in_old(r, (enum hwall_algo)a, d))
				rc = open_hit(r, rec, (enum hwall_algo)a, d, hit.category, hit.ref, 0);
			continue;
		}
		if (hws_lookup_near(r->nw, (enum hwall_algo)a, d, r->dist, near, HWS_NEAR_MAX,
				    &total) < 0)
			continue;
		for (size_t i = 0; i < total && i < HWS_NEAR_MAX && rc == 0; i++)
			if (!in_old(r, (enum hwall_algo)a, near[i].digest))
				rc = open_hit(r, rec, (enum hwall_algo)a, near[i].digest,
					      near[i].category, near[i].ref, near[i].distance);
	}
	return rc;
}

int dp_recheck_run(const struct dp_journal *j, const struct hws_set *nw, const struct hws_set *old,
		   unsigned int pdq_dist, dp_recheck_fn fn, void *ctx, struct dp_recheck_stats *st)
{
	struct run r = { .j = j, .nw = nw, .old = old, .dist = pdq_dist, .fn = fn, .ctx = ctx,
			 .st = st };
	uint64_t t0 = hwall_mono_ns();
	uint32_t n = dp_journal_open_count(j);
	struct dp_jrec rec;
	int rc;

	if (pdq_dist > 256)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	hws_info(nw, &r.info);
	hws_foreach(nw, count_added, &r);
	rc = hws_foreach(nw, closed_entry, &r);
	for (uint32_t id = 0; id < n && rc == 0; id++) {
		dp_journal_open_record(j, id, &rec);
		rc = open_record(&r, &rec);
	}
	__atomic_store_n(&st->ns, hwall_mono_ns() - t0, __ATOMIC_RELAXED);
	return rc;
}

/* Host, path (canonical form, as live matches have it) and server of
 * @rec as C strings. */
static void url_of(const struct dp_jrec *rec, char *host, char *path, size_t path_cap, char *ip)
{
	char raw[DP_JREC_PATH_MAX + 1];

	memcpy(host, rec->host, rec->host_len);
	host[rec->host_len] = '\0';
	memcpy(raw, rec->path, rec->path_len);
	raw[rec->path_len] = '\0';
	if (hwall_url_canon(raw, rec->path_len, path, path_cap) < 0)
		snprintf(path, path_cap, "%s", raw);
	if (rec->family == 4)
		inet_ntop(AF_INET, rec->server + 12, ip, INET6_ADDRSTRLEN);
	else
		inet_ntop(AF_INET6, rec->server, ip, INET6_ADDRSTRLEN);
}

size_t dp_recheck_event(const struct dp_recheck_hit *h, char *buf, size_t cap)
{
	char host[DP_JREC_HOST_MAX + 1], path[3 * DP_JREC_PATH_MAX + 1], ip[INET6_ADDRSTRLEN];
	const struct dp_jrec *rec = h->rec;
	struct hwall_json w;
	size_t len;

	url_of(rec, host, path, sizeof(path), ip);
	hwall_json_init(&w, buf, cap);
	hwall_json_obj_begin(&w, NULL);
	hwall_json_str(&w, "event", "match");
	hwall_json_bool(&w, "retroactive", true);
	hwall_json_i64(&w, "ts", rec->last);
	hwall_json_str(&w, "server_ip", ip);
	hwall_json_u64(&w, "server_port", rec->port);
	hwall_json_wire(&w, "host", host);
	hwall_json_wire(&w, "path", path);
	hwall_json_u64(&w, "size", rec->size);
	hwall_json_bool(&w, "complete", true);
	hwall_json_str(&w, "set", h->set->id);
	hwall_json_u64(&w, "set_version", h->set->version);
	hwall_json_str(&w, "algo", hwall_algo_name(h->algo));
	hwall_json_hex(&w, "digest", h->entry, hwall_algo_len(h->algo));
	hwall_json_u64(&w, "category", h->category);
	hwall_json_u64(&w, "ref", h->ref);
	hwall_json_i64(&w, "first_served", rec->first);
	hwall_json_i64(&w, "last_served", rec->last);
	hwall_json_u64(&w, "serve_count", rec->count);
	if (hwall_algo_kind(h->algo) == HWALL_ALGO_KIND_PERCEPTUAL)
		hwall_json_u64(&w, "distance", h->distance);
	hwall_json_obj_end(&w);
	hwall_json_newline(&w);
	return hwall_json_finish(&w, &len) == 0 ? len : 0;
}

/* "<dir>/recheck-<hex of id>.state": set ids may hold any printable byte. */
static int state_path(char *buf, size_t cap, const char *dir, const char *id)
{
	size_t n = strlen(id);
	char hex[2 * 64 + 1];
	int k;

	if (n > 64)
		return -EINVAL;
	hwall_hex_format((const uint8_t *)id, n, hex);
	k = snprintf(buf, cap, "%s/recheck-%s.state", dir, hex);
	return k < 0 || (size_t)k >= cap ? -ENAMETOOLONG : 0;
}

uint64_t dp_recheck_done(const char *dir, const char *id)
{
	char path[4096], *text = NULL;
	unsigned long long v = 0;
	size_t len;

	if (state_path(path, sizeof(path), dir, id) < 0 ||
	    hwall_read_file(path, 64, &text, &len) < 0)
		return 0;
	if (sscanf(text, "version %llu", &v) != 1)
		v = 0;
	free(text);
	return v;
}

int dp_recheck_mark(const char *dir, const char *id, uint64_t version)
{
	char path[4096], text[64];
	int r = state_path(path, sizeof(path), dir, id), n;

	if (r < 0)
		return r;
	n = snprintf(text, sizeof(text), "version %" PRIu64 "\n", version);
	return hwall_write_atomic(path, text, (size_t)n, 0600);
}
