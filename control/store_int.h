/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_int.h - what store.c, store_query.c and store_workflow.c share: the
 * connection struct, the table of cached statements, and row helpers.
 * Not for use outside the store.
 */
#ifndef HASHWALL_CONTROL_STORE_INT_H
#define HASHWALL_CONTROL_STORE_INT_H

#include "control/store.h"

#include <sqlite3.h>

#define CTL_CAND_COLS                                                           \
	"id, set_id, set_version, algo, digest, host, path, server_ip, server_port, " \
	"category, ref, status, first_seen, last_seen, occurrences, reopened"

#define CTL_BLOCK_COLS "id, host, path, candidate_id, source, created, expires, actor"

/* Statements used often enough to keep prepared. */
#define CTL_SQL_LIST(X)                                                              \
	X(PEER_GET, "SELECT last_seq FROM ingest_peers WHERE dataplane = ?1 AND epoch = ?2") \
	X(PEER_SET, "INSERT INTO ingest_peers (dataplane, epoch, last_seq, updated) "        \
		    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (dataplane, epoch) DO UPDATE "     \
		    "SET last_seq = max(last_seq, excluded.last_seq), "   \
		    "updated = excluded.updated")         \
	X(ALLOW_HAS, "SELECT 1 FROM allowlist WHERE algo = ?1 AND digest = ?2")              \
	X(CAND_FIND, "SELECT id, status FROM candidates WHERE ckey = ?12 AND set_id = ?1 "   \
		     "AND algo = ?2 AND digest = ?3 AND host = ?4 AND path = ?5")           \
	X(CAND_INSERT, "INSERT INTO candidates (ckey, set_id, algo, digest, host, path, "    \
		       "set_version, server_ip, server_port, category, ref, first_seen, "   \
		       "last_seen, occurrences) VALUES (?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, "   \
		       "?8, ?9, ?10, ?11, ?11, 1)")                                         \
	X(CAND_UPDATE, "UPDATE candidates SET set_version = ?2, server_ip = ?3, "            \
		       "server_port = ?4, category = ?5, ref = ?6, "                        \
		       "first_seen = min(first_seen, ?7), last_seen = max(last_seen, ?7), " \
		       "occurrences = occurrences + 1 WHERE id = ?1")                       \
	X(CAND_REOPEN, "UPDATE candidates SET status = 'confirmed', "                        \
		       "reopened = reopened + 1 WHERE id = ?1")                             \
	X(CAND_SET_STATUS, "UPDATE candidates SET status = ?2 WHERE id = ?1")                \
	X(CAND_GET, "SELECT " CTL_CAND_COLS " FROM candidates WHERE id = ?1")                \
	X(OCC_INSERT, "INSERT INTO occurrences (candidate_id, seen, client, method, "        \
		      "server_ip, server_port, http_status, size, complete, partial, "      \
		      "dataplane, epoch, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, " \
		      "?10, ?11, ?12, ?13)")                                                \
	X(BLOCK_RENEW, "UPDATE blocks SET expires = max(expires, ?6), "                     \
		       "source = CASE WHEN source = 'manual' THEN 'manual' ELSE ?4 END, "   \
		       "candidate_id = CASE WHEN candidate_id = 0 THEN ?3 "                 \
		       "ELSE candidate_id END "                                             \
		       "WHERE bkey = ?8 AND host = ?1 AND path = ?2")                       \
	X(BLOCK_INSERT, "INSERT INTO blocks (bkey, host, path, candidate_id, source, "       \
			"created, expires, actor) VALUES (?8, ?1, ?2, ?3, ?4, ?5, ?6, ?7)")   \
	X(BLOCK_ID, "SELECT id FROM blocks WHERE bkey = ?3 AND host = ?1 AND path = ?2")     \
	X(BLOCK_EXPIRES, "SELECT expires FROM blocks WHERE bkey = ?3 AND host = ?1 "         \
			 "AND path = ?2")                                                    \
	X(REVIEW_INSERT, "INSERT INTO reviews (candidate_id, at, actor, from_status, "       \
			 "to_status, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")

enum ctl_sql {
#define CTL_SQL_ENUM(name, text) CTL_SQL_##name,
	CTL_SQL_LIST(CTL_SQL_ENUM)
#undef CTL_SQL_ENUM
	CTL_SQL_COUNT
};

/* The ingest high-water mark of the last peer recorded, kept in memory
 * inside a transaction and written once, at commit. */
struct ctl_mark_cache {
	bool valid, dirty;
	char dataplane[CTL_DP_MAX + 1];
	char epoch[CTL_DP_MAX + 1];
	uint64_t seq;
	int64_t updated;
};

struct ctl_store {
	sqlite3 *db;
	sqlite3_stmt *stmts[CTL_SQL_COUNT];
	struct ctl_mark_cache mark;
};

/* The cached statement @id, reset and unbound; NULL when preparing failed. */
sqlite3_stmt *ctl_store_stmt(struct ctl_store *s, enum ctl_sql id);

/* Run @sql (no rows); 0 or -EIO. */
int ctl_store_exec(struct ctl_store *s, const char *sql);

/* Step a statement that returns no rows; 0 or -EIO (-EEXIST on a UNIQUE clash). */
int ctl_store_step_done(sqlite3_stmt *st);

/*
 * Step @st, calling @row(st, ctx) for every row, and finalize it.  Stops at
 * the first non-zero return of @row and returns it; -EIO on a step error.
 */
int ctl_store_each_row(sqlite3_stmt *st, int (*row)(sqlite3_stmt *st, void *ctx), void *ctx);

/* Append a review row. */
int ctl_store_review_append(struct ctl_store *s, int64_t id, int64_t at, const char *actor,
			    enum ctl_status from, enum ctl_status to, const char *note);

/* Copy text column @col into @dst of @cap bytes ("" for NULL). */
void ctl_store_col_text(sqlite3_stmt *st, int col, char *dst, size_t cap);

/* Fill @c from a row of CTL_CAND_COLS. */
void ctl_store_row_candidate(sqlite3_stmt *st, struct ctl_candidate *c);

/* Fill @b from a row of CTL_BLOCK_COLS. */
void ctl_store_row_block(sqlite3_stmt *st, struct ctl_block *b);

/*
 * The candidate key (schema version 4): a 64-bit hash (xxh3, chained over
 * the five fields) of (set, algo, digest, host, path); NULL reads as "".
 * Stable across releases: stored keys depend on it.
 */
int64_t ctl_store_cand_key(const char *set, const char *algo, const char *digest,
			   const char *host, const char *path);

/* The block key (schema version 5): the same hash of (host, path). */
int64_t ctl_store_block_key(const char *host, const char *path);

/* Bind a C string (SQLITE_STATIC: it must outlive the step). */
static inline int ctl_bind_str(sqlite3_stmt *st, int idx, const char *v)
{
	return sqlite3_bind_text(st, idx, v ? v : "", -1, SQLITE_STATIC);
}

#endif
