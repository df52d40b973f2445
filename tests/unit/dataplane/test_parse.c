/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for dataplane/parse.c: L2 to L4 with crafted frames. */
#include "dp_test.h"
#include "hwall_test.h"

#include <errno.h>

static struct dp_ports ports;
static uint8_t frame[DP_TEST_FRAME_MAX];

static struct dp_test_frame v4(void)
{
	struct dp_test_frame f = { .family = 4, .sport = 40000, .dport = 80, .seq = 1000,
				   .ack = 77, .flags = DP_TCP_ACK };
	memcpy(f.src, (uint8_t[]){ 198, 51, 100, 1 }, 4);
	memcpy(f.dst, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	return f;
}

static struct dp_test_frame v6(void)
{
	struct dp_test_frame f = v4();
	f.family = 6;
	memset(f.src, 0, 16);
	memset(f.dst, 0, 16);
	f.src[0] = 0x20;
	f.src[1] = 0x01;
	f.src[15] = 1;
	f.dst[0] = 0x20;
	f.dst[1] = 0x01;
	f.dst[15] = 2;
	return f;
}

static enum dp_drop run(const struct dp_test_frame *f, size_t payload, struct dp_pkt *pkt)
{
	uint8_t data[64];
	size_t len;

	memset(data, 'x', sizeof(data));
	len = dp_test_build(f, data, payload, frame);
	return dp_parse(frame, (uint32_t)len, (uint32_t)len, &ports, pkt);
}

static void test_ipv4_tcp(void)
{
	struct dp_test_frame f = v4();
	struct dp_pkt pkt;

	CU_ASSERT_EQUAL(run(&f, 10, &pkt), DP_DROP_COUNT);
	CU_ASSERT_EQUAL(pkt.family, 4);
	CU_ASSERT_EQUAL(pkt.sport, 40000);
	CU_ASSERT_EQUAL(pkt.dport, 80);
	CU_ASSERT_EQUAL(pkt.seq, 1000);
	CU_ASSERT_EQUAL(pkt.ack, 77);
	CU_ASSERT_EQUAL(pkt.flags, DP_TCP_ACK);
	CU_ASSERT_EQUAL(pkt.payload_off, 14 + 20 + 20);
	CU_ASSERT_EQUAL(pkt.payload_len, 10);
	CU_ASSERT_TRUE(pkt.to_server);
	CU_ASSERT_EQUAL(pkt.src[10], 0xff); /* IPv4-mapped */
	CU_ASSERT_EQUAL(pkt.src[12], 198);
	CU_ASSERT_EQUAL(pkt.dst[15], 1);
}

static void test_server_side_and_ports(void)
{
	struct dp_test_frame f = v4();
	struct dp_pkt pkt;

	f.sport = 8080;
	f.dport = 50000;
	CU_ASSERT_EQUAL(run(&f, 0, &pkt), DP_DROP_COUNT);
	CU_ASSERT_FALSE(pkt.to_server);
	f.sport = 443;
	CU_ASSERT_EQUAL(run(&f, 0, &pkt), DP_DROP_pkt_not_http_port);
}

static void test_vlan_and_qinq(void)
{
	struct dp_test_frame f = v4();
	struct dp_pkt pkt;

	f.vlans = 1;
	CU_ASSERT_EQUAL(run(&f, 5, &pkt), DP_DROP_COUNT);
	CU_ASSERT_EQUAL(pkt.payload_off, 18 + 40);
	f.vlans = 2;
	CU_ASSERT_EQUAL(run(&f, 5, &pkt), DP_DROP_COUNT);
	CU_ASSERT_EQUAL(pkt.payload_off, 22 + 40);
	CU_ASSERT_EQUAL(pkt.payload_len, 5);
}

static void test_ipv4_options_and_padding(void)
{
	struct dp_test_frame f = v4();
	struct dp_pkt pkt;

	f.ip_opt = 12;
	f.pad = 20; /* Ethernet padding is not payload */
	CU_ASSERT_EQUAL(run(&f, 3, &pkt), DP_DROP_COUNT);
	CU_ASSERT_EQUAL(pkt.payload_off, 14 + 32 + 20);
	CU_ASSERT_EQUAL(pkt.payload_len, 3);
}

static void test_ipv6_ext_headers(void)
{
	struct dp_test_frame f = v6();
	struct dp_pkt pkt;

	CU_ASSERT_EQUAL(run(&f, 7, &pkt), DP_DROP_COUNT);
	CU_ASSERT_EQUAL(pkt.family, 6);
	CU_ASSERT_EQUAL(pkt.payload_off, 14 + 40 + 20);
	f.v6_ext = true;
	CU_ASSERT_EQUAL(run(&f, 7, &pkt), DP_DROP_COUNT);
	CU_ASSERT_EQUAL(pkt.payload_off, 14 + 56 + 20);
	CU_ASSERT_EQUAL(pkt.payload_len, 7);
	CU_ASSERT_EQUAL(pkt.src[0], 0x20);
	CU_ASSERT_EQUAL(pkt.dst[15], 2);
}

/* More extension headers than parse walks; AH is walked by its own length. */
static void test_ipv6_ext_limit_and_ah(void)
{
	struct dp_test_frame f = v6();
	struct dp_pkt pkt;
	size_t len = dp_test_build(&f, "", 0, frame);
	uint8_t chain[14 + 40 + 10 * 8 + 20];

	/* Ten destination-options headers, then TCP. */
	memcpy(chain, frame, 14 + 40);
	chain[14 + 6] = 60;
	for (int i = 0; i < 10; i++) {
		uint8_t *h = chain + 14 + 40 + 8 * i;
		memset(h, 0, 8);
		h[0] = i < 9 ? 60 : 6;
	}
	memcpy(chain + 14 + 40 + 80, frame + 14 + 40, 20);
	dp_test_put16(chain + 14 + 4, 80 + 20);
	CU_ASSERT_EQUAL(dp_parse(chain, sizeof(chain), sizeof(chain), &ports, &pkt),
			DP_DROP_pkt_ipv6_ext_limit);
	/* One AH header of (2 + 2) * 4 = 16 bytes, then TCP. */
	chain[14 + 6] = 51;
	memset(chain + 14 + 40, 0, 16);
	chain[14 + 40] = 6;
	chain[14 + 40 + 1] = 2; /* (2 + 2) * 4 = 16 bytes */
	memcpy(chain + 14 + 40 + 16, frame + 14 + 40, 20);
	dp_test_put16(chain + 14 + 4, 16 + 20);
	CU_ASSERT_EQUAL(dp_parse(chain, 14 + 40 + 36, 14 + 40 + 36, &ports, &pkt), DP_DROP_COUNT);
	CU_ASSERT_EQUAL(pkt.payload_off, 14 + 40 + 16 + 20);
	CU_ASSERT_EQUAL(pkt.payload_len, 0);
	CU_ASSERT_EQUAL(len, 14 + 40 + 20);
}

/* BIG TCP GSO frames over 64 KiB (the frame claims more bytes than the
 * headers' buffer: parse only reads headers). */
static void test_big_tcp(void)
{
	struct dp_test_frame f = v4();
	struct dp_pkt pkt;
	uint8_t jumbo[14 + 40 + 8 + 20];
	size_t len = dp_test_build(&f, "", 0, frame);

	/* IPv4 total length 0: as long as the frame, only beyond 64 KiB. */
	dp_test_put16(frame + 14 + 2, 0);
	CU_ASSERT_EQUAL(dp_parse(frame, (uint32_t)len, 14 + 70000, &ports, &pkt), DP_DROP_COUNT);
	CU_ASSERT_EQUAL(pkt.payload_len, 70000 - 40);
	CU_ASSERT_EQUAL(dp_parse(frame, (uint32_t)len, 14 + 1000, &ports, &pkt), DP_DROP_pkt_bad_ip);
	/* IPv6 payload length 0 without the jumbo option (Linux 6.x). */
	f = v6();
	len = dp_test_build(&f, "", 0, frame);
	dp_test_put16(frame + 14 + 4, 0);
	CU_ASSERT_EQUAL(dp_parse(frame, (uint32_t)len, 14 + 40 + 20 + 70000, &ports, &pkt),
			DP_DROP_COUNT);
	CU_ASSERT_EQUAL(pkt.payload_len, 70000);
	/* RFC 2675: a hop-by-hop header with the Jumbo Payload option. */
	memcpy(jumbo, frame, 14 + 40);
	jumbo[14 + 6] = 0;
	memcpy(jumbo + 14 + 40, (uint8_t[]){ 6, 0, 0xc2, 4, 0, 1, 0x11, 0x94 }, 8); /* 70036 */
	memcpy(jumbo + 14 + 48, frame + 14 + 40, 20);
	CU_ASSERT_EQUAL(dp_parse(jumbo, sizeof(jumbo), 14 + 40 + 70036, &ports, &pkt), DP_DROP_COUNT);
	CU_ASSERT_EQUAL(pkt.payload_off, 14 + 40 + 8 + 20);
	CU_ASSERT_EQUAL(pkt.payload_len, 70036 - 28);
	CU_ASSERT_EQUAL(dp_parse(jumbo, sizeof(jumbo), 14 + 40 + 70000, &ports, &pkt),
			DP_DROP_pkt_truncated);
	jumbo[14 + 40 + 5] = 0; /* 4500: not a jumbo length */
	CU_ASSERT_EQUAL(dp_parse(jumbo, sizeof(jumbo), 14 + 40 + 70036, &ports, &pkt),
			DP_DROP_pkt_bad_ip);
	jumbo[14 + 40 + 3] = 6; /* option longer than its header */
	CU_ASSERT_EQUAL(dp_parse(jumbo, sizeof(jumbo), 14 + 40 + 70036, &ports, &pkt),
			DP_DROP_pkt_bad_ip);
}

static void test_fragments(void)
{
	struct dp_test_frame f = v4();
	struct dp_pkt pkt;

	f.frag = 0x2000; /* MF */
	CU_ASSERT_EQUAL(run(&f, 8, &pkt), DP_DROP_pkt_ip_fragment);
	f.frag = 0x0010; /* offset */
	CU_ASSERT_EQUAL(run(&f, 8, &pkt), DP_DROP_pkt_ip_fragment);
	f.frag = 0x4000; /* DF only: not a fragment */
	CU_ASSERT_EQUAL(run(&f, 8, &pkt), DP_DROP_COUNT);
	f = v6();
	f.proto = 44;
	CU_ASSERT_EQUAL(run(&f, 8, &pkt), DP_DROP_pkt_ip_fragment);
}

static void test_rejects(void)
{
	struct dp_test_frame f = v4();
	struct dp_pkt pkt;
	size_t len;

	f.proto = 17;
	CU_ASSERT_EQUAL(run(&f, 8, &pkt), DP_DROP_pkt_not_tcp);
	f = v6();
	f.proto = 50; /* ESP */
	CU_ASSERT_EQUAL(run(&f, 8, &pkt), DP_DROP_pkt_not_tcp);
	f = v4();
	len = dp_test_build(&f, "abc", 3, frame);
	/* Cut inside the TCP header, inside IP, inside Ethernet. */
	CU_ASSERT_EQUAL(dp_parse(frame, 40, 40, &ports, &pkt), DP_DROP_pkt_truncated);
	CU_ASSERT_EQUAL(dp_parse(frame, 20, 20, &ports, &pkt), DP_DROP_pkt_truncated);
	CU_ASSERT_EQUAL(dp_parse(frame, 10, 10, &ports, &pkt), DP_DROP_pkt_truncated);
	frame[46] = 0x30; /* TCP data offset 12 bytes */
	CU_ASSERT_EQUAL(dp_parse(frame, (uint32_t)len, (uint32_t)len, &ports, &pkt), DP_DROP_pkt_bad_tcp);
	frame[14] = 0x44; /* IHL 16 bytes */
	CU_ASSERT_EQUAL(dp_parse(frame, (uint32_t)len, (uint32_t)len, &ports, &pkt), DP_DROP_pkt_bad_ip);
	frame[12] = 0x08;
	frame[13] = 0x06; /* ARP */
	CU_ASSERT_EQUAL(dp_parse(frame, (uint32_t)len, (uint32_t)len, &ports, &pkt), DP_DROP_pkt_not_ip);
}

static void test_ports_parse(void)
{
	struct dp_ports p;

	CU_ASSERT_EQUAL(dp_ports_parse("80,8080,1", &p), 0);
	CU_ASSERT_TRUE(dp_ports_has(&p, 80));
	CU_ASSERT_TRUE(dp_ports_has(&p, 8080));
	CU_ASSERT_TRUE(dp_ports_has(&p, 1));
	CU_ASSERT_FALSE(dp_ports_has(&p, 81));
	CU_ASSERT_EQUAL(dp_ports_parse("81", &p), 0);
	CU_ASSERT_FALSE(dp_ports_has(&p, 80));
	CU_ASSERT_EQUAL(dp_ports_parse("80,", &p), -EINVAL);
	CU_ASSERT_EQUAL(dp_ports_parse("0", &p), -EINVAL);
	CU_ASSERT_EQUAL(dp_ports_parse("65536", &p), -EINVAL);
	CU_ASSERT_EQUAL(dp_ports_parse("http", &p), -EINVAL);
	CU_ASSERT_TRUE(dp_ports_has(&p, 81)); /* untouched on failure */
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "ipv4_tcp", test_ipv4_tcp },
		{ "server_side_and_ports", test_server_side_and_ports },
		{ "vlan_and_qinq", test_vlan_and_qinq },
		{ "ipv4_options_and_padding", test_ipv4_options_and_padding },
		{ "ipv6_ext_headers", test_ipv6_ext_headers },
		{ "ipv6_ext_limit_and_ah", test_ipv6_ext_limit_and_ah },
		{ "big_tcp", test_big_tcp },
		{ "fragments", test_fragments },
		{ "rejects", test_rejects },
		{ "ports_parse", test_ports_parse },
		CU_TEST_INFO_NULL,
	};

	dp_ports_clear(&ports);
	dp_ports_add(&ports, 80);
	dp_ports_add(&ports, 8080);
	return hwall_test_main("dataplane/parse", tests);
}
