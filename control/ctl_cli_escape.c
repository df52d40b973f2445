/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_cli_escape.c - what hashwallctl prints is safe on a terminal.  A
 * reviewer's note, a host, a path, a set id or an error message comes from
 * the server (and from whoever wrote it there); an ESC, BEL or C1 byte in
 * it would be acted on by the operator's terminal (colours, titles,
 * cursor moves, clipboard writes).  Tables escape every string; JSON is
 * written with such characters as \u escapes, which keeps it the same JSON.
 */
#include "control/ctl_cli_int.h"
#include "common/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for escaping @len bytes: at most 4 bytes out per byte in. */
#define ESCAPED_MAX(len) (4 * (len) + 1)

/* Whether a terminal acts on code point @cp. */
static bool acts_on(uint32_t cp)
{
	return hwall_utf8_is_control(cp) || hwall_utf8_is_layout(cp);
}

/* Escape the @len bytes at @s into @out (ESCAPED_MAX(len) bytes). */
static void escape(const char *s, size_t len, char *out)
{
	hwall_utf8_escape(s, len, out, ESCAPED_MAX(len), true);
}

char *ctl_cli_escape(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(ESCAPED_MAX(len));

	if (out)
		escape(s, len, out);
	return out;
}

void ctl_cli_escape_tree(cJSON *node)
{
	for (cJSON *m = node ? node->child : NULL; m; m = m->next) {
		if (cJSON_IsString(m) && !(m->type & cJSON_IsReference)) {
			size_t len = strlen(m->valuestring);
			char *out = cJSON_malloc(ESCAPED_MAX(len));

			if (out) {
				escape(m->valuestring, len, out);
				cJSON_free(m->valuestring);
				m->valuestring = out;
			} else {
				m->valuestring[0] = '\0'; /* nothing unescaped gets out */
			}
		}
		ctl_cli_escape_tree(m);
	}
}

/* Write the @len bytes at @text to @out with what a terminal acts on
 * escaped: as \u escapes in @json (where strict JSON can only have them
 * inside strings, so it stays the same JSON), else like escape() but with
 * tabs and line ends (LF, CRLF) kept. */
static void put(FILE *out, const char *text, size_t len, bool json)
{
	for (size_t i = 0, n; i < len; i += n) {
		uint32_t cp = 0;
		n = hwall_utf8_next(text + i, len - i, &cp);
		if (n == 0) {
			fprintf(out, "\\x%02x", (unsigned char)text[i]);
			n = 1;
		} else if (cp == '\t' || cp == '\n' || !acts_on(cp) ||
			   (cp == '\r' && i + 1 < len && text[i + 1] == '\n')) {
			fwrite(text + i, 1, n, out);
		} else if (json || cp > 0x7f) {
			fprintf(out, "\\u%04x", (unsigned int)cp);
		} else {
			fprintf(out, "\\x%02x", (unsigned int)cp);
		}
	}
}

void ctl_cli_put_json(FILE *out, const char *text, size_t len)
{
	put(out, text, len, true);
}

void ctl_cli_put_text(FILE *out, const char *text, size_t len)
{
	put(out, text, len, false);
}

void ctl_cli_errorf(struct ctl_cli *cli, const char *fmt, ...)
{
	char msg[1024], *safe;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	safe = ctl_cli_escape(msg);
	fprintf(cli->err, "hashwallctl: %s\n", safe ? safe : "(out of memory)");
	free(safe);
}
