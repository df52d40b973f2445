/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * check_replay.c - compares what `hashwall-dataplane replay --log-objects`
 * printed (JSON lines) with the manifest hashwall-gen wrote for the same
 * capture, and exits non-zero with one line per disagreement:
 *
 *  - every object expected complete is reported once, complete, with the
 *    manifest's size, status, method, host, server and port, and its
 *    xxh3-128 and md5 (sha1 and sha256 too when printed) equal the manifest;
 *    with --algos LIST exactly the digests of LIST are printed;
 *  - every object expected incomplete is reported once with complete=false;
 *    bodiless responses (HEAD/204/304), if reported, have size 0; objects
 *    after a mid-stream pickup are absent or right (with --resync-required:
 *    right); nothing unknown or on a given-up connection is reported
 *    complete;
 *  - the client field never holds a client address in plain, and maps
 *    one client address to one pseudonym and two to two;
 *  - the match events name exactly the known objects, with the set, algo,
 *    digest, category and reference the list gave;
 *  - the stats event comes last, counts the capture's packets, the objects
 *    and matches printed, and the counters named on the command line reach
 *    their minimums.  With --loops N (replay --loop N) events are printed
 *    once and every counter covers N passes.
 *
 * usage: check_replay --manifest JSON --events JSONL [--set-id ID]
 *        [--set-version N] [--no-set] [--resync-required] [--algos LIST]
 *        [--loops N] [--min COUNTER=N]...
 *        [--min-from COUNTER=MANIFEST_KEY]... [--zero COUNTER]...
 */
#include "check.h"

#include "common/algo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static int parse_args(int argc, char **argv, struct chk *c)
{
	static const struct option opts[] = {
		{ "manifest", required_argument, NULL, 'm' },
		{ "events", required_argument, NULL, 'e' },
		{ "set-id", required_argument, NULL, 'i' },
		{ "set-version", required_argument, NULL, 'v' },
		{ "no-set", no_argument, NULL, 'n' },
		{ "resync-required", no_argument, NULL, 'r' },
		{ "algos", required_argument, NULL, 'a' },
		{ "loops", required_argument, NULL, 'l' },
		{ "min", required_argument, NULL, 'M' },
		{ "min-from", required_argument, NULL, 'F' },
		{ "zero", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'm': c->manifest_path = optarg; break;
		case 'e': c->events_path = optarg; break;
		case 'i': c->set_id = optarg; break;
		case 'v': c->set_version = strtoll(optarg, NULL, 10); break;
		case 'n': c->no_set = true; break;
		case 'r': c->resync_required = true; break;
		case 'a':
			if (hwall_algo_parse_list(optarg, &c->algos, NULL) < 0)
				return -EINVAL;
			break;
		case 'l': c->loops = atoi(optarg); break;
		case 'M': case 'F': case 'z':
			if (c->nrules == CHK_RULES_MAX)
				return -E2BIG;
			c->rules[c->nrules].kind = (char)o;
			c->rules[c->nrules++].spec = optarg;
			break;
		default: return -EINVAL;
		}
	}
	if (!c->manifest_path || !c->events_path || optind != argc || c->loops < 1)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct chk c = { .set_version = -1, .loops = 1 };
	int err = parse_args(argc, argv, &c);

	if (err) {
		fprintf(stderr, "usage: check_replay --manifest JSON --events JSONL [--set-id ID]\n"
				"       [--set-version N] [--no-set] [--resync-required] [--algos LIST]\n"
				"       [--loops N]\n"
				"       [--min COUNTER=N]...\n"
				"       [--min-from COUNTER=MANIFEST_KEY]... [--zero COUNTER]...\n");
		return 2;
	}
	err = chk_load(&c);
	if (!err) {
		chk_objects(&c);
		chk_matches(&c);
		chk_stats(&c);
		printf("check_replay: %zu object events, %zu match events, %zu expected objects, "
		       "%zu unattributed incomplete, %zu failures\n",
		       c.nobject_events, c.nmatch_events, c.nobjs, c.unattributed, c.failures);
	}
	chk_free(&c);
	return err ? 2 : c.failures ? 1 : 0;
}
