/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_sync.c - sync's figures (issue 5 targets in brackets):
 *   a snapshot of N md5 entries verified and installed   [10M: <= 5 s]
 *   a delta of D entries on that set, from submission to
 *   the dataplane's swap                                  [10k on 10M: <= 1 s]
 *
 *   bench_sync [N [D]]      (default 10000000 10000)
 *
 * It runs syncd's engine in process (sync_engine_submit, the function the
 * push endpoint calls once the body is in) with a stand-in dataplane on the
 * control socket that, on `load`, maps and validates the new set file with
 * hws_open() (the dataplane's own swap arrives with issue 4).  Digests are
 * PRNG bytes.  Prints figures; asserts nothing about time.
 */
#include "sync_engine.h"
#include "sync_install.h"
#include "sync_publish.h"
#include "hashsync/hws.h"
#include "common/clock.h"
#include "hwall_test.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

/* CPU seconds of the whole process (all threads): on a shared machine the
 * gap to wall time is time spent waiting for a core or for the disk. */
static double cpu(void)
{
	return hwall_clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static uint64_t mix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The stand-in dataplane: accept, read `load SET VERSION PATH`, map it. */
struct dataplane {
	int fd;
	double swapped_at;
};

static void *dataplane_run(void *arg)
{
	struct dataplane *dp = arg;
	char line[4300], set[64], path[4096];
	uint64_t version;

	for (;;) {
		int c = accept(dp->fd, NULL, NULL);
		ssize_t n;
		struct hws_set *s = NULL;
		struct hwall_err err;
		if (c < 0)
			return NULL;
		n = read(c, line, sizeof(line) - 1);
		line[n > 0 ? n : 0] = '\0';
		if (sscanf(line, "load %63s %" SCNu64 " %4095s", set, &version, path) == 3 &&
		    hws_open(path, &s, &err) == 0) {
			dp->swapped_at = hwall_mono_s();
			hws_close(s);
			(void)!write(c, "ok\n", 3);
		} else {
			(void)!write(c, "error load\n", 11);
		}
		close(c);
	}
}

/* md5 records from @seed: the first @n adds (and @removes of @rseed). */
static struct sync_payload_builder *records(uint64_t seed, uint64_t n, uint64_t rseed,
					    uint64_t removes)
{
	struct sync_payload_builder *pb = sync_payload_builder_new();
	uint8_t d[16];

	for (uint64_t i = 0; pb && i < n + removes; i++) {
		uint64_t *s = i < n ? &seed : &rseed;
		uint64_t a = mix(s), b = mix(s);
		struct sync_record r = { .remove = i >= n, .algo = HWALL_ALGO_MD5, .digest = d,
					 .category = (uint8_t)(a & 3), .ref = (uint32_t)b };
		memcpy(d, &a, 8);
		memcpy(d + 8, &b, 8);
		if (sync_payload_builder_add(pb, &r) < 0)
			exit(1);
	}
	return pb;
}

static uint8_t *make_bundle(enum sync_kind kind, uint64_t version, struct sync_payload_builder *pb,
			    const uint8_t sec[SYNC_SECKEY_LEN], size_t *ret_len)
{
	struct sync_manifest m = { .set = "bench", .kind = kind, .version = version,
				   .base = kind == SYNC_KIND_DELTA ? version - 1 : 0 };
	uint8_t *buf = NULL;

	m.created = time(NULL);
	m.expires = m.created + 86400;
	if (sync_publish_build(&m, pb, (const uint8_t(*)[SYNC_SECKEY_LEN])sec, 1, &buf, ret_len) < 0)
		exit(1);
	sync_payload_builder_free(pb);
	return buf;
}

/* Where a delta's time goes: verify, the hws rebuild and write, the map. */
static void breakdown(struct sync_engine *e, const uint8_t *delta, size_t len)
{
	struct sync_trusted t = { .set = "bench", .installed_version = 1 };
	struct sync_verified vb;
	struct sync_verdict v;
	struct hws_set *s = NULL;
	struct hwall_err herr;
	char path[4200];
	struct hwall_err err;
	uint64_t entries;
	double t0, t1, t2, t3;

	t.root = e->targets[0].st.root;
	snprintf(path, sizeof(path), "%s.copy", e->targets[0].set_path);
	if (link(e->targets[0].set_path, path) < 0)
		return;
	/* Re-apply the delta to a set at version 1 (the copy is at 2: pretend). */
	t0 = hwall_mono_s();
	if (sync_verify(delta, len, &e->caps, &t, time(NULL), &vb, &v) < 0)
		return;
	vb.m.base = 2;
	vb.m.version = 3;
	t1 = hwall_mono_s();
	if (sync_install_set(&vb, path, &entries, &err) < 0)
		return;
	t2 = hwall_mono_s();
	if (hws_open(path, &s, &herr) < 0)
		return;
	t3 = hwall_mono_s();
	hws_close(s);
	unlink(path);
	printf("delta breakdown: verify %.3f s, rebuild and write the set file (hws) %.3f s, "
	       "map and validate %.3f s\n", t1 - t0, t2 - t1, t3 - t2);
}

static int start_dataplane(const char *sock, struct dataplane *dp, pthread_t *th)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	dp->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (dp->fd < 0 || bind(dp->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(dp->fd, 4) < 0)
		return -errno;
	return pthread_create(th, NULL, dataplane_run, dp) ? -EAGAIN : 0;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000, d = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000;
	char state[64], sets[64], sock[64];
	struct hwall_err err = { { 0 } };
	const char *dir;
	struct sync_hotline_config hl = { .name = "bench", .set = "bench", .threshold = 1 };
	struct sync_config cfg = { .state_dir = state, .set_dir = sets, .control_socket = sock,
				   .max_bundle_bytes = 8ull << 30, .max_manifest_bytes = 65536,
				   .max_clock_skew = SYNC_DEFAULT_CREATED_SKEW,
				   .hotlines = &hl, .n_hotlines = 1 };
	uint8_t sec[SYNC_SECKEY_LEN];
	struct dataplane dp = { 0 };
	struct sync_engine e;
	struct sync_result res;
	pthread_t th;
	uint8_t *snap, *delta;
	size_t snap_len, delta_len;
	double t0, t1, t2, c0;

	dir = hwall_test_tmpdir("bench-sync");
	if (sync_crypto_init() < 0 || !dir)
		return 1;
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(sets, sizeof(sets), "%s/sets", dir);
	snprintf(sock, sizeof(sock), "%s/dp.sock", dir);
	hl.root = (struct sync_root){ .version = 1, .threshold = 1, .n_keys = 1 };
	crypto_sign_ed25519_keypair(hl.root.keys[0], sec);
	if (start_dataplane(sock, &dp, &th) < 0 || sync_engine_open(&e, &cfg, false, &err) < 0) {
		fprintf(stderr, "bench_sync: setup: %s\n", err.msg);
		return 1;
	}
	t0 = hwall_mono_s();
	snap = make_bundle(SYNC_KIND_SNAPSHOT, 1, records(1, n, 0, 0), sec, &snap_len);
	printf("snapshot: %" PRIu64 " md5 entries, %.1f MB bundle, built and signed in %.2f s (hotline side)\n",
	       n, (double)snap_len / 1e6, hwall_mono_s() - t0);
	t0 = hwall_mono_s();
	sync_engine_submit(&e, &e.targets[0], snap, snap_len, time(NULL), false, &res);
	t1 = hwall_mono_s();
	c0 = cpu();
	if (sync_engine_submit(&e, &e.targets[0], snap, snap_len, time(NULL), true, &res) < 0) {
		fprintf(stderr, "bench_sync: snapshot refused: %s\n", res.verdict.detail.msg);
		return 1;
	}
	t2 = hwall_mono_s();
	printf("snapshot: verify only %.3f s; verify + install + dataplane load %.3f s (%.3f s CPU) [target <= 5 s]\n",
	       t1 - t0, t2 - t1, cpu() - c0);
	free(snap);
	delta = make_bundle(SYNC_KIND_DELTA, 2, records(7, d - d / 2, 1, d / 2), sec, &delta_len);
	t0 = hwall_mono_s();
	c0 = cpu();
	if (sync_engine_submit(&e, &e.targets[0], delta, delta_len, time(NULL), true, &res) < 0) {
		fprintf(stderr, "bench_sync: delta refused: %s\n", res.verdict.detail.msg);
		return 1;
	}
	t1 = hwall_mono_s();
	printf("delta: %" PRIu64 " entries (%" PRIu64 " adds, %" PRIu64 " removes) on %" PRIu64
	       ", %.1f kB: submit to dataplane swap %.3f s, submit returned after %.3f s (%.3f s CPU) [target <= 1 s]\n",
	       d, d - d / 2, d / 2, n, (double)delta_len / 1e3, dp.swapped_at - t0, t1 - t0, cpu() - c0);
	printf("installed: version %" PRIu64 ", %" PRIu64 " entries\n", e.targets[0].installed_version,
	       e.targets[0].installed_entries);
	breakdown(&e, delta, delta_len);
	free(delta);
	sync_engine_close(&e);
	shutdown(dp.fd, SHUT_RDWR);
	close(dp.fd);
	pthread_join(th, NULL);
	return 0;
}
