/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tap_block.h - blocked URLs inside TLS (docs/tls-tap.md, "Enforcement for
 * HTTPS"): every request the tap's HTTP stages parse (HTTP/1.1 heads,
 * HTTP/2 request streams) is looked up in the pinned blocked-URL map with
 * the XDP program's key (bpfw_url_key: one definition); on a hit the
 * server's socket is reset (SOCK_DESTROY over sock_diag, as `ss -K`: the
 * client gets a RST) and the connection's flow goes into the pinned
 * blocked-flow map, so the TC egress program drops anything the server
 * still sends on it.  For HTTP/2 this ends the whole connection.
 */
#ifndef HASHWALL_DATAPLANE_TLSTAP_TAP_BLOCK_H
#define HASHWALL_DATAPLANE_TLSTAP_TAP_BLOCK_H

#include <stdint.h>

#include "common/errors.h"
#include "dataplane/flow.h"
#include "dataplane/http.h"

struct bpfw;

struct dp_tap_block {
	struct bpfw *b;
	uint32_t ttl_s;         /* of the flow entries */
	uint64_t checked;       /* requests looked up */
	uint64_t blocked;       /* requests for a blocked URL */
	uint64_t reset_failed;  /* ... whose socket could not be reset */
	uint64_t flow_failed;   /* ... whose flow could not be blocked */
	uint64_t not_checked;   /* requests without a host, or beyond the key's limits */
};

/* Open the pinned maps under @pin_root (NULL: the default root).
 * Returns 0 or -errno with @err saying why. */
int dp_tap_block_open(struct dp_tap_block *tb, const char *pin_root, uint32_t ttl_s,
		      struct hwall_err *err);

/* Accepts a zeroed @tb. */
void dp_tap_block_close(struct dp_tap_block *tb);

/* The request hook (dp_http_request_fn): @ctx is the dp_tap_block, @owner
 * the connection's struct dp_flow. */
void dp_tap_block_request(void *ctx, void *owner, const struct dp_txn *txn);

/* Reset the TCP socket of @k (server = local side) in this network
 * namespace.  Returns 0 or -errno (-ENOENT: no such socket). */
int dp_tap_sock_destroy(const struct dp_flow_key *k);

#endif
