/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http_head.c - the fields of one message head (RFC 9112 section 5): the
 * start line, the framing fields and Host (see http_int.h); http.c makes a
 * request or a response of them.
 */
#include "dataplane/http_int.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

bool dp_http_is_tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

void dp_http_copy_str(char *dst, size_t cap, const char *src, size_t len, bool *ret_trunc)
{
	if (len >= cap) {
		len = cap - 1;
		if (ret_trunc)
			*ret_trunc = true;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Content-Length: 1*DIGIT, or a list of identical values (RFC 9110 8.6). */
static int parse_length(const char *v, uint64_t *ret)
{
	bool any = false;
	uint64_t first = 0;

	while (*v) {
		uint64_t n = 0;
		if (*v < '0' || *v > '9')
			return -EINVAL;
		while (*v >= '0' && *v <= '9') {
			if (n > (1ull << 56))
				return -EINVAL;
			n = n * 10 + (uint64_t)(*v++ - '0');
		}
		if (any && n != first)
			return -EINVAL;
		first = n;
		any = true;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == ',')
			v++;
		while (*v == ' ' || *v == '\t')
			v++;
	}
	if (!any)
		return -EINVAL;
	*ret = first;
	return 0;
}

/* Numbers of a Content-Range: 1*DIGIT up to 2^60; *ret_end after them. */
static int range_num(const char *v, uint64_t *ret, const char **ret_end)
{
	uint64_t n = 0;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	for (; *v >= '0' && *v <= '9'; v++) {
		if (n > (1ull << 56))
			return -EINVAL;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	*ret = n;
	*ret_end = v;
	return 0;
}

int dp_http_content_range(const char *v, struct dp_range *ret)
{
	struct dp_range r = { .set = true };

	if (strncasecmp(v, "bytes ", 6) != 0)
		return -EINVAL;
	v += 6;
	if (range_num(v, &r.start, &v) < 0 || *v++ != '-' || range_num(v, &r.end, &v) < 0 ||
	    *v++ != '/' || r.end < r.start)
		return -EINVAL;
	if (v[0] == '*' && v[1] == '\0') {
		*ret = r;
		return 0;
	}
	if (range_num(v, &r.total, &v) < 0 || *v != '\0' || r.end >= r.total)
		return -EINVAL;
	r.total_known = true;
	*ret = r;
	return 0;
}

/* A strong ETag (a weak one names no byte sequence, RFC 9110 8.8.1) wins
 * over Last-Modified; a validator too long for the buffer is not used. */
static void set_validator(struct dp_head *hd, bool etag, const char *val)
{
	size_t len = strlen(val);

	if ((etag && strncmp(val, "W/", 2) == 0) || (!etag && hd->have_etag) ||
	    len + 2 > sizeof(hd->validator))
		return;
	hd->validator[0] = etag ? 'E' : 'L';
	memcpy(hd->validator + 1, val, len + 1);
	hd->have_etag = etag;
}

/* Whether the last transfer coding of the list @v is "chunked". */
static bool last_is_chunked(const char *v)
{
	const char *last = strrchr(v, ',');
	size_t len;

	last = last ? last + 1 : v;
	while (*last == ' ' || *last == '\t')
		last++;
	len = strlen(last);
	while (len && (last[len - 1] == ' ' || last[len - 1] == '\t'))
		len--;
	return len == 7 && strncasecmp(last, "chunked", 7) == 0;
}

/*
 * Split the head at @buf (NUL-terminated, lines ending in LF or CRLF) into
 * its start line and the framing fields.  Returns DP_DROP_COUNT or a drop
 * reason (@bad is the reason for syntax errors).
 */
enum dp_drop dp_http_parse_fields(const struct dp_http *h, char *buf, struct dp_head *hd, enum dp_drop bad)
{
	uint32_t nfields = 0;
	char *line = buf, *next;

	hd->start_line = NULL;
	for (; *line; line = next) {
		char *colon, *val, *end;

		next = strchr(line, '\n');
		if (!next)
			return bad;
		end = next;
		*next++ = '\0';
		if (end > line && end[-1] == '\r')
			*--end = '\0';
		if (!hd->start_line) {
			hd->start_line = line;
			continue;
		}
		if (*line == '\0')
			break;
		if (*line == ' ' || *line == '\t')
			continue; /* obs-fold (RFC 9112 5.2): ignored */
		if (++nfields > h->lim.max_headers)
			return DP_DROP_http_too_many_headers;
		colon = line;
		while (dp_http_is_tchar(*colon))
			colon++;
		if (*colon != ':' || colon == line)
			return bad; /* no whitespace before the colon (RFC 9112 5.1) */
		*colon = '\0';
		val = colon + 1;
		while (*val == ' ' || *val == '\t')
			val++;
		while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (strcasecmp(line, "content-length") == 0) {
			uint64_t n;
			if (parse_length(val, &n) < 0 || (hd->have_cl && n != hd->length))
				return bad;
			hd->length = n;
			hd->have_cl = true;
		} else if (strcasecmp(line, "transfer-encoding") == 0) {
			hd->have_te = true;
			hd->te_chunked = last_is_chunked(val);
		} else if (strcasecmp(line, "content-encoding") == 0) {
			hd->coding = dp_coding_parse(val);
		} else if (strcasecmp(line, "content-range") == 0) {
			if (dp_http_content_range(val, &hd->range) < 0)
				hd->range.set = false; /* a 206 without one: not stitched */
		} else if (strcasecmp(line, "etag") == 0 || strcasecmp(line, "last-modified") == 0) {
			set_validator(hd, line[0] == 'e' || line[0] == 'E', val);
		} else if (strcasecmp(line, "host") == 0) {
			/* Cut, not refused: the response is hashed all the same,
			 * and its match must reach controld (flagged there). */
			dp_http_copy_str(hd->host, sizeof(hd->host), val, strlen(val), &hd->host_cut);
		}
	}
	if (!hd->start_line)
		return bad;
	/* RFC 9112 6.3: Transfer-Encoding overrides Content-Length; without
	 * either, a response runs to the close and a request has no body. */
	if (hd->have_te)
		hd->mode = hd->te_chunked ? DP_BODY_CHUNKED : DP_BODY_CLOSE;
	else if (hd->have_cl)
		hd->mode = DP_BODY_LENGTH;
	else
		hd->mode = DP_BODY_CLOSE;
	return DP_DROP_COUNT;
}

/* HTTP/1.0, 1.1 and the other 1.x a server takes as 1.1 (nginx and Apache
 * serve "HTTP/1.9"): refusing them would let a client hide a response. */
bool dp_http_version_ok(const char *v)
{
	return strncmp(v, "HTTP/1.", 7) == 0 && v[7] >= '0' && v[7] <= '9' && v[8] == '\0';
}

