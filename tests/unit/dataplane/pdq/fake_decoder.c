/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_decoder.c - a stand-in for hashwall-pdq-decode that misbehaves on
 * request, for test_pdq_dec: it enters the real sandbox, then answers each
 * body by its ninth byte (after a PNG signature, say): 'C' crashes (SIGSEGV), 'H' hangs (spins), 'S' makes a
 * system call outside the filter (socket), 'G' sends a reply that is not
 * one, 'Q' quits without a reply; anything else gets a well-formed reply
 * whose hashes are filled with that byte and whose quality is the next.  Same arguments and protocol as the real one.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dataplane/pdq/pdq_proto.h"
#include "dataplane/pdq/pdq_sandbox.h"

static bool io(void *buf, size_t len, bool out)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = out ? write(0, p, len) : read(0, p, len);

		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

int main(void)
{
	static uint8_t body[1 << 20];
	struct dp_pdq_req req;
	struct dp_pdq_reply rep;

	if (close_range(1, ~0u, 0) < 0 || dp_pdq_sandbox_enter(256u << 20) < 0)
		return 1;
	while (io(&req, sizeof(req), false)) {
		if (req.len < 16 || req.len > sizeof(body) || !io(body, req.len, false))
			return 1;
		memset(&rep, 0, sizeof(rep));
		rep.magic = DP_PDQ_REPLY_MAGIC;
		rep.format = PDQ_FORMAT_PNG;
		rep.quality = body[9] % 101;
		memset(rep.hash, body[8], sizeof(rep.hash));
		switch (body[8]) {
		case 'C':
			*(volatile int *)(uintptr_t)body[10] = 1; /* body[10] is 0: a NULL write */
			return 5;
		case 'H':
			for (volatile int spin = 1; spin;)
				;
			return 6;
		case 'S':
			return socket(AF_INET, SOCK_STREAM, 0) < 0 ? 3 : 4;
		case 'G':
			rep.magic = 0x12345678;
			break;
		case 'Q':
			return 0;
		default:
			break;
		}
		if (!io(&rep, sizeof(rep), true))
			return 1;
	}
	return 0;
}
