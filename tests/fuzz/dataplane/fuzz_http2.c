/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_http2.c - libFuzzer target over the HTTP/2 stage (http2.c: frames,
 * HPACK through libnghttp2, streams, digests), with a connection's two
 * byte streams.
 *
 * Input: records.  A record starts with one byte: bit 7 picks the
 * direction (set: server to client), bits 0-6 a length n.  n in 1..126:
 * n stream bytes follow.  n = 127: a hole whose length is the next byte.
 * n = 0: nothing (a record boundary).  Small limits make every limit
 * reachable.  Seeds: corpus/http2/ (gen_http2_seeds.py writes them).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/http2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_obj(void *ctx, void *owner, const struct dp_obj *o)
{
	(void)owner;
	*(uint64_t *)ctx += o->size + o->digests.bytes[0][0] + (o->txn ? (uint8_t)o->txn->path[0] : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_http_limits hl;
	struct dp_h2_limits lim = { .max_streams = 4, .max_block = 512, .max_header_list = 1024,
				    .max_table = 8192 };
	struct dp_counters ctr = { .packets = 0 };
	struct dp_http http;
	struct dp_h2 h2;
	struct dp_h2_conn *c;
	uint64_t sink = 0;
	size_t i = 0;

	dp_http_limits_default(&hl);
	hl.max_requests = 6;
	hl.max_object_bytes = 4096;
	dp_http_init(&http, &hl, 1u << HWALL_ALGO_SHA1, 3, &ctr, on_obj, &sink);
	dp_h2_init(&h2, &lim, &http);
	c = dp_h2_conn_new(&h2);
	while (c && i < size) {
		enum dp_dir dir = data[i] & 0x80 ? DP_DIR_S2C : DP_DIR_C2S;
		uint32_t n = data[i++] & 0x7f;

		if (n == 127) {
			dp_h2_gap(&h2, c, dir, i < size ? data[i++] : 1, NULL);
		} else if (n > 0) {
			if (n > size - i)
				n = (uint32_t)(size - i);
			dp_h2_data(&h2, c, dir, data + i, n, NULL);
			i += n;
		}
	}
	dp_h2_conn_free(&h2, c, DP_DROP_obj_abandoned_end, NULL);
	dp_http_fini(&http);
	return 0;
}
