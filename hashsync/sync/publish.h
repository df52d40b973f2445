/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * publish.h - what the parts of hashwall-publish share: the parsed options
 * and the commands each file implements (publish_main.c: keygen, snapshot,
 * delta, rotate; publish_push.c: push; publish_export.c: export).
 */
#ifndef HASHWALL_HASHSYNC_PUBLISH_H
#define HASHWALL_HASHSYNC_PUBLISH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit codes: 0 success, 1 refused by the appliance, 2 usage, 3 failure. */
enum { PUB_EXIT_REFUSED = 1, PUB_EXIT_USAGE = 2, PUB_EXIT_FAIL = 3 };

struct pub_opts {
	const char *secret, *new_secret, *public_path, *set, *in, *add, *remove, *out;
	const char *url, *token_file, *cacert, *dir, *keys, *expires;
	uint64_t version, base, threshold;
	bool has_version, has_base;
	bool insecure_http; /* push: allow http://, which sends the token in clear */
	mode_t umask; /* the process's: bundles and exports are made as open(2) would */
	char **args; /* positional arguments */
	int n_args;
};

int pub_cmd_push(const struct pub_opts *o);
int pub_cmd_export(const struct pub_opts *o);

#endif
