/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * service.h - the live dataplane's service side of the event rings: drains
 * every worker's evring and writes the events out, off the fast path.
 *
 * Outputs (each optional):
 *   - the event file: JSON lines appended (O_APPEND), flushed after every
 *     batch, reopened on request (log rotation: SIGHUP);
 *   - controld's ingest socket (docs/ingest-protocol.md) through the ingest
 *     client: match events only, with the flow's addresses added for
 *     blocked-flow entries; unacknowledged events wait in the client's
 *     bounded queue and are resent after a reconnect.
 * Object events (log_objects) go to the event file only.  The flow's
 * addresses are never written to the event file.
 *
 * One thread (the main lcore) calls everything; the counters are read by
 * the telemetry thread with relaxed atomic loads.
 */
#ifndef HASHWALL_DATAPLANE_SERVICE_H
#define HASHWALL_DATAPLANE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/errors.h"
#include "dataplane/live/evring.h"

struct hwall_ic;

struct dp_service_conf {
	const char *event_file;    /* NULL: none */
	const char *ingest_socket; /* NULL: none */
	const char *id;            /* this dataplane's id at controld */
};

#define DP_SERVICE_RINGS_MAX 64

struct dp_service {
	struct dp_evring *rings[DP_SERVICE_RINGS_MAX];
	unsigned int n_rings;
	char *event_path;
	FILE *events;
	struct hwall_ic *ic;
	uint64_t written;      /* lines written to the event file */
	uint64_t write_errors; /* batches that failed to write or flush */
	uint64_t submitted;    /* match events handed to the ingest client */
	uint64_t not_queued;   /* refused by the ingest client (queue full, too big) */
};

/*
 * Open the outputs of @conf.  Returns 0 or -errno with @err saying which
 * output failed and why.
 */
int dp_service_open(struct dp_service *s, const struct dp_service_conf *conf,
		    struct hwall_err *err);

/* Drain @ring too (it must outlive @s).  Returns 0 or -ENOSPC. */
int dp_service_add_ring(struct dp_service *s, struct dp_evring *ring);

/* Drain every ring once; returns the number of events handled. */
unsigned int dp_service_drain(struct dp_service *s);

/* Ingest I/O (connect, send, acknowledgements), waiting at most
 * @timeout_ms; sleeps that long when there is no ingest socket. */
void dp_service_poll(struct dp_service *s, int timeout_ms);

/* Send a status snapshot to controld (best effort); @json as for
 * hwall_ic_send_stats(). */
void dp_service_send_stats(struct dp_service *s, const char *json, size_t len);

/* Reopen the event file (after log rotation).  Returns 0 or -errno. */
int dp_service_reopen(struct dp_service *s);

/* Events still waiting for controld's acknowledgement. */
uint64_t dp_service_unacked(const struct dp_service *s);

/*
 * Close the outputs: drain once more, give controld up to @linger_ms to
 * acknowledge what is queued, then close.  Returns the events still
 * unacknowledged (lost with the process).  The counters stay readable.
 * Accepts a zeroed @s.
 */
uint64_t dp_service_close(struct dp_service *s, int linger_ms);

/*
 * The ingest form of a match line: @line (a JSON object and its newline)
 * with "flow":{"client_ip":...,"client_port":...} added, into @out of
 * @cap bytes.  Returns the length (no newline), or 0 when it does not fit
 * or @line is not an object.  Exposed for tests.
 */
size_t dp_service_ingest_json(const char *line, size_t len, const struct dp_flow_key *flow,
			      char *out, size_t cap);

#endif
