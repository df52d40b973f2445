/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jopen.h - the journal's open segment (internal to dataplane/journal):
 * the current period's records in memory, deduplicated by (xxh3-128,
 * host, path) through an open-addressing hash, and their log file.
 *
 * The log (seg-<start>.log) is a sequence of records (jrec.h); a record
 * with the id of an earlier one replaces it (the record changed: count,
 * last served, digests).  jo_flush() appends each record changed since
 * the previous flush once; jo_replay() reads a log back and cuts a torn
 * tail off.
 */
#ifndef HASHWALL_DATAPLANE_JOPEN_H
#define HASHWALL_DATAPLANE_JOPEN_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/journal/jrec.h"

struct jo_ent {
	uint64_t hash;   /* of xxh3-128, host, path */
	uint64_t dg_off; /* packed digests in the arena */
	uint64_t url_off; /* host then path in the arena */
	int64_t first, last;
	uint64_t size;
	uint32_t mask, count;
	uint16_t host_len, path_len, port;
	uint8_t family;
	bool dirty;
	uint8_t server[16];
};

struct dp_jopen {
	struct jo_ent *ents;
	uint32_t n, cap;
	uint8_t *arena;
	uint64_t used, acap;
	uint32_t *slots; /* id + 1; 0 empty */
	uint32_t nslots; /* a power of two, at least twice n */
	uint32_t *dirty;
	uint32_t ndirty, dcap;
	int fd;          /* the log, -1 when none */
	uint64_t log_bytes;
};

void jo_init(struct dp_jopen *o);
void jo_fini(struct dp_jopen *o);

/* Merge @r in (see dp_journal_put()).  Returns 0 (*ret_repeat says
 * whether it was merged), -ENOSPC beyond @max records, -ENOMEM. */
int jo_put(struct dp_jopen *o, const struct dp_jrec *r, uint32_t max, bool *ret_repeat);

/* The record @id (< o->n). */
void jo_view(const struct dp_jopen *o, uint32_t id, struct dp_jrec *ret);

/* Open (create, 0600, O_APPEND) the log at @path.  Returns 0 or -errno. */
int jo_log_open(struct dp_jopen *o, const char *path);

/* Append every changed record to the log and fdatasync it.  Returns 0 or
 * -errno (the records stay changed and are tried again). */
int jo_flush(struct dp_jopen *o);

/* Read the log at @path into @o (empty); a torn or corrupt tail is cut
 * off the file (*ret_torn).  Returns 0 or -errno. */
int jo_replay(struct dp_jopen *o, const char *path, uint64_t *ret_records, bool *ret_torn);

#endif
