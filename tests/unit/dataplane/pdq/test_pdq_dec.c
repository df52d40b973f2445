/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for the PDQ stage's decoder process: the sandbox
 * (pdq_sandbox.c) in a forked child, the supervisor (pdq_dec.c) with the
 * real hashwall-pdq-decode on a drawn image of the fuzz seeds and with a
 * fake decoder that crashes, hangs, breaks the filter or lies on request,
 * and the stage (pdq_stage.c) counting and caching what happened. */
#include "dataplane/pdq/pdq_dec.h"
#include "dataplane/pdq/pdq_proto.h"
#include "dataplane/pdq/pdq_sandbox.h"
#include "dataplane/pdq/pdq_stage.h"
#include "common/fileio.h"
#include "hwall_test.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum act { ACT_OK, ACT_OPEN, ACT_SOCKET, ACT_EXEC_MEM, ACT_BIG_MALLOC, ACT_PRCTL, ACT_EXECVE };

/* Run @a in a forked child inside the sandbox; its wait status. */
static int sandboxed(enum act a)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		void *p;

		if (dp_pdq_sandbox_enter(256u << 20) < 0)
			_exit(10);
		switch (a) {
		case ACT_OK: /* what decoding needs: memory, read/write on what it has */
			p = malloc(4 << 20);
			memset(p, 1, 4 << 20);
			free(p);
			p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			madvise(p, 1 << 20, MADV_DONTDUMP);
			munmap(p, 1 << 20);
			_exit(write(-1, "", 0) < 0 ? 0 : 11);
		case ACT_OPEN:
			_exit(open("/etc/hostname", O_RDONLY) >= 0 ? 12 : 13);
		case ACT_SOCKET:
			_exit(socket(AF_UNIX, SOCK_STREAM, 0) >= 0 ? 12 : 13);
		case ACT_EXEC_MEM:
			p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			_exit(p != MAP_FAILED ? 12 : 13);
		case ACT_BIG_MALLOC: /* over RLIMIT_AS: refused, not granted */
			_exit(malloc(512u << 20) == NULL ? 0 : 14);
		case ACT_PRCTL:
			_exit(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : 15);
		case ACT_EXECVE:
			execl("/bin/true", "true", (char *)NULL);
			_exit(16);
		}
		_exit(17);
	}
	waitpid(pid, &st, 0);
	return st;
}

static bool killed_by_sigsys(int st)
{
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
}

/* The limits as the kernel shows them for a sandboxed child: no core
 * file, no new descriptor or file byte, 256 MiB of address space. */
static void test_sandbox_limits(void)
{
	int fds[2], st;
	char path[64], *lim = NULL;
	size_t len;
	pid_t pid;

	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		if (dp_pdq_sandbox_enter(256u << 20) < 0)
			_exit(10);
		if (write(fds[1], "r", 1) != 1)
			_exit(11);
		for (;;)
			;
	}
	close(fds[1]);
	CU_ASSERT_EQUAL(read(fds[0], path, 1), 1);
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	CU_ASSERT_EQUAL(hwall_read_file(path, 1 << 16, &lim, &len), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(fds[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lim);
	CU_ASSERT_PTR_NOT_NULL(strstr(lim, "Max core file size        0                    0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lim, "Max open files            0                    0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lim, "Max file size             0                    0"));
	if (DP_PDQ_SANDBOX_AS_CAP)
		CU_ASSERT_PTR_NOT_NULL(strstr(lim, "Max address space         268435456            268435456"));
	free(lim);
}

static void test_sandbox(void)
{
	int st = sandboxed(ACT_OK);

	CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = sandboxed(ACT_BIG_MALLOC);
	CU_ASSERT_TRUE(!DP_PDQ_SANDBOX_AS_CAP || (WIFEXITED(st) && WEXITSTATUS(st) == 0));
	/* prctl itself is outside the filter: even PR_GET_DUMPABLE */
	CU_ASSERT_TRUE(killed_by_sigsys(sandboxed(ACT_PRCTL)));
	test_sandbox_limits();
	CU_ASSERT_TRUE(killed_by_sigsys(sandboxed(ACT_OPEN)));
	CU_ASSERT_TRUE(killed_by_sigsys(sandboxed(ACT_SOCKET)));
	CU_ASSERT_TRUE(killed_by_sigsys(sandboxed(ACT_EXEC_MEM)));
	CU_ASSERT_TRUE(killed_by_sigsys(sandboxed(ACT_EXECVE)));
}

static int read_seed(const char *name, char **ret, size_t *ret_len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", PDQ_SEEDS, name);
	return hwall_read_file(path, 1 << 20, ret, ret_len);
}

/* The real decoder hashes a drawn image; garbage is refused, not fatal. */
static void test_real_decoder(void)
{
	static const char *const seeds[] = { "baseline.jpg", "grey.png", "alpha.webp",
					     "interlaced.gif", "adam7.png" };
	struct dp_pdq_dec d;
	struct pdq_result res;
	uint8_t junk[4096] = { 0xff, 0xd8, 0xff, 0xe0 };
	char *img;
	size_t len;

	CU_ASSERT_FATAL(dp_pdq_dec_init(&d, PDQ_DECODER, 1000 * 30, 512, 1 << 20) == 0);
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		CU_ASSERT_FATAL(read_seed(seeds[i], &img, &len) == 0);
		memset(&res, 0, sizeof(res));
		CU_ASSERT_EQUAL(dp_pdq_dec_hash(&d, img, len, &res), 0);
		CU_ASSERT_NOT_EQUAL(res.format, PDQ_FORMAT_UNKNOWN);
		CU_ASSERT_EQUAL(res.width, 40);
		free(img);
	}
	CU_ASSERT_EQUAL(dp_pdq_dec_hash(&d, junk, sizeof(junk), &res), -EINVAL);
	CU_ASSERT_EQUAL(d.starts, 1); /* one process for all of them */
	CU_ASSERT_EQUAL(dp_pdq_dec_hash(&d, junk, 2 << 20, &res), -E2BIG);
	dp_pdq_dec_fini(&d);
}

static int fake(struct dp_pdq_dec *d, char what, struct pdq_result *res)
{
	uint8_t b[64] = { [8] = (uint8_t)what, [9] = 60 };

	return dp_pdq_dec_hash(d, b, sizeof(b), res);
}

/* A decoder that crashes, hangs, breaks out of the filter, lies or quits
 * is killed, reaped and replaced for the next body. */
static void test_supervisor(void)
{
	struct dp_pdq_dec d;
	struct pdq_result res;

	CU_ASSERT_FATAL(dp_pdq_dec_init(&d, FAKE_DECODER, 300, 256, 1 << 20) == 0);
	CU_ASSERT_EQUAL(fake(&d, 'a', &res), 0);
	CU_ASSERT_EQUAL(res.hash[5].b[0], 'a');
	CU_ASSERT_EQUAL(res.quality, 60);
	CU_ASSERT_EQUAL(fake(&d, 'C', &res), -ECHILD);
	/* (a sanitizer's SEGV report makes calls the filter kills: SIGSYS) */
	CU_ASSERT_TRUE(WIFSIGNALED(d.last_status) &&
		       (WTERMSIG(d.last_status) == SIGSEGV ||
			(!DP_PDQ_SANDBOX_AS_CAP && WTERMSIG(d.last_status) == SIGSYS)));
	CU_ASSERT_EQUAL(fake(&d, 'b', &res), 0);
	CU_ASSERT_EQUAL(d.starts, 2);
	CU_ASSERT_EQUAL(fake(&d, 'H', &res), -ETIMEDOUT);
	CU_ASSERT_TRUE(WIFSIGNALED(d.last_status) && WTERMSIG(d.last_status) == SIGKILL);
	CU_ASSERT_EQUAL(fake(&d, 'S', &res), -ECHILD);
	CU_ASSERT_TRUE(WIFSIGNALED(d.last_status) && WTERMSIG(d.last_status) == SIGSYS);
	CU_ASSERT_EQUAL(fake(&d, 'G', &res), -ECHILD);
	CU_ASSERT_EQUAL(fake(&d, 'Q', &res), -ECHILD);
	CU_ASSERT_EQUAL(fake(&d, 'c', &res), 0);
	CU_ASSERT_EQUAL(res.hash[0].b[31], 'c');
	CU_ASSERT_EQUAL(d.starts, 6);
	dp_pdq_dec_fini(&d);
	/* a decoder that cannot be started is an error, not a crash of ours */
	CU_ASSERT_FATAL(dp_pdq_dec_init(&d, "/nonexistent/decoder", 300, 256, 1 << 20) == 0);
	CU_ASSERT_TRUE(fake(&d, 'a', &res) < 0);
	dp_pdq_dec_fini(&d);
}

/* The reply parser takes nothing on trust. */
static void test_reply_parse(void)
{
	struct dp_pdq_reply r = { .magic = DP_PDQ_REPLY_MAGIC, .quality = 50,
				  .format = PDQ_FORMAT_JPEG, .width = 9, .height = 7 };
	struct pdq_result res;

	r.hash[2][0] = 0x42;
	CU_ASSERT_EQUAL(dp_pdq_reply_parse(&r, sizeof(r), &res), 0);
	CU_ASSERT_EQUAL(res.hash[2].b[0], 0x42);
	CU_ASSERT_EQUAL(res.width, 9);
	CU_ASSERT_EQUAL(dp_pdq_reply_parse(&r, sizeof(r) - 1, &res), -EPROTO);
	r.quality = 101;
	CU_ASSERT_EQUAL(dp_pdq_reply_parse(&r, sizeof(r), &res), -EPROTO);
	r.quality = 50;
	r.format = PDQ_FORMAT_COUNT;
	CU_ASSERT_EQUAL(dp_pdq_reply_parse(&r, sizeof(r), &res), -EPROTO);
	r.status = -E2BIG;
	CU_ASSERT_EQUAL(dp_pdq_reply_parse(&r, sizeof(r), &res), -E2BIG);
	r.status = -EPERM;
	CU_ASSERT_EQUAL(dp_pdq_reply_parse(&r, sizeof(r), &res), -EPROTO);
	r.status = 0;
	r.format = PDQ_FORMAT_PNG;
	r.magic ^= 1;
	CU_ASSERT_EQUAL(dp_pdq_reply_parse(&r, sizeof(r), &res), -EPROTO);
}

static struct dp_counters wctr;

/* Queue a PNG-looking body whose xxh3-128 is @key's bytes and whose ninth
 * byte tells the fake decoder what to do. */
static void queue(struct dp_pdq_tap *t, char what, uint8_t key)
{
	uint8_t b[4096] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	struct dp_obj o = { .outcome = DP_DROP_COUNT };
	struct dp_event_obj e = { .obj = &o };
	struct dp_flow_key k = { 0 };
	struct dp_pdq_copy *c = NULL;

	b[8] = (uint8_t)what;
	b[9] = 70;
	memset(o.digests.bytes[HWALL_ALGO_XXH3_128], key, 16);
	dp_pdq_tap_data(t, &c, 0, b, sizeof(b));
	dp_pdq_tap_submit(t, c, true, &e, &k, false);
	dp_pdq_tap_put(t, &c);
}

/* The stage: a decoder crash or hang costs one body, is counted, cached
 * (the same image is not tried again), and the next body is hashed. */
static void test_stage_survives(void)
{
	struct dp_pdq_conf conf;
	struct dp_pdq_stage st;
	struct dp_pdq_tap t;

	dp_pdq_conf_default(&conf);
	conf.decoder = (char *)FAKE_DECODER;
	conf.timeout_ms = 300;
	conf.queue = 2;
	CU_ASSERT_FATAL(dp_pdq_stage_init(&st, &conf, NULL, NULL) == 0);
	CU_ASSERT_FATAL(dp_pdq_tap_init(&t, &conf, &wctr) == 0);
	CU_ASSERT_EQUAL(dp_pdq_stage_add_tap(&st, &t), 0);
	dp_pdq_stage_use_list(&st, NULL);
	queue(&t, 'C', 1);
	CU_ASSERT_EQUAL(dp_pdq_stage_poll(&st), 1);
	queue(&t, 'H', 2);
	queue(&t, 'x', 3);
	CU_ASSERT_EQUAL(dp_pdq_stage_poll(&st), 2);
	queue(&t, 'C', 1); /* the crasher again: from the cache */
	queue(&t, 'y', 4);
	CU_ASSERT_EQUAL(dp_pdq_stage_poll(&st), 2);
	CU_ASSERT_EQUAL(st.ctr.pdq[DP_PDQ_pdq_decoder_crash], 1);
	CU_ASSERT_EQUAL(st.ctr.pdq[DP_PDQ_pdq_decoder_timeout], 1);
	CU_ASSERT_EQUAL(st.ctr.pdq[DP_PDQ_pdq_decoded], 2);
	CU_ASSERT_EQUAL(st.ctr.pdq[DP_PDQ_pdq_cache_hits], 1);
	CU_ASSERT_EQUAL(st.ctr.pdq[DP_PDQ_pdq_refused], 1);
	CU_ASSERT_EQUAL(st.ctr.pdq[DP_PDQ_pdq_no_match], 2);
	CU_ASSERT_EQUAL(st.dec.starts, 3);
	CU_ASSERT_EQUAL(wctr.pdq[DP_PDQ_pdq_queued], 5);
	CU_ASSERT_TRUE(__atomic_load_n(&t.held, __ATOMIC_RELAXED) <= (uint64_t)conf.buffer_mib << 20);
	dp_pdq_stage_fini(&st);
	dp_pdq_tap_fini(&t);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "sandbox: memory yes; files, sockets, exec, PROT_EXEC no", test_sandbox },
		{ "the real decoder: drawn images hashed, junk refused", test_real_decoder },
		{ "supervisor: crash, hang, filter, lies: restarted", test_supervisor },
		{ "reply parser", test_reply_parse },
		{ "stage: counted, cached, goes on", test_stage_survives },
		CU_TEST_INFO_NULL,
	};

	signal(SIGPIPE, SIG_IGN);
	return hwall_test_main("dataplane/pdq_dec", tests);
}
