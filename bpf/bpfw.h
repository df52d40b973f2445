/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpfw.h - the loader library of hashwall's eBPF enforcement (prefix
 * bpfw_): the URL key, attaching the programs to the serving
 * interface, pinned maps of blocked URLs and flows, counters and the
 * software mirror.  See docs/enforcement.md.
 *
 * Library code does not log: errors are 0/-errno, and a call that can fail
 * for a reason worth reading takes a struct hwall_err (common/errors.h,
 * NULL when the caller wants only the -errno); the verifier log of a
 * refused program stays in the handle (bpfw_verifier_log).
 */
#ifndef HASHWALL_BPF_BPFW_H
#define HASHWALL_BPF_BPFW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfw_shared.h"
#include "common/errors.h"

#define BPFW_PIN_ROOT "/sys/fs/bpf/hashwall"
#define BPFW_TC_HANDLE 0x4857 /* "HW" */
#define BPFW_TC_PRIO 1

struct bpfw;

struct bpfw_opts {
	const char *pin_root;  /* NULL: BPFW_PIN_ROOT */
	uint32_t urls_max;     /* 0: BPFW_URLS_DEFAULT; used when maps are created */
	uint32_t flows_max;    /* 0: BPFW_FLOWS_DEFAULT */
};

enum bpfw_xdp_mode {
	BPFW_XDP_AUTO,    /* driver mode when the driver has it, else generic */
	BPFW_XDP_NATIVE,  /* driver mode or fail */
	BPFW_XDP_GENERIC, /* skb mode */
	BPFW_XDP_MODE_COUNT
};

struct bpfw_attach_opts {
	enum bpfw_xdp_mode xdp_mode;
	bool no_xdp; /* skip the XDP program (URL blocks) */
	bool no_tc;  /* skip the TC programs (flow blocks, mirror) */
};

struct bpfw_status {
	uint32_t ifindex;
	uint32_t xdp_link_id;       /* 0: no pinned hashwall XDP link */
	uint32_t xdp_prog_id;       /* program of that link */
	uint32_t xdp_iface_prog_id; /* what the interface runs (any owner) */
	uint32_t tc_ingress_prog_id;
	uint32_t tc_egress_prog_id;
};

struct bpfw_mirror {
	bool enabled;
	uint32_t ifindex;
	uint16_t ports[BPFW_MIRROR_PORTS];
};

/* Called per entry by the list functions; a non-zero return stops the
 * walk and is returned by them. */
typedef int (*bpfw_url_fn)(uint64_t key, const struct bpfw_url_val *val, void *arg);
typedef int (*bpfw_flow_fn)(const struct bpfw_flow_key *key, const struct bpfw_flow_val *val,
			    void *arg);

/* New handle (no system call yet); NULL with errno = ENOMEM.  Free with
 * bpfw_free().  Maps are opened, and created and pinned if missing, by the
 * first call that needs them. */
struct bpfw *bpfw_new(const struct bpfw_opts *opts);

/* Close the handle's descriptors.  Pinned maps, links and TC filters stay:
 * enforcement outlives the process.  Accepts NULL. */
void bpfw_free(struct bpfw *b);

/* Verifier log of the last failed program load ("" when none). */
const char *bpfw_verifier_log(const struct bpfw *b);

/*
 * Load the programs and attach them to @ifname: XDP through a bpf_link
 * pinned under <pin root>/links/<ifindex>/xdp, TC through clsact filters
 * (handle BPFW_TC_HANDLE, priority BPFW_TC_PRIO) that live in the kernel.
 * When already attached, the programs are replaced atomically
 * (bpf_link_update, BPF_TC_F_REPLACE) while the pinned maps, and so every
 * block, stay in place.  Returns 0, -ENODEV when @ifname does not exist,
 * -EBUSY when another XDP program owns the interface, -EACCES/-EINVAL
 * when the verifier refuses a program (bpfw_verifier_log), or -errno.
 */
int bpfw_attach(struct bpfw *b, const char *ifname, const struct bpfw_attach_opts *opts,
		struct hwall_err *err);

/* Detach from @ifname and unpin its link; blocks stay in the maps.
 * Returns 0, -ENODEV, -ENOENT when nothing of ours was attached. */
int bpfw_detach(struct bpfw *b, const char *ifname, struct hwall_err *err);

/* What is attached to @ifname.  Returns 0 or -ENODEV. */
int bpfw_status(struct bpfw *b, const char *ifname, struct bpfw_status *ret_status,
		struct hwall_err *err);

/* Detach from every interface with a pinned link and remove the pins and
 * the maps: nothing of hashwall is left in the kernel. */
int bpfw_purge(struct bpfw *b, struct hwall_err *err);

/* Block @url (bpfw_url_key) for @ttl_s seconds from now (> 0); renewing
 * an entry moves its expiry.  -EINVAL, -ENAMETOOLONG, -E2BIG (map full). */
int bpfw_url_block(struct bpfw *b, const char *url, uint32_t ttl_s, struct hwall_err *err);

/* Same as bpfw_url_block() with a key already computed (bpfw_url_key). */
int bpfw_url_block_key(struct bpfw *b, uint64_t key, uint32_t ttl_s, struct hwall_err *err);

/* Remove the block of @url; -ENOENT when it was not blocked. */
int bpfw_url_unblock(struct bpfw *b, const char *url, struct hwall_err *err);

/* Call @fn for every blocked-URL entry, expired ones included. */
int bpfw_url_list(struct bpfw *b, bpfw_url_fn fn, void *arg, struct hwall_err *err);

/*
 * Parse "addr:port" (IPv4) or "[addr]:port" (IPv6) endpoints into the key
 * of the flow whose packets leave the serving interface from @src (the
 * server) to @dst (the client).  Returns 0 or -EINVAL.
 */
int bpfw_flow_parse(const char *src, const char *dst, struct bpfw_flow_key *ret_key);

/* Write "src -> dst" of @key into @buf (at least 112 bytes). */
void bpfw_flow_format(const struct bpfw_flow_key *key, char *buf, size_t len);

/* Drop the egress packets of flow @key for @ttl_s seconds (> 0) from now;
 * -EINVAL, or -errno from the map. */
int bpfw_flow_block(struct bpfw *b, const struct bpfw_flow_key *key, uint32_t ttl_s,
		    struct hwall_err *err);

/* Remove the block of flow @key; -ENOENT when it was not blocked. */
int bpfw_flow_unblock(struct bpfw *b, const struct bpfw_flow_key *key, struct hwall_err *err);

/* Call @fn for every blocked-flow entry, expired ones included. */
int bpfw_flow_list(struct bpfw *b, bpfw_flow_fn fn, void *arg, struct hwall_err *err);

/* Sum the per-CPU counters into @ret_counts (indexed by enum bpfw_reason). */
int bpfw_counters(struct bpfw *b, uint64_t ret_counts[BPFW_REASON_COUNT], struct hwall_err *err);

/* Name ("url_rst") and description of counter @reason; NULL out of range. */
const char *bpfw_reason_name(unsigned int reason);
const char *bpfw_reason_desc(unsigned int reason);

/*
 * Software mirror: clone TCP packets with one of @ports (host order, at
 * most BPFW_MIRROR_PORTS) as source or destination to @mirror_ifname.
 * NULL @mirror_ifname turns it off.  -ENODEV, -E2BIG, -EINVAL.
 */
int bpfw_mirror_set(struct bpfw *b, const char *mirror_ifname, const uint16_t *ports, size_t n,
		    struct hwall_err *err);

/* Current software mirror settings. */
int bpfw_mirror_get(struct bpfw *b, struct bpfw_mirror *ret_mirror, struct hwall_err *err);

/* Remove expired URL and flow entries; removed counts go to ret_urls and ret_flows. */
int bpfw_gc(struct bpfw *b, unsigned int *ret_urls, unsigned int *ret_flows, struct hwall_err *err);

/*
 * Key of @url in the blocked-URL map: "http://host[:port]/path[?query]" or
 * "host[:port]/path[?query]" (a fragment is ignored).  Without a query the
 * key blocks every query of the path; with one, only that query.  Returns
 * 0, -EINVAL when @url is not of that form (another scheme, no host,
 * whitespace or control bytes, two '@'), or -ENAMETOOLONG past the program's limits.
 */
int bpfw_url_key(const char *url, uint64_t *ret_key);

#endif
