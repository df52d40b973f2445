/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests for the manifest parser and writer, the payload walker, the
 * state file and the syncd config loader (hashsync/sync).
 */
#include "sync_fixture.h"
#include "sync_config.h"
#include "sync_engine.h"
#include "sync_state.h"

#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>

static struct fx fx;

static enum sync_refusal parse(const char *json)
{
	struct sync_manifest m;
	struct sync_verdict v = { .reason = SYNC_OK };

	sync_manifest_parse((const uint8_t *)json, strlen(json), &m, &v);
	return v.reason;
}

#define HEAD "{\"type\":\"hashwall-bundle\",\"set\":\"nl\",\"created\":10,\"expires\":20,"
#define EMPTY "\"payload\":{\"size\":0,\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}"

static void test_manifest_strict(void)
{
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":1,\"kind\":\"snapshot\"," EMPTY "}"), SYNC_OK);
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":2,\"kind\":\"delta\",\"base\":1," EMPTY "}"), SYNC_OK);
	/* Unknown field, wrong type, missing field, bad kind. */
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":1,\"kind\":\"snapshot\",\"extra\":1," EMPTY "}"),
			SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":\"1\",\"kind\":\"snapshot\"," EMPTY "}"),
			SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_EQUAL(parse(HEAD "\"kind\":\"snapshot\"," EMPTY "}"), SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":1,\"kind\":\"full\"," EMPTY "}"), SYNC_REFUSE_BAD_MANIFEST);
	/* Fractions, negatives, over 2^53. */
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":1.5,\"kind\":\"snapshot\"," EMPTY "}"),
			SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":-1,\"kind\":\"snapshot\"," EMPTY "}"),
			SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":9007199254740993,\"kind\":\"snapshot\"," EMPTY "}"),
			SYNC_REFUSE_BAD_MANIFEST);
	/* Kind rules: a delta needs a lower base, a snapshot has no base or removes. */
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":2,\"kind\":\"delta\"," EMPTY "}"), SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":2,\"kind\":\"delta\",\"base\":2," EMPTY "}"),
			SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":2,\"kind\":\"snapshot\",\"base\":1," EMPTY "}"),
			SYNC_REFUSE_BAD_MANIFEST);
	/* Counts must match the declared payload size exactly. */
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":1,\"kind\":\"snapshot\",\"add\":{\"md5\":1}," EMPTY "}"),
			SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_EQUAL(parse(HEAD "\"version\":1,\"kind\":\"snapshot\",\"add\":{\"crc32\":0}," EMPTY "}"),
			SYNC_REFUSE_BAD_MANIFEST);
	/* Expiry after creation; set ids without '/'; no NUL; JSON only. */
	CU_ASSERT_EQUAL(parse("{\"type\":\"hashwall-bundle\",\"set\":\"nl\",\"created\":20,\"expires\":20,"
			      "\"version\":1,\"kind\":\"snapshot\"," EMPTY "}"),
			SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_EQUAL(parse("{\"type\":\"hashwall-bundle\",\"set\":\"../x\",\"created\":1,\"expires\":20,"
			      "\"version\":1,\"kind\":\"snapshot\"," EMPTY "}"),
			SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_EQUAL(parse("[1,2]"), SYNC_REFUSE_BAD_MANIFEST);
	CU_ASSERT_EQUAL(parse("{\"type\":"), SYNC_REFUSE_BAD_MANIFEST);
}

static void test_root_rules(void)
{
	char json[1024];
	char k1[65], k2[65];

	hwall_hex_format(fx.pub[0], 32, k1);
	hwall_hex_format(fx.pub[1], 32, k2);
	snprintf(json, sizeof(json), HEAD "\"version\":2,\"kind\":\"root\"," EMPTY
		 ",\"root\":{\"version\":2,\"threshold\":2,\"keys\":[\"%s\",\"%s\"]}}", k1, k2);
	CU_ASSERT_EQUAL(parse(json), SYNC_OK);
	snprintf(json, sizeof(json), HEAD "\"version\":2,\"kind\":\"root\"," EMPTY
		 ",\"root\":{\"version\":2,\"threshold\":3,\"keys\":[\"%s\",\"%s\"]}}", k1, k2);
	CU_ASSERT_EQUAL(parse(json), SYNC_REFUSE_BAD_MANIFEST);
	snprintf(json, sizeof(json), HEAD "\"version\":2,\"kind\":\"root\"," EMPTY
		 ",\"root\":{\"version\":2,\"threshold\":1,\"keys\":[\"%s\",\"%s\"]}}", k1, k1);
	CU_ASSERT_EQUAL(parse(json), SYNC_REFUSE_BAD_MANIFEST);
	snprintf(json, sizeof(json), HEAD "\"version\":2,\"kind\":\"root\"," EMPTY
		 ",\"root\":{\"version\":3,\"threshold\":1,\"keys\":[\"%s\"]}}", k1);
	CU_ASSERT_EQUAL(parse(json), SYNC_REFUSE_BAD_MANIFEST);
	snprintf(json, sizeof(json), HEAD "\"version\":2,\"kind\":\"snapshot\"," EMPTY
		 ",\"root\":{\"version\":2,\"threshold\":1,\"keys\":[\"%s\"]}}", k1);
	CU_ASSERT_EQUAL(parse(json), SYNC_REFUSE_BAD_MANIFEST);
}

/* Records come back in wire order with their metadata. */
struct walk {
	unsigned int adds, removes;
	uint32_t ref_sum;
};

static int walk_cb(const struct sync_record *r, void *ctx)
{
	struct walk *w = ctx;

	if (r->remove)
		w->removes++;
	else
		w->adds++, w->ref_sum += r->ref;
	return 0;
}

static void test_payload_round_trip(void)
{
	struct sync_manifest m = fx_manifest(SYNC_KIND_DELTA, 9, 8);
	struct sync_verified out;
	struct sync_verdict v;
	struct walk w = { 0 };
	size_t len;
	uint8_t *b = fx_bundle(&fx, &m, 5, 6, 0, 1, &len); /* 6 adds, 2 removes */

	fx.trusted.installed_version = 8;
	CU_ASSERT_FATAL(sync_verify(b, len, &fx.caps, &fx.trusted, FX_NOW, &out, &v) == 0);
	fx.trusted.installed_version = 0;
	CU_ASSERT_EQUAL(out.m.adds[HWALL_ALGO_MD5] + out.m.adds[HWALL_ALGO_SHA256], 6);
	CU_ASSERT_EQUAL(out.m.removes[HWALL_ALGO_MD5], 2);
	CU_ASSERT_EQUAL(out.m.payload_size, 3 * (16 + 5) + 3 * (32 + 5) + 2 * 16);
	CU_ASSERT_EQUAL(sync_payload_foreach(&out.m, out.payload, walk_cb, &w), 0);
	CU_ASSERT_EQUAL(w.adds, 6);
	CU_ASSERT_EQUAL(w.removes, 2);
	CU_ASSERT_EQUAL(w.ref_sum, 1000 + 1001 + 1002 + 1003 + 1004 + 1005);
	free(b);
}

static void test_state_round_trip(void)
{
	char path[] = "/tmp/sync-state-XXXXXX";
	struct hwall_err err;
	struct sync_state st = { .notified_version = 7, .highest_version = 9, .last_success = 100,
				 .last_checked = 150,
				 .last_refusal = 120, .last_reason = SYNC_REFUSE_EXPIRED, .installs = 3 };
	struct sync_state back;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	st.root = fx.trusted.root;
	st.root.version = 4;
	st.refusals[SYNC_REFUSE_EXPIRED] = 2;
	st.refusals[SYNC_REFUSE_THRESHOLD] = 5;
	strcpy(st.last_detail, "expired at 20");
	CU_ASSERT_EQUAL(sync_state_save(path, &st), 0);
	CU_ASSERT_EQUAL(sync_state_load(path, &back, &err), 0);
	CU_ASSERT_EQUAL(back.root.version, 4);
	CU_ASSERT_EQUAL(back.root.n_keys, 3);
	CU_ASSERT_EQUAL(memcmp(back.root.keys, st.root.keys, sizeof(st.root.keys)), 0);
	CU_ASSERT_EQUAL(back.notified_version, 7);
	CU_ASSERT_EQUAL(back.highest_version, 9);
	CU_ASSERT_EQUAL(back.last_checked, 150);
	CU_ASSERT_EQUAL(back.last_reason, SYNC_REFUSE_EXPIRED);
	CU_ASSERT_EQUAL(back.refusals[SYNC_REFUSE_THRESHOLD], 5);
	CU_ASSERT_STRING_EQUAL(back.last_detail, "expired at 20");
	/* A damaged state file is an error, not a silent reset of the root. */
	fd = open(path, O_WRONLY | O_TRUNC);
	CU_ASSERT_EQUAL(write(fd, "{\"root\":{}}", 11), 11);
	close(fd);
	CU_ASSERT_EQUAL(sync_state_load(path, &back, &err), -EINVAL);
	unlink(path);
	CU_ASSERT_EQUAL(sync_state_load(path, &back, &err), -ENOENT);
}

/* Load @json as a syncd config; returns the loader's result. */
static int config(const char *json, struct hwall_err *err)
{
	char path[] = "/tmp/sync-config-XXXXXX";
	struct sync_config cfg;
	int fd = mkstemp(path), r;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	r = sync_config_load(path, &cfg, err);
	sync_config_free(&cfg);
	unlink(path);
	return r;
}

#define KEY "\"0000000000000000000000000000000000000000000000000000000000000001\""

static void test_config(void)
{
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(config("{\"state_dir\":\"/s\",\"set_dir\":\"/d\",\"hotlines\":[{\"name\":\"a\","
			       "\"set\":\"nl\",\"keys\":[" KEY "]}]}", &err), 0);
	CU_ASSERT_EQUAL(config("{\"state_dir\":\"/s\",\"set_dir\":\"/d\",\"hotlines\":[{\"name\":\"a\","
			       "\"set\":\"nl\",\"keys\":[" KEY "],\"threshold\":2}]}", &err),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "hotlines[0].threshold"));
	CU_ASSERT_EQUAL(config("{\"state_dir\":\"/s\",\"set_dir\":\"/d\",\"hotlines\":[{\"name\":\"a\","
			       "\"set\":\"nl\",\"keys\":[\"00ff\"]}]}", &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "hotlines[0].keys[0]"));
	CU_ASSERT_EQUAL(config("{\"state_dir\":\"/s\",\"set_dir\":\"/d\",\"hotlines\":["
			       "{\"name\":\"a\",\"set\":\"nl\",\"keys\":[" KEY "]},"
			       "{\"name\":\"b\",\"set\":\"nl\",\"keys\":[" KEY "]}]}", &err),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "hotlines[1].set"));
	CU_ASSERT_EQUAL(config("{\"state_dir\":\"/s\",\"set_dir\":\"/d\",\"hotlines\":[{\"name\":\"a\","
			       "\"set\":\"nl\",\"keys\":[" KEY "],\"pull\":{\"url\":\"http://x/\","
			       "\"jitter\":0.9}}]}", &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "jitter"));
}

static void test_staleness(void)
{
	struct sync_hotline_config hl = { .set = "nl", .stale_after = 100 };
	struct sync_target t = { .hl = &hl };
	const char *why;

	CU_ASSERT_TRUE(sync_target_stale(&t, 1000, &why));
	CU_ASSERT_STRING_EQUAL(why, "no set installed");
	t.installed_version = 4;
	t.installed_expires = 2000;
	t.st.last_success = 950;
	CU_ASSERT_FALSE(sync_target_stale(&t, 1000, &why));
	CU_ASSERT_STRING_EQUAL(why, "fresh");
	/* No install and no successful check within stale_after. */
	CU_ASSERT_TRUE(sync_target_stale(&t, 1051, &why));
	CU_ASSERT_STRING_EQUAL(why, "no update or check within stale_after");
	/* A pull that found the set current counts as contact. */
	t.st.last_checked = 1040;
	CU_ASSERT_FALSE(sync_target_stale(&t, 1100, NULL));
	/* Expiry wins over recent contact; no window when stale_after is 0. */
	CU_ASSERT_TRUE(sync_target_stale(&t, 2000, &why));
	CU_ASSERT_STRING_EQUAL(why, "the installed set has expired");
	hl.stale_after = 0;
	CU_ASSERT_FALSE(sync_target_stale(&t, 1999, NULL));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "manifest parser is strict", test_manifest_strict },
		{ "root bundle rules", test_root_rules },
		{ "payload records round trip", test_payload_round_trip },
		{ "state file round trip", test_state_round_trip },
		{ "syncd config errors name the path", test_config },
		{ "staleness: expiry and the window", test_staleness },
		CU_TEST_INFO_NULL,
	};

	if (fx_init(&fx) < 0)
		return 2;
	return hwall_test_main("sync_bundle", tests);
}
