/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eventlog.h - an optional JSON-lines log of committed matches for people
 * who ship logs elsewhere (a SIEM), one record per match in the spirit of
 * Suricata's EVE "fileinfo" records (timestamp, event_type, src_ip/port of
 * the server, http, fileinfo with the digest) plus a "hashwall" object
 * (set, version, reference, candidate).  Digests and metadata only; the
 * client appears only as controld's pseudonym.
 *
 * Lines are buffered while a batch is open and written (O_APPEND, one
 * write) only after the batch committed, so the log never shows an event
 * that the store does not hold; a rolled-back batch's lines are dropped.
 * Used from the ingest thread only.
 */
#ifndef HASHWALL_CONTROL_EVENTLOG_H
#define HASHWALL_CONTROL_EVENTLOG_H

#include "control/store.h"

struct ctl_eventlog;

/* Open (create, append) @path.  Returns 0 or -errno. */
int ctl_eventlog_open(const char *path, struct ctl_eventlog **ret_el);

/* Buffer the record of @ev (recorded as @res). */
void ctl_eventlog_add(struct ctl_eventlog *el, const struct ctl_event *ev,
		      const struct ctl_record_result *res);

/* Write what was buffered (after a commit).  Returns 0 or -errno. */
int ctl_eventlog_flush(struct ctl_eventlog *el);

/* Drop what was buffered (after a rollback). */
void ctl_eventlog_discard(struct ctl_eventlog *el);

/* Close; accepts NULL. */
void ctl_eventlog_close(struct ctl_eventlog *el);

/* Format one record into @buf (NUL-terminated line with '\n'); returns its
 * length or -ENOSPC.  Exposed for tests. */
int ctl_eventlog_format(const struct ctl_event *ev, const struct ctl_record_result *res,
			char *buf, size_t cap);

#endif
