/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_pdq.c - libFuzzer target over what the PDQ stage parses besides the
 * images themselves (those are fuzzed whole by tests/fuzz/hashsync/pdq):
 *   - network bytes through the workers' tap (dataplane/pdq/pdq_tap.c):
 *     the input is a response body fed in chunks whose sizes come from its
 *     first bytes, to a tap with small limits; whatever is queued must be
 *     exactly the body, the buffers stay within the budget and hold no
 *     byte of it once it is done with;
 *   - the decoder's reply (dataplane/pdq/pdq_proto.c), which comes from a
 *     process that parsed untrusted images and is trusted no more: the
 *     input's head as a reply, and the input spliced into a valid reply.
 * Input: byte 0 chunking seed, byte 1 flags (complete, limits), rest the
 * body.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/pdq/pdq_proto.h"
#include "dataplane/pdq/pdq_tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static bool zeroed(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void fuzz_tap(const uint8_t *data, size_t size)
{
	struct dp_pdq_conf conf;
	struct dp_counters ctr = { 0 };
	struct dp_pdq_tap t;
	struct dp_obj o = { .outcome = DP_DROP_COUNT };
	struct dp_event_obj e = { .obj = &o };
	struct dp_flow_key k = { 0 };
	struct dp_pdq_copy *c = NULL;
	struct dp_pdq_job *j;
	const uint8_t *body = data + 2;
	size_t len = size - 2, off = 0;
	uint32_t seed = data[0];
	bool complete = data[1] & 1;

	dp_pdq_conf_default(&conf);
	conf.copies = 1;
	conf.queue = 2;
	conf.min_bytes = 16 + (data[1] >> 4);
	conf.max_bytes = data[1] & 2 ? 4096 : 1 << 20;
	conf.buffer_mib = 1;
	check(dp_pdq_tap_init(&t, &conf, &ctr) == 0);
	while (off < len) {
		uint32_t n = 1 + (seed = seed * 1103515245u + 12345u) % 3000;

		if (n > len - off)
			n = (uint32_t)(len - off);
		dp_pdq_tap_data(&t, &c, off, body + off, n);
		off += n;
	}
	dp_pdq_tap_submit(&t, c, complete, &e, &k, false);
	dp_pdq_tap_put(&t, &c);
	j = dp_pdq_tap_take(&t);
	if (j) {
		check(complete && j->len == len && memcmp(j->buf, body, len) == 0);
		check(len >= conf.min_bytes && len <= conf.max_bytes);
		check(pdq_sniff(body, len) != PDQ_FORMAT_UNKNOWN);
		dp_pdq_tap_done(&t, j);
	}
	check(__atomic_load_n(&t.held, __ATOMIC_RELAXED) <= (uint64_t)conf.buffer_mib << 20);
	for (uint32_t i = 0; i < conf.queue; i++)
		check(!t.jobs[i].buf || zeroed(t.jobs[i].buf, t.jobs[i].cap));
	check(!t.slots[0].buf || zeroed(t.slots[0].buf, t.slots[0].cap));
	check(ctr.pdq[DP_PDQ_pdq_queued] == (j != NULL));
	dp_pdq_tap_fini(&t);
}

static void fuzz_reply(const uint8_t *data, size_t size)
{
	struct dp_pdq_reply r = { .magic = DP_PDQ_REPLY_MAGIC, .quality = 50,
				  .format = PDQ_FORMAT_PNG };
	struct pdq_result res;
	int rc;

	rc = dp_pdq_reply_parse(data, size < sizeof(r) ? size : sizeof(r), &res);
	check(rc == 0 || rc == -EPROTO || rc == -EINVAL || rc == -E2BIG || rc == -ENOTSUP ||
	      rc == -ENOMEM);
	if (rc == 0)
		check(res.quality >= 0 && res.quality <= 100 && res.format > PDQ_FORMAT_UNKNOWN &&
		      res.format < PDQ_FORMAT_COUNT);
	/* the input over the head of a valid reply */
	memcpy(&r, data, size < 24 ? size : 24);
	rc = dp_pdq_reply_parse(&r, sizeof(r), &res);
	if (rc == 0)
		check(res.quality <= 100);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	fuzz_tap(data, size);
	fuzz_reply(data, size);
	return 0;
}
