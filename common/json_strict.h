/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json_strict.h - JSON parsed strictly: one text, one meaning.
 *
 * For JSON that is signed (bundle manifests), comes from a peer (API
 * bodies, control sockets, pull indexes) or configures a daemon.  cJSON on
 * its own is lenient exactly where two readers of the same bytes can come
 * to different answers: it keeps the first of two members with the same
 * name (other parsers keep the last), skips a leading byte-order mark,
 * stops after the first value and leaves what follows to the caller, takes
 * raw control characters as whitespace or as string content, cuts a string
 * short at an escaped NUL (\u0000), and turns a number beyond double range
 * into infinity.  hwall_json_parse_strict() refuses all of that.
 *
 * The contract: @text is accepted only when all of these hold.
 *   - It is exactly one JSON value (RFC 8259), with nothing before or after
 *     it but JSON whitespace (space, tab, LF, CR).
 *   - It is UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
 *     U+10FFFF) and does not start with a byte-order mark.
 *   - Control characters (U+0000..U+001F) appear only as that whitespace
 *     between tokens, never raw inside a string; no string holds \u0000.
 *   - No object, at any depth, has two members of the same name (compared
 *     after unescaping, byte for byte).
 *   - Every number follows RFC 8259's grammar (no leading zeros: cJSON
 *     would read "025" as 25) and is finite as a double; with
 *     HWALL_JSON_INTEGERS, none has a fraction or an exponent ("25.0" and
 *     "2.5e1" would read as 25).
 *   - Nesting is at most cJSON's limit (CJSON_NESTING_LIMIT, 1000 by default).
 * What the values mean (types, ranges, unknown keys) stays the caller's job.
 */
#ifndef HASHWALL_COMMON_JSON_STRICT_H
#define HASHWALL_COMMON_JSON_STRICT_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Why a text was refused. */
enum hwall_json_fault_kind {
	HWALL_JSON_SYNTAX,     /* not JSON: cJSON's parser stopped at offset */
	HWALL_JSON_BOM,        /* a byte-order mark at offset 0 */
	HWALL_JSON_ENCODING,   /* not UTF-8 at offset */
	HWALL_JSON_CONTROL,    /* a raw control character at offset */
	HWALL_JSON_NUL_ESCAPE, /* \u0000 at offset */
	HWALL_JSON_TRAILING,   /* bytes after the value, from offset */
	HWALL_JSON_DUPLICATE,  /* a member name repeated; path names it */
	HWALL_JSON_NUMBER,     /* a number beyond double range; path names it */
	HWALL_JSON_NOT_INTEGER,/* HWALL_JSON_INTEGERS: a fraction or exponent at offset */
	HWALL_JSON_FAULT_COUNT
};

#define HWALL_JSON_PATH_MAX 200

/* Flags of hwall_json_parse_strict(). */
#define HWALL_JSON_INTEGERS 0x1u /* every number an integer, as written */

/*
 * What was refused and where.  Not a second error type: callers need the
 * kind and the place to word their own struct hwall_err (a config names
 * FILE:LINE:COL, a manifest the key), as hwall_json_fault_format() does.
 */
struct hwall_json_fault {
	enum hwall_json_fault_kind kind;
	size_t offset;                  /* byte offset in the text: every kind but
					 * DUPLICATE and NUMBER */
	char path[HWALL_JSON_PATH_MAX]; /* DUPLICATE, NUMBER: "payload.size",
					 * "hotlines[0].set"; bytes outside printable
					 * ASCII as \xNN, cut with "..." when long */
};

/*
 * Parse the @len bytes at @text (no NUL terminator needed) under the
 * contract above; @flags: 0 or HWALL_JSON_INTEGERS.  Returns 0 with
 * *ret_root set (the caller frees it with cJSON_Delete()), -EINVAL with
 * *ret_fault saying why, or -ENOMEM.  On failure *ret_root is untouched and
 * nothing stays allocated.
 */
int hwall_json_parse_strict(const char *text, size_t len, unsigned int flags, cJSON **ret_root,
			    struct hwall_json_fault *ret_fault);

/* A short phrase for @kind ("duplicate key", "byte-order mark"). */
const char *hwall_json_fault_name(enum hwall_json_fault_kind kind);

/*
 * One line for humans into @buf (@len bytes, NUL-terminated, cut when
 * short): "duplicate key \"payload.size\"", "byte-order mark at byte 0",
 * "unexpected text after the JSON value at byte 812".
 */
void hwall_json_fault_format(const struct hwall_json_fault *f, char *buf, size_t len);

#endif
