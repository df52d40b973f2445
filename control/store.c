/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store.c - the store interface on top of its back ends: ctl_store_open()
 * picks the back end (the local SQLite database), and every other
 * ctl_store_* function dispatches through the connection's ops table
 * (store.h).  Nothing here knows a back end's storage; nothing below calls
 * back up into this file.
 */
#include "control/store.h"
#include "control/store_pg.h"
#include "control/store_sqlite.h"

#include <stddef.h>

int ctl_store_open(const char *path, struct ctl_store **ret_store, struct hwall_err *err)
{
	if (ctl_pg_target(path))
		return ctl_pg_ops.open(path, ret_store, err);
	return ctl_sqlite_ops.open(path, ret_store, err);
}

void ctl_store_close(struct ctl_store *s)
{
	if (s)
		s->ops->close(s);
}

int ctl_store_schema_version(struct ctl_store *s)
{
	return s->ops->schema_version(s);
}

const char *ctl_store_errmsg(struct ctl_store *s)
{
	return s->ops->errmsg(s);
}

int ctl_store_begin(struct ctl_store *s)
{
	return s->ops->begin(s);
}

int ctl_store_commit(struct ctl_store *s)
{
	return s->ops->commit(s);
}

void ctl_store_rollback(struct ctl_store *s)
{
	s->ops->rollback(s);
}

int ctl_store_record(struct ctl_store *s, const struct ctl_event *ev, const char *dataplane,
		     const char *epoch, uint64_t seq, struct ctl_record_result *ret)
{
	return s->ops->record(s, ev, dataplane, epoch, seq, ret);
}

int ctl_store_peer_mark(struct ctl_store *s, const char *dataplane, const char *epoch,
			uint64_t *ret_seq)
{
	return s->ops->peer_mark(s, dataplane, epoch, ret_seq);
}

int ctl_store_peer_advance(struct ctl_store *s, const char *dataplane, const char *epoch,
			   uint64_t seq, int64_t now)
{
	return s->ops->peer_advance(s, dataplane, epoch, seq, now);
}

int ctl_store_purge(struct ctl_store *s, int64_t before, uint64_t *ret_n)
{
	return s->ops->purge(s, before, ret_n);
}

int ctl_store_candidates(struct ctl_store *s, const struct ctl_cand_filter *f, ctl_cand_fn fn,
			 void *ctx, uint64_t *ret_total)
{
	return s->ops->candidates(s, f, fn, ctx, ret_total);
}

int ctl_store_candidate(struct ctl_store *s, int64_t id, struct ctl_candidate *ret)
{
	return s->ops->candidate(s, id, ret);
}

int ctl_store_occurrences(struct ctl_store *s, int64_t id, uint64_t limit, ctl_occ_fn fn,
			  void *ctx)
{
	return s->ops->occurrences(s, id, limit, fn, ctx);
}

int ctl_store_reviews(struct ctl_store *s, int64_t id, ctl_review_fn fn, void *ctx)
{
	return s->ops->reviews(s, id, fn, ctx);
}

int ctl_store_review(struct ctl_store *s, int64_t id, enum ctl_status to, const char *actor,
		     const char *note, enum ctl_allow_scope scope, int64_t now,
		     struct ctl_review_result *ret)
{
	return s->ops->review(s, id, to, actor, note, scope, now, ret);
}

bool ctl_store_allowed(struct ctl_store *s, enum hwall_algo algo, const char *digest,
		       const char *set)
{
	return s->ops->allowed(s, algo, digest, set);
}

int ctl_store_allow_add(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			const char *set, const char *actor, const char *note, int64_t now)
{
	return s->ops->allow_add(s, algo, digest, set, actor, note, now);
}

int ctl_store_allow_remove(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			   const char *set)
{
	return s->ops->allow_remove(s, algo, digest, set);
}

int ctl_store_allow_list(struct ctl_store *s, ctl_allow_fn fn, void *ctx)
{
	return s->ops->allow_list(s, fn, ctx);
}

int ctl_store_block_add(struct ctl_store *s, const char *host, const char *path,
			int64_t candidate_id, enum ctl_block_source source, const char *actor,
			int64_t now, int64_t expires, int64_t *ret_id)
{
	return s->ops->block_add(s, host, path, candidate_id, source, actor, now, expires,
				 ret_id);
}

int ctl_store_block_remove(struct ctl_store *s, int64_t id, struct ctl_block *ret_block)
{
	return s->ops->block_remove(s, id, ret_block);
}

int ctl_store_block_get(struct ctl_store *s, int64_t id, struct ctl_block *ret)
{
	return s->ops->block_get(s, id, ret);
}

int ctl_store_block_expires(struct ctl_store *s, const char *host, const char *path,
			    int64_t *ret_expires)
{
	return s->ops->block_expires(s, host, path, ret_expires);
}

int ctl_store_blocks(struct ctl_store *s, int64_t now, uint64_t offset, uint64_t limit,
		     ctl_block_fn fn, void *ctx, uint64_t *ret_total)
{
	return s->ops->blocks(s, now, offset, limit, fn, ctx, ret_total);
}

int ctl_store_blocks_renew(struct ctl_store *s, int64_t now, int64_t ttl, uint64_t *ret_n)
{
	return s->ops->blocks_renew(s, now, ttl, ret_n);
}

int ctl_store_blocks_expire(struct ctl_store *s, int64_t now, uint64_t *ret_n)
{
	return s->ops->blocks_expire(s, now, ret_n);
}

int ctl_store_count_status(struct ctl_store *s, uint64_t *ret_counts)
{
	return s->ops->count_status(s, ret_counts);
}

int ctl_store_counts(struct ctl_store *s, int64_t now, uint64_t *ret_allow, uint64_t *ret_blocks)
{
	return s->ops->counts(s, now, ret_allow, ret_blocks);
}

int ctl_store_set_summary(struct ctl_store *s, ctl_set_fn fn, void *ctx)
{
	return s->ops->set_summary(s, fn, ctx);
}

int ctl_store_candidates_by_host(struct ctl_store *s, int status, ctl_cand_fn fn, void *ctx)
{
	return s->ops->candidates_by_host(s, status, fn, ctx);
}

int ctl_store_audit_tail(struct ctl_store *s, int64_t *ret_seq,
			 uint8_t ret_hash[CTL_AUDIT_HASH_LEN])
{
	return s->ops->audit_tail(s, ret_seq, ret_hash);
}

int ctl_store_audit_insert(struct ctl_store *s, const struct ctl_audit_rec *r)
{
	return s->ops->audit_insert(s, r);
}

int ctl_store_audit_walk(struct ctl_store *s, int64_t from, uint64_t limit, bool newest_first,
			 ctl_audit_fn fn, void *ctx)
{
	return s->ops->audit_walk(s, from, limit, newest_first, fn, ctx);
}

int ctl_store_digest_spread(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			    int64_t since, uint64_t *ret_hosts, uint64_t *ret_urls)
{
	return s->ops->digest_spread(s, algo, digest, since, ret_hosts, ret_urls);
}

int ctl_store_quarantine_get(struct ctl_store *s, enum hwall_algo algo, const char *digest,
			     struct ctl_quarantine *ret)
{
	return s->ops->quarantine_get(s, algo, digest, ret);
}

int ctl_store_quarantine_by_id(struct ctl_store *s, int64_t id, struct ctl_quarantine *ret)
{
	return s->ops->quarantine_by_id(s, id, ret);
}

int ctl_store_quarantine_add(struct ctl_store *s, struct ctl_quarantine *q, ctl_block_fn fn,
			     void *ctx)
{
	return s->ops->quarantine_add(s, q, fn, ctx);
}

int ctl_store_quarantine_decide(struct ctl_store *s, int64_t id, enum ctl_quarantine_state to,
				const char *actor, int64_t now, int64_t expires,
				uint64_t *ret_blocks)
{
	return s->ops->quarantine_decide(s, id, to, actor, now, expires, ret_blocks);
}

int ctl_store_quarantines(struct ctl_store *s, int state, uint64_t offset, uint64_t limit,
			  ctl_quarantine_fn fn, void *ctx, uint64_t *ret_total)
{
	return s->ops->quarantines(s, state, offset, limit, fn, ctx, ret_total);
}

int ctl_store_reviews_between(struct ctl_store *s, int64_t since, int64_t until,
			      ctl_review_fn fn, void *ctx)
{
	return s->ops->reviews_between(s, since, until, fn, ctx);
}

int ctl_store_candidates_first_seen(struct ctl_store *s, int64_t since, int64_t until,
				    ctl_cand_fn fn, void *ctx)
{
	return s->ops->candidates_first_seen(s, since, until, fn, ctx);
}

int ctl_store_candidate_find(struct ctl_store *s, const char *set, enum hwall_algo algo,
			     const char *digest, const char *host, const char *path,
			     int64_t *ret_id)
{
	return s->ops->candidate_find(s, set, algo, digest, host, path, ret_id);
}

int ctl_store_replicas(struct ctl_store *s, int64_t after, uint64_t limit, ctl_replica_fn fn,
		       void *ctx)
{
	return s->ops->replicas(s, after, limit, fn, ctx);
}

int ctl_store_reviews_after(struct ctl_store *s, int64_t after, uint64_t limit,
			    ctl_review_cand_fn fn, void *ctx)
{
	return s->ops->reviews_after(s, after, limit, fn, ctx);
}

int ctl_store_tail(struct ctl_store *s, int64_t *ret_occ, int64_t *ret_review)
{
	return s->ops->tail(s, ret_occ, ret_review);
}
