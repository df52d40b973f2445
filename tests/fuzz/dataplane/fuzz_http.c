/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_http.c - libFuzzer target over the HTTP stage alone (http.c and
 * body.c, digests included), with a connection's two byte streams.
 *
 * Input: records.  A record starts with one byte: bit 7 picks the
 * direction (set: server to client), bits 0-6 a length n.  n in 1..126:
 * n stream bytes follow.  n = 0: that direction's FIN.  n = 127: a hole
 * whose length is the next byte.  Small limits make every limit reachable.
 * A segment acknowledges every byte of the other direction so far (holes
 * included), as a receiver does.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_obj(void *ctx, void *owner, const struct dp_obj *o)
{
	(void)owner;
	/* Touch what the worker would read. */
	*(uint64_t *)ctx += o->size + o->digests.bytes[0][0] + (o->txn ? (uint8_t)o->txn->path[0] : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_http_limits lim = {
		.max_header_bytes = 512, .max_headers = 8, .max_chunk_line = 32,
		.max_pending = 4, .max_heads = 2, .max_requests = 3, .max_object_bytes = 4096,
	};
	struct dp_counters ctr = { .packets = 0 };
	struct dp_http_conn conn = { .npending = 0 };
	struct dp_http h;
	uint64_t sink = 0;
	uint32_t seq[DP_DIR_COUNT] = { 0, 0 };
	size_t i = 0;

	dp_http_init(&h, &lim, 1u << HWALL_ALGO_MD5, 2, &ctr, on_obj, &sink);
	while (i < size && !conn.dead) {
		enum dp_dir dir = data[i] & 0x80 ? DP_DIR_S2C : DP_DIR_C2S;
		uint32_t n = data[i++] & 0x7f;

		if (n == 0) {
			dp_http_fin(&h, &conn, dir, NULL);
		} else if (n == 127) {
			uint32_t gap = i < size ? data[i++] : 1;
			seq[dir] += gap;
			dp_http_gap(&h, &conn, dir, seq[dir], gap, NULL);
		} else {
			if (n > size - i)
				n = (uint32_t)(size - i);
			dp_http_sync(&conn, dir, data + i, n, seq[dir ^ 1]);
			dp_http_data(&h, &conn, dir, seq[dir], seq[dir ^ 1], data + i, n, NULL);
			seq[dir] += n;
			i += n;
		}
	}
	dp_http_release(&h, &conn, DP_DROP_obj_abandoned_end, NULL);
	dp_http_fini(&h);
	return 0;
}
