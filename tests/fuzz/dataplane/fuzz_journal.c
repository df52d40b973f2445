/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_journal.c - libFuzzer target: the served-object journal's readers,
 * which read files from disk that a crash or a bad disk may have damaged
 * (docs/journal.md).
 *
 * Input: byte 0 picks the reader, bytes 1..4 (little-endian) the length of
 * the first file, the rest the files.
 *   - even byte 0: a closed segment: the .jrn, then the .idx.  With bit 1
 *     set the checksums are fixed first (the .idx's, the .jrn's own and the
 *     .idx checksum the .jrn carries), so that the structure checks and
 *     lookups behind them are fuzzed too.  An accepted segment has every
 *     record read and digests from the input looked up (pdq by distance).
 *   - odd byte 0: an open segment's log, read back as at start (written
 *     to a temporary file: the reader cuts a torn tail off the file).
 */
#include "dataplane/journal/jopen.h"
#include "dataplane/journal/jseg.h"
#include "hashsync/hws_format.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_hit(void *ctx, const struct dp_jrec *r, unsigned int dist)
{
	*(uint64_t *)ctx += r->count + dist + (r->host_len ? (uint8_t)r->host[0] : 0);
	return 0;
}

static void fix_checksums(uint8_t *jrn, size_t jlen, uint8_t *idx, size_t ilen)
{
	XXH128_canonical_t c;
	XXH3_state_t *xs;

	if (ilen >= HWS_HEADER_SIZE)
		hws_checksum(idx, ilen, idx + HWS_CHECKSUM_OFF);
	if (jlen < DP_JSEG_HEADER || ilen < HWS_CHECKSUM_OFF + 16)
		return;
	memcpy(jrn + 104, idx + HWS_CHECKSUM_OFF, 16);
	memset(jrn + 24, 0, 16);
	xs = XXH3_createState();
	if (!xs)
		return;
	XXH3_128bits_reset(xs);
	XXH3_128bits_update(xs, jrn, jlen);
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(xs));
	XXH3_freeState(xs);
	memcpy(jrn + 24, c.digest, 16);
}

static void segment(uint8_t *jrn, size_t jlen, uint8_t *idx, size_t ilen, bool fix)
{
	struct dp_jseg *s = NULL;
	struct hwall_err err;
	struct dp_jrec r;
	uint64_t sink = 0, bad = 0;

	if (fix)
		fix_checksums(jrn, jlen, idx, ilen);
	if (dp_jseg_open_mem(jrn, jlen, idx, ilen, &s, &err) < 0)
		return;
	for (uint32_t i = 0; i < dp_jseg_records(s) && i < 4096; i++)
		if (dp_jseg_record(s, i, &r) == 0)
			sink += r.size;
	for (size_t off = 0; off + 32 <= jlen && off < 64 * 97; off += 97)
		for (int a = 0; a < HWALL_ALGO_COUNT; a++)
			dp_jseg_lookup(s, (enum hwall_algo)a, jrn + off, off % 2 ? 31 : 64, on_hit,
				       &sink, &bad);
	dp_jseg_close(s);
}

static void log_replay(const uint8_t *p, size_t len)
{
	char path[] = "/tmp/hashwall-fuzz-journal-XXXXXX";
	struct dp_jopen o;
	uint64_t n;
	bool torn;
	int fd = mkstemp(path);

	if (fd < 0)
		return;
	if (write(fd, p, len) == (ssize_t)len) {
		jo_init(&o);
		jo_replay(&o, path, &n, &torn);
		jo_fini(&o);
	}
	close(fd);
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint32_t first;

	if (size < 5)
		return 0;
	if (data[0] & 1) {
		log_replay(data + 1, size - 1);
		return 0;
	}
	memcpy(&first, data + 1, 4);
	size -= 5;
	if (first > size)
		first = (uint32_t)size;
	/* Both files 64-byte aligned, as mappings are. */
	copy = aligned_alloc(64, ((first + 63) & ~(size_t)63) + ((size - first + 63) & ~(size_t)63) + 64);
	if (!copy)
		return 0;
	memcpy(copy, data + 5, first);
	memcpy(copy + ((first + 63) & ~(size_t)63), data + 5 + first, size - first);
	segment(copy, first, copy + ((first + 63) & ~(size_t)63), size - first, data[0] & 2);
	free(copy);
	return 0;
}
