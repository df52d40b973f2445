/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * utf8.h - UTF-8 as RFC 3629 defines it, for the text hashwall takes from
 * peers and shows to people: the strict JSON parser (json_strict.h), the
 * operator API's query arguments and answers, and hashwallctl's escaping
 * of what it prints to a terminal.
 *
 * Valid means shortest form, no UTF-16 surrogates (U+D800..U+DFFF), nothing
 * above U+10FFFF.  These functions never allocate and never read past @len.
 */
#ifndef HASHWALL_COMMON_UTF8_H
#define HASHWALL_COMMON_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The length (1..4) of the valid UTF-8 sequence at the start of the @len
 * bytes at @s, its code point in *ret_cp; 0 when those bytes do not start
 * with one (or @len is 0), *ret_cp then untouched.
 */
size_t hwall_utf8_next(const char *s, size_t len, uint32_t *ret_cp);

/* Whether all @len bytes at @s are valid UTF-8 (a NUL byte is valid: the
 * caller that cannot hold one checks for it). */
bool hwall_utf8_valid(const char *s, size_t len);

/* Whether code point @cp is a control character: C0 (below U+0020), DEL
 * or C1 (U+0080..U+009F), the characters a terminal acts on. */
bool hwall_utf8_is_control(uint32_t cp);

/* Whether code point @cp changes how a terminal or an editor lays text out
 * without being visible: the bidirectional marks, embeddings, overrides
 * and isolates (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069)
 * and the line and paragraph separators (U+2028, U+2029). */
bool hwall_utf8_is_layout(uint32_t cp);

/*
 * Write the @len bytes at @s to @out (@cap bytes, NUL-terminated) as text
 * that is safe on a terminal and stays one line: control characters (C0,
 * DEL) and bytes that are not UTF-8 as \xNN, C1 controls and layout code
 * points as \uNNNN, with @backslash also '\' as "\\" (so that the
 * escapes cannot be told from the text); the rest as it is.  Stops before
 * an escape or a character that would not fit.  Returns the length
 * written.  4 * @len + 1 bytes always suffice.
 */
size_t hwall_utf8_escape(const char *s, size_t len, char *out, size_t cap, bool backslash);

#endif
