/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_state.c - per-set state file and atomic writes (see sync_state.h).
 */
#include "sync_state.h"
#include "common/config.h"
#include "common/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

void sync_crash_point(const char *step)
{
	const char *at = getenv("HASHWALL_SYNCD_CRASH_AT");

	if (at && strcmp(at, step) == 0)
		raise(SIGKILL);
}

static int fsync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	int fd, r = 0;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -ENAMETOOLONG;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hwall_neg_errno();
	if (fsync(fd) < 0)
		r = hwall_neg_errno();
	close(fd);
	return r;
}

int sync_read_file(const char *path, uint64_t cap, uint8_t **ret_buf, size_t *ret_len)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hwall_neg_errno();
	if (fstat(fd, &st) < 0) {
		r = hwall_neg_errno();
		goto out_close;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > cap) {
		r = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out_close;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		r = -ENOMEM;
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? hwall_neg_errno() : -EIO;
			free(buf);
			goto out_close;
		}
		got += (size_t)n;
	}
	*ret_buf = buf;
	*ret_len = got;
out_close:
	close(fd);
	return r;
}

int sync_atomic_write(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX];
	const uint8_t *p = data;
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return hwall_neg_errno();
	while (len > 0 && r == 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = n < 0 ? hwall_neg_errno() : -EIO;
		else
			p += n, len -= (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = hwall_neg_errno();
	if (close(fd) < 0 && r == 0)
		r = hwall_neg_errno();
	if (r == 0) {
		sync_crash_point("state-tmp");
		if (rename(tmp, path) < 0)
			r = hwall_neg_errno();
	}
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	return fsync_dir_of(path);
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
	r = sync_atomic_write(path, text, strlen(text));
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
