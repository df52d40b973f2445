/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_verify.h - the one verification pipeline every bundle goes through
 * (push, pull and `hashwall-syncd verify` alike), in this order:
 *
 *   1. sizes: header fields against the caps, then the actual length
 *   2. signatures: a threshold of the trusted root's keys over the manifest
 *   3. the manifest: parsed strictly; its set must be the expected one, its
 *      creation time at most caps->created_skew seconds in the future
 *   4. declared payload size equals the actual payload size
 *   5. version greater than the installed one and than any version ever
 *      installed (root: exactly root + 1)
 *   6. a delta's base equals the installed version
 *   7. not expired
 *   8. payload SHA-256
 *   9. root rotation only: a threshold of the new keys signs too
 *
 * Nothing here touches the disk: the caller passes what is installed and
 * gets back the verified manifest and payload, or the refusal.
 */
#ifndef HASHWALL_HASHSYNC_SYNC_VERIFY_H
#define HASHWALL_HASHSYNC_SYNC_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "sync_bundle.h"

/* What the appliance trusts and has installed for one set. */
struct sync_trusted {
	char set[SYNC_SET_ID_MAX + 1];
	struct sync_root root;
	uint64_t installed_version; /* 0: nothing installed yet */
	uint64_t version_floor;     /* highest version ever installed (rollback floor) */
};

/* A bundle that passed: its manifest and payload (pointing into the buffer). */
struct sync_verified {
	struct sync_manifest m;
	const uint8_t *payload;
};

/*
 * Run the pipeline over the @len bytes at @buf for the set described by @t
 * at time @now (unix seconds).  Returns 0 with *ret filled, or -EPERM with
 * @v naming the first check that failed.
 */
int sync_verify(const uint8_t *buf, size_t len, const struct sync_caps *caps,
		const struct sync_trusted *t, int64_t now, struct sync_verified *ret,
		struct sync_verdict *v);

#endif
