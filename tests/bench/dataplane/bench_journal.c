/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_journal.c - what the served-object journal costs and how fast the
 * re-check is (docs/journal.md, "Performance").  Prints figures; asserts
 * nothing about time.
 *
 *   bench_journal [OBJECTS (<= 450)] [ROUNDS] [JOURNAL_ENTRIES] [ADDED]
 *
 * 1. Fast path: OBJECTS connections (one GET, a 16 KiB PRNG body each,
 *    frames built once) through one worker, ROUNDS times, alternating
 *    journal off (the baseline, in the same run) and on; per-core Gbit/s
 *    of body bytes by the worker thread's CPU time.  With the journal on,
 *    the writer thread drains the ring on another core (its CPU time is
 *    printed too).
 * 2. Re-check: a journal of JOURNAL_ENTRIES records (6 closed day
 *    segments and an open one, md5 and xxh3-128 each) and a set version
 *    that gains ADDED md5 entries, 1 in 10 of them served; the time of
 *    dp_recheck_run(), and bytes per journaled object on disk.
 */
#include "dataplane/journal/jwriter.h"
#include "dataplane/journal/recheck.h"
#include "dataplane/worker.h"
#include "dp_test.h"
#include "hwall_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BODY 16384
#define SEG 1448
#define DAY 86400

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct conn_frames {
	struct rte_mbuf *m[32];
	unsigned int n;
};

/* The frames of one GET of /o/<i> answered with a PRNG body. */
static void build(struct conn_frames *cf, unsigned int i)
{
	static uint8_t resp[BODY + 128];
	char req[96];
	struct dp_test_conn c;
	uint64_t seed = i + 1;
	size_t rl;

	snprintf(req, sizeof(req), "GET /o/%u HTTP/1.1\r\nHost: bench.example\r\n\r\n", i);
	rl = (size_t)snprintf((char *)resp, 128, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", BODY);
	hwall_test_rand_bytes(&seed, resp + rl, BODY);
	rl += BODY;
	dp_test_conn_init(&c, 4, 1000 + i, 7000 + i);
	c.f.sport = (uint16_t)(20000 + i % 40000);
	cf->n = 0;
	cf->m[cf->n++] = dp_test_seg(&c, true, 0, DP_TCP_SYN, "", 0);
	c.cseq++;
	cf->m[cf->n++] = dp_test_seg(&c, false, 0, DP_TCP_SYN, "", 0);
	c.sseq++;
	cf->m[cf->n++] = dp_test_seg(&c, true, 0, 0, req, strlen(req));
	c.cseq += (uint32_t)strlen(req);
	for (size_t off = 0; off < rl; off += SEG)
		cf->m[cf->n++] = dp_test_seg(&c, false, (int64_t)off, 0, resp + off,
					     rl - off < SEG ? rl - off : SEG);
	c.sseq += (uint32_t)rl;
	cf->m[cf->n++] = dp_test_seg(&c, false, 0, DP_TCP_FIN, "", 0);
	cf->m[cf->n++] = dp_test_seg(&c, true, 0, DP_TCP_FIN, "", 0);
}

static void on_event(void *ctx, const char *l, size_t n, bool m, const struct dp_flow_key *f)
{
	(void)ctx, (void)l, (void)n, (void)m, (void)f;
}

static bool emit(void *ctx, const char *line, size_t len)
{
	(void)line, (void)len;
	(*(uint64_t *)ctx)++;
	return true;
}

/* One pass of every connection; returns the worker's CPU seconds. */
static double pass(struct dp_worker *w, struct conn_frames *cf, unsigned int n, uint64_t *ns)
{
	double t = cpu_now();

	for (unsigned int i = 0; i < n; i++) {
		for (unsigned int k = 0; k < cf[i].n; k++)
			dp_worker_burst_packet(w, cf[i].m[k], *ns);
		dp_worker_burst_end(w);
		*ns += 1000000;
	}
	return cpu_now() - t;
}

static void fast_path(unsigned int objects, unsigned int rounds, const char *jdir)
{
	struct dp_jwriter_conf jc = { .pdq_dist = 31, .rings = 1, .ring_size = 4096 };
	struct conn_frames *cf = calloc(objects, sizeof(*cf));
	static struct hwall_pseudo_key key;
	struct dp_worker_conf conf;
	struct dp_jwriter *jw = NULL;
	struct hwall_err err;
	struct dp_worker w;
	double off = 0, on = 0, alone = 0, gb = (double)objects * BODY * 8 / 1e9;
	struct dp_evring own = { 0 };
	struct dp_evrec *recs[64];
	unsigned int got;
	uint64_t ns = (uint64_t)time(NULL) * 1000000000ull, hits = 0;

	for (unsigned int i = 0; i < objects; i++)
		build(&cf[i], i);
	dp_journal_conf_default(&jc.journal);
	jc.journal.dir = jdir;
	if (dp_jwriter_start(&jc, emit, &hits, &jw, &err) < 0) {
		fprintf(stderr, "journal: %s\n", err.msg);
		exit(1);
	}
	dp_worker_conf_default(&conf);
	conf.hash_mask = 1u << HWALL_ALGO_MD5 | 1u << HWALL_ALGO_SHA1;
	if (dp_worker_init(&w, &conf, NULL, &key, on_event, NULL) < 0)
		exit(1);
	if (dp_evring_init(&own, 4096) < 0)
		exit(1);
	memset(own.recs, 0, 4096 * sizeof(*own.recs)); /* as the writer does its rings */
	pass(&w, cf, objects, &ns); /* warm-up */
	for (unsigned int r = 0; r < rounds; r++) {
		w.journal = NULL;
		off += pass(&w, cf, objects, &ns);
		w.journal = dp_jwriter_ring(jw, 0);
		on += pass(&w, cf, objects, &ns);
		dp_jwriter_idle_wait(jw, 10000);
		/* The worker's side alone: a ring drained after the pass. */
		w.journal = &own;
		alone += pass(&w, cf, objects, &ns);
		while ((got = dp_evring_take(&own, recs, 64)) > 0)
			dp_evring_release(&own, recs, got);
	}
	printf("fast path, 1 worker, %u objects of %d bytes, md5+sha1+xxh3-128, %u rounds each:\n",
	       objects, BODY, rounds);
	printf("  journal off (baseline): %.2f Gbit/s per core (%.1f us/object)\n",
	       gb * rounds / off, off * 1e6 / (objects * (double)rounds));
	printf("  journal on:             %.2f Gbit/s per core (%.1f us/object), %+.1f%%\n",
	       gb * rounds / on, on * 1e6 / (objects * (double)rounds), (off / on - 1) * 100);
	printf("  journal on, ring drained after the pass (the worker's own cost): %.2f Gbit/s "
	       "per core (%.1f us/object), %+.1f%%\n", gb * rounds / alone,
	       alone * 1e6 / (objects * (double)rounds), (off / alone - 1) * 100);
	printf("  ring drops: %lu\n", (unsigned long)dp_jwriter_ring(jw, 0)->dropped);
	dp_evring_fini(&own);
	dp_worker_fini(&w);
	dp_jwriter_stop(jw);
	for (unsigned int i = 0; i < objects; i++)
		for (unsigned int k = 0; k < cf[i].n; k++)
			rte_pktmbuf_free(cf[i].m[k]);
	free(cf);
}

/* The md5 of journal object @i (and its xxh3-128, from another seed). */
static void digests(uint64_t i, uint8_t dg[32])
{
	uint64_t s = i * 2 + 1;

	hwall_test_rand_bytes(&s, dg, 32);
}

static struct dp_journal *fill(const char *jdir, unsigned int entries, int64_t day0)
{
	struct dp_journal_conf c;
	struct dp_journal *j = NULL;
	struct hwall_err err;
	unsigned int per = entries / 7, k = 0;
	char path[64];
	uint8_t dg[32];
	double t;

	dp_journal_conf_default(&c);
	c.dir = jdir;
	if (dp_journal_open(&c, day0, &j, &err) < 0)
		exit(1);
	for (int d = 0; d < 7; d++) {
		unsigned int n = d < 6 ? per : entries - 6 * per;

		for (unsigned int i = 0; i < n; i++, k++) {
			struct dp_jrec r = { .mask = 1u << HWALL_ALGO_XXH3_128 | 1u << HWALL_ALGO_MD5,
					     .count = 1, .family = 4, .port = 80,
					     .first = day0 + d * DAY + 1, .last = day0 + d * DAY + 1,
					     .size = 20000, .digests = dg, .host = "bench.example",
					     .host_len = 13, .path = path };

			digests(k, dg);
			r.path_len = (uint16_t)snprintf(path, sizeof(path), "/media/%08u.jpg", k);
			dp_journal_put(j, &r);
		}
		if (d < 6) {
			t = wall_now();
			dp_journal_tick(j, day0 + (d + 1) * DAY, &err);
			if (d == 0)
				printf("  closing a day of %u records into a segment: %.2f s\n", n,
				       wall_now() - t);
		}
	}
	dp_journal_tick(j, day0 + 6 * DAY + 10, &err);
	return j;
}

static struct hws_set *set_of(const char *dir, uint64_t v, unsigned int added, unsigned int served)
{
	struct hws_builder *b = hws_builder_new("bench", v);
	struct hws_set *s = NULL;
	struct hwall_err err;
	char path[4096];
	uint8_t dg[32];

	/* v1: `added` entries; v2: those, `added` new ones of which one in
	 * ten was served. */
	for (unsigned int i = 0; i < (v > 1 ? 2 * added - added / 10 : added); i++) {
		uint64_t seed = 0xabcdefull + i;

		hwall_test_rand_bytes(&seed, dg, 16);
		hws_builder_add(b, HWALL_ALGO_MD5, dg, 1, i);
	}
	for (unsigned int i = 0; v > 1 && i < added / 10; i++) {
		digests((uint64_t)i * (served / (added / 10)), dg);
		hws_builder_add(b, HWALL_ALGO_MD5, dg + 16, 1, i);
	}
	snprintf(path, sizeof(path), "%s/bench-%lu.hws", dir, (unsigned long)v);
	if (hws_builder_write(b, path, NULL, &err) < 0 || hws_open(path, &s, &err) < 0)
		exit(1);
	hws_builder_free(b);
	return s;
}

static int count_hit(void *ctx, const struct dp_recheck_hit *h)
{
	(void)h;
	(*(uint64_t *)ctx)++;
	return 0;
}

static void recheck(unsigned int entries, unsigned int added, const char *jdir, const char *sdir)
{
	int64_t day0 = ((int64_t)time(NULL) / DAY - 6) * DAY;
	struct dp_journal_stats st;
	struct dp_recheck_stats rs;
	struct dp_journal *j;
	struct hws_set *v1, *v2;
	uint64_t hits = 0;

	printf("re-check, %u journal entries (6 closed day segments, 1 open), set gaining %u md5 "
	       "entries (%u of them served):\n", entries, added, added / 10);
	j = fill(jdir, entries, day0);
	v1 = set_of(sdir, 1, added, entries);
	v2 = set_of(sdir, 2, added, entries);
	dp_recheck_run(j, v2, v1, 31, count_hit, &hits, &rs);
	dp_journal_stats(j, &st);
	printf("  added %lu, hits %lu, %.3f s (%.2f us per added entry over %lu segments)\n",
	       (unsigned long)rs.added, (unsigned long)hits, (double)rs.ns / 1e9,
	       (double)rs.ns / 1e3 / (double)rs.added, (unsigned long)st.segments + 1);
	printf("  on disk: %lu bytes for %lu records: %.1f bytes per journaled object "
	       "(closed segments and the open log, paths of 20 bytes, md5 + xxh3-128)\n",
	       (unsigned long)st.bytes, (unsigned long)(st.segment_records + st.open_records),
	       (double)st.bytes / (double)(st.segment_records + st.open_records));
	hws_close(v1);
	hws_close(v2);
	dp_journal_close(j);
}

int main(int argc, char **argv)
{
	unsigned int objects = argc > 1 ? (unsigned int)atoi(argv[1]) : 400;
	unsigned int rounds = argc > 2 ? (unsigned int)atoi(argv[2]) : 30;
	unsigned int entries = argc > 3 ? (unsigned int)atoi(argv[3]) : 1000000;
	unsigned int added = argc > 4 ? (unsigned int)atoi(argv[4]) : 10000;
	const char *j1, *j2, *sd;
	double load[1];

	/* dp_test_eal()'s pool holds 8191 mbufs, 17 frames an object. */
	if (objects > 450)
		objects = 450;
	if (dp_test_eal() < 0)
		return 2;
	j1 = hwall_test_tmpdir("bench-journal-fp");
	j2 = hwall_test_tmpdir("bench-journal-rc");
	sd = hwall_test_tmpdir("bench-journal-sets");
	if (!j1 || !j2 || !sd)
		return 2;
	if (getloadavg(load, 1) == 1)
		printf("load average at start: %.2f\n", load[0]);
	fast_path(objects, rounds, j1);
	recheck(entries, added, j2, sd);
	if (getloadavg(load, 1) == 1)
		printf("load average at end: %.2f\n", load[0]);
	dp_test_eal_done();
	return 0;
}
