/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_pg_db.c - the core of the PostgreSQL back end, below every other
 * store_pg*.c file and calling none of them: parameters as text, running
 * statements, reading columns, transactions, the candidate row.
 */
#include "control/store_pg_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ctl_pg_arg_str(struct ctl_pg_args *a, const char *v)
{
	if (a->n < CTL_PG_ARGS_MAX)
		a->v[a->n++] = v;
}

void ctl_pg_arg_i64(struct ctl_pg_args *a, int64_t v)
{
	if (a->n >= CTL_PG_ARGS_MAX)
		return;
	snprintf(a->num[a->n], sizeof(a->num[a->n]), "%" PRId64, v);
	a->v[a->n] = a->num[a->n];
	a->n++;
}

void ctl_pg_arg_bool(struct ctl_pg_args *a, bool v)
{
	ctl_pg_arg_str(a, v ? "t" : "f");
}

void ctl_pg_keep_error(struct ctl_pg *p, const PGresult *res)
{
	const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(p->conn);
	size_t n;

	snprintf(p->errmsg, sizeof(p->errmsg), "%s", m && *m ? m : "PostgreSQL error");
	p->errmsg[strcspn(p->errmsg, "\n")] = '\0'; /* libpq's first line says it */
	n = strlen(p->errmsg);
	while (n && (p->errmsg[n - 1] == '\n' || p->errmsg[n - 1] == ' '))
		p->errmsg[--n] = '\0';
}

/* Whether @res failed because the connection is gone: libpq's own
 * errors carry no SQLSTATE; the server's last words on a shutdown or
 * crash are class 57P; class 08 is a connection exception. */
static bool connection_lost(struct ctl_pg *p, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return PQstatus(p->conn) != CONNECTION_OK || !state || strncmp(state, "57P", 3) == 0 ||
	       strncmp(state, "08", 2) == 0;
}

/* One try of @sql: the result, or NULL with the status in *ret_st. */
static PGresult *exec_once(struct ctl_pg *p, const char *sql, const struct ctl_pg_args *a,
			   ExecStatusType *ret_st)
{
	PGresult *res = PQexecParams(p->conn, sql, a ? a->n : 0, NULL, a ? a->v : NULL, NULL,
				     NULL, 0);

	*ret_st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	return res;
}

PGresult *ctl_pg_exec(struct ctl_pg *p, const char *sql, const struct ctl_pg_args *a,
		      int *ret_err)
{
	ExecStatusType st;
	PGresult *res = exec_once(p, sql, a, &st);
	const char *state;

	/* The server dropped the connection (a restart, a failover): outside
	 * a transaction, connect again and try once more.  Every statement
	 * run outside one is safe to repeat (marks, upserts; a review or an
	 * entry already made answers -EALREADY or -EEXIST).  Inside one the
	 * caller must see the failure: what the transaction did is gone. */
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && !p->in_tx &&
	    connection_lost(p, res)) {
		PQclear(res);
		PQreset(p->conn);
		res = exec_once(p, sql, a, &st);
	}
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	ctl_pg_keep_error(p, res);
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (ret_err)
		*ret_err = state && strcmp(state, "23505") == 0 ? -EEXIST : -EIO;
	PQclear(res);
	return NULL;
}

int ctl_pg_cmd(struct ctl_pg *p, const char *sql, const struct ctl_pg_args *a, uint64_t *ret_n)
{
	int err = -EIO;
	PGresult *res = ctl_pg_exec(p, sql, a, &err);

	if (!res)
		return err;
	if (ret_n)
		*ret_n = strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

int ctl_pg_each(struct ctl_pg *p, const char *sql, const struct ctl_pg_args *a,
		int (*row)(PGresult *res, int i, void *ctx), void *ctx)
{
	PGresult *res = ctl_pg_exec(p, sql, a, NULL);
	int r = 0;

	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res) && r == 0; i++)
		r = row(res, i, ctx);
	PQclear(res);
	return r;
}

int ctl_pg_int(struct ctl_pg *p, const char *sql, const struct ctl_pg_args *a, int64_t *ret)
{
	PGresult *res = ctl_pg_exec(p, sql, a, NULL);
	int r = -ENOENT;

	if (!res)
		return -EIO;
	if (PQntuples(res) > 0) {
		*ret = ctl_pg_i64(res, 0, 0);
		r = 0;
	}
	PQclear(res);
	return r;
}

void ctl_pg_text(PGresult *res, int i, int col, char *dst, size_t cap)
{
	snprintf(dst, cap, "%s", PQgetisnull(res, i, col) ? "" : PQgetvalue(res, i, col));
}

int64_t ctl_pg_i64(PGresult *res, int i, int col)
{
	return PQgetisnull(res, i, col) ? 0 : strtoll(PQgetvalue(res, i, col), NULL, 10);
}

bool ctl_pg_bool(PGresult *res, int i, int col)
{
	return !PQgetisnull(res, i, col) && PQgetvalue(res, i, col)[0] == 't';
}

int ctl_pg_tx_begin(struct ctl_pg *p)
{
	int r;

	if (p->in_tx)
		return -EBUSY;
	r = ctl_pg_cmd(p, "BEGIN", NULL, NULL); /* outside a transaction: reconnects if needed */
	p->in_tx = r == 0;
	return r;
}

int ctl_pg_tx_commit(struct ctl_pg *p)
{
	int r = ctl_pg_cmd(p, "COMMIT", NULL, NULL);

	/* a failed COMMIT ends the transaction too (rolled back) */
	p->in_tx = false;
	return r;
}

void ctl_pg_tx_rollback(struct ctl_pg *p)
{
	if (!p->in_tx)
		return;
	PQclear(PQexec(p->conn, "ROLLBACK"));
	p->in_tx = false;
}

void ctl_pg_row_candidate(PGresult *res, int i, struct ctl_candidate *c)
{
	char buf[32];
	int st;

	memset(c, 0, sizeof(*c));
	c->id = ctl_pg_i64(res, i, 0);
	ctl_pg_text(res, i, 1, c->set, sizeof(c->set));
	c->set_version = (uint64_t)ctl_pg_i64(res, i, 2);
	ctl_pg_text(res, i, 3, buf, sizeof(buf));
	c->algo = (enum hwall_algo)hwall_algo_parse(buf);
	ctl_pg_text(res, i, 4, c->digest, sizeof(c->digest));
	ctl_pg_text(res, i, 5, c->host, sizeof(c->host));
	ctl_pg_text(res, i, 6, c->path, sizeof(c->path));
	ctl_pg_text(res, i, 7, c->server_ip, sizeof(c->server_ip));
	c->server_port = (uint16_t)ctl_pg_i64(res, i, 8);
	c->category = (uint32_t)ctl_pg_i64(res, i, 9);
	c->ref = (uint32_t)ctl_pg_i64(res, i, 10);
	ctl_pg_text(res, i, 11, buf, sizeof(buf));
	st = ctl_status_parse(buf);
	c->status = st < 0 ? CTL_STATUS_NEW : (enum ctl_status)st;
	c->first_seen = ctl_pg_i64(res, i, 12);
	c->last_seen = ctl_pg_i64(res, i, 13);
	c->occurrences = (uint64_t)ctl_pg_i64(res, i, 14);
	c->reopened = (uint32_t)ctl_pg_i64(res, i, 15);
	c->host_truncated = ctl_pg_bool(res, i, 16);
	c->path_truncated = ctl_pg_bool(res, i, 17);
	c->retroactive = ctl_pg_bool(res, i, 18);
	c->near.distance = c->near.quality = -1; /* ctl_pg_row_near() for CTL_PG_CAND_COLS rows */
}

void ctl_pg_row_near(PGresult *res, int i, struct ctl_candidate *c)
{
	ctl_pg_text(res, i, 19, c->near.entry, sizeof(c->near.entry));
	c->near.distance = (int32_t)ctl_pg_i64(res, i, 20);
	c->near.quality = (int32_t)ctl_pg_i64(res, i, 21);
	ctl_pg_text(res, i, 22, c->near.variant, sizeof(c->near.variant));
}

void ctl_pg_row_review(PGresult *res, int i, int col, struct ctl_review *v)
{
	char buf[32];
	int sc;

	memset(v, 0, sizeof(*v));
	v->id = ctl_pg_i64(res, i, col);
	v->candidate_id = ctl_pg_i64(res, i, col + 1);
	v->at = ctl_pg_i64(res, i, col + 2);
	ctl_pg_text(res, i, col + 3, v->actor, sizeof(v->actor));
	ctl_pg_text(res, i, col + 4, buf, sizeof(buf));
	v->from = (enum ctl_status)ctl_status_parse(buf);
	ctl_pg_text(res, i, col + 5, buf, sizeof(buf));
	v->to = (enum ctl_status)ctl_status_parse(buf);
	ctl_pg_text(res, i, col + 6, v->note, sizeof(v->note));
	ctl_pg_text(res, i, col + 7, buf, sizeof(buf));
	sc = ctl_allow_scope_parse(buf);
	v->allow_scope = sc < 0 ? -1 : sc;
}

int ctl_pg_review_row(PGresult *res, int i, void *arg)
{
	const struct ctl_pg_review_walk *w = arg;
	struct ctl_review v;

	ctl_pg_row_review(res, i, 0, &v);
	return w->fn(&v, w->ctx);
}
