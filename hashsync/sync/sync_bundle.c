/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_bundle.c - splitting bundles, manifest JSON, payload records
 * (see sync_bundle.h for the layout).
 */
#include "sync_bundle.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

static const char *const kind_names[SYNC_KIND_COUNT] = {
	[SYNC_KIND_SNAPSHOT] = "snapshot",
	[SYNC_KIND_DELTA] = "delta",
	[SYNC_KIND_ROOT] = "root",
};

const char *sync_kind_name(enum sync_kind kind)
{
	return (unsigned int)kind < SYNC_KIND_COUNT ? kind_names[kind] : "?";
}

static uint64_t get_be(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = n; i-- > 0; v >>= 8)
		p[i] = (uint8_t)v;
}

uint64_t sync_bundle_announced_len(const uint8_t *hdr)
{
	uint64_t m = get_be(hdr + 12, 4), s = get_be(hdr + 10, 2), p = get_be(hdr + 16, 8);

	if (memcmp(hdr, SYNC_MAGIC, 8) != 0 || p > UINT64_MAX / 2)
		return 0;
	return SYNC_HEADER_LEN + m + s * SYNC_SIG_ENTRY_LEN + p;
}

int sync_bundle_split(const uint8_t *buf, size_t len, const struct sync_caps *caps,
		      struct sync_bundle *ret_bundle, struct sync_verdict *v)
{
	uint64_t m_len, n_sigs, p_len, total;

	if (len < SYNC_HEADER_LEN)
		return sync_refuse(v, SYNC_REFUSE_TRUNCATED, "%zu bytes, shorter than the %d-byte header",
				   len, SYNC_HEADER_LEN);
	if (memcmp(buf, SYNC_MAGIC, 8) != 0)
		return sync_refuse(v, SYNC_REFUSE_BAD_HEADER, "no HWBUNDLE magic");
	if (get_be(buf + 8, 2) != SYNC_FORMAT_VERSION)
		return sync_refuse(v, SYNC_REFUSE_BAD_HEADER, "format version %" PRIu64 " (expected %d)",
				   get_be(buf + 8, 2), SYNC_FORMAT_VERSION);
	n_sigs = get_be(buf + 10, 2);
	m_len = get_be(buf + 12, 4);
	p_len = get_be(buf + 16, 8);
	if (n_sigs == 0)
		return sync_refuse(v, SYNC_REFUSE_BAD_HEADER, "no signatures");
	if (n_sigs > SYNC_MAX_SIGS)
		return sync_refuse(v, SYNC_REFUSE_TOO_MANY_SIGNATURES, "%" PRIu64 " signatures (at most %d)",
				   n_sigs, SYNC_MAX_SIGS);
	if (m_len == 0)
		return sync_refuse(v, SYNC_REFUSE_BAD_HEADER, "empty manifest");
	if (m_len > caps->manifest_bytes || m_len > SYNC_MANIFEST_CAP_MAX)
		return sync_refuse(v, SYNC_REFUSE_MANIFEST_TOO_LARGE, "manifest of %" PRIu64
				   " bytes (cap %" PRIu32 ")", m_len, caps->manifest_bytes);
	if (p_len > caps->bundle_bytes)
		return sync_refuse(v, SYNC_REFUSE_TOO_LARGE, "payload of %" PRIu64 " bytes (cap %" PRIu64 ")",
				   p_len, caps->bundle_bytes);
	total = SYNC_HEADER_LEN + m_len + n_sigs * SYNC_SIG_ENTRY_LEN + p_len;
	if (total > caps->bundle_bytes)
		return sync_refuse(v, SYNC_REFUSE_TOO_LARGE, "bundle of %" PRIu64 " bytes (cap %" PRIu64 ")",
				   total, caps->bundle_bytes);
	if (len < total)
		return sync_refuse(v, SYNC_REFUSE_TRUNCATED, "%zu of %" PRIu64 " bytes", len, total);
	if (len > total)
		return sync_refuse(v, SYNC_REFUSE_PAYLOAD_SIZE, "%" PRIu64 " bytes after the declared payload",
				   (uint64_t)len - total);
	ret_bundle->manifest = buf + SYNC_HEADER_LEN;
	ret_bundle->manifest_len = m_len;
	ret_bundle->sigs = ret_bundle->manifest + m_len;
	ret_bundle->n_sigs = (unsigned int)n_sigs;
	ret_bundle->payload = ret_bundle->sigs + n_sigs * SYNC_SIG_ENTRY_LEN;
	ret_bundle->payload_len = p_len;
	return 0;
}

int sync_bundle_assemble(const char *manifest, const uint8_t *sigs, unsigned int n_sigs,
			 const uint8_t *payload, uint64_t payload_len, uint8_t **ret_buf,
			 size_t *ret_len)
{
	size_t m_len = strlen(manifest), total;
	uint8_t *buf, *p;

	if (n_sigs == 0 || n_sigs > SYNC_MAX_SIGS || m_len == 0 || m_len > SYNC_MANIFEST_CAP_MAX ||
	    payload_len > SIZE_MAX / 2)
		return -EINVAL;
	total = SYNC_HEADER_LEN + m_len + (size_t)n_sigs * SYNC_SIG_ENTRY_LEN + (size_t)payload_len;
	buf = malloc(total);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, SYNC_MAGIC, 8);
	put_be(buf + 8, SYNC_FORMAT_VERSION, 2);
	put_be(buf + 10, n_sigs, 2);
	put_be(buf + 12, m_len, 4);
	put_be(buf + 16, payload_len, 8);
	p = buf + SYNC_HEADER_LEN;
	memcpy(p, manifest, m_len);
	p += m_len;
	memcpy(p, sigs, (size_t)n_sigs * SYNC_SIG_ENTRY_LEN);
	p += (size_t)n_sigs * SYNC_SIG_ENTRY_LEN;
	if (payload_len)
		memcpy(p, payload, (size_t)payload_len);
	*ret_buf = buf;
	*ret_len = total;
	return 0;
}

uint64_t sync_payload_size(const uint64_t adds[HWALL_ALGO_COUNT], const uint64_t removes[HWALL_ALGO_COUNT])
{
	uint64_t total = 0, t;

	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		uint64_t len = hwall_algo_len((enum hwall_algo)a);
		if (__builtin_mul_overflow(adds[a], len + 5, &t) || __builtin_add_overflow(total, t, &total))
			return UINT64_MAX;
		if (__builtin_mul_overflow(removes[a], len, &t) || __builtin_add_overflow(total, t, &total))
			return UINT64_MAX;
	}
	return total;
}

size_t sync_record_encode(const struct sync_record *r, uint8_t *out)
{
	size_t len = hwall_algo_len(r->algo);

	memcpy(out, r->digest, len);
	if (r->remove)
		return len;
	out[len] = r->category;
	put_be(out + len + 1, r->ref, 4);
	return len + 5;
}

int sync_payload_foreach(const struct sync_manifest *m, const uint8_t *payload,
			 int (*fn)(const struct sync_record *r, void *ctx), void *ctx)
{
	const uint8_t *p = payload;
	struct sync_record r;
	int ret;

	for (int op = 0; op < 2; op++) {
		r.remove = op == 1;
		for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
			uint64_t n = r.remove ? m->removes[a] : m->adds[a];
			size_t len = hwall_algo_len((enum hwall_algo)a);
			r.algo = (enum hwall_algo)a;
			r.category = 0;
			r.ref = 0;
			for (uint64_t i = 0; i < n; i++) {
				r.digest = p;
				p += len;
				if (!r.remove) {
					r.category = p[0];
					r.ref = (uint32_t)get_be(p + 1, 4);
					p += 5;
				}
				ret = fn(&r, ctx);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}
