/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/pdq/pdq_tap.c (sniffing, the bounded copy, the
 * bounded queue and its counters) and pdq_cache.c.  Bodies are PRNG bytes
 * behind an image signature: the tap never decodes. */
#include "dataplane/pdq/pdq_cache.h"
#include "dataplane/pdq/pdq_tap.h"
#include "hwall_test.h"

#include <string.h>

static struct dp_pdq_conf conf;
static struct dp_counters ctr;
static struct dp_pdq_tap tap;

static void setup(uint32_t copies, uint32_t queue, uint32_t buffer_mib, uint64_t max_bytes)
{
	dp_pdq_conf_default(&conf);
	conf.copies = copies;
	conf.queue = queue;
	conf.buffer_mib = buffer_mib;
	conf.max_bytes = max_bytes;
	memset(&ctr, 0, sizeof(ctr));
	CU_ASSERT_FATAL(dp_pdq_tap_init(&tap, &conf, &ctr) == 0);
}

/* A body of @len bytes: @magic then PRNG bytes from @seed. */
static void body(uint8_t *b, size_t len, const char *magic, size_t mlen, uint64_t seed)
{
	hwall_test_rand_bytes(&seed, b, len);
	memcpy(b, magic, mlen);
}

#define PNG "\x89PNG\r\n\x1a\n"
#define JPEG "\xff\xd8\xff\xe0"
#define WEBP "RIFF\x10\0\0\0WEBP"
#define GIF "GIF89a"

/* Feed @len bytes in chunks of @chunk (the last one shorter). */
static struct dp_pdq_copy *feed(const uint8_t *b, size_t len, size_t chunk)
{
	struct dp_pdq_copy *c = NULL;

	for (size_t off = 0; off < len; off += chunk)
		dp_pdq_tap_data(&tap, &c, off, b + off,
				(uint32_t)(len - off < chunk ? len - off : chunk));
	return c;
}

/* Feed, end (complete), give back: what the worker does per object. */
static void object(const uint8_t *b, size_t len, size_t chunk, bool complete)
{
	struct dp_event_obj e = { 0 };
	struct dp_obj o = { .outcome = DP_DROP_COUNT, .size = len };
	struct dp_txn t = { .host = "h.example", .path = "/a.png" };
	struct dp_flow_key k = { .server_port = 80 };

	o.txn = &t;
	e.obj = &o;
	o.pdq = feed(b, len, chunk);
	dp_pdq_tap_submit(&tap, o.pdq, complete, &e, &k, false);
	dp_pdq_tap_put(&tap, &o.pdq);
	CU_ASSERT_PTR_NULL(o.pdq);
}

static uint64_t queued_len(void)
{
	struct dp_pdq_job *j = dp_pdq_tap_take(&tap);
	uint64_t n;

	if (!j)
		return 0;
	n = j->len;
	dp_pdq_tap_done(&tap, j);
	return n;
}

static uint64_t held(void)
{
	return __atomic_load_n(&tap.held, __ATOMIC_RELAXED);
}

static bool zeroed(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* Each signature is copied whole, whatever the chunking; the job carries
 * the bytes and its own copy of the request. */
static void test_sniff_formats(void)
{
	static const struct { const char *magic; size_t len; } sigs[] = {
		{ PNG, 8 }, { JPEG, 4 }, { WEBP, 12 }, { GIF, 6 },
	};
	uint8_t b[5000];

	setup(4, 8, 8, 1 << 20);
	for (size_t i = 0; i < 4; i++) {
		struct dp_pdq_job *j;

		body(b, sizeof(b), sigs[i].magic, sigs[i].len, i);
		object(b, sizeof(b), 1 + i * 700, true);
		j = dp_pdq_tap_take(&tap);
		CU_ASSERT_FATAL(j != NULL);
		CU_ASSERT_EQUAL(j->len, sizeof(b));
		CU_ASSERT_EQUAL(memcmp(j->buf, b, sizeof(b)), 0);
		CU_ASSERT_PTR_EQUAL(j->ev.obj, &j->obj);
		CU_ASSERT_PTR_EQUAL(j->obj.txn, &j->txn);
		CU_ASSERT_STRING_EQUAL(j->txn.path, "/a.png");
		dp_pdq_tap_done(&tap, j);
		/* done: the body is zeroed, the buffer kept for the next one */
		CU_ASSERT_TRUE(zeroed(j->buf, sizeof(b)));
		CU_ASSERT_EQUAL(j->len, 0);
		CU_ASSERT_PTR_NULL(j->obj.txn);
	}
	CU_ASSERT_EQUAL(ctr.pdq[DP_PDQ_pdq_queued], 4);
	/* buffers circulate between slots and jobs: at most copies + queue */
	CU_ASSERT_TRUE(held() <= (4 + 8) * (64u << 10));
	dp_pdq_tap_fini(&tap);
}

/* Not images: no copy kept, nothing counted (Content-Type is not read). */
static void test_not_images(void)
{
	static const char *const not[] = { "RIFF\x10\0\0\0WAVE", "GIF90a", "\x89PNX\r\n\x1a\n",
					  "\xff\xd8\x00", "<html>", "{\"a\":1}" };
	uint8_t b[4096];

	setup(4, 8, 8, 1 << 20);
	for (size_t i = 0; i < sizeof(not) / sizeof(not[0]); i++) {
		body(b, sizeof(b), not[i], strlen(not[i]) < 12 ? strlen(not[i]) : 12, i);
		object(b, sizeof(b), 3, true);
	}
	CU_ASSERT_PTR_NULL(dp_pdq_tap_take(&tap));
	for (int i = 0; i < DP_PDQ_COUNT; i++)
		CU_ASSERT_EQUAL(ctr.pdq[i], 0);
	/* what was copied before the signature was checked is zeroed */
	for (uint32_t i = 0; i < conf.copies; i++)
		CU_ASSERT_TRUE(!tap.slots[i].buf || zeroed(tap.slots[i].buf, tap.slots[i].cap));
	dp_pdq_tap_fini(&tap);
}

/* Size bounds and incomplete bodies: one counter each. */
static void test_bounds(void)
{
	static uint8_t b[300000];

	setup(4, 8, 8, 200000);
	body(b, sizeof(b), PNG, 8, 1);
	object(b, 1000, 1000, true);           /* under min_bytes (2048) */
	object(b, sizeof(b), 1448, true);      /* over max_bytes */
	object(b, 100000, 1448, false);        /* holes, abandoned, a 206 */
	object(b, 200000, 1448, true);         /* exactly max_bytes: queued */
	CU_ASSERT_EQUAL(ctr.pdq[DP_PDQ_pdq_skip_small], 1);
	CU_ASSERT_EQUAL(ctr.pdq[DP_PDQ_pdq_skip_large], 1);
	CU_ASSERT_EQUAL(ctr.pdq[DP_PDQ_pdq_skip_incomplete], 1);
	CU_ASSERT_EQUAL(ctr.pdq[DP_PDQ_pdq_queued], 1);
	CU_ASSERT_EQUAL(queued_len(), 200000);
	CU_ASSERT_TRUE(held() <= (8u << 20));
	dp_pdq_tap_fini(&tap);
}

/* A full queue skips and counts; the worker never waits.  Taken jobs free
 * room again. */
static void test_queue_full(void)
{
	uint8_t b[4096];

	setup(2, 4, 8, 1 << 20);
	body(b, sizeof(b), JPEG, 4, 2);
	for (int i = 0; i < 7; i++)
		object(b, sizeof(b), 1448, true);
	CU_ASSERT_EQUAL(ctr.pdq[DP_PDQ_pdq_queued], 4);
	CU_ASSERT_EQUAL(ctr.pdq[DP_PDQ_pdq_skip_queue_full], 3);
	CU_ASSERT_EQUAL(queued_len(), sizeof(b));
	object(b, sizeof(b), 1448, true);
	CU_ASSERT_EQUAL(ctr.pdq[DP_PDQ_pdq_queued], 5);
	/* what is still queued is freed (zeroed) by fini */
	dp_pdq_tap_fini(&tap);
}

/* Copy slots and the byte budget bound the memory a worker holds. */
static void test_no_buffer(void)
{
	static uint8_t b[1 << 20];
	struct dp_pdq_copy *c[3];
	struct dp_event_obj e = { 0 };
	struct dp_obj o = { .outcome = DP_DROP_COUNT };
	struct dp_flow_key k = { 0 };

	e.obj = &o;
	setup(2, 8, 1, 4 << 20); /* two slots, 1 MiB held at most */
	body(b, sizeof(b), GIF, 6, 3);
	/* three bodies in flight at once: the third has no slot */
	for (int i = 0; i < 3; i++)
		c[i] = feed(b, 4096, 4096);
	CU_ASSERT_PTR_EQUAL(c[2], &tap.none);
	/* the first grows past the budget: stopped, its bytes given back */
	dp_pdq_tap_data(&tap, &c[0], 4096, b + 4096, sizeof(b) - 4096);
	CU_ASSERT_TRUE(c[0]->dead);
	for (int i = 0; i < 3; i++) {
		dp_pdq_tap_submit(&tap, c[i], true, &e, &k, false);
		dp_pdq_tap_put(&tap, &c[i]);
	}
	CU_ASSERT_EQUAL(ctr.pdq[DP_PDQ_pdq_skip_no_buffer], 2);
	CU_ASSERT_EQUAL(ctr.pdq[DP_PDQ_pdq_queued], 1);
	CU_ASSERT_EQUAL(queued_len(), 4096);
	CU_ASSERT_TRUE(held() <= (1u << 20));
	dp_pdq_tap_fini(&tap);
}

static void key_of(uint8_t key[DP_PDQ_CACHE_KEY], uint64_t seed)
{
	hwall_test_rand_bytes(&seed, key, DP_PDQ_CACHE_KEY);
}

/* The cache answers what it holds, forgets the least recently used of a
 * bucket, and keeps refusals too. */
static void test_cache(void)
{
	struct dp_pdq_cache c;
	struct dp_pdq_cache_val v = { 0 }, got;
	uint8_t k[DP_PDQ_CACHE_KEY], k2[DP_PDQ_CACHE_KEY];
	int hits = 0;

	CU_ASSERT_EQUAL(dp_pdq_cache_init(&c, 0), 0);
	key_of(k, 1);
	dp_pdq_cache_put(&c, k, &v);
	CU_ASSERT_FALSE(dp_pdq_cache_get(&c, k, &got)); /* no cache */
	dp_pdq_cache_fini(&c);

	CU_ASSERT_EQUAL(dp_pdq_cache_init(&c, 64), 0);
	v.res.quality = 77;
	v.res.hash[3].b[0] = 0x5a;
	dp_pdq_cache_put(&c, k, &v);
	CU_ASSERT_TRUE(dp_pdq_cache_get(&c, k, &got));
	CU_ASSERT_EQUAL(got.res.quality, 77);
	CU_ASSERT_EQUAL(got.res.hash[3].b[0], 0x5a);
	key_of(k2, 2);
	CU_ASSERT_FALSE(dp_pdq_cache_get(&c, k2, &got));
	v.status = -ECHILD; /* the decoder died on it: remembered */
	dp_pdq_cache_put(&c, k2, &v);
	CU_ASSERT_TRUE(dp_pdq_cache_get(&c, k2, &got));
	CU_ASSERT_EQUAL(got.status, -ECHILD);
	/* 64 entries, 1000 keys: old ones go, the latest stay */
	for (uint64_t i = 0; i < 1000; i++) {
		key_of(k, 100 + i);
		dp_pdq_cache_put(&c, k, &v);
	}
	for (uint64_t i = 0; i < 1000; i++) {
		key_of(k, 100 + i);
		hits += dp_pdq_cache_get(&c, k, &got);
	}
	CU_ASSERT_TRUE(hits >= 32 && hits <= 64);
	key_of(k, 100 + 999);
	CU_ASSERT_TRUE(dp_pdq_cache_get(&c, k, &got));
	dp_pdq_cache_fini(&c);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "signatures sniffed, bodies copied whole", test_sniff_formats },
		{ "not images: nothing copied or counted", test_not_images },
		{ "min/max bytes, incomplete bodies", test_bounds },
		{ "a full queue skips, never waits", test_queue_full },
		{ "copy slots and byte budget", test_no_buffer },
		{ "cache by xxh3-128", test_cache },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("dataplane/pdq_tap", tests);
}
