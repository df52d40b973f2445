/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for tests/gen/ (hashwall-gen's library): the captures it writes
 * are read back by an independent reader (capreader.c) which checks every
 * checksum, rebuilds the server streams and recomputes every body digest the
 * manifest claims; plus determinism, the known-set list and the bench
 * parameters.
 */
#include "capreader.h"
#include "gen.h"
#include "hwall_test.h"
#include "common/errors.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <pcap/pcap.h>
#include <xxhash.h>

static const char *dir;

/* One generated capture, read back. */
struct cap {
	cJSON *manifest;
	struct cr_capture cap;
	struct cr_flow *flows;
	size_t nflows;
};

static char *path_in_dir(const char *name)
{
	static char buf[8][256];
	static int k;
	char *p = buf[k++ % 8];
	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static int generate(const char *name, const char *scen, uint64_t seed, uint64_t bench_bytes)
{
	char file[128];
	struct gen_ctx ctx;
	int err;

	snprintf(file, sizeof(file), "%s.pcap", name);
	err = gen_ctx_init(&ctx, seed, path_in_dir(file));
	ctx.bench.total_bytes = bench_bytes;
	ctx.bench.conns = 4;
	ctx.bench.mean = 20000;
	for (const struct gen_scenario *s = gen_scenarios; s->name && !err; s++)
		if (!strcmp(scen, "all") ? s->in_all : !strcmp(scen, s->name))
			err = gen_scenario_run(&ctx, s);
	gen_known_choose(&ctx);
	snprintf(file, sizeof(file), "%s.json", name);
	if (!err)
		err = gen_manifest_write(&ctx, path_in_dir(file), "test-set");
	snprintf(file, sizeof(file), "%s.list", name);
	if (!err)
		err = gen_list_write(&ctx, path_in_dir(file));
	return gen_ctx_finish(&ctx) ? -EIO : err;
}

static cJSON *read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	cJSON *j;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	text = calloc(1, len + 1);
	if (text && fread(text, 1, len, f) != len)
		len = 0;
	fclose(f);
	j = text && len ? cJSON_Parse(text) : NULL;
	free(text);
	return j;
}

static void flow_from_json(const cJSON *j, struct cr_flow *f)
{
	int fam = cJSON_GetObjectItem(j, "family")->valueint;

	memset(f, 0, sizeof(*f));
	f->family = fam;
	inet_pton(fam == 6 ? AF_INET6 : AF_INET, cJSON_GetObjectItem(j, "server")->valuestring, f->server);
	inet_pton(fam == 6 ? AF_INET6 : AF_INET, cJSON_GetObjectItem(j, "client")->valuestring, f->client);
	f->server_port = (uint16_t)cJSON_GetObjectItem(j, "server_port")->valueint;
	f->client_port = (uint16_t)cJSON_GetObjectItem(j, "client_port")->valueint;
	f->server_isn = (uint32_t)cJSON_GetObjectItem(j, "server_isn")->valuedouble;
}

static int cap_load(const char *name, struct cap *c)
{
	char file[128];
	const cJSON *flows, *fl;
	size_t i = 0;

	memset(c, 0, sizeof(*c));
	snprintf(file, sizeof(file), "%s.json", name);
	c->manifest = read_json(path_in_dir(file));
	flows = cJSON_GetObjectItem(c->manifest, "flows");
	c->nflows = (size_t)cJSON_GetArraySize(flows);
	c->flows = calloc(c->nflows + 1, sizeof(*c->flows));
	if (!c->manifest || !c->flows)
		return -ENOMEM;
	cJSON_ArrayForEach(fl, flows)
		flow_from_json(fl, &c->flows[i++]);
	snprintf(file, sizeof(file), "%s.pcap", name);
	return cr_read(path_in_dir(file), c->flows, c->nflows, &c->cap);
}

static void cap_free(struct cap *c)
{
	cJSON_Delete(c->manifest);
	cr_free(&c->cap);
	free(c->flows);
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* Recompute the four digests of @body independently of the generator and
 * count how many differ from the manifest's. */
static int digest_mismatches(const cJSON *obj, const uint8_t *body, size_t len)
{
	const cJSON *d = cJSON_GetObjectItem(obj, "digests");
	const EVP_MD *mds[3] = { EVP_md5(), EVP_sha1(), EVP_sha256() };
	const char *names[3] = { "md5", "sha1", "sha256" };
	XXH128_canonical_t c;
	uint8_t md[64];
	char h[129];
	unsigned int n;
	int bad = 0;

	XXH128_canonicalFromHash(&c, XXH3_128bits(body, len));
	hex(c.digest, 16, h);
	bad += strcmp(h, str(d, "xxh3-128")) != 0;
	for (int i = 0; i < 3; i++) {
		EVP_Digest(body, len, md, &n, mds[i], NULL);
		hex(md, n, h);
		bad += strcmp(h, str(d, names[i])) != 0;
	}
	return bad;
}

/* Objects of @c whose field @key is one of the space-separated words of
 * @what, at most @max, into @out; returns how many. */
static size_t select_objects(const struct cap *c, const char *key, const char *what,
			     const cJSON **out, size_t max)
{
	char words[128], word[64];
	const cJSON *o;
	size_t n = 0;

	snprintf(words, sizeof(words), " %s ", what);
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(c->manifest, "objects"))
	{
		snprintf(word, sizeof(word), " %s ", str(o, key));
		if (n < max && strstr(words, word))
			out[n++] = o;
	}
	return n;
}

/* Decode every object whose expectation is one of the words of @expects
 * and compare it with its manifest entry. */
static void check_objects(struct cap *c, const char *expects, size_t *ret_checked, size_t *ret_bad)
{
	size_t max = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(c->manifest, "objects")) + 1;
	const cJSON **sel = calloc(max, sizeof(*sel));
	size_t n = sel ? select_objects(c, "expect", expects, sel, max) : 0;

	*ret_checked = n;
	*ret_bad = sel ? 0 : 1;
	for (size_t i = 0; i < n; i++) {
		const cJSON *o = sel[i];
		uint8_t *body = NULL;
		size_t len = 0;
		int r = cr_response(&c->cap.streams[(int)num(o, "flow")],
				    (uint64_t)num(o, "response_offset"), str(o, "method"), &body, &len);
		bool bad = r < 0 || len != (size_t)num(o, "size") || digest_mismatches(o, body, len);
		*ret_bad += bad;
		if (bad)
			fprintf(stderr, "  object %s does not match its manifest entry\n", str(o, "path"));
		free(body);
	}
	free(sel);
}

static struct cap all;

static void test_capture_well_formed(void)
{
	CU_ASSERT_EQUAL_FATAL(cap_load("all", &all), 0);
	CU_ASSERT_EQUAL(all.cap.packets, (uint64_t)num(all.manifest, "packets"));
	CU_ASSERT(all.cap.packets > 10000);
	CU_ASSERT_EQUAL(all.cap.bad_frames, 0);
	CU_ASSERT_EQUAL(all.cap.bad_ip_csum, 0);
	CU_ASSERT_EQUAL(all.cap.bad_tcp_csum, 0);
	CU_ASSERT(all.cap.vlan_frames > 0);
	CU_ASSERT(all.cap.qinq_frames > 0);
	CU_ASSERT(all.cap.ipv6_frames > 0);
	CU_ASSERT_EQUAL(all.cap.ip_fragments, 4);
	CU_ASSERT_EQUAL(all.cap.ip_fragments,
			(uint64_t)num(cJSON_GetObjectItem(all.manifest, "min_counters"), "ip_fragments"));
	CU_ASSERT_EQUAL(all.nflows, 43);
}

/* libpcap itself reads the file: link type, every record, no error. */
static void test_libpcap_reads_it(void)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path_in_dir("all.pcap"), errbuf);
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t n = 0, short_caps = 0;
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(pcap_datalink(p), DLT_EN10MB);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		n++;
		short_caps += h->caplen != h->len;
	}
	CU_ASSERT_EQUAL(rc, PCAP_ERROR_BREAK); /* end of file, not an error */
	CU_ASSERT_EQUAL(n, (uint64_t)num(all.manifest, "packets"));
	CU_ASSERT_EQUAL(short_caps, 0);
	pcap_close(p);
}

static void test_complete_digests_recomputed(void)
{
	size_t checked, bad;

	check_objects(&all, "complete resync", &checked, &bad);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(checked > 120);
}

/* Whether the capture really breaks @o: bytes missing once fragments are
 * skipped, conflicting overlaps, or a pause over the 120 s idle timeout. */
static bool broken_in_capture(const struct cap *c, const cJSON *o)
{
	const struct cr_stream *s = &c->cap.streams[(int)num(o, "flow")];
	uint8_t *body = NULL;
	size_t len;
	int r = cr_response(s, (uint64_t)num(o, "response_offset"), "GET", &body, &len);

	free(body);
	return r == -ENODATA || s->conflicts > 0 || s->max_gap_us > 120000000u;
}

/* Streams of @c with conflicting overlaps, and with pauses of at least
 * @min_gap_us. */
static size_t streams_with(const struct cap *c, bool conflicts, uint64_t min_gap_us)
{
	size_t n = 0;

	for (size_t i = 0; i < c->cap.nstreams; i++)
		n += conflicts ? c->cap.streams[i].conflicts > 0
			       : c->cap.streams[i].max_gap_us >= min_gap_us;
	return n;
}

/* An object the manifest calls incomplete (or abandoned, in "all": behind an
 * IP fragment or an idle pause) really is broken in the capture. */
static void test_incomplete_objects_are_broken(void)
{
	const cJSON *sel[16];
	size_t n = select_objects(&all, "expect", "incomplete abandoned", sel, 16), broken = 0;
	const cJSON *mins = cJSON_GetObjectItem(all.manifest, "min_counters");

	for (size_t i = 0; i < n; i++)
		broken += broken_in_capture(&all, sel[i]);
	CU_ASSERT_EQUAL(n, 7);
	CU_ASSERT_EQUAL(broken, n);
	CU_ASSERT_EQUAL(streams_with(&all, true, 0), (size_t)num(mins, "overlap_conflict"));
	/* idle: one pause of 200 s, one of 100 s */
	CU_ASSERT_EQUAL(streams_with(&all, false, 100000000u), 2);
	CU_ASSERT_EQUAL(streams_with(&all, false, 120000001u), (size_t)num(mins, "idle_timeouts"));
}

static void test_seginv_same_digest(void)
{
	const cJSON *sel[8];
	size_t n = select_objects(&all, "scenario", "seginv", sel, 8), same = 0, known = 0;
	const char *first = n ? str(cJSON_GetObjectItem(sel[0], "digests"), "xxh3-128") : "";

	for (size_t i = 0; i < n; i++) {
		same += !strcmp(first, str(cJSON_GetObjectItem(sel[i], "digests"), "xxh3-128"));
		known += cJSON_IsObject(cJSON_GetObjectItem(sel[i], "known"));
	}
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(same, 5);
	CU_ASSERT_EQUAL(known, 5);
}

/* Objects of @c whose known entry (and own digest) is @algo @hexd @ref. */
static size_t objects_known_as(const struct cap *c, const char *algo, const char *hexd, unsigned ref)
{
	const cJSON *o;
	size_t hit = 0;

	cJSON_ArrayForEach(o, cJSON_GetObjectItem(c->manifest, "objects"))
	{
		const cJSON *k = cJSON_GetObjectItem(o, "known");
		hit += cJSON_IsObject(k) && !strcmp(str(k, "digest"), hexd) &&
		       !strcmp(str(k, "algo"), algo) && num(k, "ref") == ref &&
		       !strcmp(str(cJSON_GetObjectItem(o, "digests"), algo), hexd);
	}
	return hit;
}

/* Count the well-formed lines of @path and those naming known objects. */
static void list_stats(const struct cap *c, const char *path, size_t *ret_lines, size_t *ret_found)
{
	FILE *f = fopen(path, "r");
	char algo[16], hexd[80], line[256];
	unsigned cat, ref;

	*ret_lines = *ret_found = 0;
	while (f && fgets(line, sizeof(line), f)) {
		bool ok = sscanf(line, "%15s %79s %u %u", algo, hexd, &cat, &ref) == 4;
		*ret_lines += ok;
		*ret_found += ok && objects_known_as(c, algo, hexd, ref) > 0;
	}
	if (f)
		fclose(f);
}

/* The list names exactly the distinct known digests, in the LIST format,
 * and only complete, whole objects are known. */
static void test_known_list(void)
{
	const cJSON *o;
	size_t lines, found, bad_known = 0;

	list_stats(&all, path_in_dir("all.list"), &lines, &found);
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(all.manifest, "objects"))
		bad_known += cJSON_IsObject(cJSON_GetObjectItem(o, "known")) &&
			     (strcmp(str(o, "expect"), "complete") ||
			      cJSON_IsTrue(cJSON_GetObjectItem(o, "partial")));
	CU_ASSERT(lines >= 10);
	CU_ASSERT_EQUAL(found, lines);
	CU_ASSERT_EQUAL(bad_known, 0);
}

static int file_cmp(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int ca = 0, diff = !fa || !fb;

	while (!diff && ca != EOF) {
		ca = fgetc(fa);
		diff = ca != fgetc(fb);
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return diff;
}

static void test_deterministic(void)
{
	CU_ASSERT_EQUAL_FATAL(generate("again", "all", 1, 0), 0);
	CU_ASSERT_EQUAL_FATAL(generate("other", "all", 2, 0), 0);
	CU_ASSERT_EQUAL(file_cmp(path_in_dir("all.pcap"), path_in_dir("again.pcap")), 0);
	CU_ASSERT_EQUAL(file_cmp(path_in_dir("all.json"), path_in_dir("again.json")), 0);
	CU_ASSERT_EQUAL(file_cmp(path_in_dir("all.list"), path_in_dir("again.list")), 0);
	CU_ASSERT_NOT_EQUAL(file_cmp(path_in_dir("all.pcap"), path_in_dir("other.pcap")), 0);
}

static void test_bench_interleaved_lognormal(void)
{
	struct cap b;
	const cJSON *o;
	size_t checked, bad, n = 0;
	double total = 0;

	CU_ASSERT_EQUAL_FATAL(generate("bench", "bench", 7, 3u << 20), 0);
	CU_ASSERT_EQUAL_FATAL(cap_load("bench", &b), 0);
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(b.manifest, "objects"))
	{
		total += num(o, "size");
		n++;
	}
	check_objects(&b, "complete", &checked, &bad);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(checked, n);
	CU_ASSERT(total >= (double)(3u << 20) * 0.9);
	CU_ASSERT(total / (double)n > 20000 * 0.65);
	CU_ASSERT(total / (double)n < 20000 * 1.35);
	CU_ASSERT_EQUAL(b.nflows, 4);
	/* four connections interleaved segment by segment */
	CU_ASSERT(b.cap.flow_switches > b.cap.data_segments / 2);
	cap_free(&b);
}

static void test_demo_two_known(void)
{
	struct cap d;
	const cJSON *o;
	size_t checked, bad, known = 0;

	CU_ASSERT_EQUAL_FATAL(generate("demo", "demo", 1, 0), 0);
	CU_ASSERT_EQUAL_FATAL(cap_load("demo", &d), 0);
	check_objects(&d, "complete", &checked, &bad);
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(d.manifest, "objects"))
		known += cJSON_IsObject(cJSON_GetObjectItem(o, "known"));
	CU_ASSERT_EQUAL(checked, 7);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(known, 2);
	cap_free(&d);
}

/* Every hostile input is present once; the good exchanges still decode. */
static void test_hostile(void)
{
	static const char *const keys[] = { "header_too_large", "too_many_headers",
					    "chunk_line_too_long", "bad_chunk", "bad_response",
					    "bad_request", "upgrade" };
	struct cap h;
	const cJSON *mins;
	size_t checked, bad, ones = 0;

	CU_ASSERT_EQUAL_FATAL(generate("hostile", "hostile", 1, 0), 0);
	CU_ASSERT_EQUAL_FATAL(cap_load("hostile", &h), 0);
	mins = cJSON_GetObjectItem(h.manifest, "min_counters");
	for (size_t i = 0; i < HWALL_ARRAY_SIZE(keys); i++)
		ones += num(mins, keys[i]) == 1;
	check_objects(&h, "complete", &checked, &bad);
	CU_ASSERT_EQUAL(ones, HWALL_ARRAY_SIZE(keys));
	CU_ASSERT_EQUAL(checked, 10);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(h.cap.bad_tcp_csum, 0);
	cap_free(&h);
}

/* Randomised delivery plans never change what the stream holds. */
static void test_mixed_plans_keep_bytes(void)
{
	struct cap m;
	size_t checked, bad, conflicts = 0;

	CU_ASSERT_EQUAL_FATAL(generate("mixed", "mixed", 5, 0), 0);
	CU_ASSERT_EQUAL_FATAL(cap_load("mixed", &m), 0);
	check_objects(&m, "complete", &checked, &bad);
	for (size_t i = 0; i < m.cap.nstreams; i++)
		conflicts += m.cap.streams[i].conflicts;
	CU_ASSERT(checked > 30);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(conflicts, 0);
	CU_ASSERT_EQUAL(m.cap.bad_tcp_csum, 0);
	cap_free(&m);
}

/* Known objects of @ctx, and those whose list algorithm is not @algo. */
static void known_algo_stats(const struct gen_ctx *ctx, enum hwall_algo algo, size_t *ret_known,
			     size_t *ret_other)
{
	*ret_known = *ret_other = 0;
	for (size_t i = 0; i < ctx->nobjs; i++) {
		*ret_known += ctx->objs[i].known;
		*ret_other += ctx->objs[i].known && ctx->objs[i].known_algo != algo;
	}
}

/* --known-algos: the list uses only the algorithms asked for. */
static void test_known_algos(void)
{
	struct gen_ctx ctx;
	size_t known, other;

	CU_ASSERT_EQUAL_FATAL(gen_ctx_init(&ctx, 3, path_in_dir("algos.pcap")), 0);
	ctx.known_algos = 1u << HWALL_ALGO_SHA256;
	CU_ASSERT_EQUAL(gen_scenario_run(&ctx, gen_scenario_find("keepalive")), 0);
	CU_ASSERT_EQUAL(gen_scenario_run(&ctx, gen_scenario_find("seginv")), 0);
	gen_known_choose(&ctx);
	known_algo_stats(&ctx, HWALL_ALGO_SHA256, &known, &other);
	CU_ASSERT(known >= 10);
	CU_ASSERT_EQUAL(other, 0);
	CU_ASSERT_EQUAL(gen_ctx_finish(&ctx), 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "capture well formed, checksums right", test_capture_well_formed },
		{ "libpcap reads every record", test_libpcap_reads_it },
		{ "complete objects: digests recomputed", test_complete_digests_recomputed },
		{ "incomplete objects really broken", test_incomplete_objects_are_broken },
		{ "segmentation invariance: one body", test_seginv_same_digest },
		{ "known list matches the manifest", test_known_list },
		{ "same seed, same bytes", test_deterministic },
		{ "bench: interleaved, lognormal", test_bench_interleaved_lognormal },
		{ "demo: two known objects", test_demo_two_known },
		{ "hostile: every input once", test_hostile },
		{ "mixed: random plans keep the bytes", test_mixed_plans_keep_bytes },
		{ "known algorithms as asked", test_known_algos },
		CU_TEST_INFO_NULL,
	};
	int rc;

	dir = hwall_test_tmpdir("gen");
	if (!dir || generate("all", "all", 1, 0) < 0) {
		fprintf(stderr, "test_gen: cannot generate the capture in %s\n", dir ? dir : "/tmp");
		return 2;
	}
	rc = hwall_test_main("gen", tests);
	cap_free(&all);
	return rc;
}
