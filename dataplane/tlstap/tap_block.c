// SPDX-License-Identifier: GPL-2.0-only
/*
 * tap_block.c - blocked URLs inside TLS: look up, reset, block the flow
 * (tap_block.h).
 */
#include "dataplane/tlstap/tap_block.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "bpf/bpfw.h"
#include "bpf/bpfw_tlstap.h"

int dp_tap_block_open(struct dp_tap_block *tb, const char *pin_root, uint32_t ttl_s,
		      struct hwall_err *err)
{
	struct bpfw_opts o = { .pin_root = pin_root };

	memset(tb, 0, sizeof(*tb));
	tb->ttl_s = ttl_s;
	tb->b = bpfw_new(&o);
	if (!tb->b)
		return hwall_err_set(err, -errno, "pin root %s: %s", pin_root ?: BPFW_PIN_ROOT,
				     hwall_strerror(-errno));
	/* Open (or create) the maps now: a bad pin root fails at start. */
	return bpfw_tap_url_blocked(tb->b, "localhost/", err) < 0 ? -EIO : 0;
}

void dp_tap_block_close(struct dp_tap_block *tb)
{
	bpfw_free(tb->b);
	tb->b = NULL;
}

static bool is_v4(const uint8_t *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, mapped, sizeof(mapped));
}

int dp_tap_sock_destroy(const struct dp_flow_key *k)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 req;
	} msg = { .nh = { .nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DESTROY,
			  .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = 1 } };
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	bool v4 = is_v4(k->server);
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG), r = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	msg.req.sdiag_family = v4 ? AF_INET : AF_INET6;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = ~0u;
	msg.req.id.idiag_sport = htons(k->server_port);
	msg.req.id.idiag_dport = htons(k->client_port);
	memcpy(msg.req.id.idiag_src, v4 ? k->server + 12 : k->server, v4 ? 4 : 16);
	memcpy(msg.req.id.idiag_dst, v4 ? k->client + 12 : k->client, v4 ? 4 : 16);
	msg.req.id.idiag_cookie[0] = msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		r = -errno;
	else if ((n = recv(fd, &ack, sizeof(ack), 0)) < (ssize_t)sizeof(ack))
		r = n < 0 ? -errno : -EPROTO;
	else if (ack.nh.nlmsg_type == NLMSG_ERROR)
		r = ack.err.error;
	close(fd);
	return r;
}

/* The flow as its server's packets leave (bpf/bpfw_shared.h). */
static void flow_key(const struct dp_flow_key *k, struct bpfw_flow_key *ret)
{
	memset(ret, 0, sizeof(*ret));
	memcpy(ret->saddr, k->server, 16);
	memcpy(ret->daddr, k->client, 16);
	ret->sport = htons(k->server_port);
	ret->dport = htons(k->client_port);
	ret->proto = IPPROTO_TCP;
}

void dp_tap_block_request(void *ctx, void *owner, const struct dp_txn *txn)
{
	struct dp_tap_block *tb = ctx;
	const struct dp_flow *f = owner;
	char url[DP_HOST_MAX + DP_PATH_MAX + 2];
	struct bpfw_flow_key fk;
	int r;

	if (!txn || !txn->host[0] || txn->host_truncated || txn->path_truncated ||
	    txn->path[0] != '/') {
		tb->not_checked++;
		return;
	}
	snprintf(url, sizeof(url), "%s%s", txn->host, txn->path);
	tb->checked++;
	r = bpfw_tap_url_blocked(tb->b, url, NULL);
	if (r < 0)
		tb->not_checked++;
	if (r <= 0)
		return;
	tb->blocked++;
	/* The reset first: its RST must leave before the flow entry would
	 * drop it; the entry then stops anything the server still sends. */
	if (dp_tap_sock_destroy(&f->key) < 0)
		tb->reset_failed++;
	flow_key(&f->key, &fk);
	if (bpfw_flow_block(tb->b, &fk, tb->ttl_s, NULL) < 0)
		tb->flow_failed++;
}
