/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jwriter.h - the journal writer: the thread that owns the served-object
 * journal (journal.h) in the live dataplane, and the workers' side of it.
 *
 *   worker k --dp_jput()--> ring k (an evring, never blocks: a full ring
 *   drops the record and counts it) --> writer thread --> dp_journal_put()
 *
 * The writer thread also ticks the journal (log flush about every second,
 * period close, retention) and runs the re-checks (recheck.h) that set
 * loads queue with dp_jwriter_recheck(); each hit is handed to @emit as a
 * match event line (the live dataplane: the service thread's ring to
 * controld).  When @emit cannot take a line yet, the writer keeps
 * draining the workers' rings and tries again: no hit is lost.
 *
 * The PDQ stage's hook: dp_jput_pdq() journals the pdq hash of an object
 * already served (keyed by its xxh3-128 and URL); the writer merges it
 * into that record (docs/journal.md, "pdq").
 */
#ifndef HASHWALL_DATAPLANE_JWRITER_H
#define HASHWALL_DATAPLANE_JWRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/errors.h"
#include "common/json_writer.h"
#include "dataplane/journal/journal.h"
#include "dataplane/journal/recheck.h"
#include "dataplane/live/evring.h"

struct dp_obj;
struct dp_flow_key;
struct hws_set;

#define DP_JWRITER_RINGS_MAX 64
#define DP_JWRITER_JOBS_MAX 16

struct dp_jwriter_conf {
	struct dp_journal_conf journal;
	unsigned int pdq_dist; /* re-check distance for pdq entries (0..256) */
	unsigned int rings;    /* one per worker (and one per PDQ thread) */
	uint32_t ring_size;    /* records per ring, a power of two */
};

/* Takes one event line; false: not now (try again). */
typedef bool (*dp_jwriter_emit_fn)(void *ctx, const char *line, size_t len);

struct dp_jwriter;

/*
 * Open the journal and start the writer thread.  Refused segments are
 * logged (dp.journal) and skipped.  Returns 0 or -errno with @err.
 */
int dp_jwriter_start(const struct dp_jwriter_conf *conf, dp_jwriter_emit_fn emit, void *emit_ctx,
		     struct dp_jwriter **ret_w, struct hwall_err *err);

/* Stop the thread (the re-check in progress ends after its current
 * entry; queued ones are dropped), flush and close; accepts NULL. */
void dp_jwriter_stop(struct dp_jwriter *w);

/* Ring @k (< conf.rings), for one producer thread. */
struct dp_evring *dp_jwriter_ring(struct dp_jwriter *w, unsigned int k);

/* Worker side: journal the complete object @o of the connection @key
 * (address @family 4 or 6; only its server side is read), served at
 * @now_ns (wall clock).  Never blocks. */
void dp_jput(struct dp_evring *ring, const struct dp_obj *o, uint8_t family,
	     const struct dp_flow_key *key, uint64_t now_ns);

/* The PDQ stage's hook: @pdq is the hash of the object whose xxh3-128
 * is @xxh3, served on @host/@path (NUL-terminated) by the server of @key
 * at @now_ns.  Never blocks. */
void dp_jput_pdq(struct dp_evring *ring, const uint8_t xxh3[16], const uint8_t pdq[32],
		 const char *host, const char *path, uint8_t family,
		 const struct dp_flow_key *key, uint64_t now_ns);

/*
 * Queue a re-check of set @id at @version, whose file is @path (mapped
 * again by the writer), against @old (NULL: every entry is new; owned by
 * the writer from now on, also on failure).  A version not above the one
 * last re-checked is skipped there.  Returns 0 or -EBUSY (queue full).
 */
int dp_jwriter_recheck(struct dp_jwriter *w, const char *id, uint64_t version, const char *path,
		       struct hws_set *old);

/* The journal's counters as "journal_*" and "recheck_*" number members of
 * the object open in @jw (the counters of the status snapshot to
 * controld; docs/journal.md, "Status and metrics"): no URL, no digest. */
void dp_jwriter_status_json(struct dp_jwriter *w, struct hwall_json *jw);

/* Wait until the writer is idle (rings drained, no re-check queued or
 * running) or @timeout_ms passed; tests.  Returns true when idle. */
bool dp_jwriter_idle_wait(struct dp_jwriter *w, unsigned int timeout_ms);

/* Flush the open segment's log now (tests: a crash after this loses
 * nothing). */
void dp_jwriter_sync(struct dp_jwriter *w);

#endif
