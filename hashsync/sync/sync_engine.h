/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_engine.h - the appliance's side of sync: one target per configured
 * hotline, the single path every bundle takes (verify, build the new set
 * file, hand it to the dataplane, record the state), freshness, and the
 * JSON answers and metrics.
 *
 * Install steps, each with a crash test hook (sync_crash_point):
 *   "verified"  the bundle passed sync_verify()
 *   "written"   the new set file replaced the old one (hws, atomically)
 *   "notified"  the dataplane acknowledged `load` on its control socket
 *   "state-tmp" the new state file is written but not yet renamed
 *   "saved"     the state file is in place
 * After a kill at any step the set file is the old or the new one (hws
 * writes atomically) and the installed version is read from that file, so
 * state and set never disagree; a version written but not acknowledged by
 * the dataplane is handed over again when syncd starts.
 *
 * All entry points take the engine's lock: push and pull may call them
 * from different threads.
 */
#ifndef HASHWALL_HASHSYNC_SYNC_ENGINE_H
#define HASHWALL_HASHSYNC_SYNC_ENGINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sync_config.h"
#include "sync_state.h"
#include "sync_verify.h"

struct sync_target {
	const struct sync_hotline_config *hl;
	char set_path[4096];
	char state_path[4096];
	struct sync_state st;
	/* From the header of the installed set file. */
	uint64_t installed_version;
	int64_t installed_created;
	int64_t installed_expires;
	uint64_t installed_entries;
};

struct sync_engine {
	const struct sync_config *cfg;
	struct sync_caps caps;
	struct sync_target *targets;
	size_t n_targets;
	bool readonly; /* offline verify: no directories made, nothing told */
	uint64_t unauthorized; /* pushes without a valid token */
	pthread_mutex_t lock;
};

/* What one submission came to. */
struct sync_result {
	struct sync_verdict verdict; /* SYNC_OK when installed */
	const struct sync_target *target;
	enum sync_kind kind;
	uint64_t version;            /* installed (or rotated-to root) version */
	bool dataplane_pending;      /* set file installed, dataplane not told yet */
	bool no_dataplane;           /* no control_socket: the set file is the result */
};

/*
 * Open the engine for @cfg (which must outlive it): create the directories,
 * read each target's state file and installed set header, and hand any
 * version written but not acknowledged to the dataplane.  With @readonly
 * (offline verify) nothing is created or told.  Returns 0 or -errno with
 * @err set.
 */
int sync_engine_open(struct sync_engine *e, const struct sync_config *cfg, bool readonly,
		     struct hwall_err *err);

/* Release the engine; accepts a zeroed @e. */
void sync_engine_close(struct sync_engine *e);

/* The target whose set is @set, or NULL. */
struct sync_target *sync_engine_find_set(struct sync_engine *e, const char *set);

/* The target whose push token hashes to what is configured, or NULL. */
struct sync_target *sync_engine_find_token(struct sync_engine *e, const char *token);

/* Whether @token may read status and metrics: a hotline's push token or
 * listen.metrics_token (compared as SHA-256, in constant time). */
bool sync_engine_may_read(struct sync_engine *e, const char *token);

/* The target whose root knows a key that signed the bundle at @buf, or NULL. */
struct sync_target *sync_engine_find_signer(struct sync_engine *e, const uint8_t *buf, size_t len);

/*
 * Verify the @len bytes at @buf for @t at @now and, when @install, install
 * them: the one path for push and pull.  Refusals are recorded in @t's
 * state.  Returns 0 when accepted, -EPERM (refused) or another -errno
 * (install failed) with res->verdict saying why.
 */
int sync_engine_submit(struct sync_engine *e, struct sync_target *t, const uint8_t *buf, size_t len,
		       int64_t now, bool install, struct sync_result *res);

/* @t's installed set version (or, with @root, its root version), read
 * under the lock. */
uint64_t sync_engine_installed(struct sync_engine *e, const struct sync_target *t, bool root);

/*
 * When @t's installed version was not acknowledged by the dataplane, hand
 * it over again.  Returns 0 (nothing to do, or done), or -errno with @err
 * set.
 */
int sync_engine_renotify(struct sync_engine *e, struct sync_target *t, struct hwall_err *err);

/* Record a refusal that happened before sync_engine_submit() (push sizes). */
void sync_engine_record_refusal(struct sync_engine *e, struct sync_target *t,
				const struct sync_verdict *v, int64_t now);

/* Record that a pull found @t current at @now (for freshness). */
void sync_engine_checked(struct sync_engine *e, struct sync_target *t, int64_t now);

/* Whether @t is stale at @now; @why (may be NULL) says why. */
bool sync_target_stale(const struct sync_target *t, int64_t now, const char **why);

/* The JSON answer for @res (allocated; free()). */
char *sync_result_json(const struct sync_result *res);

/* Status of every target as JSON (allocated; free()). */
char *sync_engine_status_json(struct sync_engine *e, int64_t now);

/* Prometheus text exposition of the engine's metrics (allocated; free()). */
char *sync_engine_metrics(struct sync_engine *e, int64_t now);

#endif
