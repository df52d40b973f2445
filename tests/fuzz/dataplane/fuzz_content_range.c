/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_content_range.c - libFuzzer target over the Content-Range parser
 * (dataplane/http_head.c): the input, cut to a header value's size, as a
 * field value.  A value that parses must hold first <= last, and last
 * below the complete length when that is known (what stitching trusts).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char v[512];
	struct dp_range r = { .start = 0 };

	if (size >= sizeof(v))
		size = sizeof(v) - 1;
	memcpy(v, data, size);
	v[size] = '\0';
	if (dp_http_content_range(v, &r) == 0 &&
	    (!r.set || r.end < r.start || (r.total_known && r.end >= r.total)))
		abort();
	return 0;
}
