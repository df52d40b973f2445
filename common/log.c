/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.c - thresholds and output for HWALL_LOG (see log.h).
 *
 * Thresholds are set once at start (or on reload) by the control thread;
 * reading them is lock-free.  Output is one write(2) per line so that lines
 * from several threads do not interleave.
 */
#include "common/log.h"
#include "common/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HWALL_LOG_MAX_OVERRIDES 16
#define HWALL_LOG_MAX_TOPIC 32

struct hwall_log_override {
	char topic[HWALL_LOG_MAX_TOPIC];
	size_t len;
	enum hwall_log_level level;
};

struct hwall_log_state {
	enum hwall_log_level level;
	unsigned int n_overrides;
	struct hwall_log_override overrides[HWALL_LOG_MAX_OVERRIDES];
};

static struct hwall_log_state log_state = { .level = HWALL_LOG_INFO };

static const char *const level_names[HWALL_LOG_LEVEL_COUNT] = {
	[HWALL_LOG_ERR] = "err",
	[HWALL_LOG_WARN] = "warn",
	[HWALL_LOG_INFO] = "info",
	[HWALL_LOG_DEBUG] = "debug",
};

const char *hwall_log_level_name(enum hwall_log_level level)
{
	if ((unsigned int)level >= HWALL_LOG_LEVEL_COUNT)
		return "?";
	return level_names[level];
}

int hwall_log_level_parse(const char *name)
{
	for (int i = 0; i < HWALL_LOG_LEVEL_COUNT; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	if (strcmp(name, "error") == 0)
		return HWALL_LOG_ERR;
	if (strcmp(name, "warning") == 0)
		return HWALL_LOG_WARN;
	return -EINVAL;
}

/* Parse one "topic=level" or "level" item of a spec into @st. */
static int parse_item(struct hwall_log_state *st, const char *item, size_t len)
{
	char buf[HWALL_LOG_MAX_TOPIC + 16];
	const char *eq;
	int level;

	if (len == 0)
		return 0;
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, item, len);
	buf[len] = '\0';
	eq = strchr(buf, '=');
	level = hwall_log_level_parse(eq ? eq + 1 : buf);
	if (level < 0)
		return level;
	if (!eq) {
		st->level = (enum hwall_log_level)level;
		return 0;
	}
	size_t tlen = (size_t)(eq - buf);
	if (tlen == 0 || tlen >= HWALL_LOG_MAX_TOPIC || st->n_overrides >= HWALL_LOG_MAX_OVERRIDES)
		return -EINVAL;
	struct hwall_log_override *o = &st->overrides[st->n_overrides++];
	memcpy(o->topic, buf, tlen);
	o->topic[tlen] = '\0';
	o->len = tlen;
	o->level = (enum hwall_log_level)level;
	return 0;
}

int hwall_log_configure(const char *spec)
{
	struct hwall_log_state st = { .level = HWALL_LOG_INFO };

	while (spec && *spec) {
		size_t len = strcspn(spec, ",");
		int r = parse_item(&st, spec, len);
		if (r < 0)
			return r;
		spec += len;
		if (*spec == ',')
			spec++;
	}
	log_state = st;
	return 0;
}

/* A topic matches an override equal to it or to one of its dotted parents;
 * the longest match wins. */
bool hwall_log_enabled(enum hwall_log_level level, const char *topic)
{
	enum hwall_log_level threshold = log_state.level;
	size_t best = 0;

	for (unsigned int i = 0; i < log_state.n_overrides; i++) {
		const struct hwall_log_override *o = &log_state.overrides[i];
		if (o->len <= best || strncmp(topic, o->topic, o->len) != 0)
			continue;
		if (topic[o->len] != '\0' && topic[o->len] != '.')
			continue;
		best = o->len;
		threshold = o->level;
	}
	return level <= threshold;
}

void hwall_log_emit(enum hwall_log_level level, const char *topic, const char *fmt, ...)
{
	char line[1024], msg[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		     tm.tm_sec, ts.tv_nsec / 1000000L, hwall_log_level_name(level), topic);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	/* A message carries names from peers (set ids, paths): escaped, they
	 * cannot end the line or drive the terminal that shows the log.
	 * Truncated or not, the newline has its place. */
	n += (int)hwall_utf8_escape(msg, strlen(msg), line + n, sizeof(line) - 1 - (size_t)n,
				    false);
	line[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}
