/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_cli_cmds.c - hashwallctl's commands: one request each, then either
 * the API's JSON as is (--json) or a human table.
 */
#include "control/ctl_cli_int.h"
#include "common/number.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Print the reply as JSON (--json), or hand the parsed object to @table. */
static int finish(struct ctl_cli *cli, const struct ctl_cli_args *a, struct ctl_cli_reply *r,
		  int ex, void (*table)(struct ctl_cli *cli, const cJSON *o))
{
	cJSON *o;

	if (ex == 0) {
		o = ctl_cli_parse(r);
		if (!o) {
			ctl_cli_errorf(cli, "the API answered something not JSON");
			ex = CTL_EXIT_SERVER;
		} else if (a->json) {
			ctl_cli_put_json(cli->out, r->body, r->len);
			fputc('\n', cli->out);
		} else {
			/* every string the server sent, escaped once for the terminal */
			ctl_cli_escape_tree(o);
			table(cli, o);
		}
		cJSON_Delete(o);
	}
	free(r->body);
	return ex;
}

int ctl_cli_finish(struct ctl_cli *cli, const struct ctl_cli_args *a, struct ctl_cli_reply *r,
		   int ex, void (*table)(struct ctl_cli *cli, const cJSON *o))
{
	return finish(cli, a, r, ex, table);
}

/* A positional that must be a positive integer id. */
static bool id_arg(struct ctl_cli *cli, const char *s, uint64_t *ret)
{
	if (hwall_parse_u64(s, 1, INT64_MAX, ret) == 0)
		return true;
	ctl_cli_errorf(cli, "'%s' is not an id", s);
	return false;
}

/* A candidate's URL: http://HOST/PATH, or the server's address in place of
 * a host the request did not have; what was cut to fit is said. */
static const char *cand_url(const cJSON *c, char *buf, size_t cap)
{
	const cJSON *host = cJSON_GetObjectItem(c, "host");

	if (cJSON_IsString(host))
		snprintf(buf, cap, "http://%s%s", host->valuestring, ctl_cli_str(c, "path"));
	else
		snprintf(buf, cap, "(no Host; server %s port %.0f) %s", ctl_cli_str(c, "server_ip"),
			 ctl_cli_num(c, "server_port"), ctl_cli_str(c, "path"));
	if (cJSON_IsTrue(cJSON_GetObjectItem(c, "host_truncated")))
		snprintf(buf + strlen(buf), cap - strlen(buf), " (host truncated)");
	if (cJSON_IsTrue(cJSON_GetObjectItem(c, "path_truncated")))
		snprintf(buf + strlen(buf), cap - strlen(buf), " (path truncated)");
	return buf;
}

static void candidate_row(struct ctl_cli *cli, const cJSON *c)
{
	char t[32], url[CTL_CLI_URL_MAX];

	fprintf(cli->out, "%-7.0f %-14s %-20s %6.0f %-12s %s\n", ctl_cli_num(c, "id"),
		ctl_cli_str(c, "status"), ctl_cli_time(ctl_cli_num(c, "last_seen"), t, sizeof(t)),
		ctl_cli_num(c, "occurrences"), ctl_cli_str(c, "set"),
		cand_url(c, url, sizeof(url)));
}

static void candidates_table(struct ctl_cli *cli, const cJSON *o)
{
	const cJSON *c;

	fprintf(cli->out, "%-7s %-14s %-20s %6s %-12s %s\n", "ID", "STATUS", "LAST SEEN", "SEEN",
		"SET", "URL");
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(o, "items"))
		candidate_row(cli, c);
	fprintf(cli->out, "(%zu of %.0f, offset %.0f)\n",
		(size_t)cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")),
		ctl_cli_num(o, "total"), ctl_cli_num(o, "offset"));
}

static int cmd_candidates(struct ctl_cli *cli, const struct ctl_cli_args *a)
{
	static const char *const keys[] = { "status", "set", "host", "since", "until",
					    "limit", "offset", NULL };
	struct ctl_cli_reply r = { 0 };
	char path[2048] = "/api/v1/candidates";
	int ex = ctl_cli_check_opts(cli, a, keys, 0);

	if (ex)
		return ex;
	ctl_cli_add_query(a, keys, path, sizeof(path));
	ex = ctl_cli_request(cli, a, "GET", path, NULL, &r);
	return finish(cli, a, &r, ex, candidates_table);
}

/* "  normalised: status,ts" for an occurrence whose fields ingest fixed. */
static void normalised_list(struct ctl_cli *cli, const cJSON *occ)
{
	const char *sep = "  normalised: ";
	const cJSON *f;

	cJSON_ArrayForEach(f, cJSON_GetObjectItem(occ, "normalised")) {
		fprintf(cli->out, "%s%s", sep, cJSON_IsString(f) ? f->valuestring : "?");
		sep = ",";
	}
}

/* "set hotline" or "every set" into @buf, from a scope name and the
 * candidate @c. */
static const char *allow_scope_text(const cJSON *c, const char *scope, char *buf, size_t cap)
{
	if (strcmp(scope, "set") != 0)
		return "every set";
	snprintf(buf, cap, "set %s", ctl_cli_str(c, "set"));
	return buf;
}

/* A perceptual match: how near the served image's hash is to the entry. */
static void near_line(struct ctl_cli *cli, const cJSON *o)
{
	fprintf(cli->out, "near        %.0f bits from %s", ctl_cli_num(o, "distance"),
		ctl_cli_str(o, "matched"));
	if (cJSON_IsNumber(cJSON_GetObjectItem(o, "quality")))
		fprintf(cli->out, " (quality %.0f)", ctl_cli_num(o, "quality"));
	if (ctl_cli_str(o, "variant")[0])
		fprintf(cli->out, " as %s", ctl_cli_str(o, "variant"));
	fprintf(cli->out, "\n");
}

static void show_table(struct ctl_cli *cli, const cJSON *o)
{
	const cJSON *e;
	char t[32], url[CTL_CLI_URL_MAX], scope[96];

	fprintf(cli->out, "candidate   %.0f\nstatus      %s\nurl         %s\n"
			  "set         %s (version %.0f)\ndigest      %s %s\n"
			  "ref         %.0f (category %.0f)\nserver      %s port %.0f\n",
		ctl_cli_num(o, "id"), ctl_cli_str(o, "status"), cand_url(o, url, sizeof(url)),
		ctl_cli_str(o, "set"), ctl_cli_num(o, "set_version"),
		ctl_cli_str(o, "algo"), ctl_cli_str(o, "digest"), ctl_cli_num(o, "ref"),
		ctl_cli_num(o, "category"), ctl_cli_str(o, "server_ip"),
		ctl_cli_num(o, "server_port"));
	if (cJSON_IsNumber(cJSON_GetObjectItem(o, "distance")))
		near_line(cli, o);
	fprintf(cli->out, "first seen  %s\n", ctl_cli_time(ctl_cli_num(o, "first_seen"), t, sizeof(t)));
	fprintf(cli->out, "last seen   %s\nseen        %.0f times (reopened %.0f)\n",
		ctl_cli_time(ctl_cli_num(o, "last_seen"), t, sizeof(t)),
		ctl_cli_num(o, "occurrences"), ctl_cli_num(o, "reopened"));
	if (cJSON_IsTrue(cJSON_GetObjectItem(o, "retroactive")))
		fprintf(cli->out, "retroactive served before the set listed it (journal re-check)\n");
	fprintf(cli->out, "\nREVIEWS\n");
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(o, "reviews")) {
		fprintf(cli->out, "  %s %-12s %s -> %s  %s",
			ctl_cli_time(ctl_cli_num(e, "at"), t, sizeof(t)), ctl_cli_str(e, "actor"),
			ctl_cli_str(e, "from"), ctl_cli_str(e, "to"), ctl_cli_str(e, "note"));
		if (cJSON_IsString(cJSON_GetObjectItem(e, "allowlist")))
			fprintf(cli->out, "  [allowlisted for %s]",
				allow_scope_text(o, ctl_cli_str(e, "allowlist"), scope,
						 sizeof(scope)));
		fprintf(cli->out, "\n");
	}
	fprintf(cli->out, "\nRECENT OCCURRENCES\n");
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(o, "recent_occurrences")) {
		fprintf(cli->out, "  %s %-6s %3.0f %10.0f bytes  client %s",
			ctl_cli_time(ctl_cli_num(e, "seen"), t, sizeof(t)), ctl_cli_str(e, "method"),
			ctl_cli_num(e, "status"), ctl_cli_num(e, "size"), ctl_cli_str(e, "client"));
		normalised_list(cli, e);
		fprintf(cli->out, "\n");
	}
}

/* METHOD /api/v1/...ID for a command whose only argument is an id. */
static int by_id(struct ctl_cli *cli, const struct ctl_cli_args *a, const char *method,
		 const char *prefix, void (*table)(struct ctl_cli *, const cJSON *))
{
	static const char *const none[] = { NULL };
	struct ctl_cli_reply r = { 0 };
	char path[64];
	uint64_t id;
	int ex = ctl_cli_check_opts(cli, a, none, 1);

	if (ex)
		return ex;
	if (!id_arg(cli, a->pos[0], &id))
		return CTL_EXIT_USAGE;
	snprintf(path, sizeof(path), "%s%" PRIu64, prefix, id);
	ex = ctl_cli_request(cli, a, method, path, NULL, &r);
	return finish(cli, a, &r, ex, table);
}

static int cmd_show(struct ctl_cli *cli, const struct ctl_cli_args *a)
{
	return by_id(cli, a, "GET", "/api/v1/candidates/", show_table);
}

static void review_table(struct ctl_cli *cli, const cJSON *o)
{
	const cJSON *ch = cJSON_GetObjectItem(o, "changes");
	char scope[96];

	fprintf(cli->out, "candidate %.0f is now %s", ctl_cli_num(o, "id"), ctl_cli_str(o, "status"));
	if (cJSON_IsTrue(cJSON_GetObjectItem(ch, "allowlisted")))
		fprintf(cli->out, "; digest allowlisted for %s",
			allow_scope_text(o, ctl_cli_str(ch, "allowlist"), scope, sizeof(scope)));
	if (ctl_cli_num(ch, "blocks_removed") > 0)
		fprintf(cli->out, "; unblocked");
	if (cJSON_IsTrue(cJSON_GetObjectItem(ch, "allowlist_lifted")))
		fprintf(cli->out, "; allowlist entry lifted");
	fprintf(cli->out, "\n");
}

static int cmd_review(struct ctl_cli *cli, const struct ctl_cli_args *a)
{
	static const char *const keys[] = { "note", "allowlist", NULL };
	struct ctl_cli_reply r = { 0 };
	char path[64], *body;
	cJSON *o;
	uint64_t id;
	int ex = ctl_cli_check_opts(cli, a, keys, 2);

	if (ex)
		return ex;
	if (!id_arg(cli, a->pos[0], &id))
		return CTL_EXIT_USAGE;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", a->pos[1]);
	if (ctl_cli_opt(a, "note"))
		cJSON_AddStringToObject(o, "note", ctl_cli_opt(a, "note"));
	if (ctl_cli_opt(a, "allowlist"))
		cJSON_AddStringToObject(o, "allowlist", ctl_cli_opt(a, "allowlist"));
	body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	snprintf(path, sizeof(path), "/api/v1/candidates/%" PRIu64 "/review", id);
	ex = body ? ctl_cli_request(cli, a, "POST", path, body, &r) : CTL_EXIT_SERVER;
	free(body);
	return finish(cli, a, &r, ex, review_table);
}

static void block_row(struct ctl_cli *cli, const cJSON *b)
{
	char t[32];

	fprintf(cli->out, "%-7.0f %-7s %-20s %-9.0f http://%s%s\n", ctl_cli_num(b, "id"),
		ctl_cli_str(b, "source"), ctl_cli_time(ctl_cli_num(b, "expires"), t, sizeof(t)),
		ctl_cli_num(b, "candidate_id"), ctl_cli_str(b, "host"), ctl_cli_str(b, "path"));
}

static void blocks_table(struct ctl_cli *cli, const cJSON *o)
{
	const cJSON *b;

	fprintf(cli->out, "%-7s %-7s %-20s %-9s %s\n", "ID", "SOURCE", "EXPIRES", "CANDIDATE",
		"URL");
	cJSON_ArrayForEach(b, cJSON_GetObjectItem(o, "items"))
		block_row(cli, b);
	fprintf(cli->out, "(%zu of %.0f; %s)\n",
		(size_t)cJSON_GetArraySize(cJSON_GetObjectItem(o, "items")),
		ctl_cli_num(o, "total"),
		cJSON_IsTrue(cJSON_GetObjectItem(o, "enforced")) ? "enforced"
								 : "NOT enforced: no backend");
}

static int cmd_blocks(struct ctl_cli *cli, const struct ctl_cli_args *a)
{
	static const char *const keys[] = { "limit", "offset", NULL };
	struct ctl_cli_reply r = { 0 };
	char path[256] = "/api/v1/blocks";
	int ex = ctl_cli_check_opts(cli, a, keys, 0);

	if (ex)
		return ex;
	ctl_cli_add_query(a, keys, path, sizeof(path));
	ex = ctl_cli_request(cli, a, "GET", path, NULL, &r);
	return finish(cli, a, &r, ex, blocks_table);
}

static void block_done(struct ctl_cli *cli, const cJSON *o)
{
	char t[32];

	fprintf(cli->out, "block %.0f: http://%s%s until %s\n", ctl_cli_num(o, "id"),
		ctl_cli_str(o, "host"), ctl_cli_str(o, "path"),
		ctl_cli_time(ctl_cli_num(o, "expires"), t, sizeof(t)));
}

/* http://HOST/PATH into a JSON body {"host","path"[,"ttl"]}; NULL when bad. */
static char *block_body(const char *url, const char *ttl)
{
	const char *host = strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
	const char *slash = host ? strchr(host, '/') : NULL;
	char hostbuf[256];
	int64_t seconds = 0;
	char *body;
	cJSON *o;

	if (ttl && hwall_parse_i64(ttl, INT64_MIN, INT64_MAX, &seconds) < 0)
		return NULL;
	if (!slash || slash == host || (size_t)(slash - host) >= sizeof(hostbuf))
		return NULL;
	snprintf(hostbuf, sizeof(hostbuf), "%.*s", (int)(slash - host), host);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "host", hostbuf);
	cJSON_AddStringToObject(o, "path", slash);
	if (ttl)
		cJSON_AddNumberToObject(o, "ttl", (double)seconds);
	body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return body;
}

static int cmd_block(struct ctl_cli *cli, const struct ctl_cli_args *a)
{
	static const char *const keys[] = { "ttl", NULL };
	struct ctl_cli_reply r = { 0 };
	char *body;
	int ex = ctl_cli_check_opts(cli, a, keys, 1);

	if (ex)
		return ex;
	body = block_body(a->pos[0], ctl_cli_opt(a, "ttl"));
	if (!body)
		return ctl_cli_usage(cli, "block needs http://HOST/PATH (and --ttl SECONDS)");
	ex = ctl_cli_request(cli, a, "POST", "/api/v1/blocks", body, &r);
	free(body);
	return finish(cli, a, &r, ex, block_done);
}

static void unblock_done(struct ctl_cli *cli, const cJSON *o)
{
	fprintf(cli->out, "unblocked %.0f: http://%s%s\n", ctl_cli_num(o, "id"),
		ctl_cli_str(o, "host"), ctl_cli_str(o, "path"));
}

static int cmd_unblock(struct ctl_cli *cli, const struct ctl_cli_args *a)
{
	return by_id(cli, a, "DELETE", "/api/v1/blocks/", unblock_done);
}

static void status_table(struct ctl_cli *cli, const cJSON *o)
{
	const cJSON *store = cJSON_GetObjectItem(o, "store"), *e, *s;
	const cJSON *cand = cJSON_GetObjectItem(store, "candidates");
	const cJSON *enf = cJSON_GetObjectItem(o, "enforcement");

	fprintf(cli->out, "controld    up %.0f s, schema %.0f\n", ctl_cli_num(o, "uptime"),
		ctl_cli_num(store, "schema_version"));
	fprintf(cli->out, "candidates  new %.0f, confirmed %.0f, taken_down %.0f, "
			  "false_positive %.0f\n",
		ctl_cli_num(cand, "new"), ctl_cli_num(cand, "confirmed"),
		ctl_cli_num(cand, "taken_down"), ctl_cli_num(cand, "false_positive"));
	fprintf(cli->out, "blocks      %.0f active, enforcement %s (%s)\n",
		ctl_cli_num(store, "blocks_active"),
		cJSON_IsTrue(cJSON_GetObjectItem(enf, "available")) ? "on" : "UNAVAILABLE",
		ctl_cli_str(enf, "backend"));
	fprintf(cli->out, "allowlist   %.0f digests\n", ctl_cli_num(store, "allowlist"));
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(o, "dataplanes")) {
		fprintf(cli->out, "dataplane   %s %s, acked %.0f\n", ctl_cli_str(e, "dataplane"),
			cJSON_IsTrue(cJSON_GetObjectItem(e, "connected")) ? "connected"
									  : "DISCONNECTED",
			ctl_cli_num(e, "acked"));
		cJSON_ArrayForEach(s, cJSON_GetObjectItem(e, "sets"))
			fprintf(cli->out, "  set       %s version %.0f, age %.0f s%s\n",
				ctl_cli_str(s, "id"), ctl_cli_num(s, "version"), ctl_cli_num(s, "age"),
				cJSON_IsTrue(cJSON_GetObjectItem(s, "fresh")) ? "" : " (STALE)");
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(o, "installed_sets")) {
		if (cJSON_GetObjectItem(e, "error"))
			fprintf(cli->out, "installed   %s: UNREADABLE: %s\n", ctl_cli_str(e, "file"),
				ctl_cli_str(e, "error"));
		else
			fprintf(cli->out, "installed   %s version %.0f, %.0f entries, age %.0f s%s\n",
				ctl_cli_str(e, "id"), ctl_cli_num(e, "version"),
				ctl_cli_num(e, "entries"), ctl_cli_num(e, "age"),
				cJSON_IsTrue(cJSON_GetObjectItem(e, "fresh")) ? "" : " (STALE)");
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(o, "sets"))
		fprintf(cli->out, "set         %s: %.0f candidates, highest version matched %.0f\n",
			ctl_cli_str(e, "set"), ctl_cli_num(e, "candidates"),
			ctl_cli_num(e, "max_version_matched"));
}

static int cmd_status(struct ctl_cli *cli, const struct ctl_cli_args *a)
{
	static const char *const none[] = { NULL };
	struct ctl_cli_reply r = { 0 };
	int ex = ctl_cli_check_opts(cli, a, none, 0);

	if (ex)
		return ex;
	ex = ctl_cli_request(cli, a, "GET", "/api/v1/status", NULL, &r);
	return finish(cli, a, &r, ex, status_table);
}

/* An export as the API sent it, safe on a terminal: JSON (which must be
 * strict JSON) with what a terminal acts on as \u escapes, which is the
 * same JSON; CSV with such characters escaped (none belongs in its fields:
 * stored hosts, paths, set ids and digests).  Returns the exit code. */
static int put_export(struct ctl_cli *cli, const struct ctl_cli_args *a,
		      const struct ctl_cli_reply *r)
{
	const char *format = ctl_cli_opt(a, "format");
	cJSON *o;

	if (format && strcmp(format, "csv") == 0) {
		ctl_cli_put_text(cli->out, r->body ? r->body : "", r->body ? r->len : 0);
		return 0;
	}
	o = ctl_cli_parse(r);
	if (!o) {
		ctl_cli_errorf(cli, "the API answered something not JSON");
		return CTL_EXIT_SERVER;
	}
	ctl_cli_put_json(cli->out, r->body, r->len);
	cJSON_Delete(o);
	return 0;
}

/* Exports are written as the API sends them (JSON or CSV). */
static int cmd_export(struct ctl_cli *cli, const struct ctl_cli_args *a)
{
	static const char *const keys[] = { "format", "status", NULL };
	struct ctl_cli_reply r = { 0 };
	char path[256];
	int ex = ctl_cli_check_opts(cli, a, keys, 1);

	if (ex)
		return ex;
	if (strcmp(a->pos[0], "notices") != 0 && strcmp(a->pos[0], "feedback") != 0)
		return ctl_cli_usage(cli, "export notices or export feedback");
	snprintf(path, sizeof(path), "/api/v1/exports/%s", a->pos[0]);
	ctl_cli_add_query(a, keys, path, sizeof(path));
	ex = ctl_cli_request(cli, a, "GET", path, NULL, &r);
	if (ex == 0)
		ex = put_export(cli, a, &r);
	free(r.body);
	return ex;
}

const struct ctl_cli_cmd ctl_cli_cmds[] = {
	{ "candidates", cmd_candidates },
	{ "show", cmd_show },
	{ "review", cmd_review },
	{ "blocks", cmd_blocks },
	{ "block", cmd_block },
	{ "unblock", cmd_unblock },
	{ "status", cmd_status },
	{ "export", cmd_export },
	{ "audit", ctl_cli_cmd_audit },
	{ "quarantine", ctl_cli_cmd_quarantine },
	{ "report", ctl_cli_cmd_report },
	{ NULL, NULL },
};
