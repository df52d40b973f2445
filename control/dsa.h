/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dsa.h - what EU Regulation 2022/2065 (the Digital Services Act) asks a
 * hoster to show (docs/dsa.md): a statement of reasons for each decision to
 * remove or disable content (art. 17), in the fields of the DSA
 * Transparency Database's submission schema, and the transparency figures
 * of a period (art. 15): detections, reviews and actions by list and
 * category, the share detected automatically, the median time from
 * detection to action, false positives.
 *
 * Both are built from the store (reviews by time, candidates by first
 * sighting) by the API (api_dsa.c); nothing here writes.
 */
#ifndef HASHWALL_CONTROL_DSA_H
#define HASHWALL_CONTROL_DSA_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "control/store.h"

/* What the statements say that controld cannot know: the hoster's legal
 * ground, where the decision applies, how to seek redress.  NULL or 0
 * fields: the defaults (docs/dsa.md). */
struct ctl_dsa_config {
	const char *legal_ground;
	const char *explanation_prefix; /* before the facts; NULL: none */
	const char *const *territorial_scope; /* ISO 3166-1 alpha-2 codes */
	size_t n_scope;
	const char *source_type;        /* "SOURCE_VOLUNTARY" */
	const char *redress;
	const char *puid_prefix;        /* "hashwall-" */
};

/*
 * Statements of reasons for every review in [@since, @until] that moved a
 * candidate to taken_down (content removed) or, with @with_confirmed, to
 * confirmed (access disabled by the block): a JSON object {"generated",
 * "since", "until", "statements": [...]} (docs/dsa.md).  NULL with *@ret_r
 * set (-EIO, -ENOMEM) on failure.
 */
cJSON *ctl_dsa_statements(struct ctl_store *s, const struct ctl_dsa_config *cfg, int64_t since,
			  int64_t until, bool with_confirmed, int64_t now, int *ret_r);

/*
 * The transparency figures of [@since, @until] as a JSON object
 * (docs/dsa.md).  NULL with *@ret_r set on failure.
 */
cJSON *ctl_dsa_transparency(struct ctl_store *s, int64_t since, int64_t until, int64_t now,
			    int *ret_r);

/* The same figures as CSV rows "section,key,value" (RFC 4180, every field
 * quoted), from the JSON of ctl_dsa_transparency(); malloc'ed, length in
 * *@ret_len; NULL when out of memory. */
char *ctl_dsa_transparency_csv(const cJSON *report, size_t *ret_len);

#endif
