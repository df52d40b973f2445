/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enforce_none.c - built instead of enforce_bpf.c when bpf/ is not part of
 * the build: asking for the bpf backend fails clearly, and controld runs
 * with blocks recorded in the store only.
 */
#include "control/enforce_bpf.h"

#include <errno.h>
#include <stdio.h>

int ctl_enforce_bpf_open(const char *ifname, const char *pin_root, struct ctl_enforce_ops *ret_ops,
			 struct hwall_err *err)
{
	(void)pin_root;
	(void)ret_ops;
	return hwall_err_set(err, -ENOTSUP,
			     "enforcement on %s: this controld was built without bpf/ (no bpfw library)",
			     ifname);
}
