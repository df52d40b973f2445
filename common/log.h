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
 * Messages go to stderr as one line: "<ts> <level> <topic>: <text>".
 */
#ifndef HASHWALL_COMMON_LOG_H
#define HASHWALL_COMMON_LOG_H

#include <stdbool.h>

enum hw_log_level {
	HW_LOG_ERR,
	HW_LOG_WARN,
	HW_LOG_INFO,
	HW_LOG_DEBUG,
	HW_LOG_LEVEL_COUNT
};

/* Log a message when @level passes the threshold for @topic. */
#define HW_LOG(level, topic, ...)                                            \
	do {                                                                 \
		if (hw_log_enabled(HW_LOG_##level, (topic)))                 \
			hw_log_emit(HW_LOG_##level, (topic), __VA_ARGS__);   \
	} while (0)

/*
 * Set the thresholds from @spec (see above).  Returns 0, or -EINVAL when a
 * level name is unknown or the spec has more overrides than fit; the previous
 * thresholds are then kept.  NULL or "" resets to "info".
 */
int hw_log_configure(const char *spec);

/* Name of @level ("err", "warn", "info", "debug"), or "?" when out of range. */
const char *hw_log_level_name(enum hw_log_level level);

/* Parse a level name; returns the level or -EINVAL. */
int hw_log_level_parse(const char *name);

/* Whether a message at @level for @topic would be written. */
bool hw_log_enabled(enum hw_log_level level, const char *topic);

/* Write one message unconditionally; use HW_LOG instead. */
void hw_log_emit(enum hw_log_level level, const char *topic, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
