/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_auth.c - the tokens file and bearer token checks (see api.h).  Tokens
 * are never stored in plain: the file holds SHA-256 hashes; a presented
 * token is hashed and compared in constant time against every entry.
 */
#include "control/api.h"
#include "common/algo.h"
#include "common/errors.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TOKENS_MAX 1024

static const char *const role_names[CTL_ROLE_COUNT] = {
	[CTL_ROLE_NONE] = "none",
	[CTL_ROLE_VIEWER] = "viewer",
	[CTL_ROLE_REVIEWER] = "reviewer",
	[CTL_ROLE_ADMIN] = "admin",
};

const char *ctl_role_name(enum ctl_role r)
{
	return (unsigned int)r < CTL_ROLE_COUNT ? role_names[r] : "?";
}

int ctl_role_parse(const char *name)
{
	for (int i = CTL_ROLE_VIEWER; name && i < CTL_ROLE_COUNT; i++)
		if (strcmp(name, role_names[i]) == 0)
			return i;
	return -EINVAL;
}

void ctl_token_hash_hex(const char *token, char out[2 * CTL_TOKEN_HASH_LEN + 1])
{
	uint8_t h[CTL_TOKEN_HASH_LEN];

	SHA256((const uint8_t *)token, strlen(token), h);
	hwall_hex_format(h, sizeof(h), out);
}

void ctl_tokens_free(struct ctl_tokens *t)
{
	if (!t)
		return;
	OPENSSL_cleanse(t->v, t->n * sizeof(*t->v));
	free(t->v);
	t->v = NULL;
	t->n = 0;
	pthread_rwlock_destroy(&t->lock);
}

/* Parse one non-comment line into @tok. */
static int parse_line(char *line, struct ctl_token *tok, const char **why)
{
	char *name, *role, *hash, *extra, *save = NULL;
	int r;

	name = strtok_r(line, " \t", &save);
	role = strtok_r(NULL, " \t", &save);
	hash = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	*why = "expected NAME ROLE SHA256-HEX";
	if (!name || !role || !hash || extra)
		return -EINVAL;
	*why = "name longer than 63 characters";
	if (strlen(name) > CTL_ACTOR_MAX)
		return -EINVAL;
	*why = "role must be viewer, reviewer or admin";
	r = ctl_role_parse(role);
	if (r < 0)
		return -EINVAL;
	*why = "hash must be 64 hex digits (sha256 of the token)";
	if (hwall_hex_parse(hash, tok->hash, sizeof(tok->hash)) < 0)
		return -EINVAL;
	snprintf(tok->name, sizeof(tok->name), "%s", name);
	tok->role = (enum ctl_role)r;
	return 0;
}

int ctl_private_file_check(int fd, const char *path, struct hwall_err *err)
{
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0) {
		r = hwall_neg_errno();
		return hwall_err_set(err, r, "%s: %s", path, hwall_strerror(r));
	}
	if (!(st.st_mode & 0077))
		return 0;
	return hwall_err_set(err, -EPERM,
			     "%s: group or others may access it (mode %04o); run: chmod 600 %s", path,
			     (unsigned int)(st.st_mode & 07777), path);
}

int ctl_tokens_load(const char *path, struct ctl_tokens *ret, struct hwall_err *err)
{
	struct { struct ctl_token *v; size_t n; } t = { 0 };
	char line[512];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");
	int r = 0;

	if (!f) {
		r = hwall_neg_errno();
		return hwall_err_set(err, r, "%s: %s", path, hwall_strerror(r));
	}
	r = ctl_private_file_check(fileno(f), path, err);
	if (r < 0) {
		fclose(f);
		return r;
	}
	t.v = calloc(TOKENS_MAX, sizeof(*t.v));
	if (!t.v) {
		fclose(f);
		return -ENOMEM;
	}
	while (r == 0 && fgets(line, sizeof(line), f)) {
		const char *why = NULL;
		char *p = line + strspn(line, " \t");
		lineno++;
		p[strcspn(p, "\r\n")] = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		if (t.n == TOKENS_MAX)
			why = "too many tokens";
		else if (parse_line(p, &t.v[t.n], &why) == 0)
			t.n++, why = NULL;
		if (why)
			r = hwall_err_set(err, -EINVAL, "%s:%u: %s", path, lineno, why);
	}
	fclose(f);
	if (r < 0) {
		OPENSSL_cleanse(t.v, t.n * sizeof(*t.v));
		free(t.v);
		return r;
	}
	ret->v = t.v;
	ret->n = t.n;
	pthread_rwlock_init(&ret->lock, NULL);
	return 0;
}

int ctl_tokens_reload(struct ctl_tokens *t, const char *path, struct hwall_err *err)
{
	struct ctl_tokens fresh;
	struct ctl_token *v;
	size_t n;
	int r = ctl_tokens_load(path, &fresh, err);

	if (r < 0)
		return r;
	pthread_rwlock_wrlock(&t->lock);
	v = t->v;
	n = t->n;
	t->v = fresh.v;
	t->n = fresh.n;
	pthread_rwlock_unlock(&t->lock);
	fresh.v = v; /* the old tokens go with the fresh lock */
	fresh.n = n;
	ctl_tokens_free(&fresh);
	return 0;
}

enum ctl_role ctl_tokens_check(struct ctl_tokens *t, const char *token,
			       char ret_name[CTL_ACTOR_MAX + 1])
{
	uint8_t h[CTL_TOKEN_HASH_LEN];

	if (!token || !*token || !t)
		return CTL_ROLE_NONE;
	SHA256((const uint8_t *)token, strlen(token), h);
	return ctl_tokens_check_hash(t, h, ret_name);
}

enum ctl_role ctl_tokens_check_hash(struct ctl_tokens *t, const uint8_t h[CTL_TOKEN_HASH_LEN],
				    char ret_name[CTL_ACTOR_MAX + 1])
{
	enum ctl_role role = CTL_ROLE_NONE;

	if (!t)
		return CTL_ROLE_NONE;
	pthread_rwlock_rdlock(&t->lock);
	/* Compare against every entry, so that timing does not tell which. */
	for (size_t i = 0; i < t->n; i++) {
		if (CRYPTO_memcmp(h, t->v[i].hash, CTL_TOKEN_HASH_LEN) == 0 &&
		    role == CTL_ROLE_NONE) {
			role = t->v[i].role;
			memcpy(ret_name, t->v[i].name, CTL_ACTOR_MAX + 1);
		}
	}
	pthread_rwlock_unlock(&t->lock);
	return role;
}
