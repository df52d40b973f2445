/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ingest benchmark: match events per second from the dataplane-side client
 * library through the SOCK_SEQPACKET socket into the store, committed
 * (WAL, synchronous=FULL, batched transactions) and acknowledged.  The
 * server runs in its own thread, as in controld; the figure counts from the
 * first event sent to the last acknowledgement received.  Synthetic events.
 *
 *   bench_ingest [EVENTS] [BATCH_MAX] [DIR] [OBJECTS]
 *
 * Defaults 100000, 4096, /tmp, 0.  OBJECTS 0: every event is a new
 * candidate (the worst case: candidate, occurrence and block inserted);
 * N: the events repeat N objects (candidates updated, occurrences added).
 */
#include "control/enforce.h"
#include "control/ingest.h"
#include "common/ingest_client.h"
#include "common/ingest_proto.h"
#include "common/algo.h"
#include "common/clock.h"
#include "hwall_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_bool done;
static double server_cpu; /* seconds of CPU the server thread used */

static void *server_main(void *arg)
{
	struct ctl_ingest *in = arg;

	while (!atomic_load(&done))
		ctl_ingest_run(in, 50);
	server_cpu = hwall_clock_s(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

static void submit(struct hwall_ic *ic, unsigned int n, unsigned int objects)
{
	char buf[1024];

	for (unsigned int k = 0; k < n; k++) {
		unsigned int i = objects ? k % objects : k;
		uint64_t st = 7 + i;
		uint8_t d[16];
		char hex[33];
		int len;
		hwall_test_rand_bytes(&st, d, sizeof(d));
		hwall_hex_format(d, sizeof(d), hex);
		len = snprintf(buf, sizeof(buf),
			       "{\"event\":\"match\",\"server_ip\":\"192.0.2.7\",\"server_port\":80,"
			       "\"client\":\"%.16s\",\"host\":\"site%u.example\","
			       "\"path\":\"/media/%u.jpg\",\"method\":\"GET\",\"status\":200,"
			       "\"size\":%u,\"complete\":true,\"partial\":false,"
			       "\"digests\":{\"xxh3-128\":\"%s\"},\"set\":\"bench\","
			       "\"set_version\":1,\"algo\":\"xxh3-128\",\"digest\":\"%s\","
			       "\"category\":1,\"ref\":%u}",
			       hex + 16, i % 1000, i, 1000 + i, hex, hex, i);
		if (hwall_ic_submit(ic, buf, (size_t)len) < 0)
			fprintf(stderr, "submit %u failed\n", k);
	}
}

int main(int argc, char **argv)
{
	unsigned int events = argc > 1 ? (unsigned int)atoi(argv[1]) : 100000;
	uint32_t batch = argc > 2 ? (uint32_t)atoi(argv[2]) : 4096;
	const char *base = argc > 3 ? argv[3] : "/tmp";
	unsigned int objects = argc > 4 ? (unsigned int)atoi(argv[4]) : 0;
	static const uint8_t key[CTL_CLIENT_KEY_LEN] = { 9 };
	struct ctl_enforce_config ec = { .block_ttl = 86400 };
	char db[300], sock[300];
	struct hwall_err err;
	const char *dir;
	struct ctl_ingest_config icfg = { .batch_max = batch, .client_key = key };
	struct hwall_ic_config ccfg = { .dataplane = "bench", .queue_max = events };
	struct ctl_metrics m = { 0 };
	struct ctl_store *store;
	struct ctl_enforce *enf;
	struct ctl_ingest *in;
	struct hwall_ic_stats st;
	struct hwall_ic *ic;
	pthread_t th;
	double t0, t1;

	if (events > HWALL_INGEST_SEQ_WINDOW) {
		/* the client queues them all: no more than it may have unacknowledged */
		fprintf(stderr, "at most %u events\n", HWALL_INGEST_SEQ_WINDOW);
		return 2;
	}
	dir = hwall_test_tmpdir_at(base, "bench-ingest");
	if (!dir)
		return 1;
	snprintf(db, sizeof(db), "%s/c.db", dir);
	snprintf(sock, sizeof(sock), "%s/i.sock", dir);
	icfg.socket_path = ccfg.socket_path = sock;
	icfg.metrics = &m;
	/* as controld runs it: every match also adds a block row */
	if (ctl_store_open(db, &store, NULL) < 0 || ctl_enforce_new(&ec, &enf, &err) < 0)
		return 1;
	icfg.on_record = ctl_enforce_on_match;
	icfg.after_commit = ctl_enforce_after_commit;
	icfg.hook_ctx = enf;
	if (ctl_ingest_new(&icfg, store, &in) < 0 || hwall_ic_new(&ccfg, &ic) < 0)
		return 1;
	submit(ic, events, objects);
	pthread_create(&th, NULL, server_main, in);
	t0 = hwall_mono_s();
	do {
		hwall_ic_poll(ic, 10);
		hwall_ic_stats(ic, &st);
	} while (st.acked < events && hwall_mono_s() - t0 < 300);
	t1 = hwall_mono_s();
	atomic_store(&done, true);
	pthread_join(th, NULL);
	printf("ingest (%s): %u events committed and acknowledged in %.3f s: %.0f events/s "
	       "(%llu commits, batch_max %u, WAL synchronous=FULL, %s)\n",
	       objects ? "repeated objects" : "every event a new candidate",
	       (unsigned int)st.acked, t1 - t0, (double)st.acked / (t1 - t0),
	       (unsigned long long)ctl_counter_get(&m, CTL_CTR_INGEST_COMMITS), batch, base);
	/* On a shared machine the wall clock includes waiting for a CPU; the
	 * server thread's own CPU time says what one core sustains. */
	printf("ingest: server thread used %.3f s of CPU: %.1f us per event, %.0f events/s "
	       "per core\n",
	       server_cpu, 1e6 * server_cpu / (double)st.acked, (double)st.acked / server_cpu);
	hwall_ic_free(ic);
	ctl_ingest_free(in);
	ctl_enforce_free(enf);
	ctl_store_close(store);
	return st.acked == events ? 0 : 1;
}
