/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * event.c - match event parsing and client pseudonymisation (see event.h).
 */
#include "control/event.h"
#include "common/algo.h"
#include "common/errors.h"
#include "common/fileio.h"
#include "hashsync/hws.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static int fail(struct hwall_err *err, const char *field, const char *why)
{
	return hwall_err_set(err, -EINVAL, "%s: %s", field, why);
}

/* The member @key of @obj; NULL when absent or JSON null (the same). */
static const cJSON *member(const cJSON *obj, const char *key)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNull(n) ? NULL : n;
}

/* A field the match means nothing without (set, algo, digest): a non-empty
 * string of printable text that fits @cap, or the event is refused. */
static int get_required(const cJSON *obj, const char *key, char *dst, size_t cap, struct hwall_err *err)
{
	const cJSON *n = member(obj, key);
	size_t len;

	dst[0] = '\0';
	if (!n)
		return fail(err, key, "missing required field");
	if (!cJSON_IsString(n) || !n->valuestring)
		return fail(err, key, "expected string");
	len = strlen(n->valuestring);
	if (len >= cap)
		return fail(err, key, "too long");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)n->valuestring[i] < 0x20 || n->valuestring[i] == 0x7f)
			return fail(err, key, "control character");
	if (len == 0)
		return fail(err, key, "empty");
	memcpy(dst, n->valuestring, len + 1);
	return 0;
}

static void flag(struct ctl_event *ev, enum ctl_event_field f)
{
	ev->normalised |= 1u << f;
}

/* Length of the UTF-8 sequence at @s (@n bytes left), 0 when it is not
 * one (RFC 3629: no overlong form, surrogate or code point over U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	return cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : len;
}

enum { TEXT_ESCAPED = 1, TEXT_TRUNCATED = 2 };

/*
 * Copy @src into @dst (@cap bytes with the NUL) as text that is safe to
 * store, show and export: C0 controls, DEL, C1 controls (U+0080..U+009F)
 * and bytes that are not UTF-8 are written %XX, as the dataplane writes
 * such bytes; then it is cut to fit, between characters and never inside
 * a %XX escape (sent or made here), so what is kept stays valid.  Returns
 * TEXT_ESCAPED and TEXT_TRUNCATED as they happened.
 */
static int text_copy(const char *src, char *dst, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), len = 0, i = 0;
	int r = 0;

	while (i < n) {
		char unit[6];
		size_t k = utf8_seq(s + i, n - i), u = 0;
		bool esc = k == 0 || (k == 1 && (s[i] < 0x20 || s[i] == 0x7f)) ||
			   (k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0);

		if (s[i] == '%' && i + 2 < n && isxdigit(s[i + 1]) && isxdigit(s[i + 2]))
			k = 3; /* an escape already: kept whole */
		else if (k == 0)
			k = 1;
		if (esc) {
			for (size_t j = 0; j < k; j++) {
				unit[u++] = '%';
				unit[u++] = hex[s[i + j] >> 4];
				unit[u++] = hex[s[i + j] & 15];
			}
			r |= TEXT_ESCAPED;
		}
		if (len + (esc ? u : k) >= cap) {
			r |= TEXT_TRUNCATED;
			break;
		}
		memcpy(dst + len, esc ? unit : src + i, esc ? u : k);
		len += esc ? u : k;
		i += k;
	}
	dst[len] = '\0';
	return r;
}

/* A text field the match does not depend on: absent or null is "", any
 * other type is "" and flagged, escapes and cuts (text_copy) are flagged.
 * Returns whether it was cut. */
static bool get_text(const cJSON *obj, const char *key, enum ctl_event_field f, char *dst,
		     size_t cap, struct ctl_event *ev)
{
	const cJSON *n = member(obj, key);
	int r;

	dst[0] = '\0';
	if (!n)
		return false;
	if (!cJSON_IsString(n) || !n->valuestring) {
		flag(ev, f);
		return false;
	}
	r = text_copy(n->valuestring, dst, cap);
	if (r)
		flag(ev, f);
	return r & TEXT_TRUNCATED;
}

/* Integer field in [0, @max]; absent keeps *@dst, anything else keeps it
 * and is flagged. */
static void get_uint(const cJSON *obj, const char *key, double max, uint64_t *dst,
		     enum ctl_event_field f, struct ctl_event *ev)
{
	const cJSON *n = member(obj, key);

	if (!n)
		return;
	if (!cJSON_IsNumber(n) || n->valuedouble < 0 || n->valuedouble > max ||
	    n->valuedouble != floor(n->valuedouble)) {
		flag(ev, f);
		return;
	}
	*dst = (uint64_t)n->valuedouble;
}

/* Boolean field: absent keeps *@dst (false), another type is flagged. */
static void get_bool(const cJSON *obj, const char *key, bool *dst, enum ctl_event_field f,
		     struct ctl_event *ev)
{
	const cJSON *n = member(obj, key);

	if (!n)
		return;
	if (!cJSON_IsBool(n)) {
		flag(ev, f);
		return;
	}
	*dst = cJSON_IsTrue(n);
}
/* @s as an IPv4 (4) or IPv6 (6) address into @out; 0 when neither. */
static int parse_ip(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	return inet_pton(AF_INET6, s, out) == 1 ? 6 : 0;
}

static bool is_ip(const char *s)
{
	uint8_t buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* algo and digest: a known algorithm and hex of its length, stored lower-case. */
static int parse_digest(const cJSON *obj, struct ctl_event *ev, struct hwall_err *err)
{
	struct hwall_digest d;
	char algo[HWALL_ALGO_NAME_MAX];
	int a, r;

	r = get_required(obj, "algo", algo, sizeof(algo), err);
	if (r < 0)
		return r;
	a = hwall_algo_parse(algo);
	if (a < 0) {
		return hwall_err_set(err, -EINVAL, "algo: unknown algorithm (known: %s)",
				     hwall_algo_names());
	}
	ev->algo = (enum hwall_algo)a;
	r = get_required(obj, "digest", ev->digest, sizeof(ev->digest), err);
	if (r < 0)
		return r;
	if (hwall_digest_parse(ev->algo, ev->digest, &d) < 0)
		return fail(err, "digest", "not hex of the algorithm's length");
	hwall_hex_format(d.bytes, hwall_algo_len(ev->algo), ev->digest);
	return 0;
}

/* Host and path: the URL, with what was cut flagged (the dataplane's own
 * cuts too); no Host is "". */
static void parse_url(const cJSON *obj, struct ctl_event *ev)
{
	bool cut = false;

	ev->host_truncated = get_text(obj, "host", CTL_EVF_host, ev->host, sizeof(ev->host), ev);
	ev->path_truncated = get_text(obj, "path", CTL_EVF_path, ev->path, sizeof(ev->path), ev);
	get_bool(obj, "host_truncated", &cut, CTL_EVF_host, ev);
	ev->host_truncated |= cut;
	cut = false;
	get_bool(obj, "path_truncated", &cut, CTL_EVF_path, ev);
	ev->path_truncated |= cut;
}

/* The client as sent (ctl_event_pseudo() keys it before it is stored).  A
 * value longer than any pseudonym is replaced by its BLAKE2b-256 in hex,
 * so that different clients still get different pseudonyms. */
static void parse_client(const cJSON *obj, struct ctl_event *ev)
{
	const cJSON *n = member(obj, "client");
	uint8_t d[32];
	size_t len;

	if (!n)
		return;
	if (!cJSON_IsString(n) || !n->valuestring) {
		flag(ev, CTL_EVF_client);
		return;
	}
	len = strlen(n->valuestring);
	if (len <= CTL_CLIENT_MAX) {
		memcpy(ev->client, n->valuestring, len + 1);
		return;
	}
	crypto_generichash(d, sizeof(d), (const uint8_t *)n->valuestring, len, NULL, 0);
	hwall_hex_format(d, sizeof(d), ev->client);
	flag(ev, CTL_EVF_client);
}

/* A retroactive match's serving history (docs/journal.md): first served
 * no later than ts, a count of at least 1. */
static void parse_retro(const cJSON *obj, struct ctl_event *ev)
{
	uint64_t first = (uint64_t)ev->ts, count = 1;

	get_bool(obj, "retroactive", &ev->retroactive, CTL_EVF_retroactive, ev);
	if (!ev->retroactive)
		return;
	get_uint(obj, "first_served", (double)ev->ts, &first, CTL_EVF_first_served, ev);
	get_uint(obj, "serve_count", 4294967295.0, &count, CTL_EVF_serve_count, ev);
	ev->first_served = (int64_t)first;
	ev->serve_count = count ? (uint32_t)count : 1;
}

static void parse_numbers(const cJSON *obj, int64_t now, struct ctl_event *ev)
{
	uint64_t port = 0, status = 0, category = 0, ref = 0, ts = (uint64_t)now;

	get_uint(obj, "set_version", 9007199254740992.0, &ev->set_version, CTL_EVF_set_version,
		 ev);
	get_uint(obj, "server_port", 65535, &port, CTL_EVF_server_port, ev);
	get_uint(obj, "status", 999, &status, CTL_EVF_status, ev);
	get_uint(obj, "size", 9007199254740992.0, &ev->size, CTL_EVF_size, ev);
	get_uint(obj, "category", 4294967295.0, &category, CTL_EVF_category, ev);
	get_uint(obj, "ref", 4294967295.0, &ref, CTL_EVF_ref, ev);
	/* Far ahead of the clock, an occurrence would sort first and outlive
	 * retention: the receive time stands in. */
	get_uint(obj, "ts", (double)(now + CTL_EVENT_TS_AHEAD_MAX), &ts, CTL_EVF_ts, ev);
	get_bool(obj, "complete", &ev->complete, CTL_EVF_complete, ev);
	get_bool(obj, "partial", &ev->partial, CTL_EVF_partial, ev);
	ev->server_port = (uint16_t)port;
	ev->http_status = (int)status;
	ev->category = (uint32_t)category;
	ev->ref = (uint32_t)ref;
	ev->ts = (int64_t)ts;
	parse_retro(obj, ev);
}

/* A pdq match's nearness (docs/ingest-protocol.md): the entry (hex of the
 * algorithm's length), distance 0..256, quality 0..100, the variant's name
 * (lower-case letters, digits, '-').  What cannot be used is left at its
 * default and flagged (CTL_EVF_near). */
static void parse_near(const cJSON *obj, struct ctl_event *ev)
{
	struct ctl_near *n = &ev->near;
	uint64_t dist = UINT64_MAX, q = UINT64_MAX;
	struct hwall_digest d;

	n->distance = n->quality = -1;
	if (hwall_algo_kind(ev->algo) != HWALL_ALGO_KIND_PERCEPTUAL)
		return;
	get_uint(obj, "distance", 256, &dist, CTL_EVF_near, ev);
	get_uint(obj, "quality", 100, &q, CTL_EVF_near, ev);
	n->distance = dist == UINT64_MAX ? -1 : (int32_t)dist;
	n->quality = q == UINT64_MAX ? -1 : (int32_t)q;
	get_text(obj, "matched", CTL_EVF_near, n->entry, sizeof(n->entry), ev);
	if (n->entry[0] && hwall_digest_parse(ev->algo, n->entry, &d) < 0) {
		n->entry[0] = '\0';
		flag(ev, CTL_EVF_near);
	} else if (n->entry[0]) {
		hwall_hex_format(d.bytes, hwall_algo_len(ev->algo), n->entry);
	}
	get_text(obj, "variant", CTL_EVF_near, n->variant, sizeof(n->variant), ev);
	if (strspn(n->variant, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(n->variant)) {
		n->variant[0] = '\0';
		flag(ev, CTL_EVF_near);
	}
}

int ctl_event_parse(const cJSON *obj, int64_t now, struct ctl_event *ev, struct hwall_err *err)
{
	int r;

	memset(ev, 0, sizeof(*ev));
	if (!cJSON_IsObject(obj))
		return fail(err, "event", "expected object");
	r = get_required(obj, "set", ev->set, sizeof(ev->set), err);
	if (r == 0 && !hws_id_valid(ev->set))
		r = fail(err, "set", "not a set id (printable ASCII, no spaces)");
	if (r == 0)
		r = parse_digest(obj, ev, err);
	if (r < 0)
		return r;
	/* Past this point nothing refuses the event: it is a match. */
	parse_url(obj, ev);
	get_text(obj, "method", CTL_EVF_method, ev->method, sizeof(ev->method), ev);
	get_text(obj, "server_ip", CTL_EVF_server_ip, ev->server_ip, sizeof(ev->server_ip), ev);
	if (ev->server_ip[0] && !is_ip(ev->server_ip)) {
		ev->server_ip[0] = '\0';
		flag(ev, CTL_EVF_server_ip);
	}
	parse_client(obj, ev);
	parse_numbers(obj, now, ev);
	parse_near(obj, ev);
	return 0;
}

/* The members of a detached "flow" and the event's server into @f. */
static int flow_fields(const cJSON *flow, const cJSON *obj, struct ctl_flow *f, struct hwall_err *err)
{
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(flow, "client_ip");
	const cJSON *port = cJSON_GetObjectItemCaseSensitive(flow, "client_port");
	const cJSON *sip = cJSON_GetObjectItemCaseSensitive(obj, "server_ip");
	const cJSON *sport = cJSON_GetObjectItemCaseSensitive(obj, "server_port");
	const cJSON *m;

	if (!cJSON_IsObject(flow))
		return fail(err, "flow", "expected object");
	cJSON_ArrayForEach(m, flow)
		if (strcmp(m->string, "client_ip") != 0 && strcmp(m->string, "client_port") != 0)
			return fail(err, "flow", "unknown member");
	if (!cJSON_IsString(ip) || !(f->family = (uint8_t)parse_ip(ip->valuestring, f->client)))
		return fail(err, "flow.client_ip", "not an IP address");
	if (!cJSON_IsNumber(port) || port->valuedouble < 1 || port->valuedouble > 65535 ||
	    port->valuedouble != floor(port->valuedouble))
		return fail(err, "flow.client_port", "expected an integer in 1..65535");
	f->client_port = (uint16_t)port->valuedouble;
	if (!cJSON_IsString(sip) || parse_ip(sip->valuestring, f->server) != f->family)
		return fail(err, "flow", "server_ip missing or of another address family");
	if (!cJSON_IsNumber(sport) || sport->valuedouble < 1 || sport->valuedouble > 65535 ||
	    sport->valuedouble != floor(sport->valuedouble))
		return fail(err, "flow", "server_port missing or out of range");
	f->server_port = (uint16_t)sport->valuedouble;
	return 0;
}

int ctl_event_take_flow(cJSON *obj, struct ctl_flow *ret, struct hwall_err *err)
{
	cJSON *flow = cJSON_IsObject(obj) ? cJSON_DetachItemFromObjectCaseSensitive(obj, "flow")
					  : NULL;
	struct ctl_flow f = { 0 };
	int r;

	if (!flow)
		return 0;
	r = flow_fields(flow, obj, &f, err);
	/* The client address must not outlive this call anywhere but in @ret:
	 * overwrite cJSON's copy before freeing it. */
	if (cJSON_IsObject(flow)) {
		cJSON *ip = cJSON_GetObjectItemCaseSensitive(flow, "client_ip");

		if (cJSON_IsString(ip))
			sodium_memzero(ip->valuestring, strlen(ip->valuestring));
	}
	cJSON_Delete(flow);
	if (r == 0)
		*ret = f;
	ctl_flow_wipe(&f);
	return r < 0 ? r : 1;
}

void ctl_flow_wipe(struct ctl_flow *f)
{
	sodium_memzero(f, sizeof(*f));
}

bool ctl_event_pseudo(struct ctl_event *ev, const uint8_t key[CTL_CLIENT_KEY_LEN])
{
	uint8_t mac[16];
	bool plain;

	if (!ev->client[0])
		return false;
	plain = is_ip(ev->client);
	/* Keyed BLAKE2b (a MAC): stable per key, not reversible without it. */
	crypto_generichash(mac, sizeof(mac), (const uint8_t *)ev->client, strlen(ev->client), key,
			   CTL_CLIENT_KEY_LEN);
	hwall_hex_format(mac, sizeof(mac), ev->client);
	return plain;
}

int ctl_client_key_load(const char *path, uint8_t ret_key[CTL_CLIENT_KEY_LEN])
{
	uint8_t key[CTL_CLIENT_KEY_LEN];
	size_t len;
	char *buf;
	int r;

	/* whoever reads the key can test guessed client addresses: a key that
	 * group or others may access is refused (-EPERM), not used */
	r = hwall_read_secret_file(path, CTL_CLIENT_KEY_LEN, &buf, &len);
	if (r == -ENOENT) {
		if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
			return hwall_neg_errno();
		r = hwall_write_new(path, key, sizeof(key), 0600);
		if (r == 0)
			memcpy(ret_key, key, sizeof(key));
		sodium_memzero(key, sizeof(key));
		return r;
	}
	if (r < 0)
		return r == -EFBIG ? -EINVAL : r;
	if (len == CTL_CLIENT_KEY_LEN)
		memcpy(ret_key, buf, CTL_CLIENT_KEY_LEN);
	else
		r = -EINVAL;
	sodium_memzero(buf, len);
	free(buf);
	return r;
}
