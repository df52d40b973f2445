/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_manifest.c - writes what the generator put on the wire: the manifest
 * (JSON: flows, expected objects with their digests and flags, minimum
 * counter expectations) and the hash-set list of the known objects in the
 * `hashwall-set build` LIST format ("<algo> <hex> <category> <ref>").
 * docs/testing.md describes both files.
 */
#include "gen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/errors.h"

static const char *const gen_expect_names[GEN_EXPECT_COUNT] = {
	[GEN_EXPECT_COMPLETE] = "complete",
	[GEN_EXPECT_INCOMPLETE] = "incomplete",
	[GEN_EXPECT_OPTIONAL] = "optional",
	[GEN_EXPECT_RESYNC] = "resync",
	[GEN_EXPECT_UNSEEN] = "unseen",
	[GEN_EXPECT_ABANDONED] = "abandoned",
	[GEN_EXPECT_REQUEST_LOST] = "request_lost",
};

static void addr_text(const struct gen_flow *f, const uint8_t *a, char *out, size_t n)
{
	inet_ntop(f->o.ipv6 ? AF_INET6 : AF_INET, a, out, (socklen_t)n);
}

static cJSON *flow_json(const struct gen_flow *f)
{
	cJSON *j = cJSON_CreateObject();
	char a[INET6_ADDRSTRLEN];

	if (!j)
		return NULL;
	cJSON_AddNumberToObject(j, "id", f->id);
	cJSON_AddNumberToObject(j, "family", f->o.ipv6 ? 6 : 4);
	addr_text(f, f->cli, a, sizeof(a));
	cJSON_AddStringToObject(j, "client", a);
	cJSON_AddNumberToObject(j, "client_port", f->cport);
	addr_text(f, f->srv, a, sizeof(a));
	cJSON_AddStringToObject(j, "server", a);
	cJSON_AddNumberToObject(j, "server_port", f->o.server_port);
	cJSON_AddNumberToObject(j, "client_isn", f->isn[GEN_C2S]);
	cJSON_AddNumberToObject(j, "server_isn", f->isn[GEN_S2C]);
	cJSON_AddNumberToObject(j, "vlan_outer", f->o.vlan_outer);
	cJSON_AddNumberToObject(j, "vlan_inner", f->o.vlan_inner);
	return j;
}

static cJSON *digests_json(const uint8_t dig[HWALL_ALGO_COUNT][HWALL_DIGEST_MAX])
{
	cJSON *j = cJSON_CreateObject();
	char hex[HWALL_DIGEST_HEX_MAX];

	for (int a = 0; j && a < HWALL_ALGO_COUNT; a++) {
		if (!(gen_digest_mask() & (1u << a)))
			continue;
		hwall_hex_format(dig[a], hwall_algo_len((enum hwall_algo)a), hex);
		cJSON_AddStringToObject(j, hwall_algo_name((enum hwall_algo)a), hex);
	}
	return j;
}

static cJSON *known_json(const struct gen_obj *o)
{
	cJSON *j;
	char hex[HWALL_DIGEST_HEX_MAX];

	if (!o->known)
		return cJSON_CreateNull();
	j = cJSON_CreateObject();
	if (!j)
		return NULL;
	hwall_hex_format(o->dig[o->known_algo], hwall_algo_len(o->known_algo), hex);
	cJSON_AddStringToObject(j, "algo", hwall_algo_name(o->known_algo));
	cJSON_AddStringToObject(j, "digest", hex);
	cJSON_AddNumberToObject(j, "category", o->category);
	cJSON_AddNumberToObject(j, "ref", o->ref);
	return j;
}

static cJSON *obj_json(const struct gen_ctx *ctx, const struct gen_obj *o)
{
	const struct gen_flow *f = ctx->flows[o->flow];
	cJSON *j = cJSON_CreateObject();
	char a[INET6_ADDRSTRLEN];

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "scenario", o->scenario ? o->scenario : "");
	cJSON_AddNumberToObject(j, "flow", o->flow);
	addr_text(f, f->srv, a, sizeof(a));
	cJSON_AddStringToObject(j, "server", a);
	cJSON_AddNumberToObject(j, "server_port", f->o.server_port);
	cJSON_AddStringToObject(j, "host", o->host);
	if (o->host_truncated)
		cJSON_AddTrueToObject(j, "host_truncated");
	if (o->stitched)
		cJSON_AddTrueToObject(j, "stitched");
	cJSON_AddStringToObject(j, "path", o->path);
	cJSON_AddStringToObject(j, "method", o->method);
	cJSON_AddNumberToObject(j, "status", o->status);
	cJSON_AddNumberToObject(j, "size", (double)o->size);
	cJSON_AddStringToObject(j, "expect", gen_expect_names[o->expect]);
	cJSON_AddBoolToObject(j, "complete", o->expect == GEN_EXPECT_COMPLETE);
	cJSON_AddBoolToObject(j, "partial", o->partial);
	cJSON_AddNumberToObject(j, "response_offset", (double)o->resp_off);
	cJSON_AddItemToObject(j, "digests", digests_json(o->dig));
	cJSON_AddItemToObject(j, "known", known_json(o));
	return j;
}

static uint64_t partial_objects(const struct gen_ctx *ctx)
{
	uint64_t n = 0;

	for (size_t i = 0; i < ctx->nobjs; i++)
		n += ctx->objs[i].partial;
	return n;
}

static cJSON *manifest_json(const struct gen_ctx *ctx, const char *set_id)
{
	cJSON *root = cJSON_CreateObject(), *arr, *c;
	char seed[32];

	if (!root)
		return NULL;
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)ctx->seed);
	cJSON_AddStringToObject(root, "format", "hashwall-gen-manifest");
	cJSON_AddNumberToObject(root, "version", 1);
	cJSON_AddStringToObject(root, "seed", seed);
	cJSON_AddStringToObject(root, "set_id", set_id ? set_id : "");
	cJSON_AddNumberToObject(root, "packets", (double)ctx->pcap.packets);
	cJSON_AddNumberToObject(root, "frame_bytes", (double)ctx->pcap.bytes);
	c = cJSON_AddObjectToObject(root, "min_counters");
	cJSON_AddNumberToObject(c, "overlap_conflict", (double)ctx->min_overlap_conflicts);
	cJSON_AddNumberToObject(c, "midstream", (double)ctx->min_midstream);
	cJSON_AddNumberToObject(c, "length_and_chunked", (double)ctx->min_clte);
	cJSON_AddNumberToObject(c, "non_http_packets", (double)ctx->min_nonhttp_packets);
	cJSON_AddNumberToObject(c, "rst_abandoned", (double)ctx->min_rst_abandoned);
	cJSON_AddNumberToObject(c, "out_of_order_segments", (double)ctx->min_ooo_segments);
	cJSON_AddNumberToObject(c, "retransmitted_bytes", (double)ctx->min_retrans_bytes);
	cJSON_AddNumberToObject(c, "partial_objects", (double)partial_objects(ctx));
	cJSON_AddNumberToObject(c, "ip_fragments", (double)ctx->min_fragments);
	cJSON_AddNumberToObject(c, "idle_timeouts", (double)ctx->min_idle_timeouts);
	cJSON_AddNumberToObject(c, "acked_gaps", (double)ctx->min_acked_gaps);
	for (int i = 0; i < GEN_HOSTILE_COUNT; i++)
		cJSON_AddNumberToObject(c, gen_hostile_names[i], (double)ctx->min_hostile[i]);
	arr = cJSON_AddArrayToObject(root, "flows");
	for (size_t i = 0; arr && i < ctx->nflows; i++)
		cJSON_AddItemToArray(arr, flow_json(ctx->flows[i]));
	arr = cJSON_AddArrayToObject(root, "objects");
	for (size_t i = 0; arr && i < ctx->nobjs; i++)
		cJSON_AddItemToArray(arr, obj_json(ctx, &ctx->objs[i]));
	return root;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return hwall_neg_errno();
	if (fputs(text, f) == EOF || fputc('\n', f) == EOF)
		err = hwall_neg_errno();
	if (fclose(f) != 0 && !err)
		err = hwall_neg_errno();
	return err;
}

int gen_manifest_write(const struct gen_ctx *ctx, const char *path, const char *set_id)
{
	cJSON *root = manifest_json(ctx, set_id);
	char *text = root ? cJSON_Print(root) : NULL;
	int err = text ? write_text(path, text) : -ENOMEM;

	free(text);
	cJSON_Delete(root);
	return err;
}

int gen_list_write(const struct gen_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "w");
	char hex[HWALL_DIGEST_HEX_MAX];
	int err = 0;

	if (!f)
		return hwall_neg_errno();
	if (fprintf(f, "# hashwall-gen seed %llu: digests of synthetic PRNG bodies, not real content\n",
		    (unsigned long long)ctx->seed) < 0)
		err = hwall_neg_errno();
	for (size_t i = 0; i < ctx->nobjs && !err; i++) {
		const struct gen_obj *o = &ctx->objs[i];
		bool first = true;
		if (!o->known)
			continue;
		/* One line per known body, however many objects carry it. */
		for (size_t j = 0; j < i && first; j++)
			first = !(ctx->objs[j].known && ctx->objs[j].ref == o->ref);
		if (!first)
			continue;
		hwall_hex_format(o->dig[o->known_algo], hwall_algo_len(o->known_algo), hex);
		if (fprintf(f, "%s %s %u %u\n", hwall_algo_name(o->known_algo), hex, o->category,
			    o->ref) < 0)
			err = hwall_neg_errno();
	}
	if (fclose(f) != 0 && !err)
		err = hwall_neg_errno();
	return err;
}
