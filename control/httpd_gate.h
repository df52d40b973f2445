/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * httpd_gate.h - what stands between the operator API's listening socket
 * and libmicrohttpd: connections wait here until their request head has
 * arrived, and only then are handed to the HTTP server (httpd.c).
 *
 * libmicrohttpd knows an idle timeout only: a client that sends a byte of
 * its request head now and then holds a connection for as long as it
 * likes, and 64 of them (from an unprivileged local user) locked the
 * operators out.  Here the head has a deadline counted from accept, not
 * from the last byte; a connection still sending its head when a new one
 * needs the room (per client address, and in all) is closed, the oldest
 * first: a genuine client sends its head at once and is never the oldest,
 * so a flood of slow or idle connections cannot keep it out.  The head is
 * only peeked at (MSG_PEEK), never read: the HTTP server reads it.
 *
 * One thread; the counters are controld's (hashwall_api_head_*_total).
 */
#ifndef HASHWALL_CONTROL_HTTPD_GATE_H
#define HASHWALL_CONTROL_HTTPD_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "control/metrics.h"

#define CTL_GATE_HEAD_MAX 8192 /* bytes of a request head (line and headers) */

/* Where a connection goes once its head is in: the callee owns @fd. */
typedef void (*ctl_gate_hand_fn)(void *ctx, int fd, const struct sockaddr *sa, socklen_t len);

struct ctl_gate_config {
	int listen_fd;                /* listening, non-blocking; the gate closes it */
	unsigned int max_pending;     /* connections still sending their head */
	unsigned int max_per_address; /* of those, from one address (IPv6: one /64) */
	unsigned int head_timeout_ms; /* from accept to the end of the head */
	bool tls;                     /* the head is encrypted: hand over at the first
				       * bytes (the ClientHello); the server's own
				       * timeout covers the rest; no plaintext answers */
	ctl_gate_hand_fn hand;
	void *hand_ctx;
	struct ctl_metrics *metrics;  /* may be NULL */
};

struct ctl_gate;

/*
 * Start the gate's thread on @cfg->listen_fd.  Returns 0 with *ret_gate,
 * or -errno (the listening socket is then closed too).
 */
int ctl_gate_start(const struct ctl_gate_config *cfg, struct ctl_gate **ret_gate);

/* Stop the thread, close the listening socket and every waiting
 * connection, free; accepts NULL. */
void ctl_gate_stop(struct ctl_gate *g);

#endif
