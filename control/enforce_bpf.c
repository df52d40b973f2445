/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enforce_bpf.c - the bpf backend of enforce.c over the bpfw_ loader
 * library (bpf/bpfw.h): at start the programs are attached to the serving
 * interface (atomically replaced when already attached, so no blocked URL
 * is served in between), and blocks become entries of the pinned
 * blocked-URL map with a TTL, and the flow of a blocked match (when the
 * dataplane sent it) an entry of the blocked-flow map with the same TTL.  The maps and links are pinned: when
 * controld dies, blocks stay enforced until their expiry.
 */
#include "control/enforce_bpf.h"

#include "bpfw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bpf_backend {
	struct bpfw *b;
	char ifname[64];
};

/* "http://host/path" as bpfw_url_key() reads it. */
static int url_of(const char *host, const char *path, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "http://%s%s", host, path);

	return n > 0 && (size_t)n < cap ? 0 : -ENAMETOOLONG;
}

static int bpf_add(void *ctx, const char *host, const char *path, int64_t expires)
{
	struct bpf_backend *be = ctx;
	int64_t ttl = expires - (int64_t)time(NULL);
	char url[CTL_HOST_MAX + CTL_PATH_MAX + 16];
	int r = url_of(host, path, url, sizeof(url));

	if (r < 0)
		return r;
	if (ttl <= 0) { /* already lapsed: make sure it is not enforced */
		r = bpfw_url_unblock(be->b, url, NULL);
		return r == -ENOENT ? 0 : r;
	}
	return bpfw_url_block(be->b, url, ttl > UINT32_MAX ? UINT32_MAX : (uint32_t)ttl, NULL);
}

static int bpf_del(void *ctx, const char *host, const char *path)
{
	struct bpf_backend *be = ctx;
	char url[CTL_HOST_MAX + CTL_PATH_MAX + 16];
	int r = url_of(host, path, url, sizeof(url));

	return r < 0 ? r : bpfw_url_unblock(be->b, url, NULL);
}

/* The key of the server's packets of @f, as bpfw_tc_egress looks them up
 * (bpf/bpfw_shared.h): src = server, IPv4 as ::ffff:a.b.c.d, network
 * byte order.  Only that direction leaves the serving interface. */
static void flow_key(const struct ctl_flow *f, struct bpfw_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	if (f->family == 4) {
		k->saddr[10] = k->saddr[11] = k->daddr[10] = k->daddr[11] = 0xff;
		memcpy(k->saddr + 12, f->server, 4);
		memcpy(k->daddr + 12, f->client, 4);
	} else {
		memcpy(k->saddr, f->server, 16);
		memcpy(k->daddr, f->client, 16);
	}
	k->sport = htons(f->server_port);
	k->dport = htons(f->client_port);
	k->proto = IPPROTO_TCP;
}

static int bpf_add_flow(void *ctx, const struct ctl_flow *f, int64_t expires)
{
	struct bpf_backend *be = ctx;
	int64_t ttl = expires - (int64_t)time(NULL);
	struct bpfw_flow_key k;
	int r;

	if (ttl <= 0)
		return 0; /* its block has lapsed already */
	flow_key(f, &k);
	r = bpfw_flow_block(be->b, &k, ttl > UINT32_MAX ? UINT32_MAX : (uint32_t)ttl, NULL);
	explicit_bzero(&k, sizeof(k));
	return r;
}

static void bpf_status(void *ctx, cJSON *obj)
{
	struct bpf_backend *be = ctx;
	uint64_t counts[BPFW_REASON_COUNT];
	struct bpfw_status st;
	cJSON *c;

	cJSON_AddStringToObject(obj, "interface", be->ifname);
	if (bpfw_status(be->b, be->ifname, &st, NULL) == 0) {
		cJSON_AddBoolToObject(obj, "xdp_attached", st.xdp_link_id != 0);
		cJSON_AddBoolToObject(obj, "tc_attached", st.tc_egress_prog_id != 0);
	}
	if (bpfw_counters(be->b, counts, NULL) == 0) {
		c = cJSON_AddObjectToObject(obj, "bpf_counters");
		for (unsigned int i = 0; i < BPFW_REASON_COUNT; i++)
			cJSON_AddNumberToObject(c, bpfw_reason_name(i), (double)counts[i]);
	}
}

static void bpf_close(void *ctx)
{
	struct bpf_backend *be = ctx;

	bpfw_free(be->b); /* pins, links and filters stay: enforcement outlives us */
	free(be);
}

int ctl_enforce_bpf_open(const char *ifname, const char *pin_root, struct ctl_enforce_ops *ret_ops,
			 struct hwall_err *err)
{
	struct bpfw_opts opts = { .pin_root = pin_root };
	struct bpfw_attach_opts aopts = { .xdp_mode = BPFW_XDP_AUTO };
	struct bpf_backend *be = calloc(1, sizeof(*be));
	struct hwall_err why = { { 0 } };
	int r;

	if (!be)
		return -ENOMEM;
	snprintf(be->ifname, sizeof(be->ifname), "%s", ifname);
	be->b = bpfw_new(&opts);
	if (!be->b) {
		free(be);
		return -ENOMEM;
	}
	r = bpfw_attach(be->b, ifname, &aopts, &why);
	if (r < 0) {
		hwall_err_set(err, r, "attaching the BPF programs to %s: %s%s%.1500s", ifname, why.msg,
			      *bpfw_verifier_log(be->b) ? "\nverifier log:\n" : "",
			      bpfw_verifier_log(be->b));
		bpf_close(be);
		return r;
	}
	*ret_ops = (struct ctl_enforce_ops){ .name = "bpf", .add_url = bpf_add, .del_url = bpf_del,
					     .add_flow = bpf_add_flow, .status = bpf_status, .close = bpf_close, .ctx = be };
	return 0;
}
