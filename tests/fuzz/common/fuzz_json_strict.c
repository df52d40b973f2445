/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target: the strict JSON parser (common/json_strict.c) over arbitrary
 * bytes.  Whatever it is given, it must not crash or leak, and what it
 * accepts must survive a round trip: cJSON's own rendering of the tree is
 * strict JSON again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_strict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwall_json_fault f;
	cJSON *root = NULL, *again = NULL;
	char msg[256], *text;

	if (hwall_json_parse_strict((const char *)data, size, size && data[0] & 1 ? HWALL_JSON_INTEGERS : 0, &root, &f) < 0) {
		hwall_json_fault_format(&f, msg, sizeof(msg));
		return 0;
	}
	text = cJSON_PrintUnformatted(root);
	if (text && hwall_json_parse_strict(text, strlen(text), 0, &again, &f) < 0)
		abort();
	cJSON_Delete(again);
	cJSON_free(text);
	cJSON_Delete(root);
	return 0;
}
