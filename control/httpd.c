/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * httpd.c - libmicrohttpd glue for the operator API (see httpd.h).
 */
#include "control/httpd.h"
#include "common/number.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct ctl_http {
	struct MHD_Daemon *d;
	const struct ctl_api_config *api;
	size_t body_max;
	uint16_t port;
};

/* Per request: the body collected so far. */
struct pending {
	char *body;
	size_t len;
	bool too_large;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct ctl_request *req = cls;

	(void)kind;
	if (req->n_args == CTL_API_ARGS_MAX) {
		req->too_many_args = true;
		return MHD_NO;
	}
	req->args[req->n_args++] = (struct ctl_kv){ key, value };
	return MHD_YES;
}

static enum MHD_Result respond(struct MHD_Connection *conn, const struct ctl_response *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;

	mr = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_COPY);
	if (!mr)
		return MHD_NO;
	MHD_add_response_header(mr, "Content-Type", r->content_type);
	MHD_add_response_header(mr, "Cache-Control", "no-store");
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	if (r->code == 401)
		MHD_add_response_header(mr, "WWW-Authenticate", "Bearer realm=\"hashwall\"");
	ret = MHD_queue_response(conn, (unsigned int)r->code, mr);
	MHD_destroy_response(mr);
	return ret;
}

static enum MHD_Result dispatch(struct ctl_http *h, struct MHD_Connection *conn,
				const char *url, const char *method, struct pending *pd)
{
	struct ctl_request req = { 0 };
	struct ctl_response resp;
	enum MHD_Result ret;

	req.method = method;
	req.path = url;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &req);
	req.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	req.body = pd->body;
	req.body_len = pd->len;
	req.body_too_large = pd->too_large;
	ctl_api_dispatch(h->api, &req, &resp);
	ret = respond(conn, &resp);
	ctl_response_free(&resp);
	return ret;
}

/* Whether a request's Content-Length header @cl announces more than @max
 * bytes.  MHD has already refused a malformed one with 400. */
static bool announced_too_large(const char *cl, uint64_t max)
{
	uint64_t len;

	return hwall_parse_u64(cl, 0, max, &len) == -ERANGE;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct ctl_http *h = cls;
	struct pending *pd = *con_cls;

	(void)version;
	if (!pd) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     "Content-Length");
		pd = calloc(1, sizeof(*pd));
		if (!pd)
			return MHD_NO;
		*con_cls = pd;
		/* Announced as too large: answer now, without reading the body
		 * (MHD then closes the connection). */
		if (cl && announced_too_large(cl, h->body_max)) {
			pd->too_large = true;
			return dispatch(h, conn, url, method, pd);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* Over the cap: drop what comes, answer 413 at the end. */
		if (!pd->too_large && pd->len + *upload_data_size <= h->body_max) {
			char *p = realloc(pd->body, pd->len + *upload_data_size + 1);
			if (!p)
				return MHD_NO;
			memcpy(p + pd->len, upload_data, *upload_data_size);
			pd->body = p;
			pd->len += *upload_data_size;
			pd->body[pd->len] = '\0';
		} else {
			pd->too_large = true;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return dispatch(h, conn, url, method, pd);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct pending *pd = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (pd) {
		free(pd->body);
		free(pd);
		*con_cls = NULL;
	}
}

int ctl_http_start(const char *address, uint16_t port, const struct ctl_api_config *api,
		   struct ctl_http **ret_h, struct hwall_err *err)
{
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in sa4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	const struct sockaddr *sa;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	const union MHD_DaemonInfo *info;
	struct ctl_http *h;

	if (inet_pton(AF_INET, address, &sa4.sin_addr) == 1) {
		sa = (const struct sockaddr *)&sa4;
	} else if (inet_pton(AF_INET6, address, &sa6.sin6_addr) == 1) {
		sa = (const struct sockaddr *)&sa6;
		flags |= MHD_USE_IPv6;
	} else {
		return hwall_err_set(err, -EINVAL, "api.address: '%s' is not an IPv4 or IPv6 address",
				     address);
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->api = api;
	h->body_max = api->body_max ? api->body_max : CTL_API_BODY_MAX;
	h->d = MHD_start_daemon(flags, port, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
				MHD_OPTION_END);
	if (!h->d) {
		free(h);
		return hwall_err_set(err, -EIO,
				     "cannot listen on %s port %u (address in use or not local?)",
				     address, port);
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : port;
	*ret_h = h;
	return 0;
}

uint16_t ctl_http_port(const struct ctl_http *h)
{
	return h->port;
}

void ctl_http_stop(struct ctl_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
