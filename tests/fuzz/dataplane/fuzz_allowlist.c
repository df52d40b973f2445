/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_allowlist.c - libFuzzer target over the allowlist parser
 * (dataplane/sets/allowlist.c): the file controld writes is a peer's bytes.
 * Whatever the input, parsing must not crash, and a list it accepts must
 * answer lookups of every algorithm.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/sets/allowlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_allowlist *l = NULL;
	uint8_t digest[64];
	struct hwall_err err = { { 0 } };

	if (dp_allowlist_parse((const char *)data, size, &l, &err) < 0) {
		if (!err.msg[0])
			abort(); /* a refusal always says why */
		return 0;
	}
	memset(digest, 0, sizeof(digest));
	memcpy(digest, data, size < sizeof(digest) ? size : sizeof(digest));
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		dp_allowlist_contains(l, (enum hwall_algo)a, digest, NULL);
		dp_allowlist_contains(l, (enum hwall_algo)a, digest, "nl");
	}
	dp_allowlist_free(l);
	return 0;
}
