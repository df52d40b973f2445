/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/journal: records, the open segment (dedup, log,
 * torn tail), closing into indexed segments, lookups (exact, pdq by
 * distance), retention and corrupt segments. */
#include "dataplane/journal/journal.h"
#include "journal_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DAY 86400
#define T0 1796000000ll /* day(k): the start of the k-th day from about T0 */
#define XMD (1u << HWALL_ALGO_XXH3_128 | 1u << HWALL_ALGO_MD5)

static int64_t day(int k) { return (T0 / DAY + k) * DAY; }

/* A fresh journal directory. */
static const char *fresh(const char *tag)
{
	return hwall_test_tmpdir(tag);
}

static struct dp_journal *jopen_at(const char *dir, int64_t now, int64_t retention)
{
	struct dp_journal_conf c;
	struct hwall_err err;
	struct dp_journal *j = NULL;

	dp_journal_conf_default(&c);
	c.dir = dir;
	c.retention = retention;
	CU_ASSERT_EQUAL(dp_journal_open(&c, now, &j, &err), 0);
	return j;
}

struct hits {
	unsigned int n;
	uint32_t count[8];
	int64_t first[8], last[8];
	unsigned int dist[8];
	char path[8][128];
};

static int on_hit(void *ctx, const struct dp_jrec *r, unsigned int dist)
{
	struct hits *h = ctx;

	if (h->n < 8) {
		h->count[h->n] = r->count;
		h->first[h->n] = r->first;
		h->last[h->n] = r->last;
		h->dist[h->n] = dist;
		snprintf(h->path[h->n], sizeof(h->path[0]), "%.*s", r->path_len, r->path);
	}
	h->n++;
	return 0;
}

static mode_t mode_of(const char *dir, int64_t start, const char *ext)
{
	char p[4096];
	struct stat st;

	CU_ASSERT_EQUAL(dp_jseg_path(p, sizeof(p), dir, start, ext), 0);
	return stat(p, &st) == 0 ? st.st_mode & 07777 : 0;
}

/* The record codec round-trips and refuses what it must. */
static void test_record(void)
{
	struct jt_rec a;
	struct dp_jrec b;
	uint8_t buf[DP_JREC_MAX];
	struct hwall_err err;
	size_t len;

	jt_make(&a, 1, XMD, "cdn.example", "/a.jpg", day(0) + 5);
	a.r.id = 7;
	len = dp_jrec_encode(&a.r, buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(len, DP_JREC_FIXED + 32 + 11 + 6);
	CU_ASSERT_EQUAL(dp_jrec_decode(buf, len, &b, &err), (int)len);
	CU_ASSERT_EQUAL(b.id, 7);
	CU_ASSERT_EQUAL(memcmp(dp_jrec_digest(&b, HWALL_ALGO_MD5), a.dg + 16, 16), 0);
	CU_ASSERT_PTR_NULL(dp_jrec_digest(&b, HWALL_ALGO_SHA1));
	CU_ASSERT_EQUAL(memcmp(b.path, "/a.jpg", 6), 0);
	CU_ASSERT_EQUAL(dp_jrec_decode(buf, len - 1, &b, &err), -EINVAL);
	buf[len - 1] ^= 1;
	CU_ASSERT_EQUAL(dp_jrec_decode(buf, len, &b, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "checksum"));
	a.r.mask = 1u << HWALL_ALGO_MD5; /* no xxh3-128 */
	CU_ASSERT_EQUAL(dp_jrec_encode(&a.r, buf, sizeof(buf)), 0);
}

/* Repeats of (xxh3-128, URL) in a period update one record. */
static void test_dedup(void)
{
	const char *dir = fresh("jdedup");
	struct dp_journal *j = jopen_at(dir, day(0) + 10, 7 * DAY);
	struct dp_journal_stats st;
	struct jt_rec a;
	struct dp_jrec v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	for (int k = 0; k < 3; k++) {
		jt_make(&a, 1, XMD, "cdn.example", "/a.jpg", day(0) + 10 + 5 * k);
		CU_ASSERT_EQUAL(dp_journal_put(j, &a.r), 0);
	}
	jt_make(&a, 1, XMD, "cdn.example", "/b.jpg", day(0) + 11);
	CU_ASSERT_EQUAL(dp_journal_put(j, &a.r), 0);
	dp_journal_stats(j, &st);
	CU_ASSERT_EQUAL(st.open_records, 2);
	CU_ASSERT_EQUAL(st.repeats, 2);
	dp_journal_open_record(j, 0, &v);
	CU_ASSERT_EQUAL(v.count, 3);
	CU_ASSERT_EQUAL(v.first, day(0) + 10);
	CU_ASSERT_EQUAL(v.last, day(0) + 20);
	/* A late pdq hash (the PDQ stage's hook) joins the record. */
	jt_make(&a, 1, 1u << HWALL_ALGO_XXH3_128 | 1u << HWALL_ALGO_PDQ, "cdn.example", "/a.jpg",
		day(0) + 21);
	CU_ASSERT_EQUAL(dp_journal_put(j, &a.r), 0);
	dp_journal_open_record(j, 0, &v);
	CU_ASSERT_EQUAL(v.mask, XMD | 1u << HWALL_ALGO_PDQ);
	CU_ASSERT_EQUAL(memcmp(dp_jrec_digest(&v, HWALL_ALGO_PDQ), a.dg + 16, 32), 0);
	CU_ASSERT_EQUAL(v.count, 4);
	dp_journal_close(j);
}

/* The period ends: the open segment becomes a segment indexed by digest;
 * one md5 on two URLs has two records; files are 0600; the log is gone. */
static void test_close_lookup(void)
{
	const char *dir = fresh("jclose");
	struct dp_journal *j = jopen_at(dir, day(0) + 10, 7 * DAY);
	struct hwall_err err;
	struct hits h = { 0 };
	uint8_t md5[16], other[16];
	struct jt_rec a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	for (int k = 0; k < 50; k++) {
		jt_make(&a, (uint64_t)k + 100, XMD, "h.example", "/x", day(0) + 100 + k);
		CU_ASSERT_EQUAL(dp_journal_put(j, &a.r), 0);
	}
	jt_make(&a, 100, XMD, "h.example", "/copy", day(0) + 500);
	CU_ASSERT_EQUAL(dp_journal_put(j, &a.r), 0);
	CU_ASSERT_EQUAL(dp_journal_put(j, &a.r), 0);
	CU_ASSERT_EQUAL(dp_journal_tick(j, day(0) + 600, &err), 0);
	CU_ASSERT_EQUAL(dp_journal_segments(j), 0);
	CU_ASSERT_EQUAL(mode_of(dir, day(0), "log"), 0600);
	CU_ASSERT_EQUAL(dp_journal_tick(j, day(1) + 1, &err), 0);
	CU_ASSERT_EQUAL_FATAL(dp_journal_segments(j), 1);
	CU_ASSERT_EQUAL(dp_jseg_records(dp_journal_segment(j, 0)), 51);
	CU_ASSERT_EQUAL(dp_journal_open_count(j), 0);
	CU_ASSERT_EQUAL(mode_of(dir, day(0), "jrn"), 0600);
	CU_ASSERT_EQUAL(mode_of(dir, day(0), "idx"), 0600);
	CU_ASSERT_EQUAL(mode_of(dir, day(0), "log"), 0);
	CU_ASSERT_EQUAL(mode_of(dir, day(1), "log"), 0600);
	jt_digest(100, HWALL_ALGO_MD5, md5);
	CU_ASSERT_EQUAL(dp_jseg_lookup(dp_journal_segment(j, 0), HWALL_ALGO_MD5, md5, 0, on_hit, &h,
				       NULL), 0);
	CU_ASSERT_EQUAL_FATAL(h.n, 2);
	CU_ASSERT_STRING_EQUAL(h.path[0], "/x");
	CU_ASSERT_EQUAL(h.count[0], 1);
	CU_ASSERT_STRING_EQUAL(h.path[1], "/copy");
	CU_ASSERT_EQUAL(h.count[1], 2);
	CU_ASSERT_EQUAL(h.first[1], day(0) + 500);
	jt_digest(9999, HWALL_ALGO_MD5, other);
	h.n = 0;
	dp_jseg_lookup(dp_journal_segment(j, 0), HWALL_ALGO_MD5, other, 0, on_hit, &h, NULL);
	CU_ASSERT_EQUAL(h.n, 0);
	dp_journal_close(j);
	/* Reopened: the segment is found and validated again. */
	j = jopen_at(dir, day(1) + 5, 7 * DAY);
	CU_ASSERT_EQUAL(dp_journal_segments(j), 1);
	dp_journal_close(j);
}

/* pdq in a closed segment is found by Hamming distance. */
static void test_pdq_distance(void)
{
	const char *dir = fresh("jpdq");
	struct dp_journal *j = jopen_at(dir, day(0), 7 * DAY);
	uint32_t m = 1u << HWALL_ALGO_XXH3_128 | 1u << HWALL_ALGO_PDQ;
	struct hwall_err err;
	struct hits h = { 0 };
	uint8_t q[32];
	struct jt_rec a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	for (int k = 0; k < 20; k++) {
		jt_make(&a, (uint64_t)k + 1, m, "img.example", "/p.png", day(0) + k);
		CU_ASSERT_EQUAL(dp_journal_put(j, &a.r), 0);
	}
	CU_ASSERT_EQUAL(dp_journal_tick(j, day(1), &err), 0);
	CU_ASSERT_EQUAL_FATAL(dp_journal_segments(j), 1);
	jt_digest(7, HWALL_ALGO_PDQ, q);
	q[0] ^= 0x1f; /* 5 bits away */
	CU_ASSERT_EQUAL(dp_jseg_lookup(dp_journal_segment(j, 0), HWALL_ALGO_PDQ, q, 31, on_hit, &h,
				       NULL), 0);
	CU_ASSERT_EQUAL_FATAL(h.n, 1);
	CU_ASSERT_EQUAL(h.dist[0], 5);
	CU_ASSERT_EQUAL(h.first[0], day(0) + 6);
	h.n = 0;
	dp_jseg_lookup(dp_journal_segment(j, 0), HWALL_ALGO_PDQ, q, 4, on_hit, &h, NULL);
	CU_ASSERT_EQUAL(h.n, 0);
	dp_journal_close(j);
}

static off_t size_of(const char *dir, int64_t start, const char *ext)
{
	char p[4096];
	struct stat st;

	dp_jseg_path(p, sizeof(p), dir, start, ext);
	return stat(p, &st) == 0 ? st.st_size : -1;
}

/* A crash: what was flushed comes back, a torn last record is cut off,
 * an update written to the log replaces the record. */
static void test_crash_tail(void)
{
	const char *dir = fresh("jcrash");
	struct dp_journal_stats st;
	struct dp_journal *j;
	struct jt_rec a;
	struct dp_jrec v;
	char p[4096];
	off_t good;
	pid_t pid;
	int fd, status;

	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct hwall_err err;

		j = jopen_at(dir, day(0) + 1, 7 * DAY);
		jt_make(&a, 1, XMD, "h", "/1", day(0) + 2);
		dp_journal_put(j, &a.r);
		jt_make(&a, 2, XMD, "h", "/2", day(0) + 2);
		dp_journal_put(j, &a.r);
		dp_journal_tick(j, day(0) + 3, &err);
		jt_make(&a, 1, XMD, "h", "/1", day(0) + 9);
		dp_journal_put(j, &a.r);
		dp_journal_tick(j, day(0) + 10, &err);
		jt_make(&a, 3, XMD, "h", "/3", day(0) + 11); /* not flushed: lost */
		dp_journal_put(j, &a.r);
		kill(getpid(), SIGKILL);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	good = size_of(dir, day(0), "log");
	/* Half a record at the end, as a write cut by the crash leaves it. */
	dp_jseg_path(p, sizeof(p), dir, day(0), "log");
	fd = open(p, O_WRONLY | O_APPEND);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "\x90\x00\x00\x00garbage", 11), 11);
	close(fd);
	j = jopen_at(dir, day(0) + 20, 7 * DAY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	dp_journal_stats(j, &st);
	CU_ASSERT_EQUAL(st.torn, 1);
	CU_ASSERT_EQUAL(st.recovered, 3);
	CU_ASSERT_EQUAL(st.open_records, 2);
	CU_ASSERT_EQUAL(size_of(dir, day(0), "log"), good);
	dp_journal_open_record(j, 0, &v);
	CU_ASSERT_EQUAL(v.count, 2);
	CU_ASSERT_EQUAL(v.last, day(0) + 9);
	dp_journal_close(j);
	/* A later start in the next period closes the log into a segment. */
	j = jopen_at(dir, day(1) + 20, 7 * DAY);
	CU_ASSERT_EQUAL(dp_journal_segments(j), 1);
	CU_ASSERT_EQUAL(size_of(dir, day(0), "log"), -1);
	dp_journal_close(j);
}

/* A crash while a period is being closed: the .idx written, the .jrn
 * not yet.  The log is still there, so the next start closes it again. */
static void test_crash_closing(void)
{
	const char *dir = fresh("jclosing");
	struct dp_journal *j = jopen_at(dir, day(0) + 1, 7 * DAY);
	struct hwall_err err;
	struct jt_rec a;
	char jp[4096];
	uint8_t md5[16];
	struct hits h = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	jt_make(&a, 5, XMD, "h", "/c", day(0) + 2);
	dp_journal_put(j, &a.r);
	CU_ASSERT_EQUAL(dp_journal_tick(j, day(1), &err), 0);
	dp_journal_close(j);
	/* Undo the end of the close: no .jrn, a log again (the records of
	 * the closed segment are what the log held). */
	dp_jseg_path(jp, sizeof(jp), dir, day(0), "jrn");
	CU_ASSERT_EQUAL(unlink(jp), 0);
	j = jopen_at(dir, day(0) + 3, 7 * DAY);
	dp_journal_put(j, &a.r);
	dp_journal_close(j); /* the log holds the record again */
	CU_ASSERT(size_of(dir, day(0), "idx") > 0);
	CU_ASSERT_EQUAL(size_of(dir, day(0), "jrn"), -1);
	j = jopen_at(dir, day(1) + 3, 7 * DAY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL_FATAL(dp_journal_segments(j), 1);
	CU_ASSERT_EQUAL(size_of(dir, day(0), "log"), -1);
	jt_digest(5, HWALL_ALGO_MD5, md5);
	dp_jseg_lookup(dp_journal_segment(j, 0), HWALL_ALGO_MD5, md5, 0, on_hit, &h, NULL);
	CU_ASSERT_EQUAL(h.n, 1);
	dp_journal_close(j);
}

/* Retention deletes whole segments; a corrupt one is refused with the
 * reason and the others are still used. */
static void test_retention_corrupt(void)
{
	const char *dir = fresh("jret");
	struct dp_journal *j = jopen_at(dir, day(0), 2 * DAY);
	struct hwall_err err;
	struct jt_rec a;
	char p[4096];
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	for (int d = 0; d < 4; d++) {
		jt_make(&a, (uint64_t)d + 1, XMD, "h", "/r", day(d) + 1);
		CU_ASSERT_EQUAL(dp_journal_put(j, &a.r), 0);
		CU_ASSERT_EQUAL(dp_journal_tick(j, day(d + 1), &err), 0);
	}
	/* Day 0 ended at day(1), more than 2 days before day(4). */
	CU_ASSERT_EQUAL(dp_journal_segments(j), 2);
	CU_ASSERT_EQUAL(size_of(dir, day(0), "jrn"), -1);
	CU_ASSERT_EQUAL(size_of(dir, day(0), "idx"), -1);
	CU_ASSERT_EQUAL(size_of(dir, day(1), "jrn"), -1);
	CU_ASSERT(size_of(dir, day(2), "jrn") > 0);
	dp_journal_close(j);
	/* One flipped byte in day 2's records. */
	dp_jseg_path(p, sizeof(p), dir, day(2), "jrn");
	fd = open(p, O_RDWR);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(pwrite(fd, "\xff", 1, DP_JSEG_HEADER + 30), 1);
	close(fd);
	j = jopen_at(dir, day(4) + 1, 2 * DAY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(dp_journal_segments(j), 1);
	CU_ASSERT_EQUAL(dp_jseg_start(dp_journal_segment(j, 0)), day(3));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp_journal_refused(j, 0));
	CU_ASSERT_PTR_NOT_NULL(strstr(dp_journal_refused(j, 0), "checksum mismatch"));
	CU_ASSERT_PTR_NOT_NULL(strstr(dp_journal_refused(j, 0), "seg-"));
	dp_journal_close(j);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "record codec", test_record },
		{ "repeats update one record", test_dedup },
		{ "close, index, lookup", test_close_lookup },
		{ "pdq by distance", test_pdq_distance },
		{ "crash: torn tail, updates", test_crash_tail },
		{ "crash while closing a period", test_crash_closing },
		{ "retention and a corrupt segment", test_retention_corrupt },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("dataplane/journal", tests);
}
