/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * syncd_pull.c - pull mode: poll a hotline's export directory (laid out by
 * `hashwall-publish export`) over HTTP(S) with libcurl.
 *
 * Each poll fetches index.json conditionally (If-None-Match with the last
 * ETag, so an unchanged index costs a 304), then: root bundles newer than
 * the trusted root in version order; then from the installed version the
 * chain of deltas whose base is the installed version, falling back to the
 * newest snapshot when the chain breaks.  Every bundle goes through
 * sync_engine_submit(), like a push.  Downloads are capped at the bundle
 * size cap.  Polls repeat every interval, jittered by +-jitter so that many
 * appliances do not poll in step.
 */
#include "syncd.h"
#include "common/errors.h"
#include "common/json_strict.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#define INDEX_CAP (16u << 20)

struct download {
	uint8_t *buf;
	size_t len, cap, limit;
	char etag[256];
	int64_t modified; /* Last-Modified, unix seconds, -1 unknown */
};

/* What makes the next index request conditional. */
struct validator {
	char etag[256];
	int64_t modified; /* 0: none */
};

/* Set by syncd_pull_new(): a stop request aborts transfers in progress. */
static volatile sig_atomic_t *stop_request;

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)arg;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stop_request && *stop_request ? 1 : 0;
}

struct puller {
	struct sync_target *t;
	struct validator v;
	int64_t due;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct download *d = arg;
	size_t len = size * n;

	if (len > d->limit - d->len)
		return 0; /* over the cap: abort the transfer */
	if (d->len + len > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 65536;
		while (cap < d->len + len)
			cap *= 2;
		uint8_t *nb = realloc(d->buf, cap);
		if (!nb)
			return 0;
		d->buf = nb;
		d->cap = cap;
	}
	memcpy(d->buf + d->len, data, len);
	d->len += len;
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct download *d = arg;
	size_t len = size * n;

	if (len > 5 && strncasecmp(data, "ETag:", 5) == 0) {
		const char *v = data + 5;
		size_t vlen = len - 5;
		while (vlen && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
			vlen--;
		if (vlen < sizeof(d->etag)) {
			memcpy(d->etag, v, vlen);
			d->etag[vlen] = '\0';
		}
	}
	return len;
}

/* GET @base/@name into @d, conditional on @val when given; returns the
 * HTTP status (304 when unchanged) or -EIO. */
static long fetch(const struct sync_hotline_config *hl, const char *name, const struct validator *val,
		  struct download *d)
{
	const char *etag = val ? val->etag : NULL;
	char url[4096], inm[300];
	struct curl_slist *hdrs = NULL;
	CURL *c = curl_easy_init();
	long status = -EIO;
	CURLcode rc;

	if (!c)
		return -ENOMEM;
	snprintf(url, sizeof(url), "%s%s%s", hl->pull.url,
		 hl->pull.url[strlen(hl->pull.url) - 1] == '/' ? "" : "/", name);
	if (etag && etag[0]) {
		snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
		hdrs = curl_slist_append(hdrs, inm);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, d);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, d);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	/* A server that trickles would hold the pull loop (and every other
	 * hotline's pulls) for the whole timeout. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)d->limit);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 600L);
	curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	if (hl->pull.cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, hl->pull.cacert);
	/* Without an ETag, If-Modified-Since (see validator_update()). */
	if (val && !val->etag[0] && val->modified > 0) {
		curl_easy_setopt(c, CURLOPT_TIMECONDITION, (long)CURL_TIMECOND_IFMODSINCE);
		curl_easy_setopt(c, CURLOPT_TIMEVALUE_LARGE, (curl_off_t)val->modified);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		long unmet = 0;
		curl_off_t ft = -1;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(c, CURLINFO_CONDITION_UNMET, &unmet);
		curl_easy_getinfo(c, CURLINFO_FILETIME_T, &ft);
		d->modified = ft;
		if (unmet)
			status = 304;
	}
	else
		HWALL_LOG(WARN, "sync.pull", "%s: %s", url, curl_easy_strerror(rc));
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return status;
}

/* Fetch bundle @file and submit it; returns 0 when installed. */
static int fetch_and_submit(struct sync_engine *e, struct sync_target *t, const char *file)
{
	struct download d = { .limit = (size_t)e->caps.bundle_bytes };
	struct sync_result res;
	long status = fetch(t->hl, file, NULL, &d);
	int r = -EIO;

	if (status == 200) {
		r = sync_engine_submit(e, t, d.buf, d.len, time(NULL), true, &res);
		if (r == 0)
			HWALL_LOG(INFO, "sync.pull", "set %s: installed %s (%s version %" PRIu64 ")", t->hl->set,
			       file, sync_kind_name(res.kind), res.version);
		else
			HWALL_LOG(WARN, "sync.pull", "set %s: %s refused (%s): %s", t->hl->set, file,
			       sync_refusal_name(res.verdict.reason), res.verdict.detail.msg);
	} else {
		HWALL_LOG(WARN, "sync.pull", "set %s: %s: HTTP %ld", t->hl->set, file, status);
	}
	free(d.buf);
	return r;
}

static double num(const cJSON *o, const char *key)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The index is unsigned: accept only plain file names next to it. */
static const char *file_of(const cJSON *o)
{
	const char *f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "file"));

	if (!f || !f[0] || f[0] == '.' || strlen(f) > 128 ||
	    strspn(f, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(f))
		return NULL;
	return f;
}

/* Root bundles newer than the trusted root, lowest first. */
static int apply_roots(struct sync_engine *e, struct sync_target *t, const cJSON *roots)
{
	for (;;) {
		const cJSON *it, *next = NULL;
		double want = (double)sync_engine_installed(e, t, true) + 1;
		cJSON_ArrayForEach(it, roots)
			if (num(it, "version") == want && file_of(it))
				next = it;
		if (!next)
			return 0;
		if (fetch_and_submit(e, t, file_of(next)) < 0)
			return -EIO;
	}
}

/* Deltas from the installed version, the snapshot when the chain breaks. */
static int apply_updates(struct sync_engine *e, struct sync_target *t, const cJSON *idx)
{
	const cJSON *deltas = cJSON_GetObjectItemCaseSensitive(idx, "deltas");
	const cJSON *snap = cJSON_GetObjectItemCaseSensitive(idx, "snapshot");
	double latest = num(idx, "latest");
	bool used_snapshot = false;

	uint64_t have;

	while ((double)(have = sync_engine_installed(e, t, false)) < latest) {
		const cJSON *it, *next = NULL;
		cJSON_ArrayForEach(it, deltas)
			if (have && num(it, "base") == (double)have && file_of(it))
				next = it;
		if (!next && !used_snapshot && num(snap, "version") > (double)have &&
		    file_of(snap)) {
			next = snap;
			used_snapshot = true;
		}
		if (!next) {
			HWALL_LOG(WARN, "sync.pull", "set %s: no path from version %" PRIu64 " to %.0f",
			       t->hl->set, have, latest);
			return -ENOENT;
		}
		if (fetch_and_submit(e, t, file_of(next)) < 0)
			return -EIO;
	}
	return 0;
}

/*
 * Keep the ETag; else Last-Modified, but only when it is at least two
 * seconds old: an index rewritten within the same second as our fetch would
 * otherwise look unmodified forever (one-second resolution).
 */
static void validator_update(struct validator *v, const struct download *d, int64_t now)
{
	snprintf(v->etag, sizeof(v->etag), "%s", d->etag);
	v->modified = d->modified > 0 && d->modified <= now - 2 ? d->modified : 0;
}

/* The index in @d: root bundles first, then the updates. */
static int apply_index(struct sync_engine *e, struct sync_target *t, const struct download *d)
{
	struct hwall_json_fault f;
	cJSON *idx = NULL;
	const char *set;
	char why[160];
	int r = -EIO;

	/* Unsigned and from a peer, but still one reading: strict JSON. */
	if (hwall_json_parse_strict((const char *)d->buf, d->len, HWALL_JSON_INTEGERS, &idx, &f) < 0) {
		hwall_json_fault_format(&f, why, sizeof(why));
		HWALL_LOG(WARN, "sync.pull", "set %s: index.json: %s", t->hl->set, why);
		return -EIO;
	}
	set = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(idx, "set"));
	if (!set || strcmp(set, t->hl->set) != 0) {
		HWALL_LOG(WARN, "sync.pull", "set %s: index.json is not an index of this set", t->hl->set);
	} else {
		r = apply_roots(e, t, cJSON_GetObjectItemCaseSensitive(idx, "roots"));
		if (r == 0)
			r = apply_updates(e, t, idx);
	}
	cJSON_Delete(idx);
	return r;
}

static int poll_one(struct sync_engine *e, struct puller *p)
{
	struct download d = { .limit = INDEX_CAP };
	struct sync_target *t = p->t;
	long status = fetch(t->hl, "index.json", &p->v, &d);
	int r = -EIO;

	if (status == 304) {
		sync_engine_checked(e, t, time(NULL));
		r = 0;
	} else if (status == 200) {
		r = apply_index(e, t, &d);
		if (r == 0) {
			/* Only remember validators once everything they name is in. */
			validator_update(&p->v, &d, time(NULL));
			sync_engine_checked(e, t, time(NULL));
		}
	} else {
		HWALL_LOG(WARN, "sync.pull", "set %s: index.json: HTTP %ld", t->hl->set, status);
	}
	free(d.buf);
	return r;
}

/* Next poll: interval scaled by a uniform factor in [1 - jitter, 1 + jitter]. */
static int64_t next_due(const struct sync_pull_config *pc, int64_t now)
{
	double u = (double)random() / (double)RAND_MAX * 2.0 - 1.0;
	return now + (int64_t)((double)pc->interval * (1.0 + pc->jitter * u));
}

struct syncd_pull {
	struct sync_engine *e;
	struct puller *ps;
	size_t n;
};

struct syncd_pull *syncd_pull_new(struct sync_engine *e, volatile sig_atomic_t *stop)
{
	struct syncd_pull *p = calloc(1, sizeof(*p));

	if (p)
		p->ps = calloc(e->n_targets ? e->n_targets : 1, sizeof(*p->ps));
	if (!p || !p->ps) {
		free(p);
		return NULL;
	}
	p->e = e;
	stop_request = stop;
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());
	for (size_t i = 0; i < e->n_targets; i++)
		if (e->targets[i].hl->has_pull)
			p->ps[p->n++].t = &e->targets[i];
	return p;
}

int syncd_pull_tick(struct syncd_pull *p, bool all)
{
	int64_t now = time(NULL);
	int r = 0;

	for (size_t i = 0; i < p->n && !*stop_request; i++) {
		if (!all && p->ps[i].due > now)
			continue;
		if (poll_one(p->e, &p->ps[i]) < 0)
			r = -EIO;
		p->ps[i].due = next_due(&p->ps[i].t->hl->pull, time(NULL));
	}
	return r;
}

void syncd_pull_free(struct syncd_pull *p)
{
	if (!p)
		return;
	free(p->ps);
	free(p);
}
