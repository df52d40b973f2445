/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_state.h - what syncd remembers about one set across restarts, and
 * the crash points of syncd's install steps.
 *
 * The installed version is deliberately not stored here: it is the version
 * in the header of the installed set file, so the set file and the version
 * can never disagree after a crash.  What is stored is the highest version
 * ever installed, a floor that keeps a lost or replaced set file from
 * opening the door to older (still unexpired) bundles.  The state file holds the trusted root
 * (after rotations), the version last handed to the dataplane, times of the
 * last success, check and refusal, and refusal counters.  It is JSON,
 * replaced atomically with hwall_write_atomic()'s steps (temporary file,
 * fsync, rename, fsync of the directory), with the crash point "state-tmp"
 * before the rename.
 */
#ifndef HASHWALL_HASHSYNC_SYNC_STATE_H
#define HASHWALL_HASHSYNC_SYNC_STATE_H

#include <stdint.h>

#include "sync_bundle.h"

/*
 * Modes of what syncd creates, set exactly (the umask does not apply).
 * state_dir and its files (state, lock) are syncd's alone.  Set files are
 * read by the dataplane, which runs as root, and may be read by the group
 * of set_dir (an operator's group, a dataplane that drops root); never by
 * others: a hash list is confidential, it tells its reader which material
 * is known.  Directories that exist already are left as the operator made
 * them.
 */
#define SYNC_STATE_DIR_MODE 0700
#define SYNC_STATE_FILE_MODE 0600
#define SYNC_SET_DIR_MODE 0750
#define SYNC_SET_FILE_MODE 0640

struct sync_state {
	struct sync_root root;
	uint64_t notified_version; /* last version the dataplane acknowledged */
	uint64_t highest_version;  /* highest version ever installed: the rollback floor */
	int64_t last_success;      /* unix seconds of the last install, 0 = never */
	int64_t last_checked;      /* last time a pull found the set current */
	int64_t last_refusal;      /* unix seconds, 0 = never */
	enum sync_refusal last_reason;
	char last_detail[HWALL_ERR_MSG_MAX]; /* the verdict's detail */
	uint64_t installs;
	uint64_t refusals[SYNC_REFUSE_COUNT];
};

/*
 * Load @path into *ret_st.  Returns 0, -ENOENT when there is none yet,
 * -EINVAL for a damaged file (with @err saying why), other -errno.
 */
int sync_state_load(const char *path, struct sync_state *ret_st, struct hwall_err *err);

/* Save @st to @path atomically.  Returns 0 or -errno. */
int sync_state_save(const char *path, const struct sync_state *st);

/*
 * Test hook: when the environment variable HASHWALL_SYNCD_CRASH_AT names
 * @step, the process kills itself with SIGKILL right here (the crash tests
 * use it to stop syncd at each install step).  Does nothing otherwise.
 */
void sync_crash_point(const char *step);

#endif
