/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * events.c - JSON lines for objects, matches and stats (see events.h), and
 * the counter names.
 */
#include "dataplane/events.h"
#include "common/url.h"
#include "hashsync/pdq/pdq.h"

#include <arpa/inet.h>
#include <string.h>

static const char *const drop_names[] = {
#define DP_X_NAME(name, desc) #name,
	DP_DROP_TABLE(DP_X_NAME)
};

static const char *const info_names[] = {
	DP_INFO_TABLE(DP_X_NAME)
};

static const char *const pdq_names[] = {
	DP_PDQ_TABLE(DP_X_NAME)
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

const char *dp_pdq_ctr_name(enum dp_pdq_ctr c)
{
	return (unsigned int)c < DP_PDQ_COUNT ? pdq_names[c] : "?";
}

void dp_counters_add(struct dp_counters *dst, const struct dp_counters *src)
{
	for (int i = 0; i < DP_DROP_COUNT; i++)
		dst->drop[i] += src->drop[i];
	for (int i = 0; i < DP_INFO_COUNT; i++)
		dst->info[i] += src->info[i];
	for (int i = 0; i < DP_PDQ_COUNT; i++)
		dst->pdq[i] += src->pdq[i];
	dst->packets += src->packets;
	dst->bytes += src->bytes;
	dst->body_bytes += src->body_bytes;
}

/* Bytes of every counter name, a NUL each: what bounds the stats line. */
enum {
#define DP_X_NAME_BYTES(name, desc) +sizeof(#name)
	DP_COUNTER_NAME_BYTES = 0 DP_DROP_TABLE(DP_X_NAME_BYTES) DP_INFO_TABLE(DP_X_NAME_BYTES)
		DP_PDQ_TABLE(DP_X_NAME_BYTES)
#undef DP_X_NAME_BYTES
};

/* The stats line: ,"name":<20 digits> per counter, and the fixed fields
 * (whose seven numbers printf may make a few hundred digits long). */
#define DP_STATS_MAX (DP_COUNTER_NAME_BYTES + 24 * (DP_DROP_COUNT + DP_INFO_COUNT + DP_PDQ_COUNT) + 4096)

/* Every wire string escaped at 3 bytes per byte, plus the fixed fields,
 * fits in one line: dp_event_format() never runs out of room. */
_Static_assert(3 * (DP_HOST_MAX + DP_PATH_MAX + DP_METHOD_MAX) + 1024 < DP_EVENT_MAX,
	       "DP_EVENT_MAX too small for the longest event");

/* The canonical form of a request target (common/url_canon.h): every
 * byte grows to at most three. */
#define DP_EVENT_PATH_MAX (3 * DP_PATH_MAX)

/*
 * @target in its canonical form (docs/enforcement.md, "Canonical form"),
 * in @buf of @cap bytes: the form the XDP program keys a URL block on, so
 * that every spelling of one URL is one candidate and one block.  The
 * JSON writer escapes what is left (control bytes) as it escapes any wire
 * string.
 */
static const char *event_path(const char *target, char *buf, size_t cap)
{
	return hwall_url_canon(target, strlen(target), buf, cap) < 0 ? target : buf;
}

static void server_text(const struct dp_event_obj *e, char *out, size_t cap)
{
	if (e->family == 4)
		inet_ntop(AF_INET, e->server + 12, out, (socklen_t)cap);
	else
		inet_ntop(AF_INET6, e->server, out, (socklen_t)cap);
}

/* "@key":{"<algo>":"<hex>",...} for every digest the object has. */
static void digests_json(struct hwall_json *w, const char *key, const struct dp_digests *d)
{
	hwall_json_obj_begin(w, key);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		if (d->mask & (1u << a))
			hwall_json_hex(w, hwall_algo_name((enum hwall_algo)a), d->bytes[a],
				       hwall_algo_len((enum hwall_algo)a));
	hwall_json_obj_end(w);
}

/* "range":{"start":S,"end":E,"total":T or null} of a 206. */
static void range_json(struct hwall_json *w, const struct dp_range *r)
{
	hwall_json_obj_begin(w, "range");
	hwall_json_u64(w, "start", r->start);
	hwall_json_u64(w, "end", r->end);
	if (r->total_known)
		hwall_json_u64(w, "total", r->total);
	else
		hwall_json_raw(w, "total", "null", 4);
	hwall_json_obj_end(w);
}

/* "content_encoding":"gzip","decoded":true|false[,"decoded_size":N]: with
 * decoded, "digests" are the decoded file's, "wire_digests" the bytes'. */
static void coding_json(struct hwall_json *w, const struct dp_obj *o)
{
	hwall_json_str(w, "content_encoding", dp_coding_name((enum dp_coding)o->coding));
	hwall_json_bool(w, "decoded", o->decoded);
	if (o->decoded)
		hwall_json_u64(w, "decoded_size", o->dsize);
}

static void match_json(struct hwall_json *w, const struct dp_obj *o, const struct dp_match *m)
{
	const struct dp_digests *d = m->decoded ? &o->ddigests : &o->digests;

	hwall_json_str(w, "set", m->set->info.id);
	hwall_json_u64(w, "set_version", m->set->info.version);
	hwall_json_str(w, "algo", hwall_algo_name(m->algo));
	hwall_json_hex(w, "digest", d->bytes[m->algo], hwall_algo_len(m->algo));
	if (m->decoded)
		hwall_json_bool(w, "decoded", true);
	hwall_json_u64(w, "category", m->category);
	hwall_json_u64(w, "ref", m->ref);
	if (!m->near)
		return;
	hwall_json_hex(w, "matched", m->near->entry, hwall_algo_len(m->algo));
	hwall_json_u64(w, "distance", m->near->distance);
	hwall_json_u64(w, "quality", m->near->quality);
	hwall_json_str(w, "variant", pdq_dihedral_name((enum pdq_dihedral)m->near->variant));
}

size_t dp_event_format(char *buf, size_t cap, const struct dp_event_obj *e, const struct dp_match *m)
{
	const struct dp_obj *o = e->obj;
	const struct dp_txn *t = o->txn;
	bool complete = o->outcome == DP_DROP_COUNT;
	char ip[INET6_ADDRSTRLEN], path[DP_EVENT_PATH_MAX];
	struct hwall_json w;
	size_t len;

	server_text(e, ip, sizeof(ip));
	hwall_json_init(&w, buf, cap);
	hwall_json_obj_begin(&w, NULL);
	hwall_json_str(&w, "event", m ? "match" : "object");
	hwall_json_u64(&w, "ts", e->ts_ns / UINT64_C(1000000000));
	hwall_json_str(&w, "server_ip", ip);
	hwall_json_u64(&w, "server_port", e->server_port);
	hwall_json_str(&w, "client", e->client);
	hwall_json_str(&w, "direction", o->upload ? "upload" : "download");
	hwall_json_wire(&w, "host", t ? t->host : "");
	hwall_json_wire(&w, "path", t ? event_path(t->path, path, sizeof(path)) : "");
	hwall_json_wire(&w, "method", t ? t->method : "");
	/* Only when cut: controld keeps the flag on the candidate. */
	if (t && t->host_truncated)
		hwall_json_bool(&w, "host_truncated", true);
	if (t && t->path_truncated)
		hwall_json_bool(&w, "path_truncated", true);
	/* Its request was lost in a hole or not captured: no URL. */
	if (o->request_lost)
		hwall_json_bool(&w, "request_lost", true);
	hwall_json_u64(&w, "status", o->status);
	hwall_json_u64(&w, "size", o->size);
	hwall_json_bool(&w, "complete", complete);
	hwall_json_bool(&w, "partial", o->partial);
	if (o->range.set)
		range_json(&w, &o->range);
	if (o->stitched)
		hwall_json_bool(&w, "stitched", true);
	hwall_json_str(&w, "outcome", complete ? "complete" : dp_drop_name(o->outcome));
	if (o->coding)
		coding_json(&w, o);
	digests_json(&w, "digests", o->decoded ? &o->ddigests : &o->digests);
	if (o->decoded)
		digests_json(&w, "wire_digests", &o->digests);
	if (m)
		match_json(&w, o, m);
	hwall_json_obj_end(&w);
	hwall_json_newline(&w);
	return hwall_json_finish(&w, &len) == 0 ? len : 0;
}

void dp_event_drops_json(struct hwall_json *w, const struct dp_counters *c)
{
	for (int i = 0; i < DP_DROP_COUNT; i++)
		hwall_json_u64(w, drop_names[i], c->drop[i]);
}

void dp_event_info_json(struct hwall_json *w, const struct dp_counters *c)
{
	for (int i = 0; i < DP_INFO_COUNT; i++)
		hwall_json_u64(w, info_names[i], c->info[i]);
	for (int i = 0; i < DP_PDQ_COUNT; i++)
		hwall_json_u64(w, pdq_names[i], c->pdq[i]);
}

void dp_event_stats(FILE *out, const struct dp_counters *c, double seconds)
{
	dp_event_stats_cpu(out, c, seconds, NULL);
}

static void stats_cpu_fields(struct hwall_json *w, const struct dp_counters *c,
			     const struct dp_cpu_use *cpu)
{
	double busy = cpu->tsc_hz ? (double)cpu->tsc_cycles / (double)cpu->tsc_hz : 0;

	hwall_json_u64(w, "workers", cpu->workers);
	hwall_json_u64(w, "worker_cycles", cpu->tsc_cycles);
	hwall_json_u64(w, "tsc_hz", cpu->tsc_hz);
	hwall_json_fixed(w, "worker_seconds", busy, 6);
	hwall_json_fixed(w, "worker_cpu_seconds", cpu->cpu_seconds, 6);
	hwall_json_fixed(w, "cycles_per_packet",
			 c->packets ? (double)cpu->tsc_cycles / (double)c->packets : 0, 1);
	hwall_json_fixed(w, "gbps_per_core", busy > 0 ? (double)c->body_bytes * 8 / busy / 1e9 : 0, 3);
	if (cpu->mbh_impl == MBH_IMPL_AUTO)
		return;
	hwall_json_str(w, "mbh_impl", mbh_impl_name(cpu->mbh_impl));
}

double dp_mbh_lanes_pct(const struct mbh_stats *st, enum mbh_algo a)
{
	return st->lane_slots[a] ? 100.0 * (double)st->lane_blocks[a] / (double)st->lane_slots[a] : 0;
}

void dp_cpu_use_add_mbh(struct dp_cpu_use *cpu, const struct mbh_ctx *mbh)
{
	struct mbh_stats st;

	if (!mbh)
		return;
	cpu->mbh_impl = mbh_ctx_impl(mbh);
	mbh_ctx_stats(mbh, &st);
	for (int a = 0; a < MBH_ALGO_COUNT; a++) {
		cpu->mbh.lane_blocks[a] += st.lane_blocks[a];
		cpu->mbh.lane_slots[a] += st.lane_slots[a];
		cpu->mbh.single_blocks[a] += st.single_blocks[a];
		cpu->mbh.deferred_blocks[a] += st.deferred_blocks[a];
	}
	cpu->mbh.flushes += st.flushes;
	cpu->mbh.drains += st.drains;
	cpu->mbh.queue_full += st.queue_full;
}

void dp_event_stats_cpu(FILE *out, const struct dp_counters *c, double seconds,
			const struct dp_cpu_use *cpu)
{
	char buf[DP_STATS_MAX];
	struct hwall_json w;
	size_t len;

	hwall_json_init(&w, buf, sizeof(buf));
	hwall_json_obj_begin(&w, NULL);
	hwall_json_str(&w, "event", "stats");
	dp_event_drops_json(&w, c);
	dp_event_info_json(&w, c);
	hwall_json_fixed(&w, "seconds", seconds, 6);
	hwall_json_u64(&w, "packets", c->packets);
	hwall_json_u64(&w, "bytes", c->bytes);
	hwall_json_u64(&w, "body_bytes", c->body_bytes);
	hwall_json_fixed(&w, "gbps", seconds > 0 ? (double)c->body_bytes * 8 / seconds / 1e9 : 0, 3);
	if (cpu)
		stats_cpu_fields(&w, c, cpu);
	hwall_json_obj_end(&w);
	hwall_json_newline(&w);
	if (hwall_json_finish(&w, &len) == 0)
		fwrite(buf, 1, len, out);
}
