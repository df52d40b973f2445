/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.h - the one logging macro of hashwall.
 *
 * Every message has a level and a topic ("dp.http", "sync.verify", ...).
 * The threshold is global with per-topic overrides, set from a spec string
 * such as "info,dp.http=debug,sync=warn" (a topic matches itself and every
 * topic below it: "sync" covers "sync.verify").  Library code does not log;
 * callers log once, with context.  The data path never logs per packet.
 *
 * Messages go to stderr as one line: "<ts> <level> <topic>: <text>".  In
 * the text, control characters (C0, DEL) and bytes that are not UTF-8 are
 * written as \xNN, C1 controls and the bidi and line-separator code points
 * as \uNNNN: a name from a peer cannot break the line or drive the
 * terminal that shows the log.
 */
#ifndef HASHWALL_COMMON_LOG_H
#define HASHWALL_COMMON_LOG_H

#include <stdbool.h>

enum hwall_log_level {
	HWALL_LOG_ERR,
	HWALL_LOG_WARN,
	HWALL_LOG_INFO,
	HWALL_LOG_DEBUG,
	HWALL_LOG_LEVEL_COUNT
};

/* Log a message when @level passes the threshold for @topic. */
#define HWALL_LOG(level, topic, ...)                                            \
	do {                                                                 \
		if (hwall_log_enabled(HWALL_LOG_##level, (topic)))                 \
			hwall_log_emit(HWALL_LOG_##level, (topic), __VA_ARGS__);   \
	} while (0)

/*
 * Set the thresholds from @spec (see above).  Returns 0, or -EINVAL when a
 * level name is unknown or the spec has more overrides than fit; the previous
 * thresholds are then kept.  NULL or "" resets to "info".
 */
int hwall_log_configure(const char *spec);

/* Name of @level ("err", "warn", "info", "debug"), or "?" when out of range. */
const char *hwall_log_level_name(enum hwall_log_level level);

/* Parse a level name; returns the level or -EINVAL. */
int hwall_log_level_parse(const char *name);

/* Whether a message at @level for @topic would be written. */
bool hwall_log_enabled(enum hwall_log_level level, const char *topic);

/* Write one message unconditionally; use HWALL_LOG instead. */
void hwall_log_emit(enum hwall_log_level level, const char *topic, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
