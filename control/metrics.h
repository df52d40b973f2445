/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * metrics.h - controld's counters: one X-macro table that generates the
 * enum, the Prometheus names and help texts.  Every event that is dropped,
 * skipped or refused increments exactly one of these.  Counters are C11
 * atomics (relaxed): ingest, the API thread and enforcement bump them, GET
 * /metrics reads them.  No label ever carries a URL, digest or client.
 */
#ifndef HASHWALL_CONTROL_METRICS_H
#define HASHWALL_CONTROL_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(ENUM, name without hashwall_ prefix, help) */
#define CTL_COUNTER_TABLE(X)                                                              \
	X(INGEST_EVENTS, "ingest_events_total", "Match events committed to the store")    \
	X(INGEST_DUPLICATES, "ingest_duplicates_total",                                   \
	  "Events skipped because their sequence number was already committed")          \
	X(INGEST_ALLOWLISTED, "ingest_allowlisted_total",                                 \
	  "Events skipped because their digest is in the local allowlist")               \
	X(INGEST_INVALID, "ingest_invalid_total",                                         \
	  "Events refused for a missing or malformed set, algo or digest (not stored)")  \
	X(INGEST_NORMALISED, "ingest_normalised_total",                                   \
	  "Events stored with a field escaped, cut or defaulted (docs/ingest-protocol.md)") \
	X(INGEST_FLOW_INVALID, "ingest_flow_invalid_total",                               \
	  "Flows of match events ignored as malformed (the event itself is stored)")     \
	X(INGEST_PLAIN_CLIENT, "ingest_plain_client_total",                               \
	  "Events whose client looked like a plain IP address (stored re-keyed only)")  \
	X(INGEST_PROTOCOL_ERRORS, "ingest_protocol_errors_total",                         \
	  "Connections closed for a protocol violation")                                 \
	X(INGEST_SEQ_GAPS, "ingest_seq_gaps_total",                                       \
	  "Connections whose first event lay beyond the next number (a restored store?)") \
	X(INGEST_CONNECTIONS, "ingest_connections_total", "Dataplane connections accepted") \
	X(INGEST_REFUSED, "ingest_refused_connections_total",                             \
	  "Dataplane connections refused because every slot was taken")                 \
	X(INGEST_COMMITS, "ingest_commits_total", "Ingest transactions committed")        \
	X(INGEST_COMMIT_FAILURES, "ingest_commit_failures_total",                         \
	  "Ingest transactions rolled back (their events are resent, never acknowledged)") \
	X(INGEST_STATS, "ingest_stats_messages_total", "Counter snapshots from dataplanes") \
	X(CANDIDATES_CREATED, "candidates_created_total", "Takedown candidates created")  \
	X(CANDIDATES_REOPENED, "candidates_reopened_total",                               \
	  "Taken-down candidates served again and reopened")                             \
	X(CANDIDATES_RETROACTIVE, "candidates_retroactive_total",                         \
	  "Candidates created by the re-check of the served-object journal")            \
	X(INGEST_RETRO_KNOWN, "ingest_retroactive_known_total",                           \
	  "Retroactive matches their candidate held already (a re-check run again)")    \
	X(REVIEWS, "reviews_total", "Status changes by reviewers")                        \
	X(API_REQUESTS, "api_requests_total", "Operator API requests answered")           \
	X(API_UNAUTHORIZED, "api_unauthorized_total", "API requests refused with 401")    \
	X(API_FORBIDDEN, "api_forbidden_total", "API requests refused with 403")          \
	X(API_BAD_REQUESTS, "api_bad_requests_total", "API requests refused with 400")    \
	X(API_TOO_LARGE, "api_too_large_total", "API request bodies refused with 413")    \
	X(API_NOT_FOUND, "api_not_found_total", "API requests answered with 404")         \
	X(API_ERRORS, "api_errors_total", "API requests that failed with 5xx")            \
	X(API_HEAD_TIMEOUTS, "api_head_timeouts_total",                                   \
	  "API connections closed because their request head was late (408)")           \
	X(API_HEAD_EVICTED, "api_head_evicted_total",                                     \
	  "API connections still sending their request head, closed for a newer one")   \
	X(API_HEAD_TOO_LARGE, "api_head_too_large_total",                                 \
	  "API request heads over 8 KiB (431)")                                          \
	X(API_REFUSED, "api_refused_connections_total",                                   \
	  "API connections with a request head that the HTTP server could not take")    \
	X(API_SET_CHECKS, "api_set_file_checks_total",                                    \
	  "Installed set files opened and checked for the status (once per file version)") \
	X(BLOCKS_ADDED, "blocks_added_total", "Blocks added (automatic and manual)")      \
	X(BLOCKS_REMOVED, "blocks_removed_total", "Blocks removed")                       \
	X(BLOCKS_RENEWED, "blocks_renewed_total", "Block expiries renewed")               \
	X(BLOCKS_REPORT_ONLY, "blocks_report_only_total",                                 \
	  "Matches not blocked because their set's policy is report")                    \
	X(BLOCKS_NO_URL, "blocks_no_url_total",                                           \
	  "New candidates without a URL block: no Host or path, or one cut (flows only)") \
	X(FLOWS_BLOCKED, "flows_blocked_total",                                           \
	  "Flows of matched transfers added to the blocked-flow map")                    \
	X(ENFORCE_ERRORS, "enforce_errors_total", "Failed calls into the BPF maps")       \
	X(QUARANTINES, "quarantines_total",                                               \
	  "Digests quarantined for matching on too many hosts or URLs (docs/controld.md)") \
	X(QUARANTINE_HELD, "quarantine_held_total",                                       \
	  "Matches recorded but not enforced because their digest is quarantined")       \
	X(RETENTION_PURGED, "retention_purged_occurrences_total",                         \
	  "Occurrences deleted after the retention period")                              \
	X(FLEET_OCCURRENCES, "fleet_occurrences_sent_total",                              \
	  "Occurrences the central store took from this edge (re-sends not counted)")    \
	X(FLEET_REVIEWS, "fleet_reviews_sent_total", "Local reviews sent to the center") \
	X(FLEET_DECISIONS, "fleet_decisions_applied_total",                               \
	  "Central decisions applied to this edge")                                      \
	X(FLEET_DROPPED, "fleet_outbox_dropped_total",                                    \
	  "Occurrences left unreplicated because the outbox was over its bound")        \
	X(FLEET_FAILURES, "fleet_connection_failures_total",                              \
	  "Central store connections that failed or were lost")

enum ctl_counter {
#define CTL_X_ENUM(e, name, help) CTL_CTR_##e,
	CTL_COUNTER_TABLE(CTL_X_ENUM)
#undef CTL_X_ENUM
	CTL_CTR_COUNT
};

struct ctl_metrics {
	_Atomic uint64_t c[CTL_CTR_COUNT];
	/* gauges of the fleet uplink (fleet.h), when one runs */
	_Atomic uint64_t fleet_backlog;
	_Atomic bool fleet_enabled, fleet_connected;
};

/* Add @n to counter @ctr of @m (NULL @m: nothing). */
static inline void ctl_count(struct ctl_metrics *m, enum ctl_counter ctr, uint64_t n)
{
	if (m)
		atomic_fetch_add_explicit(&m->c[ctr], n, memory_order_relaxed);
}

/* Current value of counter @ctr. */
static inline uint64_t ctl_counter_get(struct ctl_metrics *m, enum ctl_counter ctr)
{
	return atomic_load_explicit(&m->c[ctr], memory_order_relaxed);
}

/* Prometheus name (without "hashwall_") and help of @ctr. */
const char *ctl_counter_name(enum ctl_counter ctr);
const char *ctl_counter_help(enum ctl_counter ctr);

#endif
