/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dsa.c - statements of reasons (DSA art. 17) and transparency figures
 * (art. 15) from the store (see dsa.h, docs/dsa.md).
 */
#include "control/dsa.h"
#include "control/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The EEA, where a hoster in the EU usually acts (config: dsa.territorial_scope). */
static const char *const eea[] = {
	"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
	"IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
};

#define DEFAULT_LEGAL_GROUND                                                            \
	"Directive 2011/93/EU, art. 5 (child sexual abuse material), as transposed into " \
	"national criminal law; Regulation (EU) 2022/2065, art. 16 and 17"
#define DEFAULT_REDRESS                                                                    \
	"You may contest this decision through the hoster's internal complaint procedure, " \
	"before a certified out-of-court dispute settlement body (DSA art. 21), or in court."

static const char *or_def(const char *v, const char *def)
{
	return v && *v ? v : def;
}

/* @t as YYYY-MM-DD (UTC) in @buf of 16 bytes. */
static const char *date(int64_t t, char buf[16])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, 16, "%Y-%m-%d", &tm))
		snprintf(buf, 16, "?");
	return buf;
}

static void add_date(cJSON *o, const char *key, int64_t t)
{
	char buf[16];

	cJSON_AddStringToObject(o, key, date(t, buf));
}

static void add_strings(cJSON *o, const char *key, const char *const *v, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(o, key);

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(v[i]));
}

/* The candidate's URL as a notice names it (the server stands in for a
 * missing Host). */
static void add_url(cJSON *o, const struct ctl_candidate *c)
{
	char url[CTL_HOST_MAX + CTL_PATH_MAX + 80];
	bool v6 = strchr(c->server_ip, ':') != NULL;

	if (c->host[0])
		snprintf(url, sizeof(url), "http://%s%s", c->host, c->path);
	else
		snprintf(url, sizeof(url), "http://%s%s%s:%u%s", v6 ? "[" : "", c->server_ip,
			 v6 ? "]" : "", c->server_port, c->path);
	cJSON_AddStringToObject(o, "url", url);
}

/* The Transparency Database's fields for decision @r on candidate @c. */
static cJSON *sor_json(const struct ctl_dsa_config *cfg, const struct ctl_candidate *c,
		       const struct ctl_review *r)
{
	const char *visibility = r->to == CTL_STATUS_TAKEN_DOWN
					 ? "DECISION_VISIBILITY_CONTENT_REMOVED"
					 : "DECISION_VISIBILITY_CONTENT_DISABLED";
	const char *keyword = "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL";
	const char *ctype = c->algo == HWALL_ALGO_PDQ ? "CONTENT_TYPE_IMAGE" : "CONTENT_TYPE_OTHER";
	cJSON *sor = cJSON_CreateObject();
	char text[1024], puid[96], seen[16], decided[16];

	add_strings(sor, "decision_visibility", &visibility, 1);
	cJSON_AddStringToObject(sor, "decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT");
	cJSON_AddStringToObject(sor, "illegal_content_legal_ground",
				or_def(cfg->legal_ground, DEFAULT_LEGAL_GROUND));
	snprintf(text, sizeof(text),
		 "%s%sThe file served at the URL in question matched, by its %s %s, entry %u "
		 "(category %u) of the hash list \"%s\" (version %llu) of known child sexual "
		 "abuse material kept by a hotline. The match was detected automatically on "
		 "%s; a person reviewed it and decided on %s.",
		 or_def(cfg->explanation_prefix, ""), cfg->explanation_prefix ? " " : "",
		 hwall_algo_name(c->algo), c->algo == HWALL_ALGO_PDQ ? "perceptual hash" : "digest",
		 c->ref, c->category, c->set, (unsigned long long)c->set_version,
		 date(c->first_seen, seen), date(r->at, decided));
	cJSON_AddStringToObject(sor, "illegal_content_explanation", text);
	cJSON_AddStringToObject(sor, "category", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS");
	add_strings(sor, "category_specification", &keyword, 1);
	add_strings(sor, "content_type", &ctype, 1);
	if (c->algo != HWALL_ALGO_PDQ)
		cJSON_AddStringToObject(sor, "content_type_other", "file served over HTTP");
	add_date(sor, "content_date", c->first_seen);
	add_date(sor, "application_date", r->at);
	cJSON_AddStringToObject(sor, "source_type", or_def(cfg->source_type, "SOURCE_VOLUNTARY"));
	cJSON_AddStringToObject(sor, "automated_detection", "Yes");
	cJSON_AddStringToObject(sor, "automated_decision", "AUTOMATED_DECISION_NOT_AUTOMATED");
	if (cfg->n_scope)
		add_strings(sor, "territorial_scope", cfg->territorial_scope, cfg->n_scope);
	else
		add_strings(sor, "territorial_scope", eea, sizeof(eea) / sizeof(eea[0]));
	snprintf(puid, sizeof(puid), "%s%lld", or_def(cfg->puid_prefix, "hashwall-"),
		 (long long)c->id);
	cJSON_AddStringToObject(sor, "puid", puid);
	return sor;
}

/* The facts behind a statement, for the hoster's own file. */
static cJSON *facts_json(const struct ctl_candidate *c)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "set", c->set);
	cJSON_AddNumberToObject(f, "set_version", (double)c->set_version);
	cJSON_AddStringToObject(f, "algo", hwall_algo_name(c->algo));
	cJSON_AddStringToObject(f, "digest", c->digest);
	cJSON_AddNumberToObject(f, "ref", c->ref);
	cJSON_AddNumberToObject(f, "category", c->category);
	cJSON_AddNumberToObject(f, "first_seen", (double)c->first_seen);
	cJSON_AddNumberToObject(f, "last_seen", (double)c->last_seen);
	cJSON_AddNumberToObject(f, "occurrences", (double)c->occurrences);
	cJSON_AddStringToObject(f, "detection", "automated: the served file's hash matched the list");
	cJSON_AddStringToObject(f, "decision", "human review");
	return f;
}

struct sor_walk {
	struct ctl_store *s;
	const struct ctl_dsa_config *cfg;
	bool with_confirmed;
	cJSON *arr;
};

static int add_statement(const struct ctl_review *r, void *ctx)
{
	struct sor_walk *w = ctx;
	struct ctl_candidate c;
	cJSON *st;
	int rc;

	/* decisions by people; controld's reopen repeats one of theirs */
	if ((r->to != CTL_STATUS_TAKEN_DOWN && !(w->with_confirmed && r->to == CTL_STATUS_CONFIRMED)) ||
	    strcmp(r->actor, "controld") == 0)
		return 0;
	rc = ctl_store_candidate(w->s, r->candidate_id, &c);
	if (rc < 0)
		return rc;
	st = cJSON_CreateObject();
	cJSON_AddNumberToObject(st, "candidate_id", (double)c.id);
	add_url(st, &c);
	cJSON_AddNumberToObject(st, "decided_at", (double)r->at);
	cJSON_AddStringToObject(st, "decided_by", r->actor);
	cJSON_AddStringToObject(st, "decision", ctl_status_name(r->to));
	cJSON_AddItemToObject(st, "sor", sor_json(w->cfg, &c, r));
	cJSON_AddItemToObject(st, "facts", facts_json(&c));
	cJSON_AddStringToObject(st, "redress", or_def(w->cfg->redress, DEFAULT_REDRESS));
	cJSON_AddItemToArray(w->arr, st);
	return 0;
}

static cJSON *period(int64_t since, int64_t until, int64_t now)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "generated", (double)now);
	cJSON_AddNumberToObject(o, "since", (double)since);
	cJSON_AddNumberToObject(o, "until", (double)until);
	return o;
}

cJSON *ctl_dsa_statements(struct ctl_store *s, const struct ctl_dsa_config *cfg, int64_t since,
			  int64_t until, bool with_confirmed, int64_t now, int *ret_r)
{
	cJSON *o = period(since, until, now);
	struct sor_walk w = { s, cfg, with_confirmed, cJSON_AddArrayToObject(o, "statements") };
	int r = ctl_store_reviews_between(s, since, until, add_statement, &w);

	if (r < 0) {
		cJSON_Delete(o);
		*ret_r = r;
		return NULL;
	}
	return o;
}

/* ---- transparency ---- */

/* A count under @key of object @o, created on first use. */
static void bump(cJSON *o, const char *key)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);

	if (n)
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else
		cJSON_AddNumberToObject(o, key, 1);
}

static void bump_category(cJSON *o, uint32_t category)
{
	char key[16];

	snprintf(key, sizeof(key), "%u", category);
	bump(o, key);
}

struct detections {
	uint64_t total;
	cJSON *by_set, *by_category;
};

static int add_detection(const struct ctl_candidate *c, void *ctx)
{
	struct detections *d = ctx;

	d->total++;
	bump(d->by_set, c->set);
	bump_category(d->by_category, c->category);
	return 0;
}

struct actions {
	struct ctl_store *s;
	uint64_t reviews, actions, false_pos, reopened;
	cJSON *by_decision, *by_set, *by_category;
	int64_t *acted;    /* open-addressing set of the candidates acted on (0: free) */
	size_t acted_cap;  /* a power of two, at most half full */
	double *delays;    /* seconds from first sighting to first action */
	size_t n, cap;
};

/* Whether candidate @id was acted on before in the period; remembers it.
 * -ENOMEM when the set cannot grow. */
static int acted_before(struct actions *a, int64_t id)
{
	size_t i;

	if (2 * (a->n + 1) > a->acted_cap) {
		size_t cap = a->acted_cap ? 2 * a->acted_cap : 1024;
		int64_t *set = calloc(cap, sizeof(*set));
		if (!set)
			return -ENOMEM;
		for (size_t k = 0; k < a->acted_cap; k++) {
			if (!a->acted[k])
				continue;
			for (i = (size_t)a->acted[k] * 0x9e3779b97f4a7c15ull & (cap - 1); set[i];
			     i = (i + 1) & (cap - 1))
				;
			set[i] = a->acted[k];
		}
		free(a->acted);
		a->acted = set;
		a->acted_cap = cap;
	}
	for (i = (size_t)id * 0x9e3779b97f4a7c15ull & (a->acted_cap - 1); a->acted[i];
	     i = (i + 1) & (a->acted_cap - 1))
		if (a->acted[i] == id)
			return 1;
	a->acted[i] = id;
	return 0;
}

static int add_action(const struct ctl_review *r, void *ctx)
{
	struct actions *a = ctx;
	struct ctl_candidate c;
	int rc;

	if (strcmp(r->actor, "controld") == 0) {
		a->reopened++;
		return 0;
	}
	a->reviews++;
	bump(a->by_decision, ctl_status_name(r->to));
	a->false_pos += r->to == CTL_STATUS_FALSE_POSITIVE;
	if (r->to != CTL_STATUS_TAKEN_DOWN && r->to != CTL_STATUS_CONFIRMED)
		return 0;
	rc = acted_before(a, r->candidate_id);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = ctl_store_candidate(a->s, r->candidate_id, &c);
	if (rc < 0)
		return rc;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 256;
		double *dl = realloc(a->delays, cap * sizeof(*dl));
		if (!dl)
			return -ENOMEM;
		a->delays = dl;
		a->cap = cap;
	}
	a->delays[a->n++] = (double)(r->at > c.first_seen ? r->at - c.first_seen : 0);
	a->actions++;
	bump(a->by_set, c.set);
	bump_category(a->by_category, c.category);
	return 0;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static void add_median(cJSON *o, double *v, size_t n)
{
	if (!n) {
		cJSON_AddNullToObject(o, "median_time_to_action");
		return;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	cJSON_AddNumberToObject(o, "median_time_to_action",
				n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

cJSON *ctl_dsa_transparency(struct ctl_store *s, int64_t since, int64_t until, int64_t now,
			    int *ret_r)
{
	cJSON *o = period(since, until, now), *det = cJSON_AddObjectToObject(o, "detections"),
	      *rev = cJSON_AddObjectToObject(o, "reviews"),
	      *act = cJSON_AddObjectToObject(o, "actions");
	struct detections d = { 0, cJSON_CreateObject(), cJSON_CreateObject() };
	struct actions a = { .s = s, .by_decision = cJSON_CreateObject(),
			     .by_set = cJSON_CreateObject(), .by_category = cJSON_CreateObject() };
	int r = ctl_store_candidates_first_seen(s, since, until, add_detection, &d);

	if (r == 0)
		r = ctl_store_reviews_between(s, since, until, add_action, &a);
	cJSON_AddNumberToObject(det, "total", (double)d.total);
	/* every candidate comes from a hash match: detection is automated */
	cJSON_AddNumberToObject(det, "automated", (double)d.total);
	cJSON_AddNumberToObject(det, "share_automated", d.total ? 1.0 : 0.0);
	cJSON_AddItemToObject(det, "by_set", d.by_set);
	cJSON_AddItemToObject(det, "by_category", d.by_category);
	cJSON_AddNumberToObject(rev, "total", (double)a.reviews);
	cJSON_AddItemToObject(rev, "by_decision", a.by_decision);
	cJSON_AddNumberToObject(rev, "reopened_automatically", (double)a.reopened);
	cJSON_AddNumberToObject(act, "total", (double)a.actions);
	cJSON_AddItemToObject(act, "by_set", a.by_set);
	cJSON_AddItemToObject(act, "by_category", a.by_category);
	cJSON_AddNumberToObject(act, "automated_decisions", 0);
	add_median(act, a.delays, a.n);
	cJSON_AddNumberToObject(o, "false_positives", (double)a.false_pos);
	free(a.acted);
	free(a.delays);
	if (r < 0) {
		cJSON_Delete(o);
		*ret_r = r;
		return NULL;
	}
	return o;
}

/* One CSV row "section,key,value" (a null value: empty). */
static void csv_row(struct ctl_sb *sb, const char *section, const char *key, const cJSON *v)
{
	char num[64] = "";

	if (cJSON_IsNumber(v))
		snprintf(num, sizeof(num), "%.17g", v->valuedouble);
	ctl_sb_csv(sb, section, true);
	ctl_sb_csv(sb, key, false);
	ctl_sb_csv(sb, num, false);
	ctl_sb_printf(sb, "\r\n");
}

/* A row per number under @o, the keys of nested objects joined by '.'. */
static void csv_rows(struct ctl_sb *sb, const cJSON *o, const char *section, const char *prefix)
{
	char key[256];

	for (const cJSON *m = o->child; m; m = m->next) {
		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", m->string);
		if (cJSON_IsObject(m))
			csv_rows(sb, m, section, key);
		else
			csv_row(sb, section, key, m);
	}
}

char *ctl_dsa_transparency_csv(const cJSON *report, size_t *ret_len)
{
	struct ctl_sb sb = { 0 };

	ctl_sb_printf(&sb, "\"section\",\"key\",\"value\"\r\n");
	/* the period's numbers first, then each section's */
	for (const cJSON *m = report->child; m; m = m->next)
		if (cJSON_IsNumber(m))
			csv_row(&sb, "period", m->string, m);
	for (const cJSON *m = report->child; m; m = m->next)
		if (cJSON_IsObject(m))
			csv_rows(&sb, m, m->string, "");
	return ctl_sb_take(&sb, ret_len);
}
