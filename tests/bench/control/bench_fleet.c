/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fleet benchmark (docs/fleet.md): a real PostgreSQL 15 that with_pg.sh
 * starts, synthetic events only.  Prints, never asserts:
 *
 *  1. replication: APPLIANCES concurrent connections, each sending EVENTS
 *     occurrences in batches of BATCH per transaction through the central
 *     store's record op under its own appliance id (the uplink's push
 *     path), as occurrences per second; baseline in the same run: one
 *     appliance alone;
 *  2. decision latency: a central review until an edge connection that
 *     LISTENs has read it (ctl_pg_wait, ctl_pg_decisions), p50 and p95
 *     over REVIEWS reviews;
 *  3. outbox drain: an edge's SQLite store with BACKLOG occurrences not
 *     yet replicated, drained by ctl_fleet_round(), as occurrences per
 *     second (and the time an hour at 1,000 events/s would take).
 *
 *   with_pg.sh bench_fleet [APPLIANCES] [EVENTS] [BATCH] [BACKLOG] [REVIEWS]
 *
 * Defaults 100, 500, 500, 20000, 40.  The objects repeat (500 per
 * appliance, shared across appliances), as a fleet's matches do.
 */
#include "common/clock.h"
#include "control/fleet.h"
#include "control/store_pg.h"
#include "ctl_test_event.h"
#include "ctl_test_pg.h"
#include "hwall_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char central[256];
static unsigned int n_events = 500, batch = 500;

struct worker {
	pthread_t t;
	unsigned int idx;
	int failed;
};

/* One appliance: EVENTS occurrences in batches, as the uplink sends them. */
static void *appliance_main(void *arg)
{
	struct worker *w = arg;
	struct ctl_record_result res;
	struct ctl_store *s = NULL;
	struct ctl_event ev;
	char app[32], path[32];

	snprintf(app, sizeof(app), "edge%u", w->idx);
	if (ctl_pg_open(central, app, false, &s, NULL) < 0) {
		w->failed = 1;
		return NULL;
	}
	for (unsigned int i = 0; i < n_events && !w->failed; i += batch) {
		w->failed |= ctl_store_begin(s) < 0;
		for (unsigned int k = i; k < i + batch && k < n_events && !w->failed; k++) {
			snprintf(path, sizeof(path), "/m/%u.jpg", k % 500);
			ctl_test_event(&ev, k % 500, "site.example", path, 1000 + k);
			w->failed |= ctl_store_record(s, &ev, "dp0", "e1", k + 1, &res) < 0;
		}
		w->failed |= ctl_store_commit(s) < 0;
	}
	ctl_store_close(s);
	return NULL;
}

static double replicate(unsigned int first, unsigned int n)
{
	struct worker *w = calloc(n, sizeof(*w));
	double t0 = hwall_clock_s(CLOCK_MONOTONIC), dt;
	int failed = 0;

	for (unsigned int i = 0; i < n; i++) {
		w[i].idx = first + i;
		pthread_create(&w[i].t, NULL, appliance_main, &w[i]);
	}
	for (unsigned int i = 0; i < n; i++) {
		pthread_join(w[i].t, NULL);
		failed |= w[i].failed;
	}
	dt = hwall_clock_s(CLOCK_MONOTONIC) - t0;
	free(w);
	if (failed)
		fprintf(stderr, "bench_fleet: an appliance failed\n");
	return (double)n * n_events / dt;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int count_cb(const struct ctl_decision *d, void *ctx)
{
	*(int64_t *)ctx = d->seq;
	return 0;
}

/* Central reviews until a listening edge has read each one. */
static void decision_latency(unsigned int reviews)
{
	struct ctl_store *c = NULL, *e = NULL;
	struct ctl_record_result res;
	struct ctl_event ev;
	double *lat = calloc(reviews, sizeof(double));
	int64_t seq = 0, id;

	if (!lat || ctl_store_open(central, &c, NULL) < 0 ||
	    ctl_pg_open(central, "edge0", false, &e, NULL) < 0 || ctl_pg_listen(e) < 0)
		return;
	ctl_test_event(&ev, 1, "site.example", "/m/1.jpg", 0);
	if (ctl_store_candidate_find(c, "test", ev.algo, ev.digest, ev.host, ev.path, &id) < 0 ||
	    ctl_pg_decisions(e, 0, 1000000, count_cb, &seq) < 0)
		return;
	for (unsigned int i = 0; i < reviews; i++) {
		double t0 = hwall_clock_s(CLOCK_MONOTONIC);
		int64_t before = seq;

		ctl_store_review(c, id, i % 2 ? CTL_STATUS_NEW : CTL_STATUS_CONFIRMED, "bench", "",
				 CTL_ALLOW_SET, 2000 + i, NULL);
		while (seq == before && ctl_pg_wait(e, 2000) >= 0)
			ctl_pg_decisions(e, seq, 100, count_cb, &seq);
		lat[i] = hwall_clock_s(CLOCK_MONOTONIC) - t0;
	}
	qsort(lat, reviews, sizeof(double), cmp_double);
	printf("decision to edge: p50 %.1f ms, p95 %.1f ms over %u reviews\n",
	       lat[reviews / 2] * 1e3, lat[reviews * 95 / 100] * 1e3, reviews);
	free(lat);
	ctl_store_close(e);
	ctl_store_close(c);
	(void)res;
}

/* An edge store with @backlog occurrences, drained by the uplink. */
static void outbox_drain(unsigned int backlog)
{
	const char *dir = hwall_test_tmpdir("bench-fleet");
	struct ctl_fleet_config fc = { .conninfo = central, .appliance = "drain" };
	struct ctl_record_result res;
	struct ctl_store *s = NULL;
	struct ctl_fleet *f = NULL;
	struct ctl_event ev;
	char db[512], state[512], path[32];
	double t0, dt;

	snprintf(db, sizeof(db), "%s/store.db", dir);
	snprintf(state, sizeof(state), "%s/store.db.fleet", dir);
	if (ctl_store_open(db, &s, NULL) < 0)
		return;
	ctl_store_begin(s);
	for (unsigned int k = 0; k < backlog; k++) {
		snprintf(path, sizeof(path), "/d/%u.jpg", k % 1000);
		ctl_test_event(&ev, k % 1000, "drain.example", path, 1000 + k);
		ctl_store_record(s, &ev, "dp0", "e1", k + 1, &res);
	}
	ctl_store_commit(s);
	fc.db = db;
	fc.state_file = state;
	if (ctl_fleet_new(&fc, &f, NULL) < 0)
		return;
	t0 = hwall_clock_s(CLOCK_MONOTONIC);
	ctl_fleet_round(f, 0);
	while (ctl_fleet_backlog(f) > 0)
		ctl_fleet_round(f, 0);
	dt = hwall_clock_s(CLOCK_MONOTONIC) - t0;
	printf("outbox drain: %u occurrences in %.2f s = %.0f/s (an hour at 1,000/s: %.0f s)\n",
	       backlog, dt, backlog / dt, 3.6e6 / (backlog / dt));
	ctl_fleet_free(f);
	ctl_store_close(s);
}

int main(int argc, char **argv)
{
	unsigned int apps = argc > 1 ? (unsigned int)atoi(argv[1]) : 100;
	unsigned int backlog = argc > 4 ? (unsigned int)atoi(argv[4]) : 20000;
	unsigned int reviews = argc > 5 ? (unsigned int)atoi(argv[5]) : 40;
	struct ctl_store *c = NULL;
	double one, all;

	n_events = argc > 2 ? (unsigned int)atoi(argv[2]) : 500;
	batch = argc > 3 ? (unsigned int)atoi(argv[3]) : 500;
	if (!getenv("HWALL_TEST_PG") || !apps || !n_events || !batch || !reviews) {
		fprintf(stderr, "usage: with_pg.sh bench_fleet [APPLIANCES] [EVENTS] [BATCH] "
				"[BACKLOG] [REVIEWS]\n");
		return 2;
	}
	snprintf(central, sizeof(central), "host=%s user=hwall dbname=postgres",
		 getenv("HWALL_TEST_PG_DIR"));
	if (ctl_store_open(central, &c, NULL) < 0)
		return 1;
	one = replicate(1000, 1);
	all = replicate(0, apps);
	printf("replication: 1 appliance %.0f occurrences/s (baseline); %u appliances "
	       "%.0f occurrences/s together (batch %u; machine shared, 2 cores)\n",
	       one, apps, all, batch);
	decision_latency(reviews);
	outbox_drain(backlog);
	ctl_store_close(c);
	return 0;
}
