/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * set_tool.c - `hashwall-set`: compile a text list into a set file, inspect
 * it, look digests up, dump it back to a list, and measure lookups.
 * The command-line contract is documented in docs/hashwall-set.md and relied
 * on by other tools; keep it.
 */
#include "hashsync/hws.h"
#include "hashsync/set_bench.h"
#include "hashsync/set_tool.h"
#include "hashsync/pdq/pdq_index.h"
#include "common/errors.h"
#include "common/number.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


static void usage(FILE *out)
{
	fprintf(out, "usage: hashwall-set build --in LIST --out FILE [--id NAME] [--version N]\n"
	      "       hashwall-set info FILE\n"
	      "       hashwall-set lookup FILE ALGO HEX [--distance N]  (N: pdq only, default %u)\n"
	      "       hashwall-set dump FILE\n"
	      "       hashwall-set bench FILE\n"
	      "       hashwall-set pdq IMAGE...\n"
	      "LIST: one entry a line, '<algo> <hex> [<category> [<ref>]]', '#' comments.\n"
	      "algo: %s.  See docs/hashwall-set.md.\n",
	      PDQI_DEFAULT_DIST, hwall_algo_names());
}

int set_print_json(cJSON *obj)
{
	char *text = cJSON_PrintUnformatted(obj);

	cJSON_Delete(obj);
	if (!text)
		return EXIT_FAIL;
	puts(text);
	free(text);
	return 0;
}

/* Default set id: the output file's name without its extension. */
static void default_id(const char *out, char *id, size_t len)
{
	char *copy = strdup(out), *base, *dot;

	snprintf(id, len, "%s", copy ? (base = basename(copy)) : "set");
	dot = strrchr(id, '.');
	if (dot && dot != id)
		*dot = '\0';
	for (char *p = id; *p; p++)
		if (*p <= ' ' || *p > '~')
			*p = '_';
	free(copy);
}

/* A command's new file: 0666 less the umask, as open(2) would make it
 * (umask() is read by setting it; this runs single-threaded). */
static mode_t new_file_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

static int add_cb(const struct hws_entry *e, void *ctx)
{
	return hws_builder_add(ctx, e->algo, e->digest, e->category, e->ref);
}

static int cmd_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "in", required_argument, NULL, 'i' }, { "out", required_argument, NULL, 'o' },
		{ "id", required_argument, NULL, 'n' }, { "version", required_argument, NULL, 'v' },
		{ 0 },
	};
	const char *in = NULL, *out = NULL, *id = NULL;
	char idbuf[HWS_ID_MAX + 1];
	uint64_t version = 1;
	struct hws_write_stats st;
	struct hwall_err err = { { 0 } };
	struct hws_builder *b;
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 'n': id = optarg; break;
		case 'v':
			if (hwall_parse_u64(optarg, 0, UINT64_MAX, &version) < 0) {
				fprintf(stderr, "hashwall-set: --version: not an unsigned integer: %s\n", optarg);
				return EXIT_USAGE;
			}
			break;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (!in || !out || optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!id) {
		default_id(out, idbuf, sizeof(idbuf));
		id = idbuf;
	}
	b = hws_builder_new(id, version);
	if (!b) {
		fprintf(stderr, "hashwall-set: --id %s: %s\n", id,
			errno == EINVAL ? "1 to 63 printable characters, no spaces" : strerror(errno));
		return EXIT_USAGE;
	}
	/* Nothing is written unless the whole list parses. */
	r = hws_list_parse(in, add_cb, b, &err);
	hws_builder_set_mode(b, new_file_mode());
	if (r == 0)
		r = hws_builder_write(b, out, &st, &err);
	hws_builder_free(b);
	if (r < 0) {
		fprintf(stderr, "hashwall-set: %s\n", err.msg);
		return EXIT_FAIL;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "out", out);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddNumberToObject(o, "version", (double)version);
	cJSON_AddNumberToObject(o, "entries", (double)st.entries);
	cJSON_AddNumberToObject(o, "duplicates", (double)st.duplicates);
	cJSON_AddNumberToObject(o, "bytes", (double)st.bytes);
	return set_print_json(o);
}

static int open_set(const char *path, struct hws_set **ret)
{
	struct hwall_err err = { { 0 } };
	int r = hws_open(path, ret, &err);

	if (r < 0)
		fprintf(stderr, "hashwall-set: %s: %s\n", path, err.msg);
	return r;
}

static int cmd_info(int argc, char **argv)
{
	struct hws_set *set;
	struct hws_info info;

	if (argc != 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (open_set(argv[1], &set) < 0)
		return EXIT_FAIL;
	hws_info(set, &info);
	hws_close(set);
	cJSON *o = cJSON_CreateObject(), *algos = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", info.id);
	cJSON_AddNumberToObject(o, "version", (double)info.version);
	cJSON_AddNumberToObject(o, "created", (double)info.created);
	cJSON_AddNumberToObject(o, "expires", (double)info.expires);
	cJSON_AddNumberToObject(o, "entries", (double)info.entries);
	cJSON_AddNumberToObject(o, "bytes", (double)info.file_bytes);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++)
		cJSON_AddNumberToObject(algos, hwall_algo_name((enum hwall_algo)a), (double)info.counts[a]);
	cJSON_AddItemToObject(o, "algos", algos);
	/* The algorithms' own sections, by name: pdq's near-neighbour index. */
	cJSON *aux = cJSON_AddObjectToObject(o, "index_bytes");
	for (int a = 0; aux && a < HWALL_ALGO_COUNT; a++)
		if (info.aux_bytes[a])
			cJSON_AddNumberToObject(aux, hwall_algo_name((enum hwall_algo)a),
						(double)info.aux_bytes[a]);
	return set_print_json(o);
}

static int cmd_lookup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "distance", required_argument, NULL, 'd' },
		{ 0 },
	};
	struct hwall_digest d;
	struct hws_hit hit;
	struct hws_set *set;
	char hex[HWALL_DIGEST_HEX_MAX];
	uint64_t dist = PDQI_DEFAULT_DIST;
	bool found, have_dist = false;
	int algo, c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'd') {
			usage(stderr);
			return EXIT_USAGE;
		}
		if (hwall_parse_u64(optarg, 0, PDQI_MAX_DIST, &dist) < 0) {
			fprintf(stderr, "hashwall-set: --distance: not an integer 0..%u: %s\n",
				PDQI_MAX_DIST, optarg);
			return EXIT_USAGE;
		}
		have_dist = true;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 4) {
		usage(stderr);
		return EXIT_USAGE;
	}
	algo = hwall_algo_parse(argv[2]);
	if (algo < 0) {
		fprintf(stderr, "hashwall-set: unknown algorithm '%s' (known: %s)\n", argv[2],
			hwall_algo_names());
		return EXIT_USAGE;
	}
	if (hwall_digest_parse((enum hwall_algo)algo, argv[3], &d) < 0) {
		fprintf(stderr, "hashwall-set: digest is not hex of the algorithm's length\n");
		return EXIT_USAGE;
	}
	bool near = hwall_algo_kind(d.algo) == HWALL_ALGO_KIND_PERCEPTUAL;
	if (have_dist && !near) {
		fprintf(stderr, "hashwall-set: --distance: %s matches exactly; only a perceptual "
			"algorithm matches by distance\n", argv[2]);
		return EXIT_USAGE;
	}
	if (open_set(argv[1], &set) < 0)
		return EXIT_FAIL;
	if (near) {
		int rc = set_lookup_near(set, d.algo, d.bytes, (unsigned int)dist);
		hws_close(set);
		return rc;
	}
	found = hws_lookup(set, d.algo, d.bytes, &hit);
	hws_close(set);
	if (!found)
		return EXIT_ABSENT;
	hwall_hex_format(d.bytes, hwall_algo_len(d.algo), hex);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "algo", hwall_algo_name(d.algo));
	cJSON_AddStringToObject(o, "digest", hex);
	cJSON_AddNumberToObject(o, "category", hit.category);
	cJSON_AddNumberToObject(o, "ref", hit.ref);
	return set_print_json(o);
}

static int dump_cb(const struct hws_entry *e, void *ctx)
{
	char hex[HWALL_DIGEST_HEX_MAX];

	hwall_hex_format(e->digest, hwall_algo_len(e->algo), hex);
	return fprintf(ctx, "%s %s %u %" PRIu32 "\n", hwall_algo_name(e->algo), hex, e->category,
		       e->ref) < 0 ? -EIO : 0;
}

static int cmd_dump(int argc, char **argv)
{
	struct hws_set *set;
	int r;

	if (argc != 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (open_set(argv[1], &set) < 0)
		return EXIT_FAIL;
	r = hws_foreach(set, dump_cb, stdout);
	hws_close(set);
	return r < 0 || fflush(stdout) != 0 ? EXIT_FAIL : 0;
}

static int cmd_bench(int argc, char **argv)
{
	struct hws_set *set;
	int rc = 0;

	if (argc != 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (open_set(argv[1], &set) < 0)
		return EXIT_FAIL;
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		struct hws_bench_result r;
		int e = hws_bench_algo(set, (enum hwall_algo)a, &r);
		if (e == -ENOENT)
			continue;
		if (e < 0) {
			fprintf(stderr, "hashwall-set: bench %s: %s\n", hwall_algo_name((enum hwall_algo)a),
				e == -EIO ? "a lookup gave a wrong answer" : hwall_strerror(e));
			rc = EXIT_FAIL;
			break;
		}
		hws_bench_print(stdout, (enum hwall_algo)a, &r);
	}
	hws_close(set);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "build") == 0)
		return cmd_build(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") == 0)
		return cmd_info(argc - 1, argv + 1);
	if (strcmp(argv[1], "lookup") == 0)
		return cmd_lookup(argc - 1, argv + 1);
	if (strcmp(argv[1], "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	if (strcmp(argv[1], "bench") == 0)
		return cmd_bench(argc - 1, argv + 1);
	if (strcmp(argv[1], "pdq") == 0)
		return set_cmd_pdq(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "hashwall-set: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
