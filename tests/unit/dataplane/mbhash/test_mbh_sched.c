/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for the scheduler of dataplane/mbhash (mbh.c), through the
 * implementation named by $HASHWALL_MBH_IMPL (meson runs this program once
 * per implementation): random objects of every length 0..10,000 and a few
 * of several MiB, split at random points and interleaved in random bursts,
 * every digest bit-exact against OpenSSL's; the burst contract (each
 * burst's bytes live in a buffer that is poisoned and freed right after
 * mbh_flush(), so a pointer kept too long gives a wrong digest here and a
 * use-after-free under ASan); limits, abort, sync, the single-stream
 * fallback and the choice of implementation.
 */
#include "dataplane/mbhash/mbh.h"
#include "hwall_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define BOTH ((1u << MBH_MD5) | (1u << MBH_SHA1))
#define BURST_BYTES (1u << 20)
#define POOL_BYTES (24u << 20)

/* Random bytes that objects are slices of. */
static uint8_t *pool;

/* The implementation this program runs (scalar queues nothing: it hashes
 * everything as it comes, so it never fills the queue nor drains). */
static enum mbh_impl impl;

struct obj {
	const uint8_t *data;
	size_t len, off;
	unsigned int algos;
	bool ended; /* mbh_end() called */
	struct mbh_stream *s;
	uint8_t md5[MBH_MD5_LEN], sha1[MBH_SHA1_LEN]; /* OpenSSL's */
};

/* How drive() deals the objects out. */
struct plan {
	unsigned int max_active;  /* objects in flight at once */
	unsigned int max_updates; /* updates per burst */
	size_t max_chunk;         /* bytes per update */
	unsigned int max_segments;
	int single_max;
	int defer_kib;
};

/* Objects of the lengths in @lens, at random places of the pool, each
 * with random algorithms, and their digests by OpenSSL. */
static struct obj *objs_new(const size_t *lens, size_t n, uint64_t seed)
{
	struct obj *o = calloc(n, sizeof(*o));

	for (size_t i = 0; i < n; i++) {
		o[i].len = lens[i];
		o[i].data = pool + hwall_test_rand(&seed) % (POOL_BYTES - lens[i] + 1);
		o[i].algos = 1 + (unsigned int)(hwall_test_rand(&seed) % 3);
		EVP_Digest(o[i].data, o[i].len, o[i].md5, NULL, EVP_md5(), NULL);
		EVP_Digest(o[i].data, o[i].len, o[i].sha1, NULL, EVP_sha1(), NULL);
	}
	return o;
}

/* True when @d holds @o's digests (those of its algorithms). */
static bool digests_match(const struct obj *o, const struct mbh_digests *d)
{
	return (!(o->algos & (1u << MBH_MD5)) || memcmp(d->md5, o->md5, MBH_MD5_LEN) == 0) &&
	       (!(o->algos & (1u << MBH_SHA1)) || memcmp(d->sha1, o->sha1, MBH_SHA1_LEN) == 0);
}

/* A chunk size: a few bytes, a TCP segment's worth, or up to @max. */
static size_t chunk_len(uint64_t *seed, size_t max)
{
	switch (hwall_test_rand(seed) % 3) {
	case 0:
		return hwall_test_rand(seed) % 70;
	case 1:
		return hwall_test_rand(seed) % 1461;
	default:
		return hwall_test_rand(seed) % (max + 1);
	}
}

/* Finish @o: the number of wrong digests (0 or 1). */
static unsigned int obj_final(struct mbh_ctx *ctx, struct obj *o)
{
	struct mbh_digests d;

	mbh_final(ctx, o->s, &d);
	o->s = NULL;
	return !digests_match(o, &d);
}

/*
 * Hash all @n objects as @p says, in bursts: each burst's bytes are copied
 * into a buffer of its own, poisoned and freed after mbh_flush().  An
 * object whose last byte came ends by mbh_final() inside the burst, by
 * mbh_end() inside it and mbh_final() after the flush, or by mbh_final()
 * after the flush.  Returns the number of wrong digests.
 */
static size_t drive(struct obj *o, size_t n, const struct plan *p, uint64_t seed,
		    struct mbh_stats *ret_stats)
{
	struct mbh_config cfg = {
		.max_segments = p->max_segments,
		.single_max = { p->single_max, p->single_max },
		.defer_kib = p->defer_kib,
	};
	struct mbh_ctx *ctx = mbh_ctx_new(&cfg);
	size_t *active = calloc(p->max_active, sizeof(*active));
	size_t nactive = 0, next = 0, ended = 0, bad = 0;

	while (ended < n) {
		uint8_t *burst = malloc(BURST_BYTES);
		size_t used = 0;
		unsigned int updates = 1 + (unsigned int)(hwall_test_rand(&seed) % p->max_updates);

		while (nactive < p->max_active && next < n) {
			mbh_open(ctx, o[next].algos, &o[next].s);
			active[nactive++] = next++;
		}
		for (unsigned int u = 0; u < updates && nactive; u++) {
			size_t i = hwall_test_rand(&seed) % nactive;
			struct obj *x = &o[active[i]];
			size_t len = chunk_len(&seed, p->max_chunk);

			len = len < x->len - x->off ? len : x->len - x->off;
			len = len < BURST_BYTES - used ? len : BURST_BYTES - used;
			memcpy(burst + used, x->data + x->off, len);
			mbh_update(ctx, x->s, burst + used, len);
			used += len;
			x->off += len;
			if (x->off == x->len && !x->ended && hwall_test_rand(&seed) % 2)
				x->ended = mbh_end(ctx, x->s) == 0;
			if (x->off == x->len && !x->ended && hwall_test_rand(&seed) % 2) {
				bad += obj_final(ctx, x);
				active[i] = active[--nactive];
				ended++;
			}
		}
		mbh_flush(ctx);
		memset(burst, 0xa5, BURST_BYTES);
		free(burst);
		for (size_t i = 0; i < nactive;) {
			if (o[active[i]].off < o[active[i]].len) {
				i++;
				continue;
			}
			bad += obj_final(ctx, &o[active[i]]);
			active[i] = active[--nactive];
			ended++;
		}
	}
	if (ret_stats)
		mbh_ctx_stats(ctx, ret_stats);
	free(active);
	mbh_ctx_free(ctx);
	return bad;
}

/* Every length 0..10,000 in a random order. */
static struct obj *all_lengths(size_t *ret_n, uint64_t seed)
{
	size_t n = 10001, *lens = malloc(n * sizeof(*lens));
	struct obj *o;

	for (size_t i = 0; i < n; i++)
		lens[i] = i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = hwall_test_rand(&seed) % (i + 1), t = lens[i];

		lens[i] = lens[j];
		lens[j] = t;
	}
	o = objs_new(lens, n, seed);
	free(lens);
	*ret_n = n;
	return o;
}

static void test_every_length_default(void)
{
	const struct plan p = { .max_active = 16, .max_updates = 64, .max_chunk = 3000 };
	size_t n;
	struct obj *o = all_lengths(&n, 11);

	CU_ASSERT_EQUAL(drive(o, n, &p, 12, NULL), 0);
	free(o);
}

static void test_every_length_lanes_forced(void)
{
	const struct plan p = { .max_active = 64, .max_updates = 128, .max_chunk = 20000,
				.single_max = MBH_SINGLE_NEVER };
	size_t n;
	struct obj *o = all_lengths(&n, 21);

	CU_ASSERT_EQUAL(drive(o, n, &p, 22, NULL), 0);
	free(o);
}

/* Without deferral, and with a staging area so small it fills. */
static void test_every_length_deferral_bounds(void)
{
	const struct plan off = { .max_active = 24, .max_updates = 64, .max_chunk = 5000,
				  .defer_kib = MBH_DEFER_OFF };
	const struct plan tiny = { .max_active = 24, .max_updates = 64, .max_chunk = 5000,
				   .defer_kib = 1, .single_max = MBH_SINGLE_NEVER };
	struct mbh_stats st;
	size_t n;
	struct obj *o = all_lengths(&n, 23);

	CU_ASSERT_EQUAL(drive(o, n, &off, 24, &st), 0);
	CU_ASSERT_EQUAL(st.deferred_blocks[MBH_MD5] + st.deferred_blocks[MBH_SHA1], 0);
	free(o);
	o = all_lengths(&n, 25);
	CU_ASSERT_EQUAL(drive(o, n, &tiny, 26, &st), 0);
	free(o);
}

/* Bursts spread unevenly over more streams than lanes: the lanes' last
 * steps are deferred to the next flush (by every implementation that has
 * lanes), and every digest is still right. */
static void test_deferral(void)
{
	const struct plan p = { .max_active = 40, .max_updates = 32, .max_chunk = 1460 };
	const size_t lens[] = { 200000, 150000, 90000, 300000, 120000, 60000, 70000, 80000,
				250000, 100000, 110000, 130000, 140000, 40000, 50000, 160000,
				170000, 180000, 190000, 210000, 220000, 230000, 240000, 260000 };
	const size_t nobj = sizeof(lens) / sizeof(lens[0]);
	struct obj *o = objs_new(lens, nobj, 27);
	struct mbh_stats st;

	CU_ASSERT_EQUAL(drive(o, nobj, &p, 28, &st), 0);
	CU_ASSERT_EQUAL(st.deferred_blocks[MBH_MD5] + st.deferred_blocks[MBH_SHA1] > 0,
			impl != MBH_IMPL_SCALAR);
	free(o);
}

/* A queue of 8 segments fills within a burst: mbh_update() flushes. */
static void test_every_length_small_queue(void)
{
	const struct plan p = { .max_active = 20, .max_updates = 40, .max_chunk = 500,
				.max_segments = 8, .single_max = 2 };
	struct mbh_stats st;
	size_t n;
	struct obj *o = all_lengths(&n, 31);

	CU_ASSERT_EQUAL(drive(o, n, &p, 32, &st), 0);
	CU_ASSERT_EQUAL(st.queue_full > 0, impl != MBH_IMPL_SCALAR);
	free(o);
}

/* A few objects of several MiB among small ones, and one alone. */
static void test_large_objects(void)
{
	const size_t lens[] = { 3u << 20, 9000, 5u << 20, 1, 70000, (8u << 20) + 17, 64, 4095,
				120000, 6u << 20, 0, 333333 };
	const struct plan mixed = { .max_active = 8, .max_updates = 64, .max_chunk = 65536 };
	const struct plan forced = { .max_active = 12, .max_updates = 64, .max_chunk = 65536,
				     .single_max = MBH_SINGLE_NEVER };
	const size_t alone = (9u << 20) + 3;
	const struct plan one = { .max_active = 1, .max_updates = 32, .max_chunk = 65536 };
	struct obj *o = objs_new(lens, sizeof(lens) / sizeof(lens[0]), 41);
	struct obj *big = objs_new(&alone, 1, 42);

	CU_ASSERT_EQUAL(drive(o, sizeof(lens) / sizeof(lens[0]), &mixed, 43, NULL), 0);
	free(o);
	o = objs_new(lens, sizeof(lens) / sizeof(lens[0]), 44);
	CU_ASSERT_EQUAL(drive(o, sizeof(lens) / sizeof(lens[0]), &forced, 45, NULL), 0);
	CU_ASSERT_EQUAL(drive(big, 1, &one, 46, NULL), 0);
	free(o);
	free(big);
}

/* Every block is hashed exactly once, in the lanes or on the single path;
 * one stream alone never goes through the lanes by default. */
static void test_block_accounting(void)
{
	const size_t lens[] = { 1u << 20, 100, 55, 56, 64, 119, 120, 5000, 65536 };
	const size_t nobj = sizeof(lens) / sizeof(lens[0]);
	const struct plan p = { .max_active = 9, .max_updates = 64, .max_chunk = 4000 };
	const struct plan one = { .max_active = 1, .max_updates = 64, .max_chunk = 4000 };
	struct obj *o = objs_new(lens, nobj, 51);
	uint64_t want[MBH_ALGO_COUNT] = { 0 };
	struct mbh_stats st;

	for (size_t i = 0; i < nobj; i++) {
		o[i].algos = BOTH;
		want[MBH_MD5] += (lens[i] + 8) / 64 + 1; /* data and padding blocks */
	}
	want[MBH_SHA1] = want[MBH_MD5];
	CU_ASSERT_EQUAL(drive(o, nobj, &p, 52, &st), 0);
	CU_ASSERT_EQUAL(st.lane_blocks[MBH_MD5] + st.single_blocks[MBH_MD5], want[MBH_MD5]);
	CU_ASSERT_EQUAL(st.lane_blocks[MBH_SHA1] + st.single_blocks[MBH_SHA1], want[MBH_SHA1]);
	CU_ASSERT_TRUE(st.lane_slots[MBH_MD5] >= st.lane_blocks[MBH_MD5]);
	free(o);

	o = objs_new(lens, 1, 53);
	o[0].algos = BOTH;
	CU_ASSERT_EQUAL(drive(o, 1, &one, 54, &st), 0);
	CU_ASSERT_EQUAL(st.lane_blocks[MBH_MD5], 0);
	CU_ASSERT_EQUAL(st.lane_blocks[MBH_SHA1], 0);
	CU_ASSERT_EQUAL(st.single_blocks[MBH_MD5], (1u << 20) / 64 + 1);
	free(o);
}

/* mbh_sync(): the stream's bytes are hashed, its buffer can go. */
static void test_sync_releases_buffer(void)
{
	const size_t lens[] = { 100000, 70000, 90000 };
	struct mbh_config cfg = { .single_max = { MBH_SINGLE_NEVER, MBH_SINGLE_NEVER } };
	struct mbh_ctx *ctx = mbh_ctx_new(&cfg);
	struct obj *o = objs_new(lens, 3, 61);
	uint8_t *buf = malloc(lens[0]);
	struct mbh_stats st;

	for (int i = 0; i < 3; i++)
		mbh_open(ctx, o[i].algos = BOTH, &o[i].s);
	mbh_update(ctx, o[1].s, o[1].data, o[1].len);
	mbh_update(ctx, o[2].s, o[2].data, o[2].len);
	memcpy(buf, o[0].data, o[0].len);
	mbh_update(ctx, o[0].s, buf, o[0].len);
	CU_ASSERT_EQUAL(mbh_sync(ctx, o[0].s), 0);
	memset(buf, 0, o[0].len);
	free(buf);
	CU_ASSERT_EQUAL(obj_final(ctx, &o[0]), 0);
	mbh_flush(ctx);
	CU_ASSERT_EQUAL(obj_final(ctx, &o[1]), 0);
	CU_ASSERT_EQUAL(obj_final(ctx, &o[2]), 0);
	mbh_ctx_stats(ctx, &st);
	CU_ASSERT_EQUAL(st.drains >= 1, impl != MBH_IMPL_SCALAR);
	mbh_ctx_free(ctx);
	free(o);
}

/* mbh_abort() drops a stream with blocks queued; the others are unharmed
 * and its slot serves a new stream in the same burst. */
static void test_abort(void)
{
	const size_t lens[] = { 50000, 50000, 50000 };
	struct mbh_config cfg = { .max_streams = 2,
				  .single_max = { MBH_SINGLE_NEVER, MBH_SINGLE_NEVER } };
	struct mbh_ctx *ctx = mbh_ctx_new(&cfg);
	struct obj *o = objs_new(lens, 3, 71);
	struct mbh_stream *s;

	mbh_open(ctx, o[0].algos = BOTH, &o[0].s);
	mbh_open(ctx, o[1].algos = BOTH, &o[1].s);
	mbh_update(ctx, o[0].s, o[0].data, 30000);
	mbh_end(ctx, o[0].s);
	CU_ASSERT_EQUAL(mbh_update(ctx, o[0].s, o[0].data, 1), -EINVAL);
	CU_ASSERT_EQUAL(mbh_end(ctx, o[0].s), -EINVAL);
	mbh_update(ctx, o[1].s, o[1].data, 30001);
	CU_ASSERT_EQUAL(mbh_open(ctx, BOTH, &s), -ENOSPC);
	mbh_abort(ctx, o[0].s);
	mbh_abort(ctx, NULL);
	CU_ASSERT_EQUAL(mbh_open(ctx, o[2].algos = BOTH, &o[2].s), 0);
	mbh_update(ctx, o[2].s, o[2].data, o[2].len);
	mbh_update(ctx, o[1].s, o[1].data + 30001, o[1].len - 30001);
	mbh_flush(ctx);
	CU_ASSERT_EQUAL(obj_final(ctx, &o[1]), 0);
	CU_ASSERT_EQUAL(obj_final(ctx, &o[2]), 0);
	/* Freed with a stream open and blocks queued: nothing leaks. */
	mbh_open(ctx, BOTH, &s);
	mbh_update(ctx, s, o[0].data, 1000);
	mbh_ctx_free(ctx);
	mbh_ctx_free(NULL);
	free(o);
}

static void test_open_limits(void)
{
	struct mbh_config cfg = { .max_streams = 3 };
	struct mbh_ctx *ctx = mbh_ctx_new(&cfg);
	struct mbh_stream *s[4] = { NULL };

	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT_EQUAL(mbh_open(ctx, 0, &s[0]), -EINVAL);
	CU_ASSERT_EQUAL(mbh_open(ctx, 1u << MBH_ALGO_COUNT, &s[0]), -EINVAL);
	CU_ASSERT_PTR_NULL(s[0]);
	CU_ASSERT_EQUAL(mbh_open(ctx, 1u << MBH_MD5, &s[0]), 0);
	CU_ASSERT_EQUAL(mbh_open(ctx, 1u << MBH_SHA1, &s[1]), 0);
	CU_ASSERT_EQUAL(mbh_open(ctx, BOTH, &s[2]), 0);
	CU_ASSERT_EQUAL(mbh_open(ctx, BOTH, &s[3]), -ENOSPC);
	CU_ASSERT_PTR_NULL(s[3]);
	CU_ASSERT_EQUAL(mbh_update(ctx, s[2], "abc", 3), 0);
	CU_ASSERT_EQUAL(mbh_stream_len(s[2]), 3);
	mbh_ctx_free(ctx);

	cfg = (struct mbh_config){ .max_segments = 1 };
	errno = 0;
	CU_ASSERT_PTR_NULL(mbh_ctx_new(&cfg));
	CU_ASSERT_EQUAL(errno, EINVAL);
}

/* Put $HASHWALL_MBH_IMPL back as it was (@saved NULL: unset) and free @saved. */
static void env_restore(char *saved)
{
	if (saved)
		setenv(MBH_IMPL_ENV, saved, 1);
	else
		unsetenv(MBH_IMPL_ENV);
	free(saved);
}

static void test_impl_choice(void)
{
	const char *env = getenv(MBH_IMPL_ENV);
	char *saved = env ? strdup(env) : NULL;
	struct mbh_config cfg = { .impl = MBH_IMPL_SCALAR };
	struct mbh_ctx *ctx;
	enum mbh_impl got = MBH_IMPL_COUNT;

	CU_ASSERT_STRING_EQUAL(mbh_impl_name(MBH_IMPL_AVX512), "avx512");
	CU_ASSERT_STRING_EQUAL(mbh_impl_name(MBH_IMPL_COUNT), "?");
	CU_ASSERT_EQUAL(mbh_impl_parse("avx2"), MBH_IMPL_AVX2);
	CU_ASSERT_EQUAL(mbh_impl_parse("scalar"), MBH_IMPL_SCALAR);
	CU_ASSERT_EQUAL(mbh_impl_parse("AVX2"), -EINVAL);
	CU_ASSERT_TRUE(mbh_impl_supported(MBH_IMPL_SCALAR));
	CU_ASSERT_FALSE(mbh_impl_supported(MBH_IMPL_AUTO));

	/* An explicit choice wins over the environment. */
	ctx = mbh_ctx_new(&cfg);
	CU_ASSERT_EQUAL(mbh_ctx_impl(ctx), MBH_IMPL_SCALAR);
	mbh_ctx_free(ctx);

	setenv(MBH_IMPL_ENV, "scalar", 1);
	CU_ASSERT_EQUAL(mbh_impl_resolve(MBH_IMPL_AUTO, &got), 0);
	CU_ASSERT_EQUAL(got, MBH_IMPL_SCALAR);
	setenv(MBH_IMPL_ENV, "sse9", 1);
	errno = 0;
	CU_ASSERT_PTR_NULL(mbh_ctx_new(NULL));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(mbh_impl_resolve(MBH_IMPL_AUTO, &got), -EINVAL);
	CU_ASSERT_EQUAL(got, MBH_IMPL_SCALAR); /* untouched on failure */
	unsetenv(MBH_IMPL_ENV);
	CU_ASSERT_EQUAL(mbh_impl_resolve(MBH_IMPL_AUTO, &got), 0);
	CU_ASSERT_TRUE(mbh_impl_supported(got));
	CU_ASSERT_EQUAL(mbh_impl_resolve(MBH_IMPL_COUNT, &got), -EINVAL);

	cfg = (struct mbh_config){ .impl = MBH_IMPL_SCALAR, .single_max = { 3, MBH_SINGLE_NEVER } };
	ctx = mbh_ctx_new(&cfg);
	CU_ASSERT_EQUAL(mbh_ctx_single_max(ctx, MBH_MD5), 3);
	CU_ASSERT_EQUAL(mbh_ctx_single_max(ctx, MBH_SHA1), -1);
	mbh_ctx_free(ctx);
	env_restore(saved);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "every length 0..10000, default thresholds", test_every_length_default },
		{ "every length 0..10000, lanes forced", test_every_length_lanes_forced },
		{ "every length 0..10000, queue fills", test_every_length_small_queue },
		{ "every length 0..10000, deferral off or tiny", test_every_length_deferral_bounds },
		{ "deferral", test_deferral },
		{ "objects of several MiB", test_large_objects },
		{ "every block once; one stream stays single", test_block_accounting },
		{ "sync releases the buffer", test_sync_releases_buffer },
		{ "abort", test_abort },
		{ "open limits", test_open_limits },
		{ "implementation choice", test_impl_choice },
		CU_TEST_INFO_NULL,
	};
	uint64_t seed = 1;
	int r;

	if (mbh_impl_resolve(MBH_IMPL_AUTO, &impl) < 0)
		return 77;
	printf("implementation: %s\n", mbh_impl_name(impl));
	pool = malloc(POOL_BYTES);
	hwall_test_rand_bytes(&seed, pool, POOL_BYTES);
	r = hwall_test_main("dataplane/mbhash scheduler", tests);
	free(pool);
	return r;
}
