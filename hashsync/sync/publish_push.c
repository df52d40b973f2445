/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * publish_push.c - `hashwall-publish push`: POST a bundle to an appliance's
 * push endpoint with the hotline's bearer token, print the answer, and exit
 * 0 only when the appliance installed it (HTTP 200).
 */
#include "publish.h"
#include "sync_bundle.h"
#include "sync_state.h"
#include "sync_trust.h"
#include "common/errors.h"
#include "common/fileio.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#define TOKEN_MAX 512
#define ANSWER_MAX 65536

struct answer {
	char buf[ANSWER_MAX];
	size_t len;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n, room = sizeof(a->buf) - 1 - a->len;

	memcpy(a->buf + a->len, data, len < room ? len : room);
	a->len += len < room ? len : room;
	return len;
}

/* The token: the file's first line, without the newline; a secret, so
 * the file must be private (-EPERM otherwise). */
static int read_token(const char *path, char *token, size_t cap)
{
	char *text = NULL;
	size_t len = 0;
	int r = hwall_read_secret_file(path, 4 * TOKEN_MAX, &text, &len);

	if (r < 0)
		return r == -EFBIG ? -EINVAL : r;
	len = strcspn(text, "\r\n");
	r = len && len < cap ? 0 : -EINVAL;
	if (r == 0) {
		memcpy(token, text, len);
		token[len] = '\0';
	}
	explicit_bzero(text, strlen(text));
	free(text);
	return r;
}

/* https:// only: the bearer token must not cross the network in clear
 * (http:// with --insecure-http, for a test setup). */
static bool url_allowed(const struct pub_opts *o)
{
	if (strncasecmp(o->url, "https://", 8) == 0)
		return true;
	if (strncasecmp(o->url, "http://", 7) == 0 && o->insecure_http)
		return true;
	if (strncasecmp(o->url, "http://", 7) == 0)
		fprintf(stderr, "hashwall-publish: %s: http:// would send the push token in clear; use "
			"https://, or --insecure-http for a test setup\n", o->url);
	else
		fprintf(stderr, "hashwall-publish: %s: the URL must start with https://\n", o->url);
	return false;
}

static int post(const struct pub_opts *o, const uint8_t *bundle, size_t len, const char *auth,
		struct answer *a, long *ret_status)
{
	struct curl_slist *hdrs = NULL;
	CURL *c = curl_easy_init();
	CURLcode rc;

	if (!c)
		return -ENOMEM;
	hdrs = curl_slist_append(hdrs, auth);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/vnd.hashwall.bundle");
	curl_easy_setopt(c, CURLOPT_URL, o->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, bundle);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, o->insecure_http ? "https,http" : "https");
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 600L);
	if (o->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, ret_status);
	else
		fprintf(stderr, "hashwall-publish: %s: %s\n", o->url, curl_easy_strerror(rc));
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -EIO;
}

int pub_cmd_push(const struct pub_opts *o)
{
	char token[TOKEN_MAX], auth[TOKEN_MAX + 32], why[4200];
	struct answer *a = calloc(1, sizeof(*a));
	char *bundle = NULL;
	size_t len = 0;
	long status = 0;
	int r;

	if (!o->url || !o->token_file || o->n_args != 1 || !a) {
		fprintf(stderr, "usage: hashwall-publish push --url URL --token-file FILE [--cacert FILE] "
			"[--insecure-http] BUNDLE\n");
		free(a);
		return PUB_EXIT_USAGE;
	}
	if (!url_allowed(o)) {
		free(a);
		return PUB_EXIT_USAGE;
	}
	r = read_token(o->token_file, token, sizeof(token));
	if (r < 0)
		fprintf(stderr, "hashwall-publish: %s: %s\n", o->token_file,
			r == -EINVAL ? "no token on the first line"
				     : sync_secret_file_why(o->token_file, r, why, sizeof(why)));
	if (r == 0) {
		r = hwall_read_file(o->args[0], 64ull << 30, &bundle, &len);
		if (r < 0)
			fprintf(stderr, "hashwall-publish: %s: %s\n", o->args[0], hwall_strerror(r));
	}
	if (r == 0) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		curl_global_init(CURL_GLOBAL_DEFAULT);
		r = post(o, (const uint8_t *)bundle, len, auth, a, &status);
		curl_global_cleanup();
	}
	explicit_bzero(token, sizeof(token));
	explicit_bzero(auth, sizeof(auth));
	if (r == 0)
		printf("%ld %s\n", status, a->buf);
	free(bundle);
	free(a);
	if (r < 0)
		return PUB_EXIT_FAIL;
	return status == 200 ? 0 : PUB_EXIT_REFUSED;
}
