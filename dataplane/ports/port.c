/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * port.c - device strings, EAL arguments and starting a live port from a
 * hardware profile (see port.h).
 */
#include "dataplane/ports/port.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_pci.h>

#include "common/errors.h"

#define DEVNAME_MAX 128

/* The name part of a device string (before the first ','). */
static int dev_name(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(name, device, n);
	name[n] = '\0';
	return 0;
}

static bool is_pci_addr(const char *name)
{
	struct rte_pci_addr addr;

	return rte_pci_addr_parse(name, &addr) == 0;
}

static int check_device(const struct dp_profile *p, const char *device, struct hwall_err *err)
{
	char name[DEVNAME_MAX];

	if (dev_name(device, name, sizeof(name)) < 0)
		return hwall_cfg_fail(err, device, "no device name before ','");
	if (p->bus == DP_BUS_PCI && !is_pci_addr(name))
		return hwall_cfg_fail(err, device,
				   "not a PCI address (profile %s is for %s on the pci bus, "
				   "e.g. 0000:3b:00.0)", p->name, p->driver);
	if (p->bus == DP_BUS_VDEV && is_pci_addr(name))
		return hwall_cfg_fail(err, device,
				   "a PCI address, but profile %s is for the virtual device %s "
				   "(e.g. %s0,...)", p->name, p->driver, p->driver);
	if (p->bus == DP_BUS_VDEV && strncmp(name, p->driver, strlen(p->driver)) != 0)
		return hwall_cfg_fail(err, device,
				   "a virtual device's name starts with its driver: %s0 for "
				   "profile %s", p->driver, p->name);
	return 0;
}

/* Whether @queues suits the profile: 0, or -EINVAL with @err saying why. */
static int check_queues(const struct dp_profile *p, unsigned int queues, struct hwall_err *err)
{
	if (queues >= 1 && queues <= p->max_queues && !(p->queues_pow2 && (queues & (queues - 1))))
		return 0;
	return hwall_err_set(err, -EINVAL, "%u rx queues (one per worker), profile %s allows %s1..%u",
			     queues, p->name, p->queues_pow2 ? "powers of two in " : "",
			     p->max_queues);
}

int dp_port_devstr(const struct dp_profile *p, const char *device, unsigned int queues,
		   char *buf, size_t len, struct hwall_err *err)
{
	static const char tag[] = "{queues}";
	const char *s = p->devargs;
	size_t off;
	int w;

	HWALL_TRY(check_device(p, device, err));
	if (check_queues(p, queues, err) < 0)
		return hwall_err_prefix(err, -EINVAL, "%s: ", device);
	w = snprintf(buf, len, "%s%s", device, *s ? "," : "");
	if (w < 0 || (size_t)w >= len)
		goto too_long;
	off = (size_t)w;
	while (*s) {
		const char *t = strstr(s, tag);
		size_t lit = t ? (size_t)(t - s) : strlen(s);

		w = snprintf(buf + off, len - off, "%.*s", (int)lit, s);
		if (w < 0 || (size_t)w >= len - off)
			goto too_long;
		off += (size_t)w;
		s += lit;
		if (!t)
			break;
		w = snprintf(buf + off, len - off, "%u", queues);
		if (w < 0 || (size_t)w >= len - off)
			goto too_long;
		off += (size_t)w;
		s += sizeof(tag) - 1;
	}
	return 0;
too_long:
	hwall_cfg_fail(err, device, "device string longer than %zu bytes", len - 1);
	return -ENAMETOOLONG;
}

int dp_port_eal_arg(const struct dp_profile *p, const char *devstr, char *buf, size_t len)
{
	int w = snprintf(buf, len, "%s%s", p->bus == DP_BUS_PCI ? "--allow=" : "--vdev=", devstr);

	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

/* The port of device @name: by ethdev name, else by the rte_device name
 * (a PCI device's ethdev may be named differently, e.g. with representors). */
static int find_port(const char *name, uint16_t *ret_port)
{
	struct rte_pci_addr addr;
	char pci[PCI_PRI_STR_SIZE];
	uint16_t port;

	if (rte_pci_addr_parse(name, &addr) == 0) {
		rte_pci_device_name(&addr, pci, sizeof(pci)); /* 3b:00.0 -> 0000:3b:00.0 */
		name = pci;
	}
	if (rte_eth_dev_get_port_by_name(name, &port) == 0) {
		*ret_port = port;
		return 0;
	}
	RTE_ETH_FOREACH_DEV(port) {
		struct rte_eth_dev_info info;
		if (rte_eth_dev_info_get(port, &info) == 0 && info.device &&
		    strcmp(rte_dev_name(info.device), name) == 0) {
			*ret_port = port;
			return 0;
		}
	}
	return -ENODEV;
}

/* Names of the bits of @bits, comma separated, for error messages. */
static void bit_names(uint64_t bits, const char *(*namefn)(uint64_t), char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int b = 0; b < 64; b++) {
		const char *n;
		int w;

		if (!(bits >> b & 1))
			continue;
		n = namefn ? namefn(1ull << b) : NULL;
		w = n ? snprintf(buf + off, len - off, "%s%s", off ? "," : "", n)
		      : snprintf(buf + off, len - off, "%sbit %u", off ? "," : "", b);
		if (w < 0 || (size_t)w >= len - off)
			return;
		off += (size_t)w;
	}
}

/* What the profile asks against what the device reports. */
static int check_caps(const struct dp_profile *p, const struct rte_eth_dev_info *info,
		      uint16_t queues, struct hwall_err *err)
{
	char names[256];

	if (strcmp(info->driver_name, p->driver) != 0)
		return hwall_err_set(err, -ENODEV, "driver %s, but profile %s is for %s",
			    info->driver_name, p->name, p->driver);
	HWALL_TRY(check_queues(p, queues, err));
	if (queues > info->max_rx_queues)
		return hwall_err_set(err, -EINVAL, "%u rx queues, the device gives at most %u",
			    queues, info->max_rx_queues);
	if (p->rx_offloads & ~info->rx_offload_capa) {
		bit_names(p->rx_offloads & ~info->rx_offload_capa, rte_eth_dev_rx_offload_name,
			  names, sizeof(names));
		return hwall_err_set(err, -ENOTSUP, "rx_offloads: the device lacks %s", names);
	}
	if (!p->rss.key.len || queues == 1)
		return 0;
	if (!info->hash_key_size || !info->flow_type_rss_offloads)
		return hwall_err_set(err, -ENOTSUP,
			    "rss: the device cannot do RSS; drop \"rss\" from profile %s",
			    p->name);
	if (info->hash_key_size != p->rss.key.len)
		return hwall_err_set(err, -EINVAL, "rss.key: %u bytes, the device takes %u",
			    p->rss.key.len, info->hash_key_size);
	if (p->rss.types & ~info->flow_type_rss_offloads) {
		bit_names(p->rss.types & ~info->flow_type_rss_offloads, NULL, names,
			  sizeof(names));
		return hwall_err_set(err, -ENOTSUP,
			    "rss.types: the device cannot hash on RTE_ETH_RSS_* %s", names);
	}
	return 0;
}

static int configure(const struct dp_profile *p, uint16_t port, const struct rte_eth_dev_info *info,
		     uint16_t queues, struct rte_mempool *pool, struct hwall_err *err)
{
	struct rte_eth_conf conf;
	uint16_t nb_rx = p->rx_desc, nb_tx = p->tx_desc;
	uint16_t ntx = info->max_tx_queues ? 1 : 0;
	int socket = rte_eth_dev_socket_id(port);
	int r;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = p->rx_offloads;
	conf.rxmode.mtu = p->mtu;
	if (p->rss.key.len && queues > 1) {
		/* The key is the profile's own copy; ethdev copies it in. */
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = (uint8_t *)(uintptr_t)p->rss.key.bytes;
		conf.rx_adv_conf.rss_conf.rss_key_len = p->rss.key.len;
		conf.rx_adv_conf.rss_conf.rss_hf = p->rss.types;
	}
	r = rte_eth_dev_configure(port, queues, ntx, &conf);
	if (r < 0)
		return hwall_err_set(err, r, "configure: %s", rte_strerror(-r));
	r = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rx, &nb_tx);
	if (r < 0)
		return hwall_err_set(err, r, "descriptors: %s", rte_strerror(-r));
	for (uint16_t q = 0; q < queues; q++) {
		r = rte_eth_rx_queue_setup(port, q, nb_rx, (unsigned int)socket, NULL, pool);
		if (r < 0)
			return hwall_err_set(err, r, "rx queue %u: %s", q, rte_strerror(-r));
	}
	if (ntx) {
		r = rte_eth_tx_queue_setup(port, 0, nb_tx, (unsigned int)socket, NULL);
		if (r < 0)
			return hwall_err_set(err, r, "tx queue 0: %s", rte_strerror(-r));
	}
	return 0;
}

/* "WHICH: rte_flow_STEP: the PMD's message (errno text)", the errno text
 * left out when the PMD's message already is just that. */
static int flow_fail(struct hwall_err *err, int r, const char *which, const char *step,
		     const struct rte_flow_error *fe)
{
	const char *why = rte_strerror(-r);
	const char *msg = fe->message ? fe->message : why;

	if (strcmp(msg, why) == 0)
		return hwall_err_set(err, r, "%s: rte_flow_%s: %s", which, step, msg);
	return hwall_err_set(err, r, "%s: rte_flow_%s: %s (%s)", which, step, msg, why);
}

/* Validate then create one rule; on failure name it with the PMD's reason. */
static int create_flow(uint16_t port, const struct dp_flow_spec *s, struct hwall_err *err)
{
	struct rte_flow_error fe;
	char which[64];
	int r;

	memset(&fe, 0, sizeof(fe));
	if (s->http_port)
		snprintf(which, sizeof(which), "flow_rules[%zu] (http port %u)", s->rule, s->http_port);
	else
		snprintf(which, sizeof(which), "flow_rules[%zu]", s->rule);
	r = rte_flow_validate(port, &s->attr, s->items, s->actions, &fe);
	if (r < 0)
		return flow_fail(err, r, which, "validate", &fe);
	if (!rte_flow_create(port, &s->attr, s->items, s->actions, &fe))
		return flow_fail(err, rte_errno > 0 ? -rte_errno : -EIO, which, "create", &fe);
	return 0;
}

static int create_flows(const struct dp_profile *p, uint16_t port, uint16_t queues,
			const struct dp_ports *http, struct hwall_err *err)
{
	struct dp_flow_spec *specs;
	size_t n;
	int r;

	r = dp_profile_flow_specs(p, http, queues, &specs, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		r = create_flow(port, &specs[i], err);
		if (r < 0)
			break;
	}
	free(specs);
	return r;
}

int dp_port_start(const struct dp_profile *p, const char *devstr, uint16_t queues,
		  const struct dp_ports *http_ports, struct rte_mempool *pool,
		  uint16_t *ret_port, struct hwall_err *err)
{
	struct rte_eth_dev_info info;
	struct rte_flow_error fe;
	char name[DEVNAME_MAX];
	uint16_t port;
	int r;

	if (dev_name(devstr, name, sizeof(name)) < 0)
		return hwall_err_set(err, -EINVAL, "%s: no device name", devstr);
	if (find_port(name, &port) < 0)
		return hwall_err_set(err, -ENODEV, "%s: no such port (not probed by the EAL)", name);
	r = rte_eth_dev_info_get(port, &info);
	if (r < 0) {
		hwall_err_set(err, r, "device info: %s", rte_strerror(-r));
		goto out_close;
	}
	r = check_caps(p, &info, queues, err);
	if (r == 0)
		r = configure(p, port, &info, queues, pool, err);
	if (r < 0)
		goto out_close;
	r = rte_eth_dev_start(port);
	if (r < 0) {
		hwall_err_set(err, r, "start: %s", rte_strerror(-r));
		goto out_close;
	}
	if (p->promiscuous) {
		r = rte_eth_promiscuous_enable(port);
		if (r < 0 && r != -ENOTSUP) {
			hwall_err_set(err, r, "promiscuous mode: %s", rte_strerror(-r));
			goto out_stop;
		}
	}
	r = create_flows(p, port, queues, http_ports, err);
	if (r < 0)
		goto out_stop;
	*ret_port = port;
	return 0;
out_stop:
	rte_flow_flush(port, &fe);
	rte_eth_dev_stop(port);
out_close:
	rte_eth_dev_close(port);
	return r;
}

void dp_port_stop(uint16_t port)
{
	struct rte_flow_error fe;

	rte_flow_flush(port, &fe);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}
