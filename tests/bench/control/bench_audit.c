/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Audit trail benchmark: append N records (one transaction, checkpoints
 * every 256 rows signed with Ed25519), then verify the whole chain from the
 * database (read every row, recompute every hash, check every signature).
 * Prints both rates; the target is a 100,000-row chain verified in
 * under a second.  As a baseline measured in the same run: reading the same
 * rows without checking them (the store walk alone).
 *
 *   bench_audit [ROWS] [DIR]      defaults 100000, /tmp
 */
#include "control/audit.h"
#include "common/clock.h"
#include "hwall_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int count_row(const struct ctl_audit_rec *r, void *ctx)
{
	(void)r;
	(*(uint64_t *)ctx)++;
	return 0;
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? atol(argv[1]) : 100000;
	const char *dir = hwall_test_tmpdir_at(argc > 2 ? argv[2] : "/tmp", "bench-audit");
	struct ctl_audit_report rep;
	struct ctl_store *s = NULL;
	struct ctl_audit a;
	char db[300], key[300], obj[32], detail[128];
	uint64_t walked = 0;
	double t0, t1, t2, t3;

	if (!dir || rows <= 0)
		return 2;
	snprintf(db, sizeof(db), "%s/audit.db", dir);
	snprintf(key, sizeof(key), "%s/audit.key", dir);
	if (ctl_audit_init(&a, key, 0, NULL) < 0 || ctl_store_open(db, &s, NULL) < 0 ||
	    ctl_store_begin(s) < 0)
		return 1;
	t0 = hwall_clock_s(CLOCK_MONOTONIC);
	for (long i = 0; i < rows; i++) {
		snprintf(obj, sizeof(obj), "candidate:%ld", i + 1);
		snprintf(detail, sizeof(detail),
			 "{\"from\":\"new\",\"to\":\"confirmed\",\"note\":\"checked %ld\"}", i);
		if (ctl_audit_append(&a, s, CTL_AUDIT_REVIEW, "rita", obj, detail, 1795960000 + i))
			return 1;
	}
	if (ctl_store_commit(s) < 0)
		return 1;
	t1 = hwall_clock_s(CLOCK_MONOTONIC);
	if (ctl_store_audit_walk(s, 1, 0, false, count_row, &walked) < 0)
		return 1;
	t2 = hwall_clock_s(CLOCK_MONOTONIC);
	if (ctl_audit_verify(&a, s, &rep) < 0 || !rep.ok)
		return 1;
	t3 = hwall_clock_s(CLOCK_MONOTONIC);
	printf("audit append: %ld records (+%llu checkpoints) in %.3f s: %.0f records/s\n", rows,
	       (unsigned long long)rep.checkpoints, t1 - t0, (double)rows / (t1 - t0));
	printf("baseline, rows read without checks: %llu in %.3f s\n", (unsigned long long)walked,
	       t2 - t1);
	printf("audit verify: %llu rows, %llu signatures in %.3f s: %.0f rows/s\n",
	       (unsigned long long)rep.rows, (unsigned long long)rep.checkpoints, t3 - t2,
	       (double)rep.rows / (t3 - t2));
	ctl_store_close(s);
	ctl_audit_fini(&a);
	hwall_test_tmpdir_remove(dir);
	return 0;
}
