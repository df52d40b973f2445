/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for control/dsa.c: statements of reasons carry every field
 * the DSA Transparency Database asks for, with detection automated and the
 * decision not; the transparency figures of a period count detections,
 * reviews and actions by list and category, the median time from detection
 * to action and false positives, from synthetic candidates and reviews. */
#include "control/dsa.h"
#include "ctl_test_event.h"
#include "hwall_test.h"

#include <stdlib.h>
#include <string.h>

/* Candidates 1..4 first seen at 1000, 2000, 3000, 9000 (4 in set
 * "other", category 2); reviews: 1 taken_down at 1600 (600 s), 2
 * confirmed at 2100 (100 s) then taken_down at 2200 (not a second
 * action), 3 false_positive at 3500, 4 taken_down by controld's reopen
 * (not a person's decision). */
static struct ctl_store *seeded(void)
{
	static const int64_t seen[] = { 1000, 2000, 3000, 9000 };
	struct ctl_record_result res;
	struct ctl_store *s = NULL;
	struct ctl_event ev;
	char path[16];

	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	CU_ASSERT_FATAL(ctl_store_begin(s) == 0);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/%d.jpg", i);
		ctl_test_event(&ev, 10 + (uint64_t)i, "h.example", path, seen[i]);
		if (i == 3) {
			snprintf(ev.set, sizeof(ev.set), "other");
			ev.category = 2;
		}
		CU_ASSERT_EQUAL(ctl_store_record(s, &ev, "dp0", "e", (uint64_t)i + 1, &res), 0);
	}
	CU_ASSERT_FATAL(ctl_store_commit(s) == 0);
	CU_ASSERT_EQUAL(ctl_store_review(s, 1, CTL_STATUS_TAKEN_DOWN, "rita", "gone", CTL_ALLOW_SET,
					 1600, NULL), 0);
	CU_ASSERT_EQUAL(ctl_store_review(s, 2, CTL_STATUS_CONFIRMED, "rita", NULL, CTL_ALLOW_SET,
					 2100, NULL), 0);
	CU_ASSERT_EQUAL(ctl_store_review(s, 2, CTL_STATUS_TAKEN_DOWN, "rita", NULL, CTL_ALLOW_SET,
					 2200, NULL), 0);
	CU_ASSERT_EQUAL(ctl_store_review(s, 3, CTL_STATUS_FALSE_POSITIVE, "adam", NULL,
					 CTL_ALLOW_SET, 3500, NULL), 0);
	CU_ASSERT_EQUAL(ctl_store_review(s, 4, CTL_STATUS_TAKEN_DOWN, "controld", NULL,
					 CTL_ALLOW_SET, 9100, NULL), 0);
	return s;
}

static double num(const cJSON *o, const char *path)
{
	char buf[128], *save = NULL;
	const cJSON *n = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && n; k = strtok_r(NULL, ".", &save))
		n = cJSON_GetObjectItemCaseSensitive(n, k);
	return cJSON_IsNumber(n) ? n->valuedouble : -1;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(n) ? n->valuestring : "";
}

static void test_transparency(void)
{
	struct ctl_store *s = seeded();
	int r = 0;
	cJSON *o = ctl_dsa_transparency(s, 0, 10000, 20000, &r);

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(num(o, "detections.total"), 4);
	CU_ASSERT_EQUAL(num(o, "detections.share_automated"), 1);
	CU_ASSERT_EQUAL(num(o, "detections.by_set.test"), 3);
	CU_ASSERT_EQUAL(num(o, "detections.by_set.other"), 1);
	CU_ASSERT_EQUAL(num(o, "detections.by_category.2"), 1);
	CU_ASSERT_EQUAL(num(o, "reviews.total"), 4);
	CU_ASSERT_EQUAL(num(o, "reviews.by_decision.taken_down"), 2);
	CU_ASSERT_EQUAL(num(o, "reviews.by_decision.confirmed"), 1);
	CU_ASSERT_EQUAL(num(o, "reviews.reopened_automatically"), 1);
	CU_ASSERT_EQUAL(num(o, "actions.total"), 2);
	CU_ASSERT_EQUAL(num(o, "actions.by_set.test"), 2);
	/* 600 s and 100 s */
	CU_ASSERT_EQUAL(num(o, "actions.median_time_to_action"), 350);
	CU_ASSERT_EQUAL(num(o, "false_positives"), 1);
	cJSON_Delete(o);

	/* a period that holds only candidate 1's detection and decision */
	o = ctl_dsa_transparency(s, 900, 1700, 20000, &r);
	CU_ASSERT_EQUAL(num(o, "detections.total"), 1);
	CU_ASSERT_EQUAL(num(o, "actions.median_time_to_action"), 600);
	CU_ASSERT_EQUAL(num(o, "since"), 900);
	cJSON_Delete(o);
	o = ctl_dsa_transparency(s, 50000, 60000, 70000, &r);
	CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "actions"),
							"median_time_to_action")));
	CU_ASSERT_EQUAL(num(o, "detections.share_automated"), 0);
	cJSON_Delete(o);
	ctl_store_close(s);
}

static void test_transparency_csv(void)
{
	struct ctl_store *s = seeded();
	size_t len = 0;
	int r = 0;
	cJSON *o = ctl_dsa_transparency(s, 0, 10000, 20000, &r);
	char *csv = ctl_dsa_transparency_csv(o, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(csv);
	CU_ASSERT_EQUAL(strlen(csv), len);
	CU_ASSERT_EQUAL(strncmp(csv, "\"section\",\"key\",\"value\"\r\n", 25), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(csv, "\"period\",\"since\",\"0\"\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(csv, "\"detections\",\"by_set.other\",\"1\"\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(csv, "\"actions\",\"median_time_to_action\",\"350\"\r\n"));
	free(csv);
	cJSON_Delete(o);
	ctl_store_close(s);
}

/* Every field the Transparency Database requires, and what it must say. */
static void test_statements(void)
{
	static const char *const scope[] = { "NL", "BE" };
	const struct ctl_dsa_config cfg = { .legal_ground = "Wetboek van Strafrecht art. 252",
					    .territorial_scope = scope, .n_scope = 2,
					    .redress = "klachten@hoster.example" };
	struct ctl_store *s = seeded();
	const cJSON *st, *sor;
	char *text;
	int r = 0;
	cJSON *o = ctl_dsa_statements(s, &cfg, 0, 10000, false, 20000, &r);

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	/* takedowns by people: candidate 1 and 2 (not controld's reopen of 4) */
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(o, "statements")), 2);
	st = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "statements"), 0);
	sor = cJSON_GetObjectItem(st, "sor");
	CU_ASSERT_EQUAL(num(st, "candidate_id"), 1);
	CU_ASSERT_STRING_EQUAL(str(st, "url"), "http://h.example/0.jpg");
	CU_ASSERT_STRING_EQUAL(str(st, "decided_by"), "rita");
	CU_ASSERT_STRING_EQUAL(str(st, "redress"), "klachten@hoster.example");
	CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(cJSON_GetObjectItem(sor, "decision_visibility"),
						  0)->valuestring,
			       "DECISION_VISIBILITY_CONTENT_REMOVED");
	CU_ASSERT_STRING_EQUAL(str(sor, "decision_ground"), "DECISION_GROUND_ILLEGAL_CONTENT");
	CU_ASSERT_STRING_EQUAL(str(sor, "illegal_content_legal_ground"),
			       "Wetboek van Strafrecht art. 252");
	CU_ASSERT_PTR_NOT_NULL(strstr(str(sor, "illegal_content_explanation"),
				      "detected automatically on 1970-01-01"));
	CU_ASSERT_STRING_EQUAL(str(sor, "category"), "STATEMENT_CATEGORY_PROTECTION_OF_MINORS");
	CU_ASSERT_STRING_EQUAL(str(sor, "automated_detection"), "Yes");
	CU_ASSERT_STRING_EQUAL(str(sor, "automated_decision"), "AUTOMATED_DECISION_NOT_AUTOMATED");
	CU_ASSERT_STRING_EQUAL(str(sor, "source_type"), "SOURCE_VOLUNTARY");
	CU_ASSERT_STRING_EQUAL(str(sor, "content_date"), "1970-01-01");
	CU_ASSERT_STRING_EQUAL(str(sor, "application_date"), "1970-01-01");
	CU_ASSERT_STRING_EQUAL(str(sor, "puid"), "hashwall-1");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(sor, "territorial_scope")), 2);
	CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(sor, "content_type"));
	CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(sor, "category_specification"));
	/* no client, no occurrence detail in a statement */
	text = cJSON_PrintUnformatted(o);
	CU_ASSERT_PTR_NULL(strstr(text, "client"));
	cJSON_free(text);
	cJSON_Delete(o);

	/* with confirmations: candidate 2's confirmation disabled access first */
	o = ctl_dsa_statements(s, &cfg, 0, 10000, true, 20000, &r);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(o, "statements")), 3);
	st = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "statements"), 1);
	CU_ASSERT_STRING_EQUAL(str(st, "decision"), "confirmed");
	CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "sor"),
								      "decision_visibility"),
						  0)->valuestring,
			       "DECISION_VISIBILITY_CONTENT_DISABLED");
	cJSON_Delete(o);
	/* defaults: the EEA */
	o = ctl_dsa_statements(s, &(struct ctl_dsa_config){ 0 }, 1500, 1700, false, 20000, &r);
	st = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "statements"), 0);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "sor"),
							       "territorial_scope")), 30);
	cJSON_Delete(o);
	ctl_store_close(s);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "transparency figures", test_transparency },
		{ "transparency as CSV", test_transparency_csv },
		{ "statements of reasons", test_statements },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/dsa", tests);
}
