/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for dataplane/sets/set_publish.c and dataplane/sets/control_socket.c: set list
 * publication with RCU while a reader thread looks digests up, the control
 * protocol, and the control socket itself.
 */
#include "dataplane/sets/control_socket.h"
#include "dataplane/sets/set_publish.h"
#include "hwall_test.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define SWAPS 400

static const char *dir;
static char path_v1[64], path_v2[64], path_t[64], path_bad[64], path_sock[64];
static uint8_t k1[16], k2[16], k3[16];

/* "s" v1 = {k1, k2}, "s" v2 = {k2, k3}, "t" v5 = {k3}. */
static int make_sets(void)
{
	struct hws_builder *v1 = hws_builder_new("s", 1), *v2 = hws_builder_new("s", 2);
	struct hws_builder *t = hws_builder_new("t", 5);
	struct hwall_err e = { { 0 } };
	uint64_t seed = 11;
	FILE *f;
	int r;

	hwall_test_rand_bytes(&seed, k1, 16);
	hwall_test_rand_bytes(&seed, k2, 16);
	hwall_test_rand_bytes(&seed, k3, 16);
	snprintf(path_v1, sizeof(path_v1), "%s/v1.hws", dir);
	snprintf(path_v2, sizeof(path_v2), "%s/v2.hws", dir);
	snprintf(path_t, sizeof(path_t), "%s/t.hws", dir);
	snprintf(path_bad, sizeof(path_bad), "%s/bad.hws", dir);
	snprintf(path_sock, sizeof(path_sock), "%s/ctl.sock", dir);
	r = hws_builder_add(v1, HWALL_ALGO_XXH3_128, k1, 1, 1);
	r = r ?: hws_builder_add(v1, HWALL_ALGO_XXH3_128, k2, 1, 2);
	r = r ?: hws_builder_add(v2, HWALL_ALGO_XXH3_128, k2, 1, 2);
	r = r ?: hws_builder_add(v2, HWALL_ALGO_XXH3_128, k3, 1, 3);
	r = r ?: hws_builder_add(t, HWALL_ALGO_MD5, k3, 1, 3);
	r = r ?: hws_builder_write(v1, path_v1, NULL, &e);
	r = r ?: hws_builder_write(v2, path_v2, NULL, &e);
	r = r ?: hws_builder_write(t, path_t, NULL, &e);
	hws_builder_free(v1);
	hws_builder_free(v2);
	hws_builder_free(t);
	f = fopen(path_bad, "w");
	if (!f)
		return -1;
	fputs("not a set file", f);
	fclose(f);
	return r;
}

static bool hit(const struct dp_setlist *l, const uint8_t *k)
{
	struct dp_digests d = { .mask = 1u << HWALL_ALGO_XXH3_128 };
	struct dp_match m[4];

	memcpy(d.bytes[HWALL_ALGO_XXH3_128], k, 16);
	return dp_verdict(l, &d, m, 4) > 0;
}

struct reader {
	struct dp_setpub *live;
	volatile bool done;
	uint64_t seen[3];    /* lists seen with "s" at version 1, 2 */
	uint64_t inconsistent;
};

/* What a worker does per burst: quiescent, read the list, look up. */
static void reader_round(struct reader *rd)
{
	const struct dp_setlist *l;
	uint64_t v;

	dp_setpub_quiescent(rd->live, 0);
	l = dp_setpub_current(rd->live);
	v = l->n == 1 ? l->sets[0].info.version : 0;
	if (v == 1 && hit(l, k1) && hit(l, k2) && !hit(l, k3))
		rd->seen[1]++;
	else if (v == 2 && !hit(l, k1) && hit(l, k2) && hit(l, k3))
		rd->seen[2]++;
	else
		rd->inconsistent++;
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;

	while (!__atomic_load_n(&rd->done, __ATOMIC_ACQUIRE))
		reader_round(rd);
	reader_round(rd);
	dp_setpub_unregister(rd->live, 0);
	return NULL;
}

/* Hundreds of swaps while a reader looks up: every list it sees is whole
 * (v1 or v2, never a mix), and freed lists are never touched (ASan). */
static void test_swaps_under_reader(void)
{
	const char *paths[] = { path_v1 };
	struct dp_setlist *first = NULL;
	struct hwall_err err = { { 0 } };
	struct hws_info info;
	struct dp_setpub live;
	struct reader rd = { .live = &live };
	pthread_t th;
	int fails = 0;

	CU_ASSERT_EQUAL_FATAL(dp_setlist_open(paths, 1, &first, &err), 0);
	CU_ASSERT_EQUAL_FATAL(dp_setpub_init(&live, 1, first), 0);
	CU_ASSERT_EQUAL_FATAL(dp_setpub_register(&live, 0), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, reader_main, &rd), 0);
	for (int i = 0; i < SWAPS; i++)
		fails += dp_setpub_load(&live, "s", i % 2 ? 1 : 2, i % 2 ? path_v1 : path_v2, &info,
				      &err) != 0;
	__atomic_store_n(&rd.done, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(fails, 0);
	CU_ASSERT_EQUAL(rd.inconsistent, 0);
	CU_ASSERT(rd.seen[1] > 0);
	CU_ASSERT(rd.seen[2] > 0); /* the last list, read after the last swap */
	CU_ASSERT_EQUAL(live.swaps, SWAPS);
	dp_setpub_fini(&live);
}

/* A bad load leaves the published list as it was (same pointer). */
static void test_bad_load_untouched(void)
{
	struct dp_setpub live;
	struct hwall_err err = { { 0 } };
	struct hws_info info;
	const struct dp_setlist *before;

	CU_ASSERT_EQUAL_FATAL(dp_setpub_init(&live, 1, NULL), 0);
	CU_ASSERT_EQUAL(dp_setpub_load(&live, "s", 1, path_v1, &info, &err), 0);
	before = dp_setpub_current(&live);
	CU_ASSERT_EQUAL(dp_setpub_load(&live, "s", 2, path_bad, &info, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "bad.hws"));
	CU_ASSERT_EQUAL(dp_setpub_load(&live, "s", 3, path_v2, &info, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "version 2, not 's' version 3"));
	CU_ASSERT_EQUAL(dp_setpub_load(&live, "x", 2, path_v2, &info, &err), -EINVAL);
	CU_ASSERT_EQUAL(dp_setpub_load(&live, "s", 1, "/nonexistent.hws", &info, &err), -ENOENT);
	CU_ASSERT_PTR_EQUAL(dp_setpub_current(&live), before);
	CU_ASSERT_EQUAL(live.swaps, 1);
	CU_ASSERT_EQUAL(dp_setpub_unload(&live, "nope"), -ENOENT);
	CU_ASSERT_PTR_EQUAL(dp_setpub_current(&live), before);
	dp_setpub_fini(&live);
}

/* The line protocol, answer by answer; algo_mask follows the sets. */
static void test_protocol(void)
{
	struct dp_setpub live;
	char line[512], out[1024];

	CU_ASSERT_EQUAL_FATAL(dp_setpub_init(&live, 1, NULL), 0);
	dp_control_handle(&live, "status", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "{\"swaps\":0,\"allowlist\":0,\"sets\":[]}\n");
	snprintf(line, sizeof(line), "load s 1 %s", path_v1);
	dp_control_handle(&live, line, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "ok loaded s 1 entries 2\n");
	snprintf(line, sizeof(line), "load t 5 %s", path_t);
	dp_control_handle(&live, line, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "ok loaded t 5 entries 1\n");
	CU_ASSERT_EQUAL(dp_setpub_current(&live)->algo_mask,
			(1u << HWALL_ALGO_XXH3_128) | (1u << HWALL_ALGO_MD5));
	dp_control_handle(&live, "status", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "{\"swaps\":2,\"allowlist\":0,\"sets\":[{\"id\":\"s\",\"version\":1,"
				    "\"entries\":2,\"expires\":0},{\"id\":\"t\",\"version\":5,\"entries\":1,"
				    "\"expires\":0}]}\n");
	dp_control_handle(&live, "unload t", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "ok unloaded t\n");
	CU_ASSERT_EQUAL(dp_setpub_current(&live)->algo_mask, 1u << HWALL_ALGO_XXH3_128);
	dp_control_handle(&live, "unload t", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "err set 't' is not loaded\n");
	dp_control_handle(&live, "load s x /p", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "err version 'x' is not a number\n");
	dp_control_handle(&live, "load s 1", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "err usage: load <set-id> <version> <path>\n");
	dp_control_handle(&live, "frobnicate", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "err unknown command 'frobnicate' (load, unload, allowlist, status)\n");
	dp_control_handle(&live, "", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "err unknown command '' (load, unload, allowlist, status)\n");
	dp_setpub_fini(&live);
}

/* Write @text to @path (the allowlist file). */
static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* A reader that checks k1 against the sets and the allowlist published with
 * them: k1 is a hit exactly when the list it sees does not allowlist it. */
struct allow_reader {
	struct dp_setpub *live;
	volatile bool done;
	uint64_t with, without, inconsistent;
};

static void *allow_reader_main(void *arg)
{
	struct allow_reader *rd = arg;
	bool last = false;

	while (!last) {
		const struct dp_setlist *l;
		bool listed;

		last = __atomic_load_n(&rd->done, __ATOMIC_ACQUIRE);
		dp_setpub_quiescent(rd->live, 0);
		l = dp_setpub_current(rd->live);
		listed = dp_allowlist_contains(l->allow, HWALL_ALGO_XXH3_128, k1, NULL);
		rd->with += listed;
		rd->without += !listed;
		rd->inconsistent += hit(l, k1) == listed || !hit(l, k2);
	}
	dp_setpub_unregister(rd->live, 0);
	return NULL;
}

/* Allowlists replaced under a reader keep the sets, and every list the
 * reader sees is consistent; freed allowlists are never touched (ASan). */
static void test_allowlist_swaps(void)
{
	char text[64], hex[33];
	struct hwall_err err;
	struct allow_reader rd = { 0 };
	struct hws_info info;
	struct hwall_err herr = { { 0 } };
	struct dp_setpub live;
	pthread_t th;
	int fails = 0;

	hwall_hex_format(k1, 16, hex);
	snprintf(text, sizeof(text), "xxh3-128 %s\n", hex);
	CU_ASSERT_EQUAL_FATAL(dp_setpub_init(&live, 1, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(dp_setpub_load(&live, "s", 1, path_v1, &info, &herr), 0);
	rd.live = &live;
	CU_ASSERT_EQUAL_FATAL(dp_setpub_register(&live, 0), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, allow_reader_main, &rd), 0);
	for (int i = 0; i < SWAPS; i++) {
		struct dp_allowlist *a = NULL;

		fails += dp_allowlist_parse(text, i % 2 ? 0 : strlen(text), &a, &err);
		fails += dp_setpub_set_allowlist(&live, a) != 0;
	}
	__atomic_store_n(&rd.done, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(fails, 0);
	CU_ASSERT_EQUAL(rd.inconsistent, 0);
	CU_ASSERT(rd.with > 0);
	CU_ASSERT(rd.without > 0); /* the last list has an empty allowlist */
	CU_ASSERT_EQUAL(live.swaps, SWAPS + 1);
	/* A set load keeps the allowlist; clearing it keeps the sets. */
	CU_ASSERT_EQUAL(dp_setpub_set_allowlist(&live, NULL), 0);
	CU_ASSERT_TRUE(hit(dp_setpub_current(&live), k1));
	dp_setpub_fini(&live);
}

/* "allowlist <path>" over the protocol: a bad file leaves the list. */
static void test_allowlist_command(void)
{
	char path[80], line[128], out[1024], text[160], hex[33];
	struct hws_info info;
	struct hwall_err herr = { { 0 } };
	const struct dp_setlist *before;
	struct dp_setpub live;

	snprintf(path, sizeof(path), "%s/allow.txt", dir);
	hwall_hex_format(k2, 16, hex);
	snprintf(text, sizeof(text), "# comment\nxxh3-128 %s\n", hex);
	CU_ASSERT_EQUAL_FATAL(write_text(path, text), 0);
	CU_ASSERT_EQUAL_FATAL(dp_setpub_init(&live, 1, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(dp_setpub_load(&live, "s", 1, path_v1, &info, &herr), 0);
	snprintf(line, sizeof(line), "allowlist %s", path);
	dp_control_handle(&live, line, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "ok allowlist 1 entries\n");
	CU_ASSERT_FALSE(hit(dp_setpub_current(&live), k2));
	CU_ASSERT_TRUE(hit(dp_setpub_current(&live), k1));
	/* A set swap keeps the allowlist. */
	CU_ASSERT_EQUAL(dp_setpub_load(&live, "s", 2, path_v2, &info, &herr), 0);
	CU_ASSERT_FALSE(hit(dp_setpub_current(&live), k2));
	CU_ASSERT_TRUE(hit(dp_setpub_current(&live), k3));
	dp_control_handle(&live, "status", out, sizeof(out));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"swaps\":3,\"allowlist\":1,"));
	before = dp_setpub_current(&live);
	CU_ASSERT_EQUAL_FATAL(write_text(path, "xxh3-128 00\n"), 0);
	dp_control_handle(&live, line, out, sizeof(out));
	snprintf(text, sizeof(text), "err %s: line 1: not 32 hex digits of xxh3-128\n", path);
	CU_ASSERT_STRING_EQUAL(out, text);
	CU_ASSERT_PTR_EQUAL(dp_setpub_current(&live), before);
	dp_control_handle(&live, "allowlist", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "err usage: allowlist <path>\n");
	dp_control_handle(&live, "allowlist /nonexistent/allow.txt", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "err /nonexistent/allow.txt: No such file or directory\n");
	CU_ASSERT_PTR_EQUAL(dp_setpub_current(&live), before);
	CU_ASSERT_FALSE(hit(dp_setpub_current(&live), k2));
	dp_setpub_fini(&live);
	unlink(path);
}

/* Send @req over a fresh connection to the socket; every answer into @out. */
static int ask(const char *req, char *out, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	size_t got = 0;
	ssize_t n;

	strcpy(sa.sun_path, path_sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -1;
	}
	shutdown(fd, SHUT_WR); /* the server answers every line, then sees EOF */
	while (got + 1 < len && (n = read(fd, out + got, len - got - 1)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fd);
	return 0;
}

/* The socket: mode 0600, a request split over writes and two lines in one
 * write are answered; a second server on the same path is refused; stop
 * removes the socket; a regular file in the way is refused. */
static void test_socket(void)
{
	struct dp_setpub live;
	struct dp_control c, c2;
	char req[256], out[512];
	struct hwall_err err = { { 0 } };
	struct stat st;

	CU_ASSERT_EQUAL_FATAL(dp_setpub_init(&live, 1, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(dp_control_start(&c, &live, path_sock, &err), 0);
	CU_ASSERT_EQUAL(stat(path_sock, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	snprintf(req, sizeof(req), "load s 2 %s\n", path_v2);
	CU_ASSERT_EQUAL(ask(req, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "ok loaded s 2 entries 2\n");
	CU_ASSERT_EQUAL(ask("unload zz\nstatus\n", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "err set 'zz' is not loaded\n"
				    "{\"swaps\":1,\"allowlist\":0,\"sets\":[{\"id\":\"s\",\"version\":2,"
				    "\"entries\":2,\"expires\":0}]}\n");
	CU_ASSERT_EQUAL(dp_control_start(&c2, &live, path_sock, &err), -EADDRINUSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "another server"));
	dp_control_stop(&c);
	CU_ASSERT_EQUAL(access(path_sock, F_OK), -1);
	CU_ASSERT_EQUAL(dp_control_start(&c2, &live, path_bad, &err), -EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a socket"));
	dp_setpub_fini(&live);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "swaps_under_reader", test_swaps_under_reader },
		{ "bad_load_untouched", test_bad_load_untouched },
		{ "protocol", test_protocol },
		{ "socket", test_socket },
		{ "allowlist_swaps", test_allowlist_swaps },
		{ "allowlist_command", test_allowlist_command },
		CU_TEST_INFO_NULL,
	};

	dir = hwall_test_tmpdir("set-publish");
	if (!dir || make_sets() < 0)
		return 2;
	return hwall_test_main("dataplane/set_publish", tests);
}
