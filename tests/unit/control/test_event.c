/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for control/event.c (match event parsing, client pseudonyms,
 * the key file) and control/api_auth.c (tokens file, bearer checks). */
#include "control/api.h"
#include "control/event.h"
#include "control/eventlog.h"
#include "common/algo.h"
#include "hwall_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse(const char *json, struct ctl_event *ev, struct hwall_err *err)
{
	cJSON *o = cJSON_Parse(json);
	int r = ctl_event_parse(o, 777, ev, err);

	cJSON_Delete(o);
	return r;
}

static void test_parse_full(void)
{
	struct ctl_event ev;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(parse("{\"event\":\"match\",\"set\":\"iwf\",\"set_version\":12,"
			      "\"algo\":\"md5\",\"digest\":\"00112233445566778899AABBCCDDEEFF\","
			      "\"host\":\"cdn.example\",\"path\":\"/a?b=c\",\"method\":\"GET\","
			      "\"server_ip\":\"2001:db8::1\",\"server_port\":8080,\"client\":\"ab12\","
			      "\"status\":206,\"size\":1234,\"complete\":false,\"partial\":true,"
			      "\"category\":2,\"ref\":4242,\"digests\":{\"md5\":\"x\"}}",
			      &ev, &err), 0);
	CU_ASSERT_STRING_EQUAL(ev.set, "iwf");
	CU_ASSERT_EQUAL(ev.set_version, 12);
	CU_ASSERT_EQUAL(ev.algo, HWALL_ALGO_MD5);
	CU_ASSERT_STRING_EQUAL(ev.digest, "00112233445566778899aabbccddeeff"); /* lower-cased */
	CU_ASSERT_STRING_EQUAL(ev.path, "/a?b=c");
	CU_ASSERT_EQUAL(ev.server_port, 8080);
	CU_ASSERT_EQUAL(ev.http_status, 206);
	CU_ASSERT_TRUE(ev.partial);
	CU_ASSERT_FALSE(ev.complete);
	CU_ASSERT_EQUAL(ev.ref, 4242);
	CU_ASSERT_EQUAL(ev.ts, 777); /* no ts: the receive time */
}

/* A PDQ match carries algo "pdq" and the listed entry's 64-hex hash. */
static void test_parse_pdq(void)
{
	struct ctl_event ev;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(parse("{\"set\":\"ncmec\",\"algo\":\"pdq\",\"digest\":"
			      "\"F8F8F0CCE0F4E84D0E370A22028F67F0B36E2ED596623E1D33E6339C4E9C9B22\","
			      "\"host\":\"h\",\"path\":\"/a.jpg\"}", &ev, &err), 0);
	CU_ASSERT_EQUAL(ev.algo, HWALL_ALGO_PDQ);
	CU_ASSERT_STRING_EQUAL(ev.digest, "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22");
	CU_ASSERT_EQUAL(parse("{\"set\":\"s\",\"algo\":\"pdq\",\"digest\":"
			      "\"00112233445566778899aabbccddeeff\",\"host\":\"h\",\"path\":\"/\"}",
			      &ev, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "digest: not hex of the algorithm's length");
}

#define PDQ_KEY "{\"set\":\"s\",\"algo\":\"pdq\",\"digest\":\"" \
	"f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22\""

/* A PDQ match's nearness: kept when well-formed, else default and flagged;
 * an exact match's is ignored. */
static void test_parse_near(void)
{
	struct ctl_event ev;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(parse(PDQ_KEY ",\"distance\":4,\"quality\":100,\"variant\":\"rotate-90\","
			      "\"matched\":\"30A10EFD71CC3D429013D48D0FFFFC52E34E0E17ADA952A9D29685211EA9E5AF\"}",
			      &ev, &err), 0);
	CU_ASSERT_EQUAL(ev.near.distance, 4);
	CU_ASSERT_EQUAL(ev.near.quality, 100);
	CU_ASSERT_STRING_EQUAL(ev.near.variant, "rotate-90");
	CU_ASSERT_STRING_EQUAL(ev.near.entry,
			       "30a10efd71cc3d429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af");
	CU_ASSERT_EQUAL(ev.normalised, 0);
	CU_ASSERT_TRUE(ctl_near_known(ev.algo, &ev.near));
	CU_ASSERT_EQUAL(parse(PDQ_KEY ",\"distance\":257,\"quality\":-1,\"variant\":\"Up;\","
			      "\"matched\":\"abc\"}", &ev, &err), 0);
	CU_ASSERT_EQUAL(ev.near.distance, -1);
	CU_ASSERT_EQUAL(ev.near.quality, -1);
	CU_ASSERT_STRING_EQUAL(ev.near.variant, "");
	CU_ASSERT_STRING_EQUAL(ev.near.entry, "");
	CU_ASSERT_EQUAL(ev.normalised, 1u << CTL_EVF_near);
	CU_ASSERT_FALSE(ctl_near_known(ev.algo, &ev.near));
	CU_ASSERT_EQUAL(parse("{\"set\":\"s\",\"algo\":\"md5\",\"digest\":"
			      "\"00112233445566778899aabbccddeeff\",\"distance\":3}", &ev, &err), 0);
	CU_ASSERT_EQUAL(ev.near.distance, -1);
	CU_ASSERT_EQUAL(ev.normalised, 0);
}

/* Only set, algo and digest can refuse an event. */
static void test_parse_refusals(void)
{
	struct ctl_event ev;
	struct hwall_err err = { { 0 } };
	char want[128];

	CU_ASSERT_EQUAL(parse("{\"algo\":\"md5\",\"digest\":\"00\",\"host\":\"h\",\"path\":\"/\"}",
			      &ev, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "set: missing required field");
	CU_ASSERT_EQUAL(parse("{\"set\":\"s\",\"algo\":\"crc32\",\"digest\":\"00\",\"host\":\"h\","
			      "\"path\":\"/\"}", &ev, &err), -EINVAL);
	snprintf(want, sizeof(want), "algo: unknown algorithm (known: %s)", hwall_algo_names());
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	CU_ASSERT_EQUAL(parse("{\"set\":\"s\",\"algo\":\"sha1\",\"digest\":\"0011\",\"host\":\"h\","
			      "\"path\":\"/\"}", &ev, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "digest: not hex of the algorithm's length");
	CU_ASSERT_EQUAL(parse("{\"set\":\"s\\u0007\",\"algo\":\"md5\",\"digest\":"
			      "\"00112233445566778899aabbccddeeff\"}", &ev, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "set: control character");
	CU_ASSERT_EQUAL(parse("{\"set\":\"\",\"algo\":\"md5\",\"digest\":"
			      "\"00112233445566778899aabbccddeeff\"}", &ev, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "set: empty");
	CU_ASSERT_EQUAL(parse("{\"set\":\"a b\",\"algo\":\"md5\",\"digest\":"
			      "\"00112233445566778899aabbccddeeff\"}", &ev, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "set: not a set id (printable ASCII, no spaces)");
	CU_ASSERT_EQUAL(parse("[1]", &ev, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "event: expected object");
}

#define EV_KEY "{\"set\":\"s\",\"algo\":\"md5\",\"digest\":\"00112233445566778899aabbccddeeff\""

/* Bit of field @f in a normalised mask. */
#define NORM(f) (1u << CTL_EVF_##f)

/* Every other field is taken whatever it holds: the event is a match and
 * stays one; what ingest had to change is flagged. */
static void test_parse_normalises(void)
{
	static const struct {
		const char *rest; /* members after the key fields */
		uint32_t normalised;
	} cases[] = {
		{ "}", 0 },                            /* HTTP/1.0 without Host, no path */
		{ ",\"host\":\"\",\"path\":\"/a\"}", 0 }, /* an empty Host */
		{ ",\"host\":null,\"path\":null}", 0 },
		{ ",\"host\":7,\"path\":[\"/\"]}", NORM(host) | NORM(path) },
		{ ",\"host\":\"h\\n\\u007f\",\"path\":\"/\"}", NORM(host) },
		{ ",\"method\":\"G\\tET\"}", NORM(method) },
		{ ",\"method\":\"AVERYLONGMETHODNAME\"}", NORM(method) },
		{ ",\"server_ip\":\"not-an-ip\"}", NORM(server_ip) },
		{ ",\"server_port\":65536}", NORM(server_port) },
		{ ",\"status\":1000,\"size\":-1}", NORM(status) | NORM(size) },
		{ ",\"set_version\":1e300,\"category\":-3,\"ref\":4294967296}",
		  NORM(set_version) | NORM(category) | NORM(ref) },
		{ ",\"ts\":1e12}", NORM(ts) },
		{ ",\"ts\":-5}", NORM(ts) },
		{ ",\"ts\":1.5}", NORM(ts) },
		{ ",\"complete\":1,\"partial\":\"yes\"}", NORM(complete) | NORM(partial) },
		{ ",\"client\":5}", NORM(client) },
	};
	struct ctl_event ev;
	struct hwall_err err = { { 0 } };
	char json[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(json, sizeof(json), EV_KEY "%s", cases[i].rest);
		CU_ASSERT_EQUAL(parse(json, &ev, &err), 0);
		CU_ASSERT_EQUAL(ev.normalised, cases[i].normalised);
		CU_ASSERT_FALSE(ev.host_truncated || ev.path_truncated);
		CU_ASSERT_EQUAL(ev.ts, 777); /* refused or absent: the receive time */
		CU_ASSERT_EQUAL(ev.server_port | ev.http_status | ev.size | ev.set_version |
				ev.category | ev.ref, 0);
		CU_ASSERT_FALSE(ev.complete || ev.partial);
		CU_ASSERT_STRING_EQUAL(ev.server_ip, "");
		CU_ASSERT_STRING_EQUAL(ev.client, "");
	}
	CU_ASSERT_STRING_EQUAL(ev.host, ""); /* the last case had none */
	/* control bytes are escaped as the dataplane escapes them */
	CU_ASSERT_EQUAL(parse(EV_KEY ",\"host\":\"h\\n\\u007f\",\"method\":\"G\\tET\"}", &ev, &err), 0);
	CU_ASSERT_STRING_EQUAL(ev.host, "h%0A%7F");
	CU_ASSERT_STRING_EQUAL(ev.method, "G%09ET");
	/* one second short of the limit ahead is kept */
	snprintf(json, sizeof(json), EV_KEY ",\"ts\":%d}", 777 + CTL_EVENT_TS_AHEAD_MAX);
	CU_ASSERT_EQUAL(parse(json, &ev, &err), 0);
	CU_ASSERT_EQUAL(ev.ts, 777 + CTL_EVENT_TS_AHEAD_MAX);
	CU_ASSERT_EQUAL(ev.normalised, 0);
}

/* Text that is not clean UTF-8 is escaped, not refused: C1 controls (a
 * terminal acts on them) and bytes that are not UTF-8; UTF-8 text stays. */
static void test_parse_text(void)
{
	struct ctl_event ev;
	struct hwall_err err = { { 0 } };
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "set", "s");
	cJSON_AddStringToObject(o, "algo", "md5");
	cJSON_AddStringToObject(o, "digest", "00112233445566778899aabbccddeeff");
	/* U+00E9, U+0085 (C1), a lone continuation byte, an overlong '/' */
	cJSON_AddStringToObject(o, "host", "caf\xc3\xa9.example");
	cJSON_AddStringToObject(o, "path", "/\xc2\x85/\x80/\xc0\xaf");
	CU_ASSERT_EQUAL(ctl_event_parse(o, 777, &ev, &err), 0);
	CU_ASSERT_STRING_EQUAL(ev.host, "caf\xc3\xa9.example");
	CU_ASSERT_STRING_EQUAL(ev.path, "/%C2%85/%80/%C0%AF");
	CU_ASSERT_EQUAL(ev.normalised, NORM(path));
	cJSON_Delete(o);
}

/* An over-long host or path is cut, between characters and outside any
 * %XX escape, and flagged; a client longer than a pseudonym is hashed. */
static void test_parse_truncates(void)
{
	static char host[1200], path[6000], client[200], json[8192];
	struct ctl_event ev, ev2;
	cJSON *o = cJSON_CreateObject();
	struct hwall_err err = { { 0 } };

	/* 300 bytes >= 0x80 as the dataplane writes them: 900 bytes of %XX */
	for (int i = 0; i < 300; i++)
		memcpy(host + 3 * i, "%C3", 3);
	host[900] = '\0';
	memset(path, 'p', 5000);
	path[0] = '/';
	memcpy(path + CTL_PATH_MAX - 1, "\xc3\xa9", 2); /* a character across the limit */
	path[5000] = '\0';
	memset(client, 'c', 199);
	client[199] = '\0';
	snprintf(json, sizeof(json), EV_KEY ",\"host\":\"%s\",\"client\":\"%s\"}", host, client);
	CU_ASSERT_EQUAL(parse(json, &ev, &err), 0);
	CU_ASSERT_TRUE(ev.host_truncated);
	CU_ASSERT_FALSE(ev.path_truncated);
	CU_ASSERT_EQUAL(strlen(ev.host), CTL_HOST_MAX); /* 255 escapes fit exactly */
	CU_ASSERT_EQUAL(strncmp(ev.host, host, CTL_HOST_MAX), 0);
	CU_ASSERT_EQUAL(strlen(ev.client), 64);
	CU_ASSERT_EQUAL(ev.normalised, NORM(host) | NORM(client));
	/* one more byte before the escapes: the cut moves before the last one */
	snprintf(json, sizeof(json), EV_KEY ",\"host\":\"x%s\",\"client\":\"%.198s\"}", host,
		 client);
	CU_ASSERT_EQUAL(parse(json, &ev2, &err), 0);
	CU_ASSERT_EQUAL(strlen(ev2.host), CTL_HOST_MAX - 2);
	CU_ASSERT_EQUAL(ev2.host[strlen(ev2.host) - 3], '%');
	CU_ASSERT_STRING_NOT_EQUAL(ev.client, ev2.client); /* other clients, other digests */
	cJSON_AddStringToObject(o, "set", "s");
	cJSON_AddStringToObject(o, "algo", "md5");
	cJSON_AddStringToObject(o, "digest", "00112233445566778899aabbccddeeff");
	cJSON_AddStringToObject(o, "path", path);
	CU_ASSERT_EQUAL(ctl_event_parse(o, 777, &ev, &err), 0);
	CU_ASSERT_TRUE(ev.path_truncated);
	CU_ASSERT_EQUAL(strlen(ev.path), CTL_PATH_MAX - 1); /* not inside the character */
	CU_ASSERT_EQUAL(ev.normalised, NORM(path));
	cJSON_Delete(o);
	/* the dataplane's own cut is flagged as such */
	CU_ASSERT_EQUAL(parse(EV_KEY ",\"host\":\"h\",\"path\":\"/p\",\"path_truncated\":true}",
			      &ev, &err), 0);
	CU_ASSERT_TRUE(ev.path_truncated);
	CU_ASSERT_FALSE(ev.host_truncated);
	CU_ASSERT_EQUAL(ev.normalised, 0);
}

/* Take the flow out of @json's object; the rest of the object into @rest. */
static int take_flow(const char *json, struct ctl_flow *f, struct hwall_err *err, char *rest,
		     size_t restlen)
{
	cJSON *o = cJSON_Parse(json);
	int r = ctl_event_take_flow(o, f, err);
	char *text = cJSON_PrintUnformatted(o);

	snprintf(rest, restlen, "%s", text ? text : "");
	free(text);
	cJSON_Delete(o);
	return r;
}

#define EV_HEAD "{\"set\":\"s\",\"algo\":\"md5\",\"digest\":\"00\",\"host\":\"h\",\"path\":\"/\","

/* A valid flow is taken out of the object with the server's endpoint. */
static void test_flow_valid(void)
{
	static const uint8_t c4[4] = { 10, 1, 0, 2 }, s4[4] = { 192, 0, 2, 10 };
	static const uint8_t c6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x02 };
	struct ctl_flow f;
	struct hwall_err err = { { 0 } };
	char rest[512];

	CU_ASSERT_EQUAL(take_flow(EV_HEAD "\"server_ip\":\"192.0.2.10\",\"server_port\":80,"
				  "\"flow\":{\"client_ip\":\"10.1.0.2\",\"client_port\":51234}}",
				  &f, &err, rest, sizeof(rest)), 1);
	CU_ASSERT_EQUAL(f.family, 4);
	CU_ASSERT_EQUAL(memcmp(f.client, c4, 4), 0);
	CU_ASSERT_EQUAL(memcmp(f.server, s4, 4), 0);
	CU_ASSERT_EQUAL(f.client_port, 51234);
	CU_ASSERT_EQUAL(f.server_port, 80);
	CU_ASSERT_PTR_NULL(strstr(rest, "flow"));
	CU_ASSERT_PTR_NULL(strstr(rest, "10.1.0.2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rest, "\"server_ip\":\"192.0.2.10\""));
	CU_ASSERT_EQUAL(take_flow(EV_HEAD "\"server_ip\":\"2001:db8::1\",\"server_port\":8080,"
				  "\"flow\":{\"client_ip\":\"2001:db8::2\",\"client_port\":1}}",
				  &f, &err, rest, sizeof(rest)), 1);
	CU_ASSERT_EQUAL(f.family, 6);
	CU_ASSERT_EQUAL(memcmp(f.client, c6, 16), 0);
	CU_ASSERT_EQUAL(f.client_port, 1);
	ctl_flow_wipe(&f);
	CU_ASSERT_EQUAL(f.family, 0);
	CU_ASSERT_EQUAL(f.client_port, 0);
	/* No flow: nothing taken, the object unchanged. */
	CU_ASSERT_EQUAL(take_flow(EV_HEAD "\"server_port\":80}", &f, &err, rest, sizeof(rest)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rest, "\"server_port\":80"));
	CU_ASSERT_EQUAL(ctl_event_take_flow(NULL, &f, &err), 0);
}

/* A bad flow is refused with a reason that does not quote it, and taken
 * out of the object all the same. */
static void test_flow_refusals(void)
{
	static const struct {
		const char *json, *err;
	} cases[] = {
		{ EV_HEAD "\"server_ip\":\"192.0.2.10\",\"server_port\":80,\"flow\":"
			  "{\"client_ip\":\"10.1.0.999\",\"client_port\":5}}",
		  "flow.client_ip: not an IP address" },
		{ EV_HEAD "\"server_ip\":\"192.0.2.10\",\"server_port\":80,\"flow\":"
			  "{\"client_ip\":7,\"client_port\":5}}",
		  "flow.client_ip: not an IP address" },
		{ EV_HEAD "\"server_ip\":\"192.0.2.10\",\"server_port\":80,\"flow\":"
			  "{\"client_ip\":\"10.1.0.2\",\"client_port\":0}}",
		  "flow.client_port: expected an integer in 1..65535" },
		{ EV_HEAD "\"server_ip\":\"192.0.2.10\",\"server_port\":80,\"flow\":"
			  "{\"client_ip\":\"10.1.0.2\",\"client_port\":70000}}",
		  "flow.client_port: expected an integer in 1..65535" },
		{ EV_HEAD "\"server_ip\":\"192.0.2.10\",\"server_port\":80,\"flow\":"
			  "{\"client_ip\":\"10.1.0.2\",\"client_port\":5,\"user\":\"x\"}}",
		  "flow: unknown member" },
		{ EV_HEAD "\"server_ip\":\"2001:db8::1\",\"server_port\":80,\"flow\":"
			  "{\"client_ip\":\"10.1.0.2\",\"client_port\":5}}",
		  "flow: server_ip missing or of another address family" },
		{ EV_HEAD "\"server_port\":80,\"flow\":"
			  "{\"client_ip\":\"10.1.0.2\",\"client_port\":5}}",
		  "flow: server_ip missing or of another address family" },
		{ EV_HEAD "\"server_ip\":\"192.0.2.10\",\"flow\":"
			  "{\"client_ip\":\"10.1.0.2\",\"client_port\":5}}",
		  "flow: server_port missing or out of range" },
		{ EV_HEAD "\"flow\":[\"10.1.0.2\"]}", "flow: expected object" },
	};
	struct ctl_flow f = { .family = 9 };
	struct hwall_err err = { { 0 } };
	char rest[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(take_flow(cases[i].json, &f, &err, rest, sizeof(rest)), -EINVAL);
		CU_ASSERT_STRING_EQUAL(err.msg, cases[i].err);
		CU_ASSERT_PTR_NULL(strstr(rest, "flow"));
		CU_ASSERT_PTR_NULL(strstr(rest, "10.1.0."));
	}
	CU_ASSERT_EQUAL(f.family, 9); /* untouched on failure */
}

static void test_pseudonyms(void)
{
	static const uint8_t k1[CTL_CLIENT_KEY_LEN] = { 1 }, k2[CTL_CLIENT_KEY_LEN] = { 2 };
	struct ctl_event a = { .client = "198.51.100.7" }, b = { .client = "198.51.100.7" };
	struct ctl_event c = { .client = "198.51.100.7" }, d = { .client = "9f8e7d6c" };
	struct ctl_event none = { .client = "" };

	CU_ASSERT_TRUE(ctl_event_pseudo(&a, k1)); /* looked like a plain address */
	CU_ASSERT_TRUE(ctl_event_pseudo(&b, k1));
	CU_ASSERT_TRUE(ctl_event_pseudo(&c, k2));
	CU_ASSERT_FALSE(ctl_event_pseudo(&d, k1));
	CU_ASSERT_FALSE(ctl_event_pseudo(&none, k1));
	CU_ASSERT_EQUAL(strlen(a.client), 32);
	CU_ASSERT_STRING_EQUAL(a.client, b.client);    /* stable under one key */
	CU_ASSERT_STRING_NOT_EQUAL(a.client, c.client); /* another key, another pseudonym */
	CU_ASSERT_PTR_NULL(strstr(a.client, "198"));
	CU_ASSERT_STRING_EQUAL(none.client, "");
}

static void test_key_file(void)
{
	const char *dir = hwall_test_tmpdir("ctl-key");
	uint8_t k1[CTL_CLIENT_KEY_LEN], k2[CTL_CLIENT_KEY_LEN];
	char path[HWALL_TEST_TMPDIR_LEN + 8];
	struct stat st;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(path, sizeof(path), "%s/key", dir);
	CU_ASSERT_EQUAL(ctl_client_key_load(path, k1), 0); /* created */
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(st.st_size, CTL_CLIENT_KEY_LEN);
	CU_ASSERT_EQUAL(ctl_client_key_load(path, k2), 0); /* read back */
	CU_ASSERT_EQUAL(memcmp(k1, k2, sizeof(k1)), 0);
	/* issue 14, item 10: a key others may read is refused */
	CU_ASSERT_EQUAL(chmod(path, 0644), 0);
	CU_ASSERT_EQUAL(ctl_client_key_load(path, k2), -EPERM);
	CU_ASSERT_EQUAL(chmod(path, 0640), 0);
	CU_ASSERT_EQUAL(ctl_client_key_load(path, k2), -EPERM);
	CU_ASSERT_EQUAL(chmod(path, 0400), 0);
	CU_ASSERT_EQUAL(ctl_client_key_load(path, k2), 0);
	CU_ASSERT_EQUAL(chmod(path, 0600), 0);
	f = fopen(path, "a");
	fputc('x', f);
	fclose(f);
	CU_ASSERT_EQUAL(ctl_client_key_load(path, k2), -EINVAL);
	hwall_test_tmpdir_remove(dir);
}

/* Write @text to a temporary tokens file and load it. */
static int load_tokens(const char *text, struct ctl_tokens *t, struct hwall_err *err)
{
	char path[] = "/tmp/hw-ctl-tokens-XXXXXX";
	int fd = mkstemp(path), r;

	if (fd < 0)
		return -EIO;
	r = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -EIO;
	close(fd);
	if (r == 0)
		r = ctl_tokens_load(path, t, err);
	unlink(path);
	return r;
}

static void test_tokens(void)
{
	struct ctl_tokens t;
	char name[CTL_ACTOR_MAX + 1] = "", h[65], text[512];
	struct hwall_err err = { { 0 } };

	ctl_token_hash_hex("s3cret", h);
	CU_ASSERT_STRING_EQUAL(h, "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0"); /* sha256sum */
	snprintf(text, sizeof(text), "# comment\n\n  bob reviewer %s\n", h);
	CU_ASSERT_EQUAL(load_tokens(text, &t, &err), 0);
	CU_ASSERT_EQUAL(t.n, 1);
	CU_ASSERT_EQUAL(ctl_tokens_check(&t, "s3cret", name), CTL_ROLE_REVIEWER);
	CU_ASSERT_STRING_EQUAL(name, "bob");
	CU_ASSERT_EQUAL(ctl_tokens_check(&t, "s3cre", name), CTL_ROLE_NONE);
	CU_ASSERT_EQUAL(ctl_tokens_check(&t, "", name), CTL_ROLE_NONE);
	CU_ASSERT_EQUAL(ctl_tokens_check(&t, NULL, name), CTL_ROLE_NONE);
	ctl_tokens_free(&t);
	snprintf(text, sizeof(text), "ok viewer %s\nbad root %s\n", h, h);
	CU_ASSERT_EQUAL(load_tokens(text, &t, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ":2: role must be viewer, reviewer or admin"));
	CU_ASSERT_EQUAL(load_tokens("x admin s3cret\n", &t, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ":1: hash must be 64 hex digits"));
	CU_ASSERT_EQUAL(load_tokens("just-a-name\n", &t, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ":1: expected NAME ROLE SHA256-HEX"));
	CU_ASSERT_EQUAL(ctl_tokens_load("/nonexistent/tokens", &t, &err), -ENOENT);
}

/* Reload swaps the tokens as a whole; a bad or missing file keeps them. */
static void test_tokens_reload(void)
{
	char path[] = "/tmp/hw-ctl-tokens-XXXXXX", name[CTL_ACTOR_MAX + 1] = "";
	struct hwall_err err = { { 0 } };
	char ha[65], hb[65], text[256];
	struct ctl_tokens t;
	int fd = mkstemp(path);
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	ctl_token_hash_hex("token-a", ha);
	ctl_token_hash_hex("token-b", hb);
	snprintf(text, sizeof(text), "alice admin %s\n", ha);
	CU_ASSERT_EQUAL_FATAL(load_tokens(text, &t, &err), 0);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "bob viewer %s\ncarol reviewer %s\n", hb, ha);
	fclose(f);
	CU_ASSERT_EQUAL(ctl_tokens_reload(&t, path, &err), 0);
	CU_ASSERT_EQUAL(t.n, 2);
	CU_ASSERT_EQUAL(ctl_tokens_check(&t, "token-b", name), CTL_ROLE_VIEWER);
	CU_ASSERT_STRING_EQUAL(name, "bob");
	CU_ASSERT_EQUAL(ctl_tokens_check(&t, "token-a", name), CTL_ROLE_REVIEWER);
	CU_ASSERT_STRING_EQUAL(name, "carol");
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "dave admin %s\nbroken\n", ha);
	fclose(f);
	CU_ASSERT_EQUAL(ctl_tokens_reload(&t, path, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ":2: expected NAME ROLE SHA256-HEX"));
	/* issue 14, item 10: a tokens file others may read is refused, and says how to fix it */
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "dave admin %s\n", ha);
	fclose(f);
	CU_ASSERT_EQUAL(chmod(path, 0644), 0);
	CU_ASSERT_EQUAL(ctl_tokens_reload(&t, path, &err), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "(mode 0644); run: chmod 600 "));
	CU_ASSERT_EQUAL(ctl_tokens_check(&t, "token-a", name), CTL_ROLE_REVIEWER); /* kept */
	unlink(path);
	CU_ASSERT_EQUAL(ctl_tokens_reload(&t, path, &err), -ENOENT);
	CU_ASSERT_EQUAL(t.n, 2);
	CU_ASSERT_EQUAL(ctl_tokens_check(&t, "token-b", name), CTL_ROLE_VIEWER);
	ctl_tokens_free(&t);
}

static void test_eventlog(void)
{
	struct ctl_record_result res = { .candidate_id = 9, .created = true };
	struct ctl_event ev = { .set = "iwf", .set_version = 4, .algo = HWALL_ALGO_SHA1,
				.digest = "00112233445566778899aabbccddeeff00112233",
				.host = "h.example", .path = "/a\"b", .method = "GET",
				.server_ip = "192.0.2.1", .server_port = 80, .client = "ab",
				.http_status = 200, .size = 5, .complete = true, .category = 1,
				.ref = 77, .ts = 0 };
	char line[2048], path[] = "/tmp/hw-ctl-evlog-XXXXXX", buf[4096];
	struct ctl_eventlog *el = NULL;
	int fd = mkstemp(path);
	ssize_t n;

	CU_ASSERT_TRUE(ctl_eventlog_format(&ev, &res, line, sizeof(line)) > 0);
	CU_ASSERT_STRING_EQUAL(line,
		"{\"timestamp\":\"1970-01-01T00:00:00Z\",\"event_type\":\"fileinfo\","
		"\"src_ip\":\"192.0.2.1\",\"src_port\":80,\"client\":\"ab\",\"proto\":\"TCP\","
		"\"app_proto\":\"http\",\"http\":{\"hostname\":\"h.example\",\"url\":\"/a\\\"b\","
		"\"http_method\":\"GET\",\"status\":200},\"fileinfo\":{\"filename\":\"/a\\\"b\","
		"\"size\":5,\"state\":\"CLOSED\",\"partial\":false,\"stored\":false,"
		"\"sha1\":\"00112233445566778899aabbccddeeff00112233\"},\"hashwall\":{\"set\":\"iwf\","
		"\"set_version\":4,\"algo\":\"sha1\",\"digest\":"
		"\"00112233445566778899aabbccddeeff00112233\",\"category\":1,\"ref\":77,"
		"\"candidate_id\":9,\"new_candidate\":true,\"reopened\":false}}\n");
	CU_ASSERT_EQUAL(ctl_eventlog_format(&ev, &res, line, 64), -ENOSPC);
	/* only flushed lines reach the file; discarded ones never do */
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_FATAL(ctl_eventlog_open(path, &el) == 0);
	ctl_eventlog_add(el, &ev, &res);
	ctl_eventlog_discard(el);
	ev.ref = 78;
	ctl_eventlog_add(el, &ev, &res);
	CU_ASSERT_EQUAL(ctl_eventlog_flush(el), 0);
	ctl_eventlog_close(el);
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"ref\":78"));
	CU_ASSERT_PTR_NULL(strstr(buf, "\"ref\":77"));
	CU_ASSERT_PTR_EQUAL(strchr(buf, '\n'), buf + strlen(buf) - 1); /* one line */
	unlink(path);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "tokens_reload", test_tokens_reload },
		{ "flow_valid", test_flow_valid },
		{ "flow_refusals", test_flow_refusals },
		{ "parse a full match event", test_parse_full },
		{ "parse pdq", test_parse_pdq },
		{ "pdq nearness: distance, quality, variant, entry", test_parse_near },
		{ "refusals name the field", test_parse_refusals },
		{ "every other field is normalised and flagged", test_parse_normalises },
		{ "text: C1 and bytes that are not UTF-8 escaped", test_parse_text },
		{ "host, path and client cut or hashed to fit", test_parse_truncates },
		{ "client pseudonyms", test_pseudonyms },
		{ "client key file", test_key_file },
		{ "tokens file and bearer check", test_tokens },
		{ "event log: EVE-like lines, after commit only", test_eventlog },
		CU_TEST_INFO_NULL,
	};

	return hwall_test_main("control/event", tests);
}
