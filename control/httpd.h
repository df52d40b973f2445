/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * httpd.h - the operator API's HTTP server: a gate (httpd_gate.h) that
 * holds each new connection until its request head has arrived, within a
 * deadline, then libmicrohttpd with one internal polling thread, feeding
 * requests to ctl_api_dispatch().  Request bodies over the cap are refused
 * with 413 without being buffered; query arguments beyond CTL_API_ARGS_MAX
 * are refused with 400; a request without a known token is answered 401
 * at once (its body unread) and its connection closed.
 *
 * Limits (docs/api.md, "Connections"): connections still sending their
 * head, in all and per client address (the oldest waiting is closed to
 * make room: genuine clients send their head at once), the deadline for a
 * head, its size (CTL_GATE_HEAD_MAX), connections being served, in all and
 * per address, and how long a kept-alive connection may idle.
 */
#ifndef HASHWALL_CONTROL_HTTPD_H
#define HASHWALL_CONTROL_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "control/api.h"

#define CTL_HTTP_CONNECTIONS_MAX 256   /* waiting for a head; and being served */
#define CTL_HTTP_PER_ADDRESS_MAX 16    /* the same, per client address (IPv6: /64) */
#define CTL_HTTP_HEAD_TIMEOUT_MS 5000  /* from accept to the end of the request head */
#define CTL_HTTP_IDLE_TIMEOUT_S 15     /* a served connection without traffic */

/* 0 in a field: its default above. */
struct ctl_http_limits {
	unsigned int max_connections;
	unsigned int max_per_address;
	unsigned int head_timeout_ms;
	unsigned int idle_timeout_s;
	/* TLS (PEM text; both or neither): the API and console over HTTPS,
	 * TLS 1.2 or 1.3 only.  Under TLS the gate hands a connection over at
	 * its first bytes and the server's idle timeout bounds the handshake
	 * and the head (docs/console.md). */
	const char *tls_cert_pem, *tls_key_pem;
};

struct ctl_http;

/*
 * Listen on @address (IPv4 or IPv6 literal; default loopback is the
 * caller's choice) and @port (0: any free port) and serve @api, which must
 * outlive the server, within @limits (NULL: the defaults).  Returns 0,
 * -EINVAL for a bad address, or -errno with @err set.
 */
int ctl_http_start(const char *address, uint16_t port, const struct ctl_api_config *api,
		   const struct ctl_http_limits *limits, struct ctl_http **ret_h,
		   struct hwall_err *err);

/* The port actually bound. */
uint16_t ctl_http_port(const struct ctl_http *h);

/* Stop and free; accepts NULL. */
void ctl_http_stop(struct ctl_http *h);

#endif
