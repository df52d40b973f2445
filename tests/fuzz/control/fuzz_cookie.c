/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target over the console's Cookie header parser
 * (ctl_ui_cookie): whatever a client sends, it finds the session cookie's
 * value, says it is absent, or refuses the header; a value found fits its
 * buffer, is NUL-terminated and holds only RFC 6265 cookie octets.  The
 * input's first byte picks the output buffer's size, so that every cut is
 * tried.
 */
#include "control/ui_session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[CTL_UI_SECRET_HEX + 1], *header;
	size_t cap;
	int r;

	if (size == 0)
		return 0;
	cap = 1 + data[0] % sizeof(out);
	header = malloc(size);
	if (!header)
		return 0;
	memcpy(header, data + 1, size - 1);
	header[size - 1] = '\0';
	memset(out, 0x55, sizeof(out));
	r = ctl_ui_cookie(header, "hwsession", out, cap);
	if (r != 0 && r != -ENOENT && r != -EINVAL)
		abort();
	if (r == 0) {
		size_t n = strnlen(out, cap);
		if (n == cap)
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)out[i] <= 0x20 || out[i] == '"' || out[i] == ',' ||
			    out[i] == ';' || out[i] == '\\' || (unsigned char)out[i] >= 0x7f)
				abort();
	}
	free(header);
	return 0;
}
