/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl.c - hashwallctl, the operator's CLI over controld's API (docs/api.md).
 * Human tables by default, --json for scripts (the API's JSON as is).
 *
 * Exit codes: 0 success, 1 not found, 2 usage (bad arguments, or the API
 * refused the request as invalid: 400, 405, 409, 413), 3 authentication
 * (401, 403, no token), 4 server or connection error.
 *
 * Token: --token-file FILE, else $HASHWALL_TOKEN, else the file named by
 * $HASHWALL_TOKEN_FILE.  API: --url URL, else $HASHWALL_URL, else
 * http://127.0.0.1:8750.
 */
#include "control/ctl_cli.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct ctl_cli cli = { .out = stdout, .err = stderr };
	int r;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return CTL_EXIT_SERVER;
	r = ctl_cli_run(&cli, argc, argv);
	curl_global_cleanup();
	return r;
}
