/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for the verification pipeline (hashsync/sync/sync_verify.c):
 * the refusal half of the conformance suite, each case refused with the
 * reason the protocol names, and the genuine bundles accepted.
 */
#include "sync_fixture.h"

static struct fx fx;

/* Manifest length, from the header of @buf. */
static size_t manifest_len(const uint8_t *buf)
{
	return (size_t)buf[12] << 24 | (size_t)buf[13] << 16 | (size_t)buf[14] << 8 | buf[15];
}

/* A snapshot at @version with 10 records of @seed, signed by key 0. */
static uint8_t *snapshot(uint64_t version, uint64_t seed, size_t *ret_len)
{
	struct sync_manifest m = fx_manifest(SYNC_KIND_SNAPSHOT, version, 0);
	return fx_bundle(&fx, &m, seed, 10, 0, 1, ret_len);
}

/* Verify @buf with @installed as the installed version. */
static enum sync_refusal verify_at(const uint8_t *buf, size_t len, uint64_t installed)
{
	enum sync_refusal r;

	fx.trusted.installed_version = installed;
	r = fx_verify(&fx, buf, len);
	fx.trusted.installed_version = 0;
	return r;
}

static void test_snapshot_accepted(void)
{
	struct sync_verified out;
	struct sync_verdict v;
	size_t len;
	uint8_t *b = snapshot(5, 1, &len);

	CU_ASSERT_EQUAL(sync_verify(b, len, &fx.caps, &fx.trusted, FX_NOW, &out, &v), 0);
	CU_ASSERT_EQUAL(out.m.version, 5);
	CU_ASSERT_EQUAL(out.m.kind, SYNC_KIND_SNAPSHOT);
	CU_ASSERT_EQUAL(out.m.adds[HWALL_ALGO_MD5], 5);
	CU_ASSERT_EQUAL(out.m.adds[HWALL_ALGO_SHA256], 5);
	CU_ASSERT_PTR_EQUAL(out.payload, b + len - out.m.payload_size);
	free(b);
}

static void test_version_not_newer(void)
{
	size_t l1, l2;
	uint8_t *lower = snapshot(6, 1, &l1), *same = snapshot(7, 99, &l2);

	CU_ASSERT_EQUAL(verify_at(lower, l1, 7), SYNC_REFUSE_VERSION);
	CU_ASSERT_EQUAL(verify_at(same, l2, 7), SYNC_REFUSE_VERSION);
	CU_ASSERT_EQUAL(verify_at(same, l2, 6), SYNC_OK);
	/* Nothing installed (a lost set file), but version 7 was once: the floor holds. */
	fx.trusted.version_floor = 7;
	CU_ASSERT_EQUAL(verify_at(same, l2, 0), SYNC_REFUSE_VERSION);
	fx.trusted.version_floor = 6;
	CU_ASSERT_EQUAL(verify_at(same, l2, 0), SYNC_OK);
	fx.trusted.version_floor = 0;
	free(lower);
	free(same);
}

static void test_expired(void)
{
	struct sync_manifest m = fx_manifest(SYNC_KIND_SNAPSHOT, 3, 0);
	size_t len;
	uint8_t *b;

	m.created = FX_NOW - 100;
	m.expires = FX_NOW;
	b = fx_bundle(&fx, &m, 1, 3, 0, 1, &len);
	CU_ASSERT_EQUAL(fx_verify(&fx, b, len), SYNC_REFUSE_EXPIRED);
	free(b);
}

static void test_unknown_key_and_threshold(void)
{
	struct sync_manifest m = fx_manifest(SYNC_KIND_SNAPSHOT, 3, 0);
	size_t l1, l2, l3;
	uint8_t *unknown = fx_bundle(&fx, &m, 1, 3, 4, 1, &l1);  /* key 4: not in the root */
	uint8_t *one = fx_bundle(&fx, &m, 1, 3, 0, 1, &l2);      /* key 0 */
	uint8_t *two = fx_bundle(&fx, &m, 1, 3, 1, 2, &l3);      /* keys 1 and 2 */

	fx.trusted.root.threshold = 2;
	CU_ASSERT_EQUAL(fx_verify(&fx, unknown, l1), SYNC_REFUSE_UNKNOWN_KEY);
	CU_ASSERT_EQUAL(fx_verify(&fx, one, l2), SYNC_REFUSE_THRESHOLD);
	CU_ASSERT_EQUAL(fx_verify(&fx, two, l3), SYNC_OK);
	fx.trusted.root.threshold = 1;
	free(unknown);
	free(one);
	free(two);
}

/* The same key signing twice counts once. */
static void test_duplicate_signature_counts_once(void)
{
	struct sync_manifest m = fx_manifest(SYNC_KIND_SNAPSHOT, 3, 0);
	uint8_t twice[2][SYNC_SECKEY_LEN];
	uint8_t *b = NULL;
	size_t len;

	memcpy(twice[0], fx.sec[0], SYNC_SECKEY_LEN);
	memcpy(twice[1], fx.sec[0], SYNC_SECKEY_LEN);
	CU_ASSERT_FATAL(sync_publish_build(&m, NULL, (const uint8_t(*)[SYNC_SECKEY_LEN])twice, 2, &b,
					   &len) == 0);
	fx.trusted.root.threshold = 2;
	CU_ASSERT_EQUAL(fx_verify(&fx, b, len), SYNC_REFUSE_THRESHOLD);
	fx.trusted.root.threshold = 1;
	free(b);
}

/* One flipped bit in the manifest, a signature, the payload. */
static void test_flipped_bits(void)
{
	size_t len, m_len;
	uint8_t *b = snapshot(3, 1, &len);

	m_len = manifest_len(b);
	b[SYNC_HEADER_LEN + m_len / 2] ^= 0x04;
	CU_ASSERT_EQUAL(fx_verify(&fx, b, len), SYNC_REFUSE_BAD_SIGNATURE);
	b[SYNC_HEADER_LEN + m_len / 2] ^= 0x04;
	b[SYNC_HEADER_LEN + m_len + SYNC_KEYID_LEN + 10] ^= 0x80;
	CU_ASSERT_EQUAL(fx_verify(&fx, b, len), SYNC_REFUSE_BAD_SIGNATURE);
	b[SYNC_HEADER_LEN + m_len + SYNC_KEYID_LEN + 10] ^= 0x80;
	b[SYNC_HEADER_LEN + m_len + 3] ^= 0x01; /* in the key id */
	CU_ASSERT_EQUAL(fx_verify(&fx, b, len), SYNC_REFUSE_UNKNOWN_KEY);
	b[SYNC_HEADER_LEN + m_len + 3] ^= 0x01;
	b[len - 7] ^= 0x10;
	CU_ASSERT_EQUAL(fx_verify(&fx, b, len), SYNC_REFUSE_PAYLOAD_DIGEST);
	b[len - 7] ^= 0x10;
	CU_ASSERT_EQUAL(fx_verify(&fx, b, len), SYNC_OK);
	free(b);
}

static void test_truncated_and_longer(void)
{
	size_t len;
	uint8_t *b = snapshot(3, 1, &len), *longer = malloc(len + 1);

	CU_ASSERT_EQUAL(fx_verify(&fx, b, len - 1), SYNC_REFUSE_TRUNCATED);
	CU_ASSERT_EQUAL(fx_verify(&fx, b, 10), SYNC_REFUSE_TRUNCATED);
	CU_ASSERT_EQUAL(fx_verify(&fx, b, SYNC_HEADER_LEN + 5), SYNC_REFUSE_TRUNCATED);
	memcpy(longer, b, len);
	longer[len] = 0;
	/* One byte more than the header says. */
	CU_ASSERT_EQUAL(fx_verify(&fx, longer, len + 1), SYNC_REFUSE_PAYLOAD_SIZE);
	/* One byte more, with the unsigned header adjusted to match. */
	longer[23]++;
	CU_ASSERT_EQUAL(fx_verify(&fx, longer, len + 1), SYNC_REFUSE_PAYLOAD_SIZE);
	free(longer);
	free(b);
}

static void test_caps(void)
{
	size_t len;
	uint8_t *b = snapshot(3, 1, &len);
	uint8_t hdr[SYNC_HEADER_LEN];

	fx.caps.manifest_bytes = (uint32_t)manifest_len(b) - 1;
	CU_ASSERT_EQUAL(fx_verify(&fx, b, len), SYNC_REFUSE_MANIFEST_TOO_LARGE);
	fx.caps.manifest_bytes = 4096;
	fx.caps.bundle_bytes = len - 1;
	CU_ASSERT_EQUAL(fx_verify(&fx, b, len), SYNC_REFUSE_TOO_LARGE);
	fx.caps.bundle_bytes = 1u << 20;
	/* A header announcing a huge payload is refused from the header alone. */
	memcpy(hdr, b, sizeof(hdr));
	hdr[16] = 0x40;
	CU_ASSERT_EQUAL(fx_verify(&fx, hdr, sizeof(hdr)), SYNC_REFUSE_TOO_LARGE);
	hdr[16] = 0;
	hdr[10] = 0x01; /* 257 signatures */
	CU_ASSERT_EQUAL(fx_verify(&fx, hdr, sizeof(hdr)), SYNC_REFUSE_TOO_MANY_SIGNATURES);
	hdr[0] = 'X';
	CU_ASSERT_EQUAL(fx_verify(&fx, hdr, sizeof(hdr)), SYNC_REFUSE_BAD_HEADER);
	free(b);
}

static void test_delta_base(void)
{
	struct sync_manifest m = fx_manifest(SYNC_KIND_DELTA, 8, 7);
	size_t len;
	uint8_t *b = fx_bundle(&fx, &m, 1, 4, 0, 1, &len);

	CU_ASSERT_EQUAL(verify_at(b, len, 7), SYNC_OK);
	CU_ASSERT_EQUAL(verify_at(b, len, 6), SYNC_REFUSE_BASE);
	CU_ASSERT_EQUAL(verify_at(b, len, 0), SYNC_REFUSE_BASE);
	/* Replayed after it was applied (installed 8), or after a later one. */
	CU_ASSERT_EQUAL(verify_at(b, len, 8), SYNC_REFUSE_VERSION);
	CU_ASSERT_EQUAL(verify_at(b, len, 9), SYNC_REFUSE_VERSION);
	free(b);
}

static void test_wrong_set(void)
{
	struct sync_manifest m = fx_manifest(SYNC_KIND_SNAPSHOT, 3, 0);
	size_t len;
	uint8_t *b;

	strcpy(m.set, "other-set");
	b = fx_bundle(&fx, &m, 1, 4, 0, 1, &len);
	CU_ASSERT_EQUAL(fx_verify(&fx, b, len), SYNC_REFUSE_WRONG_SET);
	free(b);
}

/* The verdict for @b with its manifest replaced by @prefix, the manifest
 * text with @from replaced by @to, and @suffix; signed by key 0. */
static struct sync_verdict remanifest(const uint8_t *b, size_t len, const char *prefix,
				      const char *from, const char *to, const char *suffix)
{
	size_t m_len = manifest_len(b), out_len;
	char text[4096], full[8192], *at;
	struct sync_verified out;
	struct sync_verdict v = { .reason = SYNC_OK };
	uint8_t *forged;
	int n;

	memcpy(text, b + SYNC_HEADER_LEN, m_len);
	text[m_len] = '\0';
	at = strstr(text, from);
	CU_ASSERT_FATAL(at != NULL);
	*at = '\0';
	n = snprintf(full, sizeof(full), "%s%s%s%s%s", prefix, text, to, at + strlen(from), suffix);
	CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(full));
	forged = fx_resign(&fx, b, len, full, (size_t)n, 0, &out_len);
	sync_verify(forged, out_len, &fx.caps, &fx.trusted, FX_NOW, &out, &v);
	free(forged);
	return v;
}

/* Issue 14, item 12: the manifest is strict JSON; what a signer sends
 * has one reading ("version":25 ... "version":125 installed 25 before).
 * Each case: the manifest with @from replaced by @to, between @prefix and
 * @suffix, and the start of the detail it is refused with. */
static const struct {
	const char *prefix, *from, *to, *suffix;
	enum sync_refusal reason;
	const char *detail;
} manifest_cases[] = {
	{ "", "\"kind\"", "\"version\":125,\"kind\"", "", SYNC_REFUSE_BAD_MANIFEST, "version: duplicate key" },
	{ "", "\"payload\":{", "\"payload\":{\"size\":0,", "", SYNC_REFUSE_BAD_MANIFEST,
	  "payload.size: duplicate key" },
	{ "", "\"type\"", "\"type\"", "x", SYNC_REFUSE_BAD_MANIFEST,
	  "(root): unexpected text after the JSON value at byte" },
	{ "", "\"type\"", "\"type\"", "{}", SYNC_REFUSE_BAD_MANIFEST,
	  "(root): unexpected text after the JSON value at byte" },
	{ "\xef\xbb\xbf", "\"type\"", "\"type\"", "", SYNC_REFUSE_BAD_MANIFEST,
	  "(root): byte-order mark at byte 0" },
	/* Integers as written: 25.0 and 025 would both read as 25. */
	{ "", "\"version\":25", "\"version\":25.0", "", SYNC_REFUSE_BAD_MANIFEST,
	  "(root): number with a fraction or an exponent at byte" },
	{ "", "\"version\":25", "\"version\":025", "", SYNC_REFUSE_BAD_MANIFEST,
	  "(root): JSON syntax error at byte" },
	/* JSON whitespace around the object is JSON: the same manifest passes. */
	{ " ", "\"type\"", "\"type\"", "\n", SYNC_OK, "" },
};

static void test_manifest_strict_json(void)
{
	size_t len;
	uint8_t *b = snapshot(25, 1, &len);
	struct sync_verdict v;

	for (size_t i = 0; i < sizeof(manifest_cases) / sizeof(manifest_cases[0]); i++) {
		v = remanifest(b, len, manifest_cases[i].prefix, manifest_cases[i].from,
			       manifest_cases[i].to, manifest_cases[i].suffix);
		CU_ASSERT_EQUAL(v.reason, manifest_cases[i].reason);
		CU_ASSERT_EQUAL(strncmp(v.detail.msg, manifest_cases[i].detail,
					strlen(manifest_cases[i].detail)), 0);
	}
	free(b);
}

/* Issue 14, item 13: "created" at most created_skew ahead of the clock. */
static void test_created_skew(void)
{
	struct sync_manifest m = fx_manifest(SYNC_KIND_SNAPSHOT, 3, 0);
	struct sync_verified out;
	struct sync_verdict v = { .reason = SYNC_OK };
	size_t l1, l2;
	uint8_t *ahead, *edge;

	m.created = FX_NOW + SYNC_DEFAULT_CREATED_SKEW + 1;
	m.expires = m.created + 3600;
	ahead = fx_bundle(&fx, &m, 1, 3, 0, 1, &l1);
	m.created = FX_NOW + SYNC_DEFAULT_CREATED_SKEW;
	edge = fx_bundle(&fx, &m, 1, 3, 0, 1, &l2);
	CU_ASSERT_EQUAL(sync_verify(ahead, l1, &fx.caps, &fx.trusted, FX_NOW, &out, &v), -EPERM);
	CU_ASSERT_EQUAL(v.reason, SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_PTR_NOT_NULL(strstr(v.detail.msg, "86401 s ahead"));
	CU_ASSERT_EQUAL(fx_verify(&fx, edge, l2), SYNC_OK);
	fx.caps.created_skew = 60;
	CU_ASSERT_EQUAL(fx_verify(&fx, edge, l2), SYNC_REFUSE_BAD_MANIFEST);
	fx.caps.created_skew = SYNC_DEFAULT_CREATED_SKEW;
	free(ahead);
	free(edge);
}

/* A root bundle moving trust to keys 3..5 with threshold 2. */
static uint8_t *rotation(uint64_t root_version, const unsigned int *signers, unsigned int n,
			 size_t *ret_len)
{
	struct sync_manifest m = fx_manifest(SYNC_KIND_ROOT, root_version, 0);
	uint8_t sec[SYNC_MAX_SIGS][SYNC_SECKEY_LEN];
	uint8_t *b = NULL;

	m.root.version = root_version;
	m.root.threshold = 2;
	m.root.n_keys = 3;
	memcpy(m.root.keys, fx.pub[3], 3 * SYNC_PUBKEY_LEN);
	for (unsigned int i = 0; i < n; i++)
		memcpy(sec[i], fx.sec[signers[i]], SYNC_SECKEY_LEN);
	CU_ASSERT_FATAL(sync_publish_build(&m, NULL, (const uint8_t(*)[SYNC_SECKEY_LEN])sec, n, &b,
					   ret_len) == 0);
	return b;
}

static void test_rotation(void)
{
	static const unsigned int good[] = { 0, 3, 4 }, new_only[] = { 3, 4, 5 },
				  old_only[] = { 0, 1 }, short_new[] = { 0, 3 };
	struct sync_verified out;
	struct sync_verdict v;
	size_t l1, l2, l3, l4, l5;
	uint8_t *ok = rotation(2, good, 3, &l1), *no_old = rotation(2, new_only, 3, &l2),
		*no_new = rotation(2, old_only, 2, &l3), *few_new = rotation(2, short_new, 2, &l4),
		*skip = rotation(3, good, 3, &l5);

	CU_ASSERT_EQUAL(fx_verify(&fx, no_old, l2), SYNC_REFUSE_UNKNOWN_KEY);
	CU_ASSERT_EQUAL(fx_verify(&fx, no_new, l3), SYNC_REFUSE_ROOT_NEW_KEYS);
	CU_ASSERT_EQUAL(fx_verify(&fx, few_new, l4), SYNC_REFUSE_ROOT_NEW_KEYS);
	CU_ASSERT_EQUAL(fx_verify(&fx, skip, l5), SYNC_REFUSE_VERSION);
	CU_ASSERT_EQUAL(sync_verify(ok, l1, &fx.caps, &fx.trusted, FX_NOW, &out, &v), 0);
	CU_ASSERT_EQUAL(out.m.root.version, 2);
	CU_ASSERT_EQUAL(out.m.root.threshold, 2);
	CU_ASSERT_EQUAL(memcmp(out.m.root.keys[0], fx.pub[3], SYNC_PUBKEY_LEN), 0);
	free(ok);
	free(no_old);
	free(no_new);
	free(few_new);
	free(skip);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "snapshot accepted", test_snapshot_accepted },
		{ "lower or same version refused", test_version_not_newer },
		{ "expired manifest refused", test_expired },
		{ "unknown key, below threshold", test_unknown_key_and_threshold },
		{ "one key signing twice counts once", test_duplicate_signature_counts_once },
		{ "flipped bits", test_flipped_bits },
		{ "truncated, one byte longer", test_truncated_and_longer },
		{ "size caps", test_caps },
		{ "delta base and replay", test_delta_base },
		{ "wrong set", test_wrong_set },
		{ "manifest: strict JSON", test_manifest_strict_json },
		{ "created too far ahead", test_created_skew },
		{ "key rotation", test_rotation },
		CU_TEST_INFO_NULL,
	};

	if (fx_init(&fx) < 0)
		return 2;
	return hwall_test_main("sync_verify", tests);
}
