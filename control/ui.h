/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ui.h - the operators' console served by controld under /ui/ on the API's
 * listener (docs/console.md): its files (plain HTML, CSS and JavaScript
 * modules from the project's ui/ folder, nothing fetched from elsewhere),
 * log in with a token for a session cookie, log out, and the console's
 * authentication of API requests (the session, and for a state-changing
 * request its CSRF token and a same-origin check).  The headers every
 * response carries (a strict Content-Security-Policy, no framing, no
 * Referer) are in ctl_ui_headers.
 */
#ifndef HASHWALL_CONTROL_UI_H
#define HASHWALL_CONTROL_UI_H

#include <stdbool.h>

#include "control/api.h"
#include "control/ui_session.h"

#define CTL_UI_COOKIE "hwsession"

#define CTL_UI_LOGIN_FAILS_MAX 10      /* failed logins a minute, then 429 until it is over */

struct ctl_ui {
	const char *dir;                  /* the console's files (the project's ui/) */
	struct ctl_ui_sessions *sessions;
	bool tls;                         /* served over TLS: cookies are Secure */
	_Atomic int64_t fail_minute;      /* the minute the failures below were counted in */
	_Atomic unsigned int fails;       /* failed logins in that minute */
};

/* Headers on every response of the API's listener: name, value pairs,
 * NULL-ended. */
extern const char *const ctl_ui_headers[];

/* Whether @path is the console's (/ui, /ui/...): no bearer token needed. */
bool ctl_ui_path(const char *path);

/* Answer a request for the console (ctl_ui_path()): a file, or
 * /ui/api/login, /ui/api/logout, /ui/api/session. */
void ctl_ui_dispatch(const struct ctl_api_config *api, const struct ctl_request *req,
		     struct ctl_response *resp);

/*
 * The role of an API request made by the console (no bearer token): from
 * its session cookie, the name into @ret_name.  *@ret_csrf_ok: whether the
 * request may change state (a safe method; or the session's CSRF token in
 * X-CSRF-Token and nothing saying it comes from another site).
 * CTL_ROLE_NONE without a valid session.
 */
enum ctl_role ctl_ui_authenticate(const struct ctl_api_config *api, const struct ctl_request *req,
				  char ret_name[CTL_ACTOR_MAX + 1], bool *ret_csrf_ok);

#endif
