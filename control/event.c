/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * event.c - match event parsing and client pseudonymisation (see event.h).
 */
#include "control/event.h"
#include "common/algo.h"
#include "common/errors.h"
#include "common/fileio.h"

#include <arpa/inet.h>
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

/* Copy string field @key into @dst (@cap bytes); absent is "" unless @required. */
static int get_str(const cJSON *obj, const char *key, bool required, char *dst, size_t cap,
		   struct hwall_err *err)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t len;

	dst[0] = '\0';
	if (!n)
		return required ? fail(err, key, "missing required field") : 0;
	if (!cJSON_IsString(n) || !n->valuestring)
		return fail(err, key, "expected string");
	len = strlen(n->valuestring);
	if (len >= cap)
		return fail(err, key, "too long");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)n->valuestring[i] < 0x20 || n->valuestring[i] == 0x7f)
			return fail(err, key, "control character");
	if (required && len == 0)
		return fail(err, key, "empty");
	memcpy(dst, n->valuestring, len + 1);
	return 0;
}

/* Integer field in [0, @max]; absent keeps *@dst. */
static int get_uint(const cJSON *obj, const char *key, double max, uint64_t *dst,
		    struct hwall_err *err)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!n)
		return 0;
	if (!cJSON_IsNumber(n) || n->valuedouble < 0 || n->valuedouble > max ||
	    n->valuedouble != floor(n->valuedouble))
		return fail(err, key, "expected an integer in range");
	*dst = (uint64_t)n->valuedouble;
	return 0;
}

static int get_bool(const cJSON *obj, const char *key, bool *dst, struct hwall_err *err)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!n)
		return 0;
	if (!cJSON_IsBool(n))
		return fail(err, key, "expected boolean");
	*dst = cJSON_IsTrue(n);
	return 0;
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

	r = get_str(obj, "algo", true, algo, sizeof(algo), err);
	if (r < 0)
		return r;
	a = hwall_algo_parse(algo);
	if (a < 0)
		return hwall_err_set(err, -EINVAL, "algo: unknown algorithm (known: %s)",
				     hwall_algo_names());
	ev->algo = (enum hwall_algo)a;
	r = get_str(obj, "digest", true, ev->digest, sizeof(ev->digest), err);
	if (r < 0)
		return r;
	if (hwall_digest_parse(ev->algo, ev->digest, &d) < 0)
		return fail(err, "digest", "not hex of the algorithm's length");
	hwall_hex_format(d.bytes, hwall_algo_len(ev->algo), ev->digest);
	return 0;
}

static int parse_numbers(const cJSON *obj, int64_t now, struct ctl_event *ev,
			 struct hwall_err *err)
{
	uint64_t port = 0, status = 0, category = 0, ref = 0, ts = (uint64_t)now;
	int r = 0;

	r = r ? r : get_uint(obj, "set_version", 9007199254740992.0, &ev->set_version, err);
	r = r ? r : get_uint(obj, "server_port", 65535, &port, err);
	r = r ? r : get_uint(obj, "status", 999, &status, err);
	r = r ? r : get_uint(obj, "size", 9007199254740992.0, &ev->size, err);
	r = r ? r : get_uint(obj, "category", 4294967295.0, &category, err);
	r = r ? r : get_uint(obj, "ref", 4294967295.0, &ref, err);
	r = r ? r : get_uint(obj, "ts", 253402300799.0, &ts, err);
	r = r ? r : get_bool(obj, "complete", &ev->complete, err);
	r = r ? r : get_bool(obj, "partial", &ev->partial, err);
	if (r < 0)
		return r;
	ev->server_port = (uint16_t)port;
	ev->http_status = (int)status;
	ev->category = (uint32_t)category;
	ev->ref = (uint32_t)ref;
	ev->ts = (int64_t)ts;
	return 0;
}

int ctl_event_parse(const cJSON *obj, int64_t now, struct ctl_event *ev, struct hwall_err *err)
{
	int r;

	memset(ev, 0, sizeof(*ev));
	if (!cJSON_IsObject(obj))
		return fail(err, "event", "expected object");
	r = get_str(obj, "set", true, ev->set, sizeof(ev->set), err);
	if (r == 0)
		r = parse_digest(obj, ev, err);
	if (r == 0)
		r = get_str(obj, "host", true, ev->host, sizeof(ev->host), err);
	if (r == 0)
		r = get_str(obj, "path", true, ev->path, sizeof(ev->path), err);
	if (r == 0)
		r = get_str(obj, "method", false, ev->method, sizeof(ev->method), err);
	if (r == 0)
		r = get_str(obj, "server_ip", false, ev->server_ip, sizeof(ev->server_ip), err);
	if (r == 0 && ev->server_ip[0] && !is_ip(ev->server_ip))
		r = fail(err, "server_ip", "not an IP address");
	if (r == 0)
		r = get_str(obj, "client", false, ev->client, sizeof(ev->client), err);
	if (r == 0)
		r = parse_numbers(obj, now, ev, err);
	return r;
}

/* The members of a detached "flow" and the event's server into @f. */
static int flow_fields(const cJSON *flow, const cJSON *obj, struct ctl_flow *f,
		       struct hwall_err *err)
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

	r = hwall_read_file(path, CTL_CLIENT_KEY_LEN, &buf, &len);
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
