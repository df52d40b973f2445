/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for retroactive matches in controld (docs/journal.md): the
 * event fields, the candidate flagged retroactive with the journal's
 * times and count, and a re-check run again adding nothing. */
#include "control/event.h"
#include "control/store.h"
#include "ctl_test_event.h"
#include "hwall_test.h"

#include <errno.h>
#include <string.h>

static struct ctl_store *open_mem(void)
{
	struct ctl_store *s = NULL;

	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	return s;
}

/* @ev as the only event of a batch. */
static int record(struct ctl_store *s, const struct ctl_event *ev, uint64_t seq,
		  struct ctl_record_result *res)
{
	int r = ctl_store_begin(s);

	r = r ? r : ctl_store_record(s, ev, "dp0", "e1", seq, res);
	return r ? r : ctl_store_commit(s);
}

static int occ_count_cb(const struct ctl_occurrence *o, void *ctx)
{
	*(int *)ctx += o != NULL;
	return 0;
}

static void retro(struct ctl_event *ev, uint64_t seed, int64_t first, int64_t last, uint32_t n)
{
	ctl_test_event(ev, seed, "cdn.example", "/old.jpg", last);
	ev->client[0] = '\0';
	ev->retroactive = true;
	ev->first_served = first;
	ev->serve_count = n;
}

/* The dataplane's retroactive line parses into the event's fields. */
static void test_parse(void)
{
	const char *line = "{\"event\":\"match\",\"retroactive\":true,\"ts\":1796000200,"
			   "\"server_ip\":\"192.0.2.7\",\"server_port\":80,\"host\":\"h\","
			   "\"path\":\"/p\",\"size\":5,\"complete\":true,\"set\":\"hotline\","
			   "\"set_version\":2,\"algo\":\"md5\","
			   "\"digest\":\"00112233445566778899aabbccddeeff\",\"category\":2,"
			   "\"ref\":7,\"first_served\":1796000100,\"last_served\":1796000200,"
			   "\"serve_count\":3}";
	cJSON *o = cJSON_Parse(line);
	struct ctl_event ev;
	struct hwall_err err;

	CU_ASSERT_EQUAL_FATAL(ctl_event_parse(o, 1796100000, &ev, &err), 0);
	CU_ASSERT_TRUE(ev.retroactive);
	CU_ASSERT_EQUAL(ev.first_served, 1796000100);
	CU_ASSERT_EQUAL(ev.ts, 1796000200);
	CU_ASSERT_EQUAL(ev.serve_count, 3);
	CU_ASSERT_EQUAL(ev.normalised, 0);
	/* first_served after ts is not believed: ts stands in, flagged. */
	cJSON_ReplaceItemInObject(o, "first_served", cJSON_CreateNumber(1796000300));
	CU_ASSERT_EQUAL_FATAL(ctl_event_parse(o, 1796100000, &ev, &err), 0);
	CU_ASSERT_EQUAL(ev.first_served, 1796000200);
	CU_ASSERT_TRUE(ev.normalised & (1u << CTL_EVF_first_served));
	cJSON_Delete(o);
}

/* A retroactive match creates a candidate flagged so, with the journal's
 * first/last served and count; the same again adds nothing. */
static void test_record_once(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_record_result res;
	struct ctl_candidate c;
	struct ctl_event ev;
	int occ = 0;

	retro(&ev, 1, 1000, 2000, 5);
	CU_ASSERT_EQUAL_FATAL(record(s, &ev, 1, &res), 0);
	CU_ASSERT_TRUE(res.created);
	CU_ASSERT_FALSE(res.known);
	CU_ASSERT_EQUAL_FATAL(ctl_store_candidate(s, res.candidate_id, &c), 0);
	CU_ASSERT_TRUE(c.retroactive);
	CU_ASSERT_EQUAL(c.first_seen, 1000);
	CU_ASSERT_EQUAL(c.last_seen, 2000);
	CU_ASSERT_EQUAL(c.occurrences, 5);
	CU_ASSERT_EQUAL(c.status, CTL_STATUS_NEW);
	/* The re-check run again (new sequence numbers): known, not stored. */
	CU_ASSERT_EQUAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_FALSE(res.created);
	CU_ASSERT_TRUE(res.known);
	CU_ASSERT_EQUAL(ctl_store_candidate(s, res.candidate_id, &c), 0);
	CU_ASSERT_EQUAL(c.occurrences, 5);
	CU_ASSERT_EQUAL(ctl_store_occurrences(s, res.candidate_id, 100, occ_count_cb, &occ), 0);
	CU_ASSERT_EQUAL(occ, 1);
	ctl_store_close(s);
}

/* A candidate of live matches learns from the journal when the object was
 * first served; it stays what it was (not retroactive). */
static void test_live_then_retro(void)
{
	struct ctl_store *s = open_mem();
	struct ctl_record_result res;
	struct ctl_candidate c;
	struct ctl_event ev;

	ctl_test_event(&ev, 2, "cdn.example", "/old.jpg", 3000);
	CU_ASSERT_EQUAL_FATAL(record(s, &ev, 1, &res), 0);
	retro(&ev, 2, 1000, 2000, 4);
	CU_ASSERT_EQUAL_FATAL(record(s, &ev, 2, &res), 0);
	CU_ASSERT_FALSE(res.created);
	CU_ASSERT_FALSE(res.known);
	CU_ASSERT_EQUAL_FATAL(ctl_store_candidate(s, res.candidate_id, &c), 0);
	CU_ASSERT_FALSE(c.retroactive);
	CU_ASSERT_EQUAL(c.first_seen, 1000);
	CU_ASSERT_EQUAL(c.last_seen, 3000);
	CU_ASSERT_EQUAL(c.occurrences, 5);
	ctl_store_close(s);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "retroactive event fields", test_parse },
		{ "a retroactive candidate, once", test_record_once },
		{ "a live candidate learns its past", test_live_then_retro },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/store-retro", tests);
}
