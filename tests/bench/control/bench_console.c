/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Console page benchmark: the API calls behind the console's three busiest
 * pages, answered by ctl_api_dispatch() (the HTTP layer left out) from a
 * store of CANDIDATES synthetic candidates on 1,000 hosts and OCCURRENCES
 * occurrences spread over them: the queue's first page, a filtered page
 * (status and host) and a candidate page (its 100 newest occurrences and
 * its trail).  Prints the median and the 95th percentile of each over ROUNDS
 * requests, and as a baseline measured in the same run the status call
 * (counts per status: one pass over the candidates).  The target:
 * 100 ms at the 95th percentile with 1,000,000 candidates and 10,000,000
 * occurrences.  The store is filled with SQL (rows as ingest writes them,
 * with synthetic digests), not through ingest, to keep the set-up short.
 *
 *   bench_console [CANDIDATES] [OCCURRENCES] [ROUNDS] [DIR]
 *   defaults 1000000 10000000 200 /tmp
 */
#include "control/api.h"
#include "common/clock.h"
#include "hwall_test.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN "bench-viewer-token"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int fill(const char *db, long cands, long occs)
{
	char sql[2048];
	sqlite3 *q;
	int r;

	if (sqlite3_open(db, &q) != SQLITE_OK)
		return -1;
	snprintf(sql, sizeof(sql),
		 "PRAGMA synchronous=OFF; BEGIN;"
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %ld)"
		 " INSERT INTO candidates (id, ckey, set_id, algo, digest, host, path, set_version,"
		 " server_ip, server_port, category, ref, status, first_seen, last_seen, occurrences)"
		 " SELECT i, i, 'hotline', 'md5', printf('%%032x', i), printf('h%%d.example', i %% 1000),"
		 " printf('/img/%%d.jpg', i), 5, '192.0.2.1', 80, 1, i,"
		 " CASE i %% 10 WHEN 0 THEN 'confirmed' WHEN 1 THEN 'taken_down' ELSE 'new' END,"
		 " 1795960000 + i, 1795960000 + i, %ld / %ld FROM n;"
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %ld)"
		 " INSERT INTO occurrences (candidate_id, seen, client, method, server_ip, server_port,"
		 " http_status, size, complete, partial, dataplane, epoch, seq)"
		 " SELECT 1 + (i * 7919) %% %ld, 1795960000 + i, printf('%%016x', i * 31), 'GET',"
		 " '192.0.2.1', 80, 200, 1000, 1, 0, 'dp0', 'e', i FROM n;"
		 "COMMIT;",
		 cands, occs, cands, occs, cands);
	r = sqlite3_exec(q, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	if (r < 0)
		fprintf(stderr, "fill: %s\n", sqlite3_errmsg(q));
	sqlite3_close(q);
	return r;
}

/* Median and 95th percentile (ms) of @rounds GETs of @path (ending in '/':
 * a random candidate id follows). */
static void measure(const struct ctl_api_config *api, const char *label, const char *path,
		    const char *arg_key, const char *arg_val, long ids, int rounds)
{
	double *t = calloc((size_t)rounds, sizeof(*t));
	uint64_t st = 12345;
	char p[128];

	for (int i = 0; t && i < rounds; i++) {
		struct ctl_request req = { .method = "GET", .path = p,
					   .authorization = "Bearer " TOKEN };
		struct ctl_response resp;
		double t0;
		if (path[strlen(path) - 1] == '/')
			snprintf(p, sizeof(p), "%s%ld", path,
				 1 + (long)(hwall_test_rand(&st) % (uint64_t)ids));
		else
			snprintf(p, sizeof(p), "%s", path);
		if (arg_key) {
			req.args[0] = (struct ctl_kv){ "status", "new" };
			req.args[1] = (struct ctl_kv){ arg_key, arg_val };
			req.n_args = 2;
		}
		t0 = hwall_clock_s(CLOCK_MONOTONIC);
		ctl_api_dispatch(api, &req, &resp);
		t[i] = (hwall_clock_s(CLOCK_MONOTONIC) - t0) * 1000;
		if (resp.code != 200)
			fprintf(stderr, "%s: %d\n", label, resp.code);
		ctl_response_free(&resp);
	}
	if (!t)
		return;
	qsort(t, (size_t)rounds, sizeof(*t), cmp);
	printf("%-28s median %7.2f ms  p95 %7.2f ms  (%d requests)\n", label, t[rounds / 2],
	       t[(rounds * 95) / 100], rounds);
	free(t);
}

int main(int argc, char **argv)
{
	long cands = argc > 1 ? atol(argv[1]) : 1000000, occs = argc > 2 ? atol(argv[2]) : 10000000;
	int rounds = argc > 3 ? atoi(argv[3]) : 200;
	const char *dir = hwall_test_tmpdir_at(argc > 4 ? argv[4] : "/tmp", "bench-console");
	static struct ctl_token tok = { .name = "bench", .role = CTL_ROLE_VIEWER };
	struct ctl_tokens tokens = { .v = &tok, .n = 1 };
	struct ctl_store *s = NULL;
	struct ctl_api_config api;
	char db[300], hex[65];
	double t0;

	if (!dir || cands < 1 || occs < 1 || rounds < 1)
		return 2;
	snprintf(db, sizeof(db), "%s/c.db", dir);
	ctl_token_hash_hex(TOKEN, hex);
	hwall_hex_parse(hex, tok.hash, sizeof(tok.hash));
	pthread_rwlock_init(&tokens.lock, NULL);
	if (ctl_store_open(db, &s, NULL) < 0)
		return 1;
	t0 = hwall_clock_s(CLOCK_MONOTONIC);
	if (fill(db, cands, occs) < 0)
		return 1;
	printf("store: %ld candidates, %ld occurrences, filled in %.1f s\n", cands, occs,
	       hwall_clock_s(CLOCK_MONOTONIC) - t0);
	api = (struct ctl_api_config){ .store = s, .tokens = &tokens, .started = 1 };
	measure(&api, "baseline: status", "/api/v1/status", NULL, NULL, cands, rounds / 10 + 1);
	measure(&api, "queue, first page", "/api/v1/candidates", NULL, NULL, cands, rounds);
	measure(&api, "queue, status+host filter", "/api/v1/candidates", "host", "h7.example",
		cands, rounds);
	measure(&api, "candidate page", "/api/v1/candidates/", NULL, NULL, cands, rounds);
	ctl_store_close(s);
	hwall_test_tmpdir_remove(dir);
	return 0;
}
