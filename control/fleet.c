/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fleet.c - the edge's uplink to the fleet's central store (fleet.h): the
 * state file of acknowledged cursors, the connection with its back-off,
 * pushing the outbox (occurrences, then reviews) in batches of one
 * transaction, the status snapshot, following the decisions, the thread.
 */
#include "control/fleet.h"
#include "control/api.h"
#include "control/store_pg.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STATE_MAGIC "hashwall-fleet-state 1"
#define BACKOFF_MAX_MS 30000

struct ctl_fleet {
	struct ctl_fleet_config cfg;
	char state_file[4096];
	struct ctl_store *local, *pg;
	struct ctl_fleet_state st;
	int64_t next_status, next_connect, last_reconcile_ms;
	uint32_t backoff_ms;
	bool listening, over_bound;
	_Atomic uint64_t backlog;
	_Atomic bool connected, stop;
	pthread_t thread;
	bool started;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the state file ---- */

static int state_load(const char *path, struct ctl_fleet_state *st, struct hwall_err *err)
{
	char *buf = NULL, magic[32];
	size_t len = 0;
	long long o, r, d;
	int n, k = hwall_read_file(path, 4096, &buf, &len);

	if (k == -ENOENT) {
		memset(st, 0, sizeof(*st));
		return 0;
	}
	if (k < 0)
		return hwall_err_set(err, k, "%s: %s", path, hwall_strerror(k));
	n = sscanf(buf, "%31[^\n]\noccurrences %lld\nreviews %lld\ndecisions %lld\n", magic, &o,
		   &r, &d);
	free(buf);
	if (n != 4 || strcmp(magic, STATE_MAGIC) != 0 || o < 0 || r < 0 || d < 0)
		return hwall_err_set(err, -EINVAL, "%s: not a fleet state file (remove it to "
					       "replicate everything again; the central store "
					       "drops what it already has)", path);
	st->occurrences = o;
	st->reviews = r;
	st->decisions = d;
	return 0;
}

static int state_save(struct ctl_fleet *f)
{
	char buf[160];
	int n = snprintf(buf, sizeof(buf), STATE_MAGIC "\noccurrences %" PRId64 "\nreviews %" PRId64
					  "\ndecisions %" PRId64 "\n",
			 f->st.occurrences, f->st.reviews, f->st.decisions);
	int r = hwall_write_atomic(f->cfg.state_file, buf, (size_t)n, 0600);

	if (r < 0)
		HWALL_LOG(ERR, "ctl.fleet", "%s: %s (cursors kept in memory; a restart resends, "
					   "which inserts nothing twice)",
			  f->cfg.state_file, hwall_strerror(r));
	return r;
}

/* ---- configuration ---- */

#define F(k, kd, field, ...) { .key = k, .kind = kd, .offset = offsetof(S, field), __VA_ARGS__ }
#define S struct ctl_fleet_section
const struct hwall_cfg_field ctl_fleet_fields[] = {
	F("conninfo", HWALL_CFG_STRING, conninfo),
	F("appliance", HWALL_CFG_STRING, appliance),
	F("state_file", HWALL_CFG_STRING, state_file),
	F("batch", HWALL_CFG_U32, batch, .min = 1, .max = 100000),
	F("reconcile_ms", HWALL_CFG_U32, reconcile_ms, .min = 100, .max = 600000),
	F("status_every", HWALL_CFG_U32, status_every, .min = 1, .max = 86400),
	F("outbox_max", HWALL_CFG_U64, outbox_max, .min = 1000, .max = 1e12),
	{ 0 },
};
#undef S
#undef F

int ctl_fleet_launch(const struct ctl_fleet_section *sec, const char *db,
		     const struct ctl_fleet_config *base, struct ctl_fleet **ret_f,
		     struct hwall_err *err)
{
	struct ctl_fleet_config fc = *base;
	char state[4096];
	int r;

	if (!sec->conninfo || !sec->appliance)
		return hwall_err_set(err, -EINVAL, "fleet: needs conninfo and appliance");
	if (!sec->state_file &&
	    snprintf(state, sizeof(state), "%s.fleet", db) >= (int)sizeof(state))
		return hwall_err_set(err, -ENAMETOOLONG, "fleet.state_file: name too long");
	fc.conninfo = sec->conninfo;
	fc.appliance = sec->appliance;
	fc.db = db;
	fc.state_file = sec->state_file ? sec->state_file : state;
	fc.batch = sec->batch;
	fc.reconcile_ms = sec->reconcile_ms;
	fc.status_every = sec->status_every;
	fc.outbox_max = sec->outbox_max;
	r = ctl_fleet_new(&fc, ret_f, err);
	if (r < 0)
		return r;
	r = ctl_fleet_start(*ret_f);
	if (r < 0) {
		ctl_fleet_free(*ret_f);
		*ret_f = NULL;
		return hwall_err_set(err, r, "fleet: cannot start its thread");
	}
	return 0;
}

int ctl_fleet_conninfo_check(const char *conninfo, struct hwall_err *err)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", &msg);
	int r = 0;

	if (!opts) {
		r = hwall_err_set(err, -EINVAL, "fleet.conninfo: %s", msg ? msg : "out of memory");
		PQfreemem(msg);
		return r;
	}
	for (PQconninfoOption *o = opts; o->keyword && r == 0; o++) {
		int fd;

		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
			r = hwall_err_set(err, -EPERM, "fleet.conninfo: holds a password; put it in "
						       "a passfile= readable only by controld");
		if (strcmp(o->keyword, "passfile") != 0 || !o->val || !*o->val || r < 0)
			continue;
		fd = open(o->val, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			r = hwall_err_set(err, hwall_neg_errno(), "fleet passfile %s: %s", o->val,
					  strerror(errno));
			continue;
		}
		r = ctl_private_file_check(fd, o->val, err);
		close(fd);
	}
	PQconninfoFree(opts);
	return r;
}

int ctl_fleet_new(const struct ctl_fleet_config *cfg, struct ctl_fleet **ret_f,
		  struct hwall_err *err)
{
	struct ctl_fleet *f;
	int r;

	if (!ctl_pg_appliance_valid(cfg->appliance))
		return hwall_err_set(err, -EINVAL, "fleet.appliance: 1..%d of [A-Za-z0-9._-]",
				     CTL_APPLIANCE_MAX);
	if (!cfg->state_file || !cfg->db)
		return hwall_err_set(err, -EINVAL, "fleet: no state file or local store");
	r = ctl_fleet_conninfo_check(cfg->conninfo, err);
	if (r < 0)
		return r;
	f = calloc(1, sizeof(*f));
	if (!f)
		return hwall_err_set(err, -ENOMEM, "out of memory");
	f->cfg = *cfg;
	snprintf(f->state_file, sizeof(f->state_file), "%s", cfg->state_file);
	f->cfg.state_file = f->state_file;
	f->cfg.batch = cfg->batch ? cfg->batch : 500;
	f->cfg.outbox_max = cfg->outbox_max ? cfg->outbox_max : 10000000;
	f->cfg.reconcile_ms = cfg->reconcile_ms ? cfg->reconcile_ms : 5000;
	f->cfg.status_every = cfg->status_every ? cfg->status_every : 30;
	f->cfg.block_ttl = cfg->block_ttl > 0 ? cfg->block_ttl : 86400;
	r = state_load(cfg->state_file, &f->st, err);
	if (r == 0)
		r = ctl_store_open(cfg->db, &f->local, err);
	if (r < 0) {
		ctl_fleet_free(f);
		return r;
	}
	*ret_f = f;
	return 0;
}

/* ---- the connection ---- */

static void disconnect(struct ctl_fleet *f, const char *why)
{
	if (f->pg) {
		HWALL_LOG(WARN, "ctl.fleet", "central store lost (%s): recording goes on, the "
					    "outbox drains when it returns", why);
		ctl_store_close(f->pg);
		f->pg = NULL;
	}
	f->listening = false;
	atomic_store(&f->connected, false);
	if (f->cfg.metrics)
		atomic_store(&f->cfg.metrics->fleet_connected, false);
	ctl_count(f->cfg.metrics, CTL_CTR_FLEET_FAILURES, 1);
	f->backoff_ms = f->backoff_ms ? f->backoff_ms * 2 : 500;
	if (f->backoff_ms > BACKOFF_MAX_MS)
		f->backoff_ms = BACKOFF_MAX_MS;
	f->next_connect = now_ms() + f->backoff_ms;
}

static int connect_pg(struct ctl_fleet *f)
{
	struct hwall_err err = { { 0 } };
	int r;

	if (f->pg)
		return 0;
	if (now_ms() < f->next_connect)
		return -EAGAIN;
	r = ctl_pg_open(f->cfg.conninfo, f->cfg.appliance, false, &f->pg, &err);
	if (r == 0)
		r = ctl_pg_listen(f->pg);
	if (r < 0) {
		if (!f->backoff_ms || f->backoff_ms >= BACKOFF_MAX_MS)
			HWALL_LOG(WARN, "ctl.fleet", "central store: %s", err.msg[0] ? err.msg
									 : "LISTEN failed");
		ctl_store_close(f->pg);
		f->pg = NULL;
		disconnect(f, "connect");
		return -EIO;
	}
	HWALL_LOG(INFO, "ctl.fleet", "central store connected as appliance %s",
		  f->cfg.appliance);
	f->listening = true;
	f->backoff_ms = 0;
	f->last_reconcile_ms = 0; /* catch up at once */
	atomic_store(&f->connected, true);
	if (f->cfg.metrics)
		atomic_store(&f->cfg.metrics->fleet_connected, true);
	return 0;
}

/* ---- up: the outbox ---- */

/* A walk over the outbox or the decisions: the last row done, how many
 * counted, the first failure. */
struct walk_ctx {
	struct ctl_fleet *f;
	int64_t last, now;
	uint64_t n;
	int r;
};

static int push_occ(const struct ctl_replica *rep, void *arg)
{
	struct walk_ctx *pc = arg;
	struct ctl_record_result res;

	pc->r = ctl_store_record(pc->f->pg, &rep->ev, rep->dataplane, rep->epoch, rep->seq, &res);
	if (pc->r < 0)
		return 1;
	pc->last = rep->occ_id;
	pc->n += !res.duplicate;
	return 0;
}

/* One batch of occurrences in one transaction.  Returns how many rows
 * were read (0: the outbox is empty) or -EIO. */
static int push_occurrences(struct ctl_fleet *f)
{
	struct walk_ctx pc = { .f = f, .last = f->st.occurrences };
	int r = ctl_store_begin(f->pg);

	if (r == 0)
		r = ctl_store_replicas(f->local, f->st.occurrences, f->cfg.batch, push_occ, &pc);
	if (r == 1 || pc.r < 0)
		r = -EIO;
	if (r == 0 && pc.last == f->st.occurrences) {
		ctl_store_rollback(f->pg);
		return 0;
	}
	if (r == 0)
		r = ctl_store_commit(f->pg);
	if (r < 0) {
		ctl_store_rollback(f->pg);
		return -EIO;
	}
	ctl_count(f->cfg.metrics, CTL_CTR_FLEET_OCCURRENCES, pc.n);
	f->st.occurrences = pc.last;
	state_save(f);
	return 1;
}

static int push_review(const struct ctl_review *rv, const struct ctl_candidate *c, void *arg)
{
	struct walk_ctx *pc = arg;
	char actor[CTL_ACTOR_MAX + 1];
	int64_t id;
	int r = 0;

	/* what came from the center, and the edge's own reopen (the center
	 * reopens on the occurrence itself), do not go back up */
	if (strncmp(rv->actor, "fleet:", 6) != 0 && strcmp(rv->actor, "controld") != 0) {
		r = ctl_store_candidate_find(pc->f->pg, c->set, c->algo, c->digest, c->host,
					     c->path, &id);
		if (snprintf(actor, sizeof(actor), "%s:%s", pc->f->cfg.appliance, rv->actor) >=
		    (int)sizeof(actor))
			actor[sizeof(actor) - 1] = '\0'; /* cut: the appliance and the name's start */
		if (r == 0)
			r = ctl_store_review(pc->f->pg, id, rv->to, actor, rv->note,
					     rv->allow_scope == CTL_ALLOW_GLOBAL ? CTL_ALLOW_GLOBAL
										 : CTL_ALLOW_SET,
					     rv->at, NULL);
		/* -ENOENT: never replicated (allowlisted centrally, purged);
		 * -EALREADY: the center decided the same */
		if (r == -ENOENT || r == -EALREADY)
			r = 0;
		pc->n += r == 0;
	}
	pc->r = r;
	if (r < 0)
		return 1;
	pc->last = rv->id;
	return 0;
}

/* One batch of local reviews (each its own central transaction: a review
 * is one server-side call).  Returns 1 when the cursor moved, 0 when
 * there was nothing, -EIO (what went in before the failure stays
 * acknowledged). */
static int push_reviews(struct ctl_fleet *f)
{
	struct walk_ctx pc = { .f = f, .last = f->st.reviews };
	int r = ctl_store_reviews_after(f->local, f->st.reviews, f->cfg.batch, push_review, &pc);
	bool moved = pc.last != f->st.reviews;

	ctl_count(f->cfg.metrics, CTL_CTR_FLEET_REVIEWS, pc.n);
	if (moved) {
		f->st.reviews = pc.last;
		state_save(f);
	}
	if (r != 0 || pc.r < 0)
		return -EIO;
	return moved;
}

/* The backlog (ids past the cursors) as a gauge; an outbox past its bound
 * is alerted on and cut from the old end (counted). */
static void outbox_check(struct ctl_fleet *f)
{
	int64_t occ = 0, rev = 0, excess;

	if (ctl_store_tail(f->local, &occ, &rev) < 0)
		return;
	if (occ < f->st.occurrences || rev < f->st.reviews) {
		/* a store restored from an older copy, or emptied: ids start again */
		HWALL_LOG(WARN, "ctl.fleet", "local store is behind the uplink's cursors: "
					    "replicating it from the beginning");
		f->st.occurrences = occ < f->st.occurrences ? 0 : f->st.occurrences;
		f->st.reviews = rev < f->st.reviews ? 0 : f->st.reviews;
		state_save(f);
	}
	excess = occ - f->st.occurrences - (int64_t)f->cfg.outbox_max;
	if (excess > 0) {
		HWALL_LOG(ERR, "ctl.alert", "fleet outbox over its bound of %" PRIu64 ": the "
					   "oldest %" PRId64 " occurrences are not replicated",
			  f->cfg.outbox_max, excess);
		ctl_count(f->cfg.metrics, CTL_CTR_FLEET_DROPPED, (uint64_t)excess);
		f->st.occurrences += excess;
		state_save(f);
	}
	atomic_store(&f->backlog, (uint64_t)(occ - f->st.occurrences) +
					  (uint64_t)(rev - f->st.reviews));
	if (f->cfg.metrics)
		atomic_store(&f->cfg.metrics->fleet_backlog, atomic_load(&f->backlog));
}

/* ---- the status snapshot ---- */

static int send_status(struct ctl_fleet *f, int64_t now)
{
	uint64_t counts[CTL_STATUS_COUNT] = { 0 }, allow = 0, blocks = 0;
	char json[512];

	if (now < f->next_status)
		return 0;
	f->next_status = now + f->cfg.status_every;
	if (ctl_store_count_status(f->local, counts) < 0 ||
	    ctl_store_counts(f->local, now, &allow, &blocks) < 0)
		return 0; /* the local store is busy: next time */
	snprintf(json, sizeof(json),
		 "{\"candidates\":{\"new\":%" PRIu64 ",\"confirmed\":%" PRIu64
		 ",\"taken_down\":%" PRIu64 ",\"false_positive\":%" PRIu64 "},"
		 "\"allowlist_entries\":%" PRIu64 ",\"blocks_active\":%" PRIu64
		 ",\"outbox\":%" PRIu64 ",\"decision_seq\":%" PRId64 "}",
		 counts[CTL_STATUS_NEW], counts[CTL_STATUS_CONFIRMED], counts[CTL_STATUS_TAKEN_DOWN],
		 counts[CTL_STATUS_FALSE_POSITIVE], allow, blocks, atomic_load(&f->backlog),
		 f->st.decisions);
	return ctl_pg_appliance_status(f->pg, json, now) < 0 ? -EIO : 0;
}

/* ---- down: the decisions ---- */

static int apply_one(const struct ctl_decision *d, void *arg)
{
	struct walk_ctx *ac = arg;
	size_t n = strlen(ac->f->cfg.appliance);

	/* this edge's own review come back: already in effect here */
	if (strncmp(d->actor, ac->f->cfg.appliance, n) == 0 && d->actor[n] == ':')
		ac->r = 0;
	else
		ac->r = ctl_fleet_apply(&ac->f->cfg, ac->f->local, d, ac->now);
	if (ac->r < 0)
		return 1;
	ac->f->st.decisions = d->seq;
	ac->n++;
	return 0;
}

/* Every decision after the cursor, in batches.  0 or -EIO. */
static int follow_decisions(struct ctl_fleet *f, int64_t now)
{
	struct walk_ctx ac = { .f = f, .now = now };
	int64_t before;
	int r;

	do {
		before = f->st.decisions;
		ac.n = 0;
		r = ctl_pg_decisions(f->pg, f->st.decisions, f->cfg.batch, apply_one, &ac);
		if (f->st.decisions != before)
			state_save(f);
		ctl_count(f->cfg.metrics, CTL_CTR_FLEET_DECISIONS, ac.n);
		if (ac.r < 0) {
			HWALL_LOG(ERR, "ctl.fleet", "decision %" PRId64 " not applied locally (%s): "
						   "retried", f->st.decisions + 1,
				  ctl_store_errmsg(f->local));
			return 0; /* a local failure: not the connection's */
		}
	} while (r == 0 && ac.n == f->cfg.batch);
	return r < 0 ? -EIO : 0;
}

/* ---- a round, the thread ---- */

int ctl_fleet_round(struct ctl_fleet *f, int wait_ms)
{
	int64_t now = (int64_t)time(NULL);
	int r, w = 0, pushed = 0;

	outbox_check(f);
	r = connect_pg(f);
	if (r == -EAGAIN) {
		usleep((useconds_t)wait_ms * 1000);
		return -EIO;
	}
	if (r < 0)
		return r;
	/* occurrences before reviews: a review's candidate is then central */
	for (int i = 0; i < 16 && (r = push_occurrences(f)) > 0; i++)
		pushed = 1;
	if (r >= 0)
		r = push_reviews(f);
	if (r >= 0)
		r = send_status(f, now);
	if (r >= 0 && now_ms() - f->last_reconcile_ms >= f->cfg.reconcile_ms) {
		f->last_reconcile_ms = now_ms();
		r = follow_decisions(f, now);
	}
	if (r >= 0 && !pushed) {
		w = ctl_pg_wait(f->pg, wait_ms);
		if (w > 0) {
			f->last_reconcile_ms = now_ms();
			r = follow_decisions(f, now);
		}
		if (w < 0)
			r = w;
	}
	outbox_check(f);
	if (r < 0 || !ctl_pg_ok(f->pg)) {
		disconnect(f, ctl_store_errmsg(f->pg));
		return -EIO;
	}
	return 0;
}

static void *fleet_thread(void *arg)
{
	struct ctl_fleet *f = arg;

	while (!atomic_load(&f->stop))
		ctl_fleet_round(f, 250);
	return NULL;
}

int ctl_fleet_start(struct ctl_fleet *f)
{
	int r = pthread_create(&f->thread, NULL, fleet_thread, f);

	if (r != 0)
		return -r;
	f->started = true;
	if (f->cfg.metrics)
		atomic_store(&f->cfg.metrics->fleet_enabled, true);
	return 0;
}

void ctl_fleet_free(struct ctl_fleet *f)
{
	if (!f)
		return;
	if (f->started) {
		atomic_store(&f->stop, true);
		pthread_join(f->thread, NULL);
	}
	ctl_store_close(f->pg);
	ctl_store_close(f->local);
	free(f);
}

uint64_t ctl_fleet_backlog(struct ctl_fleet *f)
{
	return atomic_load(&f->backlog);
}

bool ctl_fleet_connected(struct ctl_fleet *f)
{
	return atomic_load(&f->connected);
}

void ctl_fleet_state(struct ctl_fleet *f, struct ctl_fleet_state *ret)
{
	*ret = f->st;
}
