/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json_strict.c - strict JSON (see json_strict.h): a validating scan of the
 * text against RFC 8259's grammar and the refusals of the contract, then
 * cJSON builds the tree, then a walk of the tree for duplicate names.
 */
#include "common/json_strict.h"
#include "common/utf8.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYNTAX "JSON syntax error"
#define PATH_MAX_LEN 192  /* of the JSON path in a duplicate-key message */
#define NAME_SHOWN 32     /* bytes of a member name quoted in a message */
#define PAIRWISE_MAX 8    /* objects up to this size are checked pairwise */

struct scan {
	const unsigned char *start, *p, *end;
	unsigned int depth;
	const char *why;          /* first failure */
	const unsigned char *at;  /* where it was seen */
};

static bool fail(struct scan *c, const char *why)
{
	c->why = why;
	c->at = c->p < c->end ? c->p : c->end;
	return false;
}

static void skip_ws(struct scan *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool value(struct scan *c);

static int hex_digit(unsigned char h)
{
	if (h >= '0' && h <= '9')
		return h - '0';
	if ((h | 0x20) >= 'a' && (h | 0x20) <= 'f')
		return (h | 0x20) - 'a' + 10;
	return -1;
}

/* The 4 hex digits after "\u" at c->p into *ret (c->p moves past them). */
static bool hex4(struct scan *c, unsigned int *ret)
{
	unsigned int v = 0;

	if (c->end - c->p < 4)
		return fail(c, SYNTAX);
	for (int i = 0; i < 4; i++) {
		int d = hex_digit(c->p[i]);
		if (d < 0)
			return fail(c, SYNTAX);
		v = v << 4 | (unsigned int)d;
	}
	c->p += 4;
	*ret = v;
	return true;
}

/* \uXXXX at c->p (after the backslash and the 'u'): no U+0000, surrogates
 * only as a high-low pair. */
static bool unicode_escape(struct scan *c)
{
	const unsigned char *esc = c->p - 2;
	unsigned int u, lo;

	if (!hex4(c, &u))
		return false;
	if (u == 0) {
		c->p = esc;
		return fail(c, "\\u0000 in a string");
	}
	if (u >= 0xdc00 && u <= 0xdfff) {
		c->p = esc;
		return fail(c, "unpaired surrogate escape");
	}
	if (u < 0xd800 || u > 0xdbff)
		return true;
	if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u') {
		c->p = esc;
		return fail(c, "unpaired surrogate escape");
	}
	c->p += 2;
	if (!hex4(c, &lo))
		return false;
	if (lo < 0xdc00 || lo > 0xdfff) {
		c->p = esc;
		return fail(c, "unpaired surrogate escape");
	}
	return true;
}

/* A string at c->p (on its opening quote). */
static bool string(struct scan *c)
{
	c->p++;
	while (c->p < c->end) {
		unsigned char ch = *c->p;
		uint32_t cp;
		size_t n;

		if (ch == '"') {
			c->p++;
			return true;
		}
		if (ch == '\\') {
			if (++c->p == c->end)
				break;
			ch = *c->p++;
			if (ch == 'u' && !unicode_escape(c))
				return false;
			if (ch != 'u' && (ch == 0 || !strchr("\"\\/bfnrt", ch))) {
				c->p -= 2;
				return fail(c, "unknown escape in a string");
			}
			continue;
		}
		if (ch < 0x20)
			return fail(c, "control character in a string");
		n = hwall_utf8_next((const char *)c->p, (size_t)(c->end - c->p), &cp);
		if (n == 0)
			return fail(c, "invalid UTF-8");
		c->p += n;
	}
	return fail(c, SYNTAX);
}

static bool digits(struct scan *c)
{
	const unsigned char *from = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > from || fail(c, SYNTAX);
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number(struct scan *c)
{
	if (*c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!digits(c))
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!digits(c))
			return false;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!digits(c))
			return false;
	}
	return true;
}

static bool literal(struct scan *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return fail(c, SYNTAX);
	c->p += n;
	return true;
}

/* An array (@close ']') or object ('}') at c->p, on its opening bracket. */
static bool container(struct scan *c, unsigned char close)
{
	if (++c->depth > HWALL_JSON_STRICT_DEPTH_MAX)
		return fail(c, "nested deeper than 64 levels");
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return true;
	}
	for (;;) {
		skip_ws(c);
		if (close == '}') {
			if (c->p == c->end || *c->p != '"')
				return fail(c, SYNTAX);
			if (!string(c))
				return false;
			skip_ws(c);
			if (c->p == c->end || *c->p != ':')
				return fail(c, SYNTAX);
			c->p++;
		}
		if (!value(c))
			return false;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == close)
			break;
		return fail(c, SYNTAX);
	}
	c->p++;
	c->depth--;
	return true;
}

static bool value(struct scan *c)
{
	skip_ws(c);
	if (c->p == c->end)
		return fail(c, SYNTAX);
	switch (*c->p) {
	case '{': return container(c, '}');
	case '[': return container(c, ']');
	case '"': return string(c);
	case 't': return literal(c, "true");
	case 'f': return literal(c, "false");
	case 'n': return literal(c, "null");
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return number(c);
		return fail(c, SYNTAX);
	}
}

/* The whole text: no BOM, one value, nothing after it but whitespace. */
static bool text_ok(struct scan *c)
{
	if (c->end - c->p >= 3 && memcmp(c->p, "\xef\xbb\xbf", 3) == 0)
		return fail(c, "byte-order mark");
	if (!value(c))
		return false;
	skip_ws(c);
	return c->p == c->end || fail(c, "unexpected text after the JSON value");
}

/* ---- duplicate names, on the tree ---- */

/* @name for a message: printable ASCII, cut at NAME_SHOWN bytes. */
static void shown(const char *name, char *out, size_t cap)
{
	size_t n = 0;

	for (; name[n] && n < NAME_SHOWN && n + 1 < cap; n++)
		out[n] = name[n] > 0x20 && name[n] < 0x7f && name[n] != '"' ? name[n] : '?';
	out[n] = '\0';
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* Whether two members of @obj (@n of them) have the same name: 1 with
 * *ret_name, 0, or -ENOMEM. */
static int duplicate_in(const cJSON *obj, int n, const char **ret_name)
{
	const cJSON *small[PAIRWISE_MAX], **v = small;
	const cJSON *m;
	int i = 0, found = 0;

	if (n > PAIRWISE_MAX && !(v = malloc((size_t)n * sizeof(*v))))
		return -ENOMEM;
	for (m = obj->child; m && i < n; m = m->next)
		v[i++] = m;
	if (n > PAIRWISE_MAX) {
		/* sorted, a duplicate sits next to its twin: O(n log n) */
		qsort(v, (size_t)n, sizeof(*v), cmp_names);
		for (int a = 0; a + 1 < n && !found; a++)
			found = strcmp(v[a]->string, v[a + 1]->string) == 0 ? a + 1 : 0;
	} else {
		for (int a = 0; a < n && !found; a++)
			for (int b = a + 1; b < n && !found; b++)
				found = strcmp(v[a]->string, v[b]->string) == 0 ? a + 1 : 0;
	}
	if (found)
		*ret_name = v[found - 1]->string;
	if (v != small)
		free((void *)v);
	return found ? 1 : 0;
}

/* Walk @node; on a duplicate write its JSON path into @path (of @cap bytes,
 * @len used by the parents) and return -EINVAL (-ENOMEM when out of memory). */
static int check_names(const cJSON *node, char *path, size_t len, size_t cap)
{
	const cJSON *m;
	const char *dup = NULL;
	char name[NAME_SHOWN + 1];
	int i = 0, r;

	if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
		return 0;
	r = cJSON_IsObject(node) ? duplicate_in(node, cJSON_GetArraySize(node), &dup) : 0;
	if (r < 0)
		return r;
	if (r > 0) {
		shown(dup, name, sizeof(name));
		snprintf(path + len, cap - len, "%s%s", len ? "." : "", name);
		return -EINVAL;
	}
	for (m = node->child; m; m = m->next, i++) {
		size_t n = len;
		if (cJSON_IsObject(node)) {
			shown(m->string, name, sizeof(name));
			n += (size_t)snprintf(path + len, cap - len, "%s%s", len ? "." : "", name);
		} else {
			n += (size_t)snprintf(path + len, cap - len, "[%d]", i);
		}
		r = check_names(m, path, n < cap ? n : cap - 1, cap);
		if (r < 0)
			return r;
	}
	path[len] = '\0';
	return 0;
}

/* Line and column (1-based) of @at in the text of @c. */
static void line_col(const struct scan *c, unsigned int *line, unsigned int *col)
{
	*line = 1;
	*col = 1;
	for (const unsigned char *p = c->start; p < c->at; p++) {
		if (*p == '\n')
			(*line)++, *col = 1;
		else
			(*col)++;
	}
}

int hwall_json_parse_strict(const char *text, size_t len, const char *name, cJSON **ret_root,
			    char *err, size_t errlen)
{
	struct scan c = { .start = (const unsigned char *)text, .p = (const unsigned char *)text,
			  .end = (const unsigned char *)text + len };
	char path[PATH_MAX_LEN] = "";
	unsigned int line, col;
	cJSON *root;
	int r;

	if (!text_ok(&c)) {
		line_col(&c, &line, &col);
		snprintf(err, errlen, "%s%s%u:%u: %s", name ? name : "", name ? ":" : "", line, col,
			 c.why);
		return -EINVAL;
	}
	/* What passed the scan is a subset of what cJSON accepts: a failure
	 * here is an allocation that failed. */
	root = cJSON_ParseWithLength(text, len);
	if (!root)
		return -ENOMEM;
	r = check_names(root, path, 0, sizeof(path));
	if (r < 0) {
		cJSON_Delete(root);
		if (r == -EINVAL)
			snprintf(err, errlen, "%s%s%s: duplicate key", name ? name : "",
				 name ? ": " : "", path);
		return r;
	}
	*ret_root = root;
	return 0;
}
