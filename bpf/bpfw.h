/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpfw.h - the loader library of hashwall's eBPF enforcement (prefix
 * bpfw_): the URL key, and (bpfw.c) attaching the programs to the serving
 * interface, pinned maps of blocked URLs and flows, counters and the
 * software mirror.  See docs/enforcement.md.
 *
 * Library code does not log: errors are 0/-errno, with a message kept in
 * the handle (bpfw_errmsg) and the verifier log (bpfw_verifier_log).
 */
#ifndef HASHWALL_BPF_BPFW_H
#define HASHWALL_BPF_BPFW_H

#include <stdint.h>

/*
 * Key of @url in the blocked-URL map: "http://host[:port]/path[?query]" or
 * "host[:port]/path[?query]" (a fragment is ignored).  Without a query the
 * key blocks every query of the path; with one, only that query.  Returns
 * 0, -EINVAL when @url is not of that form (another scheme, no host,
 * whitespace, two '@'), or -ENAMETOOLONG past the program's limits.
 */
int bpfw_url_key(const char *url, uint64_t *ret_key);

#endif
