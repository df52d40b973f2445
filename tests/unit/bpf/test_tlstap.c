/* SPDX-License-Identifier: GPL-2.0-only */
/* Tests of the TLS tap program and its loader (bpf/bpfw_tlstap.*), as root:
 * load and attach (every process, one PID), refusals; then a real TLS
 * exchange inside this process over loopback TCP (OpenSSL, a key and
 * certificate made here): the records carry exactly the plaintext of each
 * direction at the right offsets, the server's socket addresses and
 * cookie, and the connection's end; this process's own client side is not
 * followed (its local port is not a server port); a 64 KiB write is split
 * into records of at most TLSTAP_CHUNK bytes. */
#include "bpf/bpfw_tlstap.h"
#include "hwall_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define BIG 65536
#define OUT_CAP (BIG + 4096)

static const char request[] = "GET /x HTTP/1.1\r\nHost: t\r\n\r\n";

/* What the ring delivered for the server's connection. */
static struct {
	uint8_t in[256], out[OUT_CAP];
	uint64_t in_len, out_len;
	unsigned int records, closes, max_len;
	bool offsets_ok, addr_ok, cookie_ok;
	uint16_t server_port;
} got;

static int on_rec(void *ctx, const struct tlstap_rec *r, size_t size)
{
	(void)ctx;
	(void)size;
	if (r->kind == TLSTAP_CLOSE) {
		got.closes++;
		return 0;
	}
	if (r->kind != TLSTAP_DATA)
		return 0;
	got.records++;
	got.max_len = r->len > got.max_len ? r->len : got.max_len;
	got.addr_ok &= r->family == 4 && r->local_port == got.server_port && r->local[15] == 1 &&
		       r->local[12] == 127;
	got.cookie_ok &= r->cookie != 0;
	if (r->dir == TLSTAP_DIR_IN) {
		got.offsets_ok &= r->off == got.in_len && got.in_len + r->len <= sizeof(got.in);
		memcpy(got.in + got.in_len, r->data, r->len);
		got.in_len += r->len;
	} else {
		got.offsets_ok &= r->off == got.out_len && got.out_len + r->len <= sizeof(got.out);
		memcpy(got.out + got.out_len, r->data, r->len);
		got.out_len += r->len;
	}
	return 0;
}

/* A self-signed P-256 certificate for the server context. */
static SSL_CTX *server_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();

	CU_ASSERT_TRUE_FATAL(ctx && key && x);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"t", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_sign(x, key, EVP_sha256());
	CU_ASSERT_EQUAL(SSL_CTX_use_certificate(ctx, x), 1);
	CU_ASSERT_EQUAL(SSL_CTX_use_PrivateKey(ctx, key), 1);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

struct server {
	int lfd;
	SSL_CTX *ctx;
	uint8_t *body;
};

/* The server: read the request, answer BIG bytes in one SSL_write_ex. */
static void *serve(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);
	SSL *ssl = SSL_new(s->ctx);
	char buf[256];
	size_t n = 0;

	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) == 1 && SSL_read(ssl, buf, sizeof(buf)) > 0)
		SSL_write_ex(ssl, s->body, BIG, &n);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	return NULL;
}

static int listen_lo(uint16_t *ret_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	CU_ASSERT_TRUE_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	CU_ASSERT_EQUAL_FATAL(listen(fd, 1), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*ret_port = ntohs(a.sin_port);
	return fd;
}

/* The client: send the request, read everything. */
static uint64_t client(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	SSL *ssl = SSL_new(ctx);
	static uint8_t buf[BIG];
	uint64_t total = 0;
	int n;

	CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	SSL_set_fd(ssl, fd);
	CU_ASSERT_EQUAL(SSL_connect(ssl), 1);
	CU_ASSERT_EQUAL(SSL_write(ssl, request, (int)strlen(request)), (int)strlen(request));
	while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0)
		total += (uint64_t)n;
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return total;
}

static void test_exchange(void)
{
	struct bpfw_tap_opts o = { .n_ports = 1 };
	struct hwall_err err = { { 0 } };
	struct server s = { .ctx = server_ctx() };
	struct bpfw_tap *t;
	uint64_t st = 9, k[TLSTAP_REASON_COUNT];
	pthread_t th;

	memset(&got, 0, sizeof(got));
	got.offsets_ok = got.addr_ok = got.cookie_ok = true;
	s.body = malloc(BIG);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.body);
	hwall_test_rand_bytes(&st, s.body, BIG);
	s.lfd = listen_lo(&got.server_port);
	o.ports[0] = got.server_port;
	o.pids[o.n_pids++] = getpid();
	t = bpfw_tap_open(&o, on_rec, NULL, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(bpfw_tap_links(t), 12);
	pthread_create(&th, NULL, serve, &s);
	CU_ASSERT_EQUAL(client(got.server_port), BIG);
	pthread_join(th, NULL);
	for (int i = 0; i < 20 && !got.closes; i++)
		bpfw_tap_poll(t, 50);
	CU_ASSERT_EQUAL(got.in_len, strlen(request));
	CU_ASSERT_EQUAL(memcmp(got.in, request, strlen(request)), 0);
	CU_ASSERT_EQUAL(got.out_len, BIG);
	CU_ASSERT_EQUAL(memcmp(got.out, s.body, BIG), 0);
	CU_ASSERT_TRUE(got.offsets_ok);
	CU_ASSERT_TRUE(got.addr_ok);
	CU_ASSERT_TRUE(got.cookie_ok);
	CU_ASSERT_EQUAL(got.max_len, TLSTAP_CHUNK);
	CU_ASSERT_EQUAL(got.records, 1 + BIG / TLSTAP_CHUNK);
	CU_ASSERT_EQUAL(got.closes, 1);
	CU_ASSERT_EQUAL(bpfw_tap_counters(t, k), 0);
	CU_ASSERT_TRUE(k[TLSTAP_R_not_server] >= 2); /* the client's write and reads */
	CU_ASSERT_EQUAL(k[TLSTAP_R_ring_full], 0);
	CU_ASSERT_EQUAL(k[TLSTAP_R_records], got.records);
	bpfw_tap_close(t);
	close(s.lfd);
	SSL_CTX_free(s.ctx);
	free(s.body);
}

static void test_attach_every_process(void)
{
	struct bpfw_tap_opts o = { .ring_bytes = 1u << 16 };
	struct hwall_err err = { { 0 } };
	struct bpfw_tap *t = bpfw_tap_open(&o, on_rec, NULL, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(bpfw_tap_links(t), 12);
	CU_ASSERT_EQUAL(bpfw_tap_poll(t, 0) >= 0, true);
	bpfw_tap_close(t);
}

static void test_refusals(void)
{
	struct bpfw_tap_opts o = { .libssl = "/nonexistent/libssl.so.3" };
	struct hwall_err err = { { 0 } };
	uint64_t id;

	CU_ASSERT_PTR_NULL(bpfw_tap_open(&o, on_rec, NULL, &err));
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/libssl.so.3"));
	o = (struct bpfw_tap_opts){ .ring_bytes = 5000 };
	CU_ASSERT_PTR_NULL(bpfw_tap_open(&o, on_rec, NULL, &err));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "power of two"));
	CU_ASSERT_EQUAL(bpfw_tap_cgroup_id("/nonexistent", &id), -ENOENT);
	CU_ASSERT_STRING_EQUAL(bpfw_tap_reason_name(TLSTAP_R_ring_full), "ring_full");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "TLS exchange: plaintext, offsets, socket, close, chunks", test_exchange },
		{ "attach to every process mapping libssl", test_attach_every_process },
		{ "refusals", test_refusals },
		CU_TEST_INFO_NULL,
	};

	if (geteuid() != 0) {
		printf("needs root: skipped\n");
		return 77;
	}
	return hwall_test_main("bpf/tlstap", tests);
}
