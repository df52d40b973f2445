/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpfw_shared.h - what the eBPF programs (xdp_block.bpf.c, tc_enforce.bpf.c)
 * and the user-space loader (bpfw.c) both use: map keys and values, limits,
 * the URL key hash and the one table of counter reasons.
 *
 * Included by BPF code (compiled with clang -target bpf against the uapi
 * headers) and by user space, so it only uses __u8.. types and no libc.
 *
 * URL key (docs/enforcement.md, "URL key"):
 *   H(h, s) = h mixed with each 8-byte little-endian word of s in turn, the
 *             last partial word zero-padded (s never holds a NUL byte)
 *   h_host = H(SEED, lowercase(host without userinfo, port, trailing dot))
 *   h_path = H(SEED, canonical target path [or "/" when empty])
 *   h_full = H(h_path, canonical "?" query)
 * (canonical: common/url_canon.h)
 *   key    = mix(mix(h_path or h_full, h_host), SEED)
 * A blocked entry made from a URL without a query blocks every query of
 * that path; one made from a URL with a query blocks only that exact query.
 */
#ifndef HASHWALL_BPF_BPFW_SHARED_H
#define HASHWALL_BPF_BPFW_SHARED_H

#include <linux/types.h>

/* Limits (bytes).  A request beyond them passes and is counted. */
#define BPFW_METHOD_MAX 16      /* method token, e.g. "OPTIONS" */
#define BPFW_HOST_MAX 255       /* host name (RFC 1035 length limit) */
#define BPFW_PATH_MAX 1024      /* path part of the target, before '?' */
#define BPFW_QUERY_MAX 1024     /* '?' and query; longer: path key only */
#define BPFW_HDR_SCAN_MAX 2048  /* bytes of one header line */
#define BPFW_HDR_LINES 32       /* header lines searched for Host */
#define BPFW_IPV6_EXT_MAX 4     /* IPv6 extension headers skipped */
#define BPFW_VLAN_MAX 2         /* 802.1Q/802.1ad tags */
#define BPFW_MIRROR_PORTS 8     /* TCP ports the software mirror copies */

/* Default map sizes; the loader can raise them before the first load. */
#define BPFW_URLS_DEFAULT 1048576
#define BPFW_FLOWS_DEFAULT 65536

/* Word hash: one multiply and one xorshift per 8 bytes of input. */
#define BPFW_H_SEED 0x6a09e667f3bcc908ULL
#define BPFW_H_MUL 0x9e3779b97f4a7c15ULL

static inline __u64 bpfw_mix(__u64 h, __u64 w)
{
	h = (h ^ w) * BPFW_H_MUL;
	return h ^ (h >> 32);
}

/* H(h, s) of the URL key, byte by byte: the reference definition, used by
 * user space.  The XDP program reads whole words (http_scan.bpf.h). */
static inline __u64 bpfw_hash_bytes(__u64 h, const __u8 *s, __u32 n)
{
	__u64 w = 0;

	for (__u32 i = 0; i < n; i++) {
		w |= (__u64)s[i] << (8 * (i & 7));
		if ((i & 7) == 7 || i + 1 == n) {
			h = bpfw_mix(h, w);
			w = 0;
		}
	}
	return h;
}

/* Lowercase one ASCII byte; other bytes unchanged (hosts are ASCII/IDNA). */
static inline __u8 bpfw_lower(__u8 c)
{
	return (c >= 'A' && c <= 'Z') ? (__u8)(c | 0x20) : c;
}

/* Final step of the URL key: mix the host hash into the path hash. */
static inline __u64 bpfw_url_key_finish(__u64 h_path, __u64 h_host)
{
	return bpfw_mix(bpfw_mix(h_path, h_host), BPFW_H_SEED);
}

/*
 * Counter reasons: every packet the programs drop, answer, skip or give up
 * on increments exactly one of these (per-CPU array "bpfw_counters").
 * X(ENUM_SUFFIX, "name", "description")
 */
#define BPFW_REASON_TABLE(X)                                                         \
	X(NOT_IP, "not_ip", "XDP: neither IPv4 nor IPv6 (passed)")                   \
	X(NOT_TCP, "not_tcp", "XDP: IP but not TCP (passed)")                        \
	X(TRUNCATED, "truncated", "XDP: L2-L4 headers truncated or malformed (passed)") \
	X(IP_FRAGMENT, "ip_fragment", "XDP: IP fragment (passed)")                   \
	X(IPV6_EXT_LIMIT, "ipv6_ext_limit", "XDP: more IPv6 extension headers than parsed (passed)") \
	X(NO_PAYLOAD, "no_payload", "XDP: TCP segment without payload (passed)")    \
	X(NOT_REQUEST, "not_request", "XDP: payload does not start an HTTP request (passed)") \
	X(HTTP_INCOMPLETE, "http_incomplete", "XDP: request line or Host continue past this segment (passed)") \
	X(HTTP_MALFORMED, "http_malformed", "XDP: request starts but is malformed (passed)") \
	X(HTTP_TOO_LONG, "http_too_long", "XDP: host or path longer than the limits (passed)") \
	X(HTTP_ALLOWED, "http_allowed", "XDP: request checked, URL not blocked (passed)") \
	X(URL_EXPIRED, "url_expired", "XDP: URL entry found but expired (passed)")  \
	X(URL_RST, "url_rst", "XDP: blocked URL, request answered with a TCP RST (XDP_TX)") \
	X(URL_DROPPED, "url_dropped", "XDP: blocked URL, request dropped (no RST possible)") \
	X(FLOW_DROPPED, "flow_dropped", "TC egress: packet of a blocked flow (dropped)") \
	X(FLOW_EXPIRED, "flow_expired", "TC egress: flow entry found but expired (passed)") \
	X(MIRROR_CLONED, "mirror_cloned", "TC: packet cloned to the mirror interface") \
	X(MIRROR_FAILED, "mirror_failed", "TC: clone to the mirror interface failed")

enum bpfw_reason {
#define BPFW_X_ENUM(e, n, d) BPFW_R_##e,
	BPFW_REASON_TABLE(BPFW_X_ENUM)
#undef BPFW_X_ENUM
	BPFW_REASON_COUNT
};

/* Value of the blocked-URL map (key: __u64 URL key). */
struct bpfw_url_val {
	__u64 expires_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 hits;       /* requests blocked by this entry */
};

/*
 * Key of the blocked-flow map: the 5-tuple as the packets of the blocked
 * transfer leave the serving interface (src = server).  IPv4 addresses are
 * stored IPv4-mapped (::ffff:a.b.c.d).  Addresses and ports in network
 * byte order.
 */
struct bpfw_flow_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct bpfw_flow_val {
	__u64 expires_ns;
	__u64 drops;
};

/* Single entry of the mirror map.  Off unless enabled != 0. */
struct bpfw_mirror_cfg {
	__u32 enabled;
	__u32 ifindex;                    /* mirror interface */
	__u16 ports[BPFW_MIRROR_PORTS];   /* host byte order, 0 = unused */
};

#endif
