/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api.h - controld's operator API, independent of the HTTP server: a
 * request (method, path, query arguments, Authorization header, body) goes
 * in, a response (status, content type, body) comes out.  httpd.c feeds it
 * from libmicrohttpd; the tests and the fuzzer call ctl_api_dispatch()
 * directly.  One file per resource: api_candidates.c, api_blocks.c,
 * api_allowlist.c, api_status.c, api_exports.c, api_metrics.c; what they
 * share with the router (api.c) is in api_int.h.
 *
 * Authentication: bearer tokens from a tokens file, stored as SHA-256
 * hashes, each with a name and a role (viewer < reviewer < admin).
 * Missing or unknown token: 401.  Role too low: 403.  Body over the cap:
 * 413.  Bad JSON (read strictly: common/json_strict.h), unknown fields or
 * query arguments, a query argument given twice, a path or query argument
 * that is not UTF-8 or holds %00: 400 naming the field.  What the API
 * writes is UTF-8 (JSON and CSV): a stored byte that is not is written as
 * %XX.
 */
#ifndef HASHWALL_CONTROL_API_H
#define HASHWALL_CONTROL_API_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "control/audit.h"
#include "control/dsa.h"
#include "control/enforce.h"
#include "control/ingest.h"
#include "control/metrics.h"
#include "control/quarantine.h"
#include "control/store.h"

#define CTL_API_ARGS_MAX 16       /* query arguments kept per request */
#define CTL_API_BODY_MAX 65536u   /* default cap on request bodies */
#define CTL_API_PAGE_DEFAULT 50
#define CTL_API_PAGE_MAX 500      /* default clamp of ?limit= */
#define CTL_TOKEN_HASH_LEN 32

enum ctl_role {
	CTL_ROLE_NONE,
	CTL_ROLE_VIEWER,
	CTL_ROLE_REVIEWER,
	CTL_ROLE_ADMIN,
	CTL_ROLE_COUNT
};

/* "viewer", "reviewer", "admin" ("none" for CTL_ROLE_NONE). */
const char *ctl_role_name(enum ctl_role r);
int ctl_role_parse(const char *name);

struct ctl_token {
	char name[CTL_ACTOR_MAX + 1];
	enum ctl_role role;
	uint8_t hash[CTL_TOKEN_HASH_LEN];
};

/* The tokens the API accepts; replaced whole by ctl_tokens_reload() while
 * API threads check tokens (they take the lock for reading). */
struct ctl_tokens {
	struct ctl_token *v;
	size_t n;
	pthread_rwlock_t lock;
};

/*
 * Whether the open file @fd (named @path) is private to its owner: 0, or
 * -EPERM when group or others may access it, with @err saying how to fix
 * it ("chmod 600 PATH"); -errno when fstat() fails.
 */
int ctl_private_file_check(int fd, const char *path, struct hwall_err *err);

/*
 * Load a tokens file into *@ret (which it initialises, lock included): one
 * token per line, "NAME ROLE SHA256-HEX", '#' comments and blank lines
 * ignored.  Returns 0, -errno, -EPERM when group or others may access the
 * file (ctl_private_file_check()), or -EINVAL with @err naming the line.
 * Free with ctl_tokens_free().
 */
int ctl_tokens_load(const char *path, struct ctl_tokens *ret, struct hwall_err *err);

/*
 * Read @path again and replace @t's tokens by its tokens at once (checks
 * in progress finish with the old ones).  On any error @t stays as it was.
 * Returns 0 or what ctl_tokens_load() returns, with @err.
 */
int ctl_tokens_reload(struct ctl_tokens *t, const char *path, struct hwall_err *err);

/* Wipe and free the tokens of a loaded @t and its lock; accepts NULL. */
void ctl_tokens_free(struct ctl_tokens *t);

/* Hash a token as the tokens file stores it (SHA-256, hex): @out 65 bytes. */
void ctl_token_hash_hex(const char *token, char out[2 * CTL_TOKEN_HASH_LEN + 1]);

/* The role of the bearer @token (constant-time compare), CTL_ROLE_NONE
 * when unknown; the token's name is copied to @ret_name (untouched when
 * unknown). */
enum ctl_role ctl_tokens_check(struct ctl_tokens *t, const char *token,
			       char ret_name[CTL_ACTOR_MAX + 1]);

/* The same for a token known by its SHA-256 @hash (a console session keeps
 * the hash of the token it was opened with, so that a token removed from
 * the file ends its sessions too). */
enum ctl_role ctl_tokens_check_hash(struct ctl_tokens *t, const uint8_t hash[CTL_TOKEN_HASH_LEN],
				    char ret_name[CTL_ACTOR_MAX + 1]);

struct ctl_kv {
	const char *key, *value;
};

struct ctl_request {
	const char *method;
	const char *path;          /* without the query string, percent-decoded */
	struct ctl_kv args[CTL_API_ARGS_MAX]; /* percent-decoded */
	size_t n_args;
	bool too_many_args;
	bool nul_in_target;        /* the path or a query argument held %00 (the
				    * decoded strings end there) */
	const char *authorization; /* the header's value, or NULL */
	const char *cookie;        /* the console's: the Cookie header, or NULL */
	const char *csrf;          /* X-CSRF-Token */
	const char *origin;        /* Origin */
	const char *fetch_site;    /* Sec-Fetch-Site */
	const char *host;          /* Host */
	const char *body;
	size_t body_len;
	bool body_too_large;       /* the HTTP layer saw more than the cap */
};

/*
 * A response body written a piece at a time as the transport reads it
 * (the exports, which can be larger than anything else controld holds).
 */
struct ctl_stream;

/*
 * Up to @cap bytes of the body into @buf: returns how many (> 0), 0 at the
 * end, or -EIO when writing it failed on the way (the transport must then
 * cut the response short, so that the client sees it incomplete).
 */
ssize_t ctl_stream_read(struct ctl_stream *st, char *buf, size_t cap);

/* Free; accepts NULL. */
void ctl_stream_free(struct ctl_stream *st);

struct ctl_response {
	int code;
	const char *content_type;  /* static */
	char *body;                /* malloc'ed; freed by ctl_response_free() */
	size_t len;
	struct ctl_stream *stream; /* instead of @body (NULL then): read it with
				    * ctl_stream_read(); ctl_response_free()
				    * frees it unless the transport took it */
	char set_cookie[192];      /* a Set-Cookie header's value; "" none */
};

/* Free the body or the stream of @resp. */
void ctl_response_free(struct ctl_response *resp);

/*
 * What the status read from the set files in set_dir, by file identity
 * (device, inode, size, modification and change time): a file is opened
 * and checked (hws_open(): its checksums) once per version, not on every
 * GET /api/v1/status.  syncd installs a set by rename, so a new version is
 * a new inode.  Safe to use from several threads.
 */
struct ctl_set_cache;

/* A new, empty cache, or NULL with errno set. */
struct ctl_set_cache *ctl_set_cache_new(void);

/* Free; accepts NULL. */
void ctl_set_cache_free(struct ctl_set_cache *c);

struct ctl_api_config {
	struct ctl_store *store;       /* the API thread's own connection */
	struct ctl_enforce *enforce;   /* may be NULL */
	struct ctl_ingest *ingest;     /* may be NULL (status without dataplanes) */
	struct ctl_metrics *metrics;   /* may be NULL */
	struct ctl_tokens *tokens;     /* may be reloaded while serving */
	size_t body_max;               /* 0: CTL_API_BODY_MAX */
	uint32_t page_max;             /* 0: CTL_API_PAGE_MAX */
	int64_t block_ttl;             /* manual blocks' first expiry; 0: 86400 */
	int64_t started;               /* unix seconds, for uptime */
	int64_t (*now)(void);          /* NULL: time() */
	const char *allowlist_file;    /* rewritten on every change; NULL: none */
	const char *set_dir;           /* installed set files (<set>.hws); NULL: none */
	struct ctl_set_cache *set_cache; /* NULL: every status checks every file */
	int64_t set_stale_after;       /* seconds; 0: 7 days */
	const struct ctl_audit *audit; /* the audit trail's key; NULL: nothing audited */
	struct ctl_quarantine_guard *quarantine; /* NULL: none (the store still answers) */
	const struct ctl_dsa_config *dsa; /* statements' legal ground etc.; NULL: defaults */
	struct ctl_ui *ui;             /* the console (control/ui.h); NULL: none */
};

struct ctl_ui;

/* Whether a request for @path with the Authorization header value
 * @authorization and the Cookie header @cookie (both may be NULL) carries a
 * known bearer token or console session, or is for the console's own
 * files and login (a transport answers the others at once: 401). */
bool ctl_api_authenticated(const struct ctl_api_config *api, const char *path,
			   const char *authorization, const char *cookie);

/* Answer one request (never fails: errors become 4xx/5xx responses). */
void ctl_api_dispatch(const struct ctl_api_config *api, const struct ctl_request *req,
		      struct ctl_response *resp);

/*
 * Write the allowlist for the dataplane to @path atomically (temporary
 * file, fsync, rename): one "ALGO HEX" line per entry.  0 or -errno.
 */
int ctl_allowlist_export(struct ctl_store *s, const char *path);

#endif
