/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * audit.h - controld's tamper-evident audit trail (docs/audit.md).
 *
 * Every action that changes what is enforced or decided, or that takes data
 * out (a review, a reopen, a block or allowlist change, a quarantine and
 * its lifting, an export, a console login or logout, a tokens reload), is
 * appended as one record whose SHA-256 covers the previous record's hash:
 * editing, deleting, inserting or reordering a row breaks the chain at
 * that row, and ctl_audit_verify() says where.  Every
 * CTL_AUDIT_CHECKPOINT_EVERY records (configurable) a checkpoint record is
 * appended whose hash is signed with Ed25519 by a key that controld keeps
 * in a 0600 file apart from the database: whoever can write the database
 * but not read the key can recompute a chain, but cannot sign it, so a
 * rewritten chain fails at its first checkpoint.
 *
 * Records go through the store (ctl_store_audit_*), in the caller's
 * transaction where the action itself is written (a review and its record
 * commit together).  No object content and no client appear in a record:
 * candidates are named by id.
 */
#ifndef HASHWALL_CONTROL_AUDIT_H
#define HASHWALL_CONTROL_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/errors.h"
#include "control/store.h"

#define CTL_AUDIT_KEY_SEED_LEN 32
#define CTL_AUDIT_PK_LEN 32
#define CTL_AUDIT_CHECKPOINT_EVERY 256 /* records between signed checkpoints */

/* What a record says was done (its "action"); the name is what is hashed
 * and stored. */
#define CTL_AUDIT_ACTION_TABLE(X)                                           \
	X(REVIEW, "review")                   /* a candidate's status changed */ \
	X(REOPEN, "reopen")                   /* served again after takedown */  \
	X(BLOCK_ADD, "block_add")                                                \
	X(BLOCK_REMOVE, "block_remove")                                          \
	X(ALLOW_ADD, "allowlist_add")                                            \
	X(ALLOW_REMOVE, "allowlist_remove")                                      \
	X(EXPORT, "export")                                                      \
	X(LOGIN, "login")                                                        \
	X(LOGIN_FAILED, "login_failed")                                          \
	X(LOGOUT, "logout")                                                      \
	X(TOKENS_RELOAD, "tokens_reload")                                        \
	X(QUARANTINE, "quarantine")                                              \
	X(QUARANTINE_RELEASE, "quarantine_release")                              \
	X(QUARANTINE_CONFIRM, "quarantine_confirm")                              \
	X(START, "start")                                                        \
	X(CHECKPOINT, "checkpoint")

enum ctl_audit_action {
#define CTL_X_AUDIT_ENUM(id, name) CTL_AUDIT_##id,
	CTL_AUDIT_ACTION_TABLE(CTL_X_AUDIT_ENUM)
#undef CTL_X_AUDIT_ENUM
	CTL_AUDIT_ACTION_COUNT
};

/* "review", ...; "?" when out of range. */
const char *ctl_audit_action_name(enum ctl_audit_action a);

/*
 * The signing key: an Ed25519 key pair from a 32-byte seed kept in a file.
 * Read-only once loaded (threads share it).
 */
struct ctl_audit {
	bool have_key;
	uint8_t sk[64];
	uint8_t pk[CTL_AUDIT_PK_LEN];
	uint32_t checkpoint_every; /* 0: CTL_AUDIT_CHECKPOINT_EVERY */
};

/*
 * Load the seed at @key_file (created, 0600, when missing; refused with
 * -EPERM when group or others may access it) into @ret.  @key_file NULL:
 * no key, records are chained but checkpoints are not written.  0 or
 * -errno with @err.
 */
int ctl_audit_init(struct ctl_audit *ret, const char *key_file, uint32_t checkpoint_every,
		   struct hwall_err *err);

/* Wipe the key; accepts NULL. */
void ctl_audit_fini(struct ctl_audit *a);

/* The hash of @r (its prev, seq, at, actor, action, object and detail; not
 * its hash or signature) into @ret (32 bytes). */
void ctl_audit_hash(const struct ctl_audit_rec *r, uint8_t ret[CTL_AUDIT_HASH_LEN]);

/* @detail (a JSON object; taken and freed; NULL: "{}") printed into @out
 * for a record; a "note" too long to fit is replaced by its SHA-256
 * ("note_sha256"), anything else too long by "{}". */
void ctl_audit_detail(cJSON *detail, char out[CTL_AUDIT_DETAIL_MAX + 1]);

/*
 * Append a record of @action by @actor on @object with @detail (a JSON
 * object's text, or NULL for "{}") at @now, inside the caller's open store
 * transaction, and a signed checkpoint after it when one is due.  @a NULL:
 * nothing is recorded (0).  Returns 0, -EINVAL (a field too long) or what
 * the store returned.
 */
int ctl_audit_append(const struct ctl_audit *a, struct ctl_store *s,
		     enum ctl_audit_action action, const char *actor, const char *object,
		     const char *detail, int64_t now);

/* The same in a transaction of its own (for actions that write nothing
 * else: exports, logins, a tokens reload). */
int ctl_audit_log(const struct ctl_audit *a, struct ctl_store *s, enum ctl_audit_action action,
		  const char *actor, const char *object, const char *detail, int64_t now);

/* What ctl_audit_verify() found. */
struct ctl_audit_report {
	bool ok;
	uint64_t rows, checkpoints;
	int64_t last_seq, last_checkpoint; /* 0: none */
	uint8_t head[CTL_AUDIT_HASH_LEN];  /* the last record's hash */
	int64_t broken_seq;                /* the first row that fails; 0 when ok */
	char reason[256];                  /* what is wrong there */
};

/*
 * Walk the whole trail in order and check each link: the sequence has no
 * gap, each record's prev is the hash of the one before, its hash covers
 * its contents, and each checkpoint's signature verifies with @a's key
 * (unverified without a key: counted, not failed).  Stops at the first
 * broken row.  Returns 0 (the verdict in *@ret) or -EIO.
 */
int ctl_audit_verify(const struct ctl_audit *a, struct ctl_store *s,
		     struct ctl_audit_report *ret);

#endif
