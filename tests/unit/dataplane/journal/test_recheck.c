/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/journal/recheck.c: the entries a set gained,
 * looked up in closed and open segments (exact and pdq by distance), the
 * event line, and the per-set record of versions re-checked. */
#include "dataplane/journal/recheck.h"
#include "journal_test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define XMD (1u << HWALL_ALGO_XXH3_128 | 1u << HWALL_ALGO_MD5)
#define XPDQ (1u << HWALL_ALGO_XXH3_128 | 1u << HWALL_ALGO_PDQ)

static int64_t day(int k) { return (1796000000ll / DAY + k) * DAY; }

struct got {
	unsigned int n;
	char line[8][4096];
	uint32_t count[8];
	int64_t first[8], last[8];
	unsigned int dist[8];
	char path[8][64];
};

static int on_hit(void *ctx, const struct dp_recheck_hit *h)
{
	struct got *g = ctx;

	if (g->n < 8) {
		dp_recheck_event(h, g->line[g->n], sizeof(g->line[0]));
		g->count[g->n] = h->rec->count;
		g->first[g->n] = h->rec->first;
		g->last[g->n] = h->rec->last;
		g->dist[g->n] = h->distance;
		snprintf(g->path[g->n], sizeof(g->path[0]), "%.*s", h->rec->path_len, h->rec->path);
	}
	g->n++;
	return 0;
}

/* A set file @id version @v in @dir with the md5 of seeds @md5s and the
 * pdq of seeds @pdqs. */
static struct hws_set *set_of(const char *dir, uint64_t v, const uint64_t *md5s, int nm,
			      const uint64_t *pdqs, int np)
{
	struct hws_builder *b = hws_builder_new("hotline", v);
	struct hws_set *s = NULL;
	struct hwall_err err;
	uint8_t d[32];
	char path[4096];

	for (int i = 0; i < nm; i++) {
		jt_digest(md5s[i], HWALL_ALGO_MD5, d);
		CU_ASSERT_EQUAL(hws_builder_add(b, HWALL_ALGO_MD5, d, 2, (uint32_t)(500 + i)), 0);
	}
	for (int i = 0; i < np; i++) {
		jt_digest(pdqs[i], HWALL_ALGO_PDQ, d);
		d[31] ^= 0x07; /* 3 bits from the served image's hash */
		CU_ASSERT_EQUAL(hws_builder_add(b, HWALL_ALGO_PDQ, d, 1, 900), 0);
	}
	snprintf(path, sizeof(path), "%s/hotline-%lu.hws", dir, (unsigned long)v);
	CU_ASSERT_EQUAL(hws_builder_write(b, path, NULL, &err), 0);
	hws_builder_free(b);
	CU_ASSERT_EQUAL(hws_open(path, &s, &err), 0);
	return s;
}

/* Days 0 and 1 closed, day 2 open: objects 1..6 served, 3 on two URLs. */
static struct dp_journal *served(const char *dir)
{
	struct dp_journal_conf c;
	struct dp_journal *j = NULL;
	struct hwall_err err;
	struct jt_rec a;

	dp_journal_conf_default(&c);
	c.dir = dir;
	CU_ASSERT_EQUAL_FATAL(dp_journal_open(&c, day(0), &j, &err), 0);
	for (int k = 0; k < 3; k++) {
		jt_make(&a, 1, XMD, "a.example", "/one.bin", day(0) + 100 + 10 * k);
		dp_journal_put(j, &a.r);
	}
	jt_make(&a, 2, XMD, "a.example", "/two.bin", day(0) + 200);
	dp_journal_put(j, &a.r);
	jt_make(&a, 3, XMD, "a.example", "/three.bin", day(0) + 300);
	dp_journal_put(j, &a.r);
	CU_ASSERT_EQUAL(dp_journal_tick(j, day(1), &err), 0);
	jt_make(&a, 3, XMD, "b.example", "/three-again.bin", day(1) + 50);
	dp_journal_put(j, &a.r);
	jt_make(&a, 4, XPDQ, "img.example", "/cat.jpg", day(1) + 60);
	dp_journal_put(j, &a.r);
	CU_ASSERT_EQUAL(dp_journal_tick(j, day(2), &err), 0);
	jt_make(&a, 5, XMD, "a.example", "/five.bin", day(2) + 7);
	dp_journal_put(j, &a.r);
	jt_make(&a, 6, XPDQ, "img.example", "/dog.jpg", day(2) + 8);
	dp_journal_put(j, &a.r);
	CU_ASSERT_EQUAL(dp_journal_segments(j), 2);
	return j;
}

/* v1 lists 2; v2 adds 1, 3 and 5 (exact) and 4 and 6 (pdq, 3 bits off):
 * the re-check of v2 over v1 finds exactly the added ones, where and
 * when they were served. */
static void test_added_entries(void)
{
	const char *dir = hwall_test_tmpdir("recheck");
	struct dp_journal *j = served(dir);
	uint64_t v1m[] = { 2 }, v2m[] = { 1, 2, 3, 5 }, v2p[] = { 4, 6 };
	struct hws_set *v1 = set_of(dir, 1, v1m, 1, NULL, 0), *v2 = set_of(dir, 2, v2m, 4, v2p, 2);
	struct dp_recheck_stats st;
	struct got g = { 0 };

	CU_ASSERT_EQUAL_FATAL(dp_recheck_run(j, v2, v1, 31, on_hit, &g, &st), 0);
	CU_ASSERT_EQUAL(st.added, 5);
	CU_ASSERT_EQUAL(st.looked_up, 5);
	CU_ASSERT_EQUAL_FATAL(g.n, 6);
	/* Closed segments first, in the set's order (md5 by digest, then
	 * pdq); which md5 sorts first depends on the digests, so find them. */
	for (unsigned int i = 0; i < 6; i++) {
		if (strcmp(g.path[i], "/one.bin") == 0) {
			CU_ASSERT_EQUAL(g.count[i], 3);
			CU_ASSERT_EQUAL(g.first[i], day(0) + 100);
			CU_ASSERT_EQUAL(g.last[i], day(0) + 120);
			CU_ASSERT_PTR_NOT_NULL(strstr(g.line[i], "\"retroactive\":true"));
			CU_ASSERT_PTR_NOT_NULL(strstr(g.line[i], "\"serve_count\":3"));
			CU_ASSERT_PTR_NOT_NULL(strstr(g.line[i], "\"set\":\"hotline\",\"set_version\":2"));
			CU_ASSERT_PTR_NOT_NULL(strstr(g.line[i], "\"server_ip\":\"192.0.2.7\""));
			CU_ASSERT_PTR_NULL(strstr(g.line[i], "client"));
		} else if (strcmp(g.path[i], "/cat.jpg") == 0 || strcmp(g.path[i], "/dog.jpg") == 0) {
			CU_ASSERT_EQUAL(g.dist[i], 3);
			CU_ASSERT_PTR_NOT_NULL(strstr(g.line[i], "\"algo\":\"pdq\""));
			CU_ASSERT_PTR_NOT_NULL(strstr(g.line[i], "\"distance\":3"));
		} else {
			CU_ASSERT_TRUE(strcmp(g.path[i], "/three.bin") == 0 ||
				       strcmp(g.path[i], "/three-again.bin") == 0 ||
				       strcmp(g.path[i], "/five.bin") == 0);
		}
		CU_ASSERT_STRING_NOT_EQUAL(g.path[i], "/two.bin");
	}
	/* pdq beyond the distance: no hit. */
	g.n = 0;
	CU_ASSERT_EQUAL(dp_recheck_run(j, v2, v1, 2, on_hit, &g, &st), 0);
	CU_ASSERT_EQUAL(g.n, 4);
	/* Nothing loaded before: every entry is new (2 as well). */
	g.n = 0;
	CU_ASSERT_EQUAL(dp_recheck_run(j, v2, NULL, 31, on_hit, &g, &st), 0);
	CU_ASSERT_EQUAL(st.added, 6);
	CU_ASSERT_EQUAL(g.n, 7);
	hws_close(v1);
	hws_close(v2);
	dp_journal_close(j);
}

/* The versions re-checked, per set. */
static void test_done_mark(void)
{
	const char *dir = hwall_test_tmpdir("recheck-state");

	CU_ASSERT_EQUAL(dp_recheck_done(dir, "nl/meldpunt"), 0);
	CU_ASSERT_EQUAL(dp_recheck_mark(dir, "nl/meldpunt", 42), 0);
	CU_ASSERT_EQUAL(dp_recheck_done(dir, "nl/meldpunt"), 42);
	CU_ASSERT_EQUAL(dp_recheck_done(dir, "other"), 0);
	CU_ASSERT_EQUAL(dp_recheck_mark(dir, "nl/meldpunt", 43), 0);
	CU_ASSERT_EQUAL(dp_recheck_done(dir, "nl/meldpunt"), 43);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "added entries, exact and pdq", test_added_entries },
		{ "versions re-checked", test_done_mark },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("dataplane/recheck", tests);
}
