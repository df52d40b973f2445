/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * audit.c - the audit trail's chain (see audit.h): a record's hash,
 * appending with checkpoints, and verifying.  The rows live in the store
 * (ctl_store_audit_*); this file computes what goes in them.
 *
 * hash = SHA-256("hashwall-audit-v1" || prev || be64(seq) || be64(at) ||
 *                be32(len) actor || be32(len) action || be32(len) object ||
 *                be32(len) detail)
 * A checkpoint's sig = Ed25519(key, hash) (docs/audit.md).
 */
#include "control/audit.h"
#include "control/event.h"
#include "common/algo.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char audit_tag[] = "hashwall-audit-v1";

static const char *const action_names[CTL_AUDIT_ACTION_COUNT] = {
#define CTL_X_AUDIT_NAME(id, name) [CTL_AUDIT_##id] = name,
	CTL_AUDIT_ACTION_TABLE(CTL_X_AUDIT_NAME)
#undef CTL_X_AUDIT_NAME
};

const char *ctl_audit_action_name(enum ctl_audit_action a)
{
	return (unsigned int)a < CTL_AUDIT_ACTION_COUNT ? action_names[a] : "?";
}

int ctl_audit_init(struct ctl_audit *ret, const char *key_file, uint32_t checkpoint_every,
		   struct hwall_err *err)
{
	uint8_t seed[CTL_CLIENT_KEY_LEN];
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->checkpoint_every = checkpoint_every ? checkpoint_every : CTL_AUDIT_CHECKPOINT_EVERY;
	if (!key_file)
		return 0;
	/* the same rules as the client key: 32 random bytes, created 0600,
	 * refused when group or others may read them */
	r = ctl_client_key_load(key_file, seed);
	if (r < 0)
		return hwall_err_set(err, r, "audit_key_file %s: %s%s", key_file,
				     r == -EINVAL ? "must hold exactly 32 bytes"
				     : r == -EPERM ? "group or others may access it; run: chmod 600 "
						   : hwall_strerror(r),
				     r == -EPERM ? key_file : "");
	crypto_sign_seed_keypair(ret->pk, ret->sk, seed);
	sodium_memzero(seed, sizeof(seed));
	ret->have_key = true;
	return 0;
}

void ctl_audit_fini(struct ctl_audit *a)
{
	if (a)
		sodium_memzero(a, sizeof(*a));
}

static void put_be(uint8_t *out, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		out[i] = (uint8_t)v;
}

static void hash_str(crypto_hash_sha256_state *h, const char *s)
{
	uint8_t len[4];
	size_t n = strlen(s);

	put_be(len, n, 4);
	crypto_hash_sha256_update(h, len, sizeof(len));
	crypto_hash_sha256_update(h, (const uint8_t *)s, n);
}

void ctl_audit_hash(const struct ctl_audit_rec *r, uint8_t ret[CTL_AUDIT_HASH_LEN])
{
	crypto_hash_sha256_state h;
	uint8_t nums[16];

	put_be(nums, (uint64_t)r->seq, 8);
	put_be(nums + 8, (uint64_t)r->at, 8);
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const uint8_t *)audit_tag, sizeof(audit_tag) - 1);
	crypto_hash_sha256_update(&h, r->prev, CTL_AUDIT_HASH_LEN);
	crypto_hash_sha256_update(&h, nums, sizeof(nums));
	hash_str(&h, r->actor);
	hash_str(&h, r->action);
	hash_str(&h, r->object);
	hash_str(&h, r->detail);
	crypto_hash_sha256_final(&h, ret);
}

/* Copy @src into @dst of @cap bytes; false when it does not fit. */
static bool fits(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* Chain @r after the tail and insert it (signing it when asked). */
static int chain_insert(const struct ctl_audit *a, struct ctl_store *s, struct ctl_audit_rec *r,
			bool sign)
{
	int r2 = ctl_store_audit_tail(s, &r->seq, r->prev);

	if (r2 < 0)
		return r2;
	r->seq++;
	ctl_audit_hash(r, r->hash);
	r->has_sig = sign;
	if (sign)
		crypto_sign_detached(r->sig, NULL, r->hash, CTL_AUDIT_HASH_LEN, a->sk);
	return ctl_store_audit_insert(s, r);
}

int ctl_audit_append(const struct ctl_audit *a, struct ctl_store *s,
		     enum ctl_audit_action action, const char *actor, const char *object,
		     const char *detail, int64_t now)
{
	struct ctl_audit_rec r = { .at = now };
	int rc;

	if (!a)
		return 0;
	if (!fits(r.actor, sizeof(r.actor), actor ? actor : "") ||
	    !fits(r.action, sizeof(r.action), ctl_audit_action_name(action)) ||
	    !fits(r.object, sizeof(r.object), object ? object : "") ||
	    !fits(r.detail, sizeof(r.detail), detail ? detail : "{}"))
		return -EINVAL;
	rc = chain_insert(a, s, &r, false);
	if (rc < 0 || !a->have_key || r.seq % a->checkpoint_every != 0)
		return rc;
	/* the checkpoint signs the chain up to and including itself */
	memset(&r, 0, sizeof(r));
	r.at = now;
	snprintf(r.actor, sizeof(r.actor), "controld");
	snprintf(r.action, sizeof(r.action), "%s", ctl_audit_action_name(CTL_AUDIT_CHECKPOINT));
	snprintf(r.detail, sizeof(r.detail), "{}");
	return chain_insert(a, s, &r, true);
}

int ctl_audit_log(const struct ctl_audit *a, struct ctl_store *s, enum ctl_audit_action action,
		  const char *actor, const char *object, const char *detail, int64_t now)
{
	int r;

	if (!a)
		return 0;
	r = ctl_store_begin(s);
	if (r < 0)
		return r;
	r = ctl_audit_append(a, s, action, actor, object, detail, now);
	if (r == 0)
		r = ctl_store_commit(s);
	if (r < 0)
		ctl_store_rollback(s);
	return r;
}

void ctl_audit_detail(cJSON *detail, char out[CTL_AUDIT_DETAIL_MAX + 1])
{
	char *text = detail ? cJSON_PrintUnformatted(detail) : NULL;
	cJSON *note;

	if (text && strlen(text) > CTL_AUDIT_DETAIL_MAX &&
	    (note = cJSON_GetObjectItemCaseSensitive(detail, "note")) && cJSON_IsString(note)) {
		uint8_t h[crypto_hash_sha256_BYTES];
		char hex[2 * sizeof(h) + 1];
		crypto_hash_sha256(h, (const uint8_t *)note->valuestring,
				   strlen(note->valuestring));
		hwall_hex_format(h, sizeof(h), hex);
		cJSON_DeleteItemFromObjectCaseSensitive(detail, "note");
		cJSON_AddStringToObject(detail, "note_sha256", hex);
		cJSON_free(text);
		text = cJSON_PrintUnformatted(detail);
	}
	snprintf(out, CTL_AUDIT_DETAIL_MAX + 1, "%s",
		 text && strlen(text) <= CTL_AUDIT_DETAIL_MAX ? text : "{}");
	cJSON_free(text);
	cJSON_Delete(detail);
}

struct verify_walk {
	const struct ctl_audit *a;
	struct ctl_audit_report *rep;
	int64_t next_seq;
	uint8_t prev[CTL_AUDIT_HASH_LEN];
};

/* Why row @seq breaks the chain; @n: the row the reason names. */
enum broken {
	BROKEN_GAP,
	BROKEN_LINK,
	BROKEN_HASH,
	BROKEN_SIG,
	BROKEN_COUNT
};

static int fail(struct ctl_audit_report *rep, int64_t seq, enum broken why, int64_t n)
{
	static const char *const what[BROKEN_COUNT] = {
		[BROKEN_GAP] = "rows from %" PRId64 " on are missing (deleted)",
		[BROKEN_LINK] = "its link to row %" PRId64 " is broken (a row was deleted, "
				"inserted or reordered, or that row edited)",
		[BROKEN_HASH] = "row %" PRId64 " does not match its hash (edited)",
		[BROKEN_SIG] = "checkpoint %" PRId64 " is not signed by this controld's audit "
			       "key (the chain was rewritten)",
	};

	rep->ok = false;
	rep->broken_seq = seq;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(rep->reason, sizeof(rep->reason), what[why], n);
#pragma GCC diagnostic pop
	return 1;
}

static int verify_row(const struct ctl_audit_rec *r, void *arg)
{
	struct verify_walk *w = arg;
	struct ctl_audit_report *rep = w->rep;
	uint8_t h[CTL_AUDIT_HASH_LEN];

	if (r->seq != w->next_seq)
		return fail(rep, r->seq, BROKEN_GAP, w->next_seq);
	if (sodium_memcmp(r->prev, w->prev, CTL_AUDIT_HASH_LEN) != 0)
		return fail(rep, r->seq, BROKEN_LINK, r->seq - 1);
	ctl_audit_hash(r, h);
	if (sodium_memcmp(h, r->hash, CTL_AUDIT_HASH_LEN) != 0)
		return fail(rep, r->seq, BROKEN_HASH, r->seq);
	if (strcmp(r->action, ctl_audit_action_name(CTL_AUDIT_CHECKPOINT)) == 0) {
		rep->checkpoints++;
		if (w->a && w->a->have_key &&
		    (!r->has_sig ||
		     crypto_sign_verify_detached(r->sig, r->hash, CTL_AUDIT_HASH_LEN,
						 w->a->pk) != 0))
			return fail(rep, r->seq, BROKEN_SIG, r->seq);
		rep->last_checkpoint = r->seq;
	}
	memcpy(w->prev, r->hash, CTL_AUDIT_HASH_LEN);
	rep->rows++;
	rep->last_seq = r->seq;
	w->next_seq = r->seq + 1;
	return 0;
}

int ctl_audit_verify(const struct ctl_audit *a, struct ctl_store *s,
		     struct ctl_audit_report *ret)
{
	struct ctl_audit_report rep = { .ok = true };
	struct verify_walk w = { .a = a, .rep = &rep, .next_seq = 1 };
	int r = ctl_store_audit_walk(s, 1, 0, false, verify_row, &w);

	if (r < 0)
		return r;
	memcpy(rep.head, w.prev, CTL_AUDIT_HASH_LEN);
	*ret = rep;
	return 0;
}
