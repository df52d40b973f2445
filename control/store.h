/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store.h - controld's durable report store, behind one interface.
 *
 * Sits at the end of the ingest path: ingest.c records every match event
 * here inside a batched transaction and acknowledges it only after the
 * commit; the operator API reads candidates, occurrences and reviews and
 * writes reviews, blocks and allowlist entries; enforcement renews and
 * lists blocks; the exports read candidates by host.
 *
 * What is stored: candidates (one per set, algorithm, digest, host and
 * path), occurrences (one per match event, with a pseudonymised client and
 * a retention period), reviews (append-only), the local allowlist, blocks,
 * and per-dataplane ingest high-water marks.  No object content is ever
 * stored: only digests and metadata.
 *
 * Callers use only the ctl_store_* functions declared here; each one
 * dispatches through the store's struct ctl_store_ops (store.c), which a
 * back end fills.  SQLite (WAL, synchronous=FULL) is the first back end:
 * store_sqlite.h, store_sqlite*.c; docs/controld.md, "Store", draws the
 * layers.  No SQL leaves the back end.
 *
 * One struct ctl_store is one connection and must be used by one thread at
 * a time; controld opens one for ingest and one for the API (readers run
 * beside the writer; writers wait on a busy timeout).
 */
#ifndef HASHWALL_CONTROL_STORE_H
#define HASHWALL_CONTROL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/algo.h"
#include "common/errors.h"

#define CTL_SET_MAX 63       /* bytes of a set id */
#define CTL_HOST_WIRE_MAX 255 /* bytes of a Host on the wire (RFC 1035; the XDP limit) */
#define CTL_HOST_MAX (3 * CTL_HOST_WIRE_MAX) /* as events write it: any byte may be %XX */
#define CTL_PATH_MAX 4095    /* bytes of a request target */
#define CTL_METHOD_MAX 15
#define CTL_IP_MAX 45        /* INET6_ADDRSTRLEN - 1 */
#define CTL_CLIENT_MAX 64    /* hex chars of a stored client pseudonym */
#define CTL_DP_MAX 63        /* bytes of a dataplane id or epoch */
#define CTL_ACTOR_MAX 63     /* bytes of a token name */
#define CTL_NOTE_MAX 1024    /* bytes of a review note */

/* The review workflow's states (see docs/controld.md). */
enum ctl_status {
	CTL_STATUS_NEW,
	CTL_STATUS_CONFIRMED,
	CTL_STATUS_TAKEN_DOWN,
	CTL_STATUS_FALSE_POSITIVE,
	CTL_STATUS_COUNT
};

/* "new", "confirmed", "taken_down", "false_positive"; "?" when out of range. */
const char *ctl_status_name(enum ctl_status st);

/* Parse a status name; returns the status or -EINVAL. */
int ctl_status_parse(const char *name);

/* Whether a candidate in @st still needs action (new or confirmed). */
bool ctl_status_open(enum ctl_status st);

/*
 * The fields of a match event that ingest takes whatever the client sent:
 * a value it cannot use as sent is normalised (escaped, truncated, or
 * replaced by its default) and flagged, never a reason to drop the match
 * (docs/ingest-protocol.md, "The event object").  One bit each in
 * ctl_event.normalised and ctl_occurrence.normalised; the names are the
 * event's field names, as the API lists them.
 */
#define CTL_EVENT_FIELD_TABLE(X)                                                \
	X(host) X(path) X(method) X(server_ip) X(server_port) X(client) X(status) \
	X(size) X(complete) X(partial) X(set_version) X(category) X(ref) X(ts)   \
	X(retroactive) X(first_served) X(serve_count) X(near)

enum ctl_event_field {
#define CTL_X_FIELD_ENUM(name) CTL_EVF_##name,
	CTL_EVENT_FIELD_TABLE(CTL_X_FIELD_ENUM)
#undef CTL_X_FIELD_ENUM
	CTL_EVF_COUNT
};

/* "host", "path", ...; "?" when out of range. */
const char *ctl_event_field_name(enum ctl_event_field f);

/*
 * How far a false positive reaches: the set the candidate matched (a
 * reviewer's default), or every set (an admin's decision).  The entry
 * covers the digest for every host either way.
 */
enum ctl_allow_scope {
	CTL_ALLOW_SET,
	CTL_ALLOW_GLOBAL,
	CTL_ALLOW_SCOPE_COUNT
};

/* "set", "global"; "?" when out of range. */
const char *ctl_allow_scope_name(enum ctl_allow_scope scope);

/* Parse a scope name; returns the scope or -EINVAL. */
int ctl_allow_scope_parse(const char *name);

#define CTL_VARIANT_MAX 15 /* bytes of a dihedral variant's name */

/*
 * What a perceptual (pdq) match adds, so that a reviewer can weigh it:
 * the listed entry the object's hash is near, how near (Hamming distance
 * in bits), the hash's quality (0..100) and which dihedral variant of it
 * was nearest ("original", "rotate-90", ...).  distance -1: an exact
 * match (or a perceptual one that did not say).
 */
struct ctl_near {
	char entry[HWALL_DIGEST_HEX_MAX]; /* lower-case hex; "" when none */
	int32_t distance;
	int32_t quality;                  /* -1: not given */
	char variant[CTL_VARIANT_MAX + 1];
};

/* Whether @n says something: a perceptual match that gave its distance. */
static inline bool ctl_near_known(enum hwall_algo algo, const struct ctl_near *n)
{
	return hwall_algo_kind(algo) == HWALL_ALGO_KIND_PERCEPTUAL && n->distance >= 0;
}

/* One match event, as ingest parsed it (strings NUL-terminated). */
struct ctl_event {
	char set[CTL_SET_MAX + 1];
	uint64_t set_version;
	enum hwall_algo algo;
	char digest[HWALL_DIGEST_HEX_MAX]; /* lower-case hex */
	char host[CTL_HOST_MAX + 1];       /* "": the request had no Host (or an empty one) */
	char path[CTL_PATH_MAX + 1];
	bool host_truncated, path_truncated; /* cut to the limits above */
	uint32_t normalised;               /* 1 << enum ctl_event_field, per field */
	char method[CTL_METHOD_MAX + 1];
	char server_ip[CTL_IP_MAX + 1];
	uint16_t server_port;
	char client[CTL_CLIENT_MAX + 1]; /* pseudonym, hex; "" when none */
	int http_status;
	uint64_t size;
	bool complete, partial;
	uint32_t category;
	uint32_t ref;
	int64_t ts; /* unix seconds */
	/* A retroactive match (docs/journal.md): served before the set
	 * listed the digest, from @first_served to @ts, @serve_count times. */
	bool retroactive;
	int64_t first_served;
	uint32_t serve_count;
	struct ctl_near near; /* pdq: the nearest entry; distance -1 otherwise */
};

/* A candidate as stored. */
struct ctl_candidate {
	int64_t id;
	char set[CTL_SET_MAX + 1];
	uint64_t set_version;
	enum hwall_algo algo;
	char digest[HWALL_DIGEST_HEX_MAX];
	char host[CTL_HOST_MAX + 1]; /* "": no Host */
	char path[CTL_PATH_MAX + 1];
	bool host_truncated, path_truncated;
	char server_ip[CTL_IP_MAX + 1];
	uint16_t server_port;
	uint32_t category, ref;
	enum ctl_status status;
	int64_t first_seen, last_seen;
	uint64_t occurrences;
	uint32_t reopened;
	bool retroactive; /* raised by the re-check of the served-object journal */
	struct ctl_near near; /* pdq: the nearest of its occurrences */
};

struct ctl_occurrence {
	int64_t id, seen;
	char client[CTL_CLIENT_MAX + 1];
	char method[CTL_METHOD_MAX + 1];
	char server_ip[CTL_IP_MAX + 1];
	uint16_t server_port;
	int http_status;
	uint64_t size;
	bool complete, partial;
	char dataplane[CTL_DP_MAX + 1];
	uint64_t seq;
	uint32_t normalised; /* 1 << enum ctl_event_field */
	char appliance[CTL_DP_MAX + 1]; /* the fleet's store: which edge saw it; "": this one */
};

struct ctl_review {
	int64_t id, candidate_id, at;
	char actor[CTL_ACTOR_MAX + 1];
	enum ctl_status from, to;
	char note[CTL_NOTE_MAX + 1];
	int allow_scope; /* the allowlist entry the change made: enum ctl_allow_scope, -1 none */
};

struct ctl_allow {
	enum hwall_algo algo;
	char digest[HWALL_DIGEST_HEX_MAX];
	char set[CTL_SET_MAX + 1]; /* the set it covers; "": every set */
	int64_t added, candidate_id; /* candidate_id 0: added by hand */
	char actor[CTL_ACTOR_MAX + 1];
	char note[CTL_NOTE_MAX + 1];
};

enum ctl_block_source {
	CTL_BLOCK_AUTO,   /* added on a match, renewed while its candidate is open */
	CTL_BLOCK_MANUAL, /* added by an operator, renewed until removed */
	CTL_BLOCK_SOURCE_COUNT
};

struct ctl_block {
	int64_t id;
	char host[CTL_HOST_MAX + 1];
	char path[CTL_PATH_MAX + 1];
	int64_t candidate_id; /* 0 for a manual block without a candidate */
	enum ctl_block_source source;
	int64_t created, expires;
	char actor[CTL_ACTOR_MAX + 1];
};

/* What recording one event did. */
struct ctl_record_result {
	int64_t candidate_id;
	bool created;     /* a new candidate */
	bool reopened;    /* a taken_down candidate was served again */
	bool allowlisted; /* the digest is allowlisted: nothing was stored */
	bool duplicate;   /* seq at or below the peer's mark: nothing was stored */
	bool known;       /* a retroactive match its candidate holds already: nothing stored */
};

struct ctl_cand_filter {
	int status;             /* -1: any */
	const char *set;        /* NULL: any */
	const char *host;       /* NULL: any */
	int64_t since, until;   /* last_seen range, 0: open */
	uint64_t offset, limit; /* paging */
	const char *appliance;  /* NULL: any; else seen by that appliance ("": this one) */
};

/* An occurrence with what its candidate holds, as an event again: what
 * an edge's uplink replicates (docs/fleet.md). */
struct ctl_replica {
	int64_t occ_id;
	struct ctl_event ev;           /* a live event (retroactive false) */
	bool cand_retroactive;         /* its candidate was raised by a re-check */
	char dataplane[CTL_DP_MAX + 1];
	char epoch[CTL_DP_MAX + 1];
	uint64_t seq;
};

/* Per set seen in matches: highest version, candidates, newest match. */
struct ctl_set_summary {
	char set[CTL_SET_MAX + 1];
	uint64_t max_version, candidates;
	int64_t last_match;
};

/* What a review changed besides the status, for the caller to enforce. */
struct ctl_review_result {
	enum ctl_status from;
	bool allow_added;   /* the digest went into the allowlist, for the scope asked */
	bool allow_removed; /* an allowlist entry from this candidate was lifted */
	uint64_t blocks_removed;
};

/* One record of the audit trail (control/audit.h, docs/audit.md). */
#define CTL_AUDIT_HASH_LEN 32
#define CTL_AUDIT_SIG_LEN 64
#define CTL_AUDIT_ACTION_MAX 31
#define CTL_AUDIT_OBJECT_MAX 127
#define CTL_AUDIT_DETAIL_MAX 2047 /* bytes of the detail's JSON text */

struct ctl_audit_rec {
	int64_t seq; /* 1, 2, ...: no gaps */
	int64_t at;
	char actor[CTL_ACTOR_MAX + 1];
	char action[CTL_AUDIT_ACTION_MAX + 1];
	char object[CTL_AUDIT_OBJECT_MAX + 1]; /* "candidate:7", "block:3", ... */
	char detail[CTL_AUDIT_DETAIL_MAX + 1]; /* JSON object text */
	uint8_t prev[CTL_AUDIT_HASH_LEN];      /* the hash of record seq - 1 (zeros for 1) */
	uint8_t hash[CTL_AUDIT_HASH_LEN];
	bool has_sig;                          /* checkpoints: Ed25519 over hash */
	uint8_t sig[CTL_AUDIT_SIG_LEN];
};

/* A flood quarantine of one digest (control/quarantine.h). */
enum ctl_quarantine_state {
	CTL_QUAR_ACTIVE,    /* report-only for the digest, its candidates flagged */
	CTL_QUAR_RELEASED,  /* lifted by an admin: enforced again, the check re-armed */
	CTL_QUAR_CONFIRMED, /* the entry confirmed by an admin: enforced, never again */
	CTL_QUAR_STATE_COUNT
};

/* "active", "released", "confirmed"; "?" when out of range. */
const char *ctl_quarantine_state_name(enum ctl_quarantine_state st);

/* Parse a state name; returns the state or -EINVAL. */
int ctl_quarantine_state_parse(const char *name);

struct ctl_quarantine {
	int64_t id;
	enum hwall_algo algo;
	char digest[HWALL_DIGEST_HEX_MAX];
	char set[CTL_SET_MAX + 1];   /* the set of the match that tripped it */
	enum ctl_quarantine_state state;
	uint64_t hosts, urls;        /* the spread seen when it tripped */
	int64_t since;               /* when it tripped */
	int64_t decided;             /* when an admin released or confirmed it; 0 */
	char actor[CTL_ACTOR_MAX + 1]; /* who did; "" while active */
};

/* Row callbacks: return 0 to go on, non-zero to stop (the walk returns it). */
typedef int (*ctl_cand_fn)(const struct ctl_candidate *c, void *ctx);
typedef int (*ctl_occ_fn)(const struct ctl_occurrence *o, void *ctx);
typedef int (*ctl_review_fn)(const struct ctl_review *r, void *ctx);
typedef int (*ctl_allow_fn)(const struct ctl_allow *a, void *ctx);
typedef int (*ctl_block_fn)(const struct ctl_block *b, void *ctx);
typedef int (*ctl_set_fn)(const struct ctl_set_summary *ss, void *ctx);
typedef int (*ctl_audit_fn)(const struct ctl_audit_rec *r, void *ctx);
typedef int (*ctl_quarantine_fn)(const struct ctl_quarantine *q, void *ctx);
typedef int (*ctl_replica_fn)(const struct ctl_replica *rep, void *ctx);
typedef int (*ctl_review_cand_fn)(const struct ctl_review *r, const struct ctl_candidate *c,
				  void *ctx);

struct ctl_store;

/*
 * A store back end: one op per ctl_store_* function below, of the same
 * name, arguments and contract (the ctl_store_* function only dispatches).
 * Grouped by what the workflow needs; a back end sets every op (the SQLite
 * one, ctl_sqlite_ops, is checked by tests/unit/control/test_store.c).
 * Only function pointers follow @name.
 */
struct ctl_store_ops {
	const char *name; /* "sqlite" */

	/* lifetime (controld) */
	int (*open)(const char *target, struct ctl_store **ret_store, struct hwall_err *err);
	void (*close)(struct ctl_store *s);
	int (*schema_version)(struct ctl_store *s);
	const char *(*errmsg)(struct ctl_store *s);

	/* ingest: a batch of events recorded in one transaction */
	int (*begin)(struct ctl_store *s);
	int (*commit)(struct ctl_store *s);
	void (*rollback)(struct ctl_store *s);
	int (*record)(struct ctl_store *s, const struct ctl_event *ev, const char *dataplane,
		      const char *epoch, uint64_t seq, struct ctl_record_result *ret);
	int (*peer_mark)(struct ctl_store *s, const char *dataplane, const char *epoch,
			 uint64_t *ret_seq);
	int (*peer_advance)(struct ctl_store *s, const char *dataplane, const char *epoch,
			    uint64_t seq, int64_t now);
	int (*purge)(struct ctl_store *s, int64_t before, uint64_t *ret_n);

	/* the review queue (API) */
	int (*candidates)(struct ctl_store *s, const struct ctl_cand_filter *f, ctl_cand_fn fn,
			  void *ctx, uint64_t *ret_total);
	int (*candidate)(struct ctl_store *s, int64_t id, struct ctl_candidate *ret);
	int (*occurrences)(struct ctl_store *s, int64_t id, uint64_t limit, ctl_occ_fn fn,
			   void *ctx);
	int (*reviews)(struct ctl_store *s, int64_t id, ctl_review_fn fn, void *ctx);
	int (*review)(struct ctl_store *s, int64_t id, enum ctl_status to, const char *actor,
		      const char *note, enum ctl_allow_scope scope, int64_t now,
		      struct ctl_review_result *ret);

	/* the allowlist (ingest, API, the dataplane's file) */
	bool (*allowed)(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			const char *set);
	int (*allow_add)(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			 const char *set, const char *actor, const char *note, int64_t now);
	int (*allow_remove)(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			    const char *set);
	int (*allow_list)(struct ctl_store *s, ctl_allow_fn fn, void *ctx);

	/* blocks (enforcement, API) */
	int (*block_add)(struct ctl_store *s, const char *host, const char *path,
			 int64_t candidate_id, enum ctl_block_source source, const char *actor,
			 int64_t now, int64_t expires, int64_t *ret_id);
	int (*block_remove)(struct ctl_store *s, int64_t id, struct ctl_block *ret_block);
	int (*block_get)(struct ctl_store *s, int64_t id, struct ctl_block *ret);
	int (*block_expires)(struct ctl_store *s, const char *host, const char *path,
			     int64_t *ret_expires);
	int (*blocks)(struct ctl_store *s, int64_t now, uint64_t offset, uint64_t limit,
		      ctl_block_fn fn, void *ctx, uint64_t *ret_total);
	int (*blocks_renew)(struct ctl_store *s, int64_t now, int64_t ttl, uint64_t *ret_n);
	int (*blocks_expire)(struct ctl_store *s, int64_t now, uint64_t *ret_n);

	/* status and exports */
	int (*count_status)(struct ctl_store *s, uint64_t *ret_counts);
	int (*counts)(struct ctl_store *s, int64_t now, uint64_t *ret_allow,
		      uint64_t *ret_blocks);
	int (*set_summary)(struct ctl_store *s, ctl_set_fn fn, void *ctx);
	int (*candidates_by_host)(struct ctl_store *s, int status, ctl_cand_fn fn, void *ctx);

	/* the audit trail (control/audit.h) */
	int (*audit_tail)(struct ctl_store *s, int64_t *ret_seq,
			  uint8_t ret_hash[CTL_AUDIT_HASH_LEN]);
	int (*audit_insert)(struct ctl_store *s, const struct ctl_audit_rec *r);
	int (*audit_walk)(struct ctl_store *s, int64_t from, uint64_t limit, bool newest_first,
			  ctl_audit_fn fn, void *ctx);

	/* flood quarantine (control/quarantine.h) */
	int (*digest_spread)(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			     int64_t since, uint64_t *ret_hosts, uint64_t *ret_urls);
	int (*quarantine_get)(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			      struct ctl_quarantine *ret);
	int (*quarantine_by_id)(struct ctl_store *s, int64_t id, struct ctl_quarantine *ret);
	int (*quarantine_add)(struct ctl_store *s, struct ctl_quarantine *q, ctl_block_fn fn,
			      void *ctx);
	int (*quarantine_decide)(struct ctl_store *s, int64_t id, enum ctl_quarantine_state to,
				 const char *actor, int64_t now, int64_t expires,
				 uint64_t *ret_blocks);
	int (*quarantines)(struct ctl_store *s, int state, uint64_t offset, uint64_t limit,
			   ctl_quarantine_fn fn, void *ctx, uint64_t *ret_total);

	/* reports (control/dsa.h) */
	int (*reviews_between)(struct ctl_store *s, int64_t since, int64_t until,
			       ctl_review_fn fn, void *ctx);
	int (*candidates_first_seen)(struct ctl_store *s, int64_t since, int64_t until,
				     ctl_cand_fn fn, void *ctx);
	/* replication (the fleet uplink and decisions, docs/fleet.md) */
	int (*candidate_find)(struct ctl_store *s, const char *set, enum hwall_algo algo,
			      const char *digest, const char *host, const char *path,
			      int64_t *ret_id);
	int (*replicas)(struct ctl_store *s, int64_t after, uint64_t limit, ctl_replica_fn fn,
			void *ctx);
	int (*reviews_after)(struct ctl_store *s, int64_t after, uint64_t limit,
			     ctl_review_cand_fn fn, void *ctx);
	int (*tail)(struct ctl_store *s, int64_t *ret_occ, int64_t *ret_review);
};

/* The start of every back end's connection (which embeds it first). */
struct ctl_store {
	const struct ctl_store_ops *ops;
};

/* ---- lifetime ---- */

/*
 * Open (creating if needed) the local store: the SQLite database at @path
 * (":memory:" for tests), in WAL mode with synchronous=FULL, its schema
 * migrated to the newest version; or, when @path is a PostgreSQL
 * connection string (ctl_pg_target()), the fleet's central database
 * (store_pg.h), migrated the same way.  Returns 0, -ENOTSUP for a database from
 * a newer controld, or -EIO (-ENOMEM), with @err saying why.
 */
int ctl_store_open(const char *path, struct ctl_store **ret_store, struct hwall_err *err);

/* Close; accepts NULL. */
void ctl_store_close(struct ctl_store *s);

/* The schema version of the open database. */
int ctl_store_schema_version(struct ctl_store *s);

/* The back end's message for the last failure on this connection. */
const char *ctl_store_errmsg(struct ctl_store *s);

/* ---- ingest: a batch of events in one transaction ---- */

/*
 * Open, commit or roll back the transaction that a batch of records (and
 * the blocks and marks they bring) goes into; ingest acknowledges a batch
 * only after its commit.  Also used where several writes must land
 * together (enforcement's renew and expire).  0 or -EIO/-EBUSY.
 */
int ctl_store_begin(struct ctl_store *s);
int ctl_store_commit(struct ctl_store *s);
void ctl_store_rollback(struct ctl_store *s);

/*
 * Record event @ev seen by @dataplane (epoch @epoch, sequence @seq) inside
 * the caller's transaction: skips it when @seq is not above the peer's
 * high-water mark (duplicate) or its digest is allowlisted; otherwise
 * creates or updates the candidate, appends an occurrence, reopens a
 * taken_down candidate (appending a review by "controld"), and raises the
 * mark.  Returns 0 or -EIO.
 */
int ctl_store_record(struct ctl_store *s, const struct ctl_event *ev, const char *dataplane,
		     const char *epoch, uint64_t seq, struct ctl_record_result *ret);

/* The high-water mark of (@dataplane, @epoch): 0 when never seen. */
int ctl_store_peer_mark(struct ctl_store *s, const char *dataplane, const char *epoch,
			uint64_t *ret_seq);

/* Raise the mark of (@dataplane, @epoch) to @seq (an event refused as
 * malformed is acknowledged too).  0 or -EIO. */
int ctl_store_peer_advance(struct ctl_store *s, const char *dataplane, const char *epoch,
			   uint64_t seq, int64_t now);

/* Delete occurrences seen before @before (unix seconds); count in *ret_n. */
int ctl_store_purge(struct ctl_store *s, int64_t before, uint64_t *ret_n);

/* ---- the review queue: candidates, occurrences, reviews ---- */

/*
 * Call @fn for each candidate matching @f, newest last_seen first; the
 * number of all matching candidates (ignoring paging) goes to *ret_total
 * when not NULL.  Returns 0, what @fn returned when non-zero, or -EIO.
 */
int ctl_store_candidates(struct ctl_store *s, const struct ctl_cand_filter *f, ctl_cand_fn fn,
			 void *ctx, uint64_t *ret_total);

/* One candidate by id: 0, -ENOENT or -EIO. */
int ctl_store_candidate(struct ctl_store *s, int64_t id, struct ctl_candidate *ret);

/* Newest @limit occurrences of candidate @id, newest first. */
int ctl_store_occurrences(struct ctl_store *s, int64_t id, uint64_t limit, ctl_occ_fn fn,
			  void *ctx);

/* The review trail of candidate @id, oldest first. */
int ctl_store_reviews(struct ctl_store *s, int64_t id, ctl_review_fn fn, void *ctx);

/*
 * Move candidate @id to @to in one transaction, appending a review by
 * @actor with @note (may be NULL).  To false_positive: the digest joins the
 * allowlist for @scope (the candidate's set, or every set; the review row
 * records which) and the candidate's blocks are removed; @scope means
 * nothing for other states.  Away from false_positive: the allowlist
 * entry this candidate added is lifted.  Who may ask for which scope is
 * the caller's to check.  Returns 0, -ENOENT, -EALREADY (already in @to),
 * -EINVAL or -EIO.
 */
int ctl_store_review(struct ctl_store *s, int64_t id, enum ctl_status to, const char *actor,
		     const char *note, enum ctl_allow_scope scope, int64_t now,
		     struct ctl_review_result *ret);

/* ---- the allowlist ---- */

/* Whether (@algo, @digest hex) is allowlisted for set @set: by an entry
 * for every set or by one for @set. */
bool ctl_store_allowed(struct ctl_store *s, enum hwall_algo algo, const char *digest,
		       const char *set);

/* Add by hand, for set @set (NULL or "": every set): 0, -EEXIST or -EIO. */
int ctl_store_allow_add(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			const char *set, const char *actor, const char *note, int64_t now);

/* Remove the entry of (@algo, @digest) for @set (NULL or "": the one for
 * every set): 0, -ENOENT or -EIO. */
int ctl_store_allow_remove(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			   const char *set);

/* Every allowlist entry, oldest first. */
int ctl_store_allow_list(struct ctl_store *s, ctl_allow_fn fn, void *ctx);

/* ---- blocks ---- */

/*
 * Add or refresh a block of (@host, @path), inside the caller's
 * transaction or in its own.  An existing block of the same URL keeps its
 * id and source (manual wins over auto) and gets the later expiry.  Its id
 * goes to *ret_id.  Returns 0 or -EIO.
 */
int ctl_store_block_add(struct ctl_store *s, const char *host, const char *path,
			int64_t candidate_id, enum ctl_block_source source, const char *actor,
			int64_t now, int64_t expires, int64_t *ret_id);

/* Remove block @id, copying it to *ret_block when given: 0, -ENOENT, -EIO. */
int ctl_store_block_remove(struct ctl_store *s, int64_t id, struct ctl_block *ret_block);

/* One block by id: 0, -ENOENT, -EIO. */
int ctl_store_block_get(struct ctl_store *s, int64_t id, struct ctl_block *ret);

/* The expiry of the block of (@host, @path), expired or not: 0, -ENOENT
 * (not blocked), -EIO. */
int ctl_store_block_expires(struct ctl_store *s, const char *host, const char *path,
			    int64_t *ret_expires);

/* Blocks not expired at @now (all when @now is 0), by id, with paging. */
int ctl_store_blocks(struct ctl_store *s, int64_t now, uint64_t offset, uint64_t limit,
		     ctl_block_fn fn, void *ctx, uint64_t *ret_total);

/*
 * Renew blocks: manual ones and automatic ones whose candidate is still
 * open get expires = @now + @ttl; returns how many in *ret_n.
 */
int ctl_store_blocks_renew(struct ctl_store *s, int64_t now, int64_t ttl, uint64_t *ret_n);

/* Delete blocks that expired before @now; how many in *ret_n. */
int ctl_store_blocks_expire(struct ctl_store *s, int64_t now, uint64_t *ret_n);

/* ---- status and exports ---- */

/* Count candidates per status into @ret_counts[CTL_STATUS_COUNT]. */
int ctl_store_count_status(struct ctl_store *s, uint64_t *ret_counts);

/* Number of allowlist entries and of blocks not expired at @now. */
int ctl_store_counts(struct ctl_store *s, int64_t now, uint64_t *ret_allow, uint64_t *ret_blocks);

/* Every set seen in matches, by id. */
int ctl_store_set_summary(struct ctl_store *s, ctl_set_fn fn, void *ctx);

/*
 * For exports: candidates in @status ordered by host then path (notices),
 * those without a host first and by server address, -1 for any status.
 */
int ctl_store_candidates_by_host(struct ctl_store *s, int status, ctl_cand_fn fn, void *ctx);

/* ---- the audit trail (control/audit.h builds the records) ---- */

/* The last record's seq and hash (0 and zeros for an empty trail). */
int ctl_store_audit_tail(struct ctl_store *s, int64_t *ret_seq,
			 uint8_t ret_hash[CTL_AUDIT_HASH_LEN]);

/* Insert @r as it is (its seq, hashes and signature computed by the
 * caller inside the same transaction as ctl_store_audit_tail()).  0,
 * -EEXIST (that seq exists) or -EIO. */
int ctl_store_audit_insert(struct ctl_store *s, const struct ctl_audit_rec *r);

/*
 * Call @fn for up to @limit records (0: all) in seq order from @from:
 * oldest first from seq >= @from, or @newest_first from seq <= @from (0:
 * from the newest).  Returns 0, what @fn returned when non-zero, or -EIO.
 */
int ctl_store_audit_walk(struct ctl_store *s, int64_t from, uint64_t limit, bool newest_first,
			 ctl_audit_fn fn, void *ctx);

/* ---- flood quarantine (control/quarantine.h decides) ---- */

/* How many distinct hosts and (host, path) URLs have candidates of
 * (@algo, @digest), in any set, last seen at or after @since. */
int ctl_store_digest_spread(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			    int64_t since, uint64_t *ret_hosts, uint64_t *ret_urls);

/* The newest quarantine of (@algo, @digest), whatever its state: 0,
 * -ENOENT or -EIO. */
int ctl_store_quarantine_get(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			     struct ctl_quarantine *ret);

/* A quarantine by id: 0, -ENOENT or -EIO. */
int ctl_store_quarantine_by_id(struct ctl_store *s, int64_t id, struct ctl_quarantine *ret);

/*
 * Quarantine @q's digest (active, inside the caller's transaction; @q->id
 * is set): the automatic blocks of its candidates are deleted, each handed
 * to @fn (may be NULL) for the backend.  Manual blocks stay.  0 or -EIO.
 */
int ctl_store_quarantine_add(struct ctl_store *s, struct ctl_quarantine *q, ctl_block_fn fn,
			     void *ctx);

/*
 * Release or confirm the active quarantine @id by @actor at @now, in the
 * caller's transaction: the digest's open candidates (new, confirmed) get
 * their automatic blocks back, expiring at @expires (enforced at the next
 * renewal); how many in *@ret_blocks.  0, -ENOENT, -EALREADY (not active),
 * -EINVAL or -EIO.
 */
int ctl_store_quarantine_decide(struct ctl_store *s, int64_t id, enum ctl_quarantine_state to,
				const char *actor, int64_t now, int64_t expires,
				uint64_t *ret_blocks);

/* Quarantines in @state (-1: any), newest first, with paging. */
int ctl_store_quarantines(struct ctl_store *s, int state, uint64_t offset, uint64_t limit,
			  ctl_quarantine_fn fn, void *ctx, uint64_t *ret_total);

/* ---- reports (control/dsa.h) ---- */

/* Every review row with @since <= at <= @until, oldest first. */
int ctl_store_reviews_between(struct ctl_store *s, int64_t since, int64_t until,
			      ctl_review_fn fn, void *ctx);

/* Every candidate first seen in [@since, @until], by id. */
int ctl_store_candidates_first_seen(struct ctl_store *s, int64_t since, int64_t until,
				    ctl_cand_fn fn, void *ctx);
/* ---- replication (docs/fleet.md) ---- */

/* Start @rep (zeroed) as an event of candidate @c: key, set version,
 * category, reference, cut flags (for back ends filling replicas). */
void ctl_replica_init(struct ctl_replica *rep, const struct ctl_candidate *c);

/* The id of the candidate of (@set, @algo, @digest, @host, @path): 0,
 * -ENOENT or -EIO. */
int ctl_store_candidate_find(struct ctl_store *s, const char *set, enum hwall_algo algo,
			     const char *digest, const char *host, const char *path,
			     int64_t *ret_id);

/* Occurrences with an id above @after, oldest first, at most @limit, each
 * as the event it recorded (with the candidate's current set version,
 * category and reference). */
int ctl_store_replicas(struct ctl_store *s, int64_t after, uint64_t limit, ctl_replica_fn fn,
		       void *ctx);

/* Reviews with an id above @after, oldest first, at most @limit, each
 * with its candidate. */
int ctl_store_reviews_after(struct ctl_store *s, int64_t after, uint64_t limit,
			    ctl_review_cand_fn fn, void *ctx);

/* The ids of the newest occurrence and review (0 when none). */
int ctl_store_tail(struct ctl_store *s, int64_t *ret_occ, int64_t *ret_review);

#endif
