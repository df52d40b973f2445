/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/body.c: Content-Length, chunked and close from
 * the rows of framing_cases.c, one CUnit test per row; skipping holes. */
#include "dataplane/body.h"
#include "dataplane/events.h"
#include "framing_cases.h"
#include "hwall_test.h"

#include <string.h>

/* Collects decoded bytes. */
struct sink {
	char buf[4096];
	size_t len;
};

static void out(void *ctx, const uint8_t *p, uint32_t len)
{
	struct sink *s = ctx;

	CU_ASSERT_TRUE_FATAL(len <= sizeof(s->buf) - s->len);
	memcpy(s->buf + s->len, p, len);
	s->len += len;
}

/* Feed @in in pieces of @step bytes; returns the input bytes consumed in
 * all and whether the body ended (-1 on an error). */
static int64_t feed(struct dp_body *b, const char *in, size_t len, size_t step, struct sink *s,
		    bool *done, enum dp_drop *err)
{
	size_t off = 0;

	*done = false;
	while (off < len && !*done) {
		size_t n = len - off < step ? len - off : step;
		int64_t r = dp_body_decode(b, (const uint8_t *)in + off, (uint32_t)n, FC_BODY_MAX_LINE,
					   out, s, done, err);
		if (r < 0)
			return -1;
		off += (size_t)r;
	}
	return (int64_t)off;
}

static void run_row(size_t r)
{
	const struct fc_body_case *row = &fc_body_cases[r];

	for (size_t i = 0; i < fc_body_step_count; i++) {
		struct dp_body b;
		struct sink s = { .len = 0 };
		bool done = false;
		enum dp_drop err = DP_DROP_COUNT;

		dp_body_start(&b, row->mode, row->length);
		CU_ASSERT_EQUAL(feed(&b, row->in, row->in_len, fc_body_steps[i], &s, &done, &err),
				row->consumed);
		CU_ASSERT_EQUAL(done, row->done);
		CU_ASSERT_STRING_EQUAL(err == DP_DROP_COUNT ? "" : dp_drop_name(err),
				       row->err ? row->err : "");
		CU_ASSERT_TRUE(!row->out || (s.len == strlen(row->out) && memcmp(s.buf, row->out, s.len) == 0));
	}
}

static const char *row_name(size_t r)
{
	return fc_body_cases[r].name;
}

static void test_skip(void)
{
	struct dp_body b;
	bool done;
	uint64_t rest;

	dp_body_start(&b, DP_BODY_LENGTH, 100);
	CU_ASSERT_TRUE(dp_body_skip(&b, 60, &done, &rest));
	CU_ASSERT_FALSE(done);
	CU_ASSERT_TRUE(dp_body_skip(&b, 50, &done, &rest));
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(rest, 10);
	dp_body_start(&b, DP_BODY_CLOSE, 0);
	CU_ASSERT_TRUE(dp_body_skip(&b, 50, &done, &rest));
	CU_ASSERT_FALSE(done);
	dp_body_start(&b, DP_BODY_CHUNKED, 0);
	CU_ASSERT_FALSE(dp_body_skip(&b, 50, &done, &rest));
}

int main(void)
{
	static const CU_TestInfo more[] = {
		{ "skip", test_skip },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main_table("dataplane/body", fc_body_count, row_name, run_row, more);
}
