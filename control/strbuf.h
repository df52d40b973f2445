/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * strbuf.h - a growable text buffer for the API's non-JSON responses
 * (CSV exports, Prometheus text).  After an allocation failure the buffer
 * is marked failed and further appends do nothing; ctl_sb_take() then
 * returns NULL.
 */
#ifndef HASHWALL_CONTROL_STRBUF_H
#define HASHWALL_CONTROL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct ctl_sb {
	char *buf;
	size_t len, cap;
	bool failed;
};

/* Append printf-style text. */
void ctl_sb_printf(struct ctl_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Append @s as one CSV field (RFC 4180: always quoted, quotes doubled),
 * preceded by a comma unless @first.  Every CSV the project writes goes
 * through here: a field a spreadsheet would run as a formula (see
 * ctl_csv_formula()) gets a single quote in front, which makes it text
 * (OWASP, "CSV Injection"); hosts and paths come from clients.  A byte
 * that is not part of valid UTF-8 is written as %XX (the text is served as
 * UTF-8).
 */
void ctl_sb_csv(struct ctl_sb *sb, const char *s, bool first);

/* Whether a spreadsheet would take @s as a formula: it starts with '=',
 * '+', '-', '@', a tab or a carriage return. */
bool ctl_csv_formula(const char *s);

/* The text (caller frees) and its length; NULL after a failure. */
char *ctl_sb_take(struct ctl_sb *sb, size_t *ret_len);

#endif
