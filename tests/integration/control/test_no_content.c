/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * No object content anywhere: synthetic objects (PRNG bodies, never real
 * content) are "served", their digests reported as matches through the
 * ingest client into a real hashwall-controld (argv[1]), reviewed and
 * exported with hashwallctl; then every file the run left behind (the
 * database with its WAL, controld's log, the allowlist file, the exports)
 * is searched for the bodies' bytes, raw and hex-encoded.  None may be found.
 * A positive control proves the search finds a body when one is there.
 */
#include "control/api.h"
#include "control/ctl_cli.h"
#include "common/ingest_client.h"
#include "common/digest.h"
#include "hw_test.h"

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

static const char *controld;
static char dir[64], api_url[64];
static uint8_t *bodies[OBJECTS];
static size_t body_len[OBJECTS];

static void make_bodies(void)
{
	uint64_t st = 0x5eed;

	for (int i = 0; i < OBJECTS; i++) {
		body_len[i] = 1000 + (size_t)(hw_test_rand(&st) % 60000);
		bodies[i] = malloc(body_len[i]);
		hw_test_rand_bytes(&st, bodies[i], body_len[i]);
	}
}

static void path_of(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", dir, name);
}

static char *read_all(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			*ret_len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* How many probes of any body (raw or as hex) occur in @data. */
static unsigned int probes_found(const char *data, size_t len)
{
	char hex[2 * PROBE + 1];
	unsigned int found = 0;

	for (int i = 0; i < OBJECTS; i++) {
		for (size_t off = 0; off + PROBE <= body_len[i]; off += STRIDE) {
			hw_hex_format(bodies[i] + off, PROBE, hex);
			found += memmem(data, len, bodies[i] + off, PROBE) != NULL;
			found += memmem(data, len, hex, 2 * PROBE) != NULL;
		}
	}
	return found;
}

/* Search every regular file in the run's directory; count files and hits. */
static unsigned int scan_dir(unsigned int *ret_files)
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
		hits += probes_found(data, len);
		free(data);
	}
	if (d)
		closedir(d);
	return hits;
}

static void write_text(const char *name, const char *text)
{
	char p[192];
	FILE *f;

	path_of(p, sizeof(p), name);
	f = fopen(p, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

static pid_t start_controld(void)
{
	char cfg[192], log[192];
	pid_t pid;

	path_of(cfg, sizeof(cfg), "controld.json");
	path_of(log, sizeof(log), "controld.log");
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		if (!freopen(log, "a", stderr))
			_exit(126);
		execl(controld, controld, "--config", cfg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void setup(void)
{
	char cfg[1024], line[256], hash[65];

	snprintf(dir, sizeof(dir), "/tmp/hw-ctl-nocontent-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
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
	struct hw_ic_config cfg = { .dataplane = "dp", .reconnect_ms = 5 };
	char sock[192], ev[1024], hex[65];
	struct hw_ic_stats st;
	struct hw_ic *ic;
	uint8_t d[32];

	path_of(sock, sizeof(sock), "i.sock");
	cfg.socket_path = sock;
	CU_ASSERT_FATAL(hw_ic_new(&cfg, &ic) == 0);
	for (int i = 0; i < OBJECTS; i++) {
		int n;
		SHA256(bodies[i], body_len[i], d);
		hw_hex_format(d, sizeof(d), hex);
		n = snprintf(ev, sizeof(ev),
			     "{\"server_ip\":\"192.0.2.5\",\"server_port\":80,\"client\":\"a1b2c3\","
			     "\"host\":\"h.example\",\"path\":\"/o%d\",\"method\":\"GET\","
			     "\"status\":200,\"size\":%zu,\"complete\":true,\"partial\":false,"
			     "\"set\":\"s\",\"set_version\":1,\"algo\":\"sha256\",\"digest\":\"%s\","
			     "\"category\":1,\"ref\":%d}",
			     i, body_len[i], hex, i);
		CU_ASSERT_EQUAL(hw_ic_submit(ic, ev, (size_t)n), 0);
	}
	for (int i = 0; i < 4000; i++) {
		hw_ic_poll(ic, 5);
		hw_ic_stats(ic, &st);
		if (st.acked == OBJECTS)
			break;
	}
	CU_ASSERT_EQUAL(st.acked, OBJECTS);
	hw_ic_free(ic);
}

/* The API's port, from controld's start-up log line. */
static void find_api_url(void)
{
	char p[192], *log, *at;
	size_t len = 0;
	unsigned int port = 0;

	path_of(p, sizeof(p), "controld.log");
	log = read_all(p, &len);
	CU_ASSERT_FATAL(log != NULL);
	log[len] = '\0';
	at = strstr(log, " port ");
	CU_ASSERT_FATAL(at && sscanf(at, " port %u", &port) == 1);
	snprintf(api_url, sizeof(api_url), "http://127.0.0.1:%u", port);
	free(log);
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

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
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
	kill(pid, SIGTERM);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_EQUAL(event_log_lines(), OBJECTS);
	/* the database, its WAL, the log, the event log, the allowlist, the exports... */
	CU_ASSERT_EQUAL(scan_dir(&files), 0);
	CU_ASSERT_TRUE(files >= 10);
	/* positive control: a file holding part of a body is found */
	write_control_file();
	CU_ASSERT_TRUE(scan_dir(&files) > 0);
	remove_dir();
	for (int i = 0; i < OBJECTS; i++)
		free(bodies[i]);
}

int main(int argc, char **argv)
{
	CU_TestInfo tests[] = {
		{ "no body bytes in db, logs, exports", test_no_content },
		CU_TEST_INFO_NULL,
	};
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-hashwall-controld\n", argv[0]);
		return 2;
	}
	controld = argv[1];
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = hw_test_main("control/no_content", tests);
	curl_global_cleanup();
	return r;
}
