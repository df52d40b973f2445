/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http_server.c - the HTTP/1.1 origin of the dataplane's end-to-end tests.
 *
 *   http_server --addr IP --port P [--seed S]
 *       serves GET /obj/<n>.bin: a synthetic body of PRNG bytes (splitmix64,
 *       tests/include/hwall_test.h) that depends only on the seed and n, with
 *       Content-Length, keep-alive and pipelining; anything else is a 404
 *       with an empty body.  One thread, non-blocking sockets and poll();
 *       prints "listening" on stdout once it accepts connections.
 *   http_server --digests --seed S --count N
 *       prints, for objects 0..N-1, the line `hashwall-set build` takes:
 *       `xxh3-128 <hex> <category> <ref>  # /obj/<n>.bin <size>` with
 *       category 1 and ref n, without serving anything.
 *
 * Never real content: every body byte comes from the PRNG.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xxhash.h>

#include "common/algo.h"
#include "common/number.h"
#include "hwall_test.h"

#define SRV_MAX_CONNS 64
#define SRV_REQ_MAX 4096
#define SRV_CHUNK 16384
#define SRV_MAX_OBJECT 1000000u

/* One client connection: the bytes of requests not yet answered, and the
 * response being sent (head, then the body generated chunk by chunk). */
struct conn {
	int fd;
	char in[SRV_REQ_MAX];
	size_t in_len;
	bool sending;
	bool close_after;
	char head[256];
	size_t head_len, head_off;
	uint64_t body_left;
	uint64_t prng;
	uint8_t chunk[SRV_CHUNK];
	size_t chunk_len, chunk_off;
};

static struct conn *conns[SRV_MAX_CONNS];

/* Size of object @n: a quarter tiny (1..2 KiB), a quarter up to 64 KiB, a
 * quarter 64..256 KiB and a quarter 256..768 KiB, all from the seed. */
static uint64_t object_size(uint64_t seed, uint64_t n)
{
	static const uint64_t lo[4] = { 1, 2048, 65536, 262144 };
	static const uint64_t span[4] = { 2048, 63488, 196608, 524288 };
	uint64_t st = seed ^ (n * 0xd1342543de82ef95ull) ^ 0x5157e;
	uint64_t r = hwall_test_rand(&st);
	unsigned int cls = (unsigned int)((r >> 8) % 4);

	return lo[cls] + (hwall_test_rand(&st) % span[cls]);
}

/* The PRNG state whose bytes are the body of object @n. */
static uint64_t object_prng(uint64_t seed, uint64_t n)
{
	uint64_t st = seed * 0x9e3779b97f4a7c15ull + n;

	return hwall_test_rand(&st);
}

static int print_digests(uint64_t seed, uint64_t count)
{
	static uint8_t buf[SRV_CHUNK];

	for (uint64_t n = 0; n < count; n++) {
		uint64_t size = object_size(seed, n), left = size, st = object_prng(seed, n);
		XXH3_state_t *xs = XXH3_createState();
		XXH128_canonical_t canon;
		char hex[33];

		if (!xs || XXH3_128bits_reset(xs) != XXH_OK) {
			XXH3_freeState(xs);
			return 1;
		}
		while (left) {
			size_t k = left < sizeof(buf) ? (size_t)left : sizeof(buf);
			hwall_test_rand_bytes(&st, buf, k);
			XXH3_128bits_update(xs, buf, k);
			left -= k;
		}
		XXH128_canonicalFromHash(&canon, XXH3_128bits_digest(xs));
		XXH3_freeState(xs);
		hwall_hex_format(canon.digest, sizeof(canon.digest), hex);
		printf("xxh3-128 %s 1 %llu  # /obj/%llu.bin %llu\n", hex, (unsigned long long)n,
		       (unsigned long long)n, (unsigned long long)size);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Does the head of @req (NUL-terminated) ask to close the connection? */
static bool wants_close(const char *req)
{
	const char *line = strstr(req, "\r\n");

	if (strstr(req, " HTTP/1.0\r\n"))
		return true;
	while (line && line[2] != '\r') {
		line += 2;
		if (strncasecmp(line, "connection:", 11) == 0) {
			const char *v = line + 11;
			while (*v == ' ' || *v == '\t')
				v++;
			if (strncasecmp(v, "close", 5) == 0)
				return true;
		}
		line = strstr(line, "\r\n");
	}
	return false;
}

/* Start the response to the request at the head of c->in (@head_len bytes
 * up to and including its blank line), and drop it from c->in. */
static void start_response(struct conn *c, uint64_t seed, size_t head_len)
{
	char target[128] = "";
	uint64_t n = 0;
	bool found = false;
	int w;

	c->in[head_len - 1] = '\0';
	if (sscanf(c->in, "GET %127s HTTP/1.", target) == 1 && strncmp(target, "/obj/", 5) == 0) {
		char *dot = strchr(target + 5, '.');
		if (dot && strcmp(dot, ".bin") == 0) {
			*dot = '\0';
			found = hwall_parse_u64(target + 5, 0, SRV_MAX_OBJECT, &n) == 0;
		}
	}
	c->close_after = wants_close(c->in);
	c->body_left = found ? object_size(seed, n) : 0;
	c->prng = object_prng(seed, n);
	w = snprintf(c->head, sizeof(c->head),
		     "HTTP/1.1 %s\r\nServer: hashwall-e2e\r\nContent-Type: application/octet-stream\r\n"
		     "Content-Length: %llu\r\n%s\r\n",
		     found ? "200 OK" : "404 Not Found", (unsigned long long)c->body_left,
		     c->close_after ? "Connection: close\r\n" : "");
	c->head_len = (size_t)w;
	c->head_off = 0;
	c->chunk_len = c->chunk_off = 0;
	c->sending = true;
	memmove(c->in, c->in + head_len, c->in_len - head_len);
	c->in_len -= head_len;
}

/* Answer the next complete request in c->in, if any and if idle. */
static void next_request(struct conn *c, uint64_t seed)
{
	char *end;

	if (c->sending || c->in_len == 0)
		return;
	c->in[c->in_len] = '\0';
	end = strstr(c->in, "\r\n\r\n");
	if (end)
		start_response(c, seed, (size_t)(end + 4 - c->in));
}

/* Write what the socket takes; false when the connection is to be closed. */
static bool send_some(struct conn *c, uint64_t seed)
{
	while (c->sending) {
		ssize_t w;

		if (c->head_off < c->head_len) {
			w = send(c->fd, c->head + c->head_off, c->head_len - c->head_off, MSG_NOSIGNAL);
			if (w < 0)
				return errno == EAGAIN || errno == EINTR;
			c->head_off += (size_t)w;
			continue;
		}
		if (c->chunk_off == c->chunk_len && c->body_left) {
			c->chunk_len = c->body_left < SRV_CHUNK ? (size_t)c->body_left : SRV_CHUNK;
			hwall_test_rand_bytes(&c->prng, c->chunk, c->chunk_len);
			c->body_left -= c->chunk_len;
			c->chunk_off = 0;
		}
		if (c->chunk_off == c->chunk_len) {
			c->sending = false;
			if (c->close_after)
				return false;
			next_request(c, seed);
			continue;
		}
		w = send(c->fd, c->chunk + c->chunk_off, c->chunk_len - c->chunk_off, MSG_NOSIGNAL);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR;
		c->chunk_off += (size_t)w;
	}
	return true;
}

/* Read what arrived; false when the connection is to be closed. */
static bool recv_some(struct conn *c, uint64_t seed)
{
	ssize_t r;

	if (c->in_len >= SRV_REQ_MAX - 1)
		return c->sending; /* a head that does not fit: give up once idle */
	r = recv(c->fd, c->in + c->in_len, SRV_REQ_MAX - 1 - c->in_len, 0);
	if (r == 0)
		return false;
	if (r < 0)
		return errno == EAGAIN || errno == EINTR;
	c->in_len += (size_t)r;
	next_request(c, seed);
	return send_some(c, seed);
}

static void accept_all(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int i;

		if (fd < 0)
			return;
		for (i = 0; i < SRV_MAX_CONNS && conns[i]; i++)
			;
		if (i == SRV_MAX_CONNS || !(conns[i] = calloc(1, sizeof(*conns[i])))) {
			close(fd);
			continue;
		}
		conns[i]->fd = fd;
	}
}

static void drop_conn(int i)
{
	close(conns[i]->fd);
	free(conns[i]);
	conns[i] = NULL;
}

static int listen_on(const char *addr, uint64_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1;

	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		len = sizeof(*s6);
	} else {
		fprintf(stderr, "http_server: --addr %s: not an IP address\n", addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
		fprintf(stderr, "http_server: %s port %llu: %s\n", addr, (unsigned long long)port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int serve(int lfd, uint64_t seed)
{
	struct pollfd pfd[SRV_MAX_CONNS + 1];
	int idx[SRV_MAX_CONNS + 1];

	puts("listening");
	fflush(stdout);
	for (;;) {
		nfds_t n = 1;

		pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < SRV_MAX_CONNS; i++) {
			if (!conns[i])
				continue;
			pfd[n] = (struct pollfd){ .fd = conns[i]->fd,
						  .events = conns[i]->sending ? POLLOUT | POLLIN : POLLIN };
			idx[n++] = i;
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("http_server: poll");
			return 1;
		}
		for (nfds_t k = 1; k < n; k++) {
			struct conn *c = conns[idx[k]];
			bool keep = true;

			if (pfd[k].revents & (POLLERR | POLLHUP | POLLNVAL))
				keep = false;
			else if (pfd[k].revents & POLLOUT)
				keep = send_some(c, seed);
			if (keep && (pfd[k].revents & POLLIN))
				keep = recv_some(c, seed);
			if (!keep)
				drop_conn(idx[k]);
		}
		if (pfd[0].revents & POLLIN)
			accept_all(lfd);
	}
}

static int usage(void)
{
	fputs("usage: http_server --addr IP --port P [--seed S]\n"
	      "       http_server --digests [--seed S] --count N\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *addr = NULL;
	uint64_t port = 0, seed = 1, count = 0;
	bool digests = false;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--digests") == 0) {
			digests = true;
			continue;
		}
		if (!v)
			return usage();
		if (strcmp(argv[i], "--addr") == 0)
			addr = v;
		else if ((strcmp(argv[i], "--port") == 0 && hwall_parse_u64(v, 1, 65535, &port) == 0) ||
			 (strcmp(argv[i], "--seed") == 0 && hwall_parse_u64(v, 0, UINT64_MAX, &seed) == 0) ||
			 (strcmp(argv[i], "--count") == 0 &&
			  hwall_parse_u64(v, 1, SRV_MAX_OBJECT, &count) == 0))
			;
		else
			return usage();
		i++;
	}
	if (digests)
		return count ? print_digests(seed, count) : usage();
	if (!addr || !port)
		return usage();
	signal(SIGPIPE, SIG_IGN);
	int lfd = listen_on(addr, port);
	return lfd < 0 ? 1 : serve(lfd, seed);
}
