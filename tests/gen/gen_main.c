/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * main.c - hashwall-gen: writes a synthetic HTTP capture, its manifest and
 * optionally a hash-set list of the "known" objects.  See docs/testing.md.
 */
#include "gen.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"

struct gen_args {
	const char *scenarios;
	const char *out;
	const char *manifest;
	const char *list;
	const char *set_id;
	uint64_t seed;
	double known_fraction;
	unsigned int known_algos;
	struct gen_bench_params bench;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hashwall-gen --out PCAP [--manifest JSON] [--list LIST]\n"
		"                    [--scenario NAME[,NAME...]] [--seed N] [--known-fraction F]\n"
		"                    [--known-algos ALGO[,ALGO...]]\n"
		"                    [--set-id ID] [--bench-bytes N] [--bench-mean N]\n"
		"                    [--bench-sigma X] [--bench-conns N] [--bench-max N]\n"
		"       hashwall-gen --list-scenarios\n"
		"Scenario \"all\" (the default) runs every scenario but mixed, hostile, bench and demo.\n");
}

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < min) {
		fprintf(stderr, "hashwall-gen: %s: bad number \"%s\" (at least %llu)\n", opt, s,
			(unsigned long long)min);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int parse_double(const char *opt, const char *s, double min, double max, double *ret)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= min && v <= max)) {
		fprintf(stderr, "hashwall-gen: %s: bad value \"%s\" (%g..%g)\n", opt, s, min, max);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int parse_algos(const char *arg, unsigned int *ret)
{
	const char *bad = NULL;

	if (hwall_algo_parse_list(arg, ret, &bad) < 0) {
		fprintf(stderr, "hashwall-gen: --known-algos: unknown algorithm \"%.*s\" (known: %s)\n",
			(int)strcspn(bad, ","), bad, hwall_algo_names());
		return -EINVAL;
	}
	return 0;
}

static int parse_conns(const char *arg, unsigned *ret)
{
	uint64_t v;

	HWALL_TRY(parse_u64("--bench-conns", arg, 1, &v));
	if (v > 4096) {
		fprintf(stderr, "hashwall-gen: --bench-conns: at most 4096\n");
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

static int parse_opt(int c, const char *arg, struct gen_args *a)
{
	switch (c) {
	case 's': a->scenarios = arg; return 0;
	case 'o': a->out = arg; return 0;
	case 'm': a->manifest = arg; return 0;
	case 'l': a->list = arg; return 0;
	case 'i': a->set_id = arg; return 0;
	case 'S': return parse_u64("--seed", arg, 0, &a->seed);
	case 'k': return parse_double("--known-fraction", arg, 0, 1, &a->known_fraction);
	case 'A': return parse_algos(arg, &a->known_algos);
	case 'B': return parse_u64("--bench-bytes", arg, 1, &a->bench.total_bytes);
	case 'M': return parse_double("--bench-mean", arg, 1, 1e9, &a->bench.mean);
	case 'G': return parse_double("--bench-sigma", arg, 0, 4, &a->bench.sigma);
	case 'C': return parse_conns(arg, &a->bench.conns);
	case 'X': return parse_u64("--bench-max", arg, 1, &a->bench.max_body);
	default: return -EINVAL;
	}
}

static int parse_args(int argc, char **argv, struct gen_args *a)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "manifest", required_argument, NULL, 'm' },
		{ "list", required_argument, NULL, 'l' },
		{ "set-id", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 'S' },
		{ "known-fraction", required_argument, NULL, 'k' },
		{ "known-algos", required_argument, NULL, 'A' },
		{ "bench-bytes", required_argument, NULL, 'B' },
		{ "bench-mean", required_argument, NULL, 'M' },
		{ "bench-sigma", required_argument, NULL, 'G' },
		{ "bench-conns", required_argument, NULL, 'C' },
		{ "bench-max", required_argument, NULL, 'X' },
		{ "list-scenarios", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h' || c == 'L')
			return c;
		if (c == '?' || parse_opt(c, optarg, a) < 0)
			return -EINVAL;
	}
	if (optind < argc) {
		fprintf(stderr, "hashwall-gen: unexpected argument \"%s\"\n", argv[optind]);
		return -EINVAL;
	}
	if (!a->out) {
		fprintf(stderr, "hashwall-gen: --out PCAP is required\n");
		return -EINVAL;
	}
	return 0;
}

/* Check every name of the comma-separated list before writing anything. */
static int check_scenarios(const char *list)
{
	char *copy = strdup(list), *save = NULL;
	int err = copy ? 0 : -ENOMEM;

	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !err;
	     t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "all") && !gen_scenario_find(t)) {
			fprintf(stderr, "hashwall-gen: unknown scenario \"%s\" (see --list-scenarios)\n", t);
			err = -EINVAL;
		}
	}
	free(copy);
	return err;
}

static int run_scenarios(struct gen_ctx *ctx, const char *list)
{
	char *copy = strdup(list), *save = NULL;
	int err = copy ? 0 : -ENOMEM;

	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !err;
	     t = strtok_r(NULL, ",", &save)) {
		for (const struct gen_scenario *s = gen_scenarios; s->name && !err; s++)
			if (strcmp(t, "all") ? !strcmp(t, s->name) : s->in_all)
				err = gen_scenario_run(ctx, s);
	}
	free(copy);
	return err;
}

static int generate(const struct gen_args *a)
{
	struct gen_ctx ctx;
	size_t known = 0;
	int err = gen_ctx_init(&ctx, a->seed, a->out);

	if (err) {
		fprintf(stderr, "hashwall-gen: %s: %s\n", a->out, hwall_strerror(err));
		return err;
	}
	ctx.known_fraction = a->known_fraction;
	ctx.known_algos = a->known_algos;
	ctx.bench = a->bench;
	err = run_scenarios(&ctx, a->scenarios);
	gen_known_choose(&ctx);
	if (!err && a->manifest && (err = gen_manifest_write(&ctx, a->manifest, a->set_id)))
		fprintf(stderr, "hashwall-gen: %s: %s\n", a->manifest, hwall_strerror(err));
	if (!err && a->list && (err = gen_list_write(&ctx, a->list)))
		fprintf(stderr, "hashwall-gen: %s: %s\n", a->list, hwall_strerror(err));
	for (size_t i = 0; i < ctx.nobjs; i++)
		known += ctx.objs[i].known;
	if (!err)
		fprintf(stderr, "hashwall-gen: %s: %llu packets, %llu bytes, %zu flows, %zu objects (%zu known)\n",
			a->out, (unsigned long long)ctx.pcap.packets,
			(unsigned long long)ctx.pcap.bytes, ctx.nflows, ctx.nobjs, known);
	int cerr = gen_ctx_finish(&ctx);
	if (!err && cerr)
		fprintf(stderr, "hashwall-gen: %s: %s\n", a->out, hwall_strerror(cerr));
	return err ? err : cerr;
}

int main(int argc, char **argv)
{
	struct gen_args a = { .scenarios = "all", .seed = 1, .known_fraction = 0.25,
			      .known_algos = gen_digest_mask(),
			      .set_id = "gen-known", .bench = gen_bench_default };
	int r = parse_args(argc, argv, &a);

	if (r == 'h') {
		usage(stdout);
		return 0;
	}
	if (r == 'L') {
		for (const struct gen_scenario *s = gen_scenarios; s->name; s++)
			printf("%-10s %s%s\n", s->name, s->help, s->in_all ? "" : " (not in all)");
		return 0;
	}
	if (r < 0 || check_scenarios(a.scenarios) < 0) {
		usage(stderr);
		return 2;
	}
	return generate(&a) ? 1 : 0;
}
