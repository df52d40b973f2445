/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_publish.h - building and signing bundles: what hashwall-publish does
 * for a hotline, and what the tests use to make genuine and forged bundles.
 *
 * Records are collected per operation and algorithm in a payload builder,
 * then sync_publish_build() lays out the payload in wire order, hashes it,
 * writes the manifest and signs it with each secret key.
 */
#ifndef HASHWALL_HASHSYNC_SYNC_PUBLISH_H
#define HASHWALL_HASHSYNC_SYNC_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "sync_bundle.h"
#include "sync_trust.h"

struct sync_payload_builder;

/* A new, empty payload builder; NULL with errno = ENOMEM. */
struct sync_payload_builder *sync_payload_builder_new(void);

/* Free; accepts NULL. */
void sync_payload_builder_free(struct sync_payload_builder *pb);

/* Append one record.  Returns 0, -EINVAL (bad algorithm), -ENOMEM. */
int sync_payload_builder_add(struct sync_payload_builder *pb, const struct sync_record *r);

/*
 * Build a bundle.  @m supplies set, kind, version, base, created, expires
 * and (for root bundles) the new root; counts, payload size and SHA-256 are
 * filled in from @pb (which may be NULL for no records).  Signed by each of
 * the @n_secrets keys.  *ret_buf is allocated (free()).  Returns 0,
 * -EINVAL (a manifest that would not verify, e.g. removes in a snapshot),
 * -ENOMEM.
 */
int sync_publish_build(const struct sync_manifest *m, const struct sync_payload_builder *pb,
		       const uint8_t (*secrets)[SYNC_SECKEY_LEN], unsigned int n_secrets,
		       uint8_t **ret_buf, size_t *ret_len);

#endif
