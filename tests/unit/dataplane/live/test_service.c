/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for dataplane/live/evring.c and dataplane/live/service.c: records go
 * from a worker's ring to the event file in order, a full ring drops and
 * counts instead of waiting, a producer thread and the service agree on
 * every record, the ingest form of a match carries the flow (and only the
 * ingest form), and the event file is appended to and reopened.
 */
#include "dataplane/live/evring.h"
#include "dataplane/live/service.h"
#include "hwall_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define THREAD_EVENTS 200000

static const char *dir;
static char ev_path[64];

static const struct dp_flow_key flow4 = {
	.server = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 },
	.client = { [10] = 0xff, [11] = 0xff, 10, 1, 0, 2 },
	.server_port = 80,
	.client_port = 51234,
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 24);
	size_t n = f && buf ? fread(buf, 1, (1 << 24) - 1, f) : 0;

	if (f)
		fclose(f);
	*len = n;
	return buf;
}

static void test_ring_full_drops(void)
{
	struct dp_evring er;
	struct dp_evrec *recs[128];
	unsigned int n;

	CU_ASSERT_EQUAL(dp_evring_init(&er, 100), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(dp_evring_init(&er, 64), 0);
	for (int i = 0; i < 64; i++)
		CU_ASSERT_TRUE(dp_evring_put(&er, "{}\n", 3, false, &flow4));
	CU_ASSERT_FALSE(dp_evring_put(&er, "{}\n", 3, false, &flow4));
	CU_ASSERT_EQUAL(er.dropped, 1);
	n = dp_evring_take(&er, recs, 128);
	CU_ASSERT_EQUAL(n, 64);
	dp_evring_release(&er, recs, n);
	CU_ASSERT_TRUE(dp_evring_put(&er, "{\"a\":1}\n", 8, true, &flow4));
	n = dp_evring_take(&er, recs, 128);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_TRUE(recs[0]->match);
	CU_ASSERT_EQUAL(recs[0]->len, 8);
	CU_ASSERT_EQUAL(recs[0]->flow.client_port, 51234);
	dp_evring_release(&er, recs, n);
	dp_evring_fini(&er);
}

struct producer {
	struct dp_evring *er;
	uint64_t put;
};

/* Numbered lines as fast as the ring takes them; a full ring is retried
 * here (the test wants every line) but counted by the ring. */
static void *produce(void *arg)
{
	struct producer *p = arg;
	char line[32];

	for (int i = 0; i < THREAD_EVENTS; i++) {
		int len = snprintf(line, sizeof(line), "{\"n\":%d}\n", i);
		while (!dp_evring_put(p->er, line, (size_t)len, false, &flow4))
			;
		p->put++;
	}
	return NULL;
}

static void test_thread_order(void)
{
	struct dp_service_conf conf = { .event_file = ev_path, .id = "t" };
	struct dp_service s;
	struct dp_evring er;
	struct producer p = { &er, 0 };
	struct hwall_err err = { { 0 } };
	char *buf, *line, *save = NULL;
	pthread_t th;
	size_t len;
	int next = 0;

	unlink(ev_path);
	CU_ASSERT_EQUAL_FATAL(dp_evring_init(&er, 256), 0);
	CU_ASSERT_EQUAL_FATAL(dp_service_open(&s, &conf, &err), 0);
	CU_ASSERT_EQUAL(dp_service_add_ring(&s, &er), 0);
	pthread_create(&th, NULL, produce, &p);
	while (s.written < THREAD_EVENTS)
		dp_service_drain(&s);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(dp_service_close(&s, 0), 0);
	CU_ASSERT_EQUAL(s.written, THREAD_EVENTS);
	buf = slurp(ev_path, &len);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char want[32];
		snprintf(want, sizeof(want), "{\"n\":%d}", next++);
		if (strcmp(line, want) != 0)
			break;
	}
	CU_ASSERT_EQUAL(next, THREAD_EVENTS);
	free(buf);
	dp_evring_fini(&er);
}

static void test_ingest_json(void)
{
	static const char line[] = "{\"event\":\"match\",\"client\":\"ab\"}\n";
	struct dp_flow_key f6 = flow4;
	char out[256];
	size_t n;
	cJSON *j;

	n = dp_service_ingest_json(line, strlen(line), &flow4, out, sizeof(out));
	CU_ASSERT_TRUE_FATAL(n > 0);
	CU_ASSERT_EQUAL(strlen(out), n);
	j = cJSON_Parse(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(j, "client")->valuestring, "ab");
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "flow"), "client_ip")->valuestring,
			       "10.1.0.2");
	CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "flow"), "client_port")->valueint,
			51234);
	cJSON_Delete(j);
	memset(f6.client, 0, 16);
	f6.client[0] = 0x20;
	f6.client[1] = 0x01;
	f6.client[15] = 7;
	n = dp_service_ingest_json(line, strlen(line), &f6, out, sizeof(out));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"client_ip\":\"2001::7\""));
	/* Too small a buffer, or not an object: nothing. */
	CU_ASSERT_EQUAL(dp_service_ingest_json(line, strlen(line), &flow4, out, 40), 0);
	CU_ASSERT_EQUAL(dp_service_ingest_json("[1]\n", 4, &flow4, out, sizeof(out)), 0);
}

/* Matches and objects reach the file without the flow's addresses; the
 * file is appended to, and reopened after a rename (log rotation). */
static void test_file_append_reopen(void)
{
	struct dp_service_conf conf = { .event_file = ev_path, .id = "t" };
	struct dp_service s;
	struct dp_evring er;
	struct hwall_err err = { { 0 } };
	char rotated[80], *buf;
	size_t len;

	unlink(ev_path);
	snprintf(rotated, sizeof(rotated), "%s.1", ev_path);
	CU_ASSERT_EQUAL_FATAL(dp_evring_init(&er, 64), 0);
	CU_ASSERT_EQUAL_FATAL(dp_service_open(&s, &conf, &err), 0);
	dp_service_add_ring(&s, &er);
	dp_evring_put(&er, "{\"event\":\"match\"}\n", 18, true, &flow4);
	dp_evring_put(&er, "{\"event\":\"object\"}\n", 19, false, &flow4);
	CU_ASSERT_EQUAL(dp_service_drain(&s), 2);
	CU_ASSERT_EQUAL(rename(ev_path, rotated), 0);
	CU_ASSERT_EQUAL(dp_service_reopen(&s), 0);
	dp_evring_put(&er, "{\"event\":\"object\"}\n", 19, false, &flow4);
	dp_service_close(&s, 0);
	buf = slurp(rotated, &len);
	CU_ASSERT_STRING_EQUAL(buf, "{\"event\":\"match\"}\n{\"event\":\"object\"}\n");
	CU_ASSERT_PTR_NULL(strstr(buf, "10.1.0.2"));
	free(buf);
	buf = slurp(ev_path, &len);
	CU_ASSERT_STRING_EQUAL(buf, "{\"event\":\"object\"}\n");
	free(buf);
	unlink(rotated);
	dp_evring_fini(&er);
}

static void test_open_errors(void)
{
	struct dp_service_conf conf = { .event_file = "/nonexistent-dir/x.jsonl", .id = "t" };
	struct dp_service s;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(dp_service_open(&s, &conf, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "event_file /nonexistent-dir/x.jsonl"));
	conf = (struct dp_service_conf){ .ingest_socket = "/tmp/x.sock", .id = "bad id" };
	CU_ASSERT_EQUAL(dp_service_open(&s, &conf, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "ingest_socket"));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "a full ring drops and counts", test_ring_full_drops },
		{ "a producer thread's lines arrive in order", test_thread_order },
		{ "the ingest form carries the flow", test_ingest_json },
		{ "the event file is appended and reopened", test_file_append_reopen },
		{ "bad outputs are named", test_open_errors },
		CU_TEST_INFO_NULL,
	};

	dir = hwall_test_tmpdir("service");
	if (!dir)
		return 2;
	snprintf(ev_path, sizeof(ev_path), "%s/events.jsonl", dir);
	return hwall_test_main("dataplane/service", tests);
}
