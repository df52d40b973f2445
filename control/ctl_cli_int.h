/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_cli_int.h - what ctl_cli.c (plumbing) and ctl_cli_cmds.c (the
 * commands) share inside hashwallctl.
 */
#ifndef HASHWALL_CONTROL_CTL_CLI_INT_H
#define HASHWALL_CONTROL_CTL_CLI_INT_H

#include "control/ctl_cli.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define CTL_CLI_OPTS_MAX 12
#define CTL_CLI_URL_MAX 8192 /* a candidate's URL as shown, with its notes */

struct ctl_cli_args {
	const char *url, *token_file;
	bool json;
	const char *cmd;
	const char *pos[4];
	int n_pos;
	const char *key[CTL_CLI_OPTS_MAX], *val[CTL_CLI_OPTS_MAX];
	int n_opts;
};

struct ctl_cli_reply {
	long code;
	char *body; /* malloc'ed, NUL-terminated; caller frees */
	size_t len;
};

struct ctl_cli_cmd {
	const char *name;
	int (*fn)(struct ctl_cli *cli, const struct ctl_cli_args *a);
};

/* The commands, ended by a NULL name. */
extern const struct ctl_cli_cmd ctl_cli_cmds[];

/* Print @why (may be NULL) and the usage; returns CTL_EXIT_USAGE. */
int ctl_cli_usage(struct ctl_cli *cli, const char *why);

/* The value of --@key, or NULL. */
const char *ctl_cli_opt(const struct ctl_cli_args *a, const char *key);

/* Only @allowed options (NULL-ended) and exactly @n_pos positionals: 0 or
 * CTL_EXIT_USAGE with a message. */
int ctl_cli_check_opts(struct ctl_cli *cli, const struct ctl_cli_args *a,
		       const char *const *allowed, int n_pos);

/* Send @method @path (with @body) with the token; fills @r.  Returns the
 * exit code for the reply (printing the API's error message if any). */
int ctl_cli_request(struct ctl_cli *cli, const struct ctl_cli_args *a, const char *method,
		    const char *path, const char *body, struct ctl_cli_reply *r);

/* Append the listed options that are set as URL-escaped query arguments. */
void ctl_cli_add_query(const struct ctl_cli_args *a, const char *const *keys, char *buf,
		       size_t cap);

/* The reply's body as strict JSON (common/json_strict.h), or NULL when it
 * is none; the caller frees it with cJSON_Delete(). */
cJSON *ctl_cli_parse(const struct ctl_cli_reply *r);

/* Unix seconds as ISO 8601 UTC ("-" for 0). */
const char *ctl_cli_time(double t, char *buf, size_t cap);

/* A string or number member of @o ("" / 0 when absent). */
const char *ctl_cli_str(const cJSON *o, const char *key);
double ctl_cli_num(const cJSON *o, const char *key);

/* Print the reply as JSON (--json), or hand the parsed object to @table;
 * frees @r's body; returns @ex or CTL_EXIT_SERVER for a reply not JSON. */
int ctl_cli_finish(struct ctl_cli *cli, const struct ctl_cli_args *a, struct ctl_cli_reply *r,
		   int ex, void (*table)(struct ctl_cli *cli, const cJSON *o));

/* The compliance commands (ctl_cli_compliance.c). */
int ctl_cli_cmd_audit(struct ctl_cli *cli, const struct ctl_cli_args *a);
int ctl_cli_cmd_quarantine(struct ctl_cli *cli, const struct ctl_cli_args *a);
int ctl_cli_cmd_report(struct ctl_cli *cli, const struct ctl_cli_args *a);

/* ---- terminal safety (ctl_cli_escape.c) ---- */

/*
 * @s for a terminal (malloc'ed; NULL when out of memory): text as it is,
 * '\' as "\\", control characters (C0, DEL) and bytes that are not
 * UTF-8 as \xNN, C1 controls and the code points that change layout
 * unseen (bidi controls, line separators; common/utf8.h) as \uNNNN.
 */
char *ctl_cli_escape(const char *s);

/* Replace every string value in the tree under @node by ctl_cli_escape()
 * of it (an answer is escaped once, before any table prints from it). */
void ctl_cli_escape_tree(cJSON *node);

/* Write the strict JSON @text (@len bytes) to @out with DEL, C1 and the
 * layout code points as \u escapes: the same JSON, safe on a terminal. */
void ctl_cli_put_json(FILE *out, const char *text, size_t len);

/* Write the @len bytes of other text (CSV) at @text to @out as
 * ctl_cli_escape() would, but with tabs and line ends (LF, CRLF) as they
 * are. */
void ctl_cli_put_text(FILE *out, const char *text, size_t len);

/* "hashwallctl: " and the message from @fmt, escaped, on cli->err. */
void ctl_cli_errorf(struct ctl_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
