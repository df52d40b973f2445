/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * check.h - the state and the steps of check_replay (see check_replay.c):
 * load the manifest and the replay's JSON lines, then check the object
 * events, the match events and the stats event, counting failures.
 */
#ifndef HASHWALL_TESTS_INTEGRATION_DATAPLANE_CHECK_H
#define HASHWALL_TESTS_INTEGRATION_DATAPLANE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define CHK_RULES_MAX 32

/* One expected object of the manifest and what the events said of it. */
struct chk_obj {
	const cJSON *m;
	const char *path;
	const char *expect; /* complete, incomplete, optional, resync, unseen */
	const cJSON *known; /* NULL when not known */
	const char *client; /* plain client address of its flow (manifest) */
	size_t reported;
	size_t matched;
};

/* A counter rule from the command line: 'M' min, 'F' min from manifest,
 * 'z' zero; spec is "name=value" or "name". */
struct chk_rule {
	char kind;
	const char *spec;
};

struct chk {
	const char *manifest_path, *events_path, *set_id;
	long long set_version; /* -1: not checked */
	bool no_set;           /* replay ran without a set: no match at all */
	bool resync_required;  /* "resync" objects must be reported complete */
	unsigned int algos;    /* --algos: exactly these digests (1u << enum
	                        * hwall_algo); 0: at least xxh3-128 and md5 */
	int loops;
	struct chk_rule rules[CHK_RULES_MAX];
	size_t nrules;

	cJSON *manifest;
	cJSON **events;
	size_t nevents;
	struct chk_obj *objs;
	size_t nobjs;
	const cJSON *stats;

	/* client address -> pseudonym, as first seen in the events */
	struct { const char *plain, *pseudonym; } *clients;
	size_t nclients;

	size_t nobject_events, nmatch_events, unattributed, failures;
};

/* Read both files.  Returns 0, or -errno/-EINVAL after printing why. */
int chk_load(struct chk *c);
/* The object events against the manifest. */
void chk_objects(struct chk *c);
/* The match events against the known objects. */
void chk_matches(struct chk *c);
/* The stats event and the counter rules. */
void chk_stats(struct chk *c);
/* Free what chk_load() allocated. */
void chk_free(struct chk *c);

/* Print one failure (the first 60 are printed, all are counted). */
void chk_fail(struct chk *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
