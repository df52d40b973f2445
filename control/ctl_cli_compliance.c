/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_cli_compliance.c - hashwallctl's compliance commands: the audit
 * trail (verify, list), flood quarantines (list, release, confirm), and
 * the DSA reports (statements of reasons, transparency figures).
 * docs/audit.md, docs/dsa.md.
 */
#include "control/ctl_cli_int.h"
#include "common/number.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void verify_table(struct ctl_cli *cli, const cJSON *o)
{
	if (cJSON_IsTrue(cJSON_GetObjectItem(o, "ok")))
		fprintf(cli->out, "audit trail intact: %.0f rows, %.0f checkpoints%s, last %.0f, "
				  "last checkpoint %.0f\nhead %s\n",
			ctl_cli_num(o, "rows"), ctl_cli_num(o, "checkpoints"),
			cJSON_IsTrue(cJSON_GetObjectItem(o, "signed")) ? " (signatures checked)"
								       : " (NOT signed)",
			ctl_cli_num(o, "last_seq"), ctl_cli_num(o, "last_checkpoint"),
			ctl_cli_str(o, "head"));
	else
		fprintf(cli->out, "audit trail BROKEN at row %.0f: %s\n(%.0f rows before it "
				  "verify)\n",
			ctl_cli_num(o, "broken_seq"), ctl_cli_str(o, "reason"),
			ctl_cli_num(o, "rows"));
}

static void audit_table(struct ctl_cli *cli, const cJSON *o)
{
	const cJSON *r;
	char t[32];

	fprintf(cli->out, "%-7s %-20s %-16s %-18s %-16s %s\n", "SEQ", "AT", "ACTOR", "ACTION",
		"OBJECT", "DETAIL");
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(o, "items")) {
		const cJSON *d = cJSON_GetObjectItem(r, "detail");
		char *text = cJSON_IsString(d) ? NULL : cJSON_PrintUnformatted(d);
		fprintf(cli->out, "%-7.0f %-20s %-16s %-18s %-16s %s\n", ctl_cli_num(r, "seq"),
			ctl_cli_time(ctl_cli_num(r, "at"), t, sizeof(t)), ctl_cli_str(r, "actor"),
			ctl_cli_str(r, "action"), ctl_cli_str(r, "object"),
			text ? text : ctl_cli_str(r, "detail"));
		cJSON_free(text);
	}
}

static void quarantine_table(struct ctl_cli *cli, const cJSON *o)
{
	const cJSON *q;
	char t[32];

	fprintf(cli->out, "%-6s %-10s %-20s %-6s %-6s %-16s %s\n", "ID", "STATE", "SINCE", "HOSTS",
		"URLS", "SET", "DIGEST");
	cJSON_ArrayForEach(q, cJSON_GetObjectItem(o, "items"))
		fprintf(cli->out, "%-6.0f %-10s %-20s %-6.0f %-6.0f %-16s %s:%s\n",
			ctl_cli_num(q, "id"), ctl_cli_str(q, "state"),
			ctl_cli_time(ctl_cli_num(q, "since"), t, sizeof(t)), ctl_cli_num(q, "hosts"),
			ctl_cli_num(q, "urls"), ctl_cli_str(q, "set"), ctl_cli_str(q, "algo"),
			ctl_cli_str(q, "digest"));
	fprintf(cli->out, "(%zu of %.0f)\n",
		(size_t)cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")),
		ctl_cli_num(o, "total"));
}

static void decided_table(struct ctl_cli *cli, const cJSON *o)
{
	fprintf(cli->out, "quarantine %.0f %s by %s: enforced again (blocks return within a "
			  "minute)\n",
		ctl_cli_num(o, "id"), ctl_cli_str(o, "state"), ctl_cli_str(o, "actor"));
}

/* quarantine list [--state S] [--limit N] [--offset N] | release ID | confirm ID */
int ctl_cli_cmd_quarantine(struct ctl_cli *cli, const struct ctl_cli_args *a)
{
	static const char *const keys[] = { "state", "limit", "offset", NULL };
	static const char *const none[] = { NULL };
	struct ctl_cli_reply r = { 0 };
	char path[256] = "/api/v1/quarantine";
	uint64_t id;
	int ex;

	if (a->n_pos == 1 && strcmp(a->pos[0], "list") == 0) {
		ex = ctl_cli_check_opts(cli, a, keys, 1);
		if (ex)
			return ex;
		ctl_cli_add_query(a, keys, path, sizeof(path));
		ex = ctl_cli_request(cli, a, "GET", path, NULL, &r);
		return ctl_cli_finish(cli, a, &r, ex, quarantine_table);
	}
	if (a->n_pos != 2 || (strcmp(a->pos[0], "release") != 0 &&
			      strcmp(a->pos[0], "confirm") != 0))
		return ctl_cli_usage(cli, "quarantine list, quarantine release ID or "
					  "quarantine confirm ID");
	ex = ctl_cli_check_opts(cli, a, none, 2);
	if (ex)
		return ex;
	if (hwall_parse_u64(a->pos[1], 1, INT64_MAX, &id) < 0) {
		ctl_cli_errorf(cli, "'%s' is not an id", a->pos[1]);
		return CTL_EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/api/v1/quarantine/%llu/%s", (unsigned long long)id,
		 a->pos[0]);
	ex = ctl_cli_request(cli, a, "POST", path, NULL, &r);
	return ctl_cli_finish(cli, a, &r, ex, decided_table);
}

/* report transparency [--since T] [--until T] [--format json|csv]
 * report statements [--since T] [--until T] [--decision taken_down|all]
 * Written as the API sends them (JSON made safe for a terminal, the same
 * JSON; CSV escaped), ready to file or submit. */
int ctl_cli_cmd_report(struct ctl_cli *cli, const struct ctl_cli_args *a)
{
	static const char *const t_keys[] = { "since", "until", "format", NULL };
	static const char *const s_keys[] = { "since", "until", "decision", NULL };
	bool transparency = a->n_pos == 1 && strcmp(a->pos[0], "transparency") == 0;
	const char *format = ctl_cli_opt(a, "format");
	struct ctl_cli_reply r = { 0 };
	char path[256];
	int ex;

	if (!transparency && (a->n_pos != 1 || strcmp(a->pos[0], "statements") != 0))
		return ctl_cli_usage(cli, "report transparency or report statements");
	ex = ctl_cli_check_opts(cli, a, transparency ? t_keys : s_keys, 1);
	if (ex)
		return ex;
	snprintf(path, sizeof(path), "%s",
		 transparency ? "/api/v1/reports/transparency" : "/api/v1/exports/statements");
	ctl_cli_add_query(a, transparency ? t_keys : s_keys, path, sizeof(path));
	ex = ctl_cli_request(cli, a, "GET", path, NULL, &r);
	if (ex == 0 && transparency && format && strcmp(format, "csv") == 0)
		ctl_cli_put_text(cli->out, r.body ? r.body : "", r.body ? r.len : 0);
	else if (ex == 0)
		ctl_cli_put_json(cli->out, r.body ? r.body : "", r.body ? r.len : 0);
	if (ex == 0 && !(transparency && format && strcmp(format, "csv") == 0))
		fputc('\n', cli->out);
	free(r.body);
	return ex;
}

/* audit verify | audit list [--before SEQ] [--limit N] */
int ctl_cli_cmd_audit(struct ctl_cli *cli, const struct ctl_cli_args *a)
{
	static const char *const keys[] = { "before", "limit", NULL };
	static const char *const none[] = { NULL };
	struct ctl_cli_reply r = { 0 };
	char path[256] = "/api/v1/audit";
	bool verify = a->n_pos == 1 && strcmp(a->pos[0], "verify") == 0;
	bool broken;
	cJSON *o;
	int ex;

	if (!verify && (a->n_pos != 1 || strcmp(a->pos[0], "list") != 0))
		return ctl_cli_usage(cli, "audit verify or audit list");
	ex = ctl_cli_check_opts(cli, a, verify ? none : keys, 1);
	if (ex)
		return ex;
	if (verify)
		snprintf(path, sizeof(path), "/api/v1/audit/verify");
	else
		ctl_cli_add_query(a, keys, path, sizeof(path));
	ex = ctl_cli_request(cli, a, "GET", path, NULL, &r);
	if (!verify)
		return ctl_cli_finish(cli, a, &r, ex, audit_table);
	/* the verdict decides the exit code, in either output form */
	o = ex == 0 ? ctl_cli_parse(&r) : NULL;
	broken = o && !cJSON_IsTrue(cJSON_GetObjectItem(o, "ok"));
	cJSON_Delete(o);
	ex = ctl_cli_finish(cli, a, &r, ex, verify_table);
	return ex == 0 && broken ? CTL_EXIT_TAMPERED : ex;
}
