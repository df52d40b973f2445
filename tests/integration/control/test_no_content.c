/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * No object content anywhere: synthetic objects (PRNG bodies, never real
 * content) are "served", their digests reported as matches through the
 * ingest client into a real hashwall-controld (argv[1]), reviewed and
 * exported with hashwallctl; then every file the run left behind (the
 * database with its WAL, controld's log, the allowlist file, the exports)
 * is searched for the bodies' bytes, raw and hex-encoded.  None may be found.
 * The events carry the flows of their transfers (client addresses, some
 * malformed), which controld may only use for enforcement: no file, API
 * answer or metric may hold a client address or the word client_ip.
 * Positive controls prove the searches find a body or an address when one
 * is there.
 */
#include "control/api.h"
#include "control/ctl_cli.h"
#include "common/ingest_client.h"
#include "common/algo.h"
#include "ctl_test_daemon.h"
#include "hwall_test.h"

#include <curl/curl.h>
#include <dirent.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OBJECTS 24
#define PROBE 24     /* bytes of a body searched for at a time */
#define STRIDE 256   /* distance between probes inside a body */
#define CLIENT_NET "10.77." /* every client address of the run starts so */

static uint8_t *bodies[OBJECTS];
static size_t body_len[OBJECTS];

static void make_bodies(void)
{
	uint64_t st = 0x5eed;

	for (int i = 0; i < OBJECTS; i++) {
		body_len[i] = 1000 + (size_t)(hwall_test_rand(&st) % 60000);
		bodies[i] = malloc(body_len[i]);
		hwall_test_rand_bytes(&st, bodies[i], body_len[i]);
	}
}

/* How many probes of any body (raw or as hex) occur in @data. */
static unsigned int probes_found(const char *data, size_t len)
{
	char hex[2 * PROBE + 1];
	unsigned int found = 0;

	for (int i = 0; i < OBJECTS; i++) {
		for (size_t off = 0; off + PROBE <= body_len[i]; off += STRIDE) {
			hwall_hex_format(bodies[i] + off, PROBE, hex);
			found += memmem(data, len, bodies[i] + off, PROBE) != NULL;
			found += memmem(data, len, hex, 2 * PROBE) != NULL;
		}
	}
	return found;
}

/* Client addresses (or the flow's member name) in @data. */
static unsigned int clients_found(const char *data, size_t len)
{
	return (memmem(data, len, CLIENT_NET, strlen(CLIENT_NET)) != NULL) +
	       (memmem(data, len, "client_ip", 9) != NULL);
}

/* Search every regular file in the run's directory with @probe; count
 * files and hits. */
static unsigned int scan_dir(unsigned int (*probe)(const char *, size_t), unsigned int *ret_files)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	unsigned int hits = 0;

	*ret_files = 0;
	while (d && (de = readdir(d))) {
		char p[320];
		size_t len = 0;
		char *data;
		if (de->d_name[0] == '.')
			continue;
		path_of(p, sizeof(p), de->d_name);
		data = read_all(p, &len);
		if (!data)
			continue;
		(*ret_files)++;
		hits += probe(data, len);
		free(data);
	}
	if (d)
		closedir(d);
	return hits;
}

static void setup(void)
{
	char cfg[1024], line[256], hash[65];

	dir = hwall_test_tmpdir("ctl-nocontent");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(cfg, sizeof(cfg),
		 "{\"db\":\"%s/c.db\",\"ingest_socket\":\"%s/i.sock\",\"client_key_file\":"
		 "\"%s/key\",\"tokens_file\":\"%s/tokens\",\"allowlist_file\":\"%s/allow.txt\","
		 "\"event_log\":\"%s/events.jsonl\",\"log\":\"debug\",\"api\":{\"port\":0}}",
		 dir, dir, dir, dir, dir, dir);
	write_text("controld.json", cfg);
	ctl_token_hash_hex("nocontent-admin", hash);
	snprintf(line, sizeof(line), "admin admin %s\n", hash);
	write_text("tokens", line);
}

/* Report a match for every object, as the dataplane would (digests only). */
static void report_matches(void)
{
	struct hwall_ic_config cfg = { .dataplane = "dp", .reconnect_ms = 5 };
	char sock[192], ev[1024], hex[65];
	struct hwall_ic_stats st;
	struct hwall_ic *ic;
	uint8_t d[32];

	path_of(sock, sizeof(sock), "i.sock");
	cfg.socket_path = sock;
	CU_ASSERT_FATAL(hwall_ic_new(&cfg, &ic) == 0);
	for (int i = 0; i < OBJECTS; i++) {
		int n;
		SHA256(bodies[i], body_len[i], d);
		hwall_hex_format(d, sizeof(d), hex);
		/* Every fourth flow is malformed (an octet over 255). */
		n = snprintf(ev, sizeof(ev),
			     "{\"server_ip\":\"192.0.2.5\",\"server_port\":80,\"client\":\"a1b2c3\","
			     "\"host\":\"h.example\",\"path\":\"/o%d\",\"method\":\"GET\","
			     "\"status\":200,\"size\":%zu,\"complete\":true,\"partial\":false,"
			     "\"set\":\"s\",\"set_version\":1,\"algo\":\"sha256\",\"digest\":\"%s\","
			     "\"category\":1,\"ref\":%d,\"flow\":{\"client_ip\":\"" CLIENT_NET
			     "%d.%d\",\"client_port\":%d}}",
			     i, body_len[i], hex, i, i % 4 == 3 ? 300 : 1, 10 + i, 40000 + i);
		CU_ASSERT_EQUAL(hwall_ic_submit(ic, ev, (size_t)n), 0);
	}
	for (int i = 0; i < 4000; i++) {
		hwall_ic_poll(ic, 5);
		hwall_ic_stats(ic, &st);
		if (st.acked == OBJECTS)
			break;
	}
	CU_ASSERT_EQUAL(st.acked, OBJECTS);
	hwall_ic_free(ic);
}

/* Lines of the event log that are fileinfo records. */
static int event_log_lines(void)
{
	char p[192], *data, *at;
	size_t len = 0;
	int n = 0;

	path_of(p, sizeof(p), "events.jsonl");
	data = read_all(p, &len);
	CU_ASSERT_FATAL(data != NULL);
	data[len] = '\0';
	for (at = data; (at = strstr(at, "\"event_type\":\"fileinfo\"")); at++)
		n++;
	free(data);
	return n;
}

/* The value of metric @name in the saved metrics page; -1 when absent. */
static double metric(const char *name)
{
	char p[192], *data, *at, key[96];
	size_t len = 0;
	double v = -1;

	path_of(p, sizeof(p), "metrics.txt");
	data = read_all(p, &len);
	CU_ASSERT_FATAL(data != NULL);
	data[len] = '\0';
	snprintf(key, sizeof(key), "\n%s ", name);
	at = strstr(data, key);
	if (at)
		v = atof(at + strlen(key));
	free(data);
	return v;
}

static void write_control_file(void)
{
	char p[192];
	FILE *f;

	path_of(p, sizeof(p), "control.bin");
	f = fopen(p, "wb");
	CU_ASSERT_FATAL(f != NULL);
	fwrite(bodies[5] + 300, 1, 600, f);
	fclose(f);
}

/* hashwallctl with its output in @out_name (in the run's directory). */
static int ctl(const char *out_name, const char *const *args)
{
	char out_path[192], *argv[16];
	struct ctl_cli cli;
	int argc = 0, r;

	path_of(out_path, sizeof(out_path), out_name);
	argv[argc++] = (char *)"hashwallctl";
	argv[argc++] = (char *)"--url";
	argv[argc++] = api_url;
	for (int i = 0; args[i] && argc < 15; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	cli.out = fopen(out_path, "w");
	cli.err = stderr;
	r = ctl_cli_run(&cli, argc, argv);
	fclose(cli.out);
	return r;
}

static void test_no_content(void)
{
	unsigned int files = 0;
	char wal[192];
	pid_t pid;
	int status;

	make_bodies();
	setup();
	pid = start_controld();
	report_matches();
	find_api_url();
	setenv("HASHWALL_TOKEN", "nocontent-admin", 1);
	CU_ASSERT_EQUAL(ctl("review.out", (const char *[]){ "review", "1", "confirmed", NULL }), 0);
	CU_ASSERT_EQUAL(ctl("fp.out", (const char *[]){ "review", "2", "false_positive", NULL }), 0);
	CU_ASSERT_EQUAL(ctl("notices.csv", (const char *[]){ "export", "notices", "--status",
							     "all", "--format", "csv", NULL }), 0);
	CU_ASSERT_EQUAL(ctl("feedback.json", (const char *[]){ "export", "feedback", NULL }), 0);
	CU_ASSERT_EQUAL(ctl("show.json", (const char *[]){ "--json", "show", "3", NULL }), 0);
	CU_ASSERT_EQUAL(ctl("status.out", (const char *[]){ "status", NULL }), 0);
	CU_ASSERT_EQUAL(ctl("candidates.json", (const char *[]){ "--json", "candidates", NULL }), 0);
	CU_ASSERT_EQUAL(api_get("nocontent-admin", "/api/v1/candidates/4", "candidate4.json"), 200);
	CU_ASSERT_EQUAL(api_get("nocontent-admin", "/api/v1/status", "status.json"), 200);
	CU_ASSERT_EQUAL(api_get("nocontent-admin", "/metrics", "metrics.txt"), 200);
	CU_ASSERT_EQUAL(metric("hashwall_ingest_events_total"), OBJECTS);
	CU_ASSERT_EQUAL(metric("hashwall_ingest_flow_invalid_total"), OBJECTS / 4);
	/* while controld runs, its WAL is there too */
	path_of(wal, sizeof(wal), "c.db-wal");
	CU_ASSERT_EQUAL(access(wal, F_OK), 0);
	CU_ASSERT_EQUAL(scan_dir(clients_found, &files), 0);
	kill(pid, SIGTERM);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_EQUAL(event_log_lines(), OBJECTS);
	/* the database, its WAL, the log, the event log, the allowlist, the
	 * exports, the API's answers and metrics... */
	CU_ASSERT_EQUAL(scan_dir(probes_found, &files), 0);
	CU_ASSERT_EQUAL(scan_dir(clients_found, &files), 0);
	CU_ASSERT_TRUE(files >= 14);
	/* positive controls: an address, a file holding part of a body */
	write_text("client.txt", "seen " CLIENT_NET "0.12\n");
	CU_ASSERT_TRUE(scan_dir(clients_found, &files) > 0);
	write_control_file();
	CU_ASSERT_TRUE(scan_dir(probes_found, &files) > 0);
	hwall_test_tmpdir_remove(dir);
	for (int i = 0; i < OBJECTS; i++)
		free(bodies[i]);
}

int main(int argc, char **argv)
{
	CU_TestInfo tests[] = {
		{ "no body bytes in db, logs, exports", test_no_content },
		CU_TEST_INFO_NULL,
	};

	return ctl_test_daemon_main(argc, argv, "control/no_content", tests);
}
