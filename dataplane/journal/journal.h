/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * journal.h - the served-object journal: what the dataplane served, per
 * period, so that entries a set gains later can be looked up in the past
 * (the re-check, recheck.h; docs/journal.md).
 *
 * One thread owns a struct dp_journal (the journal writer, jwriter.h):
 *   - the open segment: the current period's records in memory, indexed
 *     by (xxh3-128, host, path) for deduplication, appended to
 *     seg-<start>.log as they change (every dp_journal_tick(), about once
 *     a second: a crash loses at most that tail, whose torn last record
 *     the next start cuts off);
 *   - the closed segments (jseg.h), opened and validated at start or when
 *     closed; a corrupt one is refused with the reason and the others are
 *     used;
 *   - retention: whole segments whose period ended more than `retention`
 *     seconds ago are deleted.
 * Every file is created 0600 in a directory created 0700.
 */
#ifndef HASHWALL_DATAPLANE_JOURNAL_H
#define HASHWALL_DATAPLANE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/errors.h"
#include "dataplane/journal/jrec.h"
#include "dataplane/journal/jseg.h"

#define DP_JOURNAL_PERIOD_DEFAULT 86400
#define DP_JOURNAL_RETENTION_DEFAULT (7 * 86400)
#define DP_JOURNAL_MAX_OPEN_DEFAULT (1u << 24)
#define DP_JOURNAL_REFUSED_MAX 16

struct dp_journal_conf {
	const char *dir;
	int64_t period;     /* seconds per segment, 60..2^31 */
	int64_t retention;  /* seconds a closed segment is kept after its period */
	uint32_t max_open;  /* records of the open segment; more are counted, not kept */
};

/* Defaults: no dir, a day, 7 days, 2^24 records. */
void dp_journal_conf_default(struct dp_journal_conf *c);

struct dp_journal_stats {
	uint64_t puts;          /* records given to dp_journal_put() */
	uint64_t repeats;       /* of those, merged into a record of the open segment */
	uint64_t full;          /* refused: the open segment held max_open records */
	uint64_t invalid;       /* refused: not a valid record (jrec.h) */
	uint64_t open_records;  /* records of the open segment */
	uint64_t segments;      /* closed segments in use */
	uint64_t segment_records;
	uint64_t bytes;         /* on disk: closed segments and the log */
	uint64_t refused;       /* segment files refused (corrupt) */
	uint64_t closed;        /* segments closed by this process */
	uint64_t expired;       /* segments deleted by retention */
	uint64_t log_writes, log_errors;
	uint64_t recovered;     /* log records read back at start */
	uint64_t torn;          /* logs whose tail was cut off at start */
};

struct dp_journal;

/*
 * Open the journal in conf->dir at time @now (unix seconds): create the
 * directory, open every closed segment (refusing corrupt ones: see
 * dp_journal_refused()), close the logs of past periods into segments,
 * read the current period's log back, apply retention.  Returns 0 or
 * -errno with @err (only for what stops the journal as a whole).
 */
int dp_journal_open(const struct dp_journal_conf *conf, int64_t now, struct dp_journal **ret_j,
		    struct hwall_err *err);

/* Flush the log and free everything (the open segment stays on disk as
 * its log); accepts NULL. */
void dp_journal_close(struct dp_journal *j);

/*
 * Journal one served object (@r: xxh3-128 required; first, last and
 * count as served, id ignored).  A record of the open segment with the
 * same xxh3-128, host and path takes it in: count added, first/last
 * widened, digests it lacked added (the PDQ stage's late pdq hash, see
 * jwriter.h).  Returns 0, -ENOSPC (open segment full) or -EINVAL; each
 * counted.
 */
int dp_journal_put(struct dp_journal *j, const struct dp_jrec *r);

/*
 * Periodic work at @now: write the changed records to the log (and
 * fdatasync it), close the open segment when its period is over, delete
 * segments past retention.  Returns 0 or the -errno of the first failure
 * with @err (the journal goes on; failures are counted).
 */
int dp_journal_tick(struct dp_journal *j, int64_t now, struct hwall_err *err);

void dp_journal_stats(const struct dp_journal *j, struct dp_journal_stats *ret);

/* The @i-th refused segment file's reason (NULL past the last). */
const char *dp_journal_refused(const struct dp_journal *j, unsigned int i);

/* The closed segments, oldest first. */
unsigned int dp_journal_segments(const struct dp_journal *j);
const struct dp_jseg *dp_journal_segment(const struct dp_journal *j, unsigned int i);

/* The open segment's records: ids 0..n-1 (valid until the next put). */
uint32_t dp_journal_open_count(const struct dp_journal *j);
void dp_journal_open_record(const struct dp_journal *j, uint32_t id, struct dp_jrec *ret);

#endif
