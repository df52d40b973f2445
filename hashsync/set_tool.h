/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * set_tool.h - what the files of `hashwall-set` share: exit codes, JSON
 * output, and the PDQ commands of set_tool_pdq.c (docs/hashwall-set.md).
 */
#ifndef HASHWALL_HASHSYNC_SET_TOOL_H
#define HASHWALL_HASHSYNC_SET_TOOL_H

#include "hashsync/hws.h"

#include <cjson/cJSON.h>

/* Exit codes: lookup's "absent" is 1; usage and failures are 2 and up. */
enum { EXIT_ABSENT = 1, EXIT_USAGE = 2, EXIT_FAIL = 3 };

/* Print @obj on one line and free it; 0, or EXIT_FAIL when out of memory. */
int set_print_json(cJSON *obj);

/*
 * `lookup FILE ALGO HEX` for a perceptual algorithm: the entries of @set
 * within @max_dist of @digest, nearest first, with their distances.
 * Returns the exit code (EXIT_ABSENT when there is none).
 */
int set_lookup_near(const struct hws_set *set, enum hwall_algo algo, const uint8_t *digest,
		    unsigned int max_dist);

/* `pdq IMAGE...`: the PDQ hash and quality of each image file.  Returns the
 * exit code. */
int set_cmd_pdq(int argc, char **argv);

#endif
