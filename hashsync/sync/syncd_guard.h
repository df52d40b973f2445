/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * syncd_guard.h - who may hold a connection to the push endpoint, for how
 * long and at what pace (docs/sync-protocol.md, "Push": limits).
 *
 * Two budgets, so that connections that have not authenticated never take
 * what authenticated pushes need:
 *   - unauthenticated: a connection from accept until its request head is
 *     in and its token checked.  At most unauth_per_address of them per
 *     client address (IPv6: per /64; beyond, refused at accept) and
 *     unauth_total in all (beyond, the oldest of the address holding the
 *     most is closed to make room: a newcomer from a quiet address always
 *     gets in).  Each must finish its TLS handshake and request head
 *     within head_timeout of accept, however it trickles.
 *   - uploads, per hotline (per token): at most hotline_uploads at once,
 *     holding at most hotline_upload_bytes of memory together; each must
 *     keep up min_upload_rate over every rate_window, or it is closed.
 * A connection is closed with shutdown() on its socket, under the guard's
 * lock, so that the server's own thread sees the end and cleans up; the
 * socket cannot have been closed and its number reused meanwhile, because
 * the server tells the guard (syncd_guard_close()) before closing it.
 *
 * The guard does no I/O of its own but that shutdown() and takes the time
 * from its callers (monotonic milliseconds), so the unit tests drive it
 * with socket pairs and a made-up clock.  All functions are thread-safe.
 */
#ifndef HASHWALL_HASHSYNC_SYNCD_GUARD_H
#define HASHWALL_HASHSYNC_SYNCD_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* X(enum suffix, metric label): why a limit refused or closed a connection. */
#define SYNCD_FOREACH_LIMIT(X)                                                 \
	X(ADDRESS, "address-limit")    /* refused at accept: unauth_per_address */ \
	X(EVICTED, "evicted")          /* closed to make room: unauth_total */ \
	X(HEAD_TIMEOUT, "head-timeout")/* handshake and head not in within head_timeout */ \
	X(UPLOADS, "hotline-uploads")  /* 503: the hotline's hotline_uploads are busy */ \
	X(BYTES, "hotline-bytes")      /* 503: the hotline's hotline_upload_bytes are held */ \
	X(SLOW, "slow-upload")         /* closed below min_upload_rate */

enum syncd_limit {
#define SYNCD_LIMIT_ENUM(e, name) SYNCD_LIMIT_##e,
	SYNCD_FOREACH_LIMIT(SYNCD_LIMIT_ENUM)
#undef SYNCD_LIMIT_ENUM
	SYNCD_LIMIT_COUNT
};

/* The metric label of @l ("?" when out of range). */
const char *syncd_limit_name(enum syncd_limit l);

struct syncd_guard_limits {
	uint32_t head_timeout_ms;
	uint32_t unauth_per_address;
	uint32_t unauth_total;
	uint32_t hotline_uploads;
	uint64_t hotline_upload_bytes;
	uint64_t min_upload_rate; /* bytes per second; 0: no minimum */
	uint32_t rate_window_ms;
};

struct syncd_guard;
struct syncd_conn;

/* A guard for @n_hotlines hotlines (indexes 0..n-1).  NULL on ENOMEM. */
struct syncd_guard *syncd_guard_new(const struct syncd_guard_limits *l, size_t n_hotlines);

/* Free; accepts NULL.  Connections still open are forgotten, not closed. */
void syncd_guard_free(struct syncd_guard *g);

/* Whether a new connection from @sa may be accepted at @now_ms (accept
 * policy); may close an unauthenticated one to make room. */
bool syncd_guard_admit(struct syncd_guard *g, const struct sockaddr *sa, int64_t now_ms);

/* Track the accepted connection on socket @fd from @sa; its head deadline
 * runs from @now_ms.  Returns its handle, NULL on ENOMEM (then untracked). */
struct syncd_conn *syncd_guard_open(struct syncd_guard *g, const struct sockaddr *sa, int fd,
				    int64_t now_ms);

/* The server is about to close @c's socket: forget it, release what it
 * held.  Accepts NULL. */
void syncd_guard_close(struct syncd_guard *g, struct syncd_conn *c);

/*
 * @c's head is in and its token names hotline @hotline, which wants to
 * upload @bytes: move it from the unauthenticated budget to the hotline's.
 * Returns 0, -EBUSY (the hotline's uploads are all in use), -ENOBUFS (its
 * memory budget would be exceeded), -ECONNRESET (@c was closed meanwhile).
 */
int syncd_guard_upload(struct syncd_guard *g, struct syncd_conn *c, size_t hotline, uint64_t bytes,
		       int64_t now_ms);

/* @n more body bytes arrived for @c's upload. */
void syncd_guard_received(struct syncd_guard *g, struct syncd_conn *c, uint64_t n);

/* @c's body is complete: no more rate checks (verification may take a
 * while). */
void syncd_guard_body_done(struct syncd_guard *g, struct syncd_conn *c);

/* @c's upload buffer is freed: its bytes go back to the hotline's budget.
 * The upload slot stays taken until syncd_guard_close(). */
void syncd_guard_release(struct syncd_guard *g, struct syncd_conn *c);

/* Why the guard closed @c (SYNCD_LIMIT_COUNT when it did not). */
enum syncd_limit syncd_guard_closed_why(struct syncd_guard *g, const struct syncd_conn *c);

/* Count a refusal the caller made for a limit (-EBUSY, -ENOBUFS above are
 * counted already). */
void syncd_guard_count(struct syncd_guard *g, enum syncd_limit l);

/*
 * Close what is past its time at @now_ms: unauthenticated connections past
 * head_timeout, uploads below min_upload_rate over their last window.
 * Call it every few hundred milliseconds.  Returns how many it closed.
 */
unsigned int syncd_guard_sweep(struct syncd_guard *g, int64_t now_ms);

/* The guard's counters, one per limit. */
void syncd_guard_counts(struct syncd_guard *g, uint64_t ret_counts[SYNCD_LIMIT_COUNT]);

#endif
