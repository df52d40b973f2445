// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_xdp.c - per-packet cost of the XDP program (xdp_block.bpf.c) from
 * bpf_prog_test_run_opts durations (average ns per run over many repeats,
 * JIT on): non-HTTP traffic, and HTTP requests checked against a map of
 * BENCH_URLS (default 1 million) blocked URLs.  Prints the figures next
 * to the targets (<= 50 ns non-HTTP, <= 200 ns request); it does not fail
 * on them; the first line is the cost of test_run itself with an empty
 * program, included in every figure.  Needs root.
 *
 *   build/tests/bench/bpf/bench_bpf_xdp [urls] [repeat]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfw.h"
#include "pkt.h"
#include "xdp_block.skel.h"
#include "common/clock.h"

static uint8_t pkt_buf[4096 + 8] __attribute__((aligned(8)));
static uint8_t *const pkt = pkt_buf + 2;

/* Fill bpfw_urls with @n synthetic URLs, renewed for an hour. */
static int fill(int fd, uint32_t n)
{
	struct bpfw_url_val v = { 0 };
	char url[96];
	uint64_t key;

	v.expires_ns = hwall_mono_ns() + 3600e9;
	for (uint32_t i = 0; i < n; i++) {
		snprintf(url, sizeof(url), "http://host%u.example/objects/%08x.bin", i % 97, i);
		if (bpfw_url_key(url, &key) || bpf_map_update_elem(fd, &key, &v, BPF_ANY))
			return -1;
	}
	return 0;
}

/* Average ns per run of the program on the packet built from @s. */
static int measure(int prog_fd, struct pkt_spec *s, const char *payload, int repeat,
		   uint32_t *ret_ns, uint32_t *ret_verdict)
{
	size_t n;

	s->payload = payload;
	s->len = payload ? strlen(payload) : 0;
	s->seq = 1000;
	s->ack = 2000;
	n = pkt_build(pkt, s);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (uint32_t)n,
		    .repeat = repeat);
	if (bpf_prog_test_run_opts(prog_fd, &o) < 0)
		return -errno;
	*ret_ns = o.duration;
	*ret_verdict = o.retval;
	return 0;
}

/* An XDP program that only returns XDP_PASS: what test_run itself costs. */
static int load_baseline(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "bpfw_bench_base", "GPL", insns, 2, NULL);
}

#define REQ(target, host) "GET " target " HTTP/1.1\r\nHost: " host \
	"\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0" \
	"\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n"

int main(int argc, char **argv)
{
	uint32_t urls = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
	int repeat = argc > 2 ? atoi(argv[2]) : 1000000;
	static const struct {
		const char *name;
		int family;
		uint8_t proto;
		const char *payload;
		const char *target;
	} cases[] = {
		{ "non-HTTP: TCP ACK, no payload", 4, 0, NULL, "<= 50" },
		{ "non-HTTP: TLS record", 4, 0, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "<= 50" },
		{ "non-HTTP: UDP", 4, IPPROTO_UDP, "synthetic datagram", "<= 50" },
		{ "non-HTTP: IPv6 TCP ACK", 6, 0, NULL, "<= 50" },
		{ "request, minimal (\"GET / \", Host: a)", 4, 0, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "<= 200" },
		{ "request, not blocked (IPv4)", 4, 0, REQ("/objects/ffffffff.bin", "host1.example"), "<= 200" },
		{ "request, not blocked (IPv6)", 6, 0, REQ("/objects/ffffffff.bin", "host1.example"), "<= 200" },
		{ "request with query, not blocked", 4, 0,
		  REQ("/objects/ffffffff.bin?w=640&h=480&session=0123456789abcdef", "host1.example"), "<= 200" },
		{ "request, blocked entry expired (hit)", 4, 0, REQ("/objects/expired.bin", "host1.example"), "<= 200" },
	};
	struct bpfw_url_val exp = { .expires_ns = 1 };
	struct xdp_block *skel;
	uint64_t key;
	double t0;
	int fd;

	skel = xdp_block__open();
	if (!skel || bpf_map__set_max_entries(skel->maps.bpfw_urls, urls + 16) ||
	    xdp_block__load(skel)) {
		fprintf(stderr, "bench_xdp: cannot load xdp_block (root needed): %s\n", strerror(errno));
		return 1;
	}
	fd = bpf_map__fd(skel->maps.bpfw_urls);
	t0 = hwall_mono_s();
	if (fill(fd, urls) || bpfw_url_key("host1.example/objects/expired.bin", &key) ||
	    bpf_map_update_elem(fd, &key, &exp, BPF_ANY)) {
		fprintf(stderr, "bench_xdp: cannot fill the URL map: %s\n", strerror(errno));
		xdp_block__destroy(skel);
		return 1;
	}
	printf("blocked-URL map: %u entries (filled in %.2f s), %d runs per case\n", urls + 1,
	       hwall_mono_s() - t0, repeat);
	printf("%-40s %8s %8s %s\n", "case", "ns/pkt", "target", "verdict");
	{
		struct pkt_spec s = { .family = 4 };
		uint32_t ns = 0, verdict = 0;
		int base = load_baseline();

		if (base >= 0 && measure(base, &s, NULL, repeat, &ns, &verdict) == 0)
			printf("%-40s %8u %8s %s\n", "baseline: empty XDP program", ns, "-", "pass");
		if (base >= 0)
			close(base);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pkt_spec s = { .family = cases[i].family, .proto = cases[i].proto };
		uint32_t ns = 0, verdict = 0;

		if (measure(bpf_program__fd(skel->progs.bpfw_xdp_block), &s, cases[i].payload, repeat,
			    &ns, &verdict)) {
			fprintf(stderr, "bench_xdp: test run failed: %s\n", strerror(errno));
			xdp_block__destroy(skel);
			return 1;
		}
		printf("%-40s %8u %8s %s\n", cases[i].name, ns, cases[i].target,
		       verdict == XDP_PASS ? "pass" : "other");
	}
	xdp_block__destroy(skel);
	return 0;
}
