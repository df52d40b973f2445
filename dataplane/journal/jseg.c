/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jseg.c - closed journal segments: writing (records, postings, and the
 * digest index through the hws builder), validating and looking up (see
 * jseg.h).
 */
#include "dataplane/journal/jseg.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "common/fileio.h"
#include "hashsync/hws.h"
#include "hashsync/hws_format.h"

#define JSEG_IDX_ID "journal"

/* Header offsets (docs/journal.md, "Segments"). */
enum {
	H_MAGIC = 0, H_VERSION = 8, H_HSIZE = 12, H_FSIZE = 16, H_CHECK = 24, H_START = 40,
	H_END = 48, H_RECORDS = 56, H_RES0 = 60, H_REC_OFF = 64, H_REC_LEN = 72, H_OFFS_OFF = 80,
	H_POST_OFF = 88, H_POST_WORDS = 96, H_IDX_CHECK = 104, H_RES1 = 120,
};
_Static_assert(H_RES1 + 8 == DP_JSEG_HEADER, "header size");

struct dp_jseg {
	const uint8_t *jrn;
	size_t jrn_len;
	bool mapped;
	struct hws_set *idx;
	uint64_t idx_bytes;
	int64_t start, end;
	uint32_t records;
	const uint8_t *rec;   /* the record section */
	uint64_t rec_len;
	const uint8_t *offs;  /* records x u64 */
	const uint8_t *post;  /* post_words x u32 */
	uint64_t post_words;
};

static inline uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint64_t align8(uint64_t v) { return (v + 7) & ~7ull; }

int dp_jseg_path(char *buf, size_t cap, const char *dir, int64_t start, const char *ext)
{
	int n = snprintf(buf, cap, "%s/seg-%" PRId64 ".%s", dir, start, ext);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* ---- writing ---- */

/* One (algorithm, digest, record) of the index, before grouping. */
struct tuple {
	const uint8_t *digest;
	uint32_t id;
	uint8_t algo;
};

static int tuple_cmp(const void *pa, const void *pb)
{
	const struct tuple *a = pa, *b = pb;
	int c;

	if (a->algo != b->algo)
		return a->algo < b->algo ? -1 : 1;
	c = memcmp(a->digest, b->digest, hwall_algo_len((enum hwall_algo)a->algo));
	if (c)
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

static bool same_key(const struct tuple *a, const struct tuple *b)
{
	return a->algo == b->algo &&
	       memcmp(a->digest, b->digest, hwall_algo_len((enum hwall_algo)a->algo)) == 0;
}

/* Every (algorithm, digest, id) of @recs, sorted. */
static struct tuple *tuples_of(const struct dp_jrec *recs, uint32_t n, size_t *ret_n)
{
	size_t cap = 0, k = 0;
	struct tuple *t;

	for (uint32_t i = 0; i < n; i++)
		cap += (size_t)__builtin_popcount(recs[i].mask);
	t = malloc((cap ? cap : 1) * sizeof(*t));
	if (!t)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		for (int a = 0; a < HWALL_ALGO_COUNT; a++)
			if (recs[i].mask & (1u << a))
				t[k++] = (struct tuple){ dp_jrec_digest(&recs[i], (enum hwall_algo)a), i,
							 (uint8_t)a };
	qsort(t, k, sizeof(*t), tuple_cmp);
	*ret_n = k;
	return t;
}

/* Group @t into posting lists (*ret_post, *ret_words) and index entries
 * of @b whose reference is the list's offset. */
static int group(const struct tuple *t, size_t n, struct hws_builder *b, uint32_t **ret_post,
		 uint64_t *ret_words)
{
	uint32_t *post = malloc((2 * n + 1) * sizeof(*post));
	uint64_t w = 0;
	size_t i = 0, j;
	int r = 0;

	if (!post)
		return -ENOMEM;
	while (i < n && r == 0) {
		for (j = i + 1; j < n && same_key(&t[i], &t[j]); j++)
			;
		r = w > UINT32_MAX ? -E2BIG
			: hws_builder_add(b, (enum hwall_algo)t[i].algo, t[i].digest, 0, (uint32_t)w);
		post[w++] = (uint32_t)(j - i);
		for (; i < j; i++)
			post[w++] = t[i].id;
	}
	if (r < 0) {
		free(post);
		return r;
	}
	*ret_post = post;
	*ret_words = w;
	return 0;
}

/* The .idx of @recs; its checksum into @ret_check. */
static int write_index(const char *dir, int64_t start, const struct dp_jrec *recs, uint32_t n,
		       uint32_t **ret_post, uint64_t *ret_words, uint8_t ret_check[16],
		       struct hwall_err *err)
{
	char path[4096];
	struct hws_builder *b = NULL;
	struct tuple *t = NULL;
	size_t nt;
	int r, fd;

	r = dp_jseg_path(path, sizeof(path), dir, start, "idx");
	if (r < 0)
		return hwall_err_set(err, r, "%s: path too long", dir);
	b = hws_builder_new(JSEG_IDX_ID, (uint64_t)start);
	t = b ? tuples_of(recs, n, &nt) : NULL;
	if (!t) {
		r = hwall_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	hws_builder_set_times(b, start, 0);
	hws_builder_set_mode(b, 0600);
	r = group(t, nt, b, ret_post, ret_words);
	if (r < 0) {
		hwall_err_set(err, r, "%s: %s", path, hwall_strerror(r));
		goto out;
	}
	r = hws_builder_write(b, path, NULL, err);
	if (r < 0) {
		free(*ret_post);
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, ret_check, 16, HWS_CHECKSUM_OFF) != 16) {
		r = hwall_err_set(err, -EIO, "%s: reading back its checksum", path);
		free(*ret_post);
	}
	if (fd >= 0)
		close(fd);
out:
	free(t);
	hws_builder_free(b);
	return r;
}

/* Buffered writing of the .jrn with a running checksum. */
struct wbuf {
	int fd;
	int err;
	size_t used;
	XXH3_state_t *xs;
	uint8_t buf[1 << 16];
};

static void wb_put(struct wbuf *w, const void *p, size_t len)
{
	XXH3_128bits_update(w->xs, p, len);
	while (len && w->err == 0) {
		size_t k = sizeof(w->buf) - w->used < len ? sizeof(w->buf) - w->used : len;

		memcpy(w->buf + w->used, p, k);
		w->used += k;
		p = (const uint8_t *)p + k;
		len -= k;
		if (w->used == sizeof(w->buf)) {
			w->err = hwall_write_all(w->fd, w->buf, w->used);
			w->used = 0;
		}
	}
}

static void wb_pad(struct wbuf *w, uint64_t *pos)
{
	static const uint8_t zero[8];
	uint64_t to = align8(*pos);

	wb_put(w, zero, (size_t)(to - *pos));
	*pos = to;
}

/* Header fields and sections of the .jrn; the record bytes are streamed. */
static void layout(uint8_t h[DP_JSEG_HEADER], int64_t start, int64_t end, const struct dp_jrec *recs,
		   uint32_t n, uint64_t words, const uint8_t idx_check[16])
{
	uint64_t rec_len = 0, offs, post, size;

	for (uint32_t i = 0; i < n; i++)
		rec_len += dp_jrec_size(&recs[i]);
	offs = align8(DP_JSEG_HEADER + rec_len);
	post = offs + 8ull * n;
	size = post + 4ull * words;
	memset(h, 0, DP_JSEG_HEADER);
	memcpy(h + H_MAGIC, DP_JSEG_MAGIC, 8);
	put32(h + H_VERSION, DP_JSEG_VERSION);
	put32(h + H_HSIZE, DP_JSEG_HEADER);
	put64(h + H_FSIZE, size);
	put64(h + H_START, (uint64_t)start);
	put64(h + H_END, (uint64_t)end);
	put32(h + H_RECORDS, n);
	put64(h + H_REC_OFF, DP_JSEG_HEADER);
	put64(h + H_REC_LEN, rec_len);
	put64(h + H_OFFS_OFF, offs);
	put64(h + H_POST_OFF, post);
	put64(h + H_POST_WORDS, words);
	memcpy(h + H_IDX_CHECK, idx_check, 16);
}

static int stream_body(struct wbuf *w, const uint8_t *h, const struct dp_jrec *recs, uint32_t n,
		       const uint32_t *post, uint64_t words)
{
	uint8_t *rb = malloc(DP_JREC_MAX);
	uint64_t pos = DP_JSEG_HEADER, off = 0;
	uint8_t o[8];

	if (!rb)
		return -ENOMEM;
	wb_put(w, h, DP_JSEG_HEADER);
	for (uint32_t i = 0; i < n; i++) {
		size_t len = dp_jrec_encode(&recs[i], rb, DP_JREC_MAX);

		if (!len || recs[i].id != i) {
			free(rb);
			return -EINVAL;
		}
		wb_put(w, rb, len);
		pos += len;
	}
	free(rb);
	wb_pad(w, &pos);
	for (uint32_t i = 0; i < n; i++) {
		put64(o, off);
		wb_put(w, o, 8);
		off += dp_jrec_size(&recs[i]);
	}
	wb_put(w, post, 4 * words);
	if (w->err == 0 && w->used)
		w->err = hwall_write_all(w->fd, w->buf, w->used);
	return w->err;
}

static int write_records(const char *path, const uint8_t *h, const struct dp_jrec *recs, uint32_t n,
			 const uint32_t *post, uint64_t words)
{
	struct hwall_atomic a;
	struct wbuf *w = calloc(1, sizeof(*w));
	XXH128_canonical_t c;
	int r = w ? hwall_atomic_begin(path, 0600, &a) : -ENOMEM;

	if (r < 0)
		goto out;
	w->fd = a.fd;
	w->xs = XXH3_createState();
	r = w->xs ? 0 : -ENOMEM;
	if (r == 0) {
		XXH3_128bits_reset(w->xs);
		r = stream_body(w, h, recs, n, post, words);
	}
	if (r == 0) {
		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(w->xs));
		r = pwrite(a.fd, c.digest, 16, H_CHECK) == 16 ? 0 : -EIO;
	}
	XXH3_freeState(w->xs);
	if (r < 0)
		hwall_atomic_abort(&a);
	else
		r = hwall_atomic_commit(&a, true);
out:
	free(w);
	return r;
}

int dp_jseg_write(const char *dir, int64_t start, int64_t end, const struct dp_jrec *recs,
		  uint32_t n, struct hwall_err *err)
{
	uint8_t h[DP_JSEG_HEADER], idx_check[16];
	char path[4096];
	uint32_t *post = NULL;
	uint64_t words = 0;
	int r;

	r = dp_jseg_path(path, sizeof(path), dir, start, "jrn");
	if (r < 0)
		return hwall_err_set(err, r, "%s: path too long", dir);
	r = write_index(dir, start, recs, n, &post, &words, idx_check, err);
	if (r < 0)
		return r;
	layout(h, start, end, recs, n, words, idx_check);
	r = write_records(path, h, recs, n, post, words);
	free(post);
	if (r < 0)
		return hwall_err_set(err, r, "%s: %s", path, hwall_strerror(r));
	return 0;
}

/* ---- reading ---- */

/* The .jrn checks: header, sizes, sections, checksum, the .idx's checksum. */
static int check_jrn(struct dp_jseg *s, const uint8_t *idx_check, struct hwall_err *err)
{
	const uint8_t *h = s->jrn;
	uint64_t rec_off, offs, post, size = s->jrn_len;
	uint8_t zero[16] = { 0 };
	XXH3_state_t *xs;
	XXH128_canonical_t c;

	if (size < DP_JSEG_HEADER || memcmp(h, DP_JSEG_MAGIC, 8) != 0)
		return hwall_err_set(err, -EINVAL, "not a journal segment (magic)");
	if (get32(h + H_VERSION) != DP_JSEG_VERSION || get32(h + H_HSIZE) != DP_JSEG_HEADER)
		return hwall_err_set(err, -EINVAL, "segment format version %u is not %u",
				     get32(h + H_VERSION), DP_JSEG_VERSION);
	if (get64(h + H_FSIZE) != size)
		return hwall_err_set(err, -EINVAL, "file size %zu differs from the header's %" PRIu64
				     " (cut short?)", s->jrn_len, get64(h + H_FSIZE));
	if (get32(h + H_RES0) || get64(h + H_RES1))
		return hwall_err_set(err, -EINVAL, "reserved header field not zero");
	xs = XXH3_createState();
	if (!xs)
		return hwall_err_set(err, -ENOMEM, "out of memory");
	XXH3_128bits_reset(xs);
	XXH3_128bits_update(xs, h, H_CHECK);
	XXH3_128bits_update(xs, zero, 16);
	XXH3_128bits_update(xs, h + H_CHECK + 16, size - H_CHECK - 16);
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(xs));
	XXH3_freeState(xs);
	if (memcmp(c.digest, h + H_CHECK, 16) != 0)
		return hwall_err_set(err, -EINVAL, "checksum mismatch: the segment is corrupt");
	if (memcmp(idx_check, h + H_IDX_CHECK, 16) != 0)
		return hwall_err_set(err, -EINVAL, "the .idx is not this segment's (checksums differ)");
	s->start = (int64_t)get64(h + H_START);
	s->end = (int64_t)get64(h + H_END);
	s->records = get32(h + H_RECORDS);
	rec_off = get64(h + H_REC_OFF);
	s->rec_len = get64(h + H_REC_LEN);
	offs = get64(h + H_OFFS_OFF);
	post = get64(h + H_POST_OFF);
	s->post_words = get64(h + H_POST_WORDS);
	if (s->end <= s->start || rec_off != DP_JSEG_HEADER || s->rec_len > size ||
	    offs != align8(rec_off + s->rec_len) || post != offs + 8ull * s->records ||
	    post > size || s->post_words > (size - post) / 4 || post + 4 * s->post_words != size)
		return hwall_err_set(err, -EINVAL, "sections do not fit the file");
	s->rec = s->jrn + rec_off;
	s->offs = s->jrn + offs;
	s->post = s->jrn + post;
	return 0;
}

static int check_idx(struct dp_jseg *s, struct hwall_err *err)
{
	struct hws_info info;

	hws_info(s->idx, &info);
	if (strcmp(info.id, JSEG_IDX_ID) != 0 || info.version != (uint64_t)s->start)
		return hwall_err_set(err, -EINVAL, "the .idx is set '%s' version %" PRIu64
				     ", not this segment's index", info.id, info.version);
	s->idx_bytes = info.file_bytes;
	return 0;
}

int dp_jseg_open_mem(const void *jrn, size_t jrn_len, const void *idx, size_t idx_len,
		     struct dp_jseg **ret_seg, struct hwall_err *err)
{
	struct dp_jseg *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return hwall_err_set(err, -ENOMEM, "out of memory");
	s->jrn = jrn;
	s->jrn_len = jrn_len;
	r = hws_open_mem(idx, idx_len, &s->idx, err);
	if (r < 0) {
		hwall_err_prefix(err, r, "index: ");
		goto fail;
	}
	r = check_jrn(s, (const uint8_t *)idx + HWS_CHECKSUM_OFF, err);
	if (r == 0)
		r = check_idx(s, err);
	if (r == 0) {
		*ret_seg = s;
		return 0;
	}
fail:
	dp_jseg_close(s);
	return r;
}

/* Map @path read-only (a regular file, not empty). */
static int map_file(const char *path, const uint8_t **ret, size_t *ret_len)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return hwall_neg_errno();
	if (fstat(fd, &st) < 0)
		r = hwall_neg_errno();
	else if (!S_ISREG(st.st_mode) || st.st_size < DP_JSEG_HEADER)
		r = -EINVAL;
	if (r == 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			r = hwall_neg_errno();
		else {
			*ret = p;
			*ret_len = (size_t)st.st_size;
		}
	}
	close(fd);
	return r;
}

int dp_jseg_open(const char *dir, int64_t start, struct dp_jseg **ret_seg, struct hwall_err *err)
{
	char jp[4096], ip[4096];
	uint8_t idx_check[16];
	struct dp_jseg *s;
	int r, fd;

	if (dp_jseg_path(jp, sizeof(jp), dir, start, "jrn") < 0 ||
	    dp_jseg_path(ip, sizeof(ip), dir, start, "idx") < 0)
		return hwall_err_set(err, -ENAMETOOLONG, "%s: path too long", dir);
	s = calloc(1, sizeof(*s));
	if (!s)
		return hwall_err_set(err, -ENOMEM, "out of memory");
	r = map_file(jp, &s->jrn, &s->jrn_len);
	if (r < 0) {
		hwall_err_set(err, r, "%s: %s", jp, r == -EINVAL ? "not a segment file (too short)"
							   : hwall_strerror(r));
		goto fail;
	}
	s->mapped = true;
	r = hws_open(ip, &s->idx, err);
	if (r < 0) {
		hwall_err_prefix(err, r, "%s: ", ip);
		goto fail;
	}
	fd = open(ip, O_RDONLY | O_CLOEXEC);
	r = fd >= 0 && pread(fd, idx_check, 16, HWS_CHECKSUM_OFF) == 16 ? 0 : -EIO;
	if (fd >= 0)
		close(fd);
	if (r == 0)
		r = check_jrn(s, idx_check, err);
	if (r == 0)
		r = check_idx(s, err);
	if (r < 0) {
		hwall_err_prefix(err, r, "%s: ", jp);
		goto fail;
	}
	*ret_seg = s;
	return 0;
fail:
	dp_jseg_close(s);
	return r;
}

void dp_jseg_close(struct dp_jseg *s)
{
	if (!s)
		return;
	hws_close(s->idx);
	if (s->mapped)
		munmap((void *)s->jrn, s->jrn_len);
	free(s);
}

int64_t dp_jseg_start(const struct dp_jseg *s) { return s->start; }
int64_t dp_jseg_end(const struct dp_jseg *s) { return s->end; }
uint32_t dp_jseg_records(const struct dp_jseg *s) { return s->records; }
uint64_t dp_jseg_bytes(const struct dp_jseg *s) { return s->jrn_len + s->idx_bytes; }

int dp_jseg_record(const struct dp_jseg *s, uint32_t id, struct dp_jrec *ret)
{
	struct dp_jrec r;
	uint64_t off;

	if (id >= s->records)
		return -EINVAL;
	off = get64(s->offs + 8ull * id);
	if (off >= s->rec_len || dp_jrec_decode(s->rec + off, s->rec_len - off, &r, NULL) < 0 ||
	    r.id != id)
		return -EINVAL;
	*ret = r;
	return 0;
}

/* The records of the posting list at word @ref. */
static int postings(const struct dp_jseg *s, uint32_t ref, unsigned int dist, dp_jseg_hit_fn fn,
		    void *ctx, uint64_t *bad)
{
	struct dp_jrec rec;
	uint32_t n;
	int r;

	if (ref >= s->post_words || (n = get32(s->post + 4ull * ref)) == 0 ||
	    n > s->post_words - ref - 1) {
		(*bad)++;
		return 0;
	}
	for (uint32_t k = 0; k < n; k++) {
		if (dp_jseg_record(s, get32(s->post + 4ull * (ref + 1 + k)), &rec) < 0) {
			(*bad)++;
			continue;
		}
		r = fn(ctx, &rec, dist);
		if (r)
			return r;
	}
	return 0;
}

int dp_jseg_lookup(const struct dp_jseg *s, enum hwall_algo algo, const uint8_t *digest,
		   unsigned int max_dist, dp_jseg_hit_fn fn, void *ctx, uint64_t *ret_bad)
{
	struct hws_near near[HWS_NEAR_MAX];
	struct hws_hit hit;
	uint64_t bad = 0;
	size_t total;
	int r = 0;

	if (hwall_algo_kind(algo) != HWALL_ALGO_KIND_PERCEPTUAL) {
		if (hws_lookup(s->idx, algo, digest, &hit))
			r = postings(s, hit.ref, 0, fn, ctx, &bad);
	} else {
		r = hws_lookup_near(s->idx, algo, digest, max_dist, near, HWS_NEAR_MAX, &total);
		for (size_t i = 0; r == 0 && i < total && i < HWS_NEAR_MAX; i++)
			r = postings(s, near[i].ref, near[i].distance, fn, ctx, &bad);
	}
	if (ret_bad)
		*ret_bad += bad;
	return r;
}
