/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * syncd_push.c - the push endpoint: libmicrohttpd with TLS 1.2 and 1.3,
 * a thread per connection, and the connection guard (syncd_guard.h)
 * deciding at accept, tracking every connection and closing what is past
 * its deadline or below its rate (a watchdog thread sweeps it).
 *
 * POST /v1/bundles, "Authorization: Bearer <token>": the token picks the
 * hotline (compared as SHA-256 hashes, in constant time), which moves the
 * connection into that hotline's budgets.  The token, the Content-Length
 * and the budgets are checked before a byte of the body is read; the
 * bundle header is checked against the caps as soon as its 24 bytes are
 * in (the buffer is freed then; the answer follows the body).  The
 * complete body goes through sync_engine_submit(); the answer is JSON (200
 * installed, 4xx refused with the reason).  GET /v1/status and /metrics
 * need a token unless the endpoint listens on loopback.  Client addresses
 * are never logged.
 */
#include "syncd.h"
#include "syncd_guard.h"
#include "sync_trust.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/number.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

/* TLS 1.2 and 1.3 only (GnuTLS priorities: libmicrohttpd uses GnuTLS). */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define WATCHDOG_MS 200

struct syncd_push {
	struct sync_engine *e;
	struct MHD_Daemon *d;
	struct syncd_guard *g;
	char *cert, *key;
	bool open_reads;  /* loopback only: status and metrics without a token */
	pthread_t watchdog;
	bool watching;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	bool stopping;
};

/* One POST in progress. */
struct upload {
	struct sync_target *t;
	struct syncd_conn *conn;    /* the guard's record of the connection */
	uint8_t *buf;
	size_t len, cap;
	bool refused;               /* early: the rest of the body is discarded */
	struct sync_verdict early;
};

/* Every answer closes the connection: one request per connection keeps
 * the guard's accounting (and a client's hold on a slot) simple. */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned int status, const char *type,
			      char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!body)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A refusal before the engine saw the bundle (token, sizes, budgets). */
static enum MHD_Result refuse(struct syncd_push *p, struct MHD_Connection *c, struct sync_target *t,
			      enum sync_refusal why, const char *detail)
{
	struct sync_result res = { .target = t };

	sync_refuse(&res.verdict, why, "%s", detail);
	if (t)
		sync_engine_record_refusal(p->e, t, &res.verdict, time(NULL));
	return answer(c, (unsigned int)sync_refusal_status(why), "application/json", sync_result_json(&res));
}

/* The bearer token of the request, or NULL (RFC 6750 section 2.1; the
 * scheme is case-insensitive, RFC 9110 section 11.1). */
static const char *bearer(struct MHD_Connection *c)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
		return NULL;
	auth += 7;
	while (*auth == ' ')
		auth++;
	return *auth ? auth : NULL;
}

static enum MHD_Result unauthorized(struct syncd_push *p, struct MHD_Connection *c, bool had_token)
{
	pthread_mutex_lock(&p->e->lock);
	p->e->unauthorized++;
	pthread_mutex_unlock(&p->e->lock);
	return refuse(p, c, NULL, SYNC_REFUSE_UNAUTHORIZED, had_token ? "wrong bearer token" : "no bearer token");
}

static struct syncd_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return i ? i->socket_context : NULL;
}

/* Metrics: the engine's, then the push limits'. */
static char *push_metrics(struct syncd_push *p)
{
	uint64_t counts[SYNCD_LIMIT_COUNT];
	char *m = sync_engine_metrics(p->e, time(NULL)), *all;
	size_t len = m ? strlen(m) : 0, cap = len + 256 + SYNCD_LIMIT_COUNT * 96, n;

	all = m ? realloc(m, cap) : NULL;
	if (!all) {
		free(m);
		return NULL;
	}
	syncd_guard_counts(p->g, counts);
	n = len + (size_t)snprintf(all + len, cap - len,
				   "# HELP hashwall_sync_push_limited_total Connections refused or closed by a push limit.\n"
				   "# TYPE hashwall_sync_push_limited_total counter\n");
	for (int i = 0; i < SYNCD_LIMIT_COUNT && n < cap; i++)
		n += (size_t)snprintf(all + n, cap - n, "hashwall_sync_push_limited_total{reason=\"%s\"} %" PRIu64 "\n",
				      syncd_limit_name((enum syncd_limit)i), counts[i]);
	return all;
}

/* Status and metrics need a token (a hotline's or the metrics token)
 * unless syncd listens on loopback only. */
static enum MHD_Result on_get(struct syncd_push *p, struct MHD_Connection *c, const char *url)
{
	const char *token = bearer(c);
	bool status = strcmp(url, "/v1/status") == 0;

	if (!status && strcmp(url, "/metrics") != 0)
		return answer(c, 404, "application/json", strdup("{\"error\":\"not-found\"}"));
	if (!p->open_reads && !(token && sync_engine_may_read(p->e, token)))
		return unauthorized(p, c, token != NULL);
	if (status)
		return answer(c, 200, "application/json", sync_engine_status_json(p->e, time(NULL)));
	return answer(c, 200, "text/plain; version=0.0.4", push_metrics(p));
}

/* The guard's budgets for @t's upload of @len bytes: 0, or an answer. */
static int reserve(struct syncd_push *p, struct MHD_Connection *c, struct sync_target *t,
		   struct syncd_conn *conn, uint64_t len, enum MHD_Result *ret)
{
	const struct sync_push_limits *l = &p->e->cfg->listen.limits;
	char why[200];
	int r = syncd_guard_upload(p->g, conn, (size_t)(t - p->e->targets), len, (int64_t)hwall_mono_ms());

	if (r == -EBUSY)
		snprintf(why, sizeof(why), "%u uploads of this hotline in progress already; retry later",
			 l->hotline_uploads);
	else if (r == -ENOBUFS)
		snprintf(why, sizeof(why), "with the uploads of this hotline in progress, more than its %"
			 PRIu64 " bytes (hotline_upload_bytes); retry later", l->hotline_upload_bytes);
	if (r == -EBUSY || r == -ENOBUFS)
		*ret = refuse(p, c, t, SYNC_REFUSE_BUSY, why);
	else if (r < 0)
		*ret = MHD_NO;
	if (r == 0)
		MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned int)l->idle_timeout);
	return r;
}

/* First call of a POST: token, declared length and budgets, before any body. */
static enum MHD_Result start_upload(struct syncd_push *p, struct MHD_Connection *c, void **con_cls)
{
	const char *token = bearer(c);
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct syncd_conn *conn = conn_of(c);
	struct sync_target *t = token ? sync_engine_find_token(p->e, token) : NULL;
	enum MHD_Result ret = MHD_NO;
	struct upload *u;
	uint64_t len;

	if (!t) {
		HWALL_LOG(WARN, "sync.push", "push refused: %s bearer token", token ? "wrong" : "no");
		return unauthorized(p, c, token != NULL);
	}
	if (!cl || hwall_parse_u64(cl, SYNC_HEADER_LEN, UINT64_MAX, &len) < 0)
		return refuse(p, c, t, SYNC_REFUSE_TRUNCATED, "a Content-Length of at least 24 bytes is required");
	if (len > p->e->caps.bundle_bytes || len > SIZE_MAX / 2)
		return refuse(p, c, t, SYNC_REFUSE_TOO_LARGE, "Content-Length over the bundle size cap");
	if (reserve(p, c, t, conn, len, &ret) < 0)
		return ret;
	u = calloc(1, sizeof(*u));
	if (u)
		u->buf = malloc((size_t)len);
	if (!u || !u->buf) {
		free(u);
		return MHD_NO; /* the guard releases the budget when the connection closes */
	}
	u->t = t;
	u->conn = conn;
	u->cap = (size_t)len;
	*con_cls = u;
	return MHD_YES;
}

/*
 * More body: append, checking the header's sizes as soon as it is in.  A
 * refusal here frees the buffer at once; the rest of the body (at most the
 * Content-Length, already under the cap) is read and discarded, because
 * libmicrohttpd can only answer once the upload is complete.
 */
static void take_body(struct syncd_push *p, struct upload *u, const char *data, size_t *size)
{
	size_t had = u->len;
	struct sync_bundle b;

	syncd_guard_received(p->g, u->conn, *size);
	if (!u->refused && *size > u->cap - u->len) {
		u->refused = true;
		sync_refuse(&u->early, SYNC_REFUSE_PAYLOAD_SIZE, "body longer than its Content-Length");
	}
	if (!u->refused) {
		memcpy(u->buf + u->len, data, *size);
		u->len += *size;
		if (had < SYNC_HEADER_LEN && u->len >= SYNC_HEADER_LEN && u->len < u->cap &&
		    sync_bundle_split(u->buf, u->len, &p->e->caps, &b, &u->early) < 0 &&
		    u->early.reason != SYNC_REFUSE_TRUNCATED)
			u->refused = true;
	}
	if (u->refused && u->buf) {
		free(u->buf);
		u->buf = NULL;
		syncd_guard_release(p->g, u->conn);
	}
	*size = 0;
}

static enum MHD_Result finish_upload(struct syncd_push *p, struct MHD_Connection *c, struct upload *u)
{
	struct sync_result res;
	int r;

	syncd_guard_body_done(p->g, u->conn);
	if (u->refused) {
		HWALL_LOG(WARN, "sync.push", "set %s: refused from the header (%s): %s", u->t->hl->set,
		       sync_refusal_name(u->early.reason), u->early.detail.msg);
		return refuse(p, c, u->t, u->early.reason, u->early.detail.msg);
	}
	r = sync_engine_submit(p->e, u->t, u->buf, u->len, time(NULL), true, &res);

	if (r == 0)
		HWALL_LOG(INFO, "sync.push", "set %s: installed %s version %" PRIu64, u->t->hl->set,
		       sync_kind_name(res.kind), res.version);
	else
		HWALL_LOG(WARN, "sync.push", "set %s: refused (%s): %s", u->t->hl->set,
		       sync_refusal_name(res.verdict.reason), res.verdict.detail.msg);
	return answer(c, (unsigned int)sync_refusal_status(res.verdict.reason), "application/json",
		      sync_result_json(&res));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	struct syncd_push *p = cls;
	struct upload *u = *con_cls;

	(void)version;
	if (strcmp(method, "GET") == 0)
		return on_get(p, c, url);
	if (strcmp(method, "POST") != 0 || strcmp(url, "/v1/bundles") != 0)
		return answer(c, 404, "application/json", strdup("{\"error\":\"not-found\"}"));
	if (!u)
		return start_upload(p, c, con_cls);
	if (*size) {
		take_body(p, u, data, size);
		return MHD_YES;
	}
	return finish_upload(p, c, u);
}

/* The request is over: free the upload; one the guard cut for its pace is
 * a refusal of its hotline's (recorded here, in the connection's thread:
 * the engine's lock may be held by an install for a while). */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	const struct sync_push_limits *l;
	struct syncd_push *p = cls;
	struct upload *u = *con_cls;
	struct sync_verdict v;

	(void)c;
	(void)why;
	if (!u)
		return;
	if (syncd_guard_closed_why(p->g, u->conn) == SYNCD_LIMIT_SLOW) {
		l = &p->e->cfg->listen.limits;
		sync_refuse(&v, SYNC_REFUSE_TOO_SLOW, "upload below %" PRIu32 " bytes/s over %" PRIu32
			    " s (min_upload_rate); connection closed", l->min_upload_rate, l->rate_window);
		HWALL_LOG(WARN, "sync.push", "set %s: %s", u->t->hl->set, v.detail.msg);
		sync_engine_record_refusal(p->e, u->t, &v, time(NULL));
	}
	free(u->buf);
	syncd_guard_release(p->g, u->conn);
	free(u);
	*con_cls = NULL;
}

/* The guard decides at accept; it tracks each connection from its start
 * to just before libmicrohttpd closes its socket. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct syncd_push *p = cls;

	(void)addrlen;
	return syncd_guard_admit(p->g, addr, (int64_t)hwall_mono_ms()) ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *addr, *fd;
	struct syncd_push *p = cls;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		syncd_guard_close(p->g, *socket_context);
		*socket_context = NULL;
		return;
	}
	addr = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (addr && fd)
		*socket_context = syncd_guard_open(p->g, addr->client_addr, fd->connect_fd,
						   (int64_t)hwall_mono_ms());
}

/* Every WATCHDOG_MS: close what is past its deadline or below its rate. */
static void *watchdog(void *arg)
{
	struct syncd_push *p = arg;
	struct timespec ts;
	unsigned int n;

	pthread_mutex_lock(&p->stop_lock);
	while (!p->stopping) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += WATCHDOG_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&p->stop_cond, &p->stop_lock, &ts);
		n = p->stopping ? 0 : syncd_guard_sweep(p->g, (int64_t)hwall_mono_ms());
		if (n)
			HWALL_LOG(DEBUG, "sync.push", "closed %u connections (head deadline or upload rate)", n);
	}
	pthread_mutex_unlock(&p->stop_lock);
	return NULL;
}

/* A PEM file: the certificate, or (@secret) the private key, which must
 * be private to syncd's user. */
static char *read_pem(const char *path, bool secret, struct hwall_err *err)
{
	char *text = NULL, why[4200];
	size_t len = 0;
	int r = secret ? hwall_read_secret_file(path, 1u << 20, &text, &len)
		       : hwall_read_file(path, 1u << 20, &text, &len);

	if (r < 0) {
		hwall_err_set(err, r, "%s: %s", path, sync_secret_file_why(path, r, why, sizeof(why)));
		return NULL;
	}
	return text;
}

static int listen_addr(const struct sync_listen_config *l, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, l->address, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(l->port);
		return 0;
	}
	if (inet_pton(AF_INET6, l->address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(l->port);
		return 0;
	}
	return -EINVAL;
}

/* Whether @ss is a loopback address (127/8, ::1, IPv4-mapped 127/8). */
static bool loopback(const struct sockaddr_storage *ss)
{
	const uint8_t *a6 = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;

	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	return memcmp(a6, &in6addr_loopback, 16) == 0 ||
	       (memcmp(a6, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 && a6[12] == 127);
}

/* The guard's limits from the configuration. */
static struct syncd_guard *new_guard(const struct sync_engine *e)
{
	const struct sync_push_limits *l = &e->cfg->listen.limits;
	struct syncd_guard_limits gl = {
		.head_timeout_ms = l->head_timeout * 1000u, .unauth_per_address = l->unauth_per_address,
		.unauth_total = l->unauth_total, .hotline_uploads = l->hotline_uploads,
		.hotline_upload_bytes = l->hotline_upload_bytes, .min_upload_rate = l->min_upload_rate,
		.rate_window_ms = l->rate_window * 1000u,
	};

	return syncd_guard_new(&gl, e->n_targets);
}

/* Thread per connection: a long install in one does not stall the others
 * (or their deadlines); the guard bounds how many there are. */
static struct MHD_Daemon *start_daemon(struct syncd_push *p, const struct sockaddr_storage *ss)
{
	const struct sync_listen_config *l = &p->e->cfg->listen;
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_POLL | MHD_USE_TLS | (ss->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	unsigned int limit = l->limits.unauth_total + (unsigned int)p->e->n_targets * l->limits.hotline_uploads +
			     16; /* room for connections being closed */

	return MHD_start_daemon(flags, l->port, on_accept, p, on_request, p,
				MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
				MHD_OPTION_HTTPS_MEM_CERT, p->cert, MHD_OPTION_HTTPS_MEM_KEY, p->key,
				MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, p,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, p,
				MHD_OPTION_CONNECTION_LIMIT, limit,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)l->limits.head_timeout,
				MHD_OPTION_END);
}

struct syncd_push *syncd_push_start(struct sync_engine *e, struct hwall_err *err)
{
	const struct sync_listen_config *l = &e->cfg->listen;
	struct sockaddr_storage ss;
	struct syncd_push *p;

	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		hwall_err_set(err, -ENOTSUP, "libmicrohttpd was built without TLS");
		return NULL;
	}
	if (listen_addr(l, &ss) < 0) {
		hwall_err_set(err, -EINVAL, "listen.address: \"%s\" is not an IP address", l->address);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->e = e;
	p->open_reads = loopback(&ss);
	pthread_mutex_init(&p->stop_lock, NULL);
	pthread_cond_init(&p->stop_cond, NULL);
	p->g = new_guard(e);
	p->cert = p->g ? read_pem(l->cert, false, err) : NULL;
	p->key = p->cert ? read_pem(l->key, true, err) : NULL;
	p->d = p->key ? start_daemon(p, &ss) : NULL;
	if (p->d && pthread_create(&p->watchdog, NULL, watchdog, p) == 0)
		p->watching = true;
	if (!p->watching) {
		if (p->key)
			hwall_err_set(err, -EADDRINUSE,
				      "cannot serve https on %s:%u (address in use, or bad cert/key)",
				      l->address, l->port);
		syncd_push_stop(p);
		return NULL;
	}
	return p;
}

void syncd_push_stop(struct syncd_push *p)
{
	if (!p)
		return;
	if (p->d)
		MHD_stop_daemon(p->d);
	if (p->watching) {
		pthread_mutex_lock(&p->stop_lock);
		p->stopping = true;
		pthread_cond_signal(&p->stop_cond);
		pthread_mutex_unlock(&p->stop_lock);
		pthread_join(p->watchdog, NULL);
	}
	syncd_guard_free(p->g);
	pthread_cond_destroy(&p->stop_cond);
	pthread_mutex_destroy(&p->stop_lock);
	free(p->cert);
	if (p->key)
		explicit_bzero(p->key, strlen(p->key));
	free(p->key);
	free(p);
}
