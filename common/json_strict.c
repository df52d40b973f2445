/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json_strict.c - strict JSON (see json_strict.h): a scan of the raw text
 * for what cJSON lets through (encoding, control characters, \u0000, a
 * byte-order mark, numbers off the grammar), cJSON's parser, then a walk
 * of the tree for repeated member names and numbers out of range.
 */
#include "common/json_strict.h"
#include "common/errors.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objects with more members than this are checked by sorting their names. */
#define PAIRWISE_MAX 16

static int fault_at(struct hwall_json_fault *f, enum hwall_json_fault_kind kind, size_t offset)
{
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->offset = offset;
	return -EINVAL;
}

/* Length of the UTF-8 sequence at @s (RFC 3629, table in section 4), or 0. */
static size_t utf8_len(const uint8_t *s, size_t avail)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0; /* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f; /* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90; /* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static bool json_space(uint8_t b)
{
	return b == ' ' || b == '\t' || b == '\n' || b == '\r';
}

static bool digit(const uint8_t *s, size_t i, size_t avail)
{
	return i < avail && s[i] >= '0' && s[i] <= '9';
}

/* Length of the number at @s by RFC 8259 section 6, 0 when it is not one
 * (cJSON hands strtod() whatever looks numeric); *ret_integer when it has
 * neither fraction nor exponent. */
static size_t number_len(const uint8_t *s, size_t avail, bool *ret_integer)
{
	size_t i = s[0] == '-';

	if (!digit(s, i, avail))
		return 0;
	if (s[i++] != '0')
		while (digit(s, i, avail))
			i++;
	*ret_integer = true;
	if (i < avail && s[i] == '.') {
		*ret_integer = false;
		if (!digit(s, ++i, avail))
			return 0;
		while (digit(s, i, avail))
			i++;
	}
	if (i < avail && (s[i] == 'e' || s[i] == 'E')) {
		*ret_integer = false;
		i += i + 1 < avail && (s[i + 1] == '+' || s[i + 1] == '-') ? 2 : 1;
		if (!digit(s, i, avail))
			return 0;
		while (digit(s, i, avail))
			i++;
	}
	/* "025", "1.5.2", "1e5e": the grammar ended, the number did not. */
	if (i < avail && (digit(s, i, avail) || strchr(".eE+-", s[i])))
		return 0;
	return i;
}

/* One ASCII byte @s[i] inside a string: its end, an escape, \u0000. */
static int string_byte(const uint8_t *s, size_t i, size_t len, bool *in_string, bool *escaped,
		       struct hwall_json_fault *f)
{
	if (*escaped) {
		*escaped = false;
		if (s[i] == 'u' && len - i >= 5 && memcmp(s + i + 1, "0000", 4) == 0)
			return fault_at(f, HWALL_JSON_NUL_ESCAPE, i - 1);
	} else if (s[i] == '\\') {
		*escaped = true;
	} else if (s[i] == '"') {
		*in_string = false;
	}
	return 0;
}

/* The number at @s[i]: its length in *ret_n, or the fault. */
static int number_at(const uint8_t *s, size_t i, size_t len, unsigned int flags, size_t *ret_n,
		     struct hwall_json_fault *f)
{
	bool integer;
	size_t n = number_len(s + i, len - i, &integer);

	if (n == 0)
		return fault_at(f, HWALL_JSON_SYNTAX, i);
	if (!integer && (flags & HWALL_JSON_INTEGERS))
		return fault_at(f, HWALL_JSON_NOT_INTEGER, i);
	*ret_n = n;
	return 0;
}

/* What cJSON does not check: encoding, raw control characters, \u0000,
 * the number grammar. */
static int scan_text(const uint8_t *s, size_t len, unsigned int flags, struct hwall_json_fault *f)
{
	bool in_string = false, escaped = false;
	size_t n;

	if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return fault_at(f, HWALL_JSON_BOM, 0);
	for (size_t i = 0; i < len; i += n) {
		n = 1;
		if (s[i] >= 0x80) {
			n = utf8_len(s + i, len - i);
			if (n == 0)
				return fault_at(f, HWALL_JSON_ENCODING, i);
			escaped = false;
		} else if (s[i] < 0x20 && (in_string || !json_space(s[i]))) {
			return fault_at(f, HWALL_JSON_CONTROL, i);
		} else if (in_string) {
			HWALL_TRY(string_byte(s, i, len, &in_string, &escaped, f));
		} else if (s[i] == '-' || digit(s, i, len)) {
			HWALL_TRY(number_at(s, i, len, flags, &n, f));
		} else {
			in_string = s[i] == '"';
		}
	}
	return 0;
}

/* Append @name to @path at @at as ".name" (or "name" at the root),
 * printable ASCII as is, other bytes as \xNN; returns the new length. */
static size_t path_key(char *path, size_t at, const char *name)
{
	size_t cap = HWALL_JSON_PATH_MAX - 4; /* room for "..." */

	if (at && at < cap)
		path[at++] = '.';
	for (const uint8_t *p = (const uint8_t *)name; *p && at < cap; p++) {
		if (*p >= 0x20 && *p < 0x7f)
			path[at++] = (char)*p;
		else
			at += (size_t)snprintf(path + at, HWALL_JSON_PATH_MAX - at, "\\x%02x", *p);
	}
	if (at >= cap) {
		strcpy(path + cap, "...");
		return HWALL_JSON_PATH_MAX - 1;
	}
	path[at] = '\0';
	return at;
}

static size_t path_index(char *path, size_t at, size_t index)
{
	int n = snprintf(path + at, HWALL_JSON_PATH_MAX - at, "[%zu]", index);

	return n > 0 && at + (size_t)n < HWALL_JSON_PATH_MAX ? at + (size_t)n : at;
}

static int fault_path(struct hwall_json_fault *f, enum hwall_json_fault_kind kind, const char *path,
		      size_t at, const char *name)
{
	char where[HWALL_JSON_PATH_MAX];

	memcpy(where, path, at);
	where[at] = '\0';
	if (name)
		path_key(where, at, name);
	fault_at(f, kind, 0);
	memcpy(f->path, where, sizeof(where));
	return -EINVAL;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first name that @obj's members repeat, or NULL; -ENOMEM in *r. */
static const char *repeated_name(const cJSON *obj, int *r)
{
	const char **names, *dup = NULL;
	int n = cJSON_GetArraySize(obj), i = 0;
	const cJSON *c, *d;

	*r = 0;
	if (n <= PAIRWISE_MAX) {
		for (c = obj->child; c && !dup; c = c->next)
			for (d = c->next; d && !dup; d = d->next)
				dup = strcmp(c->string, d->string) == 0 ? d->string : NULL;
		return dup;
	}
	names = malloc((size_t)n * sizeof(*names));
	if (!names) {
		*r = -ENOMEM;
		return NULL;
	}
	cJSON_ArrayForEach(c, obj)
		names[i++] = c->string;
	qsort(names, (size_t)n, sizeof(*names), cmp_names);
	for (i = 1; i < n && !dup; i++)
		dup = strcmp(names[i - 1], names[i]) == 0 ? names[i] : NULL;
	free(names);
	return dup;
}

/* Repeated names and infinite numbers, depth first; @path (@at bytes
 * long) names @node. */
static int walk(const cJSON *node, char *path, size_t at, struct hwall_json_fault *f)
{
	const cJSON *c;
	const char *dup;
	size_t index = 0;
	int r;

	if (cJSON_IsNumber(node) && !isfinite(node->valuedouble))
		return fault_path(f, HWALL_JSON_NUMBER, path, at, NULL);
	if (cJSON_IsObject(node)) {
		dup = repeated_name(node, &r);
		if (r < 0)
			return r;
		if (dup)
			return fault_path(f, HWALL_JSON_DUPLICATE, path, at, dup);
	}
	if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
		return 0;
	cJSON_ArrayForEach(c, node) {
		size_t next = cJSON_IsObject(node) ? path_key(path, at, c->string)
						   : path_index(path, at, index++);
		HWALL_TRY(walk(c, path, next, f));
		path[at] = '\0';
	}
	return 0;
}

int hwall_json_parse_strict(const char *text, size_t len, unsigned int flags, cJSON **ret_root,
			    struct hwall_json_fault *ret_fault)
{
	char path[HWALL_JSON_PATH_MAX] = "";
	const char *end = NULL;
	cJSON *root;
	int r;

	HWALL_TRY(scan_text((const uint8_t *)text, len, flags, ret_fault));
	root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!root) {
		size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
		return fault_at(ret_fault, HWALL_JSON_SYNTAX, off);
	}
	while (end < text + len && json_space((uint8_t)*end))
		end++;
	if (end != text + len)
		r = fault_at(ret_fault, HWALL_JSON_TRAILING, (size_t)(end - text));
	else
		r = walk(root, path, 0, ret_fault);
	if (r < 0) {
		cJSON_Delete(root);
		return r;
	}
	*ret_root = root;
	return 0;
}

const char *hwall_json_fault_name(enum hwall_json_fault_kind kind)
{
	static const char *const names[HWALL_JSON_FAULT_COUNT] = {
		[HWALL_JSON_SYNTAX] = "JSON syntax error",
		[HWALL_JSON_BOM] = "byte-order mark",
		[HWALL_JSON_ENCODING] = "not UTF-8",
		[HWALL_JSON_CONTROL] = "raw control character",
		[HWALL_JSON_NUL_ESCAPE] = "\\u0000 in a string",
		[HWALL_JSON_TRAILING] = "unexpected text after the JSON value",
		[HWALL_JSON_DUPLICATE] = "duplicate key",
		[HWALL_JSON_NUMBER] = "number out of range",
		[HWALL_JSON_NOT_INTEGER] = "number with a fraction or an exponent",
	};

	return (unsigned int)kind < HWALL_JSON_FAULT_COUNT ? names[kind] : "?";
}

void hwall_json_fault_format(const struct hwall_json_fault *f, char *buf, size_t len)
{
	const char *name = hwall_json_fault_name(f->kind);

	if (f->kind == HWALL_JSON_DUPLICATE || f->kind == HWALL_JSON_NUMBER)
		snprintf(buf, len, "%s \"%s\"", name, f->path[0] ? f->path : "(root)");
	else
		snprintf(buf, len, "%s at byte %zu", name, f->offset);
}
