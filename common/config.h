/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h - the one JSON configuration loader (cJSON underneath).
 *
 * Each module describes its part of the configuration as a table of fields
 * (key, kind, required, where it goes in a C struct, range).  hwall_cfg_load()
 * walks a cJSON object against such a table and fills the struct, refusing
 * unknown keys, missing required keys, wrong types and out-of-range numbers.
 * Every error names the JSON path and the reason:
 *
 *     sets[2].path: expected string
 *     dataplane.ports[0].rx_queues: 70000 is out of range 1..1024
 *
 * Strings and arrays are allocated; hwall_cfg_free() releases them.  Fields
 * that are absent keep whatever the caller put in the struct beforehand
 * (its defaults), except strings, which take def_str (copied) when given.
 */
#ifndef HASHWALL_COMMON_CONFIG_H
#define HASHWALL_COMMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/errors.h"

#define HWALL_CFG_MAX_FILE (16u << 20) /* bytes: a config larger than this is refused */

enum hwall_cfg_kind {
	HWALL_CFG_STRING, /* char *, allocated */
	HWALL_CFG_BOOL,   /* bool */
	HWALL_CFG_U16,    /* uint16_t */
	HWALL_CFG_U32,    /* uint32_t */
	HWALL_CFG_U64,    /* uint64_t (integers up to 2^53 exactly, as JSON allows) */
	HWALL_CFG_DOUBLE, /* double */
	HWALL_CFG_OBJECT, /* nested struct at offset, described by .fields */
	HWALL_CFG_ARRAY,  /* elements of .elem_kind: pointer at offset, count at .count_offset */
	HWALL_CFG_CUSTOM, /* .custom parses the node into the field at offset */
	HWALL_CFG_KIND_COUNT
};

/* Parser for HWALL_CFG_CUSTOM: return 0, or -EINVAL after hwall_cfg_fail(). */
typedef int (*hwall_cfg_custom_fn)(const cJSON *node, void *field, const char *path,
				struct hwall_err *err);

struct hwall_cfg_field {
	const char *key;
	enum hwall_cfg_kind kind;
	bool required;
	size_t offset;
	double min, max;                    /* numbers: inclusive range, unless both 0 */
	const char *def_str;                /* STRING: copied in when absent */
	const struct hwall_cfg_field *fields;  /* OBJECT, or ARRAY of OBJECT: NULL-key ended */
	size_t elem_size;                   /* ARRAY: size of one element */
	enum hwall_cfg_kind elem_kind;         /* ARRAY: kind of the elements (not ARRAY) */
	size_t count_offset;                /* ARRAY: size_t element count */
	size_t max_elems;                   /* ARRAY: 0 = no limit */
	hwall_cfg_custom_fn custom;            /* CUSTOM, or ARRAY of CUSTOM */
};

/*
 * Read and parse @file as JSON, strictly (common/json_strict.h: no
 * duplicate keys, nothing after the value, no byte-order mark, UTF-8).  On
 * success *ret_root owns the tree (free with cJSON_Delete).  Errors: -ENOENT
 * etc. from opening, -EFBIG over HWALL_CFG_MAX_FILE, -EINVAL when the text
 * is refused ("FILE:LINE:COL: JSON syntax error", "FILE: hotlines[0].set:
 * duplicate key").
 */
int hwall_cfg_parse_file(const char *file, cJSON **ret_root, struct hwall_err *err);

/* Same for text in memory; @name is used in error messages. */
int hwall_cfg_parse_text(const char *text, size_t len, const char *name, cJSON **ret_root,
		      struct hwall_err *err);

/*
 * Fill @dst from the JSON object @obj by @fields (terminated by a field with
 * a NULL key).  @path is the JSON path of @obj ("" at the root).  Returns 0,
 * or -EINVAL with @err set; on failure @dst may hold partly filled values,
 * which hwall_cfg_free() releases.
 */
int hwall_cfg_load(const cJSON *obj, const struct hwall_cfg_field *fields, void *dst,
		const char *path, struct hwall_err *err);

/* Release what hwall_cfg_load() allocated in @dst.  Accepts a zeroed @dst. */
void hwall_cfg_free(const struct hwall_cfg_field *fields, void *dst);

/* Set @err to "PATH: reason"; returns -EINVAL for convenience. */
int hwall_cfg_fail(struct hwall_err *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
