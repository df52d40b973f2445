/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ingest_client.h - the dataplane's side of the ingest protocol
 * (docs/ingest-protocol.md), as a small library the dataplane's service
 * thread links: match events go into a bounded queue of unacknowledged
 * events, are sent over a SOCK_SEQPACKET connection to controld, leave the
 * queue only when controld acknowledges them (after its commit), and are
 * resent after a reconnect.  When the queue is full, a new event is dropped
 * and counted; the events already queued are kept.
 *
 * Not thread-safe: one thread calls everything (the dataplane's service
 * thread).  Never blocks longer than the timeout given to hwall_ic_poll().
 * Library code: it does not log; read the counters with hwall_ic_stats().
 */
#ifndef HASHWALL_COMMON_INGEST_CLIENT_H
#define HASHWALL_COMMON_INGEST_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hwall_ic_config {
	const char *socket_path;  /* controld's ingest socket */
	const char *dataplane;    /* this dataplane's id (1-63 printable chars, no spaces) */
	const char *epoch;        /* NULL: a fresh random epoch for this process; a
				   * given one must not be reused by another process
				   * (controld would acknowledge sequence numbers this
				   * one has not given out: a protocol error) */
	uint32_t queue_max;       /* unacknowledged events kept; 0: 65536; at most
				   * HWALL_INGEST_SEQ_WINDOW (controld refuses
				   * sequence numbers further ahead) */
	uint32_t reconnect_ms;    /* wait between connection attempts; 0: 200 */
};

struct hwall_ic_stats {
	uint64_t submitted;  /* events accepted into the queue */
	uint64_t acked;      /* events acknowledged by controld */
	uint64_t dropped;    /* events dropped because the queue was full */
	uint64_t oversized;  /* events refused as larger than a record */
	uint64_t resent;     /* sends of events already sent on an earlier connection */
	uint64_t connects;   /* connections established (welcome received) */
	uint64_t queued;     /* events in the queue now (sent or not) */
	uint64_t last_seq;   /* sequence number of the newest event */
	bool connected;
};

struct hwall_ic;

/* A client; no connection is made before hwall_ic_poll().  Returns 0,
 * -EINVAL (bad id or path, queue_max over HWALL_INGEST_SEQ_WINDOW), -ENOMEM. */
int hwall_ic_new(const struct hwall_ic_config *cfg, struct hwall_ic **ret_ic);

/*
 * Queue one match event, @json being a JSON object of @len bytes (the
 * fields of a dataplane match event).  Assigns the next sequence number.
 * Returns 0, -ENOBUFS when the queue is full (the event is dropped and
 * counted) or -EMSGSIZE when it cannot fit in a record (counted).  Sending
 * happens in hwall_ic_poll().
 */
int hwall_ic_submit(struct hwall_ic *ic, const char *json, size_t len);

/*
 * Send a status snapshot if connected; best effort, never queued.  @json is
 * an object {"counters":{"name":N,...},"sets":[{"id":S,"version":N,
 * "created":T,"expires":T},...]} ("sets" optional: the sets the dataplane
 * has loaded).  Returns 0, -ENOTCONN, -EAGAIN or -EINVAL.
 */
int hwall_ic_send_stats(struct hwall_ic *ic, const char *json, size_t len);

/*
 * Do the I/O: connect when disconnected (at most every reconnect_ms), send
 * queued events, read acknowledgements, waiting at most @timeout_ms for
 * something to read.  Returns 0, or -ENOTCONN while controld is not
 * reachable (not an error for the caller: events wait in the queue).
 */
int hwall_ic_poll(struct hwall_ic *ic, int timeout_ms);

/* The connection's descriptor (for the caller's own poll), -1 when none. */
int hwall_ic_fd(const struct hwall_ic *ic);

/* Counters and state. */
void hwall_ic_stats(const struct hwall_ic *ic, struct hwall_ic_stats *ret);

/* Close and free, dropping what is still queued; accepts NULL. */
void hwall_ic_free(struct hwall_ic *ic);

#endif
