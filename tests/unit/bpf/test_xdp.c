// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_xdp.c - the XDP program (xdp_block.bpf.c) on crafted packets with
 * bpf_prog_test_run_opts: blocked requests over IPv4, IPv6 and VLAN, the
 * RST it builds (addresses, ports, sequence and acknowledgement numbers,
 * checksums), unblocked, expired, Host forms, absolute-form, queries, and
 * every packet it must pass untouched (truncated, malformed, non-HTTP,
 * non-TCP, split requests).  Needs root (BPF program load).
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hwall_test.h"
#include "xdp_test.h"

/* The RST answering a request with @plen payload bytes: at @l3 in out. */
static void check_rst(size_t l3, int family, size_t plen)
{
	const uint8_t *ip = out + l3;
	size_t l4 = l3 + (family == 6 ? 40 : 20);
	const struct tcphdr *tcp = (const struct tcphdr *)(out + l4);

	CU_ASSERT_EQUAL(out_len, l4 + 20);
	CU_ASSERT_EQUAL(memcmp(out, pkt_client_mac, 6), 0);
	CU_ASSERT_EQUAL(memcmp(out + 6, pkt_server_mac, 6), 0);
	CU_ASSERT_EQUAL(ntohs(tcp->source), PKT_SERVER_PORT);
	CU_ASSERT_EQUAL(ntohs(tcp->dest), PKT_CLIENT_PORT);
	CU_ASSERT_EQUAL(ntohl(tcp->seq), REQ_ACK);
	CU_ASSERT_EQUAL(ntohl(tcp->ack_seq), REQ_SEQ + plen);
	CU_ASSERT_EQUAL(out[l4 + 12], 5 << 4);
	CU_ASSERT_EQUAL(out[l4 + 13], 0x14); /* RST|ACK */
	CU_ASSERT_EQUAL(pkt_l4_csum(ip, out + l4, 20, IPPROTO_TCP), 0);
}

static void check_rst4(size_t l3, size_t plen)
{
	const struct iphdr *ip = (const struct iphdr *)(out + l3);

	CU_ASSERT_EQUAL(ip->saddr, htonl(PKT_SERVER4));
	CU_ASSERT_EQUAL(ip->daddr, htonl(PKT_CLIENT4));
	CU_ASSERT_EQUAL(ntohs(ip->tot_len), 40);
	CU_ASSERT_EQUAL(pkt_fold(pkt_sum(ip, 20, 0)), 0);
	check_rst(l3, 4, plen);
}

static void test_blocked_ipv4_rst(void)
{
	const char *req = GET("/img/a.jpg", "example.com");

	reset();
	CU_ASSERT_EQUAL(block("http://example.com/img/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run4(req), XDP_TX);
	check_rst4(14, strlen(req));
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 1);
	CU_ASSERT_EQUAL(hits("example.com/img/a.jpg"), 1);
}

static void test_blocked_ipv6_rst(void)
{
	struct pkt_spec s = { .family = 6 };
	const char *req = GET("/img/a.jpg", "example.com");
	const struct ipv6hdr *ip6 = (const struct ipv6hdr *)(out + 14);

	reset();
	CU_ASSERT_EQUAL(block("example.com/img/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run_spec(&s, req), XDP_TX);
	check_rst(14, 6, strlen(req));
	CU_ASSERT_EQUAL(memcmp(&ip6->saddr, pkt_server6, 16), 0);
	CU_ASSERT_EQUAL(memcmp(&ip6->daddr, pkt_client6, 16), 0);
	CU_ASSERT_EQUAL(ntohs(ip6->payload_len), 20);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 1);
}

static void test_blocked_vlan_rst(void)
{
	struct pkt_spec s = { .family = 4, .vlan = 42 };
	const char *req = GET("/img/a.jpg", "example.com");

	reset();
	CU_ASSERT_EQUAL(block("example.com/img/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run_spec(&s, req), XDP_TX);
	CU_ASSERT_EQUAL(out[12], 0x81);
	CU_ASSERT_EQUAL(out[13], 0x00);
	CU_ASSERT_EQUAL(out[15], 42);
	check_rst4(18, strlen(req));
}

static void test_blocked_with_tcp_options_and_fin(void)
{
	struct pkt_spec s = { .family = 4, .tcp_opt_len = 12, .tcp_flags = 0x19 /* FIN|PSH|ACK */ };
	const char *req = GET("/img/a.jpg", "example.com");

	reset();
	CU_ASSERT_EQUAL(block("example.com/img/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run_spec(&s, req), XDP_TX);
	check_rst4(14, strlen(req) + 1);
}

static void test_not_blocked_passes_untouched(void)
{
	const char *req = GET("/img/b.jpg", "example.com");
	size_t n;

	reset();
	CU_ASSERT_EQUAL(block("example.com/img/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run4(req), XDP_PASS);
	n = 14 + 20 + 20 + strlen(req);
	CU_ASSERT_EQUAL(out_len, n);
	CU_ASSERT_EQUAL(memcmp(out, pkt, n), 0);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_ALLOWED), 1);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 0);
}

static void test_other_host_not_blocked(void)
{
	reset();
	CU_ASSERT_EQUAL(block("example.com/img/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run4(GET("/img/a.jpg", "example.org")), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_ALLOWED), 1);
}

static void test_expired_entry_passes(void)
{
	reset();
	CU_ASSERT_EQUAL(block("example.com/img/a.jpg", -1), 0);
	CU_ASSERT_EQUAL(run4(GET("/img/a.jpg", "example.com")), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_EXPIRED), 1);
	CU_ASSERT_EQUAL(hits("example.com/img/a.jpg"), 0);
}

static void test_host_port_and_case(void)
{
	reset();
	CU_ASSERT_EQUAL(block("http://www.example.com/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run4("GET /a.jpg HTTP/1.1\r\nAccept: */*\r\nhOsT:WWW.Example.COM:8080\r\n\r\n"),
			XDP_TX);
	CU_ASSERT_EQUAL(run4(GET("/A.jpg", "www.example.com")), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 1);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_ALLOWED), 1);
}

/* Host right after the request line (read with the line's tail), in any
 * case and with a tab; a longer header name that starts with "Host" is not
 * it. */
static void test_host_first_header(void)
{
	reset();
	CU_ASSERT_EQUAL(block("http://www.example.com/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run4("GET /a.jpg HTTP/1.1\r\nhOsT:\tWWW.Example.COM\r\n\r\n"), XDP_TX);
	CU_ASSERT_EQUAL(run4("GET /a.jpg HTTP/1.1\r\nHOST:www.example.com\r\n\r\n"), XDP_TX);
	CU_ASSERT_EQUAL(run4("GET /a.jpg HTTP/1.1\r\nHostx: other\r\nHost: www.example.com\r\n\r\n"),
			XDP_TX);
	CU_ASSERT_EQUAL(run4("GET /a.jpg HTTP/1.1\r\nHost-X: www.example.com\r\nHost: other\r\n\r\n"),
			XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 3);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_ALLOWED), 1);
}

/* Methods of 1 to 16 letters; anything else is not a request. */
static void test_method_tokens(void)
{
	reset();
	CU_ASSERT_EQUAL(block("example.com/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run4("X /a.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_TX);
	CU_ASSERT_EQUAL(run4("OPTIONS /a.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_TX);
	CU_ASSERT_EQUAL(run4("PROPFIND /a.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_TX);
	CU_ASSERT_EQUAL(run4("ABCDEFGHIJKLMNOP /a.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_TX);
	CU_ASSERT_EQUAL(run4("ABCDEFGHIJKLMNOPQ /a.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(run4("get /a.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(run4("GeT /a.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(run4(" GET /a.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(run4("GET\t/a.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(run4("GET"), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 4);
	CU_ASSERT_EQUAL(counter(BPFW_R_NOT_REQUEST), 5);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_INCOMPLETE), 1);
}

static void test_absolute_form(void)
{
	reset();
	CU_ASSERT_EQUAL(block("example.com/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run4("GET HTTP://user:pw@Example.COM:80/a.jpg HTTP/1.1\r\nHost: other\r\n\r\n"),
			XDP_TX);
	CU_ASSERT_EQUAL(run4("GET http://example.com/b.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n"),
			XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 1);
}

static void test_ipv6_literal_host(void)
{
	reset();
	CU_ASSERT_EQUAL(block("http://[fd00::2]:8080/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run4(GET("/a.jpg", "[FD00::2]")), XDP_TX);
	CU_ASSERT_EQUAL(run4(GET("/a.jpg", "[fd00::3]")), XDP_PASS);
}

static void test_query_path_and_exact_keys(void)
{
	reset();
	CU_ASSERT_EQUAL(block("example.com/any.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(block("example.com/view?id=7", 3600e9), 0);
	CU_ASSERT_EQUAL(run4(GET("/any.jpg?x=1", "example.com")), XDP_TX);
	CU_ASSERT_EQUAL(run4(GET("/view?id=7", "example.com")), XDP_TX);
	CU_ASSERT_EQUAL(run4(GET("/view?id=8", "example.com")), XDP_PASS);
	CU_ASSERT_EQUAL(run4(GET("/view", "example.com")), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 2);
}

static void test_long_query_still_checks_path(void)
{
	char req[1600];

	reset();
	memset(req, 'a', sizeof(req));
	memcpy(req, "GET /any.jpg?", 13);
	snprintf(req + 1300, 300, " HTTP/1.1\r\nHost: example.com\r\n\r\n");
	CU_ASSERT_EQUAL(block("example.com/any.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run4(req), XDP_TX);
}

/* "GET <path of @n bytes> HTTP/1.1" with Host example.com, into @buf;
 * the URL of that path into @url. */
static void long_request(char *buf, size_t cap, char *url, size_t ucap, size_t n)
{
	char path[BPFW_PATH_MAX + 8];

	memset(path, 'p', n);
	path[0] = '/';
	path[n] = 0;
	snprintf(buf, cap, "GET %s HTTP/1.1\r\nHost: example.com\r\n\r\n", path);
	snprintf(url, ucap, "example.com%s", path);
}

static void test_path_length_limit(void)
{
	char req[BPFW_PATH_MAX + 80], url[BPFW_PATH_MAX + 40];

	reset();
	long_request(req, sizeof(req), url, sizeof(url), BPFW_PATH_MAX);
	CU_ASSERT_EQUAL(block(url, 3600e9), 0);
	CU_ASSERT_EQUAL(run4(req), XDP_TX);
	long_request(req, sizeof(req), url, sizeof(url), BPFW_PATH_MAX + 1);
	CU_ASSERT_EQUAL(block(url, 3600e9), -ENAMETOOLONG);
	CU_ASSERT_EQUAL(run4(req), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_TOO_LONG), 1);
}

/* Every position of the path's end within the 8-byte steps of the
 * scanner, with and without a query. */
static void test_path_lengths_around_steps(void)
{
	char req[BPFW_PATH_MAX + 80], url[BPFW_PATH_MAX + 40];

	reset();
	for (size_t n = 1; n <= 18; n++) {
		long_request(req, sizeof(req), url, sizeof(url), n);
		CU_ASSERT_EQUAL(block(url, 3600e9), 0);
		CU_ASSERT_EQUAL(run4(req), XDP_TX);
	}
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 18);
	CU_ASSERT_EQUAL(run4(GET("/ppppppp", "example.org")), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_ALLOWED), 1);
}

/* "GET /<q> HTTP/1.1" with Host @host (+ @port), blocked as
 * http://<host>/<q>: the RST proves kernel and user space agree. */
static int run_host(const char *host, const char *port, const char *q)
{
	char req[600], url[400];

	snprintf(req, sizeof(req), "GET /%s HTTP/1.1\r\nHost: %s%s\r\n\r\n", q, host, port);
	snprintf(url, sizeof(url), "http://%s%s/%s", host, port, q);
	return block(url, 3600e9) ? -1 : run4(req);
}

/* Every position of the host's and the query's end within the 8-byte
 * words of the scanners (past the 3 words hashed with the request line's
 * tail too), mixed case, with and without a port (the port takes the
 * byte-wise host scan). */
static void test_host_and_query_lengths_around_words(void)
{
	char host[40] = "Ab-9.cDeFgHiJkLmNoPqRsTuVwXyZ.eXaMple";
	char query[40] = "x?q=0123456789ABCDEFabcdef+%20&z=1";

	reset();
	for (size_t n = 1; n <= 26; n++) {
		char h[40], qr[40];

		snprintf(h, sizeof(h), "%.*s", (int)n, host);
		snprintf(qr, sizeof(qr), "%.*s", (int)n + 1, query);
		CU_ASSERT_EQUAL(run_host(h, "", "a"), XDP_TX);
		CU_ASSERT_EQUAL(run_host(h, ":8080", "b"), XDP_TX);
		CU_ASSERT_EQUAL(run_host("q.example", "", qr), XDP_TX);
	}
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 78);
	CU_ASSERT_EQUAL(run4(GET("/a", "Ab-9.cDeFgHiJkLmNoPqRsTuVwX")), XDP_PASS);
	CU_ASSERT_EQUAL(run4(GET("/a", "Ab-9.cDeFgHiJkLmNoPqRsTuVwXy")), XDP_PASS);
	CU_ASSERT_EQUAL(run4(GET("/x?q=0123456789ABCDEFabcdef+%", "q.example")), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_ALLOWED), 3);
}

/* Host of exactly BPFW_HOST_MAX bytes (past the word-wise scan) is
 * checked, with and without a port; one byte more passes as too long. */
static void test_host_length_limit(void)
{
	char host[BPFW_HOST_MAX + 2];

	reset();
	memset(host, 'h', sizeof(host));
	host[BPFW_HOST_MAX] = 0;
	CU_ASSERT_EQUAL(run_host(host, "", "a"), XDP_TX);
	CU_ASSERT_EQUAL(run_host(host, ":80", "b"), XDP_TX);
	host[BPFW_HOST_MAX] = 'h';
	host[BPFW_HOST_MAX + 1] = 0;
	CU_ASSERT_EQUAL(run_host(host, "", "a"), -1);
	CU_ASSERT_EQUAL(run4(GET("/a", "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"
				 "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"
				 "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"
				 "hhhhhhhhhhhhhhhh")), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 2);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_TOO_LONG), 1);
}

static void test_ip_options_drop(void)
{
	struct pkt_spec s = { .family = 4, .ip_opt_len = 4 };

	reset();
	CU_ASSERT_EQUAL(block("example.com/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run_spec(&s, GET("/a.jpg", "example.com")), XDP_DROP);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_DROPPED), 1);
}

static void test_truncated_and_malformed(void)
{
	const char *req = GET("/a.jpg", "example.com");
	size_t n;

	reset();
	CU_ASSERT_EQUAL(block("example.com/a.jpg", 3600e9), 0);
	n = pkt_build(pkt, &(struct pkt_spec){ .family = 4, .payload = req, .len = strlen(req) });
	CU_ASSERT_EQUAL(bt_run(prog_fd(), pkt, 14 + 10, out, &out_len), XDP_PASS);
	CU_ASSERT_EQUAL(bt_run(prog_fd(), pkt, 14 + 20 + 12, out, &out_len), XDP_PASS);
	pkt[14] = 0x44; /* IHL 4 */
	CU_ASSERT_EQUAL(bt_run(prog_fd(), pkt, n, out, &out_len), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_TRUNCATED), 3);
	/* request cut inside the Host header: payload shorter than IP says */
	n = pkt_build(pkt, &(struct pkt_spec){ .family = 4, .payload = req, .len = strlen(req) });
	CU_ASSERT_EQUAL(bt_run(prog_fd(), pkt, n - 50, out, &out_len), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_INCOMPLETE), 1);
	CU_ASSERT_EQUAL(run4("GET /a.jpg\r\nHost: example.com\r\n\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(run4("GET /a\x01.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_MALFORMED), 2);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 0);
}

static void test_fragment_passes(void)
{
	struct pkt_spec s = { .family = 4, .frag = 0x2000 /* MF */ };

	reset();
	CU_ASSERT_EQUAL(block("example.com/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run_spec(&s, GET("/a.jpg", "example.com")), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_IP_FRAGMENT), 1);
}

static void test_non_http_and_non_tcp(void)
{
	struct pkt_spec udp = { .family = 4, .proto = IPPROTO_UDP };
	uint8_t arp[60] = { 0 };

	reset();
	CU_ASSERT_EQUAL(run4("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), XDP_PASS);
	CU_ASSERT_EQUAL(run4("SSH-2.0-OpenSSH_9.2\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(run4("OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_NOT_REQUEST), 3);
	CU_ASSERT_EQUAL(run4(NULL), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_NO_PAYLOAD), 1);
	CU_ASSERT_EQUAL(run_spec(&udp, "GET / HTTP/1.1\r\n\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_NOT_TCP), 1);
	arp[12] = 0x08;
	arp[13] = 0x06;
	CU_ASSERT_EQUAL(bt_run(prog_fd(), arp, sizeof(arp), out, &out_len), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_NOT_IP), 1);
}

/* A request line split over two segments is not seen whole in either:
 * both pass (documented limit, counted). */
static void test_split_request_passes(void)
{
	reset();
	CU_ASSERT_EQUAL(block("example.com/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run4("GET /a.j"), XDP_PASS);
	CU_ASSERT_EQUAL(run4("pg HTTP/1.1\r\nHost: example.com\r\n\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_INCOMPLETE), 1);
	CU_ASSERT_EQUAL(counter(BPFW_R_NOT_REQUEST), 1);
	CU_ASSERT_EQUAL(counter(BPFW_R_URL_RST), 0);
}

static void test_no_host_header_passes(void)
{
	reset();
	CU_ASSERT_EQUAL(block("example.com/a.jpg", 3600e9), 0);
	CU_ASSERT_EQUAL(run4("GET /a.jpg HTTP/1.0\r\nAccept: */*\r\n\r\n"), XDP_PASS);
	CU_ASSERT_EQUAL(counter(BPFW_R_HTTP_ALLOWED), 1);
}

/* The URL key as docs/enforcement.md writes it down, independently of
 * bpfw_shared.h: mix and H over zero-padded little-endian words. */
#define DOC_SEED 0x6a09e667f3bcc908ULL
#define DOC_MUL 0x9e3779b97f4a7c15ULL

static uint64_t doc_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * DOC_MUL;
	return h ^ (h >> 32);
}

static uint64_t doc_h(uint64_t h, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;

		memcpy(&w, s + i, n - i < 8 ? n - i : 8);
		h = doc_mix(h, le64toh(w));
	}
	return h;
}

static void test_url_key_definition(void)
{
	uint64_t k = 0, host = doc_h(DOC_SEED, "example.com");

	CU_ASSERT_EQUAL(bpfw_url_key("http://u@Example.COM:8080/path/to/obj.bin?x=12345#f", &k), 0);
	CU_ASSERT_EQUAL(k, doc_mix(doc_mix(doc_h(doc_h(DOC_SEED, "/path/to/obj.bin"), "?x=12345"),
					   host), DOC_SEED));
	CU_ASSERT_EQUAL(bpfw_url_key("example.com", &k), 0);
	CU_ASSERT_EQUAL(k, doc_mix(doc_mix(doc_h(DOC_SEED, "/"), host), DOC_SEED));
}

static void test_url_key_rules(void)
{
	uint64_t a = 0, b = 0, c = 0;
	char longpath[BPFW_PATH_MAX + 40];

	CU_ASSERT_EQUAL(bpfw_url_key("http://Example.COM:8080/x#frag", &a), 0);
	CU_ASSERT_EQUAL(bpfw_url_key("example.com/x", &b), 0);
	CU_ASSERT_EQUAL(a, b);
	CU_ASSERT_EQUAL(bpfw_url_key("example.com/X", &c), 0);
	CU_ASSERT_NOT_EQUAL(b, c);
	CU_ASSERT_EQUAL(bpfw_url_key("https://example.com/x", &a), -EINVAL);
	CU_ASSERT_EQUAL(bpfw_url_key("/x", &a), -EINVAL);
	CU_ASSERT_EQUAL(bpfw_url_key("example.com/a b", &a), -EINVAL);
	CU_ASSERT_EQUAL(bpfw_url_key("example.com/a\x01b", &a), -EINVAL);
	CU_ASSERT_EQUAL(bpfw_url_key("a@b@example.com/x", &a), -EINVAL);
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = 0;
	memcpy(longpath, "h.example/", 10);
	CU_ASSERT_EQUAL(bpfw_url_key(longpath, &a), -ENAMETOOLONG);
}

static CU_TestInfo tests[] = {
	{ "blocked GET over IPv4 gets a correct RST", test_blocked_ipv4_rst },
	{ "blocked GET over IPv6 gets a correct RST", test_blocked_ipv6_rst },
	{ "blocked GET over VLAN keeps the tag", test_blocked_vlan_rst },
	{ "TCP options dropped, FIN counted in ack", test_blocked_with_tcp_options_and_fin },
	{ "unblocked URL passes untouched", test_not_blocked_passes_untouched },
	{ "same path on another host passes", test_other_host_not_blocked },
	{ "expired entry passes", test_expired_entry_passes },
	{ "Host with port and mixed case", test_host_port_and_case },
	{ "Host right after the request line", test_host_first_header },
	{ "method tokens", test_method_tokens },
	{ "absolute-form target with userinfo", test_absolute_form },
	{ "IPv6 literal host keeps brackets", test_ipv6_literal_host },
	{ "path key blocks all queries, exact key one", test_query_path_and_exact_keys },
	{ "over-long query still checks the path key", test_long_query_still_checks_path },
	{ "path of the maximum length checked, longer passes", test_path_length_limit },
	{ "path ends at every step position", test_path_lengths_around_steps },
	{ "host and query end at every word position", test_host_and_query_lengths_around_words },
	{ "host of the maximum length checked, longer passes", test_host_length_limit },
	{ "IPv4 options: blocked request dropped", test_ip_options_drop },
	{ "truncated and malformed packets pass", test_truncated_and_malformed },
	{ "IP fragments pass", test_fragment_passes },
	{ "non-HTTP TCP and non-TCP pass", test_non_http_and_non_tcp },
	{ "request split over two segments passes", test_split_request_passes },
	{ "HTTP/1.0 without Host passes", test_no_host_header_passes },
	{ "user-space URL key rules", test_url_key_rules },
	{ "URL key as documented", test_url_key_definition },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc;

	if (geteuid() != 0) {
		fprintf(stderr, "test_xdp: needs root (BPF program load, bpffs); skipped\n");
		return 77; /* meson: skipped */
	}

	skel = xdp_block__open_and_load();
	if (!skel) {
		fprintf(stderr, "test_xdp: cannot load xdp_block: %s\n",
			strerror(errno));
		return 1;
	}
	rc = hwall_test_main("bpf/xdp", tests);
	xdp_block__destroy(skel);
	return rc;
}
