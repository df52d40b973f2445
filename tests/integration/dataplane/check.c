/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * check.c - the checks of check_replay; see check_replay.c for the rules.
 */
#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/algo.h"

#define CHK_PRINT_MAX 60

void chk_fail(struct chk *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failures++ >= CHK_PRINT_MAX)
		return;
	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *jstr_or(const cJSON *o, const char *k, const char *dflt)
{
	const char *s = jstr(o, k);
	return s ? s : dflt;
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static bool jtrue(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1))) {
		if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		} else {
			buf[len] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static int load_manifest(struct chk *c)
{
	char *text = slurp(c->manifest_path);
	const cJSON *objs, *o;

	c->manifest = text ? cJSON_Parse(text) : NULL;
	free(text);
	objs = cJSON_GetObjectItemCaseSensitive(c->manifest, "objects");
	if (!cJSON_IsArray(objs) || strcmp(jstr_or(c->manifest, "format", ""), "hashwall-gen-manifest")) {
		fprintf(stderr, "check_replay: %s: not a hashwall-gen manifest\n", c->manifest_path);
		return -EINVAL;
	}
	c->objs = calloc((size_t)cJSON_GetArraySize(objs) + 1, sizeof(*c->objs));
	c->clients = calloc((size_t)cJSON_GetArraySize(objs) + 1, sizeof(*c->clients));
	if (!c->objs || !c->clients)
		return -ENOMEM;
	cJSON_ArrayForEach(o, objs) {
		struct chk_obj *x = &c->objs[c->nobjs++];
		x->m = o;
		x->path = jstr_or(o, "path", "");
		x->expect = jstr_or(o, "expect", "");
		x->client = jstr(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c->manifest, "flows"),
						    (int)jnum(o, "flow")),
				 "client");
		x->known = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(o, "known"))
				   ? cJSON_GetObjectItemCaseSensitive(o, "known")
				   : NULL;
	}
	if (!c->set_id)
		c->set_id = jstr(c->manifest, "set_id");
	return 0;
}

static int load_events(struct chk *c)
{
	char *text = slurp(c->events_path), *save = NULL;
	size_t cap = 0, lineno = 0;
	int err = text ? 0 : -ENOENT;

	if (err)
		fprintf(stderr, "check_replay: %s: cannot read\n", c->events_path);
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l && !err;
	     l = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(l);
		lineno++;
		if (!cJSON_IsObject(j) || !jstr(j, "event")) {
			chk_fail(c, "events line %zu is not a JSON object with \"event\"", lineno);
			cJSON_Delete(j);
			continue;
		}
		if (c->nevents == cap) {
			cJSON **p = realloc(c->events, (cap = cap ? 2 * cap : 256) * sizeof(*p));
			if (!p) {
				cJSON_Delete(j);
				err = -ENOMEM;
				break;
			}
			c->events = p;
		}
		c->events[c->nevents++] = j;
	}
	free(text);
	return err;
}

int chk_load(struct chk *c)
{
	int err = load_manifest(c);

	return err ? err : load_events(c);
}

void chk_free(struct chk *c)
{
	for (size_t i = 0; i < c->nevents; i++)
		cJSON_Delete(c->events[i]);
	free(c->events);
	free(c->objs);
	free(c->clients);
	cJSON_Delete(c->manifest);
}

/* One client address, one pseudonym; two addresses, two pseudonyms. */
static void check_pseudonym(struct chk *c, const struct chk_obj *o, const char *pseudonym)
{
	size_t i;

	if (!o->client)
		return;
	for (i = 0; i < c->nclients; i++) {
		bool same_plain = !strcmp(c->clients[i].plain, o->client);
		bool same_pseudo = !strcmp(c->clients[i].pseudonym, pseudonym);
		if (same_plain && same_pseudo)
			return;
		if (same_plain || same_pseudo) {
			chk_fail(c, "%s: client pseudonym %s, but %s had %s", o->path, pseudonym,
				 same_plain ? "the same client" : "another client",
				 c->clients[i].pseudonym);
			return;
		}
	}
	c->clients[c->nclients].plain = o->client;
	c->clients[c->nclients++].pseudonym = pseudonym;
}

/* The manifest object of @path; of several with that path (the ranges of
 * one URL, their stitched whole), the one with @e's xxh3-128. */
static struct chk_obj *find_obj(struct chk *c, const char *path, const cJSON *e)
{
	const char *d = jstr(cJSON_GetObjectItemCaseSensitive(e, "digests"), "xxh3-128");
	struct chk_obj *first = NULL;

	for (size_t i = 0; path && i < c->nobjs; i++) {
		const char *w = jstr(cJSON_GetObjectItemCaseSensitive(c->objs[i].m, "digests"),
				     "xxh3-128");
		if (strcmp(c->objs[i].path, path))
			continue;
		if (d && w && !strcmp(w, d))
			return &c->objs[i];
		first = first ? first : &c->objs[i];
	}
	return first;
}

/* The object of an event reported without its request (request_lost): the
 * manifest's request_lost object with the event's xxh3-128. */
static struct chk_obj *find_lost(struct chk *c, const cJSON *e)
{
	const char *d = jstr(cJSON_GetObjectItemCaseSensitive(e, "digests"), "xxh3-128");

	for (size_t i = 0; d && i < c->nobjs; i++) {
		const char *w = jstr(cJSON_GetObjectItemCaseSensitive(c->objs[i].m, "digests"),
				     "xxh3-128");
		if (!strcmp(c->objs[i].expect, "request_lost") && w && !strcmp(w, d))
			return &c->objs[i];
	}
	return NULL;
}

static struct chk_obj *find_event_obj(struct chk *c, const cJSON *e)
{
	return jtrue(e, "request_lost") ? find_lost(c, e) : find_obj(c, jstr(e, "path"), e);
}

/* The fields the replay contract promises on object and match events. */
static bool has_fields(struct chk *c, const cJSON *e, size_t n, bool match)
{
	static const char *const strs[] = { "server_ip", "client", "host", "path", "method" };
	static const char *const nums[] = { "server_port", "status", "size" };
	static const char *const mstrs[] = { "set", "algo", "digest" };
	static const char *const mnums[] = { "set_version", "category", "ref" };
	size_t bad = 0;

	for (size_t i = 0; i < 5; i++)
		bad += !jstr(e, strs[i]);
	for (size_t i = 0; i < 3; i++)
		bad += !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, nums[i])) ||
		       (match && (!jstr(e, mstrs[i]) ||
				  !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, mnums[i]))));
	bad += !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(e, "complete")) ||
	       !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(e, "partial")) ||
	       !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(e, "digests"));
	if (bad)
		chk_fail(c, "event %zu lacks or mistypes %zu contract fields", n + 1, bad);
	return !bad;
}

static bool same_ip(const char *a, const char *b)
{
	uint8_t x[16] = { 0 }, y[16] = { 0 };
	int fa = strchr(a, ':') ? AF_INET6 : AF_INET, fb = strchr(b, ':') ? AF_INET6 : AF_INET;

	return fa == fb && inet_pton(fa, a, x) == 1 && inet_pton(fb, b, y) == 1 && !memcmp(x, y, 16);
}

/* The client field must be a pseudonym, never a plain client address. */
static void check_client(struct chk *c, const cJSON *e, size_t n)
{
	const char *client = jstr(e, "client");
	const cJSON *f;

	if (!client || !*client) {
		chk_fail(c, "event %zu: empty client pseudonym", n + 1);
		return;
	}
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(c->manifest, "flows")) {
		const char *plain = jstr(f, "client");
		if (plain && (strstr(client, plain) || same_ip(client, plain)))
			chk_fail(c, "event %zu: client \"%s\" is a plain client address", n + 1, client);
	}
}

/* Digests of the event equal the manifest's; xxh3-128 and md5 required. */
static void check_digests(struct chk *c, const cJSON *e, const struct chk_obj *o)
{
	const unsigned int least = (1u << HWALL_ALGO_XXH3_128) | (1u << HWALL_ALGO_MD5);
	const cJSON *got = cJSON_GetObjectItemCaseSensitive(e, "digests");
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(o->m, "digests");

	for (int i = 0; i < HWALL_ALGO_COUNT; i++) {
		const char *name = hwall_algo_name((enum hwall_algo)i);
		const char *g = jstr(got, name), *w = jstr(want, name);
		bool required = (c->algos ? c->algos : least) >> i & 1;
		if (!g && required)
			chk_fail(c, "%s: no %s digest reported", o->path, name);
		else if (g && c->algos && !(c->algos >> i & 1))
			chk_fail(c, "%s: %s computed although neither a set nor --hash asked for it",
				 o->path, name);
		else if (g && (!w || strcmp(g, w)))
			chk_fail(c, "%s: %s %s, manifest %s", o->path, name, g, w ? w : "-");
	}
}

/* Everything an object reported complete must get right. */
static void check_complete(struct chk *c, const cJSON *e, const struct chk_obj *o)
{
	static const char *const strs[] = { "host", "method" };
	const char *sip = jstr(e, "server_ip");

	for (size_t i = 0; i < 2; i++)
		if (strcmp(jstr(e, strs[i]), jstr_or(o->m, strs[i], "")))
			chk_fail(c, "%s: %s \"%s\", manifest \"%s\"", o->path, strs[i], jstr(e, strs[i]),
				 jstr(o->m, strs[i]));
	if (jnum(e, "size") != jnum(o->m, "size") || jnum(e, "status") != jnum(o->m, "status"))
		chk_fail(c, "%s: size %.0f status %.0f, manifest size %.0f status %.0f", o->path,
			 jnum(e, "size"), jnum(e, "status"), jnum(o->m, "size"), jnum(o->m, "status"));
	if (jtrue(e, "partial") != jtrue(o->m, "partial"))
		chk_fail(c, "%s: partial %d, manifest %d", o->path, jtrue(e, "partial"),
			 jtrue(o->m, "partial"));
	if (jtrue(e, "stitched") != jtrue(o->m, "stitched"))
		chk_fail(c, "%s: stitched %d, manifest %d", o->path, jtrue(e, "stitched"),
			 jtrue(o->m, "stitched"));
	if (jtrue(e, "host_truncated") != jtrue(o->m, "host_truncated"))
		chk_fail(c, "%s: host_truncated %d, manifest %d", o->path,
			 jtrue(e, "host_truncated"), jtrue(o->m, "host_truncated"));
	if (!same_ip(sip, jstr_or(o->m, "server", "")) || jnum(e, "server_port") != jnum(o->m, "server_port"))
		chk_fail(c, "%s: server %s port %.0f, manifest %s port %.0f", o->path, sip,
			 jnum(e, "server_port"), jstr(o->m, "server"), jnum(o->m, "server_port"));
	check_digests(c, e, o);
}

static void check_object_event(struct chk *c, const cJSON *e, size_t n)
{
	struct chk_obj *o = find_event_obj(c, e);
	bool complete = jtrue(e, "complete");

	check_client(c, e, n);
	if (!o) {
		if (complete)
			chk_fail(c, "event %zu: complete object \"%s\" not in the manifest", n + 1,
				 jstr(e, "path"));
		c->unattributed += !complete;
		return;
	}
	o->reported++;
	check_pseudonym(c, o, jstr(e, "client"));
	if (!strcmp(o->expect, "complete") && !complete)
		chk_fail(c, "%s: reported incomplete (outcome %s), expected complete", o->path,
			 jstr_or(e, "outcome", "?"));
	else if (!strcmp(o->expect, "incomplete") && complete)
		chk_fail(c, "%s: reported complete, expected incomplete", o->path);
	else if (!strcmp(o->expect, "unseen") && complete)
		chk_fail(c, "%s: reported complete although its request was never captured", o->path);
	else if (!strcmp(o->expect, "resync") && !complete && c->resync_required)
		chk_fail(c, "%s: not resynchronised after the mid-stream pickup (outcome %s)", o->path,
			 jstr_or(e, "outcome", "?"));
	else if (!strcmp(o->expect, "request_lost") && (!complete || !jtrue(e, "request_lost")))
		chk_fail(c, "%s: its request was lost: expected complete and request_lost", o->path);
	else if (!strcmp(o->expect, "abandoned") && complete)
		chk_fail(c, "%s: reported complete on a connection that had to be given up", o->path);
	else if (!strcmp(o->expect, "optional") && jnum(e, "size") != 0)
		chk_fail(c, "%s: a response without a body reported with size %.0f", o->path,
			 jnum(e, "size"));
	else if (complete)
		check_complete(c, e, o);
}

void chk_objects(struct chk *c)
{
	for (size_t i = 0; i < c->nevents; i++) {
		const char *ev = jstr(c->events[i], "event");
		if (strcmp(ev, "object"))
			continue;
		c->nobject_events++;
		if (has_fields(c, c->events[i], i, false))
			check_object_event(c, c->events[i], i);
	}
	for (size_t i = 0; i < c->nobjs; i++) {
		const struct chk_obj *o = &c->objs[i];
		bool must = !strcmp(o->expect, "complete") || !strcmp(o->expect, "incomplete") ||
			    !strcmp(o->expect, "request_lost") ||
			    (!strcmp(o->expect, "resync") && c->resync_required);
		if ((must && o->reported != 1) || o->reported > 1)
			chk_fail(c, "%s: reported %zu times, expected %s1", o->path, o->reported,
				 must ? "" : "at most ");
	}
}

static void check_match_event(struct chk *c, const cJSON *e, size_t n)
{
	struct chk_obj *o = find_event_obj(c, e);
	const char *algo = jstr(e, "algo"), *dig = jstr(e, "digest");

	if (!o || !o->known || c->no_set) {
		chk_fail(c, "event %zu: match on \"%s\" which is not a known object", n + 1,
			 jstr(e, "path"));
		return;
	}
	o->matched++;
	if (strcmp(algo, jstr(o->known, "algo")) || strcmp(dig, jstr(o->known, "digest")) ||
	    jnum(e, "category") != jnum(o->known, "category") || jnum(e, "ref") != jnum(o->known, "ref"))
		chk_fail(c, "%s: match %s %s cat %.0f ref %.0f, list says %s %s cat %.0f ref %.0f",
			 o->path, algo, dig, jnum(e, "category"), jnum(e, "ref"),
			 jstr(o->known, "algo"), jstr(o->known, "digest"), jnum(o->known, "category"),
			 jnum(o->known, "ref"));
	if (c->set_id && strcmp(jstr(e, "set"), c->set_id))
		chk_fail(c, "%s: match from set \"%s\", expected \"%s\"", o->path, jstr(e, "set"),
			 c->set_id);
	if (c->set_version >= 0 && jnum(e, "set_version") != (double)c->set_version)
		chk_fail(c, "%s: set_version %.0f, expected %lld", o->path, jnum(e, "set_version"),
			 c->set_version);
	if (!jtrue(e, "complete"))
		chk_fail(c, "%s: match on an incomplete object", o->path);
	else
		check_complete(c, e, o);
}

void chk_matches(struct chk *c)
{
	for (size_t i = 0; i < c->nevents; i++) {
		if (strcmp(jstr(c->events[i], "event"), "match"))
			continue;
		c->nmatch_events++;
		if (has_fields(c, c->events[i], i, true))
			check_match_event(c, c->events[i], i);
	}
	for (size_t i = 0; i < c->nobjs; i++) {
		const struct chk_obj *o = &c->objs[i];
		size_t want = o->known && !c->no_set ? 1 : 0;
		if (o->matched != want)
			chk_fail(c, "%s: %zu matches, expected %zu", o->path, o->matched, want);
	}
}
