/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * port_profile.c - loading and checking hardware port profiles, and turning
 * their flow rules into rte_flow attr/pattern/actions (see port.h).  Nothing
 * here needs the EAL or a device.
 */
#include "dataplane/ports/port.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>

#include "common/algo.h"
#include "common/errors.h"

struct name_bits {
	const char *name;
	uint64_t bits;
};

/* rx offloads by the name a profile uses. */
static const struct name_bits offload_names[] = {
	{ "vlan-strip", RTE_ETH_RX_OFFLOAD_VLAN_STRIP },
	{ "ipv4-cksum", RTE_ETH_RX_OFFLOAD_IPV4_CKSUM },
	{ "udp-cksum", RTE_ETH_RX_OFFLOAD_UDP_CKSUM },
	{ "tcp-cksum", RTE_ETH_RX_OFFLOAD_TCP_CKSUM },
	{ "tcp-lro", RTE_ETH_RX_OFFLOAD_TCP_LRO },
	{ "qinq-strip", RTE_ETH_RX_OFFLOAD_QINQ_STRIP },
	{ "outer-ipv4-cksum", RTE_ETH_RX_OFFLOAD_OUTER_IPV4_CKSUM },
	{ "vlan-filter", RTE_ETH_RX_OFFLOAD_VLAN_FILTER },
	{ "vlan-extend", RTE_ETH_RX_OFFLOAD_VLAN_EXTEND },
	{ "scatter", RTE_ETH_RX_OFFLOAD_SCATTER },
	{ "timestamp", RTE_ETH_RX_OFFLOAD_TIMESTAMP },
	{ "keep-crc", RTE_ETH_RX_OFFLOAD_KEEP_CRC },
	{ "sctp-cksum", RTE_ETH_RX_OFFLOAD_SCTP_CKSUM },
	{ "outer-udp-cksum", RTE_ETH_RX_OFFLOAD_OUTER_UDP_CKSUM },
	{ "rss-hash", RTE_ETH_RX_OFFLOAD_RSS_HASH },
	{ NULL, 0 },
};

/* RSS types.  The *-src-only / *-dst-only variants are left out on
 * purpose: hashing one side of a connection cannot be symmetric. */
static const struct name_bits rss_type_names[] = {
	{ "ipv4", RTE_ETH_RSS_IPV4 },
	{ "frag-ipv4", RTE_ETH_RSS_FRAG_IPV4 },
	{ "ipv4-tcp", RTE_ETH_RSS_NONFRAG_IPV4_TCP },
	{ "ipv4-udp", RTE_ETH_RSS_NONFRAG_IPV4_UDP },
	{ "ipv4-sctp", RTE_ETH_RSS_NONFRAG_IPV4_SCTP },
	{ "ipv4-other", RTE_ETH_RSS_NONFRAG_IPV4_OTHER },
	{ "ipv6", RTE_ETH_RSS_IPV6 },
	{ "frag-ipv6", RTE_ETH_RSS_FRAG_IPV6 },
	{ "ipv6-tcp", RTE_ETH_RSS_NONFRAG_IPV6_TCP },
	{ "ipv6-udp", RTE_ETH_RSS_NONFRAG_IPV6_UDP },
	{ "ipv6-sctp", RTE_ETH_RSS_NONFRAG_IPV6_SCTP },
	{ "ipv6-other", RTE_ETH_RSS_NONFRAG_IPV6_OTHER },
	{ "ipv6-ex", RTE_ETH_RSS_IPV6_EX },
	{ "ipv6-tcp-ex", RTE_ETH_RSS_IPV6_TCP_EX },
	{ "ipv6-udp-ex", RTE_ETH_RSS_IPV6_UDP_EX },
	{ NULL, 0 },
};

static const char *const bus_names[DP_BUS_COUNT] = { "vdev", "pci" };
static const char *const item_names[DP_ITEM_COUNT] = { "eth", "ipv4", "ipv6", "tcp", "udp" };
static const char *const action_names[DP_ACTION_COUNT] = { "rss", "queue", "drop" };

static const struct name_bits func_names[] = {
	{ "default", RTE_ETH_HASH_FUNCTION_DEFAULT },
	{ "toeplitz", RTE_ETH_HASH_FUNCTION_TOEPLITZ },
	{ "symmetric-toeplitz", RTE_ETH_HASH_FUNCTION_SYMMETRIC_TOEPLITZ },
	{ NULL, 0 },
};

/* "a, b, c" of a name table, for error messages. */
static void list_names(char *buf, size_t len, const char *const *names, size_t n,
		       const struct name_bits *nb)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; nb ? nb[i].name != NULL : i < n; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
				 nb ? nb[i].name : names[i]);
		if (w < 0 || (size_t)w >= len - off)
			return;
		off += (size_t)w;
	}
}

static int bits_custom(const cJSON *node, void *field, const char *path,
		       struct hwall_err *err, const struct name_bits *tab, const char *what)
{
	char all[600];

	if (!cJSON_IsString(node))
		return hwall_cfg_fail(err, path, "expected string");
	for (size_t i = 0; tab[i].name; i++) {
		if (strcmp(tab[i].name, node->valuestring) == 0) {
			*(uint64_t *)field = tab[i].bits;
			return 0;
		}
	}
	list_names(all, sizeof(all), NULL, 0, tab);
	return hwall_cfg_fail(err, path, "unknown %s \"%s\" (known: %s)", what, node->valuestring, all);
}

static int enum_custom(const cJSON *node, void *field, const char *path,
		       struct hwall_err *err, const char *const *names, size_t n, const char *what)
{
	char all[200];

	if (!cJSON_IsString(node))
		return hwall_cfg_fail(err, path, "expected string");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], node->valuestring) == 0) {
			*(int *)field = (int)i;
			return 0;
		}
	}
	list_names(all, sizeof(all), names, n, NULL);
	return hwall_cfg_fail(err, path, "unknown %s \"%s\" (known: %s)", what, node->valuestring, all);
}

static int offload_custom(const cJSON *node, void *field, const char *path, struct hwall_err *err)
{
	return bits_custom(node, field, path, err, offload_names, "rx offload");
}

static int rss_type_custom(const cJSON *node, void *field, const char *path, struct hwall_err *err)
{
	return bits_custom(node, field, path, err, rss_type_names, "RSS type");
}

static int func_custom(const cJSON *node, void *field, const char *path, struct hwall_err *err)
{
	uint64_t v;

	HWALL_TRY(bits_custom(node, &v, path, err, func_names, "hash function"));
	*(int *)field = (int)v;
	return 0;
}

static int bus_custom(const cJSON *node, void *field, const char *path, struct hwall_err *err)
{
	return enum_custom(node, field, path, err, bus_names, DP_BUS_COUNT, "bus");
}

static int item_custom(const cJSON *node, void *field, const char *path, struct hwall_err *err)
{
	return enum_custom(node, field, path, err, item_names, DP_ITEM_COUNT, "item type");
}

static int action_custom(const cJSON *node, void *field, const char *path, struct hwall_err *err)
{
	return enum_custom(node, field, path, err, action_names, DP_ACTION_COUNT, "action type");
}

/*
 * The RSS key: hex, 40 bytes (the classic Toeplitz key length, mlx5, i40e)
 * or 52 (ice), and a repeated 16-bit pattern.  With such a key every 16-bit
 * window of the key is the same, and since the IPv4/IPv6 source and
 * destination addresses and the two ports sit a multiple of 16 bits apart
 * in the hash input, swapping them swaps equal key windows: the Toeplitz
 * hash of (src, dst) equals that of (dst, src), so both directions of a
 * connection reach the same queue (Woo and Park, "Scalable TCP Session
 * Monitoring with Symmetric Receive-side Scaling", 2012: key 0x6d5a...).
 */
static int key_custom(const cJSON *node, void *field, const char *path, struct hwall_err *err)
{
	struct dp_rss_key *key = field;
	const char *s;
	size_t n;

	if (!cJSON_IsString(node))
		return hwall_cfg_fail(err, path, "expected string of hex digits");
	s = node->valuestring;
	n = strlen(s);
	if (n % 2)
		return hwall_cfg_fail(err, path, "%zu hex digits, expected an even number", n);
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return hwall_cfg_fail(err, path, "'%c' at offset %zu is not a hex digit", s[i], i);
	if (n / 2 != 40 && n / 2 != 52)
		return hwall_cfg_fail(err, path, "%zu bytes, expected 40 or 52", n / 2);
	if (hwall_hex_parse(s, key->bytes, n / 2) < 0)
		return hwall_cfg_fail(err, path, "not hex");
	for (size_t i = 2; i < n / 2; i++)
		if (key->bytes[i] != key->bytes[i - 2])
			return hwall_cfg_fail(err, path,
					   "not symmetric: byte %zu differs from byte %zu (the key "
					   "must repeat one 16-bit pattern, e.g. 6d5a6d5a...)",
					   i, i - 2);
	key->len = (uint8_t)(n / 2);
	return 0;
}

/* A tcp/udp port: 1..65535 or "http". */
static int port_custom(const cJSON *node, void *field, const char *path, struct hwall_err *err)
{
	struct dp_flow_port *fp = field;

	if (cJSON_IsString(node) && strcmp(node->valuestring, "http") == 0) {
		fp->http = true;
		return 0;
	}
	if (!cJSON_IsNumber(node) || node->valuedouble < 1 || node->valuedouble > 65535 ||
	    node->valuedouble != (double)(uint16_t)node->valuedouble)
		return hwall_cfg_fail(err, path, "expected a port 1..65535 or \"http\"");
	fp->port = (uint16_t)node->valuedouble;
	return 0;
}

#define F(key, kind, req, type, member) \
	{ key, kind, req, offsetof(type, member), 0, 0, NULL, NULL, 0, 0, 0, 0, NULL }
#define FR(key, kind, req, type, member, lo, hi) \
	{ key, kind, req, offsetof(type, member), lo, hi, NULL, NULL, 0, 0, 0, 0, NULL }
#define FC(key, req, type, member, fn) \
	{ key, HWALL_CFG_CUSTOM, req, offsetof(type, member), 0, 0, NULL, NULL, 0, 0, 0, 0, fn }
#define FA(key, req, type, member, count, etype, ekind, efields, efn, maxn)                   \
	{ key, HWALL_CFG_ARRAY, req, offsetof(type, member), 0, 0, NULL, efields, sizeof(etype), \
	  ekind, offsetof(type, count), maxn, efn }
#define FEND { NULL, 0, false, 0, 0, 0, NULL, NULL, 0, 0, 0, 0, NULL }

static const struct hwall_cfg_field item_fields[] = {
	FC("type", true, struct dp_flow_item, type, item_custom),
	FC("src_port", false, struct dp_flow_item, src_port, port_custom),
	FC("dst_port", false, struct dp_flow_item, dst_port, port_custom),
	FEND,
};

static const struct hwall_cfg_field action_fields[] = {
	FC("type", true, struct dp_flow_action, type, action_custom),
	FC("func", false, struct dp_flow_action, func, func_custom),
	FR("index", HWALL_CFG_U16, false, struct dp_flow_action, index, 0, DP_PORT_MAX_QUEUES - 1),
	FEND,
};

static const struct hwall_cfg_field rule_fields[] = {
	F("description", HWALL_CFG_STRING, false, struct dp_flow_rule, description),
	FR("group", HWALL_CFG_U32, false, struct dp_flow_rule, group, 0, 65535),
	FR("priority", HWALL_CFG_U32, false, struct dp_flow_rule, priority, 0, 65535),
	FA("pattern", true, struct dp_flow_rule, pattern, n_pattern, struct dp_flow_item,
	   HWALL_CFG_OBJECT, item_fields, NULL, DP_FLOW_MAX_ITEMS - 1),
	FA("actions", true, struct dp_flow_rule, actions, n_actions, struct dp_flow_action,
	   HWALL_CFG_OBJECT, action_fields, NULL, DP_FLOW_MAX_ACTIONS),
	FEND,
};

static const struct hwall_cfg_field rss_fields[] = {
	FC("key", true, struct dp_rss, key, key_custom),
	FA("types", true, struct dp_rss, type_list, n_types, uint64_t, HWALL_CFG_CUSTOM, NULL,
	   rss_type_custom, 32),
	FEND,
};

static const struct hwall_cfg_field profile_fields[] = {
	F("name", HWALL_CFG_STRING, true, struct dp_profile, name),
	F("description", HWALL_CFG_STRING, false, struct dp_profile, description),
	F("driver", HWALL_CFG_STRING, true, struct dp_profile, driver),
	FC("bus", true, struct dp_profile, bus, bus_custom),
	F("devargs", HWALL_CFG_STRING, false, struct dp_profile, devargs),
	FR("max_queues", HWALL_CFG_U16, true, struct dp_profile, max_queues, 1, 1024),
	FR("rx_desc", HWALL_CFG_U16, false, struct dp_profile, rx_desc, 32, 32768),
	FR("tx_desc", HWALL_CFG_U16, false, struct dp_profile, tx_desc, 32, 32768),
	FR("mtu", HWALL_CFG_U16, false, struct dp_profile, mtu, 68, 16000),
	F("queues_pow2", HWALL_CFG_BOOL, false, struct dp_profile, queues_pow2),
	F("promiscuous", HWALL_CFG_BOOL, false, struct dp_profile, promiscuous),
	FA("rx_offloads", false, struct dp_profile, offload_list, n_offloads, uint64_t,
	   HWALL_CFG_CUSTOM, NULL, offload_custom, 32),
	{ "rss", HWALL_CFG_OBJECT, false, offsetof(struct dp_profile, rss), 0, 0, NULL, rss_fields,
	  0, 0, 0, 0, NULL },
	FA("flow_rules", false, struct dp_profile, rules, n_rules, struct dp_flow_rule,
	   HWALL_CFG_OBJECT, rule_fields, NULL, 64),
	FEND,
};

static bool is_l3(int t)
{
	return t == DP_ITEM_IPV4 || t == DP_ITEM_IPV6;
}

static bool is_l4(int t)
{
	return t == DP_ITEM_TCP || t == DP_ITEM_UDP;
}

/* Layer order, ports only on L4 items, at most one "http". */
static int check_pattern(const struct dp_flow_rule *r, size_t ri, struct hwall_err *err)
{
	char path[96];
	int level = 0, http = 0;

	snprintf(path, sizeof(path), "flow_rules[%zu].pattern", ri);
	if (r->n_pattern == 0)
		return hwall_cfg_fail(err, path, "empty; use [{\"type\": \"eth\"}] to match every frame");
	for (size_t i = 0; i < r->n_pattern; i++) {
		const struct dp_flow_item *it = &r->pattern[i];
		int want = it->type == DP_ITEM_ETH ? 1 : is_l3(it->type) ? 2 : 3;

		snprintf(path, sizeof(path), "flow_rules[%zu].pattern[%zu]", ri, i);
		if (want <= level || (want == 3 && level != 2))
			return hwall_cfg_fail(err, path, "%s %s", item_names[it->type],
					   want == 3 ? "must follow ipv4 or ipv6"
						     : "out of order (eth, then ipv4|ipv6, then tcp|udp)");
		level = want;
		if (!is_l4(it->type) && (it->src_port.port || it->src_port.http ||
					 it->dst_port.port || it->dst_port.http))
			return hwall_cfg_fail(err, path, "ports only go with tcp or udp");
		http += it->src_port.http + it->dst_port.http;
	}
	if (http > 1)
		return hwall_cfg_fail(err, path, "at most one \"http\" port per rule");
	return 0;
}

static int check_rule(const struct dp_profile *p, const struct dp_flow_rule *r, size_t ri,
		      struct hwall_err *err)
{
	char path[96];

	HWALL_TRY(check_pattern(r, ri, err));
	snprintf(path, sizeof(path), "flow_rules[%zu].actions", ri);
	if (r->n_actions != 1)
		return hwall_cfg_fail(err, path, "expected exactly one action (rss, queue or drop)");
	snprintf(path, sizeof(path), "flow_rules[%zu].actions[0]", ri);
	if (r->actions[0].type != DP_ACTION_RSS && r->actions[0].func)
		return hwall_cfg_fail(err, path, "func only goes with rss");
	if (r->actions[0].type != DP_ACTION_QUEUE && r->actions[0].index)
		return hwall_cfg_fail(err, path, "index only goes with queue");
	if (r->actions[0].type == DP_ACTION_QUEUE && r->actions[0].index >= p->max_queues)
		return hwall_cfg_fail(err, path, "queue %u, the profile has max_queues %u",
				   r->actions[0].index, p->max_queues);
	return 0;
}

static int profile_check(struct dp_profile *p, struct hwall_err *err)
{
	if (!*p->driver)
		return hwall_cfg_fail(err, "driver", "empty");
	for (size_t i = 0; i < p->n_offloads; i++)
		p->rx_offloads |= p->offload_list[i];
	for (size_t i = 0; i < p->rss.n_types; i++)
		p->rss.types |= p->rss.type_list[i];
	if (p->rss.key.len && !p->rss.types)
		return hwall_cfg_fail(err, "rss.types", "empty");
	for (size_t i = 0; i < p->n_rules; i++)
		HWALL_TRY(check_rule(p, &p->rules[i], i, err));
	return 0;
}

static int profile_from_root(const cJSON *root, const char *name, struct dp_profile *ret,
			     struct hwall_err *err)
{
	struct dp_profile p;
	int r;

	memset(&p, 0, sizeof(p));
	p.rx_desc = 1024;
	p.tx_desc = 512;
	p.promiscuous = true;
	r = hwall_cfg_load(root, profile_fields, &p, "", err);
	if (r == 0 && !p.devargs && !(p.devargs = strdup("")))
		r = hwall_cfg_fail(err, "devargs", "out of memory");
	if (r == 0)
		r = profile_check(&p, err);
	if (r < 0) {
		dp_profile_free(&p);
		return hwall_err_prefix(err, r, "%s: ", name); /* "name: path: reason" */
	}
	*ret = p;
	return 0;
}

int dp_profile_parse(const char *text, const char *name, struct dp_profile *ret,
		     struct hwall_err *err)
{
	cJSON *root;
	int r;

	HWALL_TRY(hwall_cfg_parse_text(text, strlen(text), name, &root, err));
	r = profile_from_root(root, name, ret, err);
	cJSON_Delete(root);
	return r;
}

int dp_profile_load(const char *path, struct dp_profile *ret, struct hwall_err *err)
{
	cJSON *root;
	int r;

	HWALL_TRY(hwall_cfg_parse_file(path, &root, err));
	r = profile_from_root(root, path, ret, err);
	cJSON_Delete(root);
	return r;
}

void dp_profile_free(struct dp_profile *p)
{
	if (!p)
		return;
	hwall_cfg_free(profile_fields, p);
	memset(p, 0, sizeof(*p));
}

/* ---- flow rules into rte_flow ---- */

static void spec_l4(struct dp_flow_spec *s, struct rte_flow_item *it, const struct dp_flow_item *fi,
		    uint16_t http_port)
{
	uint16_t sp = fi->src_port.http ? http_port : fi->src_port.port;
	uint16_t dp = fi->dst_port.http ? http_port : fi->dst_port.port;
	rte_be16_t spm = sp ? RTE_BE16(0xffff) : 0, dpm = dp ? RTE_BE16(0xffff) : 0;

	if (!sp && !dp)
		return; /* any port: no spec, the item matches the protocol */
	if (fi->type == DP_ITEM_TCP) {
		s->l4_spec.tcp.hdr.src_port = rte_cpu_to_be_16(sp);
		s->l4_spec.tcp.hdr.dst_port = rte_cpu_to_be_16(dp);
		s->l4_mask.tcp.hdr.src_port = spm;
		s->l4_mask.tcp.hdr.dst_port = dpm;
	} else {
		s->l4_spec.udp.hdr.src_port = rte_cpu_to_be_16(sp);
		s->l4_spec.udp.hdr.dst_port = rte_cpu_to_be_16(dp);
		s->l4_mask.udp.hdr.src_port = spm;
		s->l4_mask.udp.hdr.dst_port = dpm;
	}
	it->spec = &s->l4_spec;
	it->mask = &s->l4_mask;
}

static const enum rte_flow_item_type item_types[DP_ITEM_COUNT] = {
	RTE_FLOW_ITEM_TYPE_ETH, RTE_FLOW_ITEM_TYPE_IPV4, RTE_FLOW_ITEM_TYPE_IPV6,
	RTE_FLOW_ITEM_TYPE_TCP, RTE_FLOW_ITEM_TYPE_UDP,
};

static void spec_action(struct dp_flow_spec *s, const struct dp_profile *p,
			const struct dp_flow_action *a, uint16_t queues)
{
	struct rte_flow_action *act = &s->actions[0];

	if (a->type == DP_ACTION_DROP) {
		act->type = RTE_FLOW_ACTION_TYPE_DROP;
	} else if (a->type == DP_ACTION_QUEUE || queues == 1) {
		s->queue.index = a->type == DP_ACTION_QUEUE ? a->index : 0;
		act->type = RTE_FLOW_ACTION_TYPE_QUEUE;
		act->conf = &s->queue;
	} else {
		for (uint16_t q = 0; q < queues; q++)
			s->rss_queues[q] = q;
		memcpy(s->rss_key, p->rss.key.bytes, p->rss.key.len);
		s->rss.func = (enum rte_eth_hash_function)a->func;
		s->rss.level = 0;
		s->rss.types = p->rss.types;
		s->rss.key_len = p->rss.key.len;
		s->rss.key = p->rss.key.len ? s->rss_key : NULL;
		s->rss.queue_num = queues;
		s->rss.queue = s->rss_queues;
		act->type = RTE_FLOW_ACTION_TYPE_RSS;
		act->conf = &s->rss;
	}
	s->actions[1].type = RTE_FLOW_ACTION_TYPE_END;
}

static void spec_fill(struct dp_flow_spec *s, const struct dp_profile *p, size_t ri,
		      uint16_t http_port, uint16_t queues)
{
	const struct dp_flow_rule *r = &p->rules[ri];

	memset(s, 0, sizeof(*s));
	s->rule = ri;
	s->http_port = http_port;
	s->attr.ingress = 1;
	s->attr.group = r->group;
	s->attr.priority = r->priority;
	for (size_t i = 0; i < r->n_pattern; i++) {
		s->items[i].type = item_types[r->pattern[i].type];
		if (is_l4(r->pattern[i].type))
			spec_l4(s, &s->items[i], &r->pattern[i], http_port);
	}
	s->items[r->n_pattern].type = RTE_FLOW_ITEM_TYPE_END;
	spec_action(s, p, &r->actions[0], queues);
}

static bool rule_has_http(const struct dp_flow_rule *r)
{
	for (size_t i = 0; i < r->n_pattern; i++)
		if (r->pattern[i].src_port.http || r->pattern[i].dst_port.http)
			return true;
	return false;
}

static size_t http_count(const struct dp_ports *http)
{
	size_t n = 0;

	for (size_t w = 0; w < HWALL_ARRAY_SIZE(http->bits); w++)
		n += (size_t)__builtin_popcountll(http->bits[w]);
	return n;
}

int dp_profile_flow_specs(const struct dp_profile *p, const struct dp_ports *http,
			  uint16_t queues, struct dp_flow_spec **ret, size_t *ret_n,
			  struct hwall_err *err)
{
	size_t n = 0, k = 0, nhttp = http_count(http);
	struct dp_flow_spec *specs;

	if (queues == 0 || queues > DP_PORT_MAX_QUEUES)
		return hwall_cfg_fail(err, "flow_rules", "%u rx queues, expected 1..%u", queues,
				   DP_PORT_MAX_QUEUES);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct dp_flow_action *a = &p->rules[i].actions[0];
		char path[64];

		if (a->type == DP_ACTION_QUEUE && a->index >= queues) {
			snprintf(path, sizeof(path), "flow_rules[%zu].actions[0].index", i);
			return hwall_cfg_fail(err, path, "queue %u, but only %u rx queues", a->index,
					   queues);
		}
		n += rule_has_http(&p->rules[i]) ? nhttp : 1;
	}
	specs = calloc(n ? n : 1, sizeof(*specs));
	if (!specs) {
		hwall_cfg_fail(err, "flow_rules", "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		if (!rule_has_http(&p->rules[i])) {
			spec_fill(&specs[k++], p, i, 0, queues);
			continue;
		}
		for (uint32_t port = 1; port <= 65535; port++)
			if (dp_ports_has(http, (uint16_t)port))
				spec_fill(&specs[k++], p, i, (uint16_t)port, queues);
	}
	*ret = specs;
	*ret_n = n;
	return 0;
}
