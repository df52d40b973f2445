/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * service.c - draining the event rings into the event file and controld
 * (see service.h).
 */
#include "dataplane/live/service.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/errors.h"
#include "common/ingest_client.h"
#include "common/json_writer.h"
#include "common/log.h"

#define TAKE_BURST 64
#define INGEST_MAX (DP_EVENT_MAX + 128)

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

size_t dp_service_ingest_json(const char *line, size_t len, const struct dp_flow_key *flow,
			      char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	struct hwall_json w;
	size_t n;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (memcmp(flow->client, v4_mapped, sizeof(v4_mapped)) == 0)
		inet_ntop(AF_INET, flow->client + 12, ip, sizeof(ip));
	else
		inet_ntop(AF_INET6, flow->client, ip, sizeof(ip));
	hwall_json_init(&w, out, cap);
	hwall_json_obj_begin(&w, NULL);
	hwall_json_members(&w, line, len);
	/* A retroactive match (journal/recheck.h) has no flow: port 0. */
	if (flow->client_port) {
		hwall_json_obj_begin(&w, "flow");
		hwall_json_str(&w, "client_ip", ip);
		hwall_json_u64(&w, "client_port", flow->client_port);
		hwall_json_obj_end(&w);
	}
	hwall_json_obj_end(&w);
	return hwall_json_finish(&w, &n) == 0 ? n : 0;
}

static int open_events(struct dp_service *s)
{
	int fd = open(s->event_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0)
		return hwall_neg_errno();
	s->events = fdopen(fd, "a");
	if (!s->events) {
		int r = hwall_neg_errno();
		close(fd);
		return r;
	}
	return 0;
}

int dp_service_open(struct dp_service *s, const struct dp_service_conf *conf,
		    struct hwall_err *err)
{
	int r = 0;

	memset(s, 0, sizeof(*s));
	if (conf->event_file) {
		s->event_path = strdup(conf->event_file);
		r = s->event_path ? open_events(s) : -ENOMEM;
		if (r < 0) {
			hwall_err_set(err, r, "event_file %s: %s", conf->event_file, hwall_strerror(r));
			goto fail;
		}
	}
	if (conf->ingest_socket) {
		struct hwall_ic_config icc = { .socket_path = conf->ingest_socket, .dataplane = conf->id };
		r = hwall_ic_new(&icc, &s->ic);
		if (r < 0) {
			hwall_err_set(err, r, "ingest_socket %s: %s", conf->ingest_socket,
				      hwall_strerror(r));
			goto fail;
		}
	}
	return 0;
fail:
	dp_service_close(s, 0);
	return r;
}

int dp_service_add_ring(struct dp_service *s, struct dp_evring *ring)
{
	if (s->n_rings == DP_SERVICE_RINGS_MAX)
		return -ENOSPC;
	s->rings[s->n_rings++] = ring;
	return 0;
}

/* One record to its outputs. */
static void put(struct dp_service *s, const struct dp_evrec *rec)
{
	char json[INGEST_MAX];
	size_t len;

	if (s->events && fwrite(rec->line, 1, rec->len, s->events) == rec->len)
		s->written++;
	if (!s->ic || !rec->match)
		return;
	len = dp_service_ingest_json(rec->line, rec->len, &rec->flow, json, sizeof(json));
	if (len && hwall_ic_submit(s->ic, json, len) == 0)
		__atomic_fetch_add(&s->submitted, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&s->not_queued, 1, __ATOMIC_RELAXED);
}

unsigned int dp_service_drain(struct dp_service *s)
{
	struct dp_evrec *recs[TAKE_BURST];
	unsigned int total = 0, n;

	for (unsigned int k = 0; k < s->n_rings; k++) {
		while ((n = dp_evring_take(s->rings[k], recs, TAKE_BURST)) > 0) {
			for (unsigned int i = 0; i < n; i++)
				put(s, recs[i]);
			dp_evring_release(s->rings[k], recs, n);
			total += n;
		}
	}
	if (total && s->events && (fflush(s->events) != 0 || ferror(s->events))) {
		if (s->write_errors++ == 0)
			HWALL_LOG(ERR, "dp.events", "writing %s: %s", s->event_path,
			       hwall_strerror(hwall_neg_errno()));
		clearerr(s->events);
	}
	return total;
}

void dp_service_poll(struct dp_service *s, int timeout_ms)
{
	if (s->ic)
		hwall_ic_poll(s->ic, timeout_ms);
	else if (timeout_ms > 0)
		poll(NULL, 0, timeout_ms);
}

void dp_service_send_stats(struct dp_service *s, const char *json, size_t len)
{
	if (s->ic)
		hwall_ic_send_stats(s->ic, json, len);
}

int dp_service_reopen(struct dp_service *s)
{
	if (!s->events)
		return 0;
	fclose(s->events);
	s->events = NULL;
	return open_events(s);
}

uint64_t dp_service_unacked(const struct dp_service *s)
{
	struct hwall_ic_stats st;

	if (!s->ic)
		return 0;
	hwall_ic_stats(s->ic, &st);
	return st.queued;
}

uint64_t dp_service_close(struct dp_service *s, int linger_ms)
{
	int64_t end = (int64_t)hwall_mono_ms() + linger_ms;
	uint64_t left;

	dp_service_drain(s);
	while (s->ic && dp_service_unacked(s) > 0 && (int64_t)hwall_mono_ms() < end)
		hwall_ic_poll(s->ic, 20);
	left = dp_service_unacked(s);
	hwall_ic_free(s->ic);
	if (s->events)
		fclose(s->events);
	free(s->event_path);
	/* The counters stay readable after close. */
	s->ic = NULL;
	s->events = NULL;
	s->event_path = NULL;
	s->n_rings = 0;
	return left;
}
