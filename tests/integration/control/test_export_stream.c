/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exports of a large store are streamed (issue 14, item 13): 20,000
 * candidates on 200 hosts make about 6 MB of JSON, which comes out of
 * ctl_stream_read() a piece at a time while the heap grows by a small
 * part of that; the export is complete (every candidate once, grouped by
 * host) and strict JSON, its CSV has a row per candidate, and a candidate
 * reviewed away while the export is read is left out.  Through
 * ctl_api_dispatch() (test_api.c reads the exports over HTTP).
 */
#include "control/api.h"
#include "common/json_strict.h"
#include "ctl_test_suite.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_CAND 20000
#define N_HOSTS 200
#define TOKEN "export-viewer-token"

static const char *dir;
static char db_path[128];
static struct ctl_store *store;
static struct ctl_tokens tokens;
static struct ctl_token tok = { .name = "vera", .role = CTL_ROLE_ADMIN };
static struct ctl_api_config api;

static int64_t fixed_now(void)
{
	return 100000;
}

/* N_CAND candidates: candidate i on host i % N_HOSTS, path /o/<i>. */
static int seed(void)
{
	struct ctl_record_result res;
	struct ctl_event ev;
	int r = ctl_store_begin(store);

	for (unsigned int i = 0; r == 0 && i < N_CAND; i++) {
		memset(&ev, 0, sizeof(ev));
		snprintf(ev.set, sizeof(ev.set), "big");
		ev.algo = HWALL_ALGO_MD5;
		snprintf(ev.digest, sizeof(ev.digest), "%032x", i + 1);
		snprintf(ev.host, sizeof(ev.host), "h%03u.example", i % N_HOSTS);
		snprintf(ev.path, sizeof(ev.path), "/o/%05u.jpg", i);
		ev.ts = 1000 + i;
		r = ctl_store_record(store, &ev, "dp0", "e", i + 1, &res);
	}
	return r == 0 ? ctl_store_commit(store) : r;
}

static int suite_init(void)
{
	char hex[2 * CTL_TOKEN_HASH_LEN + 1];

	dir = hwall_test_tmpdir("ctl-export");
	if (!dir)
		return -1;
	snprintf(db_path, sizeof(db_path), "%s/c.db", dir);
	ctl_token_hash_hex(TOKEN, hex);
	hwall_hex_parse(hex, tok.hash, sizeof(tok.hash));
	tokens.v = &tok;
	tokens.n = 1;
	pthread_rwlock_init(&tokens.lock, NULL);
	if (ctl_store_open(db_path, &store, NULL) < 0 || seed() < 0)
		return -1;
	api = (struct ctl_api_config){ .store = store, .tokens = &tokens, .started = 1,
				       .now = fixed_now };
	return 0;
}

static int suite_clean(void)
{
	ctl_store_close(store);
	pthread_rwlock_destroy(&tokens.lock);
	hwall_test_tmpdir_remove(dir);
	return 0;
}

/* GET @path (one query argument @key=@value, or none) through the API. */
static void get(const char *path, const char *key, const char *value, struct ctl_response *resp)
{
	struct ctl_request req = { .method = "GET", .path = path,
				   .authorization = "Bearer " TOKEN };

	req.args[0] = (struct ctl_kv){ key, value };
	req.n_args = key ? 1 : 0;
	ctl_api_dispatch(&api, &req, resp);
}

struct drained {
	char *text;
	size_t len, reads;
	size_t heap_growth; /* most the heap grew beyond what was read so far */
};

/* Read @st to its end in reads of 4096 bytes into a file (not the heap),
 * watching the heap; then the whole text into @d. */
static void drain(struct ctl_stream *st, struct drained *d)
{
	size_t base = mallinfo2().uordblks;
	FILE *f = tmpfile();
	char buf[4096];
	ssize_t n;

	memset(d, 0, sizeof(*d));
	CU_ASSERT_FATAL(f != NULL);
	while ((n = ctl_stream_read(st, buf, sizeof(buf))) > 0) {
		size_t now = mallinfo2().uordblks;
		d->heap_growth = now > base && now - base > d->heap_growth ? now - base
									 : d->heap_growth;
		CU_ASSERT_EQUAL(fwrite(buf, 1, (size_t)n, f), (size_t)n);
		d->len += (size_t)n;
		d->reads++;
	}
	CU_ASSERT_EQUAL(n, 0);
	d->text = malloc(d->len + 1);
	CU_ASSERT_FATAL(d->text != NULL);
	rewind(f);
	CU_ASSERT_EQUAL(fread(d->text, 1, d->len, f), d->len);
	d->text[d->len] = '\0';
	fclose(f);
}

/* How many candidates @root (a notices export) holds, each id counted in
 * @seen; hosts in order, each once. */
static size_t count_objects(const cJSON *root, unsigned char *seen, size_t *ret_hosts)
{
	const cJSON *h, *o;
	char prev[64] = "";
	size_t n = 0;

	*ret_hosts = 0;
	cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(root, "hosts")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "host"));
		CU_ASSERT_TRUE(name && strcmp(prev, name) < 0);
		snprintf(prev, sizeof(prev), "%s", name ? name : "");
		(*ret_hosts)++;
		cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(h, "objects")) {
			double id = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "id"));
			CU_ASSERT_TRUE(id >= 1 && id <= N_CAND);
			seen[(size_t)id - 1]++;
			n++;
		}
	}
	return n;
}

static void test_notices_streamed_complete(void)
{
	static unsigned char seen[N_CAND];
	struct ctl_response resp;
	struct drained d;
	struct hwall_json_fault fault;
	cJSON *root = NULL;
	size_t hosts = 0, once = 0;

	get("/api/v1/exports/notices", "status", "all", &resp);
	CU_ASSERT_EQUAL(resp.code, 200);
	CU_ASSERT_STRING_EQUAL(resp.content_type, "application/json");
	CU_ASSERT_PTR_NULL(resp.body);          /* no body built in memory ... */
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp.stream); /* ... but a stream */
	drain(resp.stream, &d);
	ctl_response_free(&resp);
	CU_ASSERT_TRUE(d.len > 6000000);
	CU_ASSERT_TRUE(d.reads > 1500);
	/* the ids (8 bytes each) and a buffer: not the body, nor a part of it */
	CU_ASSERT_TRUE(d.heap_growth < d.len / 16);
	CU_ASSERT_EQUAL_FATAL(hwall_json_parse_strict(d.text, d.len, 0, &root, &fault), 0);
	CU_ASSERT_EQUAL(count_objects(root, seen, &hosts), N_CAND);
	CU_ASSERT_EQUAL(hosts, N_HOSTS);
	for (size_t i = 0; i < N_CAND; i++)
		once += seen[i] == 1;
	CU_ASSERT_EQUAL(once, N_CAND);
	cJSON_Delete(root);
	free(d.text);
}

static void test_csv_streamed(void)
{
	struct ctl_response resp;
	struct drained d;
	size_t lines = 0;

	get("/api/v1/exports/notices", "status", "all", &resp);
	ctl_response_free(&resp); /* a stream never read is freed too */
	get("/api/v1/exports/notices", NULL, NULL, &resp); /* confirmed: none yet */
	drain(resp.stream, &d);
	ctl_response_free(&resp);
	CU_ASSERT_STRING_EQUAL(d.text, "{\"generated\":100000,\"status\":\"confirmed\",\"hosts\":[]}");
	free(d.text);
	{
		struct ctl_request req = { .method = "GET", .path = "/api/v1/exports/notices",
					   .authorization = "Bearer " TOKEN, .n_args = 2 };
		req.args[0] = (struct ctl_kv){ "status", "all" };
		req.args[1] = (struct ctl_kv){ "format", "csv" };
		ctl_api_dispatch(&api, &req, &resp);
	}
	CU_ASSERT_STRING_EQUAL(resp.content_type, "text/csv; charset=utf-8");
	drain(resp.stream, &d);
	ctl_response_free(&resp);
	for (const char *p = d.text; (p = strstr(p, "\r\n")); p += 2)
		lines++;
	CU_ASSERT_EQUAL(lines, N_CAND + 1);
	CU_ASSERT_EQUAL(strncmp(d.text, "host,url,status,", 16), 0);
	free(d.text);
}

/* A candidate reviewed away from the exported status while the export is
 * read is not in the rest of it; the JSON stays whole. */
static void test_reviewed_while_streaming(void)
{
	static unsigned char seen[N_CAND];
	struct ctl_review_result rr;
	struct ctl_response resp;
	struct drained d;
	struct hwall_json_fault fault;
	char buf[4096];
	cJSON *root = NULL;
	size_t hosts = 0;
	ssize_t first;

	get("/api/v1/exports/feedback", NULL, NULL, &resp);
	drain(resp.stream, &d);
	ctl_response_free(&resp);
	CU_ASSERT_STRING_EQUAL(d.text, "{\"generated\":100000,\"false_positives\":[]}");
	free(d.text);
	get("/api/v1/exports/notices", "status", "new", &resp);
	first = ctl_stream_read(resp.stream, buf, sizeof(buf));
	CU_ASSERT_EQUAL(first, (ssize_t)sizeof(buf));
	/* the last candidate in export order: host h199, path /o/19999.jpg */
	CU_ASSERT_EQUAL(ctl_store_review(store, N_CAND, CTL_STATUS_CONFIRMED, "vera", NULL,
					 CTL_ALLOW_SET, 2000, &rr), 0);
	drain(resp.stream, &d);
	ctl_response_free(&resp);
	CU_ASSERT_FATAL(d.text != NULL);
	{
		char *all = malloc((size_t)first + d.len + 1);
		CU_ASSERT_FATAL(all != NULL);
		memcpy(all, buf, (size_t)first);
		memcpy(all + first, d.text, d.len + 1);
		CU_ASSERT_EQUAL_FATAL(hwall_json_parse_strict(all, (size_t)first + d.len, 0, &root,
							      &fault), 0);
		free(all);
	}
	CU_ASSERT_EQUAL(count_objects(root, seen, &hosts), N_CAND - 1);
	CU_ASSERT_EQUAL(seen[N_CAND - 1], 0);
	cJSON_Delete(root);
	free(d.text);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "notices of 20,000 candidates: streamed, complete", test_notices_streamed_complete },
		{ "CSV and empty exports, streamed", test_csv_streamed },
		{ "a review while the export is read", test_reviewed_while_streaming },
		CU_TEST_INFO_NULL,
	};
	return ctl_test_run_suite("control/export_stream", suite_init, suite_clean, tests);
}
