/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json_writer.c - bounded JSON writer (see json_writer.h).
 *
 * Invariant: while err is 0, len < cap, so the NUL always has room.
 * Containers are tracked by depth: bit d of has_value and is_array
 * describes the container opened at depth d (bit 0: the top level).
 */
#include "common/json_writer.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/algo.h"

static const char hex_upper[] = "0123456789ABCDEF";

void hwall_json_init(struct hwall_json *w, char *buf, size_t cap)
{
	*w = (struct hwall_json){ .buf = buf, .cap = cap, .err = cap ? 0 : -ENOSPC };
}

/* Is there room for @n more bytes and the NUL?  Marks the writer full if not. */
static bool room(struct hwall_json *w, size_t n)
{
	if (w->err)
		return false;
	if (n >= w->cap - w->len) {
		w->err = -ENOSPC;
		return false;
	}
	return true;
}

static void put(struct hwall_json *w, const char *s, size_t n)
{
	if (!room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void put_c(struct hwall_json *w, char c)
{
	put(w, &c, 1);
}

/* Bytes a string holds as they are: printable ASCII but '"' and '\'. */
static inline bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* One byte that is not plain(), by the policy in json_writer.h. */
static void put_escaped(struct hwall_json *w, unsigned char c, bool wire)
{
	static const char short_esc[0x20] = {
		['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	};
	char e[6] = { '\\', (char)c, '0', '0', hex_upper[c >> 4], hex_upper[c & 15] };

	if (c == '"' || c == '\\') {
		put(w, e, 2);
	} else if (c >= 0x80 || wire) {
		e[3] = '%';
		put(w, e + 3, 3);
	} else if (c < 0x20 && short_esc[c]) {
		e[1] = short_esc[c];
		put(w, e, 2);
	} else {
		e[1] = 'u';
		put(w, e, 6);
	}
}

/* "@s" with its bytes escaped; plain runs are copied in one go. */
static void put_string(struct hwall_json *w, const char *s, bool wire)
{
	const char *run = s;

	put_c(w, '"');
	for (; *s; s++) {
		if (plain((unsigned char)*s))
			continue;
		put(w, run, (size_t)(s - run));
		put_escaped(w, (unsigned char)*s, wire);
		run = s + 1;
	}
	put(w, run, (size_t)(s - run));
	put_c(w, '"');
}

static uint32_t depth_bit(const struct hwall_json *w)
{
	return 1u << w->depth;
}

/* Before a value: the comma after a sibling, the key inside an object. */
static void begin_value(struct hwall_json *w, const char *key)
{
	uint32_t bit = depth_bit(w);
	bool in_object = w->depth > 0 && !(w->is_array & bit);

	if (w->err)
		return;
	if (in_object != (key != NULL) || (w->depth == 0 && (w->has_value & bit))) {
		w->err = -EINVAL;
		return;
	}
	if (w->has_value & bit)
		put_c(w, ',');
	w->has_value |= bit;
	if (key) {
		put_string(w, key, false);
		put_c(w, ':');
	}
}

static void open_container(struct hwall_json *w, const char *key, bool array)
{
	uint32_t bit;

	begin_value(w, key);
	if (!w->err && w->depth == HWALL_JSON_DEPTH_MAX)
		w->err = -EINVAL;
	put_c(w, array ? '[' : '{');
	if (w->err)
		return;
	w->depth++;
	bit = depth_bit(w);
	w->has_value &= ~bit;
	w->is_array = array ? w->is_array | bit : w->is_array & ~bit;
}

static void close_container(struct hwall_json *w, bool array)
{
	if (w->err)
		return;
	if (w->depth == 0 || !(w->is_array & depth_bit(w)) != !array) {
		w->err = -EINVAL;
		return;
	}
	put_c(w, array ? ']' : '}');
	if (!w->err)
		w->depth--;
}

void hwall_json_obj_begin(struct hwall_json *w, const char *key)
{
	open_container(w, key, false);
}

void hwall_json_obj_end(struct hwall_json *w)
{
	close_container(w, false);
}

void hwall_json_arr_begin(struct hwall_json *w, const char *key)
{
	open_container(w, key, true);
}

void hwall_json_arr_end(struct hwall_json *w)
{
	close_container(w, true);
}

void hwall_json_str(struct hwall_json *w, const char *key, const char *s)
{
	begin_value(w, key);
	put_string(w, s, false);
}

void hwall_json_wire(struct hwall_json *w, const char *key, const char *s)
{
	begin_value(w, key);
	put_string(w, s, true);
}

static void put_u64(struct hwall_json *w, uint64_t v)
{
	char d[20];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(w, d + i, sizeof(d) - i);
}

void hwall_json_u64(struct hwall_json *w, const char *key, uint64_t v)
{
	begin_value(w, key);
	put_u64(w, v);
}

void hwall_json_i64(struct hwall_json *w, const char *key, int64_t v)
{
	begin_value(w, key);
	if (v < 0)
		put_c(w, '-');
	put_u64(w, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

void hwall_json_fixed(struct hwall_json *w, const char *key, double v, unsigned int decimals)
{
	char tmp[352]; /* DBL_MAX has 309 digits; at most 17 decimals */
	int n;

	begin_value(w, key);
	if (!isfinite(v)) {
		put(w, "null", 4);
		return;
	}
	n = snprintf(tmp, sizeof(tmp), "%.*f", (int)(decimals < 17 ? decimals : 17), v);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		if (!w->err)
			w->err = -EINVAL;
		return;
	}
	put(w, tmp, (size_t)n);
}

void hwall_json_bool(struct hwall_json *w, const char *key, bool v)
{
	begin_value(w, key);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void hwall_json_hex(struct hwall_json *w, const char *key, const uint8_t *p, size_t len)
{
	begin_value(w, key);
	if (!room(w, 2 * len + 2))
		return;
	w->buf[w->len] = '"';
	hwall_hex_format(p, len, w->buf + w->len + 1); /* its NUL makes way for the quote */
	w->len += 2 * len + 1;
	w->buf[w->len++] = '"';
}

void hwall_json_raw(struct hwall_json *w, const char *key, const char *json, size_t len)
{
	begin_value(w, key);
	put(w, json, len);
}

static bool json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void hwall_json_members(struct hwall_json *w, const char *json, size_t len)
{
	uint32_t bit = depth_bit(w);

	if (w->err)
		return;
	if (w->depth == 0 || (w->is_array & bit) || len < 2 || json[0] != '{' ||
	    json[len - 1] != '}') {
		w->err = -EINVAL;
		return;
	}
	json++;
	len -= 2;
	while (len && json_space(*json)) {
		json++;
		len--;
	}
	while (len && json_space(json[len - 1]))
		len--;
	if (!len)
		return;
	if (w->has_value & bit)
		put_c(w, ',');
	w->has_value |= bit;
	put(w, json, len);
}

void hwall_json_newline(struct hwall_json *w)
{
	if (!w->err && w->depth)
		w->err = -EINVAL;
	put_c(w, '\n');
	w->has_value &= ~1u;
}

int hwall_json_finish(struct hwall_json *w, size_t *ret_len)
{
	if (!w->err && w->depth)
		w->err = -EINVAL;
	if (w->cap)
		w->buf[w->len] = '\0';
	if (w->err)
		return w->err;
	*ret_len = w->len;
	return 0;
}
