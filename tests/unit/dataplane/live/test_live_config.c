/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for dataplane/live/live_config.c: defaults, paths taken from the
 * config file's directory, the worker settings derived from the keys, the
 * set list from "sets" and "set_dir" (order, duplicates, limits), and the
 * checks that need more than the key table (CPU count, digest names, ring
 * size, id, profile queue limits).
 */
#include "dataplane/live/live_config.h"
#include "hwall_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *dir;
static char cfg_path[64];

/* (also used before the suite runs: no CUnit assertion here) */
static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Load @json (the ports key is added) into @c; returns dp_lcfg_load()'s. */
static int load(const char *json, struct dp_lcfg *c, struct hwall_err *err)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "{\"ports\":[{\"profile\":\"hw/pcap.json\",\"device\":\"net_pcap0,rx_pcap=x\"}]%s%s}",
		 json[0] ? "," : "", json);
	CU_ASSERT_EQUAL_FATAL(write_file(cfg_path, text), 0);
	memset(err, 0, sizeof(*err));
	return dp_lcfg_load(cfg_path, c, err);
}

static void test_defaults(void)
{
	struct dp_lcfg c;
	struct hwall_err err;
	struct dp_worker_conf wc;
	char want[96];

	CU_ASSERT_EQUAL_FATAL(load("", &c, &err), 0);
	CU_ASSERT_STRING_EQUAL(c.id, "dataplane");
	CU_ASSERT_EQUAL(c.workers, 1);
	CU_ASSERT_EQUAL(c.n_http_ports, 2);
	CU_ASSERT_EQUAL(c.event_ring, 1024);
	CU_ASSERT_EQUAL(c.service_cpu, DP_LCFG_CPU_UNSET);
	/* The profile is found next to the config, not in the cwd. */
	snprintf(want, sizeof(want), "%s/hw/pcap.json", dir);
	CU_ASSERT_STRING_EQUAL(c.ports[0].profile_path, want);
	CU_ASSERT_STRING_EQUAL(c.ports[0].devstr, "net_pcap0,rx_pcap=x");
	dp_lcfg_worker_conf(&c, &wc);
	CU_ASSERT_TRUE(dp_ports_has(&wc.ports, 80));
	CU_ASSERT_TRUE(dp_ports_has(&wc.ports, 8080));
	CU_ASSERT_FALSE(dp_ports_has(&wc.ports, 443));
	CU_ASSERT_EQUAL(wc.idle_ns, 120ull * 1000000000ull);
	CU_ASSERT_EQUAL(wc.hash_mask, 0);
	dp_lcfg_free(&c);
}

static void test_worker_conf(void)
{
	struct dp_lcfg c;
	struct hwall_err err;
	struct dp_worker_conf wc;

	CU_ASSERT_EQUAL_FATAL(load("\"http_ports\":[8000],\"hash\":[\"md5\",\"sha1\"],"
				   "\"idle_timeout\":7,\"max_flows\":2048,\"log_objects\":true,"
				   "\"max_object_bytes\":1000", &c, &err), 0);
	dp_lcfg_worker_conf(&c, &wc);
	CU_ASSERT_TRUE(dp_ports_has(&wc.ports, 8000));
	CU_ASSERT_FALSE(dp_ports_has(&wc.ports, 80));
	CU_ASSERT_EQUAL(wc.hash_mask, (1u << HWALL_ALGO_MD5) | (1u << HWALL_ALGO_SHA1));
	CU_ASSERT_EQUAL(wc.idle_ns, 7ull * 1000000000ull);
	CU_ASSERT_EQUAL(wc.max_flows, 2048);
	CU_ASSERT_EQUAL(wc.http.max_object_bytes, 1000);
	CU_ASSERT_TRUE(wc.log_objects);
	dp_lcfg_free(&c);
}

/* @json must be refused with a message starting with @msg. */
static void refused(const char *json, const char *msg)
{
	struct dp_lcfg c;
	struct hwall_err err;

	CU_ASSERT_EQUAL(load(json, &c, &err), -EINVAL);
	if (strncmp(err.msg, msg, strlen(msg)) != 0)
		fprintf(stderr, "\n  got '%s', want '%s...'\n", err.msg, msg);
	CU_ASSERT_EQUAL(strncmp(err.msg, msg, strlen(msg)), 0);
	dp_lcfg_free(&c);
}

static void test_refusals(void)
{
	refused("\"wokers\":1", "wokers: unknown key");
	refused("\"workers\":0", "workers: 0 is out of range 1..64");
	refused("\"workers\":2", "ports[0].profile: profile 'pcap' gives at most 1 queues");
	refused("\"cpus\":[1,2]", "cpus: 2 CPUs listed for 1 workers");
	refused("\"hash\":[\"md4\"]", "hash[0]: unknown algorithm 'md4' (known: xxh3-128, ");
	refused("\"hash\":[\"md5\",\"pdq\"]", "hash[1]: 'pdq' is perceptual: the PDQ stage computes it");
	refused("\"event_ring\":1000", "event_ring: 1000 is not a power of two");
	refused("\"id\":\"edge 1\"", "id: 'edge 1': 1-63 letters");
	refused("\"http_ports\":[0]", "http_ports[0]: 0 is out of range 1..65535");
	refused("\"log\":\"loud\"", "log: bad level spec 'loud'");
	refused("\"pdq\":{\"min_bytes\":5000,\"max_bytes\":4000}",
		"pdq.min_bytes: 5000 is over max_bytes 4000");
	refused("\"pdq\":{\"queue\":48}", "pdq.queue: 48 is not a power of two");
	refused("\"pdq\":{\"enabled\":true,\"decoder\":\"/nonexistent/dec\"}",
		"pdq.decoder: /nonexistent/dec: No such file or directory");
	refused("\"pdq\":{\"sets\":[{\"id\":\"a\"},{\"id\":\"a\"}]}",
		"pdq.sets[1].id: set 'a' is listed twice");
	refused("\"pdq\":{\"sets\":[{\"max_distance\":3}]}", "pdq.sets[0].id");
	refused("\"pdq\":{\"max_distance\":257}", "pdq.max_distance: 257 is out of range");
}

/* The PDQ stage's settings: defaults, and per set what a set leaves out
 * falls back to the section's. */
static void test_pdq(void)
{
	struct dp_lcfg c;
	struct hwall_err err;
	uint32_t d, q;

	CU_ASSERT_EQUAL_FATAL(load("", &c, &err), 0);
	CU_ASSERT_FALSE(c.pdq.enabled);
	dp_pdq_conf_policy(&c.pdq, "any", &d, &q);
	CU_ASSERT_EQUAL(d, 31);
	CU_ASSERT_EQUAL(q, 50);
	CU_ASSERT_EQUAL(c.pdq.min_bytes, 2048);
	CU_ASSERT_EQUAL(c.pdq.max_bytes, 20u << 20);
	dp_lcfg_free(&c);
	CU_ASSERT_EQUAL_FATAL(load("\"pdq\":{\"max_distance\":20,\"min_quality\":60,\"queue\":8,"
				   "\"sets\":[{\"id\":\"strict\",\"max_distance\":8},"
				   "{\"id\":\"picky\",\"min_quality\":90}]}", &c, &err), 0);
	CU_ASSERT_EQUAL(c.pdq.queue, 8);
	dp_pdq_conf_policy(&c.pdq, "strict", &d, &q);
	CU_ASSERT_EQUAL(d, 8);
	CU_ASSERT_EQUAL(q, 60);
	dp_pdq_conf_policy(&c.pdq, "picky", &d, &q);
	CU_ASSERT_EQUAL(d, 20);
	CU_ASSERT_EQUAL(q, 90);
	dp_pdq_conf_policy(&c.pdq, "other", &d, &q);
	CU_ASSERT_EQUAL(d, 20);
	CU_ASSERT_EQUAL(q, 60);
	dp_lcfg_free(&c);
}

static void touch(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/sets/%s", dir, name);
	CU_ASSERT_EQUAL_FATAL(write_file(p, ""), 0);
}

static void test_set_paths(void)
{
	struct dp_lcfg c;
	struct hwall_err err;
	char **paths = NULL, want[128];
	int n;

	touch("b.hws");
	touch("a.hws");
	touch("notes.txt");
	touch(".hidden.hws");
	CU_ASSERT_EQUAL_FATAL(load("\"sets\":[\"/x/first.hws\",\"sets/b.hws\"],\"set_dir\":\"sets\"",
				   &c, &err), 0);
	n = dp_lcfg_set_paths(&c, &paths, &err);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	/* "sets" in order, then the directory by name, b.hws only once. */
	CU_ASSERT_STRING_EQUAL(paths[0], "/x/first.hws");
	snprintf(want, sizeof(want), "%s/sets/b.hws", dir);
	CU_ASSERT_STRING_EQUAL(paths[1], want);
	snprintf(want, sizeof(want), "%s/sets/a.hws", dir);
	CU_ASSERT_STRING_EQUAL(paths[2], want);
	dp_lcfg_paths_free(paths, n);
	dp_lcfg_free(&c);

	CU_ASSERT_EQUAL_FATAL(load("\"set_dir\":\"nowhere\"", &c, &err), 0);
	CU_ASSERT_EQUAL(dp_lcfg_set_paths(&c, &paths, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "set_dir: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "No such file or directory"));
	dp_lcfg_free(&c);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "defaults and paths from the config's directory", test_defaults },
		{ "the worker settings follow the keys", test_worker_conf },
		{ "bad values are refused with their key", test_refusals },
		{ "the set list: sets, then set_dir, once each", test_set_paths },
		{ "pdq: defaults, per-set threshold and quality floor", test_pdq },
		CU_TEST_INFO_NULL,
	};
	char p[128];

	dir = hwall_test_tmpdir("live-config");
	if (!dir)
		return 2;
	snprintf(cfg_path, sizeof(cfg_path), "%s/dp.json", dir);
	snprintf(p, sizeof(p), "%s/hw", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/sets", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/hw/pcap.json", dir);
	if (write_file(p, "{\"name\":\"pcap\",\"driver\":\"net_pcap\",\"bus\":\"vdev\",\"max_queues\":1,"
		      "\"rx_desc\":512,\"tx_desc\":512}") < 0)
		return 2;
	return hwall_test_main("dataplane/live_config", tests);
}
