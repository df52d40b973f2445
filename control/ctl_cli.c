/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_cli.c - hashwallctl's plumbing (see ctl.c for the interface and the
 * exit codes): argument parsing, the token, one HTTP request per command
 * with libcurl, and small formatting helpers.  The commands are in
 * ctl_cli_cmds.c.
 */
#include "control/ctl_cli_int.h"
#include "common/json_strict.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char usage_text[] =
	"usage: hashwallctl [--url URL] [--token-file FILE] [--json] COMMAND ...\n"
	"  candidates [--status S] [--set S] [--host H] [--since T] [--until T]\n"
	"             [--limit N] [--offset N]\n"
	"  show ID\n"
	"  review ID new|confirmed|taken_down|false_positive [--note TEXT]\n"
	"         [--allowlist set|global]    (false_positive: the candidate's set,\n"
	"                                      or every set: admin)\n"
	"  blocks [--limit N] [--offset N]\n"
	"  block URL [--ttl SECONDS]          (URL: http://host/path)\n"
	"  unblock BLOCK-ID\n"
	"  status\n"
	"  export notices|feedback [--format json|csv] [--status S]\n"
	"  audit verify                       (exit 5 when the chain is broken)\n"
	"  audit list [--before SEQ] [--limit N]\n"
	"  quarantine list [--state active|released|confirmed] [--limit N] [--offset N]\n"
	"  quarantine release|confirm ID      (admin)\n"
	"  report transparency [--since T] [--until T] [--format json|csv]\n"
	"  report statements [--since T] [--until T] [--decision taken_down|all]\n"
	"token: --token-file, $HASHWALL_TOKEN or $HASHWALL_TOKEN_FILE; "
	"API: --url or $HASHWALL_URL\n";

int ctl_cli_usage(struct ctl_cli *cli, const char *why)
{
	if (why)
		ctl_cli_errorf(cli, "%s", why);
	fputs(usage_text, cli->err);
	return CTL_EXIT_USAGE;
}

const char *ctl_cli_opt(const struct ctl_cli_args *a, const char *key)
{
	for (int i = 0; i < a->n_opts; i++)
		if (strcmp(a->key[i], key) == 0)
			return a->val[i];
	return NULL;
}

/* Split argv into global options, the command, its options and positionals. */
static int parse(struct ctl_cli *cli, int argc, char **argv, struct ctl_cli_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--json") == 0) {
			a->json = true;
		} else if (strncmp(s, "--", 2) == 0) {
			if (i + 1 >= argc)
				return ctl_cli_usage(cli, "option needs a value");
			if (strcmp(s, "--url") == 0) {
				a->url = argv[++i];
			} else if (strcmp(s, "--token-file") == 0) {
				a->token_file = argv[++i];
			} else if (a->cmd && a->n_opts < CTL_CLI_OPTS_MAX) {
				a->key[a->n_opts] = s + 2;
				a->val[a->n_opts++] = argv[++i];
			} else {
				return ctl_cli_usage(cli, "unknown option");
			}
		} else if (!a->cmd) {
			a->cmd = s;
		} else if (a->n_pos < 4) {
			a->pos[a->n_pos++] = s;
		} else {
			return ctl_cli_usage(cli, "too many arguments");
		}
	}
	return a->cmd ? 0 : ctl_cli_usage(cli, NULL);
}

/* Options @a may carry for its command: every other is a usage error. */
int ctl_cli_check_opts(struct ctl_cli *cli, const struct ctl_cli_args *a, const char *const *allowed,
		      int n_pos)
{
	for (int i = 0; i < a->n_opts; i++) {
		bool ok = false;
		for (int k = 0; allowed[k] && !ok; k++)
			ok = strcmp(a->key[i], allowed[k]) == 0;
		if (!ok) {
			ctl_cli_errorf(cli, "%s: unknown option --%s", a->cmd, a->key[i]);
			return CTL_EXIT_USAGE;
		}
	}
	if (a->n_pos != n_pos)
		return ctl_cli_usage(cli, "wrong number of arguments");
	return 0;
}

/* A token file that group or others may read hands the token to them: it
 * is refused, with how to fix it (as ssh does with a private key). */
static bool token_file_private(struct ctl_cli *cli, FILE *f, const char *file)
{
	struct stat st = { 0 };

	if (fstat(fileno(f), &st) == 0 && !(st.st_mode & 0077))
		return true;
	ctl_cli_errorf(cli, "token file %s: group or others may access it (mode %04o); run: "
		       "chmod 600 %s", file, (unsigned int)(st.st_mode & 07777), file);
	return false;
}

/* The token: --token-file, $HASHWALL_TOKEN, $HASHWALL_TOKEN_FILE. */
static int get_token(struct ctl_cli *cli, const struct ctl_cli_args *a, char *buf, size_t cap)
{
	const char *file = a->token_file, *env = getenv("HASHWALL_TOKEN");
	FILE *f;

	if (!file && env && *env) {
		snprintf(buf, cap, "%s", env);
		return 0;
	}
	if (!file)
		file = getenv("HASHWALL_TOKEN_FILE");
	if (!file || !*file) {
		fprintf(cli->err, "hashwallctl: no token (--token-file, HASHWALL_TOKEN or "
				  "HASHWALL_TOKEN_FILE)\n");
		return CTL_EXIT_AUTH;
	}
	f = fopen(file, "re");
	if (f && !token_file_private(cli, f, file)) {
		fclose(f);
		return CTL_EXIT_AUTH;
	}
	if (!f || !fgets(buf, (int)cap, f)) {
		ctl_cli_errorf(cli, "cannot read token file %s: %s", file,
			       strerror(f ? EIO : errno));
		if (f)
			fclose(f);
		return CTL_EXIT_AUTH;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct ctl_cli_reply *r = ctx;
	char *p = realloc(r->body, r->len + size * n + 1);

	if (!p)
		return 0;
	memcpy(p + r->len, data, size * n);
	r->body = p;
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

static int exit_for(long code)
{
	if (code >= 200 && code < 300)
		return CTL_EXIT_OK;
	if (code == 404)
		return CTL_EXIT_NOT_FOUND;
	if (code == 401 || code == 403)
		return CTL_EXIT_AUTH;
	if (code >= 400 && code < 500)
		return CTL_EXIT_USAGE;
	return CTL_EXIT_SERVER;
}

/* One request; on an HTTP error prints the API's message.  Returns the exit code. */
int ctl_cli_request(struct ctl_cli *cli, const struct ctl_cli_args *a, const char *method,
		   const char *path, const char *body, struct ctl_cli_reply *r)
{
	const char *base = a->url ? a->url : getenv("HASHWALL_URL");
	char token[512], url[2048], auth[600];
	struct curl_slist *hdr = NULL;
	CURL *c;
	CURLcode cc;
	int ex = get_token(cli, a, token, sizeof(token));

	if (ex)
		return ex;
	snprintf(url, sizeof(url), "%s%s", base && *base ? base : "http://127.0.0.1:8750", path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	c = curl_easy_init();
	if (!c)
		return CTL_EXIT_SERVER;
	hdr = curl_slist_append(hdr, auth);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		ctl_cli_errorf(cli, "%s: %s", url, curl_easy_strerror(cc));
		return CTL_EXIT_SERVER;
	}
	ex = exit_for(r->code);
	if (ex) {
		cJSON *j = ctl_cli_parse(r);
		const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(j, "error"));
		/* the server's words: escaped like everything else it says */
		ctl_cli_errorf(cli, "%s (HTTP %ld)", msg ? msg : "request failed", r->code);
		cJSON_Delete(j);
	}
	return ex;
}

/* Append "&key=escaped(value)" for each listed option that is set. */
void ctl_cli_add_query(const struct ctl_cli_args *a, const char *const *keys, char *buf, size_t cap)
{
	size_t n = strlen(buf);

	for (int k = 0; keys[k]; k++) {
		const char *v = ctl_cli_opt(a, keys[k]);
		char *e = v ? curl_easy_escape(NULL, v, 0) : NULL;
		if (e)
			n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%c%s=%s",
					      strchr(buf, '?') ? '&' : '?', keys[k], e);
		curl_free(e);
	}
}

cJSON *ctl_cli_parse(const struct ctl_cli_reply *r)
{
	struct hwall_json_fault fault;
	cJSON *o = NULL;

	if (!r->body || hwall_json_parse_strict(r->body, r->len, 0, &o, &fault) < 0)
		return NULL;
	return o;
}

const char *ctl_cli_time(double t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm))
		snprintf(buf, cap, "-");
	else
		strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

const char *ctl_cli_str(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));

	return s ? s : "";
}

double ctl_cli_num(const cJSON *o, const char *key)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));
}

int ctl_cli_run(struct ctl_cli *cli, int argc, char **argv)
{
	struct ctl_cli_args a = { 0 };
	int r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage_text, cli->out);
			return 0;
		}
	}
	r = parse(cli, argc, argv, &a);

	if (r)
		return r;
	for (const struct ctl_cli_cmd *c = ctl_cli_cmds; c->name; c++)
		if (strcmp(a.cmd, c->name) == 0)
			return c->fn(cli, &a);
	return ctl_cli_usage(cli, "unknown command");
}
