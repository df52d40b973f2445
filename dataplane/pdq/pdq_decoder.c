/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_decoder.c - hashwall-pdq-decode, the PDQ stage's decoder process
 * (docs/pdq.md, "The decoder process").
 *
 * Started by the stage (pdq_dec.c) with one end of a socket pair as its
 * standard input; never by hand.  It closes every other descriptor,
 * enters the sandbox (pdq_sandbox.h), then answers requests (pdq_proto.h)
 * one at a time: the body is read into anonymous memory kept out of core
 * dumps, hashed with pdq_hash_image(PDQ_OPTIONS_FAST), zeroed and freed.
 * It prints nothing and writes no file.  End of input ends it; a request
 * it does not understand ends it too (the stage restarts it).
 *
 * usage: hashwall-pdq-decode MEMORY_MIB MAX_BYTES
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/number.h"
#include "dataplane/pdq/pdq_proto.h"
#include "dataplane/pdq/pdq_sandbox.h"
#include "hashsync/pdq/pdq.h"

#define IN_FD 0

/* Read (or, with @out, write) exactly @len bytes; false at end of input
 * or on an error. */
static bool io_full(void *buf, size_t len, bool out)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = out ? write(IN_FD, p, len) : read(IN_FD, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static void answer(const uint8_t *body, size_t len, const struct pdq_options *opts,
		   struct dp_pdq_reply *rep)
{
	struct pdq_result res;
	int r = pdq_hash_image(body, len, opts, &res);

	memset(rep, 0, sizeof(*rep));
	rep->magic = DP_PDQ_REPLY_MAGIC;
	rep->status = r;
	if (r < 0)
		return;
	rep->quality = (uint32_t)res.quality;
	rep->format = res.format;
	rep->width = res.width;
	rep->height = res.height;
	for (int d = 0; d < PDQ_DIHEDRAL_COUNT; d++)
		memcpy(rep->hash[d], res.hash[d].b, PDQ_HASH_BYTES);
}

static int serve(uint64_t max_bytes, uint64_t memory)
{
	struct pdq_options opts = PDQ_OPTIONS_FAST;
	struct dp_pdq_req req;
	struct dp_pdq_reply rep;

	/* Half the address space for the decoders' pixels: the rest is the
	 * program, its libraries and the input. */
	opts.limits.max_memory = memory / 2 < (256u << 20) ? memory / 2 : (256u << 20);
	while (io_full(&req, sizeof(req), false)) {
		uint8_t *body;

		if (req.magic != DP_PDQ_REQ_MAGIC || req.len == 0 || req.len > max_bytes)
			return 1;
		body = pdq_buf_alloc(req.len);
		if (!body)
			return 1;
		if (!io_full(body, req.len, false)) {
			pdq_buf_free(body, req.len);
			return 1;
		}
		answer(body, req.len, &opts, &rep);
		pdq_buf_free(body, req.len);
		if (!io_full(&rep, sizeof(rep), true))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t mib, max_bytes;

	if (argc != 3 || hwall_parse_u64(argv[1], 64, 1u << 16, &mib) < 0 ||
	    hwall_parse_u64(argv[2], 16, 1u << 30, &max_bytes) < 0)
		return 2;
	/* Nothing but the socket: no inherited descriptor, no stderr. */
	if (close_range(1, ~0u, 0) < 0)
		return 1;
	if (dp_pdq_sandbox_enter(mib << 20) < 0)
		return 1;
	return serve(max_bytes, mib << 20);
}
