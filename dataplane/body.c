/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * body.c - Content-Length, chunked and close-delimited bodies (body.h).
 */
#include "dataplane/body.h"

#include <string.h>

/* Chunked decoder states (RFC 9112 section 7.1). */
enum cstate {
	C_SIZE,        /* chunk-size [ chunk-ext ] up to LF */
	C_DATA,        /* chunk-data */
	C_DATA_CR,     /* CR (or LF) after the data */
	C_DATA_LF,     /* LF after that CR */
	C_TRAILER,     /* a trailer field line, or the empty line that ends it */
	C_COUNT
};

#define CHUNK_SIZE_MAX (1ull << 60)

void dp_body_start(struct dp_body *b, enum dp_body_mode mode, uint64_t length)
{
	memset(b, 0, sizeof(*b));
	b->mode = (uint8_t)mode;
	b->remaining = mode == DP_BODY_LENGTH ? length : 0;
	b->cstate = C_SIZE;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* One byte of the chunk-size line.  Returns 1 at its LF, 0 to go on, -1 on
 * a malformed line. */
static int size_line_byte(struct dp_body *b, uint8_t c)
{
	int v = hexval(c);

	if (c == '\n')
		return b->line_digits ? 1 : -1;
	if (v >= 0 && !b->line_end_seen) {
		if (b->remaining >= CHUNK_SIZE_MAX >> 4)
			return -1;
		b->remaining = b->remaining << 4 | (uint64_t)v;
		b->line_digits = true;
		return 0;
	}
	/* After the digits: BWS, ";" extensions, CR.  Nothing before them. */
	if (!b->line_digits)
		return -1;
	if (!b->line_end_seen && c != ';' && c != ' ' && c != '\t' && c != '\r')
		return -1;
	b->line_end_seen = true;
	return 0;
}

static int64_t decode_chunked(struct dp_body *b, const uint8_t *p, uint32_t len, uint32_t max_line,
			      dp_body_out_fn out, void *ctx, bool *ret_done, enum dp_drop *ret_err)
{
	uint32_t i = 0;

	while (i < len) {
		uint8_t c = p[i];
		int r;

		switch (b->cstate) {
		case C_SIZE:
			if (++b->line_len > max_line) {
				*ret_err = DP_DROP_http_chunk_line_too_long;
				return -1;
			}
			r = size_line_byte(b, c);
			i++;
			if (r < 0)
				goto bad;
			if (r == 1) {
				b->line_len = 0;
				b->line_digits = b->line_end_seen = false;
				b->cstate = b->remaining ? C_DATA : C_TRAILER;
			}
			break;
		case C_DATA: {
			uint32_t n = len - i;
			if (n > b->remaining)
				n = (uint32_t)b->remaining;
			out(ctx, p + i, n);
			b->remaining -= n;
			i += n;
			if (b->remaining == 0)
				b->cstate = C_DATA_CR;
			break;
		}
		case C_DATA_CR:
		case C_DATA_LF:
			i++;
			if (c == '\r' && b->cstate == C_DATA_CR)
				b->cstate = C_DATA_LF;
			else if (c == '\n')
				b->cstate = C_SIZE;
			else
				goto bad;
			break;
		case C_TRAILER: /* line_digits: the line has more than a CR */
			i++;
			if (c == '\n' && !b->line_digits) {
				*ret_done = true;
				return i;
			}
			if (c == '\n') {
				b->line_len = 0;
				b->line_digits = false;
				break;
			}
			b->line_digits |= c != '\r';
			if (++b->line_len > max_line) {
				*ret_err = DP_DROP_http_chunk_line_too_long;
				return -1;
			}
			break;
		default:
			goto bad;
		}
	}
	return i;
bad:
	*ret_err = DP_DROP_http_bad_chunk;
	return -1;
}

int64_t dp_body_decode(struct dp_body *b, const uint8_t *p, uint32_t len, uint32_t max_line,
		       dp_body_out_fn out, void *ctx, bool *ret_done, enum dp_drop *ret_err)
{
	uint32_t n = len;

	*ret_done = false;
	switch (b->mode) {
	case DP_BODY_NONE:
		*ret_done = true;
		return 0;
	case DP_BODY_LENGTH:
		if (n > b->remaining)
			n = (uint32_t)b->remaining;
		if (n)
			out(ctx, p, n);
		b->remaining -= n;
		*ret_done = b->remaining == 0;
		return n;
	case DP_BODY_CLOSE:
		if (n)
			out(ctx, p, n);
		return n;
	case DP_BODY_CHUNKED:
		return decode_chunked(b, p, len, max_line, out, ctx, ret_done, ret_err);
	default:
		*ret_err = DP_DROP_http_bad_chunk;
		return -1;
	}
}

bool dp_body_skip(struct dp_body *b, uint64_t len, bool *ret_done, uint64_t *ret_rest)
{
	*ret_done = false;
	*ret_rest = 0;
	switch (b->mode) {
	case DP_BODY_LENGTH:
		if (len >= b->remaining) {
			*ret_rest = len - b->remaining;
			b->remaining = 0;
			*ret_done = true;
		} else {
			b->remaining -= len;
		}
		return true;
	case DP_BODY_CLOSE:
		return true;
	case DP_BODY_CHUNKED: /* within one chunk's data the framing holds */
		if (b->cstate != C_DATA || len > b->remaining)
			return false;
		b->remaining -= len;
		if (b->remaining == 0)
			b->cstate = C_DATA_CR;
		return true;
	default:
		return false;
	}
}
