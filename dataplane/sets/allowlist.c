/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * allowlist.c - loading and looking up the local allowlist (see allowlist.h).
 */
#include "dataplane/sets/allowlist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/errors.h"
#include "common/fileio.h"

/* Bytes of file read at most: DP_ALLOWLIST_MAX lines of the longest digest. */
#define FILE_MAX ((size_t)DP_ALLOWLIST_MAX * 80)

struct entry {
	uint16_t scope;
	uint8_t algo;
	uint8_t digest[HWALL_DIGEST_MAX];
};

/* Entries collected while parsing, before the table is built, and the sets
 * they name (scope k is sets[k - 1]). */
struct entries {
	struct entry *v;
	size_t n, cap;
	char (*sets)[DP_ALLOWLIST_SET_ID_MAX + 1];
	uint32_t n_sets;
};

/* The table's hash, of (algo, digest) only, so that every scope of a
 * digest lies on one probe sequence: the digests are uniform already, but
 * a local file should not be able to make probing sequences long, so mix
 * them. */
static uint64_t entry_tag(enum hwall_algo algo, const uint8_t *digest)
{
	uint64_t x = (uint64_t)(algo + 1) * 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < 8; i++)
		x ^= (uint64_t)digest[i] << (8 * i);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return (x ^ (x >> 31)) | 1;
}

/* Whether slot @s holds (@algo, @digest) of tag @tag, in any scope. */
static bool slot_is(const struct dp_allow_slot *s, uint64_t tag, enum hwall_algo algo,
		    const uint8_t *digest)
{
	return s->tag == tag && s->algo == algo &&
	       memcmp(s->digest, digest, hwall_algo_len(algo)) == 0;
}

/* The slot holding (@algo, @digest, @scope), or the empty slot where it
 * belongs. */
static struct dp_allow_slot *probe(const struct dp_allowlist *l, enum hwall_algo algo,
				   const uint8_t *digest, uint16_t scope)
{
	uint64_t tag = entry_tag(algo, digest);

	for (uint32_t i = (uint32_t)tag;; i++) {
		struct dp_allow_slot *s = &l->slots[i & l->slot_mask];

		if (s->tag == 0 || (slot_is(s, tag, algo, digest) && s->scope == scope))
			return s;
	}
}

bool dp_allowlist_contains(const struct dp_allowlist *l, enum hwall_algo algo,
			   const uint8_t *digest, const char *set)
{
	uint64_t tag;

	if (!l || l->n == 0 || (unsigned int)algo >= HWALL_ALGO_COUNT)
		return false;
	tag = entry_tag(algo, digest);
	/* Every scope of the digest, up to the end of its probe sequence. */
	for (uint32_t i = (uint32_t)tag;; i++) {
		const struct dp_allow_slot *s = &l->slots[i & l->slot_mask];

		if (s->tag == 0)
			return false;
		if (slot_is(s, tag, algo, digest) &&
		    (s->scope == 0 || (set && strcmp(l->sets[s->scope - 1], set) == 0)))
			return true;
	}
}

/* The scope of set @id (1 + its index), added when new; -EINVAL or -E2BIG
 * with @err saying why when it is no set id or one too many, -ENOMEM. */
static int set_scope(struct entries *out, const char *id, unsigned int lineno,
		     struct hwall_err *err)
{
	void *v;

	if (!hws_id_valid(id))
		return hwall_err_set(err, -EINVAL,
				     "line %u: not a set id (1-%d printable characters)", lineno,
				     DP_ALLOWLIST_SET_ID_MAX);
	/* Newest first: controld writes a set's entries one after another. */
	for (uint32_t k = out->n_sets; k > 0; k--)
		if (strcmp(out->sets[k - 1], id) == 0)
			return (int)k;
	if (out->n_sets == DP_ALLOWLIST_SETS_MAX)
		return hwall_err_set(err, -E2BIG, "line %u: more than %u sets", lineno,
				     DP_ALLOWLIST_SETS_MAX);
	v = realloc(out->sets, (out->n_sets + 1) * sizeof(*out->sets));
	if (!v)
		return -ENOMEM;
	out->sets = v;
	memcpy(out->sets[out->n_sets], id, strlen(id) + 1);
	return (int)++out->n_sets;
}

/* One "ALGO HEX [SET]" line, NUL-terminated and without its newline. */
static int parse_line(char *line, unsigned int lineno, struct entries *out, struct hwall_err *err)
{
	static const char ws[] = " \t\r";
	char *algo_s, *hex, *set, *rest;
	struct hwall_digest d;
	int a, scope = 0;

	algo_s = strtok_r(line, ws, &rest);
	if (!algo_s || algo_s[0] == '#')
		return 0;
	hex = strtok_r(NULL, ws, &rest);
	if (!hex)
		return hwall_err_set(err, -EINVAL, "line %u: expected 'ALGO HEX [SET]'", lineno);
	set = strtok_r(NULL, ws, &rest);
	if (strtok_r(NULL, ws, &rest))
		return hwall_err_set(err, -EINVAL, "line %u: more than three fields", lineno);
	a = hwall_algo_parse(algo_s);
	if (a < 0)
		return hwall_err_set(err, -EINVAL, "line %u: unknown algorithm '%.20s' (known: %s)",
				     lineno, algo_s, hwall_algo_names());
	if (hwall_digest_parse((enum hwall_algo)a, hex, &d) < 0)
		return hwall_err_set(err, -EINVAL, "line %u: not %zu hex digits of %s", lineno,
			    2 * hwall_algo_len((enum hwall_algo)a), algo_s);
	if (set && (scope = set_scope(out, set, lineno, err)) < 0)
		return scope;
	if (out->n == DP_ALLOWLIST_MAX)
		return hwall_err_set(err, -E2BIG, "line %u: more than %u entries", lineno,
				     DP_ALLOWLIST_MAX);
	if (out->n == out->cap) {
		size_t cap = out->cap ? 2 * out->cap : 64;
		struct entry *v = realloc(out->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		out->v = v;
		out->cap = cap;
	}
	out->v[out->n].algo = (uint8_t)a;
	out->v[out->n].scope = (uint16_t)scope;
	memcpy(out->v[out->n].digest, d.bytes, sizeof(d.bytes));
	out->n++;
	return 0;
}

static int split_lines(const char *text, size_t len, struct entries *out, struct hwall_err *err)
{
	char line[DP_ALLOWLIST_LINE_MAX + 1];
	unsigned int lineno = 0;
	size_t pos = 0;
	int r;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		lineno++;
		if (n > DP_ALLOWLIST_LINE_MAX)
			return hwall_err_set(err, -EINVAL, "line %u: longer than %d bytes", lineno,
				    DP_ALLOWLIST_LINE_MAX);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (strlen(line) != n)
			return hwall_err_set(err, -EINVAL, "line %u: NUL byte", lineno);
		r = parse_line(line, lineno, out, err);
		if (r < 0)
			return r;
		pos += n + 1;
	}
	return 0;
}

/* The table for @e: at most half full, duplicates kept once; takes @e's
 * set names. */
static int build(struct entries *e, struct dp_allowlist **ret_list)
{
	struct dp_allowlist *l = calloc(1, sizeof(*l));
	uint32_t slots = 16;

	while (slots < 2 * e->n)
		slots *= 2;
	if (!l || !(l->slots = calloc(slots, sizeof(*l->slots)))) {
		free(l);
		return -ENOMEM;
	}
	l->slot_mask = slots - 1;
	for (size_t i = 0; i < e->n; i++) {
		enum hwall_algo algo = (enum hwall_algo)e->v[i].algo;
		struct dp_allow_slot *s = probe(l, algo, e->v[i].digest, e->v[i].scope);

		if (s->tag)
			continue;
		s->tag = entry_tag(algo, e->v[i].digest);
		s->scope = e->v[i].scope;
		s->algo = e->v[i].algo;
		memcpy(s->digest, e->v[i].digest, sizeof(s->digest));
		l->n++;
	}
	l->sets = e->sets;
	l->n_sets = e->n_sets;
	e->sets = NULL;
	*ret_list = l;
	return 0;
}

int dp_allowlist_parse(const char *text, size_t len, struct dp_allowlist **ret_list,
		       struct hwall_err *err)
{
	struct entries e = { 0 };
	int r;

	r = split_lines(text, len, &e, err);
	if (r == 0)
		r = build(&e, ret_list);
	if (r == -ENOMEM)
		hwall_err_set(err, r, "out of memory");
	free(e.v);
	free(e.sets);
	return r;
}

int dp_allowlist_load(const char *path, struct dp_allowlist **ret_list, struct hwall_err *err)
{
	struct dp_allowlist *l = NULL;
	char *buf = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	r = hwall_read_file_stat(path, FILE_MAX, &buf, &len, &st);
	if (r < 0)
		return hwall_err_set(err, r, "%s: %s", path,
				     r == -EINVAL ? "not a regular file" : hwall_strerror(r));
	r = dp_allowlist_parse(buf, len, &l, err);
	free(buf);
	if (r < 0)
		return hwall_err_prefix(err, r, "%s: ", path);
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->size = st.st_size;
	l->mtime = st.st_mtim;
	*ret_list = l;
	return 0;
}

bool dp_allowlist_changed(const struct dp_allowlist *l, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return false;
	return !l || st.st_dev != l->dev || st.st_ino != l->ino || st.st_size != l->size ||
	       st.st_mtim.tv_sec != l->mtime.tv_sec || st.st_mtim.tv_nsec != l->mtime.tv_nsec;
}

void dp_allowlist_free(struct dp_allowlist *l)
{
	if (!l)
		return;
	free(l->slots);
	free(l->sets);
	free(l);
}
