/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * API tests over real HTTP on loopback: controld's HTTP server
 * (control/httpd.c) in this process on 127.0.0.1 and an ephemeral port, a
 * libcurl client.  Every endpoint with every role, bad tokens, bad JSON,
 * unknown fields, oversized bodies, paging edges, the review workflow's
 * consequences (seen through an injected enforcement backend), exports
 * and metrics.  Candidates come from synthetic events only.
 */
#include "control/store_sqlite.h"
#include "common/json_strict.h"
#include "common/utf8.h"
#include "ctl_test_server.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int suite_init(void)
{
	if (ctl_test_server_start() < 0)
		return -1;
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int suite_clean(void)
{
	curl_global_cleanup();
	return ctl_test_server_stop();
}

/* ---- the HTTP client ---- */

struct reply {
	long code;
	char body[65536];
	size_t len;
	char www_auth[128];
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t len = size * n, room = sizeof(r->body) - 1 - r->len;

	len = len < room ? len : room;
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;

	if (strncasecmp(data, "WWW-Authenticate:", 17) == 0)
		snprintf(r->www_auth, sizeof(r->www_auth), "%.*s", (int)(size * n), data);
	return size * n;
}

/* @method @path with bearer @token (NULL: none) and @body (NULL: none). */
static struct reply *call_len(const char *method, const char *path, const char *token,
			      const char *body, size_t body_len, bool chunked)
{
	static struct reply r;
	struct curl_slist *hdr = NULL;
	char url[512], auth[256];
	CURL *c = curl_easy_init();

	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (token) {
		/* "!VALUE" sends VALUE as the whole header value */
		snprintf(auth, sizeof(auth), token[0] == '!' ? "Authorization: %s"
							     : "Authorization: Bearer %s",
			 token + (token[0] == '!'));
		hdr = curl_slist_append(hdr, auth);
	}
	if (chunked)
		hdr = curl_slist_append(hdr, "Transfer-Encoding: chunked");
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return &r;
}

static struct reply *call(const char *method, const char *path, const char *token,
			  const char *body)
{
	return call_len(method, path, token, body, body ? strlen(body) : 0, false);
}

static bool has(const struct reply *r, const char *needle)
{
	return strstr(r->body, needle) != NULL;
}

/* ---- tests ---- */

struct endpoint {
	const char *method, *path, *body;
	enum ctl_role least;
};

static const struct endpoint endpoints[] = {
	{ "GET", "/api/v1/candidates", NULL, CTL_ROLE_VIEWER },
	{ "GET", "/api/v1/candidates/1", NULL, CTL_ROLE_VIEWER },
	{ "POST", "/api/v1/candidates/2/review", "{\"status\":\"nonsense\"}", CTL_ROLE_REVIEWER },
	{ "GET", "/api/v1/blocks", NULL, CTL_ROLE_VIEWER },
	{ "POST", "/api/v1/blocks", "{\"host\":\"\",\"path\":\"/\"}", CTL_ROLE_ADMIN },
	{ "DELETE", "/api/v1/blocks/999", NULL, CTL_ROLE_ADMIN },
	{ "GET", "/api/v1/allowlist", NULL, CTL_ROLE_VIEWER },
	{ "POST", "/api/v1/allowlist", "{\"algo\":\"md4\",\"digest\":\"00\"}", CTL_ROLE_ADMIN },
	{ "DELETE", "/api/v1/allowlist/md5/00112233445566778899aabbccddeeff", NULL,
	  CTL_ROLE_ADMIN },
	{ "GET", "/api/v1/status", NULL, CTL_ROLE_VIEWER },
	{ "GET", "/api/v1/exports/notices", NULL, CTL_ROLE_VIEWER },
	{ "GET", "/api/v1/exports/feedback", NULL, CTL_ROLE_VIEWER },
	{ "GET", "/metrics", NULL, CTL_ROLE_VIEWER },
};

static const char *const role_tokens[CTL_ROLE_COUNT] = {
	[CTL_ROLE_VIEWER] = TOKEN_VIEWER,
	[CTL_ROLE_REVIEWER] = TOKEN_REVIEWER,
	[CTL_ROLE_ADMIN] = TOKEN_ADMIN,
};

/* Every endpoint without a token, with bad tokens, and with every role.
 * The request bodies are invalid on purpose: nothing changes. */
static void test_auth_every_endpoint_every_role(void)
{
	for (size_t i = 0; i < HWALL_ARRAY_SIZE(endpoints); i++) {
		const struct endpoint *e = &endpoints[i];
		struct reply *r = call(e->method, e->path, NULL, e->body);
		CU_ASSERT_EQUAL(r->code, 401);
		CU_ASSERT_PTR_NOT_NULL(strstr(r->www_auth, "Bearer"));
		CU_ASSERT_EQUAL(call(e->method, e->path, "not-a-token", e->body)->code, 401);
		CU_ASSERT_EQUAL(call(e->method, e->path, "", e->body)->code, 401);
		for (int role = CTL_ROLE_VIEWER; role < CTL_ROLE_COUNT; role++) {
			long code = call(e->method, e->path, role_tokens[role], e->body)->code;
			CU_ASSERT_EQUAL(code == 403, role < (int)e->least);
			CU_ASSERT_NOT_EQUAL(code, 401);
			CU_ASSERT_TRUE(code < 500);
		}
	}
	/* a Basic scheme is not a bearer token */
	CU_ASSERT_EQUAL(call("GET", "/api/v1/status", "!Basic " TOKEN_ADMIN, NULL)->code, 401);
	/* the scheme is case-insensitive (RFC 7235, section 2.1; RFC 6750), one
	 * or more spaces after it (1*SP) */
	CU_ASSERT_EQUAL(call("GET", "/api/v1/status", "!bearer " TOKEN_ADMIN, NULL)->code, 200);
	CU_ASSERT_EQUAL(call("GET", "/api/v1/status", "!BEARER " TOKEN_ADMIN, NULL)->code, 200);
	CU_ASSERT_EQUAL(call("GET", "/api/v1/status", "!bEaReR   " TOKEN_ADMIN, NULL)->code, 200);
	CU_ASSERT_EQUAL(call("GET", "/api/v1/status", "!Bearer" TOKEN_ADMIN, NULL)->code, 401);
	CU_ASSERT_EQUAL(call("GET", "/api/v1/status", "!Bearer " TOKEN_ADMIN "x", NULL)->code, 401);
}

static void test_errors_naming(void)
{
	struct reply *r;

	r = call("GET", "/api/v1/nothing", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 404);
	CU_ASSERT_EQUAL(call("PUT", "/api/v1/candidates", TOKEN_ADMIN, NULL)->code, 405);
	CU_ASSERT_EQUAL(call("GET", "/api/v1/candidates/abc", TOKEN_VIEWER, NULL)->code, 404);
	CU_ASSERT_EQUAL(call("GET", "/api/v1/candidates/0", TOKEN_VIEWER, NULL)->code, 404);
	r = call("GET", "/api/v1/candidates/999", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 404);
	CU_ASSERT_TRUE(has(r, "no candidate 999"));
	r = call("GET", "/api/v1/candidates?colour=red", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "colour"));
	r = call("GET", "/api/v1/candidates?status=gone", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "status"));
}

static void test_bad_json_and_unknown_fields(void)
{
	struct reply *r;

	r = call("POST", "/api/v1/candidates/1/review", TOKEN_REVIEWER, "{\"status\":");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "JSON syntax error"));
	r = call("POST", "/api/v1/candidates/1/review", TOKEN_REVIEWER,
		 "{\"status\":\"confirmed\",\"colour\":\"red\"}");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "colour: unknown key"));
	r = call("POST", "/api/v1/candidates/1/review", TOKEN_REVIEWER, "{\"note\":\"x\"}");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "status: missing required key"));
	r = call("POST", "/api/v1/candidates/1/review", TOKEN_REVIEWER, "{\"status\":3}");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "status: expected string"));
	r = call("POST", "/api/v1/candidates/1/review", TOKEN_REVIEWER, "[1,2]");
	CU_ASSERT_EQUAL(r->code, 400);
	r = call("POST", "/api/v1/candidates/1/review", TOKEN_REVIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 400);
	r = call("POST", "/api/v1/blocks", TOKEN_ADMIN, "{\"host\":\"a\",\"path\":\"/\",\"ttl\":5}");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "ttl"));
	r = call("POST", "/api/v1/blocks", TOKEN_ADMIN, "{\"host\":\"a b\",\"path\":\"/\"}");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "host"));
	r = call("POST", "/api/v1/blocks", TOKEN_ADMIN, "{\"host\":\"a\",\"path\":\"x\"}");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "path"));
}

static void test_oversized_bodies(void)
{
	static char big[8192];
	struct reply *r;

	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[sizeof(big) - 1] = '}';
	r = call_len("POST", "/api/v1/blocks", TOKEN_ADMIN, big, sizeof(big), false);
	CU_ASSERT_EQUAL(r->code, 413);
	r = call_len("POST", "/api/v1/blocks", TOKEN_ADMIN, big, sizeof(big), true);
	CU_ASSERT_EQUAL(r->code, 413);
	/* exactly at the cap is fine (and then invalid as a block) */
	r = call_len("POST", "/api/v1/blocks", TOKEN_ADMIN, big, 4095, false);
	CU_ASSERT_EQUAL(r->code, 400);
	/* no token: 401 wins over 413 */
	r = call_len("POST", "/api/v1/blocks", NULL, big, sizeof(big), false);
	CU_ASSERT_EQUAL(r->code, 401);
}

static void test_paging_edges(void)
{
	struct reply *r;

	r = call("GET", "/api/v1/candidates", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"total\":12,\"offset\":0,\"limit\":5"));
	/* newest first */
	CU_ASSERT_TRUE(has(r, "\"path\":\"/img/11.jpg\""));
	r = call("GET", "/api/v1/candidates?limit=100000", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"limit\":5")); /* clamped to page_max */
	r = call("GET", "/api/v1/candidates?limit=0", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"limit\":1"));
	r = call("GET", "/api/v1/candidates?limit=-7", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"limit\":1"));
	CU_ASSERT_EQUAL(call("GET", "/api/v1/candidates?limit=ten", TOKEN_VIEWER, NULL)->code, 400);
	CU_ASSERT_EQUAL(call("GET", "/api/v1/candidates?offset=-1", TOKEN_VIEWER, NULL)->code, 400);
	CU_ASSERT_EQUAL(call("GET", "/api/v1/candidates?limit=", TOKEN_VIEWER, NULL)->code, 400);
	r = call("GET", "/api/v1/candidates?offset=11", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"path\":\"/img/0.jpg\""));
	CU_ASSERT_FALSE(has(r, "/img/1.jpg"));
	r = call("GET", "/api/v1/candidates?offset=12", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"items\":[]"));
	CU_ASSERT_TRUE(has(r, "\"total\":12"));
	r = call("GET", "/api/v1/candidates?host=h1.example&limit=5", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"total\":4"));
	r = call("GET", "/api/v1/candidates?set=trial&since=1011", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"total\":1"));
	r = call("GET", "/api/v1/blocks?limit=2&offset=10", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"total\":12,\"offset\":10,\"limit\":2"));
	CU_ASSERT_TRUE(has(r, "\"enforced\":true"));
}

static void test_review_workflow(void)
{
	struct reply *r;
	char path[128], line[128];
	FILE *f;

	r = call("GET", "/api/v1/candidates/3", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"status\":\"new\""));
	CU_ASSERT_TRUE(has(r, "\"client\":\"00112233445566778899aabbccddeeff\""));
	CU_ASSERT_TRUE(has(r, "\"reviews\":[]"));
	r = call("POST", "/api/v1/candidates/3/review", TOKEN_REVIEWER,
		 "{\"status\":\"confirmed\",\"note\":\"looked\"}");
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"actor\":\"rita\",\"from\":\"new\",\"to\":\"confirmed\","
			      "\"note\":\"looked\""));
	r = call("POST", "/api/v1/candidates/3/review", TOKEN_ADMIN, "{\"status\":\"confirmed\"}");
	CU_ASSERT_EQUAL(r->code, 409);
	CU_ASSERT_EQUAL(call("POST", "/api/v1/candidates/999/review", TOKEN_ADMIN,
			     "{\"status\":\"confirmed\"}")->code, 404);
	/* a false positive: unblocked on the backend, allowlisted, file rewritten */
	backend_dels = 0;
	r = call("POST", "/api/v1/candidates/4/review", TOKEN_REVIEWER,
		 "{\"status\":\"false_positive\",\"note\":\"benign\"}");
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"allowlisted\":true,\"allowlist\":\"set\""));
	CU_ASSERT_TRUE(has(r, "\"blocks_removed\":1"));
	CU_ASSERT_TRUE(has(r, "\"to\":\"false_positive\",\"note\":\"benign\",\"allowlist\":\"set\""));
	CU_ASSERT_EQUAL(backend_dels, 1);
	CU_ASSERT_STRING_EQUAL(backend_last_del, "h0.example/img/3.jpg");
	r = call("GET", "/api/v1/allowlist", TOKEN_VIEWER, NULL);
	snprintf(path, sizeof(path), "\"digest\":\"%s\",\"set\":\"hotline\"", digests[3]);
	CU_ASSERT_TRUE(has(r, path));
	f = fopen(allow_path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f)); /* comment */
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	fclose(f);
	snprintf(path, sizeof(path), "md5 %s hotline\n", digests[3]);
	CU_ASSERT_STRING_EQUAL(line, path);
	r = call("GET", "/api/v1/exports/feedback", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, digests[3]));
	CU_ASSERT_TRUE(has(r, "\"ref\":80"));
	CU_ASSERT_FALSE(has(r, "h0.example"));
	r = call("GET", "/api/v1/exports/feedback?format=csv", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "set,set_version,algo,digest,ref,category\r\n\"hotline\",\"5\",\"md5\""));
}

/* A reviewer's false positive covers the candidate's set; one for every
 * set needs an admin, as the allowlist endpoint does. */
static void test_review_scope(void)
{
	struct reply *r;
	char want[160];

	r = call("POST", "/api/v1/candidates/6/review", TOKEN_REVIEWER,
		 "{\"status\":\"false_positive\",\"allowlist\":\"global\"}");
	CU_ASSERT_EQUAL(r->code, 403);
	CU_ASSERT_TRUE(has(r, "allowlist global needs role admin, token has reviewer"));
	CU_ASSERT_EQUAL(call("POST", "/api/v1/candidates/6/review", TOKEN_ADMIN,
			     "{\"status\":\"false_positive\",\"allowlist\":\"host\"}")->code, 400);
	r = call("POST", "/api/v1/candidates/6/review", TOKEN_ADMIN,
		 "{\"status\":\"confirmed\",\"allowlist\":\"set\"}");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "allowlist: only with status false_positive"));
	r = call("GET", "/api/v1/candidates/6", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"status\":\"new\""));
	r = call("POST", "/api/v1/candidates/6/review", TOKEN_ADMIN,
		 "{\"status\":\"false_positive\",\"allowlist\":\"global\"}");
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"allowlisted\":true,\"allowlist\":\"global\""));
	CU_ASSERT_TRUE(has(r, "\"actor\":\"adam\",\"from\":\"new\",\"to\":\"false_positive\","
			      "\"note\":\"\",\"allowlist\":\"global\""));
	r = call("GET", "/api/v1/allowlist", TOKEN_VIEWER, NULL);
	snprintf(want, sizeof(want), "\"digest\":\"%s\",\"set\":null", digests[5]);
	CU_ASSERT_TRUE(has(r, want));
	/* back to new: the entry goes; the trail says the change made none */
	r = call("POST", "/api/v1/candidates/6/review", TOKEN_ADMIN, "{\"status\":\"new\"}");
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"allowlist_lifted\":true"));
	CU_ASSERT_TRUE(has(r, "\"to\":\"new\",\"note\":\"\",\"allowlist\":null"));
	r = call("GET", "/api/v1/allowlist", TOKEN_VIEWER, NULL);
	CU_ASSERT_FALSE(has(r, digests[5]));
}

static void test_blocks(void)
{
	struct reply *r;
	int adds = backend_adds;

	r = call("POST", "/api/v1/blocks", TOKEN_ADMIN,
		 "{\"host\":\"manual.example\",\"path\":\"/bad\",\"ttl\":600}");
	CU_ASSERT_EQUAL(r->code, 201);
	CU_ASSERT_TRUE(has(r, "\"source\":\"manual\""));
	CU_ASSERT_TRUE(has(r, "\"expires\":100600"));
	CU_ASSERT_TRUE(has(r, "\"actor\":\"adam\""));
	CU_ASSERT_EQUAL(backend_adds, adds + 1);
	r = call("GET", "/api/v1/blocks?offset=11&limit=5", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "manual.example"));
	CU_ASSERT_EQUAL(call("DELETE", "/api/v1/blocks/13", TOKEN_ADMIN, NULL)->code, 200);
	CU_ASSERT_STRING_EQUAL(backend_last_del, "manual.example/bad");
	CU_ASSERT_EQUAL(call("DELETE", "/api/v1/blocks/13", TOKEN_ADMIN, NULL)->code, 404);
}

static void test_allowlist(void)
{
	char body[256], path[256];
	struct reply *r;

	snprintf(body, sizeof(body), "{\"algo\":\"md5\",\"digest\":\"%s\",\"note\":\"fp\"}",
		 "FFEEDDCCBBAA99887766554433221100");
	r = call("POST", "/api/v1/allowlist", TOKEN_ADMIN, body);
	CU_ASSERT_EQUAL(r->code, 201);
	CU_ASSERT_TRUE(has(r, "ffeeddccbbaa99887766554433221100")); /* normalised */
	CU_ASSERT_EQUAL(call("POST", "/api/v1/allowlist", TOKEN_ADMIN, body)->code, 409);
	r = call("POST", "/api/v1/allowlist", TOKEN_ADMIN, "{\"algo\":\"md5\",\"digest\":\"abc\"}");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "digest: expected 32 hex digits"));
	snprintf(path, sizeof(path), "/api/v1/allowlist/md5/%s", "ffeeddccbbaa99887766554433221100");
	CU_ASSERT_EQUAL(call("DELETE", path, TOKEN_ADMIN, NULL)->code, 200);
	CU_ASSERT_EQUAL(call("DELETE", path, TOKEN_ADMIN, NULL)->code, 404);
	/* for one set */
	snprintf(body, sizeof(body), "{\"algo\":\"md5\",\"digest\":\"%s\",\"set\":\"trial\"}",
		 "ffeeddccbbaa99887766554433221100");
	r = call("POST", "/api/v1/allowlist", TOKEN_ADMIN, body);
	CU_ASSERT_EQUAL(r->code, 201);
	CU_ASSERT_TRUE(has(r, "\"set\":\"trial\""));
	CU_ASSERT_EQUAL(call("DELETE", path, TOKEN_ADMIN, NULL)->code, 404); /* not every set's */
	snprintf(path, sizeof(path), "/api/v1/allowlist/md5/%s?set=trial",
		 "ffeeddccbbaa99887766554433221100");
	CU_ASSERT_EQUAL(call("DELETE", path, TOKEN_ADMIN, NULL)->code, 200);
	r = call("POST", "/api/v1/allowlist", TOKEN_ADMIN,
		 "{\"algo\":\"md5\",\"digest\":\"ffeeddccbbaa99887766554433221100\",\"set\":\"a b\"}");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "set: expected a set id"));
	CU_ASSERT_EQUAL(call("DELETE", "/api/v1/allowlist/rot13/00", TOKEN_ADMIN, NULL)->code, 400);
}

static void test_exports(void)
{
	struct reply *r;

	CU_ASSERT_EQUAL(call("POST", "/api/v1/candidates/1/review", TOKEN_REVIEWER,
			     "{\"status\":\"confirmed\"}")->code, 200);
	CU_ASSERT_EQUAL(call("POST", "/api/v1/candidates/2/review", TOKEN_REVIEWER,
			     "{\"status\":\"confirmed\"}")->code, 200);
	/* confirmed: candidates 1, 2, 3 on hosts h0, h1, h2, grouped by host */
	r = call("GET", "/api/v1/exports/notices", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"status\":\"confirmed\",\"hosts\":[{\"host\":\"h0.example\","
			      "\"host_absent\":false,\"objects\":[{\"id\":1,"));
	CU_ASSERT_TRUE(has(r, "\"url\":\"http://h2.example/img/2.jpg\""));
	CU_ASSERT_FALSE(has(r, "/img/5.jpg"));
	r = call("GET", "/api/v1/exports/notices?format=csv&status=all", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "host,url,status,set,set_version,algo,digest,ref,category,"
			      "first_seen,last_seen,occurrences,candidate_id,host_absent,"
			      "host_truncated,path_truncated,distance\r\n"
			      "\"h0.example\",\"http://h0.example/img/0.jpg\",\"confirmed\""));
	CU_ASSERT_TRUE(has(r, ",\"1\",\"false\",\"false\",\"false\",\"\"\r\n"));
	CU_ASSERT_EQUAL(call("GET", "/api/v1/exports/notices?format=xml", TOKEN_VIEWER, NULL)->code,
			400);
	CU_ASSERT_EQUAL(call("GET", "/api/v1/exports/feedback?status=new", TOKEN_VIEWER, NULL)->code,
			400);
}

/* A match without a Host and one whose path was cut are candidates like
 * any other: the API says so, and the notices name the server's address. */
static void test_no_host_and_cut(void)
{
	struct ctl_event ev;
	struct reply *r;
	char path[64], want[256];
	int64_t id, cut;

	ctl_test_nohost_event(&ev, "2001:db8::7", 8080);
	ev.normalised = 1u << CTL_EVF_status;
	id = ctl_test_record(&ev, 1);
	snprintf(ev.host, sizeof(ev.host), "cut.example");
	ev.path_truncated = true;
	ev.normalised = 0;
	cut = ctl_test_record(&ev, 2);
	CU_ASSERT_FATAL(id > 0 && cut > 0);
	snprintf(path, sizeof(path), "/api/v1/candidates/%lld", (long long)id);
	r = call("GET", path, TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"host\":null,\"path\":\"/nohost.jpg\",\"host_truncated\":false,"
			      "\"path_truncated\":false"));
	CU_ASSERT_TRUE(has(r, "\"normalised\":[\"status\"]"));
	snprintf(path, sizeof(path), "/api/v1/candidates/%lld", (long long)cut);
	r = call("GET", path, TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"host\":\"cut.example\",\"path\":\"/nohost.jpg\","
			      "\"host_truncated\":false,\"path_truncated\":true"));
	CU_ASSERT_TRUE(has(r, "\"normalised\":[]"));
	/* an empty host filter lists the candidates without one */
	r = call("GET", "/api/v1/candidates?host=", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"total\":1,"));
	CU_ASSERT_TRUE(has(r, "\"host\":null"));
	r = call("GET", "/api/v1/exports/notices?status=new&format=json", TOKEN_VIEWER, NULL);
	snprintf(want, sizeof(want), "{\"host\":\"[2001:db8::7]\",\"host_absent\":true,"
		 "\"objects\":[{\"id\":%lld,", (long long)id);
	CU_ASSERT_TRUE(has(r, want));
	CU_ASSERT_TRUE(has(r, "\"url\":\"http://[2001:db8::7]:8080/nohost.jpg\""));
	r = call("GET", "/api/v1/exports/notices?status=new&format=csv", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(has(r, "\"[2001:db8::7]\",\"http://[2001:db8::7]:8080/nohost.jpg\",\"new\","
			      "\"nohost\""));
	CU_ASSERT_TRUE(has(r, "\"true\",\"false\",\"false\",\"\"\r\n"));
	CU_ASSERT_TRUE(has(r, "\"cut.example\",\"http://cut.example/nohost.jpg\""));
	CU_ASSERT_TRUE(has(r, "\"false\",\"false\",\"true\",\"\"\r\n"));
}

/* A client-supplied Host that a spreadsheet would run stays text in the
 * notices CSV. */
static void test_csv_formula_host(void)
{
	struct ctl_event ev;
	struct reply *r;

	ctl_test_nohost_event(&ev, "192.0.2.9", 80);
	snprintf(ev.host, sizeof(ev.host), "=HYPERLINK(\"http://x.example\",\"open\")");
	CU_ASSERT_FATAL(ctl_test_record(&ev, 3) > 0);
	snprintf(ev.host, sizeof(ev.host), "@SUM(1+1)");
	CU_ASSERT_FATAL(ctl_test_record(&ev, 4) > 0);
	r = call("GET", "/api/v1/exports/notices?status=new&format=csv", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\r\n\"'=HYPERLINK(\"\"http://x.example\"\",\"\"open\"\")\",\"http://="));
	CU_ASSERT_TRUE(has(r, "\r\n\"'@SUM(1+1)\",\"http://@SUM(1+1)/nohost.jpg\","));
	CU_ASSERT_FALSE(has(r, "\r\n\"="));
	CU_ASSERT_FALSE(has(r, "\r\n\"@"));
}

static void test_status_and_metrics(void)
{
	struct reply *r;
	char *line, *save = NULL, schema[32];

	snprintf(schema, sizeof(schema), "\"schema_version\":%d", ctl_sqlite_migrate_latest());
	r = call("GET", "/api/v1/status", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"uptime\":1000"));
	CU_ASSERT_TRUE(has(r, schema));
	CU_ASSERT_TRUE(has(r, "{\"set\":\"hotline\",\"max_version_matched\":5,\"candidates\":10"));
	CU_ASSERT_TRUE(has(r, "\"backend\":\"fake\",\"available\":true"));
	CU_ASSERT_TRUE(has(r, "{\"file\":\"hotline.hws\",\"id\":\"hotline\",\"version\":5,"
			      "\"created\":99000,\"expires\":0,\"entries\":1,\"age\":1000,"
			      "\"expired\":false,\"fresh\":true}"));
	CU_ASSERT_TRUE(has(r, "{\"file\":\"broken.hws\",\"error\":"));
	CU_ASSERT_TRUE(has(r, "\"api_requests_total\":"));
	r = call("GET", "/metrics", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "# TYPE hashwall_api_unauthorized_total counter\n"));
	CU_ASSERT_TRUE(has(r, "hashwall_candidates{status=\"false_positive\"} 1\n"));
	CU_ASSERT_TRUE(has(r, "hashwall_enforcement_available 1\n"));
	/* no URL, digest or client anywhere in the metrics */
	CU_ASSERT_FALSE(has(r, ".example"));
	CU_ASSERT_FALSE(has(r, digests[0]));
	CU_ASSERT_FALSE(has(r, "00112233445566778899aabbccddeeff"));
	for (line = strtok_r(r->body, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		CU_ASSERT_TRUE(strncmp(line, "hashwall_", 9) == 0 || line[0] == '#');
}

/* Issue 14, item 13: the status does not check every set file on every
 * call, only a file it has not seen in this version (identity: device,
 * inode, size, times). */
static void test_status_caches_set_files(void)
{
	struct hws_builder *b = hws_builder_new("hotline", 6);
	struct hwall_err err;
	uint8_t d[16] = { 2 };
	uint64_t checks;
	char p[192];

	CU_ASSERT_EQUAL(call("GET", "/api/v1/status", TOKEN_VIEWER, NULL)->code, 200);
	checks = ctl_counter_get(&metrics, CTL_CTR_API_SET_CHECKS);
	CU_ASSERT_TRUE(has(call("GET", "/api/v1/status", TOKEN_VIEWER, NULL),
			   "\"id\":\"hotline\",\"version\":5,"));
	CU_ASSERT_EQUAL(ctl_counter_get(&metrics, CTL_CTR_API_SET_CHECKS), checks);
	/* a new version installed (by rename: a new inode) is read at once */
	CU_ASSERT_FATAL(b != NULL);
	hws_builder_set_times(b, 99500, 0);
	CU_ASSERT_EQUAL(hws_builder_add(b, HWALL_ALGO_MD5, d, 1, 7), 0);
	snprintf(p, sizeof(p), "%s/hotline.hws", dir);
	CU_ASSERT_EQUAL(hws_builder_write(b, p, NULL, &err), 0);
	hws_builder_free(b);
	CU_ASSERT_TRUE(has(call("GET", "/api/v1/status", TOKEN_VIEWER, NULL),
			   "\"id\":\"hotline\",\"version\":6,"));
	CU_ASSERT_EQUAL(ctl_counter_get(&metrics, CTL_CTR_API_SET_CHECKS), checks + 1);
	/* a file changed in place (new times) is checked again */
	snprintf(p, sizeof(p), "%s/broken.hws", dir);
	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, p, NULL, 0), 0);
	CU_ASSERT_TRUE(has(call("GET", "/api/v1/status", TOKEN_VIEWER, NULL),
			   "{\"file\":\"broken.hws\",\"error\":"));
	CU_ASSERT_EQUAL(ctl_counter_get(&metrics, CTL_CTR_API_SET_CHECKS), checks + 2);
	CU_ASSERT_TRUE(has(call("GET", "/metrics", TOKEN_VIEWER, NULL),
			   "hashwall_api_set_file_checks_total "));
}

/* Whether @r's body is JSON that the strict parser takes (UTF-8 above all). */
static bool strict_json(const struct reply *r)
{
	struct hwall_json_fault fault;
	cJSON *root = NULL;
	bool ok = hwall_json_parse_strict(r->body, r->len, 0, &root, &fault) == 0;

	cJSON_Delete(root);
	return ok;
}

/* Issue 14, item 12: a query argument twice is a 400, an over-long limit is
 * clamped, %00 anywhere in the target is a 400. */
static void test_query_arguments_strict(void)
{
	struct reply *r;

	r = call("GET", "/api/v1/candidates?limit=1&limit=2", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "query argument 'limit' given more than once"));
	r = call("GET", "/api/v1/candidates?status=new&set=a&status=confirmed", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_EQUAL(call("GET", "/metrics?x=1&x=1", TOKEN_VIEWER, NULL)->code, 400);
	r = call("GET", "/api/v1/candidates?limit=99999999999999999999999999", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"limit\":5"));
	r = call("GET", "/api/v1/candidates?limit=-99999999999999999999999999", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"limit\":1"));
	/* offset is not clamped: out of range stays a 400 */
	CU_ASSERT_EQUAL(call("GET", "/api/v1/candidates?offset=99999999999999999999999999",
			     TOKEN_VIEWER, NULL)->code, 400);
	r = call("GET", "/api/v1/candidates%00/1", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "%00"));
	CU_ASSERT_EQUAL(call("GET", "/api/v1/candidates/1%00", TOKEN_VIEWER, NULL)->code, 400);
	CU_ASSERT_EQUAL(call("GET", "/api/v1/candidates?host=h0.example%00x", TOKEN_VIEWER,
			     NULL)->code, 400);
	CU_ASSERT_EQUAL(call("DELETE", "/api/v1/blocks/1%00", TOKEN_ADMIN, NULL)->code, 400);
	/* %25 is a literal '%': "%2500" is no NUL */
	CU_ASSERT_EQUAL(call("GET", "/api/v1/candidates?host=%2500", TOKEN_VIEWER, NULL)->code, 200);
	/* still 401 first: nothing about the target is told without a token */
	CU_ASSERT_EQUAL(call("GET", "/api/v1/candidates%00", NULL, NULL)->code, 401);
}

/* Issue 14, item 9: text that is not UTF-8 is refused wherever it enters
 * (bodies, query arguments, the path), and nothing is stored. */
static void test_utf8_refused(void)
{
	struct reply *r;

	r = call("POST", "/api/v1/candidates/8/review", TOKEN_REVIEWER,
		 "{\"status\":\"confirmed\",\"note\":\"caf\xe9\"}");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "request body:1:34: not UTF-8"));
	CU_ASSERT_TRUE(strict_json(r));
	r = call("POST", "/api/v1/candidates/8/review", TOKEN_REVIEWER,
		 "{\"status\":\"confirmed\",\"note\":\"a\\u0000hidden\"}");
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "\\u0000 in a string"));
	CU_ASSERT_EQUAL(call("POST", "/api/v1/allowlist", TOKEN_ADMIN,
			     "{\"algo\":\"md5\",\"digest\":\"00112233445566778899aabbccddeeff\","
			     "\"note\":\"\xc0\xaf\"}")->code, 400);
	CU_ASSERT_EQUAL(call("POST", "/api/v1/blocks", TOKEN_ADMIN,
			     "{\"host\":\"a\xff\",\"path\":\"/\"}")->code, 400);
	r = call("GET", "/api/v1/candidates?host=%FF", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "query argument 1: not UTF-8"));
	r = call("GET", "/api/v1/allowlist/md5/%C0%AF", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 400);
	CU_ASSERT_TRUE(has(r, "path: not UTF-8"));
	/* UTF-8 is fine, of course */
	r = call("POST", "/api/v1/candidates/8/review", TOKEN_REVIEWER,
		 "{\"status\":\"confirmed\",\"note\":\"gepr\xc3\xbc" "ft \xe2\x9c\x93\"}");
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(has(r, "\"note\":\"gepr\xc3\xbc" "ft \xe2\x9c\x93\""));
	CU_ASSERT_TRUE(has(r, "\"reviews\":[{")); /* one review: the refused ones left none */
	CU_ASSERT_FALSE(has(r, "},{\"at\""));
}

/* Issue 14, item 12: request bodies are strict JSON. */
static void test_bodies_strict(void)
{
	static const char *const bodies[] = {
		"{\"status\":\"new\",\"status\":\"confirmed\"}",
		"{\"status\":\"confirmed\"}x",
		"{\"status\":\"confirmed\"}{}",
		"\xef\xbb\xbf{\"status\":\"confirmed\"}",
	};
	static const char *const why[] = { "request body: status: duplicate key",
					   "unexpected text after the JSON value",
					   "unexpected text after the JSON value",
					   "request body:1:1: byte-order mark" };

	for (size_t i = 0; i < HWALL_ARRAY_SIZE(bodies); i++) {
		struct reply *r = call("POST", "/api/v1/candidates/7/review", TOKEN_REVIEWER,
				       bodies[i]);
		CU_ASSERT_EQUAL(r->code, 400);
		CU_ASSERT_TRUE(has(r, why[i]));
	}
	CU_ASSERT_TRUE(has(call("GET", "/api/v1/candidates/7", TOKEN_VIEWER, NULL),
			   "\"status\":\"new\""));
}

/* Issue 14, item 9: strings from the dataplane may hold any byte; what
 * the API writes is UTF-8 all the same (JSON and CSV), the stray byte as
 * %XX. */
static void test_output_is_utf8(void)
{
	struct ctl_record_result res;
	struct ctl_event ev = { .set = "utf8", .algo = HWALL_ALGO_MD5, .ts = 2000,
				.digest = "ffeeddccbbaa99887766554433221100",
				.host = "bad\xff.example", .path = "/caf\xe9\xc3" };
	struct reply *r;

	CU_ASSERT_EQUAL_FATAL(ctl_store_begin(store), 0);
	CU_ASSERT_EQUAL(ctl_store_record(store, &ev, "dp0", "utf8", 1, &res), 0);
	CU_ASSERT_EQUAL_FATAL(ctl_store_commit(store), 0);
	r = call("GET", "/api/v1/candidates?set=utf8", TOKEN_VIEWER, NULL);
	CU_ASSERT_EQUAL(r->code, 200);
	CU_ASSERT_TRUE(strict_json(r));
	CU_ASSERT_TRUE(has(r, "\"host\":\"bad%FF.example\",\"path\":\"/caf%E9%C3\""));
	r = call("GET", "/api/v1/exports/notices?status=all", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(strict_json(r));
	CU_ASSERT_TRUE(has(r, "\"url\":\"http://bad%FF.example/caf%E9%C3\""));
	r = call("GET", "/api/v1/exports/notices?status=all&format=csv", TOKEN_VIEWER, NULL);
	CU_ASSERT_TRUE(hwall_utf8_valid(r->body, r->len));
	CU_ASSERT_TRUE(has(r, "\"bad%FF.example\",\"http://bad%FF.example/caf%E9%C3\""));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "every endpoint, every role, bad tokens", test_auth_every_endpoint_every_role },
		{ "404/405/400 name the problem", test_errors_naming },
		{ "bad JSON, unknown fields", test_bad_json_and_unknown_fields },
		{ "oversized bodies: 413", test_oversized_bodies },
		{ "paging edges and filters", test_paging_edges },
		{ "review workflow and false positive", test_review_workflow },
		{ "blocks by hand", test_blocks },
		{ "false positive: set by default, global by an admin", test_review_scope },
		{ "allowlist", test_allowlist },
		{ "exports grouped by host", test_exports },
		{ "no Host, cut path: shown and exported", test_no_host_and_cut },
		{ "CSV: a formula in a Host stays text", test_csv_formula_host },
		{ "status and metrics", test_status_and_metrics },
		{ "query arguments: twice, over-long limit, %00", test_query_arguments_strict },
		{ "text that is not UTF-8 is refused", test_utf8_refused },
		{ "request bodies are strict JSON", test_bodies_strict },
		{ "what the API writes is UTF-8", test_output_is_utf8 },
		{ "the status caches set files by identity", test_status_caches_set_files },
		CU_TEST_INFO_NULL,
	};
	return ctl_test_run_suite("control/api", suite_init, suite_clean, tests);
}
