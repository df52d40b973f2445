/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_test_pg.h - what control's PostgreSQL tests share: the server that
 * with_pg.sh started for this test program (HWALL_TEST_PG), a fresh
 * database per test, and plain SQL for looking at what the store wrote.
 */
#ifndef HASHWALL_TESTS_CTL_TEST_PG_H
#define HASHWALL_TESTS_CTL_TEST_PG_H

#include "hwall_test.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

/* The server's connection string (database "postgres"); the test fails
 * fatally without one (run it through with_pg.sh). */
static inline const char *ctl_test_pg_server(void)
{
	const char *ci = getenv("HWALL_TEST_PG");

	CU_ASSERT_FATAL(ci != NULL);
	return ci;
}

/* Run @sql on @conninfo; 0 when it succeeded. */
static inline int ctl_test_pg_exec(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *res;
	int r = -1;

	if (PQstatus(c) == CONNECTION_OK) {
		res = PQexec(c, sql);
		r = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK
			    ? 0 : -1;
		PQclear(res);
	}
	PQfinish(c);
	return r;
}

/* The integer @sql returns on @conninfo (row 0, column 0); -1 on failure. */
static inline long long ctl_test_pg_int(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *res;
	long long v = -1;

	if (PQstatus(c) == CONNECTION_OK) {
		res = PQexec(c, sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
			v = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	PQfinish(c);
	return v;
}

/* A new empty database @name on the server; its connection string into
 * @ret (@cap bytes). */
static inline void ctl_test_pg_db(const char *name, char *ret, size_t cap)
{
	const char *server = ctl_test_pg_server();
	char sql[128];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
	CU_ASSERT_FATAL(ctl_test_pg_exec(server, sql) == 0);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	CU_ASSERT_FATAL(ctl_test_pg_exec(server, sql) == 0);
	snprintf(ret, cap, "host=%s user=hwall dbname=%s", getenv("HWALL_TEST_PG_DIR"), name);
}

#endif
