/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_refuse.h - every reason syncd refuses a bundle, as one X-macro table.
 *
 * Each reason has a stable name (the "error" field of the JSON answer, the
 * label of the refusal counter, the text `hashwall-syncd verify` prints) and
 * the HTTP status the push endpoint answers with.  The order of the table is
 * roughly the order of the verification pipeline (docs/sync-protocol.md).
 */
#ifndef HASHWALL_HASHSYNC_SYNC_REFUSE_H
#define HASHWALL_HASHSYNC_SYNC_REFUSE_H

#include "common/errors.h"

/* X(enum suffix, name, http status) */
#define SYNC_REFUSAL_TABLE(X)                                                       \
	X(UNAUTHORIZED, "unauthorized", 401)         /* no or wrong bearer token */ \
	X(BUSY, "busy", 503)                         /* the hotline's uploads or their memory are in use */ \
	X(TOO_SLOW, "too-slow", 408)                 /* upload below min_upload_rate: closed, no answer */ \
	X(TOO_LARGE, "too-large", 413)               /* bundle over the size cap */ \
	X(TRUNCATED, "truncated", 400)               /* fewer bytes than the header says */ \
	X(BAD_HEADER, "bad-header", 400)             /* magic, format version, counts */ \
	X(MANIFEST_TOO_LARGE, "manifest-too-large", 413) \
	X(TOO_MANY_SIGNATURES, "too-many-signatures", 400) \
	X(UNKNOWN_KEY, "unknown-key", 403)           /* no signature by a trusted key */ \
	X(BAD_SIGNATURE, "bad-signature", 403)       /* a trusted key's signature fails */ \
	X(THRESHOLD, "threshold", 403)               /* fewer valid signatures than k */ \
	X(BAD_MANIFEST, "bad-manifest", 400)         /* signed, but not a valid manifest */ \
	X(WRONG_SET, "wrong-set", 403)               /* signed for another set */ \
	X(PAYLOAD_SIZE, "payload-size", 400)         /* actual != declared payload size */ \
	X(VERSION, "version-not-newer", 409)         /* version <= the installed one */ \
	X(BASE, "base-mismatch", 409)                /* delta base != the installed one */ \
	X(EXPIRED, "expired", 400)                   /* manifest past its expiry */ \
	X(PAYLOAD_DIGEST, "payload-sha256", 400)     /* payload SHA-256 mismatch */ \
	X(BAD_PAYLOAD, "bad-payload", 400)           /* records out of range */ \
	X(ROOT_NEW_KEYS, "root-new-keys", 403)       /* rotation lacks new-key threshold */ \
	X(INSTALL, "install-failed", 500)            /* writing or handing over failed */

enum sync_refusal {
	SYNC_OK = 0,
#define SYNC_X_ENUM(e, name, status) SYNC_REFUSE_##e,
	SYNC_REFUSAL_TABLE(SYNC_X_ENUM)
#undef SYNC_X_ENUM
	SYNC_REFUSE_COUNT
};

/* Stable name of @r ("ok" for SYNC_OK, "?" when out of range). */
const char *sync_refusal_name(enum sync_refusal r);

/* HTTP status for @r (200 for SYNC_OK). */
int sync_refusal_status(enum sync_refusal r);

/*
 * Why a step refused: the reason and a sentence for humans.  This is not a
 * second error type: the sentence is a struct hwall_err like everywhere
 * else; the verdict adds the reason, which the caller needs as well (the
 * "error" name of the JSON answer, the HTTP status of the push endpoint,
 * the refusal counter and the reason kept in the state file).
 */
struct sync_verdict {
	enum sync_refusal reason;
	struct hwall_err detail;
};

/* Set @v to @reason with a printf-style detail; returns -EPERM. */
int sync_refuse(struct sync_verdict *v, enum sync_refusal reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
