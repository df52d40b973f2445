/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * port.h - live ports from hardware profiles (the JSON files in hw/).
 *
 * A profile holds every NIC-specific number as data: the PMD driver name,
 * the bus (vdev or pci), devargs, queue and descriptor limits, rx offloads,
 * a symmetric RSS key and rte_flow rules.  This module loads and checks a
 * profile (no DPDK needed), turns it into the EAL argument for the device,
 * translates its flow rules into rte_flow attr/pattern/actions (no device
 * needed: tests check the translation), and after rte_eal_init() starts the
 * port: driver checked, queues configured, RSS, start, promiscuous, flow
 * rules validated and created.  See hw/README.md for the profile format.
 *
 * Flow rules in a profile (JSON):
 *
 *   { "description": "HTTP responses over IPv4 to the workers",
 *     "group": 0, "priority": 0,
 *     "pattern": [ { "type": "eth" }, { "type": "ipv4" },
 *                  { "type": "tcp", "src_port": "http" } ],
 *     "actions": [ { "type": "rss" } ] }
 *
 * Items: eth, ipv4, ipv6, tcp, udp in layer order (eth first when present,
 * at most one L3 and one L4, L4 only after an L3).  tcp and udp take
 * src_port / dst_port: a port number, or "http", which expands the rule into
 * one rule per configured HTTP port (at most one "http" per rule).  Items
 * match any value of the fields they do not name.  Actions: exactly one of
 * "rss" (spread over all rx queues with the profile's RSS key and types;
 * optional "func": "default", "toeplitz", "symmetric-toeplitz"), "queue"
 * ("index": N) or "drop".  A lower "priority" number wins.
 */
#ifndef HASHWALL_DATAPLANE_PORT_H
#define HASHWALL_DATAPLANE_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_flow.h>

#include "common/config.h"
#include "dataplane/parse.h"

struct rte_mempool;

#define DP_RSS_KEY_MAX 52        /* bytes: the longest Toeplitz key (ice); mlx5 takes 40 */
#define DP_PORT_MAX_QUEUES 128   /* rx queues a flow rule's RSS action may spread over */
#define DP_FLOW_MAX_ITEMS 4      /* eth, L3, L4 (+ END) */
#define DP_FLOW_MAX_ACTIONS 1    /* one fate (+ END) */

enum dp_bus {
	DP_BUS_VDEV, /* virtual device: --vdev=NAME,ARGS */
	DP_BUS_PCI,  /* PCI device: --allow=DOMAIN:BUS:DEV.FN,ARGS */
	DP_BUS_COUNT
};

enum dp_flow_item_type {
	DP_ITEM_ETH,
	DP_ITEM_IPV4,
	DP_ITEM_IPV6,
	DP_ITEM_TCP,
	DP_ITEM_UDP,
	DP_ITEM_COUNT
};

enum dp_flow_action_type {
	DP_ACTION_RSS,
	DP_ACTION_QUEUE,
	DP_ACTION_DROP,
	DP_ACTION_COUNT
};

/* A port field of a tcp/udp item: absent (any), a number, or "http". */
struct dp_flow_port {
	uint16_t port;
	bool http;
};

struct dp_flow_item {
	int type; /* enum dp_flow_item_type */
	struct dp_flow_port src_port, dst_port;
};

struct dp_flow_action {
	int type;     /* enum dp_flow_action_type */
	int func;     /* rss: enum rte_eth_hash_function */
	uint16_t index; /* queue */
};

struct dp_flow_rule {
	char *description;
	uint32_t group, priority;
	struct dp_flow_item *pattern;
	size_t n_pattern;
	struct dp_flow_action *actions;
	size_t n_actions;
};

struct dp_rss_key {
	uint8_t bytes[DP_RSS_KEY_MAX];
	uint8_t len;         /* 0: the profile has no "rss" */
};

struct dp_rss {
	struct dp_rss_key key;
	uint64_t *type_list; /* as loaded, one RTE_ETH_RSS_* per name */
	size_t n_types;
	uint64_t types;      /* OR of type_list */
};

struct dp_profile {
	char *name, *description;
	char *driver;        /* rte_eth_dev_info.driver_name after probe */
	int bus;             /* enum dp_bus */
	char *devargs;       /* "" or "k=v,..." with {queues} */
	uint16_t max_queues; /* rx queues the device gives */
	bool queues_pow2;    /* rx queue count must be a power of two (ice RSS regions) */
	uint16_t rx_desc, tx_desc;
	uint16_t mtu;        /* 0: the device's default */
	bool promiscuous;
	uint64_t *offload_list; /* as loaded, one RTE_ETH_RX_OFFLOAD_* per name */
	size_t n_offloads;
	uint64_t rx_offloads;   /* OR of offload_list */
	struct dp_rss rss;
	struct dp_flow_rule *rules;
	size_t n_rules;
};

/*
 * Load and check the profile at @path.  Unknown keys, bad names, a bad RSS
 * key (hex, 40 or 52 bytes, repeating 16-bit pattern so that the Toeplitz
 * hash is symmetric) and ill-formed flow rules are refused with @err set to
 * "PATH: JSON.PATH: reason" (the caller prefixes its config key).  Returns
 * 0 with *ret filled (free with dp_profile_free()), or -errno.
 */
int dp_profile_load(const char *path, struct dp_profile *ret, struct hwall_err *err);

/* Same from JSON text in memory; @name stands for the file in messages. */
int dp_profile_parse(const char *text, const char *name, struct dp_profile *ret,
		     struct hwall_err *err);

/* Release what dp_profile_load() allocated; accepts a zeroed @p. */
void dp_profile_free(struct dp_profile *p);

/*
 * The device string for @device ("net_af_packet0,iface=x" or a PCI address)
 * under @p: @device, then "," and the profile's devargs with every
 * "{queues}" replaced by @queues.  Refuses (-EINVAL, @err set) a PCI address
 * for a vdev profile, a vdev name not starting with the profile's driver
 * name, and anything but a PCI address for a pci profile; and @queues
 * outside 1..max_queues or, for a profile with queues_pow2, not a power of
 * two (so that a config check catches it before any EAL).  -ENAMETOOLONG
 * when the result does not fit @len bytes.
 */
int dp_port_devstr(const struct dp_profile *p, const char *device, unsigned int queues,
		   char *buf, size_t len, struct hwall_err *err);

/*
 * The one EAL argument that makes the EAL probe @devstr under @p:
 * "--vdev=DEVSTR" (vdev) or "--allow=DEVSTR" (pci; the long form of -a).
 * A pci profile also needs the EAL started without --no-pci.  Returns 0 or
 * -ENAMETOOLONG.
 */
int dp_port_eal_arg(const struct dp_profile *p, const char *devstr, char *buf, size_t len);

/* One translated flow rule: rte_flow attr, items and actions, and the
 * spec/mask/conf storage they point into (keep the struct where it is). */
struct dp_flow_spec {
	struct rte_flow_attr attr;
	struct rte_flow_item items[DP_FLOW_MAX_ITEMS + 1];
	struct rte_flow_action actions[DP_FLOW_MAX_ACTIONS + 1];
	union {
		struct rte_flow_item_tcp tcp;
		struct rte_flow_item_udp udp;
	} l4_spec, l4_mask;
	struct rte_flow_action_rss rss;
	struct rte_flow_action_queue queue;
	uint16_t rss_queues[DP_PORT_MAX_QUEUES];
	uint8_t rss_key[DP_RSS_KEY_MAX];
	size_t rule;        /* index in the profile's flow_rules */
	uint16_t http_port; /* the HTTP port this copy is for; 0: no "http" */
};

/*
 * Translate @p's flow rules for @queues rx queues and the HTTP ports
 * @http into *ret (an array of *ret_n, free with free()).  A rule with
 * "http" gives one spec per HTTP port in ascending order; an "rss" action
 * spreads over queues 0..@queues-1 and becomes a "queue 0" action when
 * @queues is 1 (the same fate, and accepted by PMDs that refuse a
 * one-queue RSS region).  Returns 0, or -EINVAL with @err set (queue index
 * out of range, @queues over DP_PORT_MAX_QUEUES), or -ENOMEM.
 */
int dp_profile_flow_specs(const struct dp_profile *p, const struct dp_ports *http,
			  uint16_t queues, struct dp_flow_spec **ret, size_t *ret_n,
			  struct hwall_err *err);

/*
 * After rte_eal_init(): start the port probed from @devstr under @p with
 * @queues rx queues (one per worker) from @pool.  Checks the driver name,
 * @queues against the profile's max_queues and the device's max_rx_queues,
 * the RSS key length and types and the rx offloads against what the device
 * reports; configures RSS (only with an "rss" section and @queues > 1),
 * the MTU, descriptors (adjusted to the device's limits), starts the port,
 * sets promiscuous mode (a PMD without it, like net_pcap on a file, is
 * tolerated) and validates then creates every flow rule for @http_ports.
 * Returns 0 with *ret_port set, or -errno with @err set;
 * a flow rule that fails is named by index with the PMD's message.  On
 * failure a port that was found is left stopped and closed.
 */
int dp_port_start(const struct dp_profile *p, const char *devstr, uint16_t queues,
		  const struct dp_ports *http_ports, struct rte_mempool *pool,
		  uint16_t *ret_port, struct hwall_err *err);

/* Remove the port's flow rules, stop and close it. */
void dp_port_stop(uint16_t port);

#endif
