/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * syncd_push.c - the push endpoint: libmicrohttpd with TLS.
 *
 * POST /v1/bundles, "Authorization: Bearer <token>": the token picks the
 * hotline (compared as SHA-256 hashes, in constant time).  The token and
 * the Content-Length are checked before a byte of the body is read; the
 * bundle header is checked against the caps as soon as its 24 bytes are
 * in (the buffer is freed then; the answer follows the body).  The complete body goes through sync_engine_submit(); the answer is
 * JSON (200 installed, 4xx refused with the reason).  Client addresses are
 * never logged.
 */
#include "syncd.h"
#include "common/errors.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/number.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

struct syncd_push {
	struct sync_engine *e;
	struct MHD_Daemon *d;
	char *cert, *key;
	/* Bytes held by uploads in progress, at most twice the bundle cap (only
	 * the MHD thread touches it). */
	uint64_t held;
};

/* One POST in progress. */
struct upload {
	struct sync_target *t;
	uint8_t *buf;
	size_t len, cap;
	bool refused;               /* early: the rest of the body is discarded */
	struct sync_verdict early;
};

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
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A refusal before the engine saw the bundle (token, sizes). */
static enum MHD_Result refuse(struct syncd_push *p, struct MHD_Connection *c, struct sync_target *t,
			      enum sync_refusal why, const char *detail)
{
	struct sync_result res = { .target = t };

	sync_refuse(&res.verdict, why, "%s", detail);
	if (t)
		sync_engine_record_refusal(p->e, t, &res.verdict, time(NULL));
	return answer(c, (unsigned int)sync_refusal_status(why), "application/json", sync_result_json(&res));
}

static enum MHD_Result on_get(struct syncd_push *p, struct MHD_Connection *c, const char *url)
{
	if (strcmp(url, "/metrics") == 0)
		return answer(c, 200, "text/plain; version=0.0.4", sync_engine_metrics(p->e, time(NULL)));
	if (strcmp(url, "/v1/status") == 0)
		return answer(c, 200, "application/json", sync_engine_status_json(p->e, time(NULL)));
	return answer(c, 404, "application/json", strdup("{\"error\":\"not-found\"}"));
}

/* First call of a POST: token and declared length, before any body. */
static enum MHD_Result start_upload(struct syncd_push *p, struct MHD_Connection *c, void **con_cls)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	struct sync_target *t = NULL;
	struct upload *u;
	uint64_t len;

	if (auth && strncmp(auth, "Bearer ", 7) == 0)
		t = sync_engine_find_token(p->e, auth + 7);
	if (!t) {
		pthread_mutex_lock(&p->e->lock);
		p->e->unauthorized++;
		pthread_mutex_unlock(&p->e->lock);
		HWALL_LOG(WARN, "sync.push", "push refused: %s bearer token", auth ? "wrong" : "no");
		return refuse(p, c, NULL, SYNC_REFUSE_UNAUTHORIZED, auth ? "wrong bearer token" : "no bearer token");
	}
	if (!cl || hwall_parse_u64(cl, SYNC_HEADER_LEN, UINT64_MAX, &len) < 0)
		return refuse(p, c, t, SYNC_REFUSE_TRUNCATED, "a Content-Length of at least 24 bytes is required");
	if (len > p->e->caps.bundle_bytes || len > SIZE_MAX / 2)
		return refuse(p, c, t, SYNC_REFUSE_TOO_LARGE, "Content-Length over the bundle size cap");
	if (p->held + len > 2 * p->e->caps.bundle_bytes)
		return refuse(p, c, t, SYNC_REFUSE_BUSY, "other uploads in progress; retry later");
	u = calloc(1, sizeof(*u));
	if (u)
		u->buf = malloc((size_t)len);
	if (!u || !u->buf) {
		free(u);
		return MHD_NO;
	}
	u->t = t;
	u->cap = (size_t)len;
	p->held += len;
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
	}
	*size = 0;
}

static enum MHD_Result finish_upload(struct syncd_push *p, struct MHD_Connection *c, struct upload *u)
{
	struct sync_result res;
	int r;

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

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	struct syncd_push *p = cls;
	struct upload *u = *con_cls;

	(void)c;
	(void)why;
	if (u) {
		p->held -= u->cap;
		free(u->buf);
		free(u);
		*con_cls = NULL;
	}
}

static char *read_pem(const char *path, struct hwall_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int r = hwall_read_file(path, 1u << 20, &text, &len);

	if (r < 0) {
		hwall_err_set(err, r, "%s: %s", path, hwall_strerror(r));
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

struct syncd_push *syncd_push_start(struct sync_engine *e, struct hwall_err *err)
{
	const struct sync_listen_config *l = &e->cfg->listen;
	struct sockaddr_storage ss;
	struct syncd_push *p;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS;

	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		hwall_err_set(err, -ENOTSUP, "libmicrohttpd was built without TLS");
		return NULL;
	}
	if (listen_addr(l, &ss) < 0) {
		hwall_err_set(err, -EINVAL, "listen.address: \"%s\" is not an IP address", l->address);
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->e = e;
	p->cert = read_pem(l->cert, err);
	p->key = p->cert ? read_pem(l->key, err) : NULL;
	if (p->key)
		p->d = MHD_start_daemon(flags, l->port, NULL, NULL, on_request, p,
					MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
					MHD_OPTION_HTTPS_MEM_CERT, p->cert, MHD_OPTION_HTTPS_MEM_KEY, p->key,
					MHD_OPTION_NOTIFY_COMPLETED, on_completed, p,
					MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 4u,
					MHD_OPTION_CONNECTION_TIMEOUT, 120u,
					MHD_OPTION_END);
	if (!p->d) {
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
	free(p->cert);
	if (p->key)
		memset(p->key, 0, strlen(p->key));
	free(p->key);
	free(p);
}
