/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ui_session.c - the console's session table and the Cookie header's
 * parser (see ui_session.h).
 */
#include "control/ui_session.h"
#include "common/algo.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct session {
	bool used;
	uint8_t id_hash[32];
	uint8_t token_hash[CTL_TOKEN_HASH_LEN];
	char csrf[CTL_UI_SECRET_HEX + 1];
	int64_t created, last;
};

struct ctl_ui_sessions {
	pthread_mutex_t lock;
	uint32_t idle, absolute;
	struct session s[CTL_UI_SESSIONS_MAX];
};

struct ctl_ui_sessions *ctl_ui_sessions_new(uint32_t idle_s, uint32_t absolute_s)
{
	struct ctl_ui_sessions *ss = calloc(1, sizeof(*ss));

	if (!ss)
		return NULL;
	pthread_mutex_init(&ss->lock, NULL);
	ss->idle = idle_s ? idle_s : CTL_UI_IDLE_DEFAULT;
	ss->absolute = absolute_s ? absolute_s : CTL_UI_ABSOLUTE_DEFAULT;
	return ss;
}

void ctl_ui_sessions_free(struct ctl_ui_sessions *ss)
{
	if (!ss)
		return;
	pthread_mutex_destroy(&ss->lock);
	sodium_memzero(ss, sizeof(*ss));
	free(ss);
}

static void random_hex(char out[CTL_UI_SECRET_HEX + 1], uint8_t raw[32])
{
	randombytes_buf(raw, 32);
	hwall_hex_format(raw, 32, out);
}

/* The slot to take: a free one, else the least recently used of @token
 * when it has too many, else the least recently used of all. */
static struct session *slot_for(struct ctl_ui_sessions *ss, const uint8_t *token_hash)
{
	struct session *lru = &ss->s[0], *lru_tok = NULL, *free_slot = NULL;
	unsigned int of_token = 0;

	for (unsigned int i = 0; i < CTL_UI_SESSIONS_MAX; i++) {
		struct session *x = &ss->s[i];
		if (!x->used) {
			free_slot = free_slot ? free_slot : x;
			continue;
		}
		if (x->last < lru->last || !lru->used)
			lru = x;
		if (memcmp(x->token_hash, token_hash, CTL_TOKEN_HASH_LEN) == 0) {
			of_token++;
			if (!lru_tok || x->last < lru_tok->last)
				lru_tok = x;
		}
	}
	if (of_token >= CTL_UI_SESSIONS_PER_TOKEN)
		return lru_tok;
	return free_slot ? free_slot : lru;
}

int ctl_ui_session_open(struct ctl_ui_sessions *ss, const uint8_t token_hash[CTL_TOKEN_HASH_LEN],
			int64_t now, char ret_id[CTL_UI_SECRET_HEX + 1],
			char ret_csrf[CTL_UI_SECRET_HEX + 1])
{
	uint8_t raw[32];
	struct session *x;

	pthread_mutex_lock(&ss->lock);
	x = slot_for(ss, token_hash);
	memset(x, 0, sizeof(*x));
	x->used = true;
	memcpy(x->token_hash, token_hash, CTL_TOKEN_HASH_LEN);
	random_hex(ret_id, raw);
	crypto_hash_sha256(x->id_hash, (const uint8_t *)ret_id, CTL_UI_SECRET_HEX);
	random_hex(x->csrf, raw);
	memcpy(ret_csrf, x->csrf, sizeof(x->csrf));
	x->created = x->last = now;
	pthread_mutex_unlock(&ss->lock);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

/* The session of @id (locked), or NULL: a constant-time compare of its
 * hash against every slot. */
static struct session *find(struct ctl_ui_sessions *ss, const char *id)
{
	uint8_t h[32];
	struct session *hit = NULL;

	if (!id || strlen(id) != CTL_UI_SECRET_HEX)
		return NULL;
	crypto_hash_sha256(h, (const uint8_t *)id, CTL_UI_SECRET_HEX);
	for (unsigned int i = 0; i < CTL_UI_SESSIONS_MAX; i++)
		if (ss->s[i].used && sodium_memcmp(h, ss->s[i].id_hash, sizeof(h)) == 0)
			hit = &ss->s[i];
	return hit;
}

enum ctl_role ctl_ui_session_check(struct ctl_ui_sessions *ss, struct ctl_tokens *tokens,
				   const char *id, int64_t now, char ret_name[CTL_ACTOR_MAX + 1],
				   char ret_csrf[CTL_UI_SECRET_HEX + 1])
{
	enum ctl_role role = CTL_ROLE_NONE;
	struct session *x;

	pthread_mutex_lock(&ss->lock);
	x = find(ss, id);
	if (x && (now - x->last > (int64_t)ss->idle || now - x->created > (int64_t)ss->absolute))
		memset(x, 0, sizeof(*x)); /* expired: ended */
	else if (x && (role = ctl_tokens_check_hash(tokens, x->token_hash, ret_name)) ==
			      CTL_ROLE_NONE)
		memset(x, 0, sizeof(*x)); /* its token was removed */
	if (role != CTL_ROLE_NONE) {
		x->last = now;
		memcpy(ret_csrf, x->csrf, sizeof(x->csrf));
	}
	pthread_mutex_unlock(&ss->lock);
	return role;
}

int ctl_ui_session_close(struct ctl_ui_sessions *ss, const char *id)
{
	struct session *x;

	pthread_mutex_lock(&ss->lock);
	x = find(ss, id);
	if (x)
		sodium_memzero(x, sizeof(*x));
	pthread_mutex_unlock(&ss->lock);
	return x ? 0 : -ENOENT;
}

unsigned int ctl_ui_session_count(struct ctl_ui_sessions *ss)
{
	unsigned int n = 0;

	pthread_mutex_lock(&ss->lock);
	for (unsigned int i = 0; i < CTL_UI_SESSIONS_MAX; i++)
		n += ss->s[i].used;
	pthread_mutex_unlock(&ss->lock);
	return n;
}

/* RFC 6265 cookie-octet: what a value may hold (no space, '"', ',', ';', '\'). */
static bool cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
	       (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

/* RFC 7230 tchar: what a name may hold. */
static bool token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

int ctl_ui_cookie(const char *header, const char *name, char *out, size_t cap)
{
	size_t name_len = strlen(name);
	const char *p = header;
	int found = -ENOENT;

	if (!header)
		return -ENOENT;
	while (*p) {
		const char *n = p, *v, *ve;
		while (token_char((unsigned char)*p))
			p++;
		if (p == n || *p != '=')
			return -EINVAL;
		v = ++p;
		if (*p == '"')
			p++;
		while (cookie_octet((unsigned char)*p))
			p++;
		if (*v == '"' && (p == v + 1 || *p != '"'))
			return -EINVAL;
		ve = *v == '"' ? p++ : p;
		if (*p && (p[0] != ';' || p[1] != ' ' || !p[2]))
			return -EINVAL;
		if ((size_t)(v - 1 - n) == name_len && memcmp(n, name, name_len) == 0) {
			const char *vs = *v == '"' ? v + 1 : v;
			/* twice: refused, not guessed (which one would the browser mean?) */
			if (found == 0 || (size_t)(ve - vs) >= cap)
				return -EINVAL;
			memcpy(out, vs, (size_t)(ve - vs));
			out[ve - vs] = '\0';
			found = 0;
		}
		p += *p ? 2 : 0;
	}
	return found;
}
