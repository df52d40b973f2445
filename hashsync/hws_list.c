/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hws_list.c - the text list format that hash sets are built from (hws.h).
 *
 * One entry a line: `<algo> <hex> [<category> [<ref>]]`, fields separated by
 * spaces or tabs; `#` starts a comment (a whole line or the rest of one);
 * blank lines are allowed.  category is 0..255 and ref 0..4294967295, both
 * decimal and 0 when absent.
 */
#include "hashsync/hws.h"
#include "hashsync/hws_int.h"
#include "common/errors.h"
#include "common/number.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_LINE_MAX 1024

/* Parse one line into @e; returns 1 for an entry, 0 for nothing, or a
 * negative value with @why set (a constant, or @buf of @buflen bytes). */
static int parse_line(char *line, struct hws_entry *e, const char **why, char *buf, size_t buflen)
{
	char *fields[5], *save = NULL, *hash = strchr(line, '#');
	uint64_t v;
	int n = 0, algo;

	if (hash)
		*hash = '\0';
	for (char *tok = strtok_r(line, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 4) {
			*why = "too many fields (expected <algo> <hex> [<category> [<ref>]])";
			return -EINVAL;
		}
		fields[n++] = tok;
	}
	if (n == 0)
		return 0;
	memset(e, 0, sizeof(*e));
	algo = hwall_algo_parse(fields[0]);
	if (algo < 0) {
		snprintf(buf, buflen, "unknown algorithm '%.20s' (known: %s)", fields[0], hwall_algo_names());
		*why = buf;
		return -EINVAL;
	}
	e->algo = (enum hwall_algo)algo;
	if (n < 2) {
		*why = "missing digest";
		return -EINVAL;
	}
	if (hwall_hex_parse(fields[1], e->digest, hwall_algo_len(e->algo)) < 0) {
		*why = "digest is not hex of the algorithm's length";
		return -EINVAL;
	}
	if (n >= 3) {
		if (hwall_parse_u64(fields[2], 0, UINT8_MAX, &v) < 0) {
			*why = "category is not an integer 0..255";
			return -EINVAL;
		}
		e->category = (uint8_t)v;
	}
	if (n >= 4) {
		if (hwall_parse_u64(fields[3], 0, UINT32_MAX, &v) < 0) {
			*why = "reference is not an integer 0..4294967295";
			return -EINVAL;
		}
		e->ref = (uint32_t)v;
	}
	return 1;
}

int hws_list_parse(const char *path, int (*fn)(const struct hws_entry *e, void *ctx), void *ctx,
		   struct hwall_err *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t len;
	int r = 0;

	if (!f) {
		r = hwall_neg_errno();
		return hwall_err_set(err, r, "%s: %s", path, hwall_strerror(r));
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct hws_entry e;
		const char *why = NULL;
		char whybuf[160];

		lineno++;
		if (len > LIST_LINE_MAX) {
			r = hwall_err_set(err, -EINVAL, "%s:%lu: line longer than %d bytes", path, lineno,
					  LIST_LINE_MAX);
			break;
		}
		if (memchr(line, '\0', (size_t)len)) {
			r = hwall_err_set(err, -EINVAL, "%s:%lu: NUL byte in line", path, lineno);
			break;
		}
		r = parse_line(line, &e, &why, whybuf, sizeof(whybuf));
		if (r < 0) {
			hwall_err_set(err, r, "%s:%lu: %s", path, lineno, why);
			break;
		}
		if (r == 1) {
			r = fn(&e, ctx);
			if (r != 0) {
				hwall_err_set(err, r, "%s:%lu: %s", path, lineno, hwall_strerror(r));
				break;
			}
		}
		r = 0;
	}
	if (r == 0 && ferror(f))
		r = hwall_err_set(err, -EIO, "%s: read error", path);
	free(line);
	if (f != stdin)
		fclose(f);
	return r;
}
