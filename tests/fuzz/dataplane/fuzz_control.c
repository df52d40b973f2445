/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_control.c - libFuzzer target over the control socket's request
 * handling (dp_control_handle in dataplane/sets/control_socket.c): the lines a peer
 * (hashwall-syncd, an operator's script) sends.  Each input line is one
 * request against a live set list; every answer must be one line starting
 * with "ok " or "err ", or a JSON object for status.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "dataplane/sets/control_socket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[DP_CONTROL_LINE_MAX + 1];
	struct dp_setpub live;
	char out[8192];
	const char *p = (const char *)data, *end = p + size;

	hwall_log_configure("error");
	if (dp_setpub_init(&live, 1, NULL) < 0)
		abort();
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t n = len < DP_CONTROL_LINE_MAX ? len : DP_CONTROL_LINE_MAX;

		memcpy(line, p, n);
		line[n] = '\0';
		out[0] = '\0';
		dp_control_handle(&live, line, out, sizeof(out));
		if (strncmp(out, "ok ", 3) != 0 && strncmp(out, "err ", 4) != 0 && out[0] != '{')
			abort();
		if (!memchr(out, '\n', strlen(out) + 1))
			abort();
		p += len + (nl != NULL);
	}
	dp_setpub_fini(&live);
	return 0;
}
