/* SPDX-License-Identifier: GPL-2.0-only */
/* Store helpers for controld's unit tests: an in-memory store, one event
 * recorded in a transaction of its own, counting occurrences. */
#ifndef HASHWALL_TEST_CTL_STORE_H
#define HASHWALL_TEST_CTL_STORE_H

#include "control/store.h"
#include "hwall_test.h"

static inline struct ctl_store *open_mem(void)
{
	struct ctl_store *s = NULL;

	CU_ASSERT_FATAL(ctl_store_open(":memory:", &s, NULL) == 0);
	return s;
}

/* Record one event inside its own transaction. */
static inline int record(struct ctl_store *s, const struct ctl_event *ev, uint64_t seq,
			 struct ctl_record_result *res)
{
	int r = ctl_store_begin(s);

	if (r == 0)
		r = ctl_store_record(s, ev, "dp0", "e1", seq, res);
	if (r == 0)
		r = ctl_store_commit(s);
	return r;
}

static inline int occ_count_cb(const struct ctl_occurrence *o, void *ctx)
{
	(void)o;
	(*(int *)ctx)++;
	return 0;
}

#endif
