/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_publish.c - payload builder, manifest and signatures (see
 * sync_publish.h).
 */
#include "sync_publish.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

struct sync_payload_builder {
	uint8_t *buf[2][HWALL_ALGO_COUNT];
	size_t len[2][HWALL_ALGO_COUNT];
	size_t cap[2][HWALL_ALGO_COUNT];
	uint64_t count[2][HWALL_ALGO_COUNT];
};

struct sync_payload_builder *sync_payload_builder_new(void)
{
	struct sync_payload_builder *pb = calloc(1, sizeof(*pb));

	if (!pb)
		errno = ENOMEM;
	return pb;
}

void sync_payload_builder_free(struct sync_payload_builder *pb)
{
	if (!pb)
		return;
	for (int op = 0; op < 2; op++)
		for (int a = 0; a < HWALL_ALGO_COUNT; a++)
			free(pb->buf[op][a]);
	free(pb);
}

int sync_payload_builder_add(struct sync_payload_builder *pb, const struct sync_record *r)
{
	int op = r->remove ? 1 : 0;
	size_t need;

	if ((unsigned int)r->algo >= HWALL_ALGO_COUNT)
		return -EINVAL;
	need = pb->len[op][r->algo] + HWALL_DIGEST_MAX + 5;
	if (need > pb->cap[op][r->algo]) {
		size_t cap = pb->cap[op][r->algo] ? pb->cap[op][r->algo] * 2 : 4096;
		uint8_t *n = realloc(pb->buf[op][r->algo], cap);
		if (!n)
			return -ENOMEM;
		pb->buf[op][r->algo] = n;
		pb->cap[op][r->algo] = cap;
	}
	pb->len[op][r->algo] += sync_record_encode(r, pb->buf[op][r->algo] + pb->len[op][r->algo]);
	pb->count[op][r->algo]++;
	return 0;
}

/* Concatenate the builder's sections in wire order (adds, then removes). */
static uint8_t *layout_payload(const struct sync_payload_builder *pb, struct sync_manifest *m)
{
	size_t total = 0, off = 0;
	uint8_t *payload;

	for (int op = 0; pb && op < 2; op++)
		for (int a = 0; a < HWALL_ALGO_COUNT; a++)
			total += pb->len[op][a];
	payload = malloc(total ? total : 1);
	if (!payload)
		return NULL;
	for (int op = 0; pb && op < 2; op++) {
		for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
			if (pb->len[op][a])
				memcpy(payload + off, pb->buf[op][a], pb->len[op][a]);
			off += pb->len[op][a];
			(op ? m->removes : m->adds)[a] = pb->count[op][a];
		}
	}
	m->payload_size = total;
	SHA256(payload, total, m->payload_sha256);
	return payload;
}

int sync_publish_build(const struct sync_manifest *tmpl, const struct sync_payload_builder *pb,
		       const uint8_t (*secrets)[SYNC_SECKEY_LEN], unsigned int n_secrets,
		       uint8_t **ret_buf, size_t *ret_len)
{
	struct sync_manifest m = *tmpl;
	uint8_t sigs[SYNC_MAX_SIGS][SYNC_SIG_ENTRY_LEN];
	char *json = NULL;
	uint8_t *payload;
	int r;

	if (n_secrets < 1 || n_secrets > SYNC_MAX_SIGS)
		return -EINVAL;
	payload = layout_payload(pb, &m);
	if (!payload)
		return -ENOMEM;
	r = sync_manifest_format(&m, &json);
	if (r < 0)
		goto out_free_payload;
	for (unsigned int i = 0; i < n_secrets && r == 0; i++)
		r = sync_sign_manifest((const uint8_t *)json, strlen(json), secrets[i], sigs[i]);
	if (r == 0)
		r = sync_bundle_assemble(json, &sigs[0][0], n_secrets, payload, m.payload_size, ret_buf,
					 ret_len);
	free(json);
out_free_payload:
	free(payload);
	return r;
}
