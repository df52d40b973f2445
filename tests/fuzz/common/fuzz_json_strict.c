/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target: the strict JSON parser (common/json_strict.c), which reads
 * what peers and operators send.  Whatever the input, it must not crash or
 * leak, a refusal must come with a message, and what it accepts must hold
 * only NUL-free UTF-8 strings and print (cJSON) to a text that it accepts
 * again: the two parsing steps (the scan and cJSON) agree.
 */
#include "common/json_strict.h"
#include "common/utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_strings(const cJSON *node)
{
	for (const cJSON *m = node ? node->child : NULL; m; m = m->next) {
		if (m->string && !hwall_utf8_valid(m->string, strlen(m->string)))
			abort();
		if (cJSON_IsString(m) && !hwall_utf8_valid(m->valuestring, strlen(m->valuestring)))
			abort();
		check_strings(m);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *root = NULL, *again = NULL;
	char err[256] = "", *text;
	int r = hwall_json_parse_strict((const char *)data, size, "fuzz", &root, err, sizeof(err));

	if (r < 0) {
		if (r != -EINVAL || !err[0] || root)
			abort();
		return 0;
	}
	check_strings(root);
	text = cJSON_PrintUnformatted(root);
	if (!text || hwall_json_parse_strict(text, strlen(text), "again", &again, err,
					     sizeof(err)) != 0)
		abort();
	cJSON_free(text);
	cJSON_Delete(again);
	cJSON_Delete(root);
	return 0;
}
