/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * set_tool_pdq.c - the PDQ side of `hashwall-set`: near-neighbour lookups
 * of a pdq digest in a set file, and the PDQ hash of image files, so that
 * an operator or a hotline can check a hash by hand (docs/hashwall-set.md).
 *
 * Image bytes are read into memory only, decoded by hashsync/pdq, and
 * zeroed before they are freed; nothing of them is printed but the hash.
 */
#include "hashsync/set_tool.h"
#include "hashsync/pdq/pdq.h"
#include "common/errors.h"
#include "common/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest image file `hashwall-set pdq` reads. */
#define PDQ_FILE_MAX (256u << 20)

int set_lookup_near(const struct hws_set *set, enum hwall_algo algo, const uint8_t *digest,
		    unsigned int max_dist)
{
	struct hws_near near[HWS_NEAR_MAX];
	char hex[HWALL_DIGEST_HEX_MAX];
	size_t total, n;
	cJSON *o, *arr;

	if (hws_lookup_near(set, algo, digest, max_dist, near, HWS_NEAR_MAX, &total) < 0) {
		fprintf(stderr, "hashwall-set: near lookup of %s refused\n", hwall_algo_name(algo));
		return EXIT_USAGE;
	}
	if (total == 0)
		return EXIT_ABSENT;
	n = total < HWS_NEAR_MAX ? total : HWS_NEAR_MAX;
	o = cJSON_CreateObject();
	hwall_hex_format(digest, hwall_algo_len(algo), hex);
	cJSON_AddStringToObject(o, "algo", hwall_algo_name(algo));
	cJSON_AddStringToObject(o, "digest", hex);
	cJSON_AddNumberToObject(o, "max_distance", max_dist);
	cJSON_AddNumberToObject(o, "total", (double)total);
	arr = cJSON_AddArrayToObject(o, "matches");
	for (size_t i = 0; arr && i < n; i++) {
		cJSON *m = cJSON_CreateObject();

		hwall_hex_format(near[i].digest, hwall_algo_len(algo), hex);
		cJSON_AddStringToObject(m, "digest", hex);
		cJSON_AddNumberToObject(m, "distance", near[i].distance);
		cJSON_AddNumberToObject(m, "category", near[i].category);
		cJSON_AddNumberToObject(m, "ref", near[i].ref);
		cJSON_AddItemToArray(arr, m);
	}
	return set_print_json(o);
}

/* Hash one image file and print its line; 0 or EXIT_FAIL. */
static int hash_file(const char *path)
{
	struct pdq_result res;
	char hex[PDQ_HEX_LEN + 1];
	char *buf;
	size_t len;
	int r;

	r = hwall_read_file(path, PDQ_FILE_MAX, &buf, &len);
	if (r < 0) {
		fprintf(stderr, "hashwall-set: %s: %s\n", path,
			r == -EFBIG ? "larger than 256 MiB" : hwall_strerror(r));
		return EXIT_FAIL;
	}
	r = pdq_hash_image(buf, len, NULL, &res);
	explicit_bzero(buf, len);
	free(buf);
	if (r < 0) {
		fprintf(stderr, "hashwall-set: %s: %s\n", path,
			r == -ENOTSUP ? "not a JPEG, PNG, WebP or GIF image"
			: r == -E2BIG ? "image larger than the decoder's limits"
			: r == -EINVAL ? "corrupt or truncated image" : hwall_strerror(r));
		return EXIT_FAIL;
	}
	pdq_hash_format(&res.hash[PDQ_ORIGINAL], hex);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "file", path);
	cJSON_AddStringToObject(o, "pdq", hex);
	cJSON_AddNumberToObject(o, "quality", res.quality);
	cJSON_AddStringToObject(o, "format", pdq_format_name(res.format));
	cJSON_AddNumberToObject(o, "width", res.width);
	cJSON_AddNumberToObject(o, "height", res.height);
	return set_print_json(o);
}

int set_cmd_pdq(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: hashwall-set pdq IMAGE...\n");
		return EXIT_USAGE;
	}
	/* Every file gets its line or its message; the exit code says whether
	 * one failed. */
	for (int i = 1; i < argc; i++)
		if (hash_file(argv[i]) != 0)
			rc = EXIT_FAIL;
	return rc;
}
