/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json_writer.h - the one JSON writer of the dataplane process: event lines
 * (a worker formats one per object, so it is on the fast path), stats and
 * status snapshots, the control socket's status, and the ingest client's
 * records (common/ingest_client.c, which is why it lives in common/).
 *
 * The writer fills a caller-provided buffer and never allocates.  Members
 * and array elements get their commas from the writer; keys and strings are
 * escaped by it.  Once something does not fit (or a call is misused) the
 * writer stops writing and hwall_json_finish() reports it: a caller never
 * emits half a record.
 *
 * Strings, one policy (RFC 8259 section 7 where it has a say):
 *  - '"' and '\' are escaped as \" and \\;
 *  - control bytes (0x00-0x1f) and DEL as \b \f \n \r \t or \u00XX;
 *  - bytes 0x80-0xff are percent-encoded as %XX (upper-case hex), never
 *    copied: the dataplane's text is ASCII (set ids, ids, names), the only
 *    non-ASCII bytes come from the wire and need not be UTF-8, so every
 *    line stays 7-bit ASCII and valid UTF-8 without validating UTF-8 on
 *    the fast path;
 *  - hwall_json_wire() is for byte strings from the wire (host, path,
 *    method): there control bytes and DEL are percent-encoded as well, the
 *    form a URL takes (RFC 3986 section 2.1) and the events have always
 *    used.  '%' itself is not encoded.
 *
 * Keys are escaped like hwall_json_str().  A key is required inside an
 * object and must be NULL inside an array and at the top level.
 */
#ifndef HASHWALL_COMMON_JSON_WRITER_H
#define HASHWALL_COMMON_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HWALL_JSON_DEPTH_MAX 16 /* objects and arrays open at once */

/* A writer over a caller's buffer; all fields are the writer's. */
struct hwall_json {
	char *buf;
	size_t cap;
	size_t len;
	uint32_t has_value; /* bit d: the container at depth d holds a value */
	uint32_t is_array;  /* bit d: the container at depth d is an array */
	unsigned int depth; /* open containers */
	int err;            /* 0, -ENOSPC (did not fit) or -EINVAL (misuse) */
};

/* Start writing into @buf of @cap bytes (one of them is kept for a NUL). */
void hwall_json_init(struct hwall_json *w, char *buf, size_t cap);

/* Open an object or an array as the value of @key (NULL: no key), close
 * the innermost open one. */
void hwall_json_obj_begin(struct hwall_json *w, const char *key);
void hwall_json_obj_end(struct hwall_json *w);
void hwall_json_arr_begin(struct hwall_json *w, const char *key);
void hwall_json_arr_end(struct hwall_json *w);

/* A string value (escaped as above; hwall_json_wire(): a byte string from
 * the wire). */
void hwall_json_str(struct hwall_json *w, const char *key, const char *s);
void hwall_json_wire(struct hwall_json *w, const char *key, const char *s);

/* Numbers.  hwall_json_fixed() writes @v with @decimals digits after the
 * point (printf's %.*f), or null when @v is not finite. */
void hwall_json_u64(struct hwall_json *w, const char *key, uint64_t v);
void hwall_json_i64(struct hwall_json *w, const char *key, int64_t v);
void hwall_json_fixed(struct hwall_json *w, const char *key, double v, unsigned int decimals);
void hwall_json_bool(struct hwall_json *w, const char *key, bool v);

/* @len bytes at @p as a string of lower-case hex digits (a digest). */
void hwall_json_hex(struct hwall_json *w, const char *key, const uint8_t *p, size_t len);

/* @len bytes of JSON text @json, written as they are as one value: the
 * caller vouches that they are one valid JSON value. */
void hwall_json_raw(struct hwall_json *w, const char *key, const char *json, size_t len);

/* The members of the JSON object text @json (@len bytes, '{' to '}'),
 * added to the innermost open object: wraps a record that another writer
 * finished.  -EINVAL when @json is not braced or no object is open. */
void hwall_json_members(struct hwall_json *w, const char *json, size_t len);

/* End a top-level value with '\n' (JSON lines). */
void hwall_json_newline(struct hwall_json *w);

/*
 * Terminate the text with a NUL.  Returns 0 with *ret_len set to its
 * length (without the NUL), -ENOSPC when it did not fit in the buffer,
 * -EINVAL after a misuse (a key where none belongs or none where one
 * does, too deep, a container still open or closed twice).
 */
int hwall_json_finish(struct hwall_json *w, size_t *ret_len);

#endif
