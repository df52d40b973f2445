/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Integration test of the served-object journal and the retroactive
 * re-check: objects served through a worker reach the journal writer;
 * a later set version that lists one of them (the hand-over a load makes)
 * raises one retroactive match with the URL, the times it was served and
 * the count, which controld stores as a retroactive candidate; the same
 * version re-installed adds nothing; a pdq hash journaled by the PDQ
 * stage's hook is found by distance.  Afterwards no journal file holds
 * the client's address or a run of body bytes.
 */
#include "control/event.h"
#include "common/fileio.h"
#include "control/store.h"
#include "dataplane/journal/jwriter.h"
#include "dataplane/worker.h"
#include "dp_test.h"
#include "hwall_test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#define BODY_LEN 3000
#define LINES_MAX 16

static const char *dir, *jdir;
static struct hwall_pseudo_key key;
static uint8_t body_a[BODY_LEN], body_b[BODY_LEN];
static char lines[LINES_MAX][4096];
static unsigned int nlines;
static int64_t t0; /* unix seconds of the first serving */

static bool emit(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	if (nlines < LINES_MAX && len < sizeof(lines[0])) {
		memcpy(lines[nlines], line, len);
		lines[nlines][len] = '\0';
	}
	nlines++;
	return true;
}

static void on_event(void *ctx, const char *line, size_t len, bool match,
		     const struct dp_flow_key *flow)
{
	(void)ctx, (void)line, (void)len, (void)match, (void)flow;
}

static void feed(struct dp_worker *w, struct rte_mbuf *m, uint64_t now)
{
	dp_worker_packet(w, m, now);
	rte_pktmbuf_free(m);
}

/* One GET of @path answered with @body, at @t (unix seconds). */
static void serve(struct dp_worker *w, const char *path, const uint8_t *body, int64_t t)
{
	char req[128], resp[BODY_LEN + 128];
	uint64_t ns = (uint64_t)t * 1000000000ull;
	struct dp_test_conn c;
	size_t rl;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: shop.example\r\n\r\n", path);
	rl = (size_t)snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
			      BODY_LEN);
	memcpy(resp + rl, body, BODY_LEN);
	rl += BODY_LEN;
	dp_test_conn_init(&c, 4, 1000, 5000);
	feed(w, dp_test_seg(&c, true, 0, DP_TCP_SYN, "", 0), ns);
	c.cseq++;
	feed(w, dp_test_seg(&c, false, 0, DP_TCP_SYN, "", 0), ns);
	c.sseq++;
	feed(w, dp_test_seg(&c, true, 0, 0, req, strlen(req)), ns);
	c.cseq += (uint32_t)strlen(req);
	feed(w, dp_test_seg(&c, false, 0, 0, resp, rl), ns);
	c.sseq += (uint32_t)rl;
	feed(w, dp_test_seg(&c, false, 0, DP_TCP_FIN, "", 0), ns);
	feed(w, dp_test_seg(&c, true, 0, DP_TCP_FIN, "", 0), ns);
}

static void xxh3_of(const uint8_t *body, uint8_t out[16])
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits(body, BODY_LEN));
	memcpy(out, c.digest, 16);
}

/* Set "hotline" version @v with the xxh3-128 of @n bodies and, when
 * @pdq, that pdq hash; returns its path (static per version). */
static const char *make_set(uint64_t v, const uint8_t *const *bodies, int n, const uint8_t *pdq)
{
	static char paths[8][512];
	struct hws_builder *b = hws_builder_new("hotline", v);
	struct hwall_err err;
	uint8_t d[16];

	for (int i = 0; i < n; i++) {
		xxh3_of(bodies[i], d);
		CU_ASSERT_EQUAL(hws_builder_add(b, HWALL_ALGO_XXH3_128, d, 1, (uint32_t)(40 + i)), 0);
	}
	if (pdq)
		CU_ASSERT_EQUAL(hws_builder_add(b, HWALL_ALGO_PDQ, pdq, 3, 99), 0);
	snprintf(paths[v], sizeof(paths[v]), "%s/hotline-%lu.hws", dir, (unsigned long)v);
	CU_ASSERT_EQUAL(hws_builder_write(b, paths[v], NULL, &err), 0);
	hws_builder_free(b);
	return paths[v];
}

static struct hws_set *open_set(const char *path)
{
	struct hws_set *s = NULL;
	struct hwall_err err;

	CU_ASSERT_EQUAL(hws_open(path, &s, &err), 0);
	return s;
}

/* The line as controld ingests it: the candidate it records. */
static void to_controld(struct ctl_store *s, const char *line, uint64_t seq,
			struct ctl_record_result *res)
{
	cJSON *o = cJSON_Parse(line);
	struct ctl_event ev;
	struct hwall_err err;

	CU_ASSERT_EQUAL_FATAL(ctl_event_parse(o, t0 + 100, &ev, &err), 0);
	cJSON_Delete(o);
	CU_ASSERT_EQUAL(ctl_store_begin(s), 0);
	CU_ASSERT_EQUAL(ctl_store_record(s, &ev, "dp0", "e1", seq, res), 0);
	CU_ASSERT_EQUAL(ctl_store_commit(s), 0);
}

/* Whether any file of @d holds @needle (@n bytes). */
static bool dir_holds(const char *d, const void *needle, size_t n)
{
	DIR *dh = opendir(d);
	struct dirent *e;
	bool found = false;

	while (dh && !found && (e = readdir(dh)) != NULL) {
		char p[4096], *buf = NULL;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
		if (hwall_read_file(p, 1u << 26, &buf, &len) == 0)
			found = memmem(buf, len, needle, n) != NULL;
		free(buf);
	}
	if (dh)
		closedir(dh);
	return found;
}

/* The writer's status members (as sent to controld) hold @text. */
static void status_has(struct dp_jwriter *jw, const char *text)
{
	char buf[4096];
	struct hwall_json j;
	size_t n;

	hwall_json_init(&j, buf, sizeof(buf));
	hwall_json_obj_begin(&j, NULL);
	dp_jwriter_status_json(jw, &j);
	hwall_json_obj_end(&j);
	CU_ASSERT_EQUAL_FATAL(hwall_json_finish(&j, &n), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, text));
}

static void test_retroactive(void)
{
	struct dp_jwriter_conf jc = { .pdq_dist = 31, .rings = 1, .ring_size = 256 };
	const uint8_t *v1b[] = { body_b }, *v2b[] = { body_b, body_a };
	static const uint8_t client_v4[4] = { 10, 0, 0, 1 };
	struct dp_worker_conf conf;
	struct ctl_record_result res;
	struct ctl_candidate cand;
	struct dp_jwriter *jw = NULL;
	struct ctl_store *store = NULL;
	struct hwall_err err;
	struct dp_worker w;
	struct dp_flow_key k = { .server_port = 80 };
	uint8_t xa[16], pdq[32], near[32];
	const char *v1, *v2, *v3;
	uint64_t seed = 77;

	dp_journal_conf_default(&jc.journal);
	jc.journal.dir = jdir;
	CU_ASSERT_EQUAL_FATAL(dp_jwriter_start(&jc, emit, NULL, &jw, &err), 0);
	dp_worker_conf_default(&conf);
	CU_ASSERT_EQUAL_FATAL(dp_worker_init(&w, &conf, NULL, &key, on_event, NULL), 0);
	w.journal = dp_jwriter_ring(jw, 0);
	/* Served before any set knew them: A three times, B once. */
	serve(&w, "/img/a.bin", body_a, t0);
	serve(&w, "/img/a.bin", body_a, t0 + 4);
	serve(&w, "/img/b.bin", body_b, t0 + 5);
	serve(&w, "/img/a.bin", body_a, t0 + 9);
	CU_ASSERT_TRUE(dp_jwriter_idle_wait(jw, 5000));

	/* Version 1 lists B; version 2 (a delta) adds A. */
	v1 = make_set(1, v1b, 1, NULL);
	v2 = make_set(2, v2b, 2, NULL);
	CU_ASSERT_EQUAL(dp_jwriter_recheck(jw, "hotline", 1, v1, NULL), 0);
	CU_ASSERT_TRUE(dp_jwriter_idle_wait(jw, 5000));
	CU_ASSERT_EQUAL(nlines, 1); /* B, listed from the first version on */
	nlines = 0;
	CU_ASSERT_EQUAL(dp_jwriter_recheck(jw, "hotline", 2, v2, open_set(v1)), 0);
	CU_ASSERT_TRUE(dp_jwriter_idle_wait(jw, 5000));
	CU_ASSERT_EQUAL_FATAL(nlines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"retroactive\":true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"host\":\"shop.example\",\"path\":\"/img/a.bin\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"serve_count\":3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"set_version\":2"));
	CU_ASSERT_PTR_NULL(strstr(lines[0], "client"));

	/* controld: a retroactive candidate with the times and the count. */
	CU_ASSERT_EQUAL_FATAL(ctl_store_open(":memory:", &store, NULL), 0);
	to_controld(store, lines[0], 1, &res);
	CU_ASSERT_TRUE(res.created);
	CU_ASSERT_EQUAL_FATAL(ctl_store_candidate(store, res.candidate_id, &cand), 0);
	CU_ASSERT_TRUE(cand.retroactive);
	CU_ASSERT_EQUAL(cand.first_seen, t0);
	CU_ASSERT_EQUAL(cand.last_seen, t0 + 9);
	CU_ASSERT_EQUAL(cand.occurrences, 3);
	CU_ASSERT_STRING_EQUAL(cand.path, "/img/a.bin");

	/* The same version installed again: no re-check, no line; and the
	 * line again at controld (a journal wiped, say) stores nothing. */
	nlines = 0;
	CU_ASSERT_EQUAL(dp_jwriter_recheck(jw, "hotline", 2, v2, open_set(v1)), 0);
	CU_ASSERT_TRUE(dp_jwriter_idle_wait(jw, 5000));
	CU_ASSERT_EQUAL(nlines, 0);
	to_controld(store, lines[0], 2, &res);
	CU_ASSERT_TRUE(res.known);
	CU_ASSERT_FALSE(res.created);
	status_has(jw, "\"recheck_runs\":2,\"recheck_skipped\":1,");
	status_has(jw, "\"recheck_candidates\":2,\"recheck_set_version\":2,");
	status_has(jw, "\"journal_records\":4,\"journal_repeats\":2,");

	/* pdq: the PDQ stage's hook journals A's hash; version 3 lists one
	 * 6 bits away. */
	hwall_test_rand_bytes(&seed, pdq, sizeof(pdq));
	memcpy(near, pdq, sizeof(near));
	near[5] ^= 0x3f;
	xxh3_of(body_a, xa);
	k.server[10] = k.server[11] = 0xff;
	k.server[12] = 10;
	k.server[15] = 2;
	dp_jput_pdq(w.journal, xa, pdq, "shop.example", "/img/a.bin", 4, &k,
		    (uint64_t)(t0 + 12) * 1000000000ull);
	CU_ASSERT_TRUE(dp_jwriter_idle_wait(jw, 5000));
	v3 = make_set(3, v2b, 2, near);
	nlines = 0;
	CU_ASSERT_EQUAL(dp_jwriter_recheck(jw, "hotline", 3, v3, open_set(v2)), 0);
	CU_ASSERT_TRUE(dp_jwriter_idle_wait(jw, 5000));
	CU_ASSERT_EQUAL_FATAL(nlines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"algo\":\"pdq\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"distance\":6"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lines[0], "\"serve_count\":3"));

	dp_worker_fini(&w);
	dp_jwriter_stop(jw);
	ctl_store_close(store);
	/* No client address, no body bytes in any journal file. */
	CU_ASSERT_FALSE(dir_holds(jdir, client_v4, sizeof(client_v4)));
	CU_ASSERT_FALSE(dir_holds(jdir, body_a + 1000, 32));
	CU_ASSERT_FALSE(dir_holds(jdir, body_b, 32));
	CU_ASSERT_TRUE(dir_holds(jdir, "/img/a.bin", 10));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "served, then listed: a retroactive candidate", test_retroactive },
		CU_TEST_INFO_NULL,
	};
	uint64_t s1 = 1, s2 = 2;
	int r;

	hwall_test_rand_bytes(&s1, body_a, sizeof(body_a));
	hwall_test_rand_bytes(&s2, body_b, sizeof(body_b));
	t0 = (int64_t)time(NULL) - 60;
	dir = hwall_test_tmpdir("jrecheck");
	if (!dir || dp_test_eal() < 0)
		return 2;
	jdir = hwall_test_tmpdir("jrecheck-journal");
	if (!jdir)
		return 2;
	r = hwall_test_main("dataplane/journal-recheck", tests);
	dp_test_eal_done();
	return r;
}
