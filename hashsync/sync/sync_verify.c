/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_verify.c - the verification pipeline (order in sync_verify.h).
 */
#include "sync_verify.h"
#include "sync_trust.h"
#include "common/errors.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <openssl/sha.h>

static int check_version(const struct sync_manifest *m, const struct sync_trusted *t,
			 struct sync_verdict *v)
{
	if (m->kind == SYNC_KIND_ROOT) {
		if (m->version != t->root.version + 1)
			return sync_refuse(v, SYNC_REFUSE_VERSION,
					   "root version %" PRIu64 ", expected %" PRIu64, m->version,
					   t->root.version + 1);
		return 0;
	}
	if (m->version <= t->installed_version)
		return sync_refuse(v, SYNC_REFUSE_VERSION,
				   "%s version %" PRIu64 " is not newer than the installed %" PRIu64,
				   sync_kind_name(m->kind), m->version, t->installed_version);
	if (m->version <= t->version_floor)
		return sync_refuse(v, SYNC_REFUSE_VERSION,
				   "%s version %" PRIu64 " is not newer than version %" PRIu64
				   " installed before", sync_kind_name(m->kind), m->version, t->version_floor);
	if (m->kind == SYNC_KIND_DELTA && m->base != t->installed_version)
		return sync_refuse(v, SYNC_REFUSE_BASE,
				   "delta on version %" PRIu64 " but version %" PRIu64 " is installed",
				   m->base, t->installed_version);
	return 0;
}

int sync_verify(const uint8_t *buf, size_t len, const struct sync_caps *caps,
		const struct sync_trusted *t, int64_t now, struct sync_verified *ret,
		struct sync_verdict *v)
{
	struct sync_bundle b;
	struct sync_manifest m;
	uint8_t digest[SHA256_DIGEST_LENGTH];

	HWALL_TRY(sync_bundle_split(buf, len, caps, &b, v));
	HWALL_TRY(sync_check_threshold(&b, &t->root, SYNC_OK, "trusted", v));
	HWALL_TRY(sync_manifest_parse(b.manifest, b.manifest_len, &m, v));
	if (strcmp(m.set, t->set) != 0)
		return sync_refuse(v, SYNC_REFUSE_WRONG_SET, "bundle for set \"%s\", expected \"%s\"",
				   m.set, t->set);
	/* A creation time far ahead is a signer's broken clock, or a bundle
	 * made to outlive the keys that signed it. */
	if (m.created > now && m.created - now > (int64_t)caps->created_skew)
		return sync_refuse(v, SYNC_REFUSE_BAD_MANIFEST,
				   "created: %" PRId64 " lies %" PRId64 " s ahead of this appliance's clock "
				   "(more than max_clock_skew, %" PRIu32 " s)",
				   m.created, m.created - now, caps->created_skew);
	if (m.payload_size != b.payload_len)
		return sync_refuse(v, SYNC_REFUSE_PAYLOAD_SIZE,
				   "payload of %" PRIu64 " bytes, manifest declares %" PRIu64,
				   b.payload_len, m.payload_size);
	HWALL_TRY(check_version(&m, t, v));
	if (m.expires <= now)
		return sync_refuse(v, SYNC_REFUSE_EXPIRED, "expired at %" PRId64 ", now %" PRId64,
				   m.expires, now);
	SHA256(b.payload, (size_t)b.payload_len, digest);
	if (memcmp(digest, m.payload_sha256, sizeof(digest)) != 0)
		return sync_refuse(v, SYNC_REFUSE_PAYLOAD_DIGEST, "payload SHA-256 does not match the manifest");
	if (m.kind == SYNC_KIND_ROOT)
		HWALL_TRY(sync_check_threshold(&b, &m.root, SYNC_REFUSE_ROOT_NEW_KEYS, "new root", v));
	ret->m = m;
	ret->payload = b.payload;
	return 0;
}
