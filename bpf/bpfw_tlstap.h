/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpfw_tlstap.h - loading and attaching the TLS plaintext tap
 * (bpfw_tlstap.bpf.c, docs/tls-tap.md) and reading its ring buffer.
 *
 * The tap's maps are private to the process that loads it (nothing is
 * pinned): its ring buffer is reachable only through this handle's file
 * descriptors, and everything is detached when the handle is freed or the
 * process dies.  Enforcement does not depend on it (the pinned maps of
 * bpfw.h do).
 */
#ifndef HASHWALL_BPF_BPFW_TLSTAP_H
#define HASHWALL_BPF_BPFW_TLSTAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/errors.h"
#include "tlstap_shared.h"

#define BPFW_TAP_PIDS_MAX 64
#define BPFW_TAP_PORTS_MAX 32
#define BPFW_TAP_LIBSSL_DEFAULT "/usr/lib/x86_64-linux-gnu/libssl.so.3"

struct bpfw_tap;

struct bpfw_tap_opts {
	const char *libssl;           /* NULL: BPFW_TAP_LIBSSL_DEFAULT */
	pid_t pids[BPFW_TAP_PIDS_MAX]; /* attach to these processes only ... */
	unsigned int n_pids;          /* ... 0: every process mapping @libssl */
	uint64_t cgroup_id;           /* 0: any; else only tasks of this cgroup v2 */
	uint16_t ports[BPFW_TAP_PORTS_MAX]; /* the servers' local TCP ports ... */
	unsigned int n_ports;         /* ... 0: 443 only */
	uint32_t ring_bytes;          /* 0: TLSTAP_RING_DEFAULT; a power of two >= 4096 */
	uint32_t max_conns;           /* 0: TLSTAP_CONNS_DEFAULT */
};

/* Receives each record (valid during the call only); return 0 to go on. */
typedef int (*bpfw_tap_record_fn)(void *ctx, const struct tlstap_rec *rec, size_t size);

/*
 * Load the tap and attach its probes as @opts says; records go to @fn.
 * Returns the handle, or NULL with @err saying what failed (errno set).
 */
struct bpfw_tap *bpfw_tap_open(const struct bpfw_tap_opts *opts, bpfw_tap_record_fn fn, void *ctx,
			       struct hwall_err *err);

/* Detach everything and free @t; accepts NULL. */
void bpfw_tap_close(struct bpfw_tap *t);

/* Wait up to @timeout_ms for records and hand them to the callback.
 * Returns the records handled or -errno. */
int bpfw_tap_poll(struct bpfw_tap *t, int timeout_ms);

/* The program's counters, summed over CPUs.  Returns 0 or -errno. */
int bpfw_tap_counters(const struct bpfw_tap *t, uint64_t ret[TLSTAP_REASON_COUNT]);

/* Name of counter @r ("ring_full"), "?" if unknown. */
const char *bpfw_tap_reason_name(unsigned int r);

/* Number of probes attached (uprobes, uretprobes, socket tracepoints). */
unsigned int bpfw_tap_links(const struct bpfw_tap *t);

struct bpfw;

/*
 * Whether a request for @url ("host[:port]/path[?query]", as sent) hits
 * the pinned blocked-URL map of @b as the XDP program would see it: its
 * path key, and with a query its full key (docs/enforcement.md, "Query
 * rule"); expired entries do not count.  Returns 1, 0, or -errno (a URL
 * beyond the program's limits: -ENAMETOOLONG, -EINVAL).
 */
int bpfw_tap_url_blocked(struct bpfw *b, const char *url, struct hwall_err *err);

/* The cgroup v2 id of the directory @path (its inode number), for
 * opts.cgroup_id.  Returns 0 or -errno. */
int bpfw_tap_cgroup_id(const char *path, uint64_t *ret_id);

#endif
