/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.c - table-driven JSON configuration loading (see config.h).
 */
#include "common/config.h"
#include "common/errors.h"
#include "common/fileio.h"
#include "common/json_strict.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 256

int hwall_cfg_fail(struct hwall_err *err, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwall_err_setv(err, -EINVAL, fmt, ap);
	va_end(ap);
	return hwall_err_prefix(err, -EINVAL, "%s: ", path && *path ? path : "(root)");
}

/* Line and column (1-based) of byte @off in @text. */
static void line_col(const char *text, size_t off, unsigned int *line, unsigned int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int hwall_cfg_parse_text(const char *text, size_t len, const char *name, cJSON **ret_root,
		      struct hwall_err *err)
{
	struct hwall_json_fault f;
	unsigned int line, col;
	int r;

	r = hwall_json_parse_strict(text, len, 0, ret_root, &f);
	if (r == -ENOMEM)
		return hwall_err_set(err, r, "%s: out of memory", name);
	if (r < 0 && (f.kind == HWALL_JSON_DUPLICATE || f.kind == HWALL_JSON_NUMBER))
		return hwall_err_set(err, r, "%s: %s: %s", name, f.path[0] ? f.path : "(root)",
				     hwall_json_fault_name(f.kind));
	if (r < 0) {
		line_col(text, f.offset > len ? len : f.offset, &line, &col);
		return hwall_err_set(err, r, "%s:%u:%u: %s", name, line, col, hwall_json_fault_name(f.kind));
	}
	return 0;
}

int hwall_cfg_parse_file(const char *file, cJSON **ret_root, struct hwall_err *err)
{
	char *text;
	size_t len;
	int r;

	r = hwall_read_file(file, HWALL_CFG_MAX_FILE, &text, &len);
	if (r < 0)
		return hwall_err_set(err, r, "%s: %s", file,
				     r == -EFBIG ? "larger than 16 MiB" :
				     r == -EINVAL ? "not a regular file" : hwall_strerror(r));
	r = hwall_cfg_parse_text(text, len, file, ret_root, err);
	free(text);
	return r;
}

static const char *kind_name(enum hwall_cfg_kind kind)
{
	switch (kind) {
	case HWALL_CFG_STRING: return "string";
	case HWALL_CFG_BOOL: return "boolean";
	case HWALL_CFG_U16:
	case HWALL_CFG_U32:
	case HWALL_CFG_U64: return "unsigned integer";
	case HWALL_CFG_DOUBLE: return "number";
	case HWALL_CFG_OBJECT: return "object";
	case HWALL_CFG_ARRAY: return "array";
	default: return "value";
	}
}

static int load_number(const cJSON *node, const struct hwall_cfg_field *f, enum hwall_cfg_kind kind,
		       void *field, const char *path, struct hwall_err *err)
{
	double v = node->valuedouble, lo = f->min, hi = f->max;
	double type_max = kind == HWALL_CFG_U16 ? 65535.0 :
			  kind == HWALL_CFG_U32 ? 4294967295.0 : 9007199254740992.0;

	if (!cJSON_IsNumber(node))
		return hwall_cfg_fail(err, path, "expected %s", kind_name(kind));
	if (kind == HWALL_CFG_DOUBLE) {
		if (!isfinite(v) || ((lo != 0 || hi != 0) && (v < lo || v > hi)))
			return hwall_cfg_fail(err, path, "%g is out of range %g..%g", v, lo, hi);
		*(double *)field = v;
		return 0;
	}
	if (v < 0 || v != floor(v) || v > type_max)
		return hwall_cfg_fail(err, path, "expected %s, got %g", kind_name(kind), v);
	if ((lo != 0 || hi != 0) && (v < lo || v > hi))
		return hwall_cfg_fail(err, path, "%.0f is out of range %.0f..%.0f", v, lo, hi);
	if (kind == HWALL_CFG_U16)
		*(uint16_t *)field = (uint16_t)v;
	else if (kind == HWALL_CFG_U32)
		*(uint32_t *)field = (uint32_t)v;
	else
		*(uint64_t *)field = (uint64_t)v;
	return 0;
}

static int load_array(const cJSON *node, const struct hwall_cfg_field *f, void *field,
		      const char *path, struct hwall_err *err);

/* Load one value of @kind from @node into the memory at @field. */
static int load_value(const cJSON *node, const struct hwall_cfg_field *f, enum hwall_cfg_kind kind,
		      void *field, const char *path, struct hwall_err *err)
{
	switch (kind) {
	case HWALL_CFG_STRING: {
		if (!cJSON_IsString(node) || !node->valuestring)
			return hwall_cfg_fail(err, path, "expected string");
		char *s = strdup(node->valuestring);
		if (!s)
			return hwall_cfg_fail(err, path, "out of memory");
		free(*(char **)field);
		*(char **)field = s;
		return 0;
	}
	case HWALL_CFG_BOOL:
		if (!cJSON_IsBool(node))
			return hwall_cfg_fail(err, path, "expected boolean");
		*(bool *)field = cJSON_IsTrue(node);
		return 0;
	case HWALL_CFG_U16:
	case HWALL_CFG_U32:
	case HWALL_CFG_U64:
	case HWALL_CFG_DOUBLE:
		return load_number(node, f, kind, field, path, err);
	case HWALL_CFG_OBJECT:
		return hwall_cfg_load(node, f->fields, field, path, err);
	case HWALL_CFG_ARRAY:
		return load_array(node, f, field, path, err);
	case HWALL_CFG_CUSTOM:
		return f->custom(node, field, path, err);
	default:
		return hwall_cfg_fail(err, path, "internal error: bad field kind");
	}
}

static int load_array(const cJSON *node, const struct hwall_cfg_field *f, void *field,
		      const char *path, struct hwall_err *err)
{
	size_t n = (size_t)cJSON_GetArraySize(node), i = 0;
	size_t *count = (size_t *)((char *)field - f->offset + f->count_offset);
	char sub[PATH_MAX_LEN];
	const cJSON *el;
	char *elems;

	if (!cJSON_IsArray(node))
		return hwall_cfg_fail(err, path, "expected array");
	if (f->max_elems && n > f->max_elems)
		return hwall_cfg_fail(err, path, "%zu elements, at most %zu allowed", n, f->max_elems);
	elems = calloc(n ? n : 1, f->elem_size);
	if (!elems)
		return hwall_cfg_fail(err, path, "out of memory");
	/* Hand the array over first so that hwall_cfg_free() releases it on error. */
	*(void **)field = elems;
	*count = n;
	cJSON_ArrayForEach(el, node) {
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		HWALL_TRY(load_value(el, f, f->elem_kind, elems + i * f->elem_size, sub, err));
		i++;
	}
	return 0;
}

int hwall_cfg_load(const cJSON *obj, const struct hwall_cfg_field *fields, void *dst,
		const char *path, struct hwall_err *err)
{
	char sub[PATH_MAX_LEN];
	const cJSON *item;

	if (!cJSON_IsObject(obj))
		return hwall_cfg_fail(err, path, "expected object");

	/* Unknown keys are refused: a typo must not silently become a default. */
	cJSON_ArrayForEach(item, obj) {
		const struct hwall_cfg_field *f = fields;
		while (f->key && strcmp(f->key, item->string) != 0)
			f++;
		if (!f->key) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", item->string);
			return hwall_cfg_fail(err, sub, "unknown key");
		}
	}
	for (const struct hwall_cfg_field *f = fields; f->key; f++) {
		void *field = (char *)dst + f->offset;
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", f->key);
		item = cJSON_GetObjectItemCaseSensitive(obj, f->key);
		if (!item || cJSON_IsNull(item)) {
			if (f->required)
				return hwall_cfg_fail(err, sub, "missing required key");
			if (f->kind == HWALL_CFG_STRING && f->def_str && !*(char **)field) {
				*(char **)field = strdup(f->def_str);
				if (!*(char **)field)
					return hwall_cfg_fail(err, sub, "out of memory");
			}
			continue;
		}
		HWALL_TRY(load_value(item, f, f->kind, field, sub, err));
	}
	return 0;
}

static void free_value(const struct hwall_cfg_field *f, enum hwall_cfg_kind kind, void *field);

static void free_array(const struct hwall_cfg_field *f, void *field)
{
	size_t *count = (size_t *)((char *)field - f->offset + f->count_offset);
	char *elems = *(char **)field;

	for (size_t i = 0; elems && i < *count; i++)
		free_value(f, f->elem_kind, elems + i * f->elem_size);
	free(elems);
	*(char **)field = NULL;
	*count = 0;
}

static void free_value(const struct hwall_cfg_field *f, enum hwall_cfg_kind kind, void *field)
{
	if (kind == HWALL_CFG_STRING) {
		free(*(char **)field);
		*(char **)field = NULL;
	} else if (kind == HWALL_CFG_OBJECT) {
		hwall_cfg_free(f->fields, field);
	} else if (kind == HWALL_CFG_ARRAY) {
		free_array(f, field);
	}
}

void hwall_cfg_free(const struct hwall_cfg_field *fields, void *dst)
{
	if (!dst)
		return;
	for (const struct hwall_cfg_field *f = fields; f->key; f++)
		free_value(f, f->kind, (char *)dst + f->offset);
}
