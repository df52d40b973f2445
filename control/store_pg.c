/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_pg.c - the top of the PostgreSQL back end: which targets are
 * PostgreSQL connection strings, opening a connection (connect, then the
 * schema: migrated, or checked), closing it, the ops table that hands the
 * layers below to store.c, and what an edge uses to follow the central
 * decisions (read after a sequence number, LISTEN, wait).  The layers are
 * drawn in store_pg_int.h.
 */
#include "control/store_pg_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ctl_pg_target(const char *target)
{
	return target && (strncmp(target, "postgresql://", 13) == 0 ||
			  strncmp(target, "postgres://", 11) == 0 || strchr(target, '=') != NULL);
}

bool ctl_pg_appliance_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n > CTL_APPLIANCE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static void pg_close(struct ctl_store *s)
{
	struct ctl_pg *p;

	if (!s)
		return;
	p = ctl_pg_of(s);
	PQfinish(p->conn);
	free(p);
}

static const char *pg_errmsg(struct ctl_store *s)
{
	return ctl_pg_of(s)->errmsg;
}

/* libpq's notices (a server's NOTICE or WARNING) are not ours to print:
 * failures come back as results and are logged once by the caller. */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Connect: libpq's own defaults and environment, a connect timeout that
 * @conninfo may override, and our name in pg_stat_activity. */
static int pg_connect(struct ctl_pg *p, const char *conninfo, struct hwall_err *err)
{
	static const char *const keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { "5", "hashwall-controld", conninfo, NULL };

	p->conn = PQconnectdbParams(keys, vals, 1);
	if (!p->conn)
		return hwall_err_set(err, -ENOMEM, "out of memory");
	PQsetNoticeProcessor(p->conn, quiet_notice, NULL);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		/* libpq's message names host and reason; never the password */
		char msg[256];
		size_t n;

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(p->conn));
		n = strlen(msg);
		while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		return hwall_err_set(err, -EIO, "PostgreSQL: %s", msg);
	}
	return 0;
}

int ctl_pg_open(const char *conninfo, const char *appliance, bool migrate,
		struct ctl_store **ret_store, struct hwall_err *err)
{
	struct ctl_pg *p;
	int r, v;

	if (*appliance && !ctl_pg_appliance_valid(appliance))
		return hwall_err_set(err, -EINVAL, "appliance id \"%s\": 1..%d of [A-Za-z0-9._-]",
				     appliance, CTL_APPLIANCE_MAX);
	p = calloc(1, sizeof(*p));
	if (!p)
		return hwall_err_set(err, -ENOMEM, "out of memory");
	p->store.ops = &ctl_pg_ops;
	snprintf(p->appliance, sizeof(p->appliance), "%s", appliance);
	r = pg_connect(p, conninfo, err);
	if (r == 0 && migrate) {
		r = ctl_pg_migrate(p, ctl_pg_migrate_latest());
		if (r < 0)
			hwall_err_set(err, r, "PostgreSQL: %s",
				      r == -ENOTSUP ? "database schema is newer than this controld"
						    : p->errmsg);
	} else if (r == 0) {
		v = ctl_pg_schema_version(&p->store);
		if (v != ctl_pg_migrate_latest())
			r = hwall_err_set(err, -ENOTSUP, "PostgreSQL: schema version %d, this controld needs %d%s", v,
					  ctl_pg_migrate_latest(),
					  v > ctl_pg_migrate_latest() ? " (the database is newer)"
								      : " (run migrate)");
	}
	if (r == 0) {
		*ret_store = &p->store;
		return 0;
	}
	pg_close(&p->store);
	return r;
}

/* The op open: the central controld's own store, migrated. */
static int pg_open(const char *target, struct ctl_store **ret_store, struct hwall_err *err)
{
	return ctl_pg_open(target, "", true, ret_store, err);
}

bool ctl_pg_ok(struct ctl_store *s)
{
	return PQstatus(ctl_pg_of(s)->conn) == CONNECTION_OK;
}

static const char *const decision_kinds[CTL_DECISION_KIND_COUNT] = {
	[CTL_DECISION_STATUS] = "status", [CTL_DECISION_ALLOW] = "allow",
	[CTL_DECISION_UNALLOW] = "unallow", [CTL_DECISION_BLOCK] = "block",
	[CTL_DECISION_UNBLOCK] = "unblock",
};

const char *ctl_decision_kind_name(enum ctl_decision_kind k)
{
	return (unsigned int)k < CTL_DECISION_KIND_COUNT ? decision_kinds[k] : "?";
}

struct decision_walk {
	ctl_decision_fn fn;
	void *ctx;
	struct ctl_decision d;
};

static int decision_row(PGresult *res, int i, void *arg)
{
	struct decision_walk *w = arg;
	struct ctl_decision *d = &w->d;
	char buf[32];
	int k;

	memset(d, 0, sizeof(*d));
	d->seq = ctl_pg_i64(res, i, 0);
	d->at = ctl_pg_i64(res, i, 1);
	ctl_pg_text(res, i, 2, buf, sizeof(buf));
	d->kind = CTL_DECISION_KIND_COUNT;
	for (k = 0; k < CTL_DECISION_KIND_COUNT; k++)
		if (strcmp(buf, decision_kinds[k]) == 0)
			d->kind = (enum ctl_decision_kind)k;
	ctl_pg_text(res, i, 3, d->set, sizeof(d->set));
	ctl_pg_text(res, i, 4, buf, sizeof(buf));
	d->algo = (enum hwall_algo)hwall_algo_parse(buf);
	ctl_pg_text(res, i, 5, d->digest, sizeof(d->digest));
	ctl_pg_text(res, i, 6, d->host, sizeof(d->host));
	ctl_pg_text(res, i, 7, d->path, sizeof(d->path));
	ctl_pg_text(res, i, 8, buf, sizeof(buf));
	k = ctl_status_parse(buf);
	d->status = k < 0 ? CTL_STATUS_NEW : (enum ctl_status)k;
	ctl_pg_text(res, i, 9, buf, sizeof(buf));
	d->allow_scope = ctl_allow_scope_parse(buf);
	d->allow_scope = d->allow_scope < 0 ? -1 : d->allow_scope;
	ctl_pg_text(res, i, 10, d->actor, sizeof(d->actor));
	ctl_pg_text(res, i, 11, d->note, sizeof(d->note));
	if (d->kind == CTL_DECISION_KIND_COUNT)
		return 0; /* a kind from a newer controld: not ours to apply */
	return w->fn(d, w->ctx);
}

int ctl_pg_decisions(struct ctl_store *s, int64_t after, uint64_t limit, ctl_decision_fn fn,
		     void *ctx)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct ctl_pg_args a = { 0 };
	struct decision_walk *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->fn = fn;
	w->ctx = ctx;
	ctl_pg_arg_i64(&a, after);
	ctl_pg_arg_str(&a, p->appliance);
	ctl_pg_arg_i64(&a, (int64_t)limit);
	r = ctl_pg_each(p, "SELECT seq, at, kind, set_id, algo, digest, host, path, status,"
			   " allow_scope, actor, note FROM decisions WHERE seq > $1 AND"
			   " (appliances IS NULL OR $2 = ANY (appliances)) ORDER BY seq LIMIT $3",
			&a, decision_row, w);
	free(w);
	return r;
}

int ctl_pg_listen(struct ctl_store *s)
{
	return ctl_pg_cmd(ctl_pg_of(s), "LISTEN hwall_decisions", NULL, NULL);
}

int ctl_pg_wait(struct ctl_store *s, int timeout_ms)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct pollfd pfd = { .fd = PQsocket(p->conn), .events = POLLIN };
	PGnotify *n;
	int got = 0;

	if (pfd.fd < 0 || (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR) ||
	    !PQconsumeInput(p->conn)) {
		ctl_pg_keep_error(p, NULL);
		return -EIO;
	}
	while ((n = PQnotifies(p->conn)) != NULL) {
		got = 1;
		PQfreemem(n);
	}
	return PQstatus(p->conn) == CONNECTION_OK ? got : -EIO;
}

int ctl_pg_appliance_status(struct ctl_store *s, const char *json, int64_t now)
{
	struct ctl_pg *p = ctl_pg_of(s);
	struct ctl_pg_args a = { 0 };

	ctl_pg_arg_str(&a, p->appliance);
	ctl_pg_arg_i64(&a, now);
	ctl_pg_arg_str(&a, json);
	return ctl_pg_cmd(p, "INSERT INTO appliances (id, first_contact, last_contact, status)"
			     " VALUES ($1, $2, $2, $3) ON CONFLICT (id) DO UPDATE SET"
			     " last_contact = excluded.last_contact, status = excluded.status",
			  &a, NULL);
}

const struct ctl_store_ops ctl_pg_ops = {
	.name = "postgresql",

	.open = pg_open,
	.close = pg_close,
	.schema_version = ctl_pg_schema_version,
	.errmsg = pg_errmsg,

	.begin = ctl_pg_begin,
	.commit = ctl_pg_commit,
	.rollback = ctl_pg_rollback,
	.record = ctl_pg_record,
	.peer_mark = ctl_pg_peer_mark,
	.peer_advance = ctl_pg_peer_advance,
	.purge = ctl_pg_purge,

	.candidates = ctl_pg_candidates,
	.candidate = ctl_pg_candidate,
	.occurrences = ctl_pg_occurrences,
	.reviews = ctl_pg_reviews,
	.review = ctl_pg_review,

	.allowed = ctl_pg_allowed,
	.allow_add = ctl_pg_allow_add,
	.allow_remove = ctl_pg_allow_remove,
	.allow_list = ctl_pg_allow_list,

	.block_add = ctl_pg_block_add,
	.block_remove = ctl_pg_block_remove,
	.block_get = ctl_pg_block_get,
	.block_expires = ctl_pg_block_expires,
	.blocks = ctl_pg_blocks,
	.blocks_renew = ctl_pg_blocks_renew,
	.blocks_expire = ctl_pg_blocks_expire,

	.count_status = ctl_pg_count_status,
	.counts = ctl_pg_counts,
	.set_summary = ctl_pg_set_summary,
	.candidates_by_host = ctl_pg_candidates_by_host,

	.candidate_find = ctl_pg_candidate_find,
	.replicas = ctl_pg_replicas,
	.reviews_after = ctl_pg_reviews_after,
	.tail = ctl_pg_tail,

	.audit_tail = ctl_pg_audit_tail,
	.audit_insert = ctl_pg_audit_insert,
	.audit_walk = ctl_pg_audit_walk,

	.digest_spread = ctl_pg_digest_spread,
	.quarantine_get = ctl_pg_quarantine_get,
	.quarantine_by_id = ctl_pg_quarantine_by_id,
	.quarantine_add = ctl_pg_quarantine_add,
	.quarantine_decide = ctl_pg_quarantine_decide,
	.quarantines = ctl_pg_quarantines,

	.reviews_between = ctl_pg_reviews_between,
	.candidates_first_seen = ctl_pg_candidates_first_seen,
};
