/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: every corruption of a set file is refused at open with an
 * error that says what is wrong, and lookups stay inside the mapping even
 * on a crafted file whose checksum is right.
 */
#include "hws_test_util.h"
#include "hashsync/hws_format.h"

#include <errno.h>
#include <stddef.h>

/* Enough entries for several index groups (6 bucket bits). */
#define PER_ALGO 200

static uint8_t *image;
static size_t image_len;

/* A small valid image with every algorithm, built once. */
static void load_image(void)
{
	struct hws_builder *b = hws_builder_new("corrupt", 2);
	struct hws_entry e[PER_ALGO];
	struct hwall_err err;
	FILE *f;

	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		hws_test_entries(50 + a, (enum hwall_algo)a, e, PER_ALGO);
		for (int i = 0; i < PER_ALGO; i++)
			hws_builder_add(b, (enum hwall_algo)a, e[i].digest, e[i].category, e[i].ref);
	}
	if (hws_builder_write(b, hws_test_path("c.hws"), NULL, &err) < 0)
		abort();
	hws_builder_free(b);
	f = fopen(hws_test_path("c.hws"), "rb");
	fseek(f, 0, SEEK_END);
	image_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	image = aligned_alloc(64, (image_len + 63) & ~(size_t)63);
	if (fread(image, 1, image_len, f) != image_len)
		abort();
	fclose(f);
}

/* Open a modified copy of the image; returns the result and the message. */
static int open_copy(const uint8_t *buf, size_t len, struct hwall_err *err)
{
	uint8_t *copy = aligned_alloc(64, (len + 64) & ~(size_t)63);
	struct hws_set *set = NULL;
	int r;

	memcpy(copy, buf, len);
	r = hws_open_mem(copy, len, &set, err);
	hws_close(set);
	free(copy);
	return r;
}

/* Modify a header field, fix the checksum, and expect @what in the error. */
static void expect_header_refusal(size_t off, const void *val, size_t len, const char *what)
{
	uint8_t *copy = malloc(image_len);
	struct hwall_err err = { { 0 } };

	memcpy(copy, image, image_len);
	memcpy(copy + off, val, len);
	hws_checksum(copy, image_len, copy + HWS_CHECKSUM_OFF);
	CU_ASSERT_EQUAL(open_copy(copy, image_len, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, what));
	free(copy);
}

static void test_valid_image_opens(void)
{
	struct hwall_err err = { { 0 } };
	CU_ASSERT_EQUAL(open_copy(image, image_len, &err), 0);
}

static void test_truncated_everywhere(void)
{
	struct hwall_err err = { { 0 } };
	size_t refused = 0;

	for (size_t len = 0; len < image_len; len++)
		refused += open_copy(image, len, &err) == -EINVAL;
	CU_ASSERT_EQUAL(refused, image_len);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "truncated"));
}

static void test_extended(void)
{
	uint8_t *longer = calloc(1, image_len + 1);
	struct hwall_err err = { { 0 } };

	memcpy(longer, image, image_len);
	CU_ASSERT_EQUAL(open_copy(longer, image_len + 1, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "truncated or extended"));
	free(longer);
}

/* Every single flipped byte, header or data, is refused. */
static void test_flipped_byte_everywhere(void)
{
	uint8_t *copy = malloc(image_len);
	struct hwall_err err = { { 0 } };
	size_t refused = 0;

	memcpy(copy, image, image_len);
	for (size_t i = 0; i < image_len; i++) {
		copy[i] ^= 0x20;
		refused += open_copy(copy, image_len, &err) == -EINVAL;
		copy[i] ^= 0x20;
	}
	CU_ASSERT_EQUAL(refused, image_len);
	free(copy);
}

static void test_checksum_named(void)
{
	uint8_t *copy = malloc(image_len);
	struct hwall_err err = { { 0 } };

	memcpy(copy, image, image_len);
	copy[image_len - 1] ^= 1; /* a category byte */
	CU_ASSERT_EQUAL(open_copy(copy, image_len, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "checksum mismatch: the file is corrupt");
	free(copy);
}

static void test_header_fields(void)
{
	const struct hws_disk_header *h = (const void *)image;
	uint32_t u32;
	uint64_t u64;
	uint8_t u8;
	size_t algo0 = offsetof(struct hws_disk_header, algos);
	size_t md5 = algo0 + HWALL_ALGO_MD5 * sizeof(struct hws_disk_algo);

	expect_header_refusal(0, "HWSEX\r\n\x1a", 8, "bad magic");
	u32 = HWS_FORMAT_VERSION + 1;
	expect_header_refusal(offsetof(struct hws_disk_header, format_version), &u32, 4,
			      "is newer than this build's");
	u32 = HWS_FORMAT_VERSION - 1;
	expect_header_refusal(offsetof(struct hws_disk_header, format_version), &u32, 4,
			      "is older than this build's");
	u32 = 1024;
	expect_header_refusal(offsetof(struct hws_disk_header, header_size), &u32, 4, "header size");
	u32 = 1;
	expect_header_refusal(offsetof(struct hws_disk_header, flags), &u32, 4, "unknown flags");
	expect_header_refusal(offsetof(struct hws_disk_header, reserved), &u32, 4, "reserved header");
	expect_header_refusal(offsetof(struct hws_disk_header, reserved2) + 111, &u32, 1,
			      "reserved header");
	u64 = h->entries + 1;
	expect_header_refusal(offsetof(struct hws_disk_header, entries), &u64, 8,
			      "entry counts add up");
	expect_header_refusal(offsetof(struct hws_disk_header, id), "", 1, "set id empty");
	expect_header_refusal(offsetof(struct hws_disk_header, id), "a\001", 2, "non-printable");
	u64 = image_len; /* keys section starting at the end of the file */
	expect_header_refusal(md5 + offsetof(struct hws_disk_algo, keys_off), &u64, 8,
			      "md5: key section outside");
	u64 = (image_len + 64) & ~(uint64_t)63;
	expect_header_refusal(md5 + offsetof(struct hws_disk_algo, index_off), &u64, 8,
			      "md5: index section outside");
	u64 = h->algos[HWALL_ALGO_MD5].refs_off + 4; /* misaligned */
	expect_header_refusal(md5 + offsetof(struct hws_disk_algo, refs_off), &u64, 8,
			      "md5: reference section");
	u64 = ~0ull - 63; /* offset + size overflows */
	expect_header_refusal(md5 + offsetof(struct hws_disk_algo, cats_off), &u64, 8,
			      "md5: category section");
	u64 = 1ull << 40; /* count far beyond the file */
	expect_header_refusal(md5 + offsetof(struct hws_disk_algo, count), &u64, 8, "md5:");
	u8 = 20;
	expect_header_refusal(md5 + offsetof(struct hws_disk_algo, digest_len), &u8, 1,
			      "md5: digest length 20");
	u8 = 29;
	expect_header_refusal(md5 + offsetof(struct hws_disk_algo, bucket_bits), &u8, 1,
			      "md5: inconsistent bucket bits");
	u8 = 3;
	expect_header_refusal(md5 + offsetof(struct hws_disk_algo, off_width), &u8, 1,
			      "md5: index offset width 3");
	u64 = image_len - 8; /* base table running past the end */
	expect_header_refusal(md5 + offsetof(struct hws_disk_algo, base_off), &u64, 8,
			      "md5: base section");
}

/* What format 2 added: room for more algorithms, and every byte of it
 * zero until something defines it; an aux section for a perceptual
 * algorithm only. */
static void test_algorithm_room(void)
{
	size_t algo0 = offsetof(struct hws_disk_header, algos);
	size_t sha1 = algo0 + HWALL_ALGO_SHA1 * sizeof(struct hws_disk_algo);
	size_t unknown = algo0 + HWALL_ALGO_COUNT * sizeof(struct hws_disk_algo);
	size_t last = algo0 + (HWS_ALGO_SLOTS - 1) * sizeof(struct hws_disk_algo);
	uint64_t u64 = 1;
	uint8_t u8 = 1;

	CU_ASSERT(HWS_ALGO_SLOTS >= HWALL_ALGO_COUNT + 8); /* more to come */
	expect_header_refusal(unknown + offsetof(struct hws_disk_algo, count), &u64, 8,
			      "algorithm slot");
	expect_header_refusal(last + offsetof(struct hws_disk_algo, aux_len), &u64, 8,
			      "algorithm slot");
	expect_header_refusal(sha1 + offsetof(struct hws_disk_algo, aux_off), &u64, 8,
			      "sha1: an aux section is given, but only a perceptual algorithm");
	expect_header_refusal(sha1 + offsetof(struct hws_disk_algo, aux_len), &u64, 8,
			      "sha1: an aux section is given, but only a perceptual algorithm");
	expect_header_refusal(sha1 + offsetof(struct hws_disk_algo, reserved2), &u64, 8,
			      "sha1: reserved descriptor fields");
	expect_header_refusal(sha1 + offsetof(struct hws_disk_algo, reserved) + 2, &u8, 1,
			      "sha1: reserved descriptor fields");
}

/* pdq's near-neighbour index (its aux section): missing, outside the file,
 * misaligned, of another count, or not an index at all, each with the
 * checksum fixed, is refused and named. */
static void test_pdq_aux_refused(void)
{
	const struct hws_disk_header *h = (const void *)image;
	const struct hws_disk_algo *d = &h->algos[HWALL_ALGO_PDQ];
	size_t pdq = offsetof(struct hws_disk_header, algos) + HWALL_ALGO_PDQ * sizeof(*d);
	size_t aux_off = pdq + offsetof(struct hws_disk_algo, aux_off);
	size_t aux_len = pdq + offsetof(struct hws_disk_algo, aux_len);
	uint64_t u64 = 0;
	uint32_t u32;

	CU_ASSERT_FATAL(d->aux_off % 64 == 0 && d->aux_len > 64 && d->aux_off + d->aux_len <= image_len);
	expect_header_refusal(aux_len, &u64, 8, "pdq: index (aux) section missing");
	expect_header_refusal(aux_off, &u64, 8, "pdq: index (aux) section missing");
	u64 = d->aux_off + 8;
	expect_header_refusal(aux_off, &u64, 8, "pdq: index (aux) section missing");
	u64 = image_len;
	expect_header_refusal(aux_len, &u64, 8, "pdq: index (aux) section missing");
	u64 = d->aux_len - 64; /* shorter than the index says it is */
	expect_header_refusal(aux_len, &u64, 8, "pdq: index (aux) section refused");
	expect_header_refusal(d->aux_off, "HWPDX\r\n\x1a", 8, "pdq: index (aux) section refused");
	u32 = (uint32_t)d->count - 1; /* the index's own count */
	expect_header_refusal(d->aux_off + 24, &u32, 4, "pdq: index (aux) section refused");
	/* The refs section: a valid index of another table's size. */
	u64 = d->keys_off;
	expect_header_refusal(aux_off, &u64, 8, "pdq: index (aux) section refused");
}

/* The index's entries are the table's keys: a table whose first or last
 * key differs from the index's (checksum fixed) is refused. */
static void test_pdq_aux_order_checked(void)
{
	const struct hws_disk_header *h = (const void *)image;
	const struct hws_disk_algo *d = &h->algos[HWALL_ALGO_PDQ];
	uint8_t b = image[d->keys_off + d->key_len - 1] ^ 1;

	expect_header_refusal(d->keys_off + d->key_len - 1, &b, 1, "pdq: index entry 0 is not");
	b = image[d->keys_off + d->count * d->key_len - 1] ^ 1;
	expect_header_refusal(d->keys_off + d->count * d->key_len - 1, &b, 1,
			      "is not the table's key");
}

/* A file of format 1 (512-byte header, four slots), even one shorter than
 * today's header, is refused as old, with what to do about it. */
static void test_old_format_refused(void)
{
	struct { char magic[HWS_MAGIC_LEN]; uint32_t version, header_size; uint64_t file_size; } v1 = {
		.version = 1, .header_size = 512, .file_size = 512,
	};
	uint8_t file[512] = { 0 };
	struct hws_set *set = NULL;
	struct hwall_err err = { { 0 } }, mem = { { 0 } };
	FILE *f;

	memcpy(v1.magic, HWS_MAGIC, HWS_MAGIC_LEN);
	memcpy(file, &v1, sizeof(v1));
	f = fopen(hws_test_path("v1.hws"), "wb");
	CU_ASSERT_EQUAL_FATAL(fwrite(file, 1, sizeof(file), f), sizeof(file));
	fclose(f);
	CU_ASSERT_EQUAL(hws_open(hws_test_path("v1.hws"), &set, &err), -EINVAL);
	CU_ASSERT_PTR_NULL(set);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "format version 1 is older than this build's 2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "hashwall-set build"));
	CU_ASSERT_EQUAL(open_copy(file, sizeof(file), &mem), -EINVAL);
	CU_ASSERT_STRING_EQUAL(mem.msg, err.msg);
}

static int count_entry(const struct hws_entry *e, void *ctx)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

/* A crafted index with a valid checksum (bases past the end and going
 * backwards, offsets at their maximum): lookups and iteration stay inside
 * the file (ASan checks this in the sanitizer tree) and iteration visits
 * each entry at most once. */
static void test_crafted_index_stays_in_bounds(void)
{
	uint8_t *copy = aligned_alloc(64, (image_len + 63) & ~(size_t)63);
	const struct hws_disk_header *h = (const void *)image;
	const struct hws_disk_algo *d = &h->algos[HWALL_ALGO_SHA256];
	struct hws_entry e[PER_ALGO];
	struct hws_set *set = NULL;
	struct hwall_err err;
	uint32_t *base;
	size_t nb = (size_t)1 << d->bucket_bits, groups = hws_groups(d->bucket_bits);
	int found = 0, visited = 0;

	CU_ASSERT_FATAL(groups > 2);
	CU_ASSERT_EQUAL_FATAL(d->off_width, 1);
	memcpy(copy, image, image_len);
	base = (uint32_t *)(copy + d->base_off);
	for (size_t g = 1; g < groups; g++)
		base[g] = g % 2 ? 0xffffffffu : 3;
	memset(copy + d->index_off, 0xff, nb);
	hws_checksum(copy, image_len, copy + HWS_CHECKSUM_OFF);
	CU_ASSERT_EQUAL_FATAL(hws_open_mem(copy, image_len, &set, &err), 0);
	hws_test_entries(50 + HWALL_ALGO_SHA256, HWALL_ALGO_SHA256, e, PER_ALGO);
	for (int i = 0; i < PER_ALGO; i++)
		found += hws_lookup(set, HWALL_ALGO_SHA256, e[i].digest, NULL);
	CU_ASSERT(found < PER_ALGO); /* the crafted table answers wrongly... */
	hws_test_entries(50 + HWALL_ALGO_MD5, HWALL_ALGO_MD5, e, PER_ALGO);
	found = 0;
	for (int i = 0; i < PER_ALGO; i++)
		found += hws_lookup(set, HWALL_ALGO_MD5, e[i].digest, NULL);
	CU_ASSERT_EQUAL(found, PER_ALGO); /* ...and the intact ones rightly */
	CU_ASSERT_EQUAL(hws_foreach(set, count_entry, &visited), 0);
	/* All of each intact algorithm, at most all of the crafted one. */
	CU_ASSERT(visited >= 3 * PER_ALGO && visited <= 4 * PER_ALGO);
	hws_close(set);
	free(copy);
}

static void test_unaligned_buffer_refused(void)
{
	uint8_t *buf = aligned_alloc(64, (image_len + 127) & ~(size_t)63);
	struct hws_set *set = NULL;
	struct hwall_err err;

	memcpy(buf + 1, image, image_len);
	CU_ASSERT_EQUAL(hws_open_mem(buf + 1, image_len, &set, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "aligned"));
	free(buf);
}

static void test_open_file_errors(void)
{
	struct hws_set *set = NULL;
	struct hwall_err err;
	FILE *f;

	CU_ASSERT_EQUAL(hws_open(hws_test_path("missing.hws"), &set, &err), -ENOENT);
	CU_ASSERT_EQUAL(hws_open(test_dir, &set, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a regular file"));
	f = fopen(hws_test_path("short.hws"), "wb");
	fwrite(image, 1, 100, f);
	fclose(f);
	CU_ASSERT_EQUAL(hws_open(hws_test_path("short.hws"), &set, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "100 bytes, shorter than the 1536-byte header"));
	CU_ASSERT_PTR_NULL(set);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "valid image opens", test_valid_image_opens },
		{ "truncated at every offset", test_truncated_everywhere },
		{ "extended by a byte", test_extended },
		{ "a flipped byte anywhere", test_flipped_byte_everywhere },
		{ "checksum named", test_checksum_named },
		{ "header fields", test_header_fields },
		{ "pdq index refused", test_pdq_aux_refused },
		{ "pdq index lines up with the keys", test_pdq_aux_order_checked },
		{ "algorithm room", test_algorithm_room },
		{ "old format refused", test_old_format_refused },
		{ "crafted index stays in bounds", test_crafted_index_stays_in_bounds },
		{ "unaligned buffer refused", test_unaligned_buffer_refused },
		{ "open file errors", test_open_file_errors },
		CU_TEST_INFO_NULL,
	};
	int rc;

	hws_test_dir_init();
	load_image();
	rc = hwall_test_main("hashsync/hws_corrupt", tests);
	free(image);
	return rc;
}
