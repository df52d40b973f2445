/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_install.h - turning a verified bundle into a set file (with the hws
 * builder, atomically) and telling the dataplane about it.
 *
 * A snapshot becomes the new set as it is.  A delta applies to the
 * installed set: its removes first, then its adds (so a digest both removed
 * and added in one delta ends up present, with the delta's metadata).
 *
 * The dataplane side (its control socket) arrives with the dataplane-live
 * work; until then the protocol is this one line each way over a unix
 * stream socket:
 *     -> "load <set-id> <version> <path>\n"
 *     <- "ok ...\n" or "error <reason>\n"
 * Without a configured socket, the installed file is the result.
 */
#ifndef HASHWALL_HASHSYNC_SYNC_INSTALL_H
#define HASHWALL_HASHSYNC_SYNC_INSTALL_H

#include <stdint.h>

#include "sync_verify.h"

/*
 * Build the set that @vb describes (a delta on the set file at @path) and
 * write it over @path atomically.  Returns 0 with *ret_entries set, or
 * -errno with @err set; @path is then untouched.
 */
int sync_install_set(const struct sync_verified *vb, const char *path, uint64_t *ret_entries,
		     struct hwall_err *err);

/*
 * Send `load` for @set at @version (file @path) to the control socket at
 * @sock and wait (at most 10 s) for the answer.  Returns 0 on "ok",
 * -EPROTO on an error answer, other -errno, with @err set.
 */
int sync_notify_dataplane(const char *sock, const char *set, uint64_t version, const char *path,
			  struct hwall_err *err);

#endif
