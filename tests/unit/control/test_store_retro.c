/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for retroactive matches in controld (docs/journal.md): the
 * event fields.  What the store does with them (the candidate flagged
 * retroactive with the journal's times and count, a re-check run again
 * adding nothing) is in the table every store back end passes,
 * ctl_test_store_cases.h. */
#include "control/event.h"
#include "control/store.h"
#include "ctl_test_event.h"
#include "hwall_test.h"

#include <errno.h>
#include <string.h>

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

int main(void)
{
	CU_TestInfo tests[] = {
		{ "retroactive event fields", test_parse },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/store-retro", tests);
}
