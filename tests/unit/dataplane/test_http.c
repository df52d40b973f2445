/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/http.c: heads, pairing, framing and limits from
 * the rows of framing_cases.c, one CUnit test per row; mid-stream sync. */
#include "dataplane/events.h"
#include "dataplane/http.h"
#include "dataplane/http_int.h"
#include "framing_cases.h"
#include "hwall_test.h"

#include <errno.h>
#include <string.h>

#include <xxhash.h>

#define OBJS_MAX 16

/* What the object callback saw. */
struct seen {
	struct dp_obj obj;
	struct dp_txn txn;
	bool has_txn;
};

static struct seen seen[OBJS_MAX];
static unsigned int nseen;
static struct dp_counters ctr;
static struct dp_http h;
static struct dp_http_conn conn;
static int owner_tag;

static void on_obj(void *ctx, void *owner, const struct dp_obj *o)
{
	CU_ASSERT_PTR_EQUAL(ctx, &h);
	CU_ASSERT_PTR_EQUAL(owner, &owner_tag);
	CU_ASSERT_TRUE_FATAL(nseen < OBJS_MAX);
	seen[nseen].obj = *o;
	seen[nseen].has_txn = o->txn != NULL;
	memset(&seen[nseen].txn, 0, sizeof(seen[nseen].txn));
	if (o->txn)
		seen[nseen].txn = *o->txn;
	nseen++;
}

/* A fresh connection with the default limits, each replaced by the
 * field of @over that is not 0. */
static void setup(const struct dp_http_limits *over)
{
	struct dp_http_limits lim;

	dp_http_limits_default(&lim);
	lim.max_header_bytes = over->max_header_bytes ? over->max_header_bytes : lim.max_header_bytes;
	lim.max_headers = over->max_headers ? over->max_headers : lim.max_headers;
	lim.max_chunk_line = over->max_chunk_line ? over->max_chunk_line : lim.max_chunk_line;
	lim.max_pending = over->max_pending ? over->max_pending : lim.max_pending;
	lim.max_heads = over->max_heads ? over->max_heads : lim.max_heads;
	lim.max_requests = over->max_requests ? over->max_requests : lim.max_requests;
	lim.max_object_bytes = over->max_object_bytes ? over->max_object_bytes : lim.max_object_bytes;
	memset(&ctr, 0, sizeof(ctr));
	memset(&conn, 0, sizeof(conn));
	nseen = 0;
	dp_http_init(&h, &lim, 0, 4, &ctr, on_obj, &h);
}

static void teardown(void)
{
	dp_http_release(&h, &conn, DP_DROP_obj_abandoned_end, &owner_tag);
	dp_http_fini(&h);
}

/* Whether @d's xxh3-128 is that of @s (canonical form). */
static bool xxh_of(const struct dp_digests *d, const char *s)
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits(s, strlen(s)));
	return memcmp(c.digest, d->bytes[HWALL_ALGO_XXH3_128], 16) == 0;
}

/* The canonical xxh3-128 of @s, for comparing with an object's digest. */
static bool xxh_is(const struct dp_obj *o, const char *s)
{
	return xxh_of(&o->digests, s);
}

/* One step of a row; returns what the stage returned (0 for FIN, RST). */
static int run_step(const struct fc_step *st, uint32_t seq[DP_DIR_COUNT])
{
	int r = 0;

	switch (st->op) {
	case FC_DATA:
		/* The segment acknowledges all the other side sent (and
		 * what the row says the capture lost of it). */
		r = dp_http_data(&h, &conn, st->dir, seq[st->dir], seq[!st->dir] + (uint32_t)st->ack_adj,
				 (const uint8_t *)st->data, st->len, &owner_tag);
		seq[st->dir] += st->len;
		break;
	case FC_GAP:
		seq[st->dir] += st->len;
		r = dp_http_gap(&h, &conn, st->dir, seq[st->dir], st->len, &owner_tag);
		break;
	case FC_FIN:
		dp_http_fin(&h, &conn, st->dir, &owner_tag);
		break;
	case FC_RST:
		dp_http_release(&h, &conn, DP_DROP_obj_abandoned_rst, &owner_tag);
		break;
	default:
		break;
	}
	return r;
}

static void check_obj(const struct seen *s, const struct fc_obj *want)
{
	const char *outcome = s->obj.outcome == DP_DROP_COUNT ? "complete" : dp_drop_name(s->obj.outcome);

	CU_ASSERT_STRING_EQUAL(outcome, want->outcome);
	CU_ASSERT_EQUAL(s->obj.status, want->status);
	CU_ASSERT_EQUAL(s->obj.size, want->size);
	CU_ASSERT_EQUAL(s->obj.partial, want->partial);
	CU_ASSERT_TRUE(!want->body || xxh_is(&s->obj, want->body));
	CU_ASSERT_TRUE(!want->method || (s->has_txn && strcmp(s->txn.method, want->method) == 0));
	CU_ASSERT_TRUE(!want->host || (s->has_txn && strcmp(s->txn.host, want->host) == 0));
	CU_ASSERT_TRUE(!want->path || (s->has_txn && strcmp(s->txn.path, want->path) == 0));
	CU_ASSERT_EQUAL(s->txn.host_truncated, want->host_truncated);
	CU_ASSERT_EQUAL(s->obj.request_lost, want->request_lost);
	CU_ASSERT_EQUAL(s->obj.stitched, want->stitched);
	CU_ASSERT_EQUAL(s->obj.upload, want->upload);
	CU_ASSERT_EQUAL(s->obj.decoded, want->decoded != NULL);
	CU_ASSERT_TRUE(!want->decoded || xxh_of(&s->obj.ddigests, want->decoded));
}

/* The counters the row names have their values; every other drop counter
 * is 0 (a connection is given up for one reason). */
static void check_counters(const struct fc_counter *want)
{
	uint64_t drops[DP_DROP_COUNT] = { 0 };
	unsigned int found = 0, named = 0;

	for (const struct fc_counter *w = want; w < want + FC_COUNTERS_MAX && w->name; w++) {
		named++;
		for (int i = 0; i < DP_DROP_COUNT; i++)
			if (strcmp(dp_drop_name((enum dp_drop)i), w->name) == 0) {
				drops[i] = w->value;
				found += ctr.drop[i] == w->value;
			}
		for (int i = 0; i < DP_INFO_COUNT; i++)
			found += strcmp(dp_info_name((enum dp_info)i), w->name) == 0 &&
				 ctr.info[i] == w->value;
	}
	CU_ASSERT_EQUAL(found, named);
	CU_ASSERT_EQUAL(memcmp(drops, ctr.drop, sizeof(drops)), 0);
}

static void run_row(size_t r)
{
	const struct fc_http_case *row = &fc_http_cases[r];
	uint32_t seq[DP_DIR_COUNT] = { 1000, 1000 };
	unsigned int n = 0;

	setup(&row->lim);
	for (const struct fc_step *st = row->steps; st < row->steps + FC_STEPS_MAX && st->op; st++) {
		CU_ASSERT_EQUAL(run_step(st, seq), st->ret);
		CU_ASSERT_EQUAL(nseen, st->objs);
		CU_ASSERT_TRUE(!st->check_pending || conn.npending == st->pending);
	}
	CU_ASSERT_EQUAL(conn.dead, row->dead);
	CU_ASSERT_EQUAL(dp_http_idle(&conn), row->idle);
	teardown();
	while (n < FC_OBJS_MAX && row->objs[n].outcome)
		n++;
	CU_ASSERT_EQUAL_FATAL(nseen, n);
	for (unsigned int i = 0; i < n; i++)
		check_obj(&seen[i], &row->objs[i]);
	check_counters(row->counters);
}

static const char *row_name(size_t i)
{
	return fc_http_cases[i].name;
}

static void test_sync(void)
{
	static const struct dp_http_limits defaults;

	setup(&defaults);
	CU_ASSERT_TRUE(dp_http_sync(&conn, DP_DIR_C2S, (const uint8_t *)"GET / HTTP/1.1", 14, 0));
	CU_ASSERT_FALSE(dp_http_sync(&conn, DP_DIR_C2S, (const uint8_t *)"GETX", 4, 0));
	CU_ASSERT_FALSE(dp_http_sync(&conn, DP_DIR_C2S, (const uint8_t *)"body", 4, 0));
	/* Responses sync only after a request the server has acknowledged. */
	CU_ASSERT_FALSE(dp_http_sync(&conn, DP_DIR_S2C, (const uint8_t *)"HTTP/1.1 200", 12, 5000));
	CU_ASSERT_EQUAL(dp_http_data(&h, &conn, DP_DIR_C2S, 1000, 0, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n",
				     18, &owner_tag), 0); /* ends at 1018 */
	CU_ASSERT_FALSE(dp_http_sync(&conn, DP_DIR_S2C, (const uint8_t *)"HTTP/1.1 200", 12, 1017));
	CU_ASSERT_TRUE(dp_http_sync(&conn, DP_DIR_S2C, (const uint8_t *)"HTTP/1.1 200", 12, 1018));
	CU_ASSERT_FALSE(dp_http_sync(&conn, DP_DIR_S2C, (const uint8_t *)"binary", 6, 1018));
	teardown();
}

/* Content-Range values (RFC 9110 14.4): what parses and into what. */
static void test_content_range(void)
{
	static const struct {
		const char *v;
		int ret;
		uint64_t start, end, total;
		bool total_known;
	} rows[] = {
		{ "bytes 0-499/1234", 0, 0, 499, 1234, true },
		{ "BYTES 500-999/1000", 0, 500, 999, 1000, true },
		{ "bytes 7-7/*", 0, 7, 7, 0, false },
		{ "bytes 0-0/1", 0, 0, 0, 1, true },
		{ "bytes */1234", -EINVAL },        /* unsatisfied-range */
		{ "bytes 5-4/10", -EINVAL },        /* last before first */
		{ "bytes 0-10/10", -EINVAL },       /* last not below the length */
		{ "items 0-1/2", -EINVAL },
		{ "bytes 0-1/2 ", -EINVAL },
		{ "bytes -1/2", -EINVAL },
		{ "bytes 0-1/", -EINVAL },
		{ "bytes 0-1", -EINVAL },
		{ "bytes 0-99999999999999999999/1", -EINVAL },
		{ "bytes 1-2/*x", -EINVAL },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct dp_range r = { .start = 77 };
		int ret = dp_http_content_range(rows[i].v, &r);

		CU_ASSERT_EQUAL(ret, rows[i].ret);
		CU_ASSERT_EQUAL(r.start, ret == 0 ? rows[i].start : 77); /* untouched on failure */
		CU_ASSERT_TRUE(ret < 0 || (r.set && r.end == rows[i].end && r.total == rows[i].total &&
					   r.total_known == rows[i].total_known));
	}
}

int main(void)
{
	static const CU_TestInfo more[] = {
		{ "sync", test_sync },
		{ "content_range", test_content_range },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main_table("dataplane/http", fc_http_count, row_name, run_row, more);
}
