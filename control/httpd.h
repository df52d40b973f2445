/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * httpd.h - the operator API's HTTP server: libmicrohttpd with one internal
 * polling thread, feeding requests to ctl_api_dispatch().  Request bodies
 * over the cap are refused with 413 without being buffered; query
 * arguments beyond CTL_API_ARGS_MAX are refused with 400.
 */
#ifndef HASHWALL_CONTROL_HTTPD_H
#define HASHWALL_CONTROL_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "control/api.h"

struct ctl_http;

/*
 * Listen on @address (IPv4 or IPv6 literal; default loopback is the
 * caller's choice) and @port (0: any free port) and serve @api, which must
 * outlive the server.  Returns 0, -EINVAL for a bad address, or -EIO with
 * @err set.
 */
int ctl_http_start(const char *address, uint16_t port, const struct ctl_api_config *api,
		   struct ctl_http **ret_h, struct hwall_err *err);

/* The port actually bound. */
uint16_t ctl_http_port(const struct ctl_http *h);

/* Stop and free; accepts NULL. */
void ctl_http_stop(struct ctl_http *h);

#endif
