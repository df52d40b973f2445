/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The compliance features over real HTTP on loopback, through hashwallctl
 * in-process: the audit trail (every review, block and export recorded;
 * `audit verify` intact, then broken by the sqlite3 tool editing a row
 * behind the server's back, naming the row, exit 5); flood quarantine
 * (listed, candidates flagged, the status, released by an admin only,
 * audited); the DSA reports (statements of reasons and transparency
 * figures through hashwallctl, audited as exports).
 */
#include "ctl_test_server.h"
#include "ctl_test_cli.h"
#include "common/json_strict.h"

#include <curl/curl.h>
#include <stdlib.h>

static int suite_init(void)
{
	if (ctl_test_server_start() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	setenv("HASHWALL_TOKEN", TOKEN_ADMIN, 1);
	return 0;
}

static int suite_clean(void)
{
	curl_global_cleanup();
	return ctl_test_server_stop();
}

/* The newest audit record's @key, as `audit list --json` shows it. */
static const char *newest(const char *key)
{
	static char v[256];
	struct hwall_json_fault fault;
	cJSON *o = NULL, *first;

	v[0] = '\0';
	CU_ASSERT_EQUAL_FATAL(run((const char *[]){ "--json", "audit", "list", "--limit", "1",
						    NULL }), 0);
	CU_ASSERT_EQUAL_FATAL(hwall_json_parse_strict(out, strlen(out), 0, &o, &fault), 0);
	first = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "items"), 0);
	if (cJSON_IsString(cJSON_GetObjectItem(first, key)))
		snprintf(v, sizeof(v), "%s", cJSON_GetObjectItem(first, key)->valuestring);
	else if (cJSON_GetObjectItem(first, key))
		snprintf(v, sizeof(v), "%.0f", cJSON_GetObjectItem(first, key)->valuedouble);
	cJSON_Delete(o);
	return v;
}

static void test_audit_records_actions(void)
{
	CU_ASSERT_EQUAL(run((const char *[]){ "review", "3", "confirmed", "--note", "seen it",
					      NULL }), 0);
	CU_ASSERT_STRING_EQUAL(newest("action"), "review");
	CU_ASSERT_STRING_EQUAL(newest("object"), "candidate:3");
	CU_ASSERT_STRING_EQUAL(newest("actor"), "adam");
	CU_ASSERT_EQUAL(run((const char *[]){ "audit", "list", "--limit", "1", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"note\":\"seen it\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"from\":\"new\",\"to\":\"confirmed\""));
	CU_ASSERT_EQUAL(run((const char *[]){ "block", "http://h9.example/x.jpg", NULL }), 0);
	CU_ASSERT_STRING_EQUAL(newest("action"), "block_add");
	CU_ASSERT_EQUAL(run((const char *[]){ "export", "feedback", NULL }), 0);
	CU_ASSERT_STRING_EQUAL(newest("action"), "export");
	CU_ASSERT_STRING_EQUAL(newest("object"), "feedback");
	/* a refused change leaves no record */
	CU_ASSERT_EQUAL(run((const char *[]){ "review", "3", "confirmed", NULL }), 2);
	CU_ASSERT_STRING_EQUAL(newest("action"), "export");
	CU_ASSERT_EQUAL(run((const char *[]){ "audit", "verify", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "audit trail intact"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "(signatures checked)"));
}

/* The test: a row edited with the sqlite3 tool while the server
 * runs is found, by row. */
static void test_audit_tamper_found(void)
{
	char cmd[512], seq[32];
	int i;

	for (i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(run((const char *[]){ "review", "4", i % 2 ? "new" : "confirmed",
						      NULL }), 0);
	snprintf(seq, sizeof(seq), "%s", newest("seq"));
	CU_ASSERT_EQUAL(run((const char *[]){ "audit", "verify", NULL }), 0);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' \"DROP TRIGGER audit_no_update; UPDATE audit SET"
		 " detail = '{\\\"to\\\":\\\"false_positive\\\"}' WHERE seq = %lld - 4\"",
		 db_path, atoll(seq));
	CU_ASSERT_EQUAL(system(cmd), 0);
	CU_ASSERT_EQUAL(run((const char *[]){ "audit", "verify", NULL }), CTL_EXIT_TAMPERED);
	snprintf(cmd, sizeof(cmd), "audit trail BROKEN at row %lld: row %lld does not match its "
				   "hash (edited)", atoll(seq) - 4, atoll(seq) - 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, cmd));
	CU_ASSERT_EQUAL(run((const char *[]){ "--json", "audit", "verify", NULL }),
			CTL_EXIT_TAMPERED);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"ok\":false"));
}

/* A quarantine of candidate 1's digest, as the guard on the ingest path
 * would add it (between requests: the API's thread is idle then). */
static int64_t quarantine_candidate_1(void)
{
	struct ctl_quarantine q = { .algo = HWALL_ALGO_MD5, .hosts = 11, .urls = 11,
				    .since = 99990 };

	snprintf(q.digest, sizeof(q.digest), "%s", digests[0]);
	snprintf(q.set, sizeof(q.set), "hotline");
	CU_ASSERT_FATAL(ctl_store_begin(store) == 0);
	CU_ASSERT_FATAL(ctl_store_quarantine_add(store, &q, NULL, NULL) == 0);
	CU_ASSERT_FATAL(ctl_store_commit(store) == 0);
	return q.id;
}

static void test_quarantine_release(void)
{
	int64_t id = quarantine_candidate_1();
	char ids[32];

	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	CU_ASSERT_EQUAL(run((const char *[]){ "quarantine", "list", "--state", "active", NULL }),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "active"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, digests[0]));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "(1 of 1)"));
	CU_ASSERT_EQUAL(run((const char *[]){ "--json", "show", "1", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"quarantined\":true"));
	CU_ASSERT_EQUAL(run((const char *[]){ "--json", "show", "2", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"quarantined\":false"));
	CU_ASSERT_EQUAL(run((const char *[]){ "--json", "status", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"quarantine\":{\"active\":1"));
	/* a reviewer may not lift it */
	setenv("HASHWALL_TOKEN", TOKEN_REVIEWER, 1);
	CU_ASSERT_EQUAL(run((const char *[]){ "quarantine", "release", ids, NULL }), 3);
	setenv("HASHWALL_TOKEN", TOKEN_ADMIN, 1);
	CU_ASSERT_EQUAL(run((const char *[]){ "quarantine", "release", ids, NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "released by adam"));
	CU_ASSERT_STRING_EQUAL(newest("action"), "quarantine_release");
	CU_ASSERT_EQUAL(run((const char *[]){ "quarantine", "confirm", ids, NULL }), 2); /* 409 */
	CU_ASSERT_EQUAL(run((const char *[]){ "quarantine", "release", "9999", NULL }), 1);
	CU_ASSERT_EQUAL(run((const char *[]){ "--json", "show", "1", NULL }), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"quarantined\":false"));
	CU_ASSERT_EQUAL(run((const char *[]){ "audit", "verify", NULL }), 0);
}

static void test_dsa_reports(void)
{
	CU_ASSERT_EQUAL(run((const char *[]){ "review", "5", "taken_down", "--note", "removed",
					      NULL }), 0);
	CU_ASSERT_EQUAL(run((const char *[]){ "report", "statements", "--since", "99000", NULL }),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"candidate_id\":5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"automated_detection\":\"Yes\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"automated_decision\":\"AUTOMATED_DECISION_NOT_AUTOMATED\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"decision_ground\":\"DECISION_GROUND_ILLEGAL_CONTENT\""));
	CU_ASSERT_STRING_EQUAL(newest("object"), "statements");
	CU_ASSERT_EQUAL(run((const char *[]){ "report", "transparency", "--format", "csv", NULL }),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"reviews\",\"by_decision.taken_down\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"detections\",\"total\",\"12\""));
	CU_ASSERT_STRING_EQUAL(newest("object"), "transparency");
	CU_ASSERT_EQUAL(run((const char *[]){ "report", "transparency", "--since", "5", "--until",
					      "4", NULL }), 2);
	CU_ASSERT_EQUAL(run((const char *[]){ "report", "nonsense", NULL }), 2);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "audit: reviews, blocks, exports recorded", test_audit_records_actions },
		{ "quarantine: listed, flagged, released by an admin", test_quarantine_release },
		{ "DSA: statements and transparency", test_dsa_reports },
		{ "audit: a row edited with sqlite3 is found", test_audit_tamper_found },
		CU_TEST_INFO_NULL,
	};
	return ctl_test_run_suite("control/compliance", suite_init, suite_clean, tests);
}
