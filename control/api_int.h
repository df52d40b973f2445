/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api_int.h - what the operator API's router (api.c) and its resource files
 * (api_*.c) share: the parameters a route matched, the handler type and
 * every handler, and the helpers that build responses and read arguments
 * and bodies.  Not for use outside control/api*.c: the rest of controld,
 * the HTTP server and the tests go through api.h (ctl_api_dispatch()).
 */
#ifndef HASHWALL_CONTROL_API_INT_H
#define HASHWALL_CONTROL_API_INT_H

#include "control/api.h"

/* What routing matched: numeric ids (#) and string segments (*). */
struct ctl_route_params {
	int64_t id;
	const char *seg[2];
	size_t seg_len[2];
	const char *actor;  /* the token's name (points at actor_name) */
	char actor_name[CTL_ACTOR_MAX + 1];
	enum ctl_role role;
};

typedef void (*ctl_api_handler)(const struct ctl_api_config *api, const struct ctl_request *req,
				const struct ctl_route_params *p, struct ctl_response *resp);

/* Set @resp to JSON {"error": message} with @code. */
void ctl_api_error(struct ctl_response *resp, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* @obj printed as UTF-8 JSON text (malloc'ed; NULL when out of memory):
 * bytes of its strings that are not UTF-8 are written as %XX.  @obj stays
 * the caller's (and may have been repaired in place). */
char *ctl_api_print(cJSON *obj);

/* Set @resp to @obj printed (takes ownership of @obj) with @code. */
void ctl_api_json(struct ctl_response *resp, int code, cJSON *obj);

/* Set @resp to @text (takes ownership) with @code and @ctype. */
void ctl_api_text(struct ctl_response *resp, int code, const char *ctype, char *text, size_t len);

/*
 * Check the query arguments: every one must be in @allowed (NULL-ended),
 * else 400 naming it.  Returns true when fine (else @resp is set).
 */
bool ctl_api_args_ok(const struct ctl_request *req, const char *const *allowed,
		     struct ctl_response *resp);

/* The value of argument @key or NULL. */
const char *ctl_api_arg(const struct ctl_request *req, const char *key);

/*
 * Parse argument @key as an integer in [@lo, @hi] into *ret (absent keeps
 * *ret).  @clamp: out-of-range values are clamped instead of refused.
 * Returns true when fine, else sets a 400 in @resp.
 */
bool ctl_api_arg_int(const struct ctl_request *req, const char *key, int64_t lo, int64_t hi,
		     bool clamp, int64_t *ret, struct ctl_response *resp);

/* Paging (?limit= clamped to 1..page_max, ?offset= >= 0). */
bool ctl_api_paging(const struct ctl_api_config *api, const struct ctl_request *req,
		    uint64_t *ret_offset, uint64_t *ret_limit, struct ctl_response *resp);

/*
 * Parse the body as a JSON object against @fields (common/config.h
 * tables: unknown fields are refused naming the field).  Returns true when
 * fine, else sets a 400 in @resp; hwall_cfg_free(@fields, @dst) in all cases.
 */
bool ctl_api_body(const struct ctl_request *req, const void *fields, void *dst,
		  struct ctl_response *resp);

int64_t ctl_api_now(const struct ctl_api_config *api);

/* Resource handlers (one file each). */
void ctl_api_candidates_list(const struct ctl_api_config *, const struct ctl_request *,
			     const struct ctl_route_params *, struct ctl_response *);
void ctl_api_candidate_get(const struct ctl_api_config *, const struct ctl_request *,
			   const struct ctl_route_params *, struct ctl_response *);
void ctl_api_candidate_review(const struct ctl_api_config *, const struct ctl_request *,
			      const struct ctl_route_params *, struct ctl_response *);
void ctl_api_blocks_list(const struct ctl_api_config *, const struct ctl_request *,
			 const struct ctl_route_params *, struct ctl_response *);
void ctl_api_blocks_add(const struct ctl_api_config *, const struct ctl_request *,
			const struct ctl_route_params *, struct ctl_response *);
void ctl_api_blocks_remove(const struct ctl_api_config *, const struct ctl_request *,
			   const struct ctl_route_params *, struct ctl_response *);
void ctl_api_allowlist_list(const struct ctl_api_config *, const struct ctl_request *,
			    const struct ctl_route_params *, struct ctl_response *);
void ctl_api_allowlist_add(const struct ctl_api_config *, const struct ctl_request *,
			   const struct ctl_route_params *, struct ctl_response *);
void ctl_api_allowlist_remove(const struct ctl_api_config *, const struct ctl_request *,
			      const struct ctl_route_params *, struct ctl_response *);
void ctl_api_status(const struct ctl_api_config *, const struct ctl_request *,
		    const struct ctl_route_params *, struct ctl_response *);
void ctl_api_export_notices(const struct ctl_api_config *, const struct ctl_request *,
			    const struct ctl_route_params *, struct ctl_response *);
void ctl_api_export_feedback(const struct ctl_api_config *, const struct ctl_request *,
			     const struct ctl_route_params *, struct ctl_response *);
void ctl_api_metrics(const struct ctl_api_config *, const struct ctl_request *,
		     const struct ctl_route_params *, struct ctl_response *);

void ctl_api_quarantine_list(const struct ctl_api_config *, const struct ctl_request *,
			     const struct ctl_route_params *, struct ctl_response *);
void ctl_api_quarantine_release(const struct ctl_api_config *, const struct ctl_request *,
				const struct ctl_route_params *, struct ctl_response *);
void ctl_api_quarantine_confirm(const struct ctl_api_config *, const struct ctl_request *,
				const struct ctl_route_params *, struct ctl_response *);

/* Whether candidate @c's digest is under an active flood quarantine. */
bool ctl_api_quarantined(const struct ctl_api_config *api, const struct ctl_candidate *c);

void ctl_api_export_statements(const struct ctl_api_config *, const struct ctl_request *,
			       const struct ctl_route_params *, struct ctl_response *);
void ctl_api_report_transparency(const struct ctl_api_config *, const struct ctl_request *,
				 const struct ctl_route_params *, struct ctl_response *);

void ctl_api_audit_list(const struct ctl_api_config *, const struct ctl_request *,
			const struct ctl_route_params *, struct ctl_response *);
void ctl_api_audit_verify(const struct ctl_api_config *, const struct ctl_request *,
			  const struct ctl_route_params *, struct ctl_response *);

/*
 * A change and its audit record in one store transaction (api_audit.c):
 * ctl_api_tx_begin(), the change through the store, then
 * ctl_api_tx_end() with what the change returned (@r): on 0 the record
 * of @action by @actor on @object with @detail (a JSON object, taken and
 * freed; may be NULL) is appended and the transaction committed, else
 * rolled back.  Returns @r, or the error of the append or commit.
 */
int ctl_api_tx_begin(const struct ctl_api_config *api);
int ctl_api_tx_end(const struct ctl_api_config *api, int r, enum ctl_audit_action action,
		   const char *actor, const char *object, cJSON *detail);

/* An action that writes nothing else (an export), in its own
 * transaction; a failure is logged, never the caller's. */
void ctl_api_audit_log(const struct ctl_api_config *api, enum ctl_audit_action action,
		       const char *actor, const char *object, cJSON *detail);

/* JSON of one candidate (shared by the list, the detail and the exports). */
cJSON *ctl_api_candidate_json(const struct ctl_candidate *c);

#endif
