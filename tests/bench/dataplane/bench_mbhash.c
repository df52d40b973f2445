/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_mbhash.c - figures for dataplane/mbhash (docs/mbhash.md), on one
 * core, per second of this thread's CPU time (so that other load on a
 * shared machine counts as little as possible): the median of slices of
 * 64 bursts, the best slice and the whole run over wall time.
 *
 * Traffic: 16 or 64 connections, each sending objects one after the other,
 * lognormal lengths of mean 60 KB and sigma 1 (as hashwall-gen's bench
 * capture), in TCP segments of 1460 bytes; each segment's payload in a
 * 4 KiB page of its own at a frame's payload offset (an mbuf per page, as
 * replay holds them), each prefetched two segments ahead as dataplane/rx.c
 * does; bursts of 32 segments.  Patterns:
 *   rr/L2    the connections take turns segment by segment (as in the bench
 *            capture), the pages cycling through 2 MiB that stay in L2:
 *            the bytes are in cache when hashed, as in the dataplane, whose
 *            stages spend ~700 cycles per packet after rx's prefetch;
 *   rand/L2  each segment from a random connection: burstier, a burst's
 *            segments spread unevenly over the connections;
 *   rr/64M   the pages cycling through 64 MiB: here nothing but hashing
 *            follows the prefetch, so the memory shows (OpenSSL hides it
 *            behind its slower hashing inside the update).  An object that ends is
 * given mbh_end() inside the burst and mbh_final() after the burst's
 * mbh_flush() (the way to wire it, docs/mbhash.md); "syncfinal" calls
 * mbh_final() inside the burst instead.
 *
 *   openssl       EVP_DigestUpdate per segment, one context per object
 *                 (what dataplane/digest.c does today; sha1 uses SHA-NI)
 *   mbh/IMPL      the module with the implementation forced and its
 *                 default single-stream thresholds
 *   mbh/IMPL/lanes  the same with the lanes forced (MBH_SINGLE_NEVER)
 *
 * Then the raw kernels on in-cache data (every lane busy, no scheduler),
 * the single-stream functions, the gather variant of the AVX-512 md5
 * kernel, and the crossover: below how many busy lanes a kernel loses to
 * the single-stream path, which is what mbh.c's thresholds are set from.
 *
 *   bench_mbhash [SECONDS [ONLY]]
 *
 * SECONDS of CPU per figure (default 1); ONLY runs one part: md5, sha1,
 * md5+sha1 (traffic of that set), large or raw.
 *
 * Asserts nothing about time; the bodies are PRNG bytes.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <openssl/evp.h>

#include "dataplane/mbhash/mbh.h"
#include "dataplane/mbhash/mbh_int.h"

#define SEG 1460
#define BURST 32
#define PAGE 4096
#define PAGE_OFF (128 + 128 + 54) /* mbuf header, headroom, Ethernet+IPv4+TCP */
#define POOL_PAGES (16384u)       /* 64 MiB */
#define POOL_PAGES_L2 (512u)      /* 2 MiB of pages, 730 KiB of payload: stays in L2 */
#define MEAN_OBJ 60000.0
#define MAX_CONN 64
#define PREFETCH_AHEAD 2

#define MD5_BIT (1u << MBH_MD5)
#define SHA1_BIT (1u << MBH_SHA1)

static uint8_t *pool;
static double seconds = 1.0;
static const char *only;

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct conn {
	size_t len, off;
	struct mbh_stream *s;
	EVP_MD_CTX *evp[MBH_ALGO_COUNT];
};

/* One traffic figure. */
struct run {
	enum mbh_impl impl; /* MBH_IMPL_COUNT: OpenSSL EVP */
	int single_max;
	unsigned int algos;
	unsigned int nconn;
	bool large;       /* objects of 1 GiB instead of the lognormal ones */
	bool random;      /* each segment from a random connection, not round robin */
	bool sync_final;  /* mbh_final() inside the burst, not mbh_end() + after the flush */
	bool sha1_single; /* sha1 always on the single-stream path (SHA-NI), md5 as single_max */
	unsigned int pages; /* of the pool the segments cycle through */
};

/* The traffic patterns: connection order and pool. */
static const struct pattern {
	const char *name;
	bool random;
	unsigned int pages;
} patterns[] = {
	{ "rr/L2", false, POOL_PAGES_L2 },
	{ "rand/L2", true, POOL_PAGES_L2 },
	{ "rr/64M", false, POOL_PAGES },
};

#define NPATTERNS (sizeof(patterns) / sizeof(patterns[0]))

struct result {
	double gbps_cpu, gbps_best, gbps_wall; /* median and best slice; whole run */
	struct mbh_stats st;
};

#define MAX_SLICES 4096

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* As dataplane/rx.c does for the frames PREFETCH_AHEAD ahead: every
 * line, since the hardware prefetcher stops at each page. */
static void prefetch_segment(unsigned int page)
{
	const uint8_t *p = pool + (size_t)page * PAGE + PAGE_OFF;

	for (unsigned int off = 0; off < SEG + 64; off += 64)
		__builtin_prefetch(p + off);
}

/* A body length as the benchmark capture's: lognormal, mean MEAN_OBJ,
 * sigma 1 (hashwall-gen --scenario bench). */
static size_t lognormal_len(uint64_t *seed)
{
	double u1 = ((double)(rnd(seed) >> 11) + 1) / 9007199254740993.0;
	double u2 = (double)(rnd(seed) >> 11) / 9007199254740992.0;
	double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
	double len = exp(log((double)MEAN_OBJ) - 0.5 + z);

	return len < 1 ? 1 : (size_t)len;
}

/* Start the next object on @c. */
static void obj_start(struct mbh_ctx *ctx, struct conn *c, const struct run *run, uint64_t *seed)
{
	c->len = run->large ? (size_t)1 << 30 : lognormal_len(seed);
	c->off = 0;
	if (ctx) {
		mbh_open(ctx, run->algos, &c->s);
		return;
	}
	if (run->algos & MD5_BIT)
		EVP_DigestInit_ex(c->evp[MBH_MD5], EVP_md5(), NULL);
	if (run->algos & SHA1_BIT)
		EVP_DigestInit_ex(c->evp[MBH_SHA1], EVP_sha1(), NULL);
}

/* The object on @c ended: its digests now, or its stream onto @pending
 * for mbh_final() after the burst's flush. */
static void obj_end(struct mbh_ctx *ctx, struct conn *c, const struct run *run,
		    struct mbh_stream **pending, unsigned int *npending)
{
	uint8_t out[EVP_MAX_MD_SIZE];
	struct mbh_digests d;

	if (ctx && run->sync_final) {
		mbh_final(ctx, c->s, &d);
		return;
	}
	if (ctx) {
		mbh_end(ctx, c->s);
		pending[(*npending)++] = c->s;
		return;
	}
	for (int a = 0; a < MBH_ALGO_COUNT; a++)
		if (run->algos & (1u << a))
			EVP_DigestFinal_ex(c->evp[a], out, NULL);
}

/*
 * The traffic above as @run says, for @seconds of CPU time.  A
 * connection whose object ended starts the next one at once (the next
 * response), the ended one waiting for its digests until the flush.
 */
static struct result traffic(const struct run *run)
{
	struct mbh_config cfg = {
		.impl = run->impl,
		.single_max = { run->single_max, run->sha1_single ? 16 : run->single_max },
	};
	struct mbh_ctx *ctx = run->impl == MBH_IMPL_COUNT ? NULL : mbh_ctx_new(&cfg);
	struct conn conn[MAX_CONN] = { { 0 } };
	struct mbh_stream *pending[BURST];
	uint64_t seed = 42, bytes = 0;
	unsigned int page = 0, nslices = 0, rr = 0, npending = 0;
	static double slice[MAX_SLICES];
	double t0, w0, t1;
	struct result r = { 0 };

	for (unsigned int i = 0; i < run->nconn; i++) {
		for (int a = 0; a < MBH_ALGO_COUNT; a++)
			conn[i].evp[a] = ctx ? NULL : EVP_MD_CTX_new();
		obj_start(ctx, &conn[i], run, &seed);
	}
	t0 = t1 = now(CLOCK_THREAD_CPUTIME_ID);
	w0 = now(CLOCK_MONOTONIC);
	do {
		uint64_t slice_bytes = bytes;
		double ts = t1;

		for (int b = 0; b < 64; b++) {
			for (int k = 0; k < BURST; k++) {
				struct conn *c = &conn[run->random ? rnd(&seed) % run->nconn : rr];
				size_t len = c->len - c->off < SEG ? c->len - c->off : SEG;
				const uint8_t *p = pool + (size_t)page * PAGE + PAGE_OFF;

				rr = (rr + 1) % run->nconn;
				prefetch_segment((page + PREFETCH_AHEAD) % run->pages);
				page = (page + 1) % run->pages;
				if (ctx)
					mbh_update(ctx, c->s, p, len);
				for (int a = 0; !ctx && a < MBH_ALGO_COUNT; a++)
					if (run->algos & (1u << a))
						EVP_DigestUpdate(c->evp[a], p, len);
				c->off += len;
				bytes += len;
				if (c->off == c->len) {
					obj_end(ctx, c, run, pending, &npending);
					obj_start(ctx, c, run, &seed);
				}
			}
			if (!ctx)
				continue;
			mbh_flush(ctx);
			for (unsigned int i = 0; i < npending; i++) {
				struct mbh_digests d;

				mbh_final(ctx, pending[i], &d);
			}
			npending = 0;
		}
		t1 = now(CLOCK_THREAD_CPUTIME_ID);
		if (nslices < MAX_SLICES)
			slice[nslices++] = (double)(bytes - slice_bytes) * 8 / (t1 - ts) / 1e9;
	} while (t1 - t0 < seconds);
	/* The median slice: robust to a neighbour's burst of activity. */
	qsort(slice, nslices, sizeof(slice[0]), cmp_double);
	r.gbps_cpu = slice[nslices / 2];
	r.gbps_best = slice[nslices - 1];
	r.gbps_wall = (double)bytes * 8 / (now(CLOCK_MONOTONIC) - w0) / 1e9;
	if (ctx)
		mbh_ctx_stats(ctx, &r.st);
	for (unsigned int i = 0; i < run->nconn; i++)
		for (int a = 0; a < MBH_ALGO_COUNT; a++)
			EVP_MD_CTX_free(conn[i].evp[a]);
	mbh_ctx_free(ctx);
	return r;
}

static void print_traffic(const char *what, const char *engine, const char *pattern,
			  const struct run *run, const struct result *r, double base)
{
	double slots = 0, blocks = 0, single = 0, deferred = 0;

	for (int a = 0; a < MBH_ALGO_COUNT; a++) {
		slots += (double)r->st.lane_slots[a];
		blocks += (double)r->st.lane_blocks[a];
		single += (double)r->st.single_blocks[a];
		deferred += (double)r->st.deferred_blocks[a];
	}
	printf("%-8s %-18s %2u %-7s %6.2f Gbit/s %5.2f GB/s (best %6.2f, wall %6.2f) x%5.2f", what,
	       engine, run->nconn, pattern, r->gbps_cpu, r->gbps_cpu / 8, r->gbps_best, r->gbps_wall,
	       base > 0 ? r->gbps_cpu / base : 1);
	if (slots > 0 || single > 0)
		printf(" lanes %3.0f%% full, %4.1f%% single, %4.1f%% deferred",
		       slots > 0 ? 100 * blocks / slots : 0, 100 * single / (blocks + single),
		       100 * deferred / (blocks + single));
	printf("\n");
}

/* True when the part @name is to run. */
static bool part(const char *name)
{
	return !only || strcmp(only, name) == 0;
}

/* GB/s of @k with every lane busy on in-cache data (64 KiB per lane):
 * the median of runs of 16 calls. */
static double raw_kernel(const struct mbh_kernel *k)
{
	const size_t nb = 1024;
	uint32_t st[MBH_STATE_WORDS_MAX * MBH_LANES_MAX] = { 0 }, left[MBH_LANES_MAX];
	const uint8_t *ptr[MBH_LANES_MAX];
	static double slice[MAX_SLICES];
	unsigned int n = 0;
	double t0 = now(CLOCK_THREAD_CPUTIME_ID), t1 = t0;

	do {
		double ts = t1;
		uint64_t bytes = 0;

		for (int r = 0; r < 16; r++) {
			for (unsigned int i = 0; i < k->lanes; i++) {
				ptr[i] = pool + i * (nb * MBH_BLOCK + 320);
				left[i] = nb;
			}
			bytes += k->blocks(st, ptr, left) * k->lanes * MBH_BLOCK;
		}
		t1 = now(CLOCK_THREAD_CPUTIME_ID);
		slice[n++] = (double)bytes / (t1 - ts) / 1e9;
	} while (t1 - t0 < seconds && n < MAX_SLICES);
	qsort(slice, n, sizeof(slice[0]), cmp_double);
	return slice[n / 2];
}

/* GB/s of a single-stream function over 64 KiB in cache (median). */
static double raw_single(mbh_single_fn fn)
{
	uint32_t st[MBH_STATE_WORDS_MAX] = { 0 };
	static double slice[MAX_SLICES];
	unsigned int n = 0;
	double t0 = now(CLOCK_THREAD_CPUTIME_ID), t1 = t0;

	do {
		double ts = t1;

		for (int r = 0; r < 16; r++)
			fn(st, pool, 1024);
		t1 = now(CLOCK_THREAD_CPUTIME_ID);
		slice[n++] = 16.0 * 1024 * MBH_BLOCK / (t1 - ts) / 1e9;
	} while (t1 - t0 < seconds && n < MAX_SLICES);
	qsort(slice, n, sizeof(slice[0]), cmp_double);
	return slice[n / 2];
}

static void crossover(const struct mbh_kernel *k, double single)
{
	double raw = raw_kernel(k);
	/* With n lanes busy and none waiting the kernel does n/lanes of
	 * its best; the single path does `single` whatever n is. */
	int t = (int)(single * k->lanes / raw);

	printf("raw       %-18s %2u lanes  %6.2f GB/s  %5.2f GB/s per lane  "
	       "single wins up to %d stream%s\n",
	       k->name, k->lanes, raw, raw / k->lanes, t, t == 1 ? "" : "s");
}

int main(int argc, char **argv)
{
	static const unsigned int algo_sets[] = { MD5_BIT, SHA1_BIT, MD5_BIT | SHA1_BIT };
	static const char *const algo_names[] = { "md5", "sha1", "md5+sha1" };
	static const unsigned int conns[] = { 16, 64 };
	char stamp[64];
	time_t t = time(NULL);
	uint64_t seed = 1;
	double single[MBH_ALGO_COUNT];

	if (argc > 1)
		seconds = atof(argv[1]);
	if (argc > 2)
		only = argv[2];
	if (seconds <= 0 || argc > 3) {
		fprintf(stderr, "usage: bench_mbhash [SECONDS [md5|sha1|md5+sha1|large|raw]]\n");
		return 2;
	}
	pool = mmap(NULL, (size_t)POOL_PAGES * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < (size_t)POOL_PAGES * PAGE; i += 8) {
		uint64_t r = rnd(&seed);

		memcpy(pool + i, &r, 8);
	}
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime(&t));
	printf("bench_mbhash %s, %.1f CPU s per figure; Gbit/s of body bytes per CPU second\n",
	       stamp, seconds);
	for (int i = 0; i < MBH_IMPL_COUNT; i++)
		printf("  %s: %s\n", mbh_impl_name((enum mbh_impl)i),
		       i == 0 || mbh_impl_supported((enum mbh_impl)i) ? "yes" : "not on this CPU");

	for (size_t s = 0; s < sizeof(algo_sets) / sizeof(algo_sets[0]); s++) {
		if (!part(algo_names[s]))
			continue;
		for (size_t c = 0; c < NPATTERNS * sizeof(conns) / sizeof(conns[0]); c++) {
			const struct pattern *pat = &patterns[c / 2];
			struct run run = { .impl = MBH_IMPL_COUNT, .algos = algo_sets[s],
					   .nconn = conns[c % 2], .random = pat->random,
					   .pages = pat->pages };
			struct result base = traffic(&run);
			const char *pattern = pat->name;

			print_traffic(algo_names[s], "openssl", pattern, &run, &base, 0);
			for (int i = MBH_IMPL_SCALAR; i < MBH_IMPL_COUNT; i++) {
				char name[32];
				struct result r;

				if (!mbh_impl_supported((enum mbh_impl)i))
					continue;
				run.impl = (enum mbh_impl)i;
				run.single_max = MBH_SINGLE_DEFAULT;
				snprintf(name, sizeof(name), "mbh/%s", mbh_impl_name(run.impl));
				r = traffic(&run);
				print_traffic(algo_names[s], name, pattern, &run, &r, base.gbps_cpu);
				if (i == MBH_IMPL_SCALAR)
					continue;
				run.single_max = MBH_SINGLE_NEVER;
				snprintf(name, sizeof(name), "mbh/%s/lanes", mbh_impl_name(run.impl));
				r = traffic(&run);
				print_traffic(algo_names[s], name, pattern, &run, &r, base.gbps_cpu);
				if (!(run.algos & SHA1_BIT))
					continue;
				/* sha1 on SHA-NI for every stream instead of the lanes. */
				run.single_max = MBH_SINGLE_DEFAULT;
				run.sha1_single = true;
				snprintf(name, sizeof(name), "mbh/%s/sha1-shani", mbh_impl_name(run.impl));
				r = traffic(&run);
				run.sha1_single = false;
				print_traffic(algo_names[s], name, pattern, &run, &r, base.gbps_cpu);
			}
			/* What ending objects inside the burst costs. */
			run.impl = MBH_IMPL_AUTO;
			run.single_max = MBH_SINGLE_DEFAULT;
			run.sync_final = true;
			{
				struct result r = traffic(&run);

				print_traffic(algo_names[s], "mbh/auto/syncfinal", pattern, &run, &r,
					      base.gbps_cpu);
			}
		}
	}

	/* One large download alone: never slower than OpenSSL. */
	for (size_t s = 0; part("large") && s < sizeof(algo_sets) / sizeof(algo_sets[0]); s++) {
		struct run run = { .impl = MBH_IMPL_COUNT, .algos = algo_sets[s], .nconn = 1,
				   .large = true, .pages = POOL_PAGES_L2 };
		struct result base = traffic(&run), r;

		run.impl = MBH_IMPL_AUTO;
		r = traffic(&run);
		print_traffic(algo_names[s], "openssl", "1big/L2", &run, &base, 0);
		print_traffic(algo_names[s], "mbh/auto", "1big/L2", &run, &r, base.gbps_cpu);
	}

	if (!part("raw"))
		goto out;
	single[MBH_MD5] = raw_single(mbh_md5_single);
	single[MBH_SHA1] = raw_single(mbh_sha1_single);
	printf("raw       %-18s  1 lane   %6.2f GB/s\n", "md5-single", single[MBH_MD5]);
	printf("raw       %-18s  1 lane   %6.2f GB/s\n", "sha1-single", single[MBH_SHA1]);
#ifdef MBH_HAVE_AVX2
	if (mbh_impl_supported(MBH_IMPL_AVX2)) {
		crossover(&mbh_md5_avx2, single[MBH_MD5]);
		crossover(&mbh_sha1_avx2, single[MBH_SHA1]);
	}
#endif
#ifdef MBH_HAVE_AVX512
	if (mbh_impl_supported(MBH_IMPL_AVX512)) {
		crossover(&mbh_md5_avx512, single[MBH_MD5]);
		crossover(&mbh_md5_avx512_gather, single[MBH_MD5]);
		crossover(&mbh_sha1_avx512, single[MBH_SHA1]);
	}
#endif
out:
	munmap(pool, (size_t)POOL_PAGES * PAGE);
	return 0;
}
