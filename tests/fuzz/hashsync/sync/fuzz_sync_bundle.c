/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_sync_bundle.c - libFuzzer target for what syncd reads from the
 * network before trusting it: the bundle splitter, the manifest parser
 * (called directly on the manifest bytes, since in the pipeline signatures
 * would stop almost every input before it), the payload walker, and the
 * whole verification pipeline against a fixed root.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sync_trust.h"
#include "sync_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_record(const struct sync_record *r, void *ctx)
{
	uint64_t *n = ctx;
	*n += r->digest[0] + r->category + (r->ref & 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sync_caps caps = { .bundle_bytes = 1u << 20, .manifest_bytes = 64u << 10,
					       .created_skew = 86400 };
	struct sync_trusted t = { .set = "nl", .root = { .version = 1, .threshold = 1, .n_keys = 1 },
				  .installed_version = 1 };
	struct sync_bundle b;
	struct sync_manifest m;
	struct sync_verified out;
	struct sync_verdict v;
	uint64_t sum = 0;

	sync_crypto_init();
	memset(t.root.keys[0], 0x5a, SYNC_PUBKEY_LEN);
	if (sync_bundle_split(data, size, &caps, &b, &v) == 0 &&
	    sync_manifest_parse(b.manifest, b.manifest_len, &m, &v) == 0 &&
	    m.payload_size == b.payload_len)
		sync_payload_foreach(&m, b.payload, count_record, &sum);
	/* The manifest parser alone, on the raw input. */
	sync_manifest_parse(data, size, &m, &v);
	sync_verify(data, size, &caps, &t, 1800000000, &out, &v);
	return (int)(sum & 0);
}
