/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ui_session.h - the console's sessions (docs/console.md): a token is
 * exchanged once for a session whose id travels in an HttpOnly,
 * SameSite=Strict cookie, with an idle and an absolute expiry, and a CSRF
 * token that every state-changing request must echo in X-CSRF-Token.
 *
 * A session keeps the SHA-256 of the token it was opened with, never the
 * token; its role and name are looked up in the tokens in force at each
 * request, so a token removed from the tokens file (SIGHUP) ends its
 * sessions at once.  Sessions live in memory only: a restart logs everyone
 * out.  Ids and CSRF tokens are 32 random bytes (hex); the table keeps the
 * SHA-256 of each id.  Thread-safe.
 */
#ifndef HASHWALL_CONTROL_UI_SESSION_H
#define HASHWALL_CONTROL_UI_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "control/api.h"

#define CTL_UI_SECRET_HEX 64          /* a session id or CSRF token: 32 bytes in hex */
#define CTL_UI_IDLE_DEFAULT 900       /* seconds without a request */
#define CTL_UI_ABSOLUTE_DEFAULT 28800 /* seconds from login, whatever happens */
#define CTL_UI_SESSIONS_MAX 256       /* in all */
#define CTL_UI_SESSIONS_PER_TOKEN 8   /* per token: a new login ends the oldest */

struct ctl_ui_sessions;

/* A new table (0: the defaults above), or NULL with errno set. */
struct ctl_ui_sessions *ctl_ui_sessions_new(uint32_t idle_s, uint32_t absolute_s);

/* Free (wiping); accepts NULL. */
void ctl_ui_sessions_free(struct ctl_ui_sessions *ss);

/*
 * Open a session for the token whose SHA-256 is @token_hash at @now: its
 * id and CSRF token (hex, NUL-terminated) into @ret_id and @ret_csrf.  A
 * full table (in all, or for this token) ends the session of it that was
 * used least recently.  0 or -EIO (no randomness).
 */
int ctl_ui_session_open(struct ctl_ui_sessions *ss, const uint8_t token_hash[CTL_TOKEN_HASH_LEN],
			int64_t now, char ret_id[CTL_UI_SECRET_HEX + 1],
			char ret_csrf[CTL_UI_SECRET_HEX + 1]);

/*
 * The session @id at @now: its token's role and name (from @tokens, as in
 * force now) and CSRF token; refreshes its idle time.  CTL_ROLE_NONE when
 * unknown, expired (then ended) or its token is gone (then ended).
 */
enum ctl_role ctl_ui_session_check(struct ctl_ui_sessions *ss, struct ctl_tokens *tokens,
				   const char *id, int64_t now, char ret_name[CTL_ACTOR_MAX + 1],
				   char ret_csrf[CTL_UI_SECRET_HEX + 1]);

/* End session @id: 0 or -ENOENT. */
int ctl_ui_session_close(struct ctl_ui_sessions *ss, const char *id);

/* Sessions open now (for the status). */
unsigned int ctl_ui_session_count(struct ctl_ui_sessions *ss);

/*
 * The value of cookie @name in the Cookie header @header (RFC 6265,
 * section 5.4: "name=value" pairs separated by "; "), copied to @out of
 * @cap bytes.  0, -ENOENT (not there), -EINVAL (the header is malformed
 * or the value does not fit: refused, not guessed).  Parses bytes from the
 * network: tests/fuzz/control/fuzz_cookie.c.
 */
int ctl_ui_cookie(const char *header, const char *name, char *out, size_t cap);

#endif
