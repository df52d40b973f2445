/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_test_daemon.h - what the tests that run a real hashwall-controld
 * process share: a run directory, files in it, starting controld with its
 * log there, finding the API's port in that log, and GET requests with a
 * bearer token.  The test sets `controld` (the binary) and `dir`.
 */
#ifndef HASHWALL_TESTS_CTL_TEST_DAEMON_H
#define HASHWALL_TESTS_CTL_TEST_DAEMON_H

#include "hwall_test.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const char *controld;
static const char *dir;
static char api_url[64];

static inline void path_of(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", dir, name);
}

/* The whole file, NUL-terminated (caller frees); NULL when unreadable. */
static inline char *read_all(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*ret_len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Replace file @name of the run's directory by @text (write and rename),
 * mode 0600 (controld refuses a tokens file others may read). */
static inline void write_text(const char *name, const char *text)
{
	char p[192], tmp[200];
	FILE *f;

	path_of(p, sizeof(p), name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	f = fopen(tmp, "w");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(fchmod(fileno(f), 0600), 0);
	fputs(text, f);
	fclose(f);
	CU_ASSERT_EQUAL(rename(tmp, p), 0);
}

/* controld --config DIR/controld.json, its stderr appended to DIR/controld.log. */
static inline pid_t start_controld(void)
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

/* How often @needle occurs in controld's log so far. */
static inline int log_count(const char *needle)
{
	char p[192], *log, *at;
	size_t len = 0;
	int n = 0;

	path_of(p, sizeof(p), "controld.log");
	log = read_all(p, &len);
	for (at = log; at && (at = strstr(at, needle)); at++)
		n++;
	free(log);
	return n;
}

/* The API's port, from controld's start-up log line (waits for it). */
static inline void find_api_url(void)
{
	char p[192], *log = NULL, *at = NULL;
	size_t len = 0;
	unsigned int port = 0;

	path_of(p, sizeof(p), "controld.log");
	for (int i = 0; i < 500 && !at; i++) {
		free(log);
		log = read_all(p, &len);
		at = log ? strstr(log, " port ") : NULL;
		if (!at)
			usleep(10000);
	}
	CU_ASSERT_FATAL(at && sscanf(at, " port %u", &port) == 1);
	snprintf(api_url, sizeof(api_url), "http://127.0.0.1:%u", port);
	free(log);
}

/* GET @path of the API with bearer @token, the body into file @out_name of
 * the run's directory.  Returns the HTTP status (0: no answer). */
static inline long api_get(const char *token, const char *path, const char *out_name)
{
	char url[160], out_path[192], auth[160];
	struct curl_slist *h;
	CURL *c = curl_easy_init();
	long code = 0;
	FILE *f;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(NULL, auth);
	path_of(out_path, sizeof(out_path), out_name);
	snprintf(url, sizeof(url), "%s%s", api_url, path);
	f = fopen(out_path, "w");
	CU_ASSERT_FATAL(c != NULL && f != NULL);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	fclose(f);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	return code;
}

/* main() of such a test: argv[1] is hashwall-controld. */
static inline int ctl_test_daemon_main(int argc, char **argv, const char *name,
				       CU_TestInfo *tests)
{
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-hashwall-controld\n", argv[0]);
		return 2;
	}
	controld = argv[1];
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = hwall_test_main(name, tests);
	curl_global_cleanup();
	return r;
}

#endif
