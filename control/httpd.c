/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * httpd.c - libmicrohttpd glue for the operator API (see httpd.h): the
 * listening socket and its gate (httpd_gate.h), the request's raw target,
 * its body with the cap, the answer (streamed for the exports).
 */
#include "control/httpd.h"
#include "control/httpd_gate.h"
#include "control/ui.h"
#include "common/errors.h"
#include "common/number.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define STREAM_BLOCK (32 * 1024) /* bytes MHD asks a streamed body for at a time */
#define LISTEN_BACKLOG 128

struct ctl_http {
	struct MHD_Daemon *d;
	struct ctl_gate *gate;
	const struct ctl_api_config *api;
	struct ctl_http_limits limits;
	size_t body_max;
	uint16_t port;
};

/* Per request: what the raw target said, and the body collected so far. */
struct pending {
	bool started;       /* the access handler has seen the request */
	bool nul_in_target; /* %00 in the raw path or query */
	char *body;
	size_t len;
	bool too_large;
};

/* MHD calls this with the raw request target, before it percent-decodes
 * the path and the arguments into C strings (where %00 would end them
 * without a trace); what it returns is the request's *con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct pending *pd = calloc(1, sizeof(*pd));

	(void)cls;
	(void)conn;
	if (pd)
		pd->nul_in_target = strstr(uri, "%00") != NULL;
	return pd;
}

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

/* MHD reads a streamed body through this, in the server's thread, as the
 * client takes it (so other requests are served in between). */
static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
	ssize_t n = ctl_stream_read(cls, buf, max);

	(void)pos;
	/* an error cuts the response short: the client sees it incomplete */
	return n > 0 ? n : n == 0 ? MHD_CONTENT_READER_END_OF_STREAM
				  : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void free_stream(void *cls)
{
	ctl_stream_free(cls);
}

static enum MHD_Result respond(struct MHD_Connection *conn, struct ctl_response *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;

	if (r->stream) {
		mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, read_stream,
						       r->stream, free_stream);
		if (mr)
			r->stream = NULL; /* MHD frees it with free_stream() */
	} else {
		mr = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_COPY);
	}
	if (!mr)
		return MHD_NO;
	MHD_add_response_header(mr, "Content-Type", r->content_type);
	MHD_add_response_header(mr, "Cache-Control", "no-store");
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	/* the console's: a strict CSP, no framing, no Referer (control/ui.h) */
	for (size_t i = 0; ctl_ui_headers[i]; i += 2)
		MHD_add_response_header(mr, ctl_ui_headers[i], ctl_ui_headers[i + 1]);
	if (r->set_cookie[0])
		MHD_add_response_header(mr, "Set-Cookie", r->set_cookie);
	if (r->code == 401) {
		MHD_add_response_header(mr, "WWW-Authenticate", "Bearer realm=\"hashwall\"");
		/* a client without a token keeps no connection open */
		MHD_add_response_header(mr, "Connection", "close");
	}
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
	req.cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie");
	req.csrf = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
	req.origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	req.fetch_site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	req.host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	req.nul_in_target = pd->nul_in_target;
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
	if (!pd)
		return MHD_NO; /* on_uri() ran out of memory */
	if (!pd->started) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     "Content-Length");
		const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							       "Authorization");
		pd->started = true;
		/* Without a known token: 401 at once, the body never read (a slow
		 * one would hold the connection), and the connection closed. */
		if (!ctl_api_authenticated(h->api, url, auth,
					   MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								       "Cookie")))
			return dispatch(h, conn, url, method, pd);
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

/* A listening socket on @address:@port (IPv4 or IPv6 literal).  0 with
 * *ret_fd, or -errno with @err. */
static int listen_on(const char *address, uint16_t port, int *ret_fd, struct hwall_err *err)
{
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in sa4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	const struct sockaddr *sa = (const struct sockaddr *)&sa4;
	socklen_t len = sizeof(sa4);
	int fd, one = 1;

	if (inet_pton(AF_INET6, address, &sa6.sin6_addr) == 1) {
		sa = (const struct sockaddr *)&sa6;
		len = sizeof(sa6);
	} else if (inet_pton(AF_INET, address, &sa4.sin_addr) != 1) {
		return hwall_err_set(err, -EINVAL, "api.address: '%s' is not an IPv4 or IPv6 address",
				     address);
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, sa, len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		int r = hwall_neg_errno();
		if (fd >= 0)
			close(fd);
		return hwall_err_set(err, r, "cannot listen on %s port %u: %s", address, port,
				     hwall_strerror(r));
	}
	*ret_fd = fd;
	return 0;
}

/* The gate's hand-over: a connection with its request head in. */
static void take_connection(void *ctx, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct ctl_http *h = ctx;

	/* MHD closes @fd itself when it cannot take it (connection limit) */
	if (MHD_add_connection(h->d, fd, sa, len) != MHD_YES)
		ctl_count(h->api->metrics, CTL_CTR_API_REFUSED, 1);
}

static unsigned int or_default(unsigned int v, unsigned int def)
{
	return v ? v : def;
}

static int start_daemon(struct ctl_http *h)
{
	/* No listening socket of its own: connections come from the gate. */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
			     MHD_USE_NO_LISTEN_SOCKET;
	bool tls = h->limits.tls_cert_pem && h->limits.tls_key_pem;
	/* TLS 1.2 and 1.3 only (GnuTLS priority string) */
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)h->limits.tls_key_pem },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)h->limits.tls_cert_pem },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0,
		  (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return -ENOTSUP;
	h->d = MHD_start_daemon(flags | (tls ? MHD_USE_TLS : 0), 0, NULL, NULL, on_request, h,
				MHD_OPTION_ARRAY, tls ? tls_opts : &tls_opts[3],
				MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				MHD_OPTION_CONNECTION_LIMIT, h->limits.max_connections,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, h->limits.max_per_address,
				MHD_OPTION_CONNECTION_TIMEOUT, h->limits.idle_timeout_s,
				MHD_OPTION_END);
	return h->d ? 0 : -EIO;
}

int ctl_http_start(const char *address, uint16_t port, const struct ctl_api_config *api,
		   const struct ctl_http_limits *limits, struct ctl_http **ret_h,
		   struct hwall_err *err)
{
	struct ctl_http_limits lim = limits ? *limits : (struct ctl_http_limits){ 0 };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct ctl_http *h;
	int fd = -1, r;

	r = listen_on(address, port, &fd, err);
	if (r < 0)
		return r;
	h = calloc(1, sizeof(*h));
	if (!h) {
		close(fd);
		return -ENOMEM;
	}
	h->api = api;
	h->body_max = api->body_max ? api->body_max : CTL_API_BODY_MAX;
	h->limits = (struct ctl_http_limits){
		.max_connections = or_default(lim.max_connections, CTL_HTTP_CONNECTIONS_MAX),
		.max_per_address = or_default(lim.max_per_address, CTL_HTTP_PER_ADDRESS_MAX),
		.head_timeout_ms = or_default(lim.head_timeout_ms, CTL_HTTP_HEAD_TIMEOUT_MS),
		.idle_timeout_s = or_default(lim.idle_timeout_s, CTL_HTTP_IDLE_TIMEOUT_S),
		.tls_cert_pem = lim.tls_cert_pem, .tls_key_pem = lim.tls_key_pem,
	};
	h->port = getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 ?
		  ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						 : ((struct sockaddr_in *)&ss)->sin_port) : port;
	r = start_daemon(h);
	if (r < 0) {
		close(fd);
		free(h);
		return hwall_err_set(err, r == -ENOTSUP ? r : -EIO, "%s",
				     r == -ENOTSUP ? "this libmicrohttpd has no TLS support"
						   : "cannot start the HTTP server (a TLS "
						     "certificate or key that does not load?)");
	}
	r = ctl_gate_start(&(struct ctl_gate_config){
				   .listen_fd = fd, .max_pending = h->limits.max_connections,
				   .max_per_address = h->limits.max_per_address,
				   .head_timeout_ms = h->limits.head_timeout_ms,
				   .tls = h->limits.tls_cert_pem && h->limits.tls_key_pem,
				   .hand = take_connection, .hand_ctx = h,
				   .metrics = api->metrics },
			   &h->gate);
	if (r < 0) {
		MHD_stop_daemon(h->d);
		free(h);
		return hwall_err_set(err, r, "cannot start the API's connection gate: %s",
				     hwall_strerror(r));
	}
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
	/* no more hand-overs first, then the server */
	ctl_gate_stop(h->gate);
	MHD_stop_daemon(h->d);
	free(h);
}
