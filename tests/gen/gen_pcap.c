/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_pcap.c - the classic libpcap file writer of the traffic generator
 * (microsecond timestamps, LINKTYPE_ETHERNET, host byte order, as
 * pcap_dump() writes it) and the growable byte buffer the other layers use.
 */
#include "gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/errors.h"

#define GEN_PCAP_MAGIC 0xa1b2c3d4u
#define GEN_PCAP_SNAPLEN 262144u
#define GEN_LINKTYPE_ETHERNET 1u
#define GEN_PCAP_START_SEC 1767225600ull /* 2026-01-01, any fixed instant */

static int gen_buf_reserve(struct gen_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	uint8_t *p;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int gen_buf_put(struct gen_buf *b, const void *data, size_t len)
{
	HWALL_TRY(gen_buf_reserve(b, len));
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

int gen_buf_printf(struct gen_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	HWALL_TRY(gen_buf_reserve(b, (size_t)n + 1));
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void gen_buf_free(struct gen_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static int gen_pcap_put(struct gen_pcap *w, const void *p, size_t len)
{
	if (w->err)
		return w->err;
	if (fwrite(p, 1, len, w->f) != len)
		w->err = hwall_neg_errno();
	return w->err;
}

int gen_pcap_open(struct gen_pcap *w, const char *path)
{
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = { GEN_PCAP_MAGIC, 2, 4, 0, 0, GEN_PCAP_SNAPLEN, GEN_LINKTYPE_ETHERNET };

	memset(w, 0, sizeof(*w));
	w->f = fopen(path, "wb");
	if (!w->f)
		return hwall_neg_errno();
	w->ts_us = GEN_PCAP_START_SEC * 1000000ull;
	return gen_pcap_put(w, &hdr, sizeof(hdr));
}

int gen_pcap_write(struct gen_pcap *w, const uint8_t *frame, size_t len)
{
	uint32_t rec[4] = {
		(uint32_t)(w->ts_us / 1000000u), (uint32_t)(w->ts_us % 1000000u),
		(uint32_t)len, (uint32_t)len,
	};

	if (len > GEN_PCAP_SNAPLEN)
		return -EMSGSIZE;
	HWALL_TRY(gen_pcap_put(w, rec, sizeof(rec)));
	HWALL_TRY(gen_pcap_put(w, frame, len));
	w->packets++;
	w->bytes += len;
	w->ts_us += 10;
	return 0;
}

int gen_pcap_close(struct gen_pcap *w)
{
	int err = w->err;

	if (!w->f)
		return err;
	if (fclose(w->f) != 0 && !err)
		err = hwall_neg_errno();
	w->f = NULL;
	return err;
}
