/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * events.c - JSON lines for objects, matches and stats (see events.h), and
 * the counter names.
 */
#include "dataplane/events.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

static const char *const drop_names[] = {
#define DP_X_NAME(name, desc) #name,
	DP_DROPS(DP_X_NAME)
};

static const char *const info_names[] = {
	DP_INFO(DP_X_NAME)
#undef DP_X_NAME
};

const char *dp_drop_name(enum dp_drop d)
{
	return (unsigned int)d < DP_DROP_COUNT ? drop_names[d] : "?";
}

const char *dp_info_name(enum dp_info i)
{
	return (unsigned int)i < DP_INFO_COUNT ? info_names[i] : "?";
}

void dp_counters_add(struct dp_counters *dst, const struct dp_counters *src)
{
	for (int i = 0; i < DP_DROP_COUNT; i++)
		dst->drop[i] += src->drop[i];
	for (int i = 0; i < DP_INFO_COUNT; i++)
		dst->info[i] += src->info[i];
	dst->packets += src->packets;
	dst->bytes += src->bytes;
	dst->body_bytes += src->body_bytes;
}

/* Every wire string escaped at 3 bytes per byte, plus the fixed fields,
 * fits in one line: dp_event_format() never runs out of room. */
_Static_assert(3 * (DP_HOST_MAX + DP_PATH_MAX + DP_METHOD_MAX) + 1024 < DP_EVENT_MAX,
	       "DP_EVENT_MAX too small for the longest event");

/* A bounded writer: once full it stays full and the line is discarded. */
struct jw {
	char *buf;
	size_t cap;
	size_t len;
	bool full;
};

static void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (w->full || w->len + n >= w->cap) {
		w->full = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void jw_fmt(struct jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void jw_fmt(struct jw *w, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		w->full = true;
		return;
	}
	jw_raw(w, tmp, (size_t)n);
}

/* ,"key":"value" with the escaping described in events.h. */
static void jw_str(struct jw *w, const char *key, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";

	jw_fmt(w, ",\"%s\":\"", key);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		char e[3] = { '\\', (char)*p, 0 };
		if (*p == '"' || *p == '\\') {
			jw_raw(w, e, 2);
		} else if (*p < 0x20 || *p >= 0x7f) {
			char pct[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			jw_raw(w, pct, 3);
		} else {
			jw_raw(w, (const char *)p, 1);
		}
	}
	jw_raw(w, "\"", 1);
}

static void jw_hex(struct jw *w, const char *key, const uint8_t *b, size_t len)
{
	char hex[HWALL_DIGEST_HEX_MAX];

	hwall_hex_format(b, len, hex);
	jw_fmt(w, ",\"%s\":\"%s\"", key, hex);
}

static void server_text(const struct dp_event_obj *e, char *out, size_t cap)
{
	if (e->family == 4)
		inet_ntop(AF_INET, e->server + 12, out, (socklen_t)cap);
	else
		inet_ntop(AF_INET6, e->server, out, (socklen_t)cap);
}

size_t dp_event_format(char *buf, size_t cap, const struct dp_event_obj *e, const struct dp_match *m)
{
	const struct dp_obj *o = e->obj;
	const struct dp_txn *t = o->txn;
	struct jw w = { buf, cap, 0, false };
	char ip[INET6_ADDRSTRLEN];
	bool first = true;

	server_text(e, ip, sizeof(ip));
	jw_fmt(&w, "{\"event\":\"%s\",\"ts\":%" PRIu64, m ? "match" : "object",
	       e->ts_ns / UINT64_C(1000000000));
	jw_str(&w, "server_ip", ip);
	jw_fmt(&w, ",\"server_port\":%u", e->server_port);
	jw_str(&w, "client", e->client);
	jw_str(&w, "host", t ? t->host : "");
	jw_str(&w, "path", t ? t->path : "");
	jw_str(&w, "method", t ? t->method : "");
	/* Only when cut: controld keeps the flag on the candidate. */
	if (t && t->host_truncated)
		jw_raw(&w, ",\"host_truncated\":true", 22);
	if (t && t->path_truncated)
		jw_raw(&w, ",\"path_truncated\":true", 22);
	jw_fmt(&w, ",\"status\":%u,\"size\":%" PRIu64 ",\"complete\":%s,\"partial\":%s", o->status,
	       o->size, o->outcome == DP_DROP_COUNT ? "true" : "false", o->partial ? "true" : "false");
	jw_str(&w, "outcome", o->outcome == DP_DROP_COUNT ? "complete" : dp_drop_name(o->outcome));
	jw_raw(&w, ",\"digests\":{", 12);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		if (!(o->digests.mask & (1u << a)))
			continue;
		char hex[HWALL_DIGEST_HEX_MAX];

		hwall_hex_format(o->digests.bytes[a], hwall_algo_len((enum hwall_algo)a), hex);
		jw_fmt(&w, "%s\"%s\":\"%s\"", first ? "" : ",", hwall_algo_name((enum hwall_algo)a), hex);
		first = false;
	}
	jw_raw(&w, "}", 1);
	if (m) {
		jw_str(&w, "set", m->set->info.id);
		jw_fmt(&w, ",\"set_version\":%" PRIu64, m->set->info.version);
		jw_str(&w, "algo", hwall_algo_name(m->algo));
		jw_hex(&w, "digest", o->digests.bytes[m->algo], hwall_algo_len(m->algo));
		jw_fmt(&w, ",\"category\":%u,\"ref\":%" PRIu32, m->category, m->ref);
	}
	jw_raw(&w, "}\n", 2);
	if (w.full)
		return 0;
	buf[w.len] = '\0'; /* jw_raw() always leaves room for it */
	return w.len;
}

void dp_event_stats(FILE *out, const struct dp_counters *c, double seconds)
{
	dp_event_stats_cpu(out, c, seconds, NULL);
}

static void stats_cpu_fields(FILE *out, const struct dp_counters *c, const struct dp_cpu_use *cpu)
{
	double busy = cpu->tsc_hz ? (double)cpu->tsc_cycles / (double)cpu->tsc_hz : 0;

	fprintf(out,
		",\"workers\":%u,\"worker_cycles\":%" PRIu64 ",\"tsc_hz\":%" PRIu64
		",\"worker_seconds\":%.6f,\"worker_cpu_seconds\":%.6f,\"cycles_per_packet\":%.1f"
		",\"gbps_per_core\":%.3f",
		cpu->workers, cpu->tsc_cycles, cpu->tsc_hz, busy, cpu->cpu_seconds,
		c->packets ? (double)cpu->tsc_cycles / (double)c->packets : 0,
		busy > 0 ? (double)c->body_bytes * 8 / busy / 1e9 : 0);
}

void dp_event_stats_cpu(FILE *out, const struct dp_counters *c, double seconds,
			const struct dp_cpu_use *cpu)
{
	double gbps = seconds > 0 ? (double)c->body_bytes * 8 / seconds / 1e9 : 0;

	fputs("{\"event\":\"stats\"", out);
	for (int i = 0; i < DP_DROP_COUNT; i++)
		fprintf(out, ",\"%s\":%" PRIu64, drop_names[i], c->drop[i]);
	for (int i = 0; i < DP_INFO_COUNT; i++)
		fprintf(out, ",\"%s\":%" PRIu64, info_names[i], c->info[i]);
	fprintf(out,
		",\"seconds\":%.6f,\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
		",\"body_bytes\":%" PRIu64 ",\"gbps\":%.3f",
		seconds, c->packets, c->bytes, c->body_bytes, gbps);
	if (cpu)
		stats_cpu_fields(out, c, cpu);
	fputs("}\n", out);
}
