/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http_seeds.c - the rows of the HTTP framing tests
 * (tests/unit/dataplane/framing_cases.c) as seeds of the http fuzz target,
 * in fuzz_http.c's record format:
 *
 *   http_seeds --check DIR   each row's seed is DIR/table-http-<name> or
 *                            DIR/table-body-<name> with the right bytes, and
 *                            no other table-* file is there; otherwise a
 *                            FAIL line each and exit status 1
 *   http_seeds --write DIR   write them, and remove the table-* files of
 *                            rows that are gone
 *
 * An HTTP row's steps become records; FC_RST ends the seed (the target
 * releases the connection at the end of its input anyway).  A body row is
 * wrapped in an exchange: a GET, then a response head that selects the
 * row's framing (Content-Length, chunked, neither: close-delimited, ended
 * by the server's FIN; no body: a 204) and the row's bytes after it.
 *
 * The seeds are committed rather than generated at build time so that the
 * corpus directory is complete for anyone running the fuzzer on it, and a
 * seed stays in the tree as a regression input; the check keeps them equal
 * to the rows.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framing_cases.h"

#define SEED_MAX 4096
#define RECORD_DATA_MAX 126 /* n in 1..126: n bytes follow */
#define RECORD_FIN 0
#define RECORD_GAP 127      /* the hole's length in the next byte */
#define RECORD_S2C 0x80

struct seed {
	char name[96];
	uint8_t buf[SEED_MAX];
	size_t len;
};

static void put_byte(struct seed *s, uint8_t b)
{
	if (s->len < SEED_MAX)
		s->buf[s->len] = b;
	s->len++; /* past SEED_MAX: reported by the caller */
}

static uint8_t dir_bit(enum dp_dir dir)
{
	return dir == DP_DIR_S2C ? RECORD_S2C : 0;
}

static void put_data(struct seed *s, enum dp_dir dir, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		size_t n = len < RECORD_DATA_MAX ? len : RECORD_DATA_MAX;

		put_byte(s, dir_bit(dir) | (uint8_t)n);
		for (size_t i = 0; i < n; i++)
			put_byte(s, p[i]);
		p += n;
		len -= n;
	}
}

static void put_gap(struct seed *s, enum dp_dir dir, uint32_t len)
{
	while (len) {
		uint8_t n = len < UINT8_MAX ? (uint8_t)len : UINT8_MAX;

		put_byte(s, dir_bit(dir) | RECORD_GAP);
		put_byte(s, n);
		len -= n;
	}
}

static void http_seed(const struct fc_http_case *row, struct seed *s)
{
	snprintf(s->name, sizeof(s->name), "table-http-%s", row->name);
	for (const struct fc_step *st = row->steps; st < row->steps + FC_STEPS_MAX; st++) {
		if (st->op == FC_END || st->op == FC_RST)
			return;
		if (st->op == FC_DATA)
			put_data(s, st->dir, st->data, st->len);
		else if (st->op == FC_GAP)
			put_gap(s, st->dir, st->len);
		else
			put_byte(s, dir_bit(st->dir) | RECORD_FIN);
	}
}

static void body_seed(const struct fc_body_case *row, struct seed *s)
{
	static const char request[] = "GET /body HTTP/1.1\r\nHost: seed.example\r\n\r\n";
	char head[128];

	snprintf(s->name, sizeof(s->name), "table-body-%s", row->name);
	switch (row->mode) {
	case DP_BODY_LENGTH:
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %" PRIu64 "\r\n\r\n",
			 row->length);
		break;
	case DP_BODY_CHUNKED:
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
		break;
	case DP_BODY_CLOSE:
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n\r\n");
		break;
	default:
		snprintf(head, sizeof(head), "HTTP/1.1 204 No Content\r\n\r\n");
		break;
	}
	put_data(s, DP_DIR_C2S, request, sizeof(request) - 1);
	put_data(s, DP_DIR_S2C, head, strlen(head));
	put_data(s, DP_DIR_S2C, row->in, row->in_len);
	if (row->mode == DP_BODY_CLOSE)
		put_byte(s, RECORD_S2C | RECORD_FIN);
}

/* Every row's seed, in table order; NULL on ENOMEM. */
static struct seed *all_seeds(size_t *ret_n)
{
	size_t n = fc_http_count + fc_body_count;
	struct seed *seeds = calloc(n, sizeof(*seeds));

	if (!seeds)
		return NULL;
	for (size_t i = 0; i < fc_http_count; i++)
		http_seed(&fc_http_cases[i], &seeds[i]);
	for (size_t i = 0; i < fc_body_count; i++)
		body_seed(&fc_body_cases[i], &seeds[fc_http_count + i]);
	*ret_n = n;
	return seeds;
}

/* Does DIR/@name hold exactly the bytes of @s? */
static bool file_is(const char *dir, const struct seed *s)
{
	uint8_t buf[SEED_MAX + 1];
	char path[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, s->name);
	f = fopen(path, "rb");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == s->len && memcmp(buf, s->buf, n) == 0;
}

static int write_seed(const char *dir, const struct seed *s)
{
	char path[4096];
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, s->name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->buf, 1, s->len, f) != s->len)
		r = -EIO;
	if (f && fclose(f) != 0)
		r = -EIO;
	if (r < 0)
		fprintf(stderr, "http_seeds: cannot write %s\n", path);
	return r;
}

static bool is_row_seed(const char *name, const struct seed *seeds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, seeds[i].name) == 0)
			return true;
	return false;
}

/* table-* files in @dir that no row has: FAIL lines (check) or removed
 * (write).  Returns how many there were, -1 when @dir cannot be read. */
static int stale_seeds(const char *dir, const struct seed *seeds, size_t n, bool remove_them)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	int stale = 0;

	if (!d) {
		fprintf(stderr, "http_seeds: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "table-", 6) != 0 || is_row_seed(e->d_name, seeds, n))
			continue;
		stale++;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (remove_them)
			remove(path);
		else
			printf("FAIL: %s is the seed of no row\n", path);
	}
	closedir(d);
	return stale;
}

static int run(bool write, const char *dir)
{
	size_t n = 0;
	struct seed *seeds = all_seeds(&n);
	int bad = 0, stale;

	if (!seeds)
		return 2;
	for (size_t i = 0; i < n; i++) {
		if (seeds[i].len > SEED_MAX) {
			printf("FAIL: %s: more than %d bytes\n", seeds[i].name, SEED_MAX);
			bad++;
		} else if (write) {
			bad += write_seed(dir, &seeds[i]) < 0;
		} else if (!file_is(dir, &seeds[i])) {
			printf("FAIL: %s/%s is missing or not the row's seed\n", dir, seeds[i].name);
			bad++;
		}
	}
	stale = stale_seeds(dir, seeds, n, write);
	bad += stale < 0 || (stale > 0 && !write);
	free(seeds);
	if (bad && !write)
		printf("after changing a row: ninja -C BUILD http-seeds (writes them into %s)\n", dir);
	else if (!bad)
		printf("%zu seeds %s\n", n, write ? "written" : "as the rows say");
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "--check") != 0 && strcmp(argv[1], "--write") != 0)) {
		fprintf(stderr, "usage: http_seeds --check|--write DIR\n");
		return 2;
	}
	return run(strcmp(argv[1], "--write") == 0, argv[2]);
}
