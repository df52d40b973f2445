/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for control/audit.c and the store's audit rows: a chain that
 * verifies, and every way of changing it behind controld's back (a row
 * edited, deleted, inserted, reordered, the whole chain recomputed without
 * the key) found at the row where it happened; the key file's mode. */
#include "control/audit.h"
#include "control/store.h"
#include "hwall_test.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_RECORDS 12

static const char *dir;
static char db_path[256], key_path[256];
static struct ctl_audit audit;

static int suite_init(void)
{
	dir = hwall_test_tmpdir("audit");
	if (!dir)
		return -1;
	snprintf(key_path, sizeof(key_path), "%s/audit.key", dir);
	return ctl_audit_init(&audit, key_path, 4, NULL);
}

static int suite_clean(void)
{
	ctl_audit_fini(&audit);
	hwall_test_tmpdir_remove(dir);
	return 0;
}

/* A fresh store at @tag.db with N_RECORDS records (and the checkpoints
 * that every fourth row brings). */
static struct ctl_store *fresh(const char *tag)
{
	struct ctl_store *s = NULL;
	char obj[32], detail[64];

	snprintf(db_path, sizeof(db_path), "%s/%s.db", dir, tag);
	CU_ASSERT_FATAL(ctl_store_open(db_path, &s, NULL) == 0);
	for (int i = 1; i <= N_RECORDS; i++) {
		snprintf(obj, sizeof(obj), "candidate:%d", i);
		snprintf(detail, sizeof(detail), "{\"to\":\"confirmed\",\"n\":%d}", i);
		CU_ASSERT_EQUAL(ctl_audit_log(&audit, s, CTL_AUDIT_REVIEW, "rita", obj, detail,
					      1000 + i), 0);
	}
	return s;
}

/* Run @sql on the database file with a connection of its own, triggers
 * out of the way first: what someone with write access to the file can do. */
static void tamper(const char *sql)
{
	sqlite3 *db;

	CU_ASSERT_FATAL(sqlite3_open(db_path, &db) == SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "DROP TRIGGER audit_no_update;"
					 "DROP TRIGGER audit_no_delete;", NULL, NULL, NULL),
			SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static struct ctl_audit_report verify(struct ctl_store *s)
{
	struct ctl_audit_report rep;

	memset(&rep, 0xff, sizeof(rep));
	CU_ASSERT_EQUAL(ctl_audit_verify(&audit, s, &rep), 0);
	return rep;
}

static void test_intact(void)
{
	struct ctl_store *s = fresh("intact");
	struct ctl_audit_report rep = verify(s);

	CU_ASSERT_TRUE(rep.ok);
	/* 12 records and a checkpoint after rows 4, 8 and 12 of the trail:
	 * checkpoints at 5, 9 and 13 */
	CU_ASSERT_EQUAL(rep.rows, N_RECORDS + 3);
	CU_ASSERT_EQUAL(rep.checkpoints, 3);
	CU_ASSERT_EQUAL(rep.last_seq, N_RECORDS + 3);
	CU_ASSERT_EQUAL(rep.last_checkpoint, 13);
	CU_ASSERT_EQUAL(rep.broken_seq, 0);
	ctl_store_close(s);
}

static void test_append_only_triggers(void)
{
	struct ctl_store *s = fresh("triggers");
	sqlite3 *db;

	CU_ASSERT_FATAL(sqlite3_open(db_path, &db) == SQLITE_OK);
	CU_ASSERT_NOT_EQUAL(sqlite3_exec(db, "UPDATE audit SET actor = 'x'", NULL, NULL, NULL),
			    SQLITE_OK);
	CU_ASSERT_NOT_EQUAL(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	CU_ASSERT_TRUE(verify(s).ok);
	ctl_store_close(s);
}

static void test_edit_found(void)
{
	struct ctl_store *s = fresh("edit");
	struct ctl_audit_report rep;

	tamper("UPDATE audit SET detail = '{\"to\":\"false_positive\",\"n\":3}' WHERE seq = 3");
	rep = verify(s);
	CU_ASSERT_FALSE(rep.ok);
	CU_ASSERT_EQUAL(rep.broken_seq, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(rep.reason, "edited"));
	CU_ASSERT_EQUAL(rep.rows, 2);
	ctl_store_close(s);
}

static void test_delete_found(void)
{
	struct ctl_store *s = fresh("delete");
	struct ctl_audit_report rep;

	tamper("DELETE FROM audit WHERE seq = 6");
	rep = verify(s);
	CU_ASSERT_FALSE(rep.ok);
	CU_ASSERT_EQUAL(rep.broken_seq, 7);
	CU_ASSERT_PTR_NOT_NULL(strstr(rep.reason, "from 6 on are missing"));
	ctl_store_close(s);

	s = fresh("delete-first");
	tamper("DELETE FROM audit WHERE seq = 1");
	rep = verify(s);
	CU_ASSERT_FALSE(rep.ok);
	CU_ASSERT_EQUAL(rep.broken_seq, 2);
	CU_ASSERT_EQUAL(rep.rows, 0);
	ctl_store_close(s);
}

/* Deleted and the rest renumbered, so that no seq is missing: the link. */
static void test_delete_renumbered_found(void)
{
	struct ctl_store *s = fresh("renumber");
	struct ctl_audit_report rep;

	tamper("DELETE FROM audit WHERE seq = 6;"
	       "UPDATE audit SET seq = seq - 1 WHERE seq > 6");
	rep = verify(s);
	CU_ASSERT_FALSE(rep.ok);
	CU_ASSERT_EQUAL(rep.broken_seq, 6);
	CU_ASSERT_PTR_NOT_NULL(strstr(rep.reason, "link to row 5"));
	ctl_store_close(s);
}

/* Two rows' contents swapped, their seqs kept. */
static void test_reorder_found(void)
{
	struct ctl_store *s = fresh("reorder");
	struct ctl_audit_report rep;

	tamper("UPDATE audit SET seq = -2 WHERE seq = 2;"
	       "UPDATE audit SET seq = 2 WHERE seq = 3;"
	       "UPDATE audit SET seq = 3 WHERE seq = -2");
	rep = verify(s);
	CU_ASSERT_FALSE(rep.ok);
	CU_ASSERT_EQUAL(rep.broken_seq, 2);
	ctl_store_close(s);
}

static int collect(const struct ctl_audit_rec *r, void *ctx)
{
	struct ctl_audit_rec *out = ctx;

	out[r->seq - 1] = *r;
	return 0;
}

/* Row 2 edited and every hash after it recomputed (the chain algorithm is
 * public; the key is not): the first checkpoint after it fails. */
static void test_rewritten_chain_found(void)
{
	static struct ctl_audit_rec rows[N_RECORDS + 3];
	struct ctl_store *s = fresh("rewrite");
	struct ctl_audit_report rep;
	uint8_t prev[CTL_AUDIT_HASH_LEN] = { 0 };
	sqlite3_stmt *st;
	sqlite3 *db;

	CU_ASSERT_EQUAL(ctl_store_audit_walk(s, 1, 0, false, collect, rows), 0);
	snprintf(rows[1].actor, sizeof(rows[1].actor), "mallory");
	tamper("SELECT 1");
	CU_ASSERT_FATAL(sqlite3_open(db_path, &db) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_prepare_v2(db, "UPDATE audit SET actor = ?2, prev = ?3, hash = ?4"
					       " WHERE seq = ?1", -1, &st, NULL) == SQLITE_OK);
	for (int i = 0; i < N_RECORDS + 3; i++) {
		memcpy(rows[i].prev, prev, sizeof(prev));
		ctl_audit_hash(&rows[i], rows[i].hash);
		memcpy(prev, rows[i].hash, sizeof(prev));
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, rows[i].seq);
		sqlite3_bind_text(st, 2, rows[i].actor, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, rows[i].prev, CTL_AUDIT_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, rows[i].hash, CTL_AUDIT_HASH_LEN, SQLITE_STATIC);
		CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_DONE);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	rep = verify(s);
	CU_ASSERT_FALSE(rep.ok);
	CU_ASSERT_EQUAL(rep.broken_seq, 5); /* the first checkpoint */
	CU_ASSERT_PTR_NOT_NULL(strstr(rep.reason, "not signed"));
	ctl_store_close(s);
}

/* A record appended in a transaction that rolls back leaves no trace. */
static void test_rollback_leaves_nothing(void)
{
	struct ctl_store *s = fresh("rollback");
	int64_t seq = 0;
	uint8_t h[CTL_AUDIT_HASH_LEN];

	CU_ASSERT_EQUAL(ctl_store_begin(s), 0);
	CU_ASSERT_EQUAL(ctl_audit_append(&audit, s, CTL_AUDIT_BLOCK_ADD, "adam", "block", NULL,
					 2000), 0);
	ctl_store_rollback(s);
	CU_ASSERT_EQUAL(ctl_store_audit_tail(s, &seq, h), 0);
	CU_ASSERT_EQUAL(seq, N_RECORDS + 3);
	CU_ASSERT_TRUE(verify(s).ok);
	ctl_store_close(s);
}

static void test_fields_checked(void)
{
	struct ctl_store *s = fresh("fields");
	char big[CTL_AUDIT_DETAIL_MAX + 2];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(ctl_audit_log(&audit, s, CTL_AUDIT_EXPORT, "vera", "notices", big, 1),
			-EINVAL);
	CU_ASSERT_EQUAL(ctl_audit_log(NULL, s, CTL_AUDIT_EXPORT, "vera", "notices", NULL, 1), 0);
	CU_ASSERT_STRING_EQUAL(ctl_audit_action_name(CTL_AUDIT_QUARANTINE), "quarantine");
	CU_ASSERT_STRING_EQUAL(ctl_audit_action_name(CTL_AUDIT_ACTION_COUNT), "?");
	CU_ASSERT_TRUE(verify(s).ok);
	ctl_store_close(s);
}

static void test_key_file(void)
{
	struct hwall_err err = { { 0 } };
	struct ctl_audit a2;
	struct stat st;
	char path[300];

	CU_ASSERT_EQUAL(stat(key_path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(st.st_size, CTL_AUDIT_KEY_SEED_LEN);
	/* the same file gives the same key */
	CU_ASSERT_EQUAL(ctl_audit_init(&a2, key_path, 0, &err), 0);
	CU_ASSERT_EQUAL(memcmp(a2.pk, audit.pk, sizeof(a2.pk)), 0);
	CU_ASSERT_EQUAL(a2.checkpoint_every, CTL_AUDIT_CHECKPOINT_EVERY);
	ctl_audit_fini(&a2);
	snprintf(path, sizeof(path), "%s/open.key", dir);
	CU_ASSERT_EQUAL(ctl_audit_init(&a2, path, 0, &err), 0);
	ctl_audit_fini(&a2);
	CU_ASSERT_EQUAL(chmod(path, 0644), 0);
	CU_ASSERT_EQUAL(ctl_audit_init(&a2, path, 0, &err), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "chmod 600"));
	CU_ASSERT_EQUAL(ctl_audit_init(&a2, NULL, 0, &err), 0);
	CU_ASSERT_FALSE(a2.have_key);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "an intact chain verifies", test_intact },
		{ "triggers refuse honest edits", test_append_only_triggers },
		{ "an edited row is found", test_edit_found },
		{ "a deleted row is found", test_delete_found },
		{ "a deleted row, renumbered, is found", test_delete_renumbered_found },
		{ "two rows swapped are found", test_reorder_found },
		{ "a chain recomputed without the key fails", test_rewritten_chain_found },
		{ "a rolled-back append leaves nothing", test_rollback_leaves_nothing },
		{ "fields checked", test_fields_checked },
		{ "key file: 0600, refused when open", test_key_file },
		CU_TEST_INFO_NULL,
	};
	int r;

	if (suite_init() < 0)
		return 2;
	r = hwall_test_main("control/audit", tests);
	suite_clean();
	return r;
}
