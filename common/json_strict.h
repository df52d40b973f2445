/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json_strict.h - one JSON text parsed strictly: what hashwall reads from a
 * peer or an operator (the API's request bodies, the ingest socket's
 * records, configuration files through common/config.h) goes through here.
 *
 * RFC 8259 lets a parser accept more than its grammar and leaves duplicate
 * member names open ("SHOULD be unique"), and parsers differ there: one
 * takes the first of two "version" members, another the last.  Input that
 * two components may read differently is refused instead.  The contract:
 *
 *   accepted   exactly RFC 8259's grammar: one value (any type) with
 *              optional whitespace (SP, HT, LF, CR) around it;
 *   refused    a byte-order mark at the start (RFC 8259 section 8.1);
 *              any byte after the value but that whitespace, NUL included;
 *              a member name twice in one object, at any depth, compared
 *              after unescaping ("a" and "\u0061" are the same name);
 *              text that is not UTF-8 (common/utf8.h: overlong forms,
 *              surrogates, above U+10FFFF), raw control characters
 *              (below U+0020) in strings, unknown escapes, a \u escape of
 *              an unpaired surrogate;
 *              \u0000 in a string or name (a C string ends there, so a
 *              value would be cut without a word);
 *              numbers outside the grammar (+1, 01, .5, 1., 0x1, NaN);
 *              nesting deeper than HWALL_JSON_STRICT_DEPTH_MAX.
 *
 * The tree is cJSON's; strings in it are NUL-free UTF-8.
 */
#ifndef HASHWALL_COMMON_JSON_STRICT_H
#define HASHWALL_COMMON_JSON_STRICT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define HWALL_JSON_STRICT_DEPTH_MAX 64 /* arrays and objects inside each other */

/*
 * Parse the @len bytes at @text (no NUL needed) under the contract above.
 * Returns 0 with *ret_root set (the caller frees it with cJSON_Delete()),
 * -EINVAL with @err (@errlen bytes) saying where and why, for example
 * "NAME:3:11: JSON syntax error", "NAME:1:1: byte-order mark",
 * "NAME:1:14: unexpected text after the JSON value", "NAME: sets[2].id:
 * duplicate key" (@name may be NULL: the message then starts at the line),
 * or -ENOMEM.  Names in messages are cut and stripped of anything but
 * printable ASCII, so a message is safe to log.
 */
int hwall_json_parse_strict(const char *text, size_t len, const char *name, cJSON **ret_root,
			    char *err, size_t errlen);

#endif
