/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pdq_counters.h - the PDQ stage's counters: one X-macro table, kept in
 * struct dp_counters (counters.h) beside the drop and info counters and
 * printed in the stats event as "pdq_<name>".
 *
 * Worker side (pdq_tap.c): every complete image body that reached
 * min_bytes goes to exactly one of pdq_queued, pdq_skip_large,
 * pdq_skip_no_buffer, pdq_skip_queue_full; an image body that did not end
 * complete is pdq_skip_incomplete.  Stage side (pdq_stage.c): every queued
 * body ends in exactly one of pdq_refused, pdq_decoder_crash,
 * pdq_decoder_timeout, pdq_low_quality, pdq_no_match, pdq_matched,
 * pdq_allowlisted; pdq_cache_hits counts those answered without decoding.
 */
#ifndef HASHWALL_DATAPLANE_PDQ_COUNTERS_H
#define HASHWALL_DATAPLANE_PDQ_COUNTERS_H

/* X(name, what it counts) */
#define DP_PDQ_TABLE(X)                                                                      \
	/* worker side: the copy and the hand-over */                                        \
	X(pdq_queued, "image bodies handed to the PDQ stage")                               \
	X(pdq_skip_small, "complete image bodies under min_bytes")                          \
	X(pdq_skip_large, "image bodies over max_bytes (copy stopped)")                     \
	X(pdq_skip_incomplete, "image bodies that did not end complete (or 206)")           \
	X(pdq_skip_no_buffer, "image bodies not copied: copy slots or buffer bytes used up") \
	X(pdq_skip_queue_full, "complete image bodies dropped: the PDQ queue was full")      \
	/* stage side: decode, cache, match */                                               \
	X(pdq_cache_hits, "bodies whose xxh3-128 was in the cache (not decoded again)")      \
	X(pdq_decoded, "bodies the decoder hashed")                                          \
	X(pdq_refused, "bodies the decoder refused (corrupt, over a limit, not an image)")  \
	X(pdq_decoder_crash, "bodies during which the decoder died (restarted)")            \
	X(pdq_decoder_timeout, "bodies the decoder took too long on (killed, restarted)")    \
	X(pdq_low_quality, "hashes under every set's quality floor (not matched)")          \
	X(pdq_no_match, "hashes matched against the sets without a hit")                    \
	X(pdq_matched, "hashes with at least one hit (events)")                             \
	X(pdq_allowlisted, "hashes whose every hit the allowlist skipped")

enum dp_pdq_ctr {
#define DP_X_ENUM(name, desc) DP_PDQ_##name,
	DP_PDQ_TABLE(DP_X_ENUM)
#undef DP_X_ENUM
	DP_PDQ_COUNT
};

#endif
