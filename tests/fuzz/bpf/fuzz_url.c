// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_url.c - libFuzzer target for the loader library's text parsers:
 * bpfw_url_key() on the whole input, and bpfw_flow_parse() on its first
 * two lines.  Besides memory errors it checks two properties: a URL
 * without a scheme has the key of the same URL with "http://", and a
 * parsed flow formats back to text that parses to the same key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfw.h"

#define MAX_INPUT 4096

static void check_url(const char *s)
{
	static char with[MAX_INPUT + 8];
	uint64_t a, b;

	if (bpfw_url_key(s, &a) != 0 || strstr(s, "://"))
		return;
	memcpy(with, "http://", 7);
	strcpy(with + 7, s);
	if (bpfw_url_key(with, &b) != 0 || a != b)
		abort();
}

static void check_flow(char *s)
{
	char *nl = strchr(s, '\n'), *arrow, buf[128];
	struct bpfw_flow_key k, k2;

	if (!nl)
		return;
	*nl = 0;
	if (bpfw_flow_parse(s, nl + 1, &k) != 0)
		return;
	bpfw_flow_format(&k, buf, sizeof(buf));
	arrow = strstr(buf, " -> ");
	if (!arrow)
		abort();
	*arrow = 0;
	if (bpfw_flow_parse(buf, arrow + 4, &k2) != 0 || memcmp(&k, &k2, sizeof(k)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > MAX_INPUT)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	check_url(s);
	check_flow(s);
	free(s);
	return 0;
}
