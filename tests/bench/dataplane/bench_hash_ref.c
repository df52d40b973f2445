/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_hash_ref.c - the reference limits for the dataplane benchmark: the
 * HTTP response bodies of a generated capture, taken out of the capture
 * itself (tests/unit/gen/capreader.c rebuilds each connection's server
 * stream and decodes its responses), checked against the manifest's
 * digests, then hashed from memory on one core with nothing else around:
 *
 *   read          a plain read of every byte (memory bandwidth)
 *   xxh3-128      one XXH3-128 call per body (the dataplane's own variant:
 *                 AVX2 where the CPU has it, see dataplane/xxh3_impl.h)
 *   xxh3-128/seg  the same, fed 1460 bytes at a time (a TCP segment's
 *                 payload), as the dataplane streams it
 *   xxh3-128/page the same, each 1460 bytes in a 4 KiB page of its own at
 *                 a frame's payload offset: the memory layout of a replay
 *                 without hugepages (one mbuf per page)
 *   xxh3-128/page+pf  the same, every line of the segment 2 ahead
 *                 prefetched first (as dataplane/rx.c does)
 *   xxh3-128/huge the same layout in transparent hugepages (madvise), as
 *                 mbufs in hugepages would be
 *   libxxhash     XXH3_128bits() of the system library (baseline SIMD)
 *   md5, sha1     OpenSSL EVP, each alone
 *   md5+sha1      OpenSSL EVP, both over each 64 KiB piece in turn
 *   xxh3+md5+sha1 the three together, the same way
 *
 *   bench_hash_ref PCAP MANIFEST [PASSES]        (default 3 passes)
 *
 * Prints one JSON line per reference: {"ref","impl","passes","bodies",
 * "bytes","seconds","cpu_seconds","gbps","gbps_cpu"} (gbps: body bits per
 * wall second / 10^9; gbps_cpu: per second of the process's CPU time).  Asserts
 * nothing about time; exits 1 when the capture cannot be read or a body's
 * digest differs from the manifest, 2 for bad arguments.  The bodies are
 * the generator's PRNG bytes; nothing is written anywhere.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <xxhash.h>

#include "capreader.h"
#include "common/algo.h"
#include "common/clock.h"
#include "dataplane/digest.h"
#include "dataplane/xxh3_impl.h"

#define SEG_BYTES 1460
#define EVP_PIECE (64u << 10)
#define PAGE 4096
#define HUGE_PAGE (2u << 20)
/* mbuf header, headroom, then Ethernet + IPv4 + TCP headers */
#define PAGE_PAYLOAD_OFF (128 + 128 + 54)

struct body {
	uint8_t *p;
	size_t len;
	uint8_t *paged[2]; /* its segments, one per page, in bodies.pages[] */
};

struct bodies {
	struct body *b;
	size_t n;
	uint64_t bytes;
	uint8_t *pages[2]; /* 4 KiB pages, transparent hugepages */
	size_t pages_len;
};

static cJSON *read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	long len = -1;
	cJSON *j = NULL;

	if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
		text = calloc(1, (size_t)len + 1);
	if (text && fread(text, 1, (size_t)len, f) == (size_t)len)
		j = cJSON_Parse(text);
	free(text);
	if (f)
		fclose(f);
	return j;
}

/* @key of @o as a string ("" when absent) and as a number (-1). */
static const char *jstr(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key)) ?: "";
}

static double jnum(const cJSON *o, const char *key)
{
	double v = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return isnan(v) ? -1 : v;
}

/* The manifest's flows as capreader wants them; NULL on a malformed one. */
static struct cr_flow *manifest_flows(const cJSON *m, size_t *ret_n)
{
	const cJSON *flows = cJSON_GetObjectItemCaseSensitive(m, "flows"), *fl;
	size_t n = (size_t)cJSON_GetArraySize(flows), i = 0;
	struct cr_flow *f = calloc(n + 1, sizeof(*f));

	cJSON_ArrayForEach(fl, flows) {
		int af = jnum(fl, "family") == 6 ? AF_INET6 : AF_INET;

		f[i].family = af == AF_INET6 ? 6 : 4;
		f[i].server_port = (uint16_t)jnum(fl, "server_port");
		f[i].client_port = (uint16_t)jnum(fl, "client_port");
		f[i].server_isn = (uint32_t)jnum(fl, "server_isn");
		if (inet_pton(af, jstr(fl, "server"), f[i].server) != 1 ||
		    inet_pton(af, jstr(fl, "client"), f[i].client) != 1) {
			free(f);
			return NULL;
		}
		i++;
	}
	*ret_n = n;
	return f;
}

/* Does @body have the manifest's xxh3-128, md5 and sha1 digests? */
static bool digests_match(const cJSON *o, const uint8_t *body, size_t len)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "digests");
	uint8_t x[HWALL_DIGEST_MAX], m[HWALL_DIGEST_MAX], s[HWALL_DIGEST_MAX];
	char hx[HWALL_DIGEST_HEX_MAX], hm[HWALL_DIGEST_HEX_MAX], hs[HWALL_DIGEST_HEX_MAX];
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits(body, len));
	memcpy(x, c.digest, sizeof(c.digest));
	EVP_Digest(body, len, m, NULL, EVP_md5(), NULL);
	EVP_Digest(body, len, s, NULL, EVP_sha1(), NULL);
	hwall_hex_format(x, hwall_algo_len(HWALL_ALGO_XXH3_128), hx);
	hwall_hex_format(m, hwall_algo_len(HWALL_ALGO_MD5), hm);
	hwall_hex_format(s, hwall_algo_len(HWALL_ALGO_SHA1), hs);
	return !strcmp(hx, jstr(d, "xxh3-128")) && !strcmp(hm, jstr(d, "md5")) &&
	       !strcmp(hs, jstr(d, "sha1"));
}

/* Every complete GET body of the capture, checked; 0 or -errno. */
static int load_bodies(const cJSON *m, const struct cr_capture *cap, struct bodies *ret)
{
	const cJSON *objs = cJSON_GetObjectItemCaseSensitive(m, "objects"), *o;

	ret->b = calloc((size_t)cJSON_GetArraySize(objs) + 1, sizeof(*ret->b));
	if (!ret->b)
		return -ENOMEM;
	cJSON_ArrayForEach(o, objs) {
		double flow = jnum(o, "flow");
		struct body *b = &ret->b[ret->n];

		if (strcmp(jstr(o, "expect"), "complete") || strcmp(jstr(o, "method"), "GET") ||
		    flow < 0 || flow >= (double)cap->nstreams || jnum(o, "size") <= 0)
			continue;
		if (cr_response(&cap->streams[(size_t)flow], (uint64_t)jnum(o, "response_offset"),
				"GET", &b->p, &b->len) < 0)
			return -EBADMSG;
		ret->n++;
		ret->bytes += b->len;
		if (!digests_match(o, b->p, b->len)) {
			fprintf(stderr, "bench_hash_ref: %s: body differs from the manifest\n",
				jstr(o, "path"));
			return -EBADMSG;
		}
	}
	return ret->n ? 0 : -ENODATA;
}

/* Copy every body into pages of its own, a segment per page, twice: in
 * 4 KiB pages and in transparent hugepages. */
static int page_bodies(struct bodies *bs)
{
	size_t pages = 0, k = 0;

	for (size_t i = 0; i < bs->n; i++)
		pages += (bs->b[i].len + SEG_BYTES - 1) / SEG_BYTES;
	bs->pages_len = (pages * PAGE + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	for (int h = 0; h < 2; h++) {
		void *p = mmap(NULL, bs->pages_len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -ENOMEM;
		bs->pages[h] = p;
		madvise(p, bs->pages_len, h ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	}
	for (size_t i = 0; i < bs->n; i++) {
		for (int h = 0; h < 2; h++)
			bs->b[i].paged[h] = bs->pages[h] + k * PAGE + PAGE_PAYLOAD_OFF;
		for (size_t off = 0; off < bs->b[i].len; off += SEG_BYTES, k++)
			for (int h = 0; h < 2; h++)
				memcpy(bs->pages[h] + k * PAGE + PAGE_PAYLOAD_OFF, bs->b[i].p + off,
				       bs->b[i].len - off < SEG_BYTES ? bs->b[i].len - off : SEG_BYTES);
	}
	return 0;
}

static volatile uint64_t sink; /* keeps the results alive */

static void ref_read(const struct body *b)
{
	uint64_t acc = 0, w;

	for (size_t i = 0; i + 8 <= b->len; i += 8) {
		memcpy(&w, b->p + i, 8);
		acc ^= w;
	}
	sink ^= acc;
}

static _Alignas(64) uint8_t xxh3_state[1024];

/* xxh3-128 of @len bytes in pieces of @piece bytes, piece k at p + k * @stride;
 * with @ahead, every line of piece k + @ahead is prefetched before piece k
 * is hashed (as dataplane/rx.c does for frames). */
static void xxh3_pieces(const uint8_t *p, size_t len, size_t piece, size_t stride, size_t ahead)
{
	const struct dp_xxh3_impl *x = dp_digest_xxh3_impl();
	uint8_t out[16];

	x->reset(xxh3_state);
	for (size_t off = 0; off < len; off += piece, p += stride) {
		for (size_t l = 0; ahead && off + ahead * piece < len && l < piece; l += 64)
			__builtin_prefetch(p + ahead * stride + l);
		x->update(xxh3_state, p, len - off < piece ? len - off : piece);
	}
	x->digest(xxh3_state, out);
	sink ^= out[0];
}

static void ref_xxh3(const struct body *b)
{
	xxh3_pieces(b->p, b->len, b->len, b->len, 0);
}

static void ref_xxh3_seg(const struct body *b)
{
	xxh3_pieces(b->p, b->len, SEG_BYTES, SEG_BYTES, 0);
}

static void ref_xxh3_page(const struct body *b)
{
	xxh3_pieces(b->paged[0], b->len, SEG_BYTES, PAGE, 0);
}

static void ref_xxh3_page_pf(const struct body *b)
{
	xxh3_pieces(b->paged[0], b->len, SEG_BYTES, PAGE, 2);
}

static void ref_xxh3_huge(const struct body *b)
{
	xxh3_pieces(b->paged[1], b->len, SEG_BYTES, PAGE, 0);
}

static void ref_libxxhash(const struct body *b)
{
	sink ^= XXH3_128bits(b->p, b->len).low64;
}

enum { USE_XXH3 = 1, USE_MD5 = 2, USE_SHA1 = 4 };

/* The digests in @use over each piece of @b in turn. */
static void evp_pieces(const struct body *b, unsigned use)
{
	static EVP_MD_CTX *md5, *sha1;
	const struct dp_xxh3_impl *x = dp_digest_xxh3_impl();
	uint8_t out[EVP_MAX_MD_SIZE];

	if (!md5 && (!(md5 = EVP_MD_CTX_new()) || !(sha1 = EVP_MD_CTX_new())))
		abort();
	EVP_DigestInit_ex(md5, EVP_md5(), NULL);
	EVP_DigestInit_ex(sha1, EVP_sha1(), NULL);
	x->reset(xxh3_state);
	for (size_t off = 0; off < b->len; off += EVP_PIECE) {
		size_t n = b->len - off < EVP_PIECE ? b->len - off : EVP_PIECE;

		if (use & USE_XXH3)
			x->update(xxh3_state, b->p + off, n);
		if (use & USE_MD5)
			EVP_DigestUpdate(md5, b->p + off, n);
		if (use & USE_SHA1)
			EVP_DigestUpdate(sha1, b->p + off, n);
	}
	EVP_DigestFinal_ex(md5, out, NULL);
	sink ^= out[0];
	EVP_DigestFinal_ex(sha1, out, NULL);
	sink ^= out[0];
	x->digest(xxh3_state, out);
	sink ^= out[0];
}

static void ref_md5(const struct body *b)
{
	evp_pieces(b, USE_MD5);
}

static void ref_sha1(const struct body *b)
{
	evp_pieces(b, USE_SHA1);
}

static void ref_md5_sha1(const struct body *b)
{
	evp_pieces(b, USE_MD5 | USE_SHA1);
}

static void ref_all3(const struct body *b)
{
	evp_pieces(b, USE_XXH3 | USE_MD5 | USE_SHA1);
}

struct ref {
	const char *name;
	void (*fn)(const struct body *b);
};

static void run_ref(const struct ref *r, const struct bodies *bs, unsigned passes)
{
	double t0 = hwall_mono_s(), c0 = hwall_clock_s(CLOCK_PROCESS_CPUTIME_ID), s, c;
	double bits = (double)bs->bytes * passes * 8;

	for (unsigned p = 0; p < passes; p++)
		for (size_t i = 0; i < bs->n; i++)
			r->fn(&bs->b[i]);
	s = hwall_mono_s() - t0;
	c = hwall_clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("{\"ref\":\"%s\",\"impl\":\"%s\",\"passes\":%u,\"bodies\":%zu,\"bytes\":%llu,"
	       "\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"gbps\":%.3f,\"gbps_cpu\":%.3f}\n",
	       r->name, dp_digest_xxh3_impl()->name, passes, bs->n,
	       (unsigned long long)bs->bytes * passes, s, c, s > 0 ? bits / s / 1e9 : 0,
	       c > 0 ? bits / c / 1e9 : 0);
	fflush(stdout);
}

static int run(const char *pcap, const char *manifest, unsigned passes)
{
	static const struct ref refs[] = {
		{ "read", ref_read }, { "xxh3-128", ref_xxh3 }, { "xxh3-128/seg", ref_xxh3_seg },
		{ "xxh3-128/page", ref_xxh3_page }, { "xxh3-128/page+pf", ref_xxh3_page_pf },
		{ "xxh3-128/huge", ref_xxh3_huge },
		{ "libxxhash", ref_libxxhash }, { "md5", ref_md5 }, { "sha1", ref_sha1 },
		{ "md5+sha1", ref_md5_sha1 },
		{ "xxh3+md5+sha1", ref_all3 },
	};
	cJSON *m = read_json(manifest);
	struct cr_capture cap = { 0 };
	struct bodies bs = { 0 };
	struct cr_flow *flows = NULL;
	size_t nflows = 0;
	int r = -EINVAL;

	if (dp_digest_xxh3_impl()->state_size > sizeof(xxh3_state))
		abort();
	if (!m || !(flows = manifest_flows(m, &nflows)))
		fprintf(stderr, "bench_hash_ref: %s: not a generator manifest\n", manifest);
	else if ((r = cr_read(pcap, flows, nflows, &cap)) < 0)
		fprintf(stderr, "bench_hash_ref: %s: cannot read the capture (%s)\n", pcap, strerror(-r));
	else if ((r = load_bodies(m, &cap, &bs)) < 0)
		fprintf(stderr, "bench_hash_ref: %s: bodies do not decode (%s)\n", pcap, strerror(-r));
	else if ((r = page_bodies(&bs)) < 0)
		fprintf(stderr, "bench_hash_ref: out of memory\n");
	cr_free(&cap); /* the bodies are copies */
	for (size_t i = 0; r == 0 && i < sizeof(refs) / sizeof(refs[0]); i++)
		run_ref(&refs[i], &bs, passes);
	for (size_t i = 0; i < bs.n; i++)
		free(bs.b[i].p);
	free(bs.b);
	for (int h = 0; h < 2; h++)
		if (bs.pages[h])
			munmap(bs.pages[h], bs.pages_len);
	free(flows);
	cJSON_Delete(m);
	return r;
}

int main(int argc, char **argv)
{
	char *end = NULL;
	unsigned long passes = 3;

	if (argc == 4)
		passes = strtoul(argv[3], &end, 10);
	if (argc < 3 || argc > 4 || (end && (*end || passes < 1 || passes > 1000))) {
		fprintf(stderr, "usage: bench_hash_ref PCAP MANIFEST [PASSES 1..1000]\n");
		return 2;
	}
	return run(argv[1], argv[2], (unsigned)passes) < 0 ? 1 : 0;
}
