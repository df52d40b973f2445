/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sync_engine.c - targets, the submit path, freshness (see sync_engine.h).
 * Answers, status and metrics are in sync_report.c.
 */
#include "sync_engine.h"
#include "sync_install.h"
#include "sync_trust.h"
#include "common/errors.h"
#include "common/fileio.h"
#include "hashsync/hws.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

/* Create @dir with exactly @mode, its missing parents as mkdir -p does
 * (0755 less the umask); an existing @dir is left as it is. */
static int make_dir(const char *dir, mode_t mode)
{
	char parent[PATH_MAX];

	if (snprintf(parent, sizeof(parent), "%s", dir) >= (int)sizeof(parent))
		return -ENAMETOOLONG;
	HWALL_TRY(hwall_mkdir_p(dirname(parent), 0755));
	if (mkdir(dir, mode) < 0)
		return errno == EEXIST ? hwall_mkdir_p(dir, mode) : hwall_neg_errno();
	return chmod(dir, mode) < 0 ? hwall_neg_errno() : 0;
}

/* Read the header of the installed set file, if any. */
static int read_installed(struct sync_target *t, struct hwall_err *err)
{
	struct hwall_err herr;
	struct hws_set *set;
	struct hws_info info;
	int r = hws_open(t->set_path, &set, &herr);

	t->installed_version = 0;
	t->installed_created = t->installed_expires = 0;
	t->installed_entries = 0;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return hwall_err_set(err, r, "%s: %s", t->set_path,
				     r == -EINVAL ? herr.msg : hwall_strerror(r));
	hws_info(set, &info);
	t->installed_version = info.version;
	t->installed_created = info.created;
	t->installed_expires = info.expires;
	t->installed_entries = info.entries;
	hws_close(set);
	return 0;
}

/* Hand the installed version to the dataplane; records success in state. */
static int notify(struct sync_engine *e, struct sync_target *t, struct hwall_err *err)
{
	int r;

	if (!e->cfg->control_socket) {
		t->st.notified_version = t->installed_version;
		return 0;
	}
	r = sync_notify_dataplane(e->cfg->control_socket, t->hl->set, t->installed_version,
				  t->set_path, err);
	if (r == 0)
		t->st.notified_version = t->installed_version;
	return r;
}

static int open_target(struct sync_engine *e, struct sync_target *t, struct hwall_err *err)
{
	const struct sync_hotline_config *hl = t->hl;
	int r;

	snprintf(t->set_path, sizeof(t->set_path), "%s/%s.hws", e->cfg->set_dir, hl->set);
	snprintf(t->state_path, sizeof(t->state_path), "%s/%s.state.json", e->cfg->state_dir, hl->set);
	r = sync_state_load(t->state_path, &t->st, err);
	if (r == -ENOENT)
		memset(&t->st, 0, sizeof(t->st));
	else if (r < 0)
		return r;
	/* The configured root counts (edits included) until a rotation moved past it. */
	if (r == -ENOENT || t->st.root.version <= hl->root.version)
		t->st.root = hl->root;
	r = read_installed(t, err);
	if (r < 0)
		return r;
	/* Written but not acknowledged before a crash: hand it over now. */
	if (!e->readonly)
		sync_engine_renotify(e, t, NULL);
	return 0;
}

int sync_engine_renotify(struct sync_engine *e, struct sync_target *t, struct hwall_err *err)
{
	int r = 0;

	pthread_mutex_lock(&e->lock);
	if (t->installed_version && t->st.notified_version != t->installed_version) {
		r = notify(e, t, err);
		if (r == 0)
			sync_state_save(t->state_path, &t->st);
	}
	pthread_mutex_unlock(&e->lock);
	return r;
}

int sync_engine_open(struct sync_engine *e, const struct sync_config *cfg, bool readonly,
		     struct hwall_err *err)
{
	int r = 0;

	memset(e, 0, sizeof(*e));
	e->cfg = cfg;
	e->readonly = readonly;
	e->caps.bundle_bytes = cfg->max_bundle_bytes;
	e->caps.manifest_bytes = cfg->max_manifest_bytes;
	e->caps.created_skew = cfg->max_clock_skew;
	pthread_mutex_init(&e->lock, NULL);
	if (!readonly)
		r = make_dir(cfg->state_dir, SYNC_STATE_DIR_MODE);
	if (r == 0 && !readonly)
		r = make_dir(cfg->set_dir, SYNC_SET_DIR_MODE);
	if (r < 0)
		return hwall_err_set(err, r, "creating %s or %s: %s", cfg->state_dir, cfg->set_dir,
				     hwall_strerror(r));
	e->targets = calloc(cfg->n_hotlines ? cfg->n_hotlines : 1, sizeof(*e->targets));
	if (!e->targets)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_hotlines; i++) {
		e->targets[i].hl = &cfg->hotlines[i];
		r = open_target(e, &e->targets[i], err);
		if (r < 0)
			return r;
		e->n_targets++;
	}
	return 0;
}

void sync_engine_close(struct sync_engine *e)
{
	if (!e->cfg)
		return;
	free(e->targets);
	pthread_mutex_destroy(&e->lock);
	memset(e, 0, sizeof(*e));
}

struct sync_target *sync_engine_find_set(struct sync_engine *e, const char *set)
{
	for (size_t i = 0; i < e->n_targets; i++)
		if (strcmp(e->targets[i].hl->set, set) == 0)
			return &e->targets[i];
	return NULL;
}

struct sync_target *sync_engine_find_token(struct sync_engine *e, const char *token)
{
	uint8_t h[SHA256_DIGEST_LENGTH];
	struct sync_target *found = NULL;

	SHA256((const uint8_t *)token, strlen(token), h);
	/* Compare with every configured hash, in constant time each. */
	for (size_t i = 0; i < e->n_targets; i++)
		if (e->targets[i].hl->has_token &&
		    CRYPTO_memcmp(h, e->targets[i].hl->token_hash, sizeof(h)) == 0)
			found = &e->targets[i];
	return found;
}

bool sync_engine_may_read(struct sync_engine *e, const char *token)
{
	const struct sync_listen_config *l = &e->cfg->listen;
	uint8_t h[SHA256_DIGEST_LENGTH];
	bool metrics;

	SHA256((const uint8_t *)token, strlen(token), h);
	metrics = l->has_metrics_token && CRYPTO_memcmp(h, l->metrics_token_hash, sizeof(h)) == 0;
	return sync_engine_find_token(e, token) != NULL || metrics;
}

struct sync_target *sync_engine_find_signer(struct sync_engine *e, const uint8_t *buf, size_t len)
{
	struct sync_bundle b;
	struct sync_verdict v;

	if (sync_bundle_split(buf, len, &e->caps, &b, &v) < 0)
		return NULL;
	for (size_t i = 0; i < e->n_targets; i++)
		if (sync_root_knows_any(&b, &e->targets[i].st.root))
			return &e->targets[i];
	return NULL;
}

static void record_refusal(struct sync_target *t, const struct sync_verdict *v, int64_t now)
{
	if ((unsigned int)v->reason < SYNC_REFUSE_COUNT)
		t->st.refusals[v->reason]++;
	t->st.last_refusal = now;
	t->st.last_reason = v->reason;
	snprintf(t->st.last_detail, sizeof(t->st.last_detail), "%s", v->detail.msg);
	sync_state_save(t->state_path, &t->st);
}

void sync_engine_record_refusal(struct sync_engine *e, struct sync_target *t,
				const struct sync_verdict *v, int64_t now)
{
	pthread_mutex_lock(&e->lock);
	record_refusal(t, v, now);
	pthread_mutex_unlock(&e->lock);
}

/* The install steps after verification (see the list in sync_engine.h). */
static int install(struct sync_engine *e, struct sync_target *t, const struct sync_verified *vb,
		   int64_t now, struct sync_result *res)
{
	struct hwall_err why = { { 0 } };
	uint64_t entries = 0;
	int r;

	sync_crash_point("verified");
	if (vb->m.kind == SYNC_KIND_ROOT) {
		struct sync_state next = t->st;
		next.root = vb->m.root;
		next.last_success = now;
		r = sync_state_save(t->state_path, &next);
		if (r < 0) {
			sync_refuse(&res->verdict, SYNC_REFUSE_INSTALL, "saving the new root: %s",
				    hwall_strerror(r));
			return r;
		}
		t->st = next;
		return 0;
	}
	r = sync_install_set(vb, t->set_path, &entries, &why);
	if (r < 0) {
		sync_refuse(&res->verdict, SYNC_REFUSE_INSTALL, "%s", why.msg);
		return r;
	}
	sync_crash_point("written");
	t->installed_version = vb->m.version;
	t->installed_created = vb->m.created;
	t->installed_expires = vb->m.expires;
	t->installed_entries = entries;
	res->dataplane_pending = notify(e, t, NULL) < 0;
	res->no_dataplane = !e->cfg->control_socket;
	sync_crash_point("notified");
	t->st.last_success = now;
	t->st.installs++;
	if (vb->m.version > t->st.highest_version)
		t->st.highest_version = vb->m.version;
	r = sync_state_save(t->state_path, &t->st);
	sync_crash_point("saved");
	/* The set is installed even when the state file could not be saved. */
	(void)r;
	return 0;
}

int sync_engine_submit(struct sync_engine *e, struct sync_target *t, const uint8_t *buf, size_t len,
		       int64_t now, bool install_it, struct sync_result *res)
{
	struct sync_trusted tr;
	struct sync_verified vb;
	int r;

	memset(res, 0, sizeof(*res));
	res->target = t;
	pthread_mutex_lock(&e->lock);
	memset(&tr, 0, sizeof(tr));
	snprintf(tr.set, sizeof(tr.set), "%s", t->hl->set);
	tr.root = t->st.root;
	tr.installed_version = t->installed_version;
	tr.version_floor = t->st.highest_version;
	r = sync_verify(buf, len, &e->caps, &tr, now, &vb, &res->verdict);
	if (r == 0) {
		res->kind = vb.m.kind;
		res->version = vb.m.version;
		if (install_it)
			r = install(e, t, &vb, now, res);
	}
	if (r < 0 && install_it)
		record_refusal(t, &res->verdict, now);
	pthread_mutex_unlock(&e->lock);
	return r;
}

uint64_t sync_engine_installed(struct sync_engine *e, const struct sync_target *t, bool root)
{
	uint64_t v;

	pthread_mutex_lock(&e->lock);
	v = root ? t->st.root.version : t->installed_version;
	pthread_mutex_unlock(&e->lock);
	return v;
}

void sync_engine_checked(struct sync_engine *e, struct sync_target *t, int64_t now)
{
	pthread_mutex_lock(&e->lock);
	t->st.last_checked = now;
	sync_state_save(t->state_path, &t->st);
	pthread_mutex_unlock(&e->lock);
}

bool sync_target_stale(const struct sync_target *t, int64_t now, const char **why)
{
	int64_t contact = t->st.last_success > t->st.last_checked ? t->st.last_success : t->st.last_checked;
	const char *reason = NULL;

	if (!t->installed_version)
		reason = "no set installed";
	else if (t->installed_expires && now >= t->installed_expires)
		reason = "the installed set has expired";
	else if (t->hl->stale_after && now - contact > (int64_t)t->hl->stale_after)
		reason = "no update or check within stale_after";
	if (why)
		*why = reason ? reason : "fresh";
	return reason != NULL;
}
