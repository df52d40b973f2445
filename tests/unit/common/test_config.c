/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/config.c: field tables, paths in errors, cleanup. */
#include "common/config.h"
#include "hwall_test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct set_cfg {
	char *path;
	uint32_t category;
};

struct test_cfg {
	char *name;
	bool enabled;
	uint16_t port;
	uint64_t max_bytes;
	double ratio;
	struct {
		char *address;
		uint32_t workers;
	} inner;
	struct set_cfg *sets;
	size_t n_sets;
	char **tags;
	size_t n_tags;
};

static const struct hwall_cfg_field set_fields[] = {
	{ .key = "path", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = offsetof(struct set_cfg, path) },
	{ .key = "category", .kind = HWALL_CFG_U32, .offset = offsetof(struct set_cfg, category),
	  .min = 1, .max = 9 },
	{ 0 },
};

static const struct hwall_cfg_field inner_fields[] = {
	{ .key = "address", .kind = HWALL_CFG_STRING, .def_str = "127.0.0.1",
	  .offset = offsetof(struct test_cfg, inner.address) - offsetof(struct test_cfg, inner) },
	{ .key = "workers", .kind = HWALL_CFG_U32, .min = 1, .max = 64,
	  .offset = offsetof(struct test_cfg, inner.workers) - offsetof(struct test_cfg, inner) },
	{ 0 },
};

static const struct hwall_cfg_field fields[] = {
	{ .key = "name", .kind = HWALL_CFG_STRING, .required = true,
	  .offset = offsetof(struct test_cfg, name) },
	{ .key = "enabled", .kind = HWALL_CFG_BOOL, .offset = offsetof(struct test_cfg, enabled) },
	{ .key = "port", .kind = HWALL_CFG_U16, .offset = offsetof(struct test_cfg, port) },
	{ .key = "max_bytes", .kind = HWALL_CFG_U64, .offset = offsetof(struct test_cfg, max_bytes) },
	{ .key = "ratio", .kind = HWALL_CFG_DOUBLE, .offset = offsetof(struct test_cfg, ratio),
	  .min = 0, .max = 1 },
	{ .key = "inner", .kind = HWALL_CFG_OBJECT, .offset = offsetof(struct test_cfg, inner),
	  .fields = inner_fields },
	{ .key = "sets", .kind = HWALL_CFG_ARRAY, .offset = offsetof(struct test_cfg, sets),
	  .elem_kind = HWALL_CFG_OBJECT, .elem_size = sizeof(struct set_cfg), .fields = set_fields,
	  .count_offset = offsetof(struct test_cfg, n_sets), .max_elems = 4 },
	{ .key = "tags", .kind = HWALL_CFG_ARRAY, .offset = offsetof(struct test_cfg, tags),
	  .elem_kind = HWALL_CFG_STRING, .elem_size = sizeof(char *),
	  .count_offset = offsetof(struct test_cfg, n_tags) },
	{ 0 },
};

/* Parse @json against the table; returns the loader's result. */
static int load(const char *json, struct test_cfg *cfg, struct hwall_err *err)
{
	cJSON *root = NULL;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->port = 80; /* a caller default */
	r = hwall_cfg_parse_text(json, strlen(json), "test.json", &root, err);
	if (r < 0)
		return r;
	r = hwall_cfg_load(root, fields, cfg, "", err);
	cJSON_Delete(root);
	return r;
}

static void test_full_config(void)
{
	struct test_cfg cfg;
	struct hwall_err err = { { 0 } };
	const char *json = "{\"name\":\"edge1\",\"enabled\":true,\"max_bytes\":4294967296,"
			   "\"ratio\":0.5,\"inner\":{\"workers\":2},"
			   "\"sets\":[{\"path\":\"/a\",\"category\":1},{\"path\":\"/b\"}],"
			   "\"tags\":[\"x\",\"y\"]}";

	CU_ASSERT_EQUAL_FATAL(load(json, &cfg, &err), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "edge1");
	CU_ASSERT_TRUE(cfg.enabled);
	CU_ASSERT_EQUAL(cfg.port, 80);
	CU_ASSERT_EQUAL(cfg.max_bytes, 4294967296ull);
	CU_ASSERT_DOUBLE_EQUAL(cfg.ratio, 0.5, 1e-9);
	CU_ASSERT_STRING_EQUAL(cfg.inner.address, "127.0.0.1");
	CU_ASSERT_EQUAL(cfg.inner.workers, 2);
	CU_ASSERT_EQUAL_FATAL(cfg.n_sets, 2);
	CU_ASSERT_STRING_EQUAL(cfg.sets[0].path, "/a");
	CU_ASSERT_EQUAL(cfg.sets[0].category, 1);
	CU_ASSERT_STRING_EQUAL(cfg.sets[1].path, "/b");
	CU_ASSERT_EQUAL(cfg.sets[1].category, 0);
	CU_ASSERT_EQUAL_FATAL(cfg.n_tags, 2);
	CU_ASSERT_STRING_EQUAL(cfg.tags[1], "y");
	hwall_cfg_free(fields, &cfg);
	CU_ASSERT_PTR_NULL(cfg.name);
	CU_ASSERT_PTR_NULL(cfg.sets);
	CU_ASSERT_EQUAL(cfg.n_sets, 0);
}

/* Each bad input gives exactly this message. */
static void expect_error(const char *json, const char *msg)
{
	struct test_cfg cfg;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(load(json, &cfg, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, msg);
	hwall_cfg_free(fields, &cfg);
}

static void test_error_paths(void)
{
	expect_error("{\"name\":\"a\",\"sets\":[{\"path\":\"/a\"},{\"path\":\"/b\"},{\"path\":3}]}",
		     "sets[2].path: expected string");
	expect_error("{\"name\":\"a\",\"sets\":[{\"category\":2}]}",
		     "sets[0].path: missing required key");
	expect_error("{\"name\":\"a\",\"sets\":[{\"path\":\"/a\",\"category\":10}]}",
		     "sets[0].category: 10 is out of range 1..9");
	expect_error("{\"name\":\"a\",\"inner\":{\"wokers\":2}}", "inner.wokers: unknown key");
	expect_error("{\"name\":\"a\",\"port\":70000}", "port: expected unsigned integer, got 70000");
	expect_error("{\"name\":\"a\",\"port\":-1}", "port: expected unsigned integer, got -1");
	expect_error("{\"name\":\"a\",\"port\":1.5}", "port: expected unsigned integer, got 1.5");
	expect_error("{\"name\":\"a\",\"port\":\"80\"}", "port: expected unsigned integer");
	expect_error("{\"name\":\"a\",\"enabled\":1}", "enabled: expected boolean");
	expect_error("{\"name\":\"a\",\"ratio\":2}", "ratio: 2 is out of range 0..1");
	expect_error("{\"name\":\"a\",\"tags\":\"x\"}", "tags: expected array");
	expect_error("{\"name\":\"a\",\"tags\":[\"x\",false]}", "tags[1]: expected string");
	expect_error("{\"name\":\"a\",\"inner\":[]}", "inner: expected object");
	expect_error("{\"name\":\"a\",\"sets\":[{\"path\":\"1\"},{\"path\":\"2\"},{\"path\":\"3\"},"
		     "{\"path\":\"4\"},{\"path\":\"5\"}]}",
		     "sets: 5 elements, at most 4 allowed");
	expect_error("{}", "name: missing required key");
	expect_error("[]", "(root): expected object");
}

static void test_syntax_error_position(void)
{
	struct test_cfg cfg;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(load("{\n  \"name\": \"a\",\n  \"port\": ,\n}", &cfg, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.json:3:11: JSON syntax error");
	CU_ASSERT_EQUAL(load("{\"name\":\"a\"} x", &cfg, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.json:1:14: unexpected text after the JSON value");
}

/* Parsed strictly: a repeated key is named, a byte-order mark refused. */
static void test_strict(void)
{
	struct test_cfg cfg;
	struct hwall_err err = { { 0 } };

	CU_ASSERT_EQUAL(load("{\"name\":\"a\",\"sets\":[{\"path\":\"1\",\"path\":\"2\"}]}", &cfg, &err),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.json: sets[0].path: duplicate key");
	CU_ASSERT_EQUAL(load("\xef\xbb\xbf{\"name\":\"a\"}", &cfg, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "test.json:1:1: byte-order mark");
}

static void test_parse_file(void)
{
	char path[] = "/tmp/hw-test-config-XXXXXX";
	struct hwall_err err = { { 0 } };
	cJSON *root = NULL;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "{\"name\":\"f\"}\n", 13), 13);
	close(fd);
	CU_ASSERT_EQUAL(hwall_cfg_parse_file(path, &root, &err), 0);
	CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(root, "name")->valuestring, "f");
	cJSON_Delete(root);
	unlink(path);
	CU_ASSERT_EQUAL(hwall_cfg_parse_file(path, &root, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "No such file"));
	CU_ASSERT_EQUAL(hwall_cfg_parse_file("/tmp", &root, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a regular file"));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "full config", test_full_config },
		{ "error paths", test_error_paths },
		{ "syntax error position", test_syntax_error_position },
		{ "strict JSON", test_strict },
		{ "parse file", test_parse_file },
		CU_TEST_INFO_NULL,
	};
	return hwall_test_main("common/config", tests);
}
