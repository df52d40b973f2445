/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * journal.c - the served-object journal's directory: the open segment and
 * its period, closing it into a segment, the closed segments, retention
 * (see journal.h).
 */
#include "dataplane/journal/journal.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "dataplane/journal/jopen.h"

#define SEGS_MAX 4096

struct dp_journal {
	struct dp_journal_conf conf;
	char *dir;
	struct dp_jopen open;
	int64_t start, end;            /* the open segment's period */
	struct dp_jseg **segs;         /* oldest first */
	unsigned int nsegs;
	char *refused[DP_JOURNAL_REFUSED_MAX];
	struct dp_journal_stats st;
};

void dp_journal_conf_default(struct dp_journal_conf *c)
{
	*c = (struct dp_journal_conf){ .period = DP_JOURNAL_PERIOD_DEFAULT,
				       .retention = DP_JOURNAL_RETENTION_DEFAULT,
				       .max_open = DP_JOURNAL_MAX_OPEN_DEFAULT };
}

static int64_t period_start(const struct dp_journal *j, int64_t t)
{
	int64_t p = j->conf.period;

	return t >= 0 ? t - t % p : t - ((t % p) + p) % p;
}

static void refuse(struct dp_journal *j, const char *msg)
{
	if (j->st.refused < DP_JOURNAL_REFUSED_MAX)
		j->refused[j->st.refused] = strdup(msg);
	j->st.refused++;
}

static int seg_cmp(const void *a, const void *b)
{
	int64_t x = dp_jseg_start(*(struct dp_jseg *const *)a);
	int64_t y = dp_jseg_start(*(struct dp_jseg *const *)b);

	return x < y ? -1 : x > y;
}

static int add_segment(struct dp_journal *j, int64_t start)
{
	struct hwall_err err;
	struct dp_jseg *s;

	if (j->nsegs == SEGS_MAX)
		return -ENOSPC;
	if (dp_jseg_open(j->dir, start, &s, &err) < 0) {
		refuse(j, err.msg);
		return 0;
	}
	j->segs[j->nsegs++] = s;
	qsort(j->segs, j->nsegs, sizeof(*j->segs), seg_cmp);
	return 0;
}

static void unlink_seg(const struct dp_journal *j, int64_t start, const char *ext)
{
	char p[4096];

	if (dp_jseg_path(p, sizeof(p), j->dir, start, ext) == 0)
		unlink(p);
}

/* Write the records of @o as the segment of [@start, @end), open it,
 * remove its log. */
static int close_into_segment(struct dp_journal *j, struct dp_jopen *o, int64_t start,
			      int64_t end, struct hwall_err *err)
{
	struct dp_jrec *recs;
	int r = 0;

	if (o->n) {
		recs = malloc((size_t)o->n * sizeof(*recs));
		if (!recs)
			return hwall_err_set(err, -ENOMEM, "out of memory");
		for (uint32_t i = 0; i < o->n; i++)
			jo_view(o, i, &recs[i]);
		r = dp_jseg_write(j->dir, start, end, recs, o->n, err);
		free(recs);
		if (r == 0)
			r = add_segment(j, start);
		if (r < 0)
			return r;
		j->st.closed++;
	}
	unlink_seg(j, start, "log");
	/* The segment is complete either way; the fsync makes the log's
	 * removal durable (if it is lost, the next start removes it). */
	hwall_fsync_dir_of(j->dir);
	return 0;
}

/* A log found at start: the current period's is read back into the open
 * segment; a past one is closed into its segment (unless that exists). */
static int take_log(struct dp_journal *j, int64_t start, bool have_jrn, struct hwall_err *err)
{
	struct dp_jopen tmp, *o = start == j->start ? &j->open : &tmp;
	char p[4096];
	uint64_t n = 0;
	bool torn = false;
	int r;

	if (have_jrn) { /* closed, but the log was not removed yet */
		unlink_seg(j, start, "log");
		return 0;
	}
	if (start > j->start)
		return 0; /* from the future (clock went back): left alone */
	jo_init(&tmp);
	r = dp_jseg_path(p, sizeof(p), j->dir, start, "log");
	if (r == 0)
		r = jo_replay(o, p, &n, &torn);
	j->st.recovered += n;
	j->st.torn += torn;
	if (r < 0) {
		hwall_err_set(err, r, "%s: %s", p, hwall_strerror(r));
	} else if (o == &tmp) {
		r = close_into_segment(j, &tmp, start, start + j->conf.period, err);
	}
	jo_fini(&tmp);
	return r;
}

/* Whether @name is "seg-<start>.<ext>"; *ret_start, *ret_ext. */
static bool seg_name(const char *name, int64_t *ret_start, const char **ret_ext)
{
	char *end;
	long long v;

	if (strncmp(name, "seg-", 4) != 0)
		return false;
	errno = 0;
	v = strtoll(name + 4, &end, 10);
	if (errno || end == name + 4 || *end != '.')
		return false;
	*ret_start = v;
	*ret_ext = end + 1;
	return true;
}

static bool exists(const struct dp_journal *j, int64_t start, const char *ext)
{
	char p[4096];

	return dp_jseg_path(p, sizeof(p), j->dir, start, ext) == 0 && access(p, F_OK) == 0;
}

static int scan(struct dp_journal *j, struct hwall_err *err)
{
	DIR *d = opendir(j->dir);
	struct dirent *de;
	int64_t start;
	const char *ext;
	int r = 0;

	if (!d)
		return hwall_err_set(err, hwall_neg_errno(), "%s: %s", j->dir,
				     hwall_strerror(hwall_neg_errno()));
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (!seg_name(de->d_name, &start, &ext))
			continue;
		if (strcmp(ext, "jrn") == 0)
			r = add_segment(j, start);
		else if (strcmp(ext, "log") == 0)
			r = take_log(j, start, exists(j, start, "jrn"), err);
	}
	closedir(d);
	return r;
}

/* Delete the segments whose period ended at or before @now - retention. */
static void expire(struct dp_journal *j, int64_t now)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < j->nsegs; i++) {
		struct dp_jseg *s = j->segs[i];

		if (dp_jseg_end(s) <= now - j->conf.retention) {
			unlink_seg(j, dp_jseg_start(s), "jrn");
			unlink_seg(j, dp_jseg_start(s), "idx");
			dp_jseg_close(s);
			j->st.expired++;
		} else {
			j->segs[k++] = s;
		}
	}
	j->nsegs = k;
}

static int open_log(struct dp_journal *j, struct hwall_err *err)
{
	char p[4096];
	int r = dp_jseg_path(p, sizeof(p), j->dir, j->start, "log");

	if (r == 0)
		r = jo_log_open(&j->open, p);
	return r < 0 ? hwall_err_set(err, r, "%s: %s", p, hwall_strerror(r)) : 0;
}

int dp_journal_open(const struct dp_journal_conf *conf, int64_t now, struct dp_journal **ret_j,
		    struct hwall_err *err)
{
	struct dp_journal *j;
	int r;

	if (!conf->dir || conf->period < 60 || conf->period > INT32_MAX || conf->retention < 0 ||
	    !conf->max_open)
		return hwall_err_set(err, -EINVAL, "journal: bad configuration");
	j = calloc(1, sizeof(*j));
	if (!j)
		return hwall_err_set(err, -ENOMEM, "out of memory");
	j->conf = *conf;
	j->dir = strdup(conf->dir);
	j->segs = calloc(SEGS_MAX, sizeof(*j->segs));
	jo_init(&j->open);
	if (!j->dir || !j->segs) {
		r = hwall_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	j->start = period_start(j, now);
	j->end = j->start + conf->period;
	r = hwall_mkdir_p(j->dir, 0700);
	if (r == 0 && chmod(j->dir, 0700) < 0)
		r = hwall_neg_errno();
	if (r < 0) {
		hwall_err_set(err, r, "%s: %s", j->dir, hwall_strerror(r));
		goto fail;
	}
	r = scan(j, err);
	if (r == 0)
		r = open_log(j, err);
	if (r < 0)
		goto fail;
	expire(j, now);
	*ret_j = j;
	return 0;
fail:
	dp_journal_close(j);
	return r;
}

void dp_journal_close(struct dp_journal *j)
{
	if (!j)
		return;
	jo_flush(&j->open);
	jo_fini(&j->open);
	for (unsigned int i = 0; i < j->nsegs; i++)
		dp_jseg_close(j->segs[i]);
	for (unsigned int i = 0; i < DP_JOURNAL_REFUSED_MAX; i++)
		free(j->refused[i]);
	free(j->segs);
	free(j->dir);
	free(j);
}

int dp_journal_put(struct dp_journal *j, const struct dp_jrec *r)
{
	bool repeat = false;
	int e;

	j->st.puts++;
	if (dp_jrec_size(r) > DP_JREC_MAX || r->host_len > DP_JREC_HOST_MAX ||
	    r->path_len > DP_JREC_PATH_MAX || !(r->mask & (1u << HWALL_ALGO_XXH3_128)) ||
	    (r->mask & ~HWALL_ALGO_MASK_ALL) || !r->count || r->last < r->first ||
	    (r->family != 4 && r->family != 6)) {
		j->st.invalid++;
		return -EINVAL;
	}
	e = jo_put(&j->open, r, j->conf.max_open, &repeat);
	if (e == -ENOSPC)
		j->st.full++;
	j->st.repeats += repeat;
	return e;
}

int dp_journal_tick(struct dp_journal *j, int64_t now, struct hwall_err *err)
{
	int r = jo_flush(&j->open), r2 = 0;

	j->st.log_writes++;
	if (r < 0) {
		j->st.log_errors++;
		hwall_err_set(err, r, "%s: writing the log: %s", j->dir, hwall_strerror(r));
	}
	if (now >= j->end && r == 0) {
		r2 = close_into_segment(j, &j->open, j->start, j->end, err);
		if (r2 == 0) {
			jo_fini(&j->open);
			j->start = period_start(j, now);
			j->end = j->start + j->conf.period;
			r2 = open_log(j, err);
		}
	}
	expire(j, now);
	return r < 0 ? r : r2;
}

void dp_journal_stats(const struct dp_journal *j, struct dp_journal_stats *ret)
{
	*ret = j->st;
	ret->open_records = j->open.n;
	ret->segments = j->nsegs;
	ret->segment_records = 0;
	ret->bytes = j->open.log_bytes;
	for (unsigned int i = 0; i < j->nsegs; i++) {
		ret->segment_records += dp_jseg_records(j->segs[i]);
		ret->bytes += dp_jseg_bytes(j->segs[i]);
	}
}

const char *dp_journal_refused(const struct dp_journal *j, unsigned int i)
{
	return i < DP_JOURNAL_REFUSED_MAX && i < j->st.refused ? j->refused[i] : NULL;
}

unsigned int dp_journal_segments(const struct dp_journal *j) { return j->nsegs; }

const struct dp_jseg *dp_journal_segment(const struct dp_journal *j, unsigned int i)
{
	return i < j->nsegs ? j->segs[i] : NULL;
}

uint32_t dp_journal_open_count(const struct dp_journal *j) { return j->open.n; }

void dp_journal_open_record(const struct dp_journal *j, uint32_t id, struct dp_jrec *ret)
{
	jo_view(&j->open, id, ret);
}
