/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * check_stats.c - the stats event of a replay: last and unique, counting the
 * capture's packets and the events printed, plus the counter rules given on
 * the command line (minimums, minimums taken from the manifest, zeros).
 */
#include "check.h"

#include <stdlib.h>
#include <string.h>

static double counter(const cJSON *stats, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(stats, name);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* One --min/--min-from/--zero rule. */
static void check_rule(struct chk *c, const struct chk_rule *r)
{
	const char *eq = strchr(r->spec, '=');
	char name[96];
	double want = 0, got;
	size_t len = eq ? (size_t)(eq - r->spec) : strlen(r->spec);

	snprintf(name, sizeof(name), "%.*s", (int)len, r->spec);
	if (r->kind == 'M')
		want = eq ? atof(eq + 1) : 1;
	if (r->kind == 'F') {
		const cJSON *mins = cJSON_GetObjectItemCaseSensitive(c->manifest, "min_counters");
		want = counter(mins, eq ? eq + 1 : "") * c->loops;
	}
	got = counter(c->stats, name);
	if (got < 0)
		chk_fail(c, "stats: no counter \"%s\"", name);
	else if (r->kind == 'z' && got != 0)
		chk_fail(c, "stats: %s is %.0f, expected 0", name, got);
	else if (r->kind != 'z' && !(got >= want && want >= 0))
		chk_fail(c, "stats: %s is %.0f, expected at least %.0f", name, got, want);
}

static bool jtrue_member(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

void chk_stats(struct chk *c)
{
	double complete_bytes = 0;
	size_t nstats = 0;

	for (size_t i = 0; i < c->nevents; i++) {
		const char *ev = cJSON_GetObjectItemCaseSensitive(c->events[i], "event")->valuestring;
		if (!strcmp(ev, "stats")) {
			nstats++;
			c->stats = c->events[i];
		} else if (strcmp(ev, "object") && strcmp(ev, "match")) {
			chk_fail(c, "event %zu: unknown event \"%s\"", i + 1, ev);
		}
	}
	if (nstats != 1 || c->nevents == 0 || c->stats != c->events[c->nevents - 1]) {
		chk_fail(c, "stats: %zu stats events, expected exactly one, last", nstats);
		return;
	}
	if (counter(c->stats, "packets") != counter(c->manifest, "packets") * c->loops)
		chk_fail(c, "stats: packets %.0f, the capture holds %.0f (x%d loops)",
			 counter(c->stats, "packets"), counter(c->manifest, "packets"), c->loops);
	if (counter(c->stats, "objects") != (double)c->nobject_events * c->loops)
		chk_fail(c, "stats: objects %.0f, %zu object events printed (x%d loops)",
			 counter(c->stats, "objects"), c->nobject_events, c->loops);
	if (counter(c->stats, "matches") != (double)c->nmatch_events * c->loops)
		chk_fail(c, "stats: matches %.0f, %zu match events printed (x%d loops)",
			 counter(c->stats, "matches"), c->nmatch_events, c->loops);
	for (size_t i = 0; i < c->nobjs; i++)
		if (!strcmp(c->objs[i].expect, "complete") && !jtrue_member(c->objs[i].m, "stitched"))
			complete_bytes += counter(c->objs[i].m, "size") * c->loops;
	if (counter(c->stats, "body_bytes") < complete_bytes)
		chk_fail(c, "stats: body_bytes %.0f, below the %.0f bytes of complete bodies",
			 counter(c->stats, "body_bytes"), complete_bytes);
	for (size_t i = 0; i < c->nrules; i++)
		check_rule(c, &c->rules[i]);
}
