/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ingest_client.c - the dataplane-side ingest client (see ingest_client.h).
 */
#include "common/ingest_client.h"
#include "common/ingest_proto.h"
#include "common/algo.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/json_strict.h"
#include "common/json_writer.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define ENVELOPE_MAX 64 /* bytes the event record adds around the event */

enum ic_state {
	IC_DOWN,
	IC_WAIT_WELCOME,
	IC_READY,
	IC_STATE_COUNT
};

struct qent {
	uint64_t seq;
	char *msg;
	uint32_t len;
	bool sent_before; /* sent on an earlier connection: a resend */
};

struct hwall_ic {
	struct sockaddr_un sa;
	char id[64];
	char epoch[64];
	uint32_t reconnect_ms;
	int fd;
	enum ic_state state;
	uint64_t next_attempt_ms;
	struct qent *q;
	uint32_t cap, head, count;
	uint32_t next_send; /* entries from head already sent on this connection */
	uint64_t seq;
	struct hwall_ic_stats st;
	char rbuf[1024];
};

static bool valid_id(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

int hwall_ic_new(const struct hwall_ic_config *cfg, struct hwall_ic **ret_ic)
{
	struct hwall_ic *ic;
	uint8_t rnd[8];

	if (!cfg->socket_path || strlen(cfg->socket_path) >= sizeof(ic->sa.sun_path) ||
	    !valid_id(cfg->dataplane) || (cfg->epoch && !valid_id(cfg->epoch)) ||
	    cfg->queue_max > HWALL_INGEST_SEQ_WINDOW)
		return -EINVAL;
	ic = calloc(1, sizeof(*ic));
	if (!ic)
		return -ENOMEM;
	ic->cap = cfg->queue_max ? cfg->queue_max : 65536;
	ic->q = calloc(ic->cap, sizeof(*ic->q));
	if (!ic->q) {
		free(ic);
		return -ENOMEM;
	}
	ic->sa.sun_family = AF_UNIX;
	memcpy(ic->sa.sun_path, cfg->socket_path, strlen(cfg->socket_path));
	snprintf(ic->id, sizeof(ic->id), "%s", cfg->dataplane);
	if (cfg->epoch) {
		snprintf(ic->epoch, sizeof(ic->epoch), "%s", cfg->epoch);
	} else {
		/* A fresh epoch per process: sequence numbers restart at 1. */
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			memset(rnd, 0, sizeof(rnd));
		snprintf(ic->epoch, sizeof(ic->epoch), "%llx-", (unsigned long long)time(NULL));
		hwall_hex_format(rnd, sizeof(rnd), ic->epoch + strlen(ic->epoch));
	}
	ic->reconnect_ms = cfg->reconnect_ms ? cfg->reconnect_ms : 200;
	ic->fd = -1;
	*ret_ic = ic;
	return 0;
}

void hwall_ic_free(struct hwall_ic *ic)
{
	if (!ic)
		return;
	if (ic->fd >= 0)
		close(ic->fd);
	for (uint32_t i = 0; i < ic->count; i++)
		free(ic->q[(ic->head + i) % ic->cap].msg);
	free(ic->q);
	free(ic);
}

int hwall_ic_submit(struct hwall_ic *ic, const char *json, size_t len)
{
	struct hwall_json w;
	struct qent *e;
	size_t n;

	if (len + ENVELOPE_MAX > HWALL_INGEST_MSG_MAX) {
		ic->st.oversized++;
		return -EMSGSIZE;
	}
	if (ic->count == ic->cap) {
		ic->st.dropped++;
		return -ENOBUFS;
	}
	e = &ic->q[(ic->head + ic->count) % ic->cap];
	e->msg = malloc(len + ENVELOPE_MAX);
	if (!e->msg) {
		ic->st.dropped++;
		return -ENOBUFS;
	}
	hwall_json_init(&w, e->msg, len + ENVELOPE_MAX);
	hwall_json_obj_begin(&w, NULL);
	hwall_json_str(&w, "type", "event");
	hwall_json_u64(&w, "seq", ic->seq + 1);
	hwall_json_raw(&w, "event", json, len);
	hwall_json_obj_end(&w);
	if (hwall_json_finish(&w, &n) < 0) { /* ENVELOPE_MAX is too small */
		free(e->msg);
		e->msg = NULL;
		ic->st.oversized++;
		return -EMSGSIZE;
	}
	e->len = (uint32_t)n;
	e->seq = ++ic->seq;
	e->sent_before = false;
	ic->count++;
	ic->st.submitted++;
	return 0;
}

static void disconnect(struct hwall_ic *ic)
{
	if (ic->fd >= 0)
		close(ic->fd);
	ic->fd = -1;
	ic->state = IC_DOWN;
	ic->next_send = 0;
	ic->next_attempt_ms = hwall_mono_ms() + ic->reconnect_ms;
}

static void try_connect(struct hwall_ic *ic)
{
	char hello[256];
	struct hwall_json w;
	size_t n;

	if (hwall_mono_ms() < ic->next_attempt_ms)
		return;
	ic->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ic->fd < 0 || connect(ic->fd, (struct sockaddr *)&ic->sa, sizeof(ic->sa)) < 0) {
		disconnect(ic);
		return;
	}
	hwall_json_init(&w, hello, sizeof(hello));
	hwall_json_obj_begin(&w, NULL);
	hwall_json_str(&w, "type", "hello");
	hwall_json_u64(&w, "proto", HWALL_INGEST_PROTO);
	hwall_json_str(&w, "dataplane", ic->id);
	hwall_json_str(&w, "epoch", ic->epoch);
	hwall_json_obj_end(&w);
	if (hwall_json_finish(&w, &n) < 0 ||
	    send(ic->fd, hello, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n) {
		disconnect(ic);
		return;
	}
	ic->state = IC_WAIT_WELCOME;
}

/* Drop every queued event with seq <= @seq: controld committed them. */
static void acked_upto(struct hwall_ic *ic, uint64_t seq)
{
	while (ic->count && ic->q[ic->head].seq <= seq) {
		free(ic->q[ic->head].msg);
		ic->q[ic->head].msg = NULL;
		ic->head = (ic->head + 1) % ic->cap;
		ic->count--;
		ic->st.acked++;
		if (ic->next_send)
			ic->next_send--;
	}
}

static void send_pending(struct hwall_ic *ic)
{
	while (ic->state == IC_READY && ic->next_send < ic->count) {
		struct qent *e = &ic->q[(ic->head + ic->next_send) % ic->cap];
		if (send(ic->fd, e->msg, e->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			if (errno != EAGAIN && errno != EINTR)
				disconnect(ic);
			return;
		}
		if (e->sent_before)
			ic->st.resent++;
		e->sent_before = true;
		ic->next_send++;
	}
}

/* A sequence number controld may acknowledge: an integer from 0 to the
 * newest sequence number given out (anything else is a protocol error, and
 * a cast of it would be undefined). */
static bool seq_ok(const struct hwall_ic *ic, const cJSON *n)
{
	return cJSON_IsNumber(n) && n->valuedouble >= 0 && n->valuedouble <= (double)ic->seq &&
	       n->valuedouble == (double)(uint64_t)n->valuedouble;
}

static void on_record(struct hwall_ic *ic, const char *buf, size_t len)
{
	cJSON *msg = NULL;
	const cJSON *type, *seq, *acked;
	struct hwall_json_fault fault;

	/* Strict, as controld reads ours: anything else is not spoken here. */
	if (hwall_json_parse_strict(buf, len, 0, &msg, &fault) < 0)
		msg = NULL;
	type = cJSON_GetObjectItemCaseSensitive(msg, "type");
	seq = cJSON_GetObjectItemCaseSensitive(msg, "seq");
	acked = cJSON_GetObjectItemCaseSensitive(msg, "acked");

	if (cJSON_IsString(type) && strcmp(type->valuestring, "welcome") == 0 &&
	    ic->state == IC_WAIT_WELCOME && seq_ok(ic, acked)) {
		acked_upto(ic, (uint64_t)acked->valuedouble);
		ic->next_send = 0; /* everything not acknowledged goes again */
		ic->state = IC_READY;
		ic->st.connects++;
	} else if (cJSON_IsString(type) && strcmp(type->valuestring, "ack") == 0 &&
		   ic->state == IC_READY && seq_ok(ic, seq)) {
		acked_upto(ic, (uint64_t)seq->valuedouble);
	} else {
		disconnect(ic); /* an error record or something we do not speak */
	}
	cJSON_Delete(msg);
}

static void read_records(struct hwall_ic *ic)
{
	while (ic->fd >= 0) {
		ssize_t n = recv(ic->fd, ic->rbuf, sizeof(ic->rbuf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			disconnect(ic);
			return;
		}
		on_record(ic, ic->rbuf, (size_t)n);
	}
}

int hwall_ic_poll(struct hwall_ic *ic, int timeout_ms)
{
	struct pollfd pfd;

	if (ic->state == IC_DOWN)
		try_connect(ic);
	if (ic->state == IC_DOWN) {
		if (timeout_ms > 0)
			poll(NULL, 0, timeout_ms < (int)ic->reconnect_ms ? timeout_ms
									 : (int)ic->reconnect_ms);
		return -ENOTCONN;
	}
	send_pending(ic);
	/* Wake as soon as the socket takes more, when events wait unsent. */
	pfd = (struct pollfd){ .fd = ic->fd, .events = POLLIN };
	if (ic->state == IC_READY && ic->next_send < ic->count)
		pfd.events |= POLLOUT;
	if (ic->fd >= 0 && poll(&pfd, 1, timeout_ms) > 0 && (pfd.revents & ~POLLOUT))
		read_records(ic);
	send_pending(ic);
	return ic->state == IC_DOWN ? -ENOTCONN : 0;
}

int hwall_ic_send_stats(struct hwall_ic *ic, const char *json, size_t len)
{
	struct hwall_json w;
	char *msg;
	size_t n;
	int r = 0;

	if (ic->state != IC_READY)
		return -ENOTCONN;
	if (len + ENVELOPE_MAX > HWALL_INGEST_MSG_MAX)
		return -EINVAL;
	msg = malloc(len + ENVELOPE_MAX);
	if (!msg)
		return -ENOMEM;
	/* {"type":"stats", followed by the members of the caller's object */
	hwall_json_init(&w, msg, len + ENVELOPE_MAX);
	hwall_json_obj_begin(&w, NULL);
	hwall_json_str(&w, "type", "stats");
	hwall_json_members(&w, json, len);
	hwall_json_obj_end(&w);
	r = hwall_json_finish(&w, &n);
	if (r == 0 && send(ic->fd, msg, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		r = errno == EAGAIN ? -EAGAIN : hwall_neg_errno();
	free(msg);
	return r;
}

int hwall_ic_fd(const struct hwall_ic *ic)
{
	return ic->fd;
}

void hwall_ic_stats(const struct hwall_ic *ic, struct hwall_ic_stats *ret)
{
	*ret = ic->st;
	ret->queued = ic->count;
	ret->last_seq = ic->seq;
	ret->connected = ic->state == IC_READY;
}
