/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for the hardware port profiles (dataplane/ports/port_profile.c and
 * the device-string half of dataplane/ports/port.c): every shipped JSON file in hw/
 * loads, the real NIC profiles' flow rules translate into the expected
 * rte_flow items and actions, bad profiles are refused with the JSON path
 * named, and device strings and EAL arguments come out right.  No EAL.
 */
#include "dataplane/ports/port.h"
#include "hwall_test.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>

#ifndef HW_PROFILE_DIR
#error "HW_PROFILE_DIR must name the hw/ directory"
#endif

static int load(const char *file, struct dp_profile *p, struct hwall_err *err)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", HW_PROFILE_DIR, file);
	return dp_profile_load(path, p, err);
}

/* Load every *.json in hw/; returns how many loaded, or -1 on a failure
 * (with the message in @err). */
static int load_all(struct hwall_err *err)
{
	DIR *d = opendir(HW_PROFILE_DIR);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct dp_profile p;

		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		if (load(e->d_name, &p, err) < 0) {
			n = -1;
			break;
		}
		dp_profile_free(&p);
		n++;
	}
	closedir(d);
	return n;
}

static void test_every_shipped_profile_loads(void)
{
	struct hwall_err err = { "" };

	CU_ASSERT_EQUAL(load_all(&err), 4);
	CU_ASSERT_STRING_EQUAL(err.msg, "");
}

static void test_virtual_profiles(void)
{
	struct hwall_err err = { "" };
	struct dp_profile a, p;

	CU_ASSERT_EQUAL_FATAL(load("virtual-af-packet.json", &a, &err), 0);
	CU_ASSERT_EQUAL_FATAL(load("virtual-pcap.json", &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(a.driver, "net_af_packet");
	CU_ASSERT_EQUAL(a.bus, DP_BUS_VDEV);
	CU_ASSERT_STRING_EQUAL(a.devargs, "qpairs={queues},framecnt=4096");
	CU_ASSERT_EQUAL(a.max_queues, 16);
	CU_ASSERT_EQUAL(a.rss.key.len, 0);
	CU_ASSERT_EQUAL(a.n_rules, 0);
	CU_ASSERT_STRING_EQUAL(p.driver, "net_pcap");
	CU_ASSERT_STRING_EQUAL(p.devargs, "");
	CU_ASSERT_EQUAL(p.max_queues, 1);
	CU_ASSERT_EQUAL(p.rss.key.len, 0);
	CU_ASSERT_EQUAL(p.n_rules, 0);
	dp_profile_free(&a);
	dp_profile_free(&p);
}

/* The TCP port of a steer spec's L4 item, on the side @src or not. */
static uint16_t spec_port(const struct dp_flow_spec *s, bool src, bool mask)
{
	const struct rte_flow_item_tcp *t = mask ? s->items[2].mask : s->items[2].spec;

	return rte_be_to_cpu_16(src ? t->hdr.src_port : t->hdr.dst_port);
}

/* The bytes of the port field of a steer spec's TCP item. */
static const uint8_t *raw_port(const struct dp_flow_spec *s, bool src)
{
	const struct rte_flow_item_tcp *t = s->items[2].spec;

	return (const uint8_t *)&t->hdr + (src ? offsetof(struct rte_tcp_hdr, src_port)
					      : offsetof(struct rte_tcp_hdr, dst_port));
}

/* Steer spec @k of 8 (rules 0..3 times ports 80, 8080) is well formed. */
static void check_steer(const struct dp_profile *p, const struct dp_flow_spec *s, size_t k)
{
	static const uint16_t ports[2] = { 80, 8080 };
	bool src = (k / 2) % 2 == 1; /* rules 1 and 3 match responses */
	const struct rte_flow_action_rss *rss = s->actions[0].conf;

	CU_ASSERT_EQUAL(s->rule, k / 2);
	CU_ASSERT_EQUAL(s->http_port, ports[k % 2]);
	CU_ASSERT_EQUAL(s->attr.ingress, 1);
	CU_ASSERT_EQUAL(s->attr.priority, 0);
	CU_ASSERT_EQUAL(s->items[0].type, RTE_FLOW_ITEM_TYPE_ETH);
	CU_ASSERT_EQUAL(s->items[1].type, k < 4 ? RTE_FLOW_ITEM_TYPE_IPV4 : RTE_FLOW_ITEM_TYPE_IPV6);
	CU_ASSERT_EQUAL(s->items[2].type, RTE_FLOW_ITEM_TYPE_TCP);
	CU_ASSERT_EQUAL(s->items[3].type, RTE_FLOW_ITEM_TYPE_END);
	CU_ASSERT_PTR_NULL(s->items[0].spec);
	CU_ASSERT_PTR_NULL(s->items[1].spec);
	CU_ASSERT_EQUAL(spec_port(s, src, false), ports[k % 2]);
	CU_ASSERT_EQUAL(spec_port(s, src, true), 0xffff);
	CU_ASSERT_EQUAL(spec_port(s, !src, false), 0);
	CU_ASSERT_EQUAL(spec_port(s, !src, true), 0);
	/* network order in memory: 8080 is 1f 90 */
	CU_ASSERT_EQUAL(raw_port(s, src)[0], ports[k % 2] >> 8);
	CU_ASSERT_EQUAL(raw_port(s, src)[1], ports[k % 2] & 0xff);
	CU_ASSERT_EQUAL(s->actions[0].type, RTE_FLOW_ACTION_TYPE_RSS);
	CU_ASSERT_EQUAL(s->actions[1].type, RTE_FLOW_ACTION_TYPE_END);
	CU_ASSERT_EQUAL(rss->queue_num, 4);
	CU_ASSERT_EQUAL(rss->queue[0], 0);
	CU_ASSERT_EQUAL(rss->queue[3], 3);
	CU_ASSERT_EQUAL(rss->func, RTE_ETH_HASH_FUNCTION_DEFAULT);
	CU_ASSERT_EQUAL(rss->types, RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP |
					    RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP);
	CU_ASSERT_EQUAL(rss->key_len, p->rss.key.len);
	CU_ASSERT_EQUAL(memcmp(rss->key, p->rss.key.bytes, p->rss.key.len), 0);
}

static void check_nic(const char *file, uint8_t key_len)
{
	struct hwall_err err = { "" };
	struct dp_flow_spec *specs = NULL;
	struct dp_ports http;
	struct dp_profile p;
	size_t n = 0;

	dp_ports_clear(&http);
	dp_ports_add(&http, 8080);
	dp_ports_add(&http, 80);
	CU_ASSERT_EQUAL_FATAL(load(file, &p, &err), 0);
	CU_ASSERT_EQUAL(p.bus, DP_BUS_PCI);
	CU_ASSERT_EQUAL(p.rss.key.len, key_len);
	CU_ASSERT_EQUAL(p.rss.key.bytes[0], 0x6d);
	CU_ASSERT_EQUAL(p.rss.key.bytes[key_len - 1], 0x5a);
	CU_ASSERT_EQUAL_FATAL(dp_profile_flow_specs(&p, &http, 4, &specs, &n, &err), 0);
	CU_ASSERT_EQUAL_FATAL(n, 9);
	for (size_t k = 0; k < 8; k++)
		check_steer(&p, &specs[k], k);
	CU_ASSERT_EQUAL(specs[8].rule, 4);
	CU_ASSERT_EQUAL(specs[8].http_port, 0);
	CU_ASSERT_TRUE(specs[8].attr.priority > specs[0].attr.priority);
	CU_ASSERT_EQUAL(specs[8].items[0].type, RTE_FLOW_ITEM_TYPE_ETH);
	CU_ASSERT_PTR_NULL(specs[8].items[0].spec);
	CU_ASSERT_EQUAL(specs[8].items[1].type, RTE_FLOW_ITEM_TYPE_END);
	CU_ASSERT_EQUAL(specs[8].actions[0].type, RTE_FLOW_ACTION_TYPE_DROP);
	CU_ASSERT_EQUAL(specs[8].actions[1].type, RTE_FLOW_ACTION_TYPE_END);
	free(specs);
	dp_profile_free(&p);
}

static void test_e810_rules(void)
{
	check_nic("intel-e810.json", 52);
}

static void test_connectx6_rules(void)
{
	check_nic("nvidia-connectx6.json", 40);
}

/* One worker: RSS over one queue becomes "queue 0"; no HTTP port: the
 * "http" rules vanish and only the catch-all drop is left. */
static void test_one_queue_and_no_http(void)
{
	struct hwall_err err = { "" };
	struct dp_flow_spec *specs = NULL, *none = NULL;
	struct dp_ports http, empty;
	struct dp_profile p;
	size_t n = 0, n0 = 0;

	dp_ports_clear(&http);
	dp_ports_clear(&empty);
	dp_ports_add(&http, 80);
	CU_ASSERT_EQUAL_FATAL(load("nvidia-connectx6.json", &p, &err), 0);
	CU_ASSERT_EQUAL_FATAL(dp_profile_flow_specs(&p, &http, 1, &specs, &n, &err), 0);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(specs[0].actions[0].type, RTE_FLOW_ACTION_TYPE_QUEUE);
	CU_ASSERT_EQUAL(((const struct rte_flow_action_queue *)specs[0].actions[0].conf)->index, 0);
	CU_ASSERT_EQUAL_FATAL(dp_profile_flow_specs(&p, &empty, 2, &none, &n0, &err), 0);
	CU_ASSERT_EQUAL(n0, 1);
	CU_ASSERT_EQUAL(none[0].actions[0].type, RTE_FLOW_ACTION_TYPE_DROP);
	CU_ASSERT_EQUAL(dp_profile_flow_specs(&p, &http, DP_PORT_MAX_QUEUES + 1, &none, &n0, &err),
			-EINVAL);
	free(specs);
	free(none);
	dp_profile_free(&p);
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Numeric ports, udp, a queue action and an rss action with a function. */
static void test_other_items_and_actions(void)
{
	static const char text[] =
		"{\"name\": \"t\", \"driver\": \"net_x\", \"bus\": \"pci\", \"max_queues\": 8,"
		" \"rss\": {\"key\": \"" "6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a"
		"6d5a6d5a6d5a6d5a\", \"types\": [\"ipv6-udp\"]},"
		" \"flow_rules\": ["
		"  {\"group\": 1, \"priority\": 3, \"pattern\": [{\"type\": \"ipv6\"},"
		"   {\"type\": \"udp\", \"dst_port\": 53}], \"actions\": [{\"type\": \"queue\", \"index\": 2}]},"
		"  {\"pattern\": [{\"type\": \"eth\"}, {\"type\": \"ipv4\"}, {\"type\": \"tcp\"}],"
		"   \"actions\": [{\"type\": \"rss\", \"func\": \"symmetric-toeplitz\"}]}]}";
	struct hwall_err err = { "" };
	struct dp_flow_spec *s = NULL, *none = NULL;
	const struct rte_flow_item_udp *udp, *udpm;
	const struct rte_flow_action_rss *rss;
	struct dp_ports http;
	struct dp_profile p;
	size_t n = 0;

	dp_ports_clear(&http);
	dp_ports_add(&http, 80);
	CU_ASSERT_EQUAL_FATAL(dp_profile_parse(text, "t.json", &p, &err), 0);
	CU_ASSERT_EQUAL_FATAL(dp_profile_flow_specs(&p, &http, 4, &s, &n, &err), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	udp = s[0].items[1].spec;
	udpm = s[0].items[1].mask;
	CU_ASSERT_EQUAL(s[0].attr.group, 1);
	CU_ASSERT_EQUAL(s[0].attr.priority, 3);
	CU_ASSERT_EQUAL(s[0].items[0].type, RTE_FLOW_ITEM_TYPE_IPV6);
	CU_ASSERT_EQUAL(s[0].items[1].type, RTE_FLOW_ITEM_TYPE_UDP);
	CU_ASSERT_EQUAL(s[0].items[2].type, RTE_FLOW_ITEM_TYPE_END);
	CU_ASSERT_EQUAL(udp->hdr.dst_port, RTE_BE16(53));
	CU_ASSERT_EQUAL(udpm->hdr.dst_port, RTE_BE16(0xffff));
	CU_ASSERT_EQUAL(udpm->hdr.src_port, 0);
	CU_ASSERT_EQUAL(s[0].actions[0].type, RTE_FLOW_ACTION_TYPE_QUEUE);
	CU_ASSERT_EQUAL(((const struct rte_flow_action_queue *)s[0].actions[0].conf)->index, 2);
	/* tcp without ports: the item matches the protocol, no spec */
	CU_ASSERT_EQUAL(s[1].items[2].type, RTE_FLOW_ITEM_TYPE_TCP);
	CU_ASSERT_PTR_NULL(s[1].items[2].spec);
	CU_ASSERT_EQUAL(s[1].http_port, 0);
	rss = s[1].actions[0].conf;
	CU_ASSERT_EQUAL(rss->func, RTE_ETH_HASH_FUNCTION_SYMMETRIC_TOEPLITZ);
	CU_ASSERT_EQUAL(rss->types, RTE_ETH_RSS_NONFRAG_IPV6_UDP);
	CU_ASSERT_EQUAL(rss->queue_num, 4);
	/* queue 2 with two rx queues */
	CU_ASSERT_EQUAL(dp_profile_flow_specs(&p, &http, 2, &none, &n, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "flow_rules[0].actions[0].index: queue 2, but only 2 rx queues");
	CU_ASSERT_PTR_NULL(none);
	free(s);
	dp_profile_free(&p);
}

#define BASE "{\"name\": \"t\", \"driver\": \"net_x\", \"bus\": \"vdev\", \"max_queues\": 4"

/* The error that loading @text gives ("" when it loads). */
static const char *bad_json(const char *text)
{
	static struct hwall_err err;
	struct dp_profile p;

	memset(&err, 0, sizeof(err));
	if (dp_profile_parse(text, "bad.json", &p, &err) == 0)
		dp_profile_free(&p);
	return err.msg;
}

/* The error that loading BASE plus @extra gives. */
static const char *bad(const char *extra)
{
	static char text[2048];

	snprintf(text, sizeof(text), BASE "%s}", extra);
	return bad_json(text);
}

#define K40 "6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a"
#define RULE(pat, act) ", \"flow_rules\": [{\"pattern\": [" pat "], \"actions\": [" act "]}]"
#define ETH "{\"type\": \"eth\"}"
#define V4 "{\"type\": \"ipv4\"}"
#define DROP "{\"type\": \"drop\"}"

static void test_bad_fields(void)
{
	CU_ASSERT_STRING_EQUAL(bad(""), "");
	CU_ASSERT_STRING_EQUAL(bad(", \"speed\": 100"), "bad.json: speed: unknown key");
	CU_ASSERT_STRING_EQUAL(bad_json("{\"name\": \"t\", \"bus\": \"pci\", \"max_queues\": 1}"),
			       "bad.json: driver: missing required key");
	CU_ASSERT_STRING_EQUAL(bad_json("{\"name\": \"t\",}"), "bad.json:1:14: JSON syntax error");
	CU_ASSERT_STRING_EQUAL(bad_json("{\"name\": \"t\", \"driver\": \"x\", \"bus\": \"usb\", \"max_queues\": 1}"),
			       "bad.json: bus: unknown bus \"usb\" (known: vdev, pci)");
	CU_ASSERT_STRING_EQUAL(bad_json("{\"name\": \"t\", \"driver\": \"\", \"bus\": \"pci\", \"max_queues\": 1}"), "bad.json: driver: empty");
	CU_ASSERT_STRING_EQUAL(bad_json("{\"name\": \"t\", \"driver\": \"x\", \"bus\": \"pci\", \"max_queues\": 0}"),
			       "bad.json: max_queues: 0 is out of range 1..1024");
	CU_ASSERT_TRUE(starts(bad(", \"rx_offloads\": [\"tcp-cksum\", \"ipv4-cksun\"]"),
			      "bad.json: rx_offloads[1]: unknown rx offload \"ipv4-cksun\" (known: "
			      "vlan-strip, ipv4-cksum, "));
	CU_ASSERT_STRING_EQUAL(bad(", \"rss\": {\"key\": \"" K40 "\"}"),
			       "bad.json: rss.types: missing required key");
	CU_ASSERT_TRUE(starts(bad(", \"rss\": {\"key\": \"" K40 "\", \"types\": [\"ipv4-tcp\", \"ipv5\"]}"),
			      "bad.json: rss.types[1]: unknown RSS type \"ipv5\" (known: ipv4, "));
}

static void test_bad_rss_key(void)
{
	CU_ASSERT_STRING_EQUAL(bad(", \"rss\": {\"key\": \"" K40 "6d\", \"types\": [\"ipv4\"]}"),
			       "bad.json: rss.key: 41 bytes, expected 40 or 52");
	CU_ASSERT_STRING_EQUAL(bad(", \"rss\": {\"key\": \"6d5\", \"types\": [\"ipv4\"]}"),
			       "bad.json: rss.key: 3 hex digits, expected an even number");
	CU_ASSERT_STRING_EQUAL(bad(", \"rss\": {\"key\": \"6d5g\", \"types\": [\"ipv4\"]}"),
			       "bad.json: rss.key: 'g' at offset 3 is not a hex digit");
	CU_ASSERT_STRING_EQUAL(bad(", \"rss\": {\"key\": \"6d5a6d5b6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a"
				   "6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a\", \"types\": [\"ipv4\"]}"),
			       "bad.json: rss.key: not symmetric: byte 3 differs from byte 1 (the key "
			       "must repeat one 16-bit pattern, e.g. 6d5a6d5a...)");
}

static void test_bad_rules(void)
{
	CU_ASSERT_STRING_EQUAL(bad(RULE(ETH ", {\"type\": \"tcp\"}", DROP)),
			       "bad.json: flow_rules[0].pattern[1]: tcp must follow ipv4 or ipv6");
	CU_ASSERT_STRING_EQUAL(bad(RULE(V4 ", " ETH, DROP)),
			       "bad.json: flow_rules[0].pattern[1]: eth out of order (eth, then "
			       "ipv4|ipv6, then tcp|udp)");
	CU_ASSERT_STRING_EQUAL(bad(RULE(ETH ", {\"type\": \"ipv5\"}", DROP)),
			       "bad.json: flow_rules[0].pattern[1].type: unknown item type \"ipv5\" "
			       "(known: eth, ipv4, ipv6, tcp, udp)");
	CU_ASSERT_STRING_EQUAL(bad(RULE(V4 ", {\"type\": \"tcp\", \"src_port\": \"http\", "
					   "\"dst_port\": \"http\"}", DROP)),
			       "bad.json: flow_rules[0].pattern[1]: at most one \"http\" port per rule");
	CU_ASSERT_STRING_EQUAL(bad(RULE(V4 ", {\"type\": \"tcp\", \"dst_port\": 0}", DROP)),
			       "bad.json: flow_rules[0].pattern[1].dst_port: expected a port 1..65535 "
			       "or \"http\"");
	CU_ASSERT_STRING_EQUAL(bad(RULE("{\"type\": \"ipv4\", \"dst_port\": 80}", DROP)),
			       "bad.json: flow_rules[0].pattern[0]: ports only go with tcp or udp");
	CU_ASSERT_STRING_EQUAL(bad(RULE(ETH, DROP ", " DROP)),
			       "bad.json: flow_rules[0].actions: 2 elements, at most 1 allowed");
	CU_ASSERT_STRING_EQUAL(bad(RULE(ETH, "{\"type\": \"queue\", \"index\": 4}")),
			       "bad.json: flow_rules[0].actions[0]: queue 4, the profile has max_queues 4");
	CU_ASSERT_STRING_EQUAL(bad(RULE(ETH, "{\"type\": \"mirror\"}")),
			       "bad.json: flow_rules[0].actions[0].type: unknown action type \"mirror\" "
			       "(known: rss, queue, drop)");
	CU_ASSERT_STRING_EQUAL(bad(RULE("", DROP)),
			       "bad.json: flow_rules[0].pattern: empty; use [{\"type\": \"eth\"}] to "
			       "match every frame");
	CU_ASSERT_STRING_EQUAL(bad(", \"flow_rules\": [{\"pattern\": [" ETH "], \"actions\": ["
				   DROP "], \"prio\": 1}]"),
			       "bad.json: flow_rules[0].prio: unknown key");
}

static void test_missing_file(void)
{
	struct hwall_err err = { "" };
	struct dp_profile p;

	CU_ASSERT_EQUAL(dp_profile_load("/nonexistent/hw/nope.json", &p, &err), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err.msg, "/nonexistent/hw/nope.json: No such file or directory");
}

static void test_devstr(void)
{
	struct hwall_err err = { "" };
	struct dp_profile a, p, e;
	char buf[128], tiny[24];

	CU_ASSERT_EQUAL_FATAL(load("virtual-af-packet.json", &a, &err), 0);
	CU_ASSERT_EQUAL_FATAL(load("virtual-pcap.json", &p, &err), 0);
	CU_ASSERT_EQUAL_FATAL(load("intel-e810.json", &e, &err), 0);
	CU_ASSERT_EQUAL(dp_port_devstr(&a, "net_af_packet0,iface=veth-hw0", 4, buf, sizeof(buf), &err), 0);
	CU_ASSERT_STRING_EQUAL(buf, "net_af_packet0,iface=veth-hw0,qpairs=4,framecnt=4096");
	CU_ASSERT_EQUAL(dp_port_devstr(&p, "net_pcap0,rx_pcap=/tmp/x.pcap", 1, buf, sizeof(buf), &err), 0);
	CU_ASSERT_STRING_EQUAL(buf, "net_pcap0,rx_pcap=/tmp/x.pcap");
	CU_ASSERT_EQUAL(dp_port_devstr(&e, "0000:3b:00.0", 8, buf, sizeof(buf), &err), 0);
	CU_ASSERT_STRING_EQUAL(buf, "0000:3b:00.0");
	CU_ASSERT_EQUAL(dp_port_eal_arg(&e, buf, tiny, sizeof(tiny)), 0);
	CU_ASSERT_STRING_EQUAL(tiny, "--allow=0000:3b:00.0");
	CU_ASSERT_EQUAL(dp_port_eal_arg(&p, "net_pcap0", tiny, sizeof(tiny)), 0);
	CU_ASSERT_STRING_EQUAL(tiny, "--vdev=net_pcap0");
	CU_ASSERT_EQUAL(dp_port_eal_arg(&p, "net_pcap0,rx_pcap=/a", tiny, sizeof(tiny)), -ENAMETOOLONG);
	CU_ASSERT_EQUAL(dp_port_devstr(&a, "net_af_packet0,iface=veth-hw0", 4, tiny, sizeof(tiny), &err),
			-ENAMETOOLONG);
	CU_ASSERT_EQUAL(dp_port_devstr(&e, "0000:3b:00.0", 3, buf, sizeof(buf), &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "0000:3b:00.0: 3 rx queues (one per worker), profile "
					"intel-e810 allows powers of two in 1..64");
	CU_ASSERT_EQUAL(dp_port_devstr(&a, "net_af_packet0,iface=x", 17, buf, sizeof(buf), &err),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "net_af_packet0,iface=x: 17 rx queues (one per worker), "
					"profile virtual-af-packet allows 1..16");
	CU_ASSERT_EQUAL(dp_port_devstr(&a, "0000:3b:00.0", 4, buf, sizeof(buf), &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "0000:3b:00.0: a PCI address, but profile virtual-af-packet "
					"is for the virtual device net_af_packet (e.g. net_af_packet0,...)");
	CU_ASSERT_EQUAL(dp_port_devstr(&e, "net_pcap0,iface=eth1", 4, buf, sizeof(buf), &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "net_pcap0,iface=eth1: not a PCI address (profile intel-e810 is "
					"for net_ice on the pci bus, e.g. 0000:3b:00.0)");
	CU_ASSERT_EQUAL(dp_port_devstr(&a, "net_pcap0,iface=eth1", 4, buf, sizeof(buf), &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "net_pcap0,iface=eth1: a virtual device's name starts with its "
					"driver: net_af_packet0 for profile virtual-af-packet");
	dp_profile_free(&a);
	dp_profile_free(&p);
	dp_profile_free(&e);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "every shipped profile loads", test_every_shipped_profile_loads },
		{ "virtual profiles", test_virtual_profiles },
		{ "e810 flow rules", test_e810_rules },
		{ "connectx6 flow rules", test_connectx6_rules },
		{ "one queue, no http port", test_one_queue_and_no_http },
		{ "other items and actions", test_other_items_and_actions },
		{ "bad fields", test_bad_fields },
		{ "bad rss key", test_bad_rss_key },
		{ "bad flow rules", test_bad_rules },
		{ "missing file", test_missing_file },
		{ "device strings", test_devstr },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("dataplane/port_profile", tests);
}
