// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_xdp_canon.c - the XDP program and the loader agree on the canonical
 * form of a URL (common/url_canon.h, docs/enforcement.md "Canonical
 * form"): raw and percent-encoded bytes, hex case, %2F, malformed escapes,
 * an escape at every position of the scanner's words and chunks, random
 * targets; and the Host forms a block must not be bypassed by (any
 * amount of whitespace, trailing dot, port, case, absolute-form).  Needs
 * root (BPF program load).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/url.h"
#include "hwall_test.h"
#include "xdp_test.h"

#define REQ_MAX 4096

/* "GET @target HTTP/1.1" with Host @host, into a static buffer. */
static const char *get(const char *target, const char *host)
{
	static char buf[REQ_MAX];

	snprintf(buf, sizeof(buf), "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: */*\r\n\r\n", target,
		 host);
	return buf;
}

/* Block example.com + @url_path, then whether the request for @target is
 * answered with a RST. */
static int blocks(const char *url_path, const char *target)
{
	char url[REQ_MAX];

	reset();
	snprintf(url, sizeof(url), "example.com%s", url_path);
	if (block(url, 3600e9) < 0)
		return -1;
	return run4(get(target, "example.com")) == XDP_TX;
}

static void test_raw_and_encoded_bytes(void)
{
	CU_ASSERT_EQUAL(blocks("/%C3%A9.bin", "/%C3%A9.bin"), 1);
	CU_ASSERT_EQUAL(blocks("/%C3%A9.bin", "/\xc3\xa9.bin"), 1);
	CU_ASSERT_EQUAL(blocks("/%C3%A9.bin", "/%c3%a9.bin"), 1);
	CU_ASSERT_EQUAL(blocks("/%C3%A9.bin", "/%c3%A9.bin"), 1);
	CU_ASSERT_EQUAL(blocks("/\xc3\xa9.bin", "/%C3%a9.bin"), 1);
	CU_ASSERT_EQUAL(blocks("/%c3%a9.bin", "/\xc3\xa9.bin"), 1);
	CU_ASSERT_EQUAL(blocks("/%C3%A9.bin", "/%C3%A8.bin"), 0);
}

static void test_unreserved_and_slash_decoded(void)
{
	CU_ASSERT_EQUAL(blocks("/abc~_.-", "/%61%62%63%7E%5F%2E%2D"), 1);
	CU_ASSERT_EQUAL(blocks("/a/b.bin", "/a%2Fb.bin"), 1);
	CU_ASSERT_EQUAL(blocks("/a/b.bin", "/a%2fb.bin"), 1);
	CU_ASSERT_EQUAL(blocks("/a%2Fb.bin", "/a/b.bin"), 1);
	/* an escaped '%' is not a slash */
	CU_ASSERT_EQUAL(blocks("/a/b.bin", "/a%252Fb.bin"), 0);
	/* reserved bytes keep their escape: '?' in a path is not a query */
	CU_ASSERT_EQUAL(blocks("/a%3Fb", "/a%3fb"), 1);
	CU_ASSERT_EQUAL(blocks("/a%3Fb", "/a?b"), 0);
	CU_ASSERT_EQUAL(blocks("/a%20b", "/a%20b"), 1);
}

static void test_malformed_escapes(void)
{
	CU_ASSERT_EQUAL(blocks("/a%zz", "/a%zz"), 1);
	CU_ASSERT_EQUAL(blocks("/a%25zz", "/a%zz"), 1);
	CU_ASSERT_EQUAL(blocks("/a%", "/a%"), 1);
	CU_ASSERT_EQUAL(blocks("/a%4", "/a%4"), 1);
	CU_ASSERT_EQUAL(blocks("/a%4", "/a%254"), 1);
	CU_ASSERT_EQUAL(blocks("/a%%41", "/a%25A"), 1);
	CU_ASSERT_EQUAL(blocks("/x?q=%", "/x?q=%25"), 1);
}

static void test_query_canonical(void)
{
	CU_ASSERT_EQUAL(blocks("/v?id=%C3%A9", "/v?id=\xc3\xa9"), 1);
	CU_ASSERT_EQUAL(blocks("/v?id=A", "/v?id=%41"), 1);
	CU_ASSERT_EQUAL(blocks("/v?id=A", "/v?id=B"), 0);
	/* a path block covers every query, however spelled */
	CU_ASSERT_EQUAL(blocks("/%C3%A9", "/\xc3\xa9?x=%ff"), 1);
}

/* An escape or raw byte at every offset of the first 80 bytes of a path
 * and of a query: the hand-over from the word scan to the byte loop at
 * each position of a word, and across the byte loop's chunks. */
static void test_escape_at_every_position(void)
{
	char canon[REQ_MAX], raw[REQ_MAX];
	int ok = 0, n = 0;

	for (int q = 0; q < 2; q++) {
		for (int at = 1; at < 80; at++) {
			for (int len = at + 3; len < at + 12; len += 4) {
				/* raw: "/" or "/x?" then 'a's with 0xe9 at @at; canon has %E9 */
				int base = q ? 3 : 1;

				memset(raw, 'a', sizeof(raw));
				memcpy(raw, q ? "/x?" : "/", (size_t)base);
				raw[base + at] = (char)0xe9;
				raw[base + len] = 0;
				CU_ASSERT_FATAL(hwall_url_canon(raw, strlen(raw), canon, sizeof(canon)) > 0);
				ok += blocks(canon, raw) == 1;
				ok += blocks(raw, canon) == 1;
				n += 2;
			}
		}
	}
	CU_ASSERT_EQUAL(ok, n);
}

/* splitmix64 over a fixed seed: the same targets on every run. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A random target of @len bytes after "/": letters, escapes (valid,
 * malformed, of every kind of byte), raw high bytes, slashes, one '?'. */
static void random_target(uint64_t *s, char *t, size_t len)
{
	static const char alpha[] = "aZ09-._~/%%%%fF4x!$&'()*+,;=:@";
	int have_q = 0;

	t[0] = '/';
	for (size_t i = 1; i < len; i++) {
		uint64_t r = rnd(s);

		if (r % 11 == 0)
			t[i] = (char)(0x80 + (r >> 8) % 0x80);
		else if (r % 97 == 1 && !have_q && i > 1)
			t[i] = '?', have_q = 1;
		else
			t[i] = alpha[(r >> 16) % (sizeof(alpha) - 1)];
	}
	t[len] = 0;
}

static void test_random_targets_agree(void)
{
	uint64_t seed = 42;
	char raw[REQ_MAX], canon[REQ_MAX];
	int ok = 0, n = 0;

	for (int i = 0; i < 600; i++) {
		size_t len = 2 + rnd(&seed) % (i < 500 ? 120 : 700);

		random_target(&seed, raw, len);
		CU_ASSERT_FATAL(hwall_url_canon(raw, len, canon, sizeof(canon)) > 0);
		ok += blocks(raw, raw) == 1;
		ok += blocks(canon, raw) == 1;
		n += 2;
	}
	CU_ASSERT_EQUAL(ok, n);
}

/* Block http://example.com/x.bin, then whether a request with @host_line
 * (the whole header line) is answered with a RST. */
static int host_blocks(const char *host_line)
{
	char req[REQ_MAX];

	reset();
	if (block("http://example.com/x.bin", 3600e9) < 0)
		return -1;
	snprintf(req, sizeof(req), "GET /x.bin HTTP/1.1\r\n%s\r\nAccept: */*\r\n\r\n", host_line);
	return run4(req) == XDP_TX;
}

static void test_host_whitespace(void)
{
	char line[REQ_MAX];

	CU_ASSERT_EQUAL(host_blocks("Host:example.com"), 1);
	CU_ASSERT_EQUAL(host_blocks("Host: example.com"), 1);
	CU_ASSERT_EQUAL(host_blocks("Host:  example.com"), 1);
	CU_ASSERT_EQUAL(host_blocks("Host:\t example.com"), 1);
	CU_ASSERT_EQUAL(host_blocks("Host: \t \texample.com"), 1);
	CU_ASSERT_EQUAL(host_blocks("Host: example.com  "), 1);
	CU_ASSERT_EQUAL(host_blocks("Host: example.com\t"), 1);
	/* more whitespace than one call of the skip loop takes */
	snprintf(line, sizeof(line), "Host:%*sexample.com", 700, "");
	CU_ASSERT_EQUAL(host_blocks(line), 1);
	/* the Host line not first: the header loop's path */
	CU_ASSERT_EQUAL(host_blocks("Accept: */*\r\nHost:   example.com"), 1);
}

static void test_host_forms(void)
{
	CU_ASSERT_EQUAL(host_blocks("Host: EXAMPLE.com"), 1);
	CU_ASSERT_EQUAL(host_blocks("Host: example.com."), 1);
	CU_ASSERT_EQUAL(host_blocks("Host: Example.COM.:8080"), 1);
	CU_ASSERT_EQUAL(host_blocks("Host: example.com:80"), 1);
	CU_ASSERT_EQUAL(host_blocks("Host:  example.com. "), 1);
	CU_ASSERT_EQUAL(host_blocks("Host: example.com.."), 0);
	CU_ASSERT_EQUAL(host_blocks("Host: example.org"), 0);
}

/* A trailing dot at every position of the word-wise host scan. */
static void test_host_trailing_dot_every_length(void)
{
	char host[64], url[128], line[128];
	int ok = 0, n = 0;

	for (int len = 1; len < 40; len++) {
		memset(host, 'h', (size_t)len);
		host[len] = 0;
		snprintf(url, sizeof(url), "http://%s/x.bin", host);
		reset();
		CU_ASSERT_FATAL(block(url, 3600e9) == 0);
		snprintf(line, sizeof(line), "GET /x.bin HTTP/1.1\r\nHost: %s.\r\n\r\n", host);
		ok += run4(line) == XDP_TX;
		snprintf(line, sizeof(line), "GET /x.bin HTTP/1.1\r\nHost:  %s\r\n\r\n", host);
		ok += run4(line) == XDP_TX;
		snprintf(line, sizeof(line), "GET /x.bin HTTP/1.1\r\nHost: %s\r\n\r\n", host);
		ok += run4(line) == XDP_TX;
		n += 3;
	}
	CU_ASSERT_EQUAL(ok, n);
}

static void test_absolute_form_host_wins(void)
{
	reset();
	CU_ASSERT_EQUAL(block("http://example.com/x.bin", 3600e9), 0);
	CU_ASSERT_EQUAL(run4("GET http://Example.COM./x.bin HTTP/1.1\r\nHost: other.org\r\n\r\n"),
			XDP_TX);
	CU_ASSERT_EQUAL(run4("GET http://other.org/x.bin HTTP/1.1\r\nHost: example.com\r\n\r\n"),
			XDP_PASS);
	CU_ASSERT_EQUAL(run4("GET http://example.com/%78.bin HTTP/1.1\r\nHost: example.com\r\n\r\n"),
			XDP_TX);
}

static void test_loader_host_forms(void)
{
	uint64_t a = 0, b = 0;

	/* "://" in a path or query is no scheme */
	CU_ASSERT_EQUAL(bpfw_url_key("example.com/go?to=http://x.org/", &a), 0);
	CU_ASSERT_EQUAL(bpfw_url_key("ftp://example.com/x", &a), -EINVAL);

	CU_ASSERT_EQUAL(bpfw_url_key("example.com/x", &a), 0);
	CU_ASSERT_EQUAL(bpfw_url_key("http://EXAMPLE.com.:8080/x", &b), 0);
	CU_ASSERT_EQUAL(a, b);
	/* events write host bytes >= 0x7f as %XY; the program sees them raw */
	CU_ASSERT_EQUAL(bpfw_url_key("%C3%A9.example/x", &a), 0);
	CU_ASSERT_EQUAL(bpfw_url_key("\xc3\xa9.example/x", &b), 0);
	CU_ASSERT_EQUAL(a, b);
}

static CU_TestInfo tests[] = {
	{ "raw bytes, escapes and hex case are one URL", test_raw_and_encoded_bytes },
	{ "unreserved bytes and %2F decoded, others kept", test_unreserved_and_slash_decoded },
	{ "malformed escapes agree", test_malformed_escapes },
	{ "queries canonical too", test_query_canonical },
	{ "escape at every scanner position", test_escape_at_every_position },
	{ "random targets: program and loader agree", test_random_targets_agree },
	{ "Host: any whitespace before and after", test_host_whitespace },
	{ "Host: case, trailing dot, port", test_host_forms },
	{ "Host: trailing dot at every length", test_host_trailing_dot_every_length },
	{ "absolute-form target's host wins", test_absolute_form_host_wins },
	{ "loader: host forms and escaped bytes", test_loader_host_forms },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc;

	if (geteuid() != 0) {
		fprintf(stderr, "test_xdp_canon: needs root (BPF program load); skipped\n");
		return 77; /* meson: skipped */
	}
	skel = xdp_block__open_and_load();
	if (!skel) {
		fprintf(stderr, "test_xdp_canon: cannot load xdp_block: %s\n", strerror(errno));
		return 1;
	}
	rc = hwall_test_main("bpf/xdp_canon", tests);
	xdp_block__destroy(skel);
	return rc;
}
