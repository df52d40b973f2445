/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jopen.c - the journal's open segment: records in memory, deduplicated,
 * and their log (see jopen.h).
 */
#include "dataplane/journal/jopen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "common/errors.h"
#include "common/fileio.h"

#define FLUSH_BUF (1u << 20)

void jo_init(struct dp_jopen *o)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}

void jo_fini(struct dp_jopen *o)
{
	if (o->fd >= 0)
		close(o->fd);
	free(o->ents);
	free(o->arena);
	free(o->slots);
	free(o->dirty);
	jo_init(o);
}

static uint64_t key_hash(const uint8_t *xxh, const char *host, uint16_t hl, const char *path,
			 uint16_t pl)
{
	/* Chained seeds: the host's length is in the seed of the path. */
	uint64_t h = XXH3_64bits(xxh, 16);

	h = XXH3_64bits_withSeed(host, hl, h);
	return XXH3_64bits_withSeed(path, pl, h + hl);
}

void jo_view(const struct dp_jopen *o, uint32_t id, struct dp_jrec *ret)
{
	const struct jo_ent *e = &o->ents[id];

	*ret = (struct dp_jrec){
		.id = id, .mask = e->mask, .count = e->count, .family = e->family, .port = e->port,
		.first = e->first, .last = e->last, .size = e->size, .host_len = e->host_len,
		.path_len = e->path_len, .digests = o->arena + e->dg_off,
		.host = (const char *)o->arena + e->url_off,
		.path = (const char *)o->arena + e->url_off + e->host_len,
	};
	memcpy(ret->server, e->server, 16);
}

/* Room for @len more arena bytes. */
static int arena_need(struct dp_jopen *o, uint64_t len)
{
	uint64_t cap = o->acap ? o->acap : 1u << 16;
	uint8_t *p;

	if (o->used + len <= o->acap)
		return 0;
	while (cap < o->used + len)
		cap *= 2;
	p = realloc(o->arena, cap);
	if (!p)
		return -ENOMEM;
	o->arena = p;
	o->acap = cap;
	return 0;
}

static uint64_t arena_put(struct dp_jopen *o, const void *p, size_t len)
{
	uint64_t off = o->used;

	memcpy(o->arena + off, p, len);
	o->used += len;
	return off;
}

static int rehash(struct dp_jopen *o, uint32_t nslots)
{
	uint32_t *s = calloc(nslots, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (uint32_t id = 0; id < o->n; id++) {
		uint32_t k = (uint32_t)o->ents[id].hash & (nslots - 1);

		while (s[k])
			k = (k + 1) & (nslots - 1);
		s[k] = id + 1;
	}
	free(o->slots);
	o->slots = s;
	o->nslots = nslots;
	return 0;
}

/* The slot of @r's key: the id + 1 found there, or 0 (then *ret_slot is
 * where it goes). */
static uint32_t find(const struct dp_jopen *o, const struct dp_jrec *r, uint64_t h,
		     uint32_t *ret_slot)
{
	const uint8_t *xxh = dp_jrec_digest(r, HWALL_ALGO_XXH3_128);
	uint32_t k = (uint32_t)h & (o->nslots - 1);

	for (; o->slots[k]; k = (k + 1) & (o->nslots - 1)) {
		const struct jo_ent *e = &o->ents[o->slots[k] - 1];
		const uint8_t *url = o->arena + e->url_off;

		if (e->hash == h && e->host_len == r->host_len && e->path_len == r->path_len &&
		    memcmp(o->arena + e->dg_off, xxh, 16) == 0 &&
		    memcmp(url, r->host, r->host_len) == 0 &&
		    memcmp(url + r->host_len, r->path, r->path_len) == 0)
			break;
	}
	*ret_slot = k;
	return o->slots[k];
}

static int mark_dirty(struct dp_jopen *o, uint32_t id)
{
	if (o->ents[id].dirty)
		return 0;
	if (o->ndirty == o->dcap) {
		uint32_t cap = o->dcap ? 2 * o->dcap : 1024;
		uint32_t *p = realloc(o->dirty, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		o->dirty = p;
		o->dcap = cap;
	}
	o->dirty[o->ndirty++] = id;
	o->ents[id].dirty = true;
	return 0;
}

/* Give entry @e the digests of @mask: its own, and @r's for the others.
 * (xxh3-128 is first in both, so the packed bytes of the union start
 * alike.) */
static int merge_digests(struct dp_jopen *o, struct jo_ent *e, const struct dp_jrec *r)
{
	uint32_t mask = e->mask | r->mask;
	uint8_t buf[HWALL_ALGO_COUNT * HWALL_DIGEST_MAX];
	struct dp_jrec cur;
	size_t len = 0;

	if (mask == e->mask)
		return 0;
	if (arena_need(o, dp_jrec_digests_len(mask)) < 0)
		return -ENOMEM;
	jo_view(o, (uint32_t)(e - o->ents), &cur);
	for (int a = 0; a < HWALL_ALGO_COUNT; a++) {
		const uint8_t *d = dp_jrec_digest(&cur, (enum hwall_algo)a);

		if (!d)
			d = dp_jrec_digest(r, (enum hwall_algo)a);
		if (d) {
			memcpy(buf + len, d, hwall_algo_len((enum hwall_algo)a));
			len += hwall_algo_len((enum hwall_algo)a);
		}
	}
	e->dg_off = arena_put(o, buf, len);
	e->mask = mask;
	return 0;
}

static int insert(struct dp_jopen *o, const struct dp_jrec *r, uint64_t h, uint32_t slot)
{
	struct jo_ent *e;
	size_t dl = dp_jrec_digests_len(r->mask);

	if (o->n == o->cap) {
		uint32_t cap = o->cap ? 2 * o->cap : 1024;
		struct jo_ent *p = realloc(o->ents, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		o->ents = p;
		o->cap = cap;
	}
	if (arena_need(o, dl + r->host_len + r->path_len) < 0)
		return -ENOMEM;
	e = &o->ents[o->n];
	*e = (struct jo_ent){ .hash = h, .first = r->first, .last = r->last, .size = r->size,
			      .mask = r->mask, .count = r->count, .host_len = r->host_len,
			      .path_len = r->path_len, .port = r->port, .family = r->family };
	memcpy(e->server, r->server, 16);
	e->dg_off = arena_put(o, r->digests, dl);
	e->url_off = arena_put(o, r->host, r->host_len);
	arena_put(o, r->path, r->path_len);
	o->slots[slot] = ++o->n;
	return mark_dirty(o, o->n - 1);
}

/* Make sure the table has a free slot for one more record. */
static int room(struct dp_jopen *o)
{
	if ((uint64_t)(o->n + 1) * 2 <= o->nslots)
		return 0;
	return rehash(o, o->nslots ? 2 * o->nslots : 4096);
}

int jo_put(struct dp_jopen *o, const struct dp_jrec *r, uint32_t max, bool *ret_repeat)
{
	uint64_t h = key_hash(dp_jrec_digest(r, HWALL_ALGO_XXH3_128), r->host, r->host_len, r->path,
			      r->path_len);
	uint32_t slot, id;
	struct jo_ent *e;

	if (room(o) < 0)
		return -ENOMEM;
	id = find(o, r, h, &slot);
	if (!id) {
		*ret_repeat = false;
		return o->n >= max ? -ENOSPC : insert(o, r, h, slot);
	}
	e = &o->ents[id - 1];
	if (merge_digests(o, e, r) < 0)
		return -ENOMEM;
	*ret_repeat = true;
	if (r->flags & DP_JREC_DIGESTS_ONLY)
		return mark_dirty(o, id - 1);
	e->count = e->count > UINT32_MAX - r->count ? UINT32_MAX : e->count + r->count;
	if (r->first < e->first)
		e->first = r->first;
	if (r->last > e->last)
		e->last = r->last;
	*ret_repeat = true;
	return mark_dirty(o, id - 1);
}

/* Replay: a record with a known id replaces that record's counters and
 * times (and adds digests); a new id must be the next one. */
static int apply(struct dp_jopen *o, const struct dp_jrec *r)
{
	uint64_t h;
	uint32_t slot;
	struct jo_ent *e;

	if (r->id > o->n)
		return -EINVAL;
	if (r->id == o->n) {
		if (room(o) < 0)
			return -ENOMEM;
		h = key_hash(dp_jrec_digest(r, HWALL_ALGO_XXH3_128), r->host, r->host_len, r->path,
			     r->path_len);
		if (find(o, r, h, &slot))
			return -EINVAL; /* the same key twice under two ids */
		return insert(o, r, h, slot);
	}
	e = &o->ents[r->id];
	if (e->host_len != r->host_len || e->path_len != r->path_len ||
	    memcmp(o->arena + e->dg_off, dp_jrec_digest(r, HWALL_ALGO_XXH3_128), 16) != 0)
		return -EINVAL;
	if (merge_digests(o, e, r) < 0)
		return -ENOMEM;
	e->count = r->count;
	e->first = r->first;
	e->last = r->last;
	return 0;
}

int jo_log_open(struct dp_jopen *o, const char *path)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return hwall_neg_errno();
	if (fchmod(fd, 0600) < 0 || fstat(fd, &st) < 0) {
		int r = hwall_neg_errno();
		close(fd);
		return r;
	}
	if (o->fd >= 0)
		close(o->fd);
	o->fd = fd;
	o->log_bytes = (uint64_t)st.st_size;
	return 0;
}

static void cut_back(int fd, uint64_t len)
{
	if (ftruncate(fd, (off_t)len) < 0) {
		/* Then the next start's replay cuts the torn tail off. */
	}
}

int jo_flush(struct dp_jopen *o)
{
	uint8_t *buf;
	size_t used = 0;
	uint32_t i;
	int r = 0;

	if (!o->ndirty || o->fd < 0)
		return 0;
	buf = malloc(FLUSH_BUF);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < o->ndirty && r == 0; i++) {
		struct dp_jrec v;
		size_t len;

		jo_view(o, o->dirty[i], &v);
		if (FLUSH_BUF - used < DP_JREC_MAX) {
			r = hwall_write_all(o->fd, buf, used);
			o->log_bytes += r == 0 ? used : 0;
			used = 0;
		}
		len = dp_jrec_encode(&v, buf + used, FLUSH_BUF - used);
		used += len;
	}
	if (r == 0 && used) {
		r = hwall_write_all(o->fd, buf, used);
		o->log_bytes += r == 0 ? used : 0;
	}
	free(buf);
	if (r == 0 && fdatasync(o->fd) < 0)
		r = hwall_neg_errno();
	if (r < 0) {
		/* No half record in the middle of the log: cut back to the
		 * last whole one; the records stay changed for the next try. */
		cut_back(o->fd, o->log_bytes);
		return r;
	}
	for (i = 0; i < o->ndirty; i++)
		o->ents[o->dirty[i]].dirty = false;
	o->ndirty = 0;
	return 0;
}

int jo_replay(struct dp_jopen *o, const char *path, uint64_t *ret_records, bool *ret_torn)
{
	struct stat st;
	const uint8_t *p = NULL;
	uint64_t off = 0, n = 0;
	struct dp_jrec rec;
	int fd = open(path, O_RDWR | O_CLOEXEC), r = 0, len;

	if (fd < 0)
		return hwall_neg_errno();
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	if (st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			r = hwall_neg_errno();
			goto out;
		}
	}
	while (off < (uint64_t)st.st_size &&
	       (len = dp_jrec_decode(p + off, (size_t)st.st_size - off, &rec, NULL)) > 0 &&
	       apply(o, &rec) == 0) {
		off += (uint64_t)len;
		n++;
	}
	if (p)
		munmap((void *)p, (size_t)st.st_size);
	*ret_torn = off < (uint64_t)st.st_size;
	if (*ret_torn && ftruncate(fd, (off_t)off) < 0)
		r = hwall_neg_errno();
	/* What was read back is on disk already. */
	for (uint32_t i = 0; i < o->ndirty; i++)
		o->ents[o->dirty[i]].dirty = false;
	o->ndirty = 0;
	*ret_records = n;
out:
	close(fd);
	return r;
}
