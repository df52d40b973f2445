/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * allowlist.h - the local allowlist: digests that must not raise a match.
 *
 * controld writes it (`allowlist_file`, docs/controld.md) when a reviewer
 * marks a candidate false_positive: one "ALGO HEX SET" line per digest
 * allowlisted for one set, "ALGO HEX" for one allowlisted for every set
 * (an admin's decision); lines starting with '#' are comments.  The
 * dataplane loads it into an immutable open-addressing hash table of
 * (algorithm, digest, scope) that the verdict stage consults for every set
 * hit (verdict.h): a hit is skipped when its digest is allowlisted for
 * every set or for the set hit; a hit in another set still matches.  It is
 * published with the set list (live.h), so workers read it without locks
 * while the control thread replaces it.
 */
#ifndef HASHWALL_DATAPLANE_ALLOWLIST_H
#define HASHWALL_DATAPLANE_ALLOWLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/algo.h"
#include "common/errors.h"
#include "hashsync/hws.h"

#define DP_ALLOWLIST_MAX (1u << 22)   /* entries: a local list of false positives */
#define DP_ALLOWLIST_LINE_MAX 256     /* bytes of one line, newline excluded */
#define DP_ALLOWLIST_SETS_MAX 256     /* distinct sets named in one file */
#define DP_ALLOWLIST_SET_ID_MAX HWS_ID_MAX /* bytes of a set id */

struct dp_allow_slot {
	uint64_t tag;   /* 0: empty; else the hash of (algo, digest) with the low bit set */
	uint16_t scope; /* 0: every set; else 1 + index into dp_allowlist.sets */
	uint8_t algo;
	uint8_t digest[HWALL_DIGEST_MAX];
};

/* Immutable once built; freed with dp_allowlist_free(). */
struct dp_allowlist {
	uint32_t n;              /* distinct entries */
	uint32_t slot_mask;      /* slots - 1 (a power of two, at least 2n) */
	struct dp_allow_slot *slots;
	uint32_t n_sets;         /* sets named by scoped entries */
	char (*sets)[DP_ALLOWLIST_SET_ID_MAX + 1];
	/* The file it came from, to notice that controld replaced it. */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/*
 * Parse the @len bytes at @text (the file's format above; blank lines and
 * '#' comments skipped, spaces or tabs around the fields allowed, hex in
 * either case, a set id of 1..DP_ALLOWLIST_SET_ID_MAX printable ASCII
 * bytes, duplicates kept once; an empty text is an empty list).  Returns
 * 0 with *ret_list (caller frees), or -EINVAL with @err saying "line N:
 * why", -E2BIG over DP_ALLOWLIST_MAX entries or DP_ALLOWLIST_SETS_MAX
 * sets, -ENOMEM.
 */
int dp_allowlist_parse(const char *text, size_t len, struct dp_allowlist **ret_list,
		       struct hwall_err *err);

/*
 * Read and parse the file at @path (and remember its identity for
 * dp_allowlist_changed()).  Returns 0 with *ret_list (caller frees), or
 * -errno with @err naming the file and the reason ("PATH: line 3: ...").
 */
int dp_allowlist_load(const char *path, struct dp_allowlist **ret_list, struct hwall_err *err);

/* Whether (@algo, @digest of hwall_algo_len(algo) bytes) is allowlisted in
 * @l (NULL: no) for every set or for the set whose id is @set. */
bool dp_allowlist_contains(const struct dp_allowlist *l, enum hwall_algo algo,
			   const uint8_t *digest, const char *set);

/*
 * Whether the file at @path is no longer the one @l was loaded from
 * (another inode, size or modification time; controld replaces it by
 * rename).  @l NULL: true when the file exists.  A file that cannot be
 * stat'ed now is not a change (the list in use stays).
 */
bool dp_allowlist_changed(const struct dp_allowlist *l, const char *path);

/* Free @l; accepts NULL. */
void dp_allowlist_free(struct dp_allowlist *l);

#endif
