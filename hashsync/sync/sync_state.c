/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_state.c - per-set state file and atomic writes (see sync_state.h).
 */
#include "sync_state.h"
#include "common/config.h"
#include "common/errors.h"
#include "common/fileio.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

void sync_crash_point(const char *step)
{
	const char *at = getenv("HASHWALL_SYNCD_CRASH_AT");

	if (at && strcmp(at, step) == 0)
		raise(SIGKILL);
}

/* Replace @path with @text: hwall_write_atomic() with the "state-tmp" crash
 * point between the write and the rename. */
static int write_state(const char *path, const char *text)
{
	struct hwall_atomic a;
	int r;

	r = hwall_atomic_begin(path, SYNC_STATE_FILE_MODE, &a);
	if (r < 0)
		return r;
	r = hwall_write_all(a.fd, text, strlen(text));
	if (r < 0) {
		hwall_atomic_abort(&a);
		return r;
	}
	sync_crash_point("state-tmp");
	return hwall_atomic_commit(&a, true);
}

int sync_state_save(const char *path, const struct sync_state *st)
{
	cJSON *o = cJSON_CreateObject(), *refusals;
	char *text;
	int r;

	cJSON_AddItemToObject(o, "root", sync_root_json(&st->root));
	cJSON_AddNumberToObject(o, "notified_version", (double)st->notified_version);
	cJSON_AddNumberToObject(o, "highest_version", (double)st->highest_version);
	cJSON_AddNumberToObject(o, "last_success", (double)st->last_success);
	cJSON_AddNumberToObject(o, "last_checked", (double)st->last_checked);
	cJSON_AddNumberToObject(o, "last_refusal", (double)st->last_refusal);
	cJSON_AddStringToObject(o, "last_reason", sync_refusal_name(st->last_reason));
	cJSON_AddStringToObject(o, "last_detail", st->last_detail);
	cJSON_AddNumberToObject(o, "installs", (double)st->installs);
	refusals = cJSON_AddObjectToObject(o, "refusals");
	for (int i = 1; refusals && i < SYNC_REFUSE_COUNT; i++)
		if (st->refusals[i])
			cJSON_AddNumberToObject(refusals, sync_refusal_name((enum sync_refusal)i),
						(double)st->refusals[i]);
	text = cJSON_Print(o);
	cJSON_Delete(o);
	if (!text)
		return -ENOMEM;
	r = write_state(path, text);
	free(text);
	return r;
}

static int64_t get_num(const cJSON *o, const char *key)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(n) && n->valuedouble >= 0 ? (int64_t)n->valuedouble : 0;
}

static void load_refusals(const cJSON *o, struct sync_state *st)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "refusals");
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(o, "last_reason");
	const cJSON *detail = cJSON_GetObjectItemCaseSensitive(o, "last_detail");

	for (int i = 1; i < SYNC_REFUSE_COUNT; i++) {
		st->refusals[i] = (uint64_t)get_num(r, sync_refusal_name((enum sync_refusal)i));
		if (cJSON_IsString(reason) && strcmp(reason->valuestring, sync_refusal_name((enum sync_refusal)i)) == 0)
			st->last_reason = (enum sync_refusal)i;
	}
	if (cJSON_IsString(detail))
		snprintf(st->last_detail, sizeof(st->last_detail), "%s", detail->valuestring);
}

int sync_state_load(const char *path, struct sync_state *ret_st, struct hwall_err *err)
{
	struct sync_verdict v;
	struct sync_state st;
	cJSON *o = NULL;
	int r;

	memset(&st, 0, sizeof(st));
	r = hwall_cfg_parse_file(path, &o, err);
	if (r < 0)
		return r == -ENOENT ? -ENOENT : -EINVAL;
	if (sync_root_parse(cJSON_GetObjectItemCaseSensitive(o, "root"), &st.root, &v) < 0) {
		cJSON_Delete(o);
		return hwall_err_set(err, -EINVAL, "%s: root: %s", path, v.detail.msg);
	}
	st.notified_version = (uint64_t)get_num(o, "notified_version");
	st.highest_version = (uint64_t)get_num(o, "highest_version");
	st.last_success = get_num(o, "last_success");
	st.last_checked = get_num(o, "last_checked");
	st.last_refusal = get_num(o, "last_refusal");
	st.installs = (uint64_t)get_num(o, "installs");
	load_refusals(o, &st);
	cJSON_Delete(o);
	*ret_st = st;
	return 0;
}
