/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enforce_bpf.h - the bpf backend of enforce.c: blocks URLs through the
 * bpfw_ loader library.  Built only when bpf/ is (meson: bpfw_dep);
 * otherwise ctl_enforce_bpf_open() refuses with -ENOTSUP and controld runs
 * with enforcement unavailable.
 */
#ifndef HASHWALL_CONTROL_ENFORCE_BPF_H
#define HASHWALL_CONTROL_ENFORCE_BPF_H

#include <stddef.h>

#include "control/enforce.h"

/*
 * Attach the programs to @ifname (replacing ours atomically when already
 * attached), with maps pinned under @pin_root (NULL: the library's
 * default), and fill @ret_ops.  Returns 0 or -errno with @err set (the
 * verifier log included when a program was refused).
 */
int ctl_enforce_bpf_open(const char *ifname, const char *pin_root, struct ctl_enforce_ops *ret_ops,
			 struct hwall_err *err);

#endif
