/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * controld.c - hashwall-controld's main(): reads the configuration, opens
 * the store (one connection for ingest, one for the API), the ingest
 * socket, enforcement and the HTTP API, then runs the ingest loop with
 * periodic block renewal and retention purges.  SIGHUP re-reads the
 * tokens file.  Only wiring lives here.
 *
 *   hashwall-controld --config FILE
 *   hashwall-controld migrate --config FILE
 *   hashwall-controld new-token --tokens FILE NAME ROLE
 */
#include "common/config.h"
#include "common/errors.h"
#include "common/log.h"
#include "control/api.h"
#include "control/enforce.h"
#include "control/event.h"
#include "control/eventlog.h"
#include "control/fleet.h"
#include "control/httpd.h"
#include "control/ingest.h"
#include "control/quarantine.h"
#include "control/store_pg.h"
#include "control/ui.h"
#include "common/fileio.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SYNC_EVERY 60     /* seconds between block renewals */
#define PURGE_EVERY 3600  /* seconds between retention purges */

struct api_cfg {
	char *address, *tls_cert, *tls_key;
	bool plain_http_beyond_loopback;
	uint16_t port;
	uint32_t max_body, max_page;
	uint32_t max_connections, max_per_address, head_timeout, idle_timeout;
};

struct enf_cfg {
	char *interface;
	char *pin_root;
	uint32_t block_ttl;
	char *default_policy;
	struct ctl_set_policy *sets;
	size_t n_sets;
};

struct ui_cfg {
	char *dir;
	uint32_t idle_timeout, absolute_timeout;
};

struct quar_cfg {
	bool enabled;
	uint32_t hosts, urls, window;
};

struct dsa_cfg {
	char *legal_ground, *explanation, *source_type, *redress, *puid_prefix;
	char **territorial_scope;
	size_t n_scope;
};

struct config {
	char *db, *ingest_socket, *client_key_file, *tokens_file, *allowlist_file, *log, *set_dir;
	char *event_log, *audit_key_file;
	uint32_t retention_days, batch_max, set_stale_after, audit_checkpoint_every;
	struct api_cfg api;
	struct enf_cfg enforcement;
	struct quar_cfg quarantine;
	struct dsa_cfg dsa;
	struct ui_cfg ui;
	struct ctl_fleet_section fleet; /* an edge's uplink (docs/fleet.md) */
};

#define F(k, kd, field, ...) { .key = k, .kind = kd, .offset = offsetof(S, field), __VA_ARGS__ }

#define S struct api_cfg
static const struct hwall_cfg_field api_fields[] = {
	F("address", HWALL_CFG_STRING, address, .def_str = "127.0.0.1"),
	F("port", HWALL_CFG_U16, port, .min = 0, .max = 65535),
	F("max_body", HWALL_CFG_U32, max_body, .min = 1024, .max = 16 << 20),
	F("max_page", HWALL_CFG_U32, max_page, .min = 1, .max = 100000),
	F("max_connections", HWALL_CFG_U32, max_connections, .min = 4, .max = 4096),
	F("max_per_address", HWALL_CFG_U32, max_per_address, .min = 1, .max = 4096),
	F("head_timeout", HWALL_CFG_U32, head_timeout, .min = 1, .max = 60),
	F("idle_timeout", HWALL_CFG_U32, idle_timeout, .min = 1, .max = 3600),
	F("tls_cert", HWALL_CFG_STRING, tls_cert),
	F("tls_key", HWALL_CFG_STRING, tls_key),
	F("plain_http_beyond_loopback", HWALL_CFG_BOOL, plain_http_beyond_loopback),
	{ 0 },
};
#undef S
#define S struct ctl_set_policy
static const struct hwall_cfg_field set_fields[] = {
	F("set", HWALL_CFG_STRING, set, .required = true),
	F("policy", HWALL_CFG_STRING, policy, .required = true),
	{ 0 },
};
#undef S
#define S struct enf_cfg
static const struct hwall_cfg_field enf_fields[] = {
	F("interface", HWALL_CFG_STRING, interface),
	F("pin_root", HWALL_CFG_STRING, pin_root),
	F("block_ttl", HWALL_CFG_U32, block_ttl, .min = 60, .max = 31536000),
	F("default_policy", HWALL_CFG_STRING, default_policy, .def_str = "block"),
	F("sets", HWALL_CFG_ARRAY, sets, .elem_kind = HWALL_CFG_OBJECT, .fields = set_fields,
	  .elem_size = sizeof(struct ctl_set_policy), .count_offset = offsetof(S, n_sets),
	  .max_elems = 256),
	{ 0 },
};
#undef S
#define S struct quar_cfg
static const struct hwall_cfg_field quar_fields[] = {
	F("enabled", HWALL_CFG_BOOL, enabled),
	F("hosts", HWALL_CFG_U32, hosts, .min = 1, .max = 1000000),
	F("urls", HWALL_CFG_U32, urls, .min = 1, .max = 100000000),
	F("window", HWALL_CFG_U32, window, .min = 60, .max = 31536000),
	{ 0 },
};
#undef S

#define S struct ui_cfg
static const struct hwall_cfg_field ui_fields[] = {
	F("dir", HWALL_CFG_STRING, dir, .def_str = HWALL_UI_DIR),
	F("idle_timeout", HWALL_CFG_U32, idle_timeout, .min = 60, .max = 86400),
	F("absolute_timeout", HWALL_CFG_U32, absolute_timeout, .min = 300, .max = 604800),
	{ 0 },
};
#undef S

#define S struct dsa_cfg
static const struct hwall_cfg_field dsa_fields[] = {
	F("legal_ground", HWALL_CFG_STRING, legal_ground),
	F("explanation", HWALL_CFG_STRING, explanation),
	F("source_type", HWALL_CFG_STRING, source_type),
	F("redress", HWALL_CFG_STRING, redress),
	F("puid_prefix", HWALL_CFG_STRING, puid_prefix),
	F("territorial_scope", HWALL_CFG_ARRAY, territorial_scope, .elem_kind = HWALL_CFG_STRING,
	  .elem_size = sizeof(char *), .count_offset = offsetof(S, n_scope), .max_elems = 64),
	{ 0 },
};
#undef S

#define S struct config
static const struct hwall_cfg_field fields[] = {
	F("db", HWALL_CFG_STRING, db, .required = true),
	F("ingest_socket", HWALL_CFG_STRING, ingest_socket, .required = true),
	F("client_key_file", HWALL_CFG_STRING, client_key_file, .required = true),
	F("tokens_file", HWALL_CFG_STRING, tokens_file, .required = true),
	F("allowlist_file", HWALL_CFG_STRING, allowlist_file),
	F("log", HWALL_CFG_STRING, log, .def_str = "info"),
	F("set_dir", HWALL_CFG_STRING, set_dir),
	F("event_log", HWALL_CFG_STRING, event_log),
	F("audit_key_file", HWALL_CFG_STRING, audit_key_file),
	F("audit_checkpoint_every", HWALL_CFG_U32, audit_checkpoint_every, .min = 1,
	  .max = 1000000),
	F("set_stale_after", HWALL_CFG_U32, set_stale_after, .min = 60, .max = 31536000),
	F("retention_days", HWALL_CFG_U32, retention_days, .min = 1, .max = 3650),
	F("batch_max", HWALL_CFG_U32, batch_max, .min = 1, .max = 100000),
	F("api", HWALL_CFG_OBJECT, api, .fields = api_fields),
	F("enforcement", HWALL_CFG_OBJECT, enforcement, .fields = enf_fields),
	F("quarantine", HWALL_CFG_OBJECT, quarantine, .fields = quar_fields),
	F("dsa", HWALL_CFG_OBJECT, dsa, .fields = dsa_fields),
	F("ui", HWALL_CFG_OBJECT, ui, .fields = ui_fields),
	F("fleet", HWALL_CFG_OBJECT, fleet, .fields = ctl_fleet_fields),
	{ 0 },
};
#undef S
#undef F

static volatile sig_atomic_t stop, reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
}

/* The running daemon's parts, torn down in reverse. */
struct daemon {
	struct config cfg;
	struct ctl_metrics metrics;
	struct ctl_tokens tokens;
	struct ctl_audit audit;
	struct ctl_quarantine_guard quarantine;
	struct ctl_dsa_config dsa;
	struct ctl_ui ui;
	char *tls_cert, *tls_key; /* PEM text (the key wiped at teardown) */
	size_t tls_key_len;
	bool held; /* the match being recorded is under quarantine: not enforced */
	uint8_t key[CTL_CLIENT_KEY_LEN];
	struct ctl_store *ingest_store, *api_store;
	struct ctl_enforce *enforce;
	struct ctl_ingest *ingest;
	struct ctl_eventlog *eventlog;
	struct ctl_set_cache *set_cache;
	struct ctl_api_config api;
	struct ctl_http *http;
	struct ctl_fleet *fleet;
};

static int load_config(const char *file, struct config *cfg)
{
	struct hwall_err err = { { 0 } };
	cJSON *root = NULL;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->retention_days = 90;
	cfg->batch_max = 4096;
	cfg->api.port = 8750;
	cfg->enforcement.block_ttl = 86400;
	cfg->quarantine.enabled = true;
	r = hwall_cfg_parse_file(file, &root, &err);
	if (r == 0)
		r = hwall_cfg_load(root, fields, cfg, "", &err);
	cJSON_Delete(root);
	if (r < 0)
		HWALL_LOG(ERR, "ctl", "%s: %s", file, hwall_err_why(&err, r));
	return r;
}

/* Ingest hook: enforcement, plus the alert for a reopened candidate. */
static int on_record(void *ctx, struct ctl_store *s, const struct ctl_event *ev,
		     const struct ctl_record_result *res)
{
	struct daemon *d = ctx;

	char object[32];
	int r;

	if (res->reopened) {
		HWALL_LOG(WARN, "ctl.alert", "candidate %lld was taken down and is served again: "
					  "reopened as confirmed", (long long)res->candidate_id);
		snprintf(object, sizeof(object), "candidate:%lld", (long long)res->candidate_id);
		/* in the batch's transaction, with the reopen itself */
		r = ctl_audit_append(&d->audit, s, CTL_AUDIT_REOPEN, "controld", object,
				     "{\"from\":\"taken_down\",\"to\":\"confirmed\"}", ev->ts);
		if (r < 0)
			return r;
	}
	if (d->eventlog)
		ctl_eventlog_add(d->eventlog, ev, res);
	r = ctl_quarantine_check(&d->quarantine, s, ev, res, &d->held);
	if (r < 0 || d->held)
		return r;
	return ctl_enforce_on_match(d->enforce, s, ev, res);
}

static void after_commit(void *ctx)
{
	struct daemon *d = ctx;

	ctl_enforce_after_commit(d->enforce);
	ctl_quarantine_after_commit(&d->quarantine);
	if (d->eventlog && ctl_eventlog_flush(d->eventlog) < 0)
		HWALL_LOG(ERR, "ctl.ingest", "event log %s: lines lost", d->cfg.event_log);
}

static void after_rollback(void *ctx)
{
	struct daemon *d = ctx;

	ctl_enforce_after_rollback(d->enforce);
	ctl_quarantine_after_rollback(&d->quarantine);
	if (d->eventlog)
		ctl_eventlog_discard(d->eventlog);
}

/* Ingest flow hook: the flow goes to enforcement only (never to the event
 * log or the store). */
static void on_flow(void *ctx, struct ctl_store *s, const struct ctl_event *ev,
		    const struct ctl_record_result *res, const struct ctl_flow *flow)
{
	struct daemon *d = ctx;

	if (!d->held)
		ctl_enforce_on_flow(d->enforce, s, ev, res, flow);
}

/* The database holds every candidate's URL: a database (or its -wal and
 * -shm, which SQLite creates with the database's mode) that group or
 * others may read, left by an older controld or made by hand, is made
 * private before it is opened. */
static void make_private(const char *db)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char path[4096];
	struct stat st;

	for (size_t i = 0; i < HWALL_ARRAY_SIZE(suffixes); i++) {
		snprintf(path, sizeof(path), "%s%s", db, suffixes[i]);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0077))
			continue;
		if (chmod(path, 0600) < 0)
			HWALL_LOG(WARN, "ctl.store", "%s is mode %04o and cannot be made 0600: %s",
				  path, (unsigned int)(st.st_mode & 07777), strerror(errno));
		else
			HWALL_LOG(WARN, "ctl.store", "%s was mode %04o, readable beyond its owner: "
				  "now 0600", path, (unsigned int)(st.st_mode & 07777));
	}
}

static int open_store_and_enforce(struct daemon *d)
{
	struct ctl_enforce_config ec = {
		.block_ttl = d->cfg.enforcement.block_ttl,
		.default_policy = (enum ctl_policy)ctl_policy_parse(
			d->cfg.enforcement.default_policy ? d->cfg.enforcement.default_policy
							  : "block"),
		.sets = d->cfg.enforcement.sets, .n_sets = d->cfg.enforcement.n_sets,
		.interface = d->cfg.enforcement.interface, .pin_root = d->cfg.enforcement.pin_root,
		.metrics = &d->metrics,
	};
	struct hwall_err err = { { 0 } };
	int r = 0;

	if ((int)ec.default_policy < 0) {
		HWALL_LOG(ERR, "ctl", "enforcement.default_policy: expected \"block\" or \"report\"");
		return -EINVAL;
	}
	if (ctl_pg_target(d->cfg.db))
		r = ctl_fleet_conninfo_check(d->cfg.db, &err); /* the central store */
	else
		make_private(d->cfg.db);
	if (r == 0)
		r = ctl_store_open(d->cfg.db, &d->ingest_store, &err);
	if (r == 0)
		r = ctl_store_open(d->cfg.db, &d->api_store, &err);
	if (r < 0) {
		HWALL_LOG(ERR, "ctl.store", "%s", err.msg);
		return r;
	}
	r = ctl_enforce_new(&ec, &d->enforce, &err);
	if (r < 0)
		HWALL_LOG(ERR, "ctl.enforce", "%s", err.msg);
	else if (!ctl_enforce_available(d->enforce))
		HWALL_LOG(WARN, "ctl.enforce", "no enforcement interface configured: blocks are "
					    "recorded in the store only");
	return r;
}

/* Whether @address is a loopback address (127.0.0.0/8, ::1). */
static bool loopback(const char *address)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, address, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, address, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* The console's sessions, TLS, and the refusal to serve plain HTTP beyond
 * loopback unless the configuration says so (docs/console.md). */
static int listen_checks(struct daemon *d)
{
	const struct api_cfg *a = &d->cfg.api;
	size_t len;
	int r;

	if (!a->tls_cert != !a->tls_key) {
		HWALL_LOG(ERR, "ctl.api", "api.tls_cert and api.tls_key go together");
		return -EINVAL;
	}
	if (!a->tls_cert && !loopback(a->address) && !a->plain_http_beyond_loopback) {
		HWALL_LOG(ERR, "ctl.api", "api.address %s is beyond loopback: tokens, session "
			  "cookies and candidates' URLs would cross the network in clear; set "
			  "api.tls_cert and api.tls_key, or api.plain_http_beyond_loopback: true",
			  a->address);
		return -EPERM;
	}
	if (a->tls_cert &&
	    ((r = hwall_read_file(a->tls_cert, 1 << 20, &d->tls_cert, &len)) < 0 ||
	     (r = hwall_read_secret_file(a->tls_key, 1 << 20, &d->tls_key, &d->tls_key_len)) < 0)) {
		HWALL_LOG(ERR, "ctl.api", "api.tls_cert/tls_key: %s%s", hwall_strerror(r),
			  r == -EPERM ? " (the key file must be private: chmod 600)" : "");
		return r;
	}
	d->ui = (struct ctl_ui){ .dir = d->cfg.ui.dir, .tls = a->tls_cert != NULL,
				 .sessions = ctl_ui_sessions_new(d->cfg.ui.idle_timeout,
								 d->cfg.ui.absolute_timeout) };
	return d->ui.sessions ? 0 : -ENOMEM;
}

/* An edge with a fleet section: the uplink to the central store. */
static int start_fleet(struct daemon *d)
{
	struct ctl_fleet_config base = {
		.block_ttl = d->cfg.enforcement.block_ttl, .allowlist_file = d->cfg.allowlist_file,
		.enforce = d->enforce, .metrics = &d->metrics,
	};
	struct hwall_err err = { { 0 } };
	int r;

	if (!d->cfg.fleet.conninfo && !d->cfg.fleet.appliance)
		return 0;
	if (ctl_pg_target(d->cfg.db)) {
		HWALL_LOG(ERR, "ctl.fleet", "fleet: only an edge (a SQLite db) has an uplink");
		return -EINVAL;
	}
	r = ctl_fleet_launch(&d->cfg.fleet, d->cfg.db, &base, &d->fleet, &err);
	if (r < 0)
		HWALL_LOG(ERR, "ctl.fleet", "%s", err.msg);
	else
		HWALL_LOG(INFO, "ctl.fleet", "uplink of appliance %s started", d->cfg.fleet.appliance);
	return r;
}

static int start(struct daemon *d)
{
	struct ctl_ingest_config ic = {
		.socket_path = d->cfg.ingest_socket, .batch_max = d->cfg.batch_max,
		.client_key = d->key, .metrics = &d->metrics, .on_record = on_record,
		.on_flow = on_flow, .after_commit = after_commit, .after_rollback = after_rollback, .hook_ctx = d,
	};
	struct hwall_err err = { { 0 } };
	int r;

	r = ctl_client_key_load(d->cfg.client_key_file, d->key);
	if (r < 0) {
		HWALL_LOG(ERR, "ctl", "client_key_file %s: %s%s", d->cfg.client_key_file,
			  r == -EINVAL ? "must hold exactly 32 bytes" :
			  r == -EPERM ? "group or others may access it; run: chmod 600 " :
			  hwall_strerror(r), r == -EPERM ? d->cfg.client_key_file : "");
		return r;
	}
	r = ctl_audit_init(&d->audit, d->cfg.audit_key_file, d->cfg.audit_checkpoint_every, &err);
	if (r < 0) {
		HWALL_LOG(ERR, "ctl", "%s", err.msg);
		return r;
	}
	if (!d->cfg.audit_key_file)
		HWALL_LOG(WARN, "ctl", "no audit_key_file: the audit trail is chained but its "
				     "checkpoints are not signed");
	r = ctl_tokens_load(d->cfg.tokens_file, &d->tokens, &err);
	if (r < 0) {
		HWALL_LOG(ERR, "ctl.api", "%s", err.msg);
		return r;
	}
	if (d->tokens.n == 0)
		HWALL_LOG(WARN, "ctl.api", "%s holds no tokens: every API request will get 401 "
					 "(add one with hashwall-controld new-token)", d->cfg.tokens_file);
	r = open_store_and_enforce(d);
	if (r < 0)
		return r;
	if (d->cfg.event_log && (r = ctl_eventlog_open(d->cfg.event_log, &d->eventlog)) < 0) {
		HWALL_LOG(ERR, "ctl", "event_log %s: %s", d->cfg.event_log, hwall_strerror(r));
		return r;
	}
	r = ctl_quarantine_init(&d->quarantine, &(struct ctl_quarantine_config){
					.disabled = !d->cfg.quarantine.enabled,
					.hosts = d->cfg.quarantine.hosts,
					.urls = d->cfg.quarantine.urls,
					.window = d->cfg.quarantine.window },
				&d->audit, &d->metrics, d->enforce, d->ingest_store);
	if (r < 0) {
		HWALL_LOG(ERR, "ctl.store", "quarantines: %s", ctl_store_errmsg(d->ingest_store));
		return r;
	}
	r = ctl_ingest_new(&ic, d->ingest_store, &d->ingest);
	if (r < 0) {
		HWALL_LOG(ERR, "ctl.ingest", "%s: %s", d->cfg.ingest_socket, hwall_strerror(r));
		return r;
	}
	d->dsa = (struct ctl_dsa_config){
		.legal_ground = d->cfg.dsa.legal_ground, .explanation_prefix = d->cfg.dsa.explanation,
		.territorial_scope = (const char *const *)d->cfg.dsa.territorial_scope,
		.n_scope = d->cfg.dsa.n_scope, .source_type = d->cfg.dsa.source_type,
		.redress = d->cfg.dsa.redress, .puid_prefix = d->cfg.dsa.puid_prefix,
	};
	d->set_cache = ctl_set_cache_new();
	if (!d->set_cache)
		return -ENOMEM;
	d->api = (struct ctl_api_config){
		.store = d->api_store, .enforce = d->enforce, .ingest = d->ingest,
		.metrics = &d->metrics, .tokens = &d->tokens, .body_max = d->cfg.api.max_body,
		.page_max = d->cfg.api.max_page, .block_ttl = d->cfg.enforcement.block_ttl,
		.started = (int64_t)time(NULL), .allowlist_file = d->cfg.allowlist_file,
		.set_dir = d->cfg.set_dir, .set_cache = d->set_cache,
		.set_stale_after = d->cfg.set_stale_after, .audit = &d->audit,
		.quarantine = &d->quarantine, .dsa = &d->dsa, .ui = &d->ui,
	};
	if (ctl_audit_log(&d->audit, d->api_store, CTL_AUDIT_START, "controld", "controld", NULL,
			  (int64_t)time(NULL)) < 0) {
		HWALL_LOG(ERR, "ctl", "audit trail: cannot append: %s",
			  ctl_store_errmsg(d->api_store));
		return -EIO;
	}
	if (d->cfg.allowlist_file && ctl_allowlist_export(d->api_store, d->cfg.allowlist_file) < 0)
		HWALL_LOG(WARN, "ctl", "cannot write allowlist file %s", d->cfg.allowlist_file);
	r = listen_checks(d);
	if (r == 0)
		r = start_fleet(d);
	if (r < 0)
		return r;
	r = ctl_http_start(d->cfg.api.address, d->cfg.api.port, &d->api,
			   &(struct ctl_http_limits){
				   .max_connections = d->cfg.api.max_connections,
				   .max_per_address = d->cfg.api.max_per_address,
				   .head_timeout_ms = d->cfg.api.head_timeout * 1000,
				   .idle_timeout_s = d->cfg.api.idle_timeout,
				   .tls_cert_pem = d->tls_cert, .tls_key_pem = d->tls_key },
			   &d->http, &err);
	if (r < 0) {
		HWALL_LOG(ERR, "ctl.api", "%s", err.msg);
		return r;
	}
	HWALL_LOG(INFO, "ctl", "ingest on %s, API on %s port %u, %zu tokens, enforcement %s",
	       d->cfg.ingest_socket, d->cfg.api.address, ctl_http_port(d->http), d->tokens.n,
	       ctl_enforce_available(d->enforce) ? "on" : "unavailable");
	return 0;
}

static void teardown(struct daemon *d)
{
	ctl_fleet_free(d->fleet);
	ctl_http_stop(d->http);
	ctl_set_cache_free(d->set_cache);
	ctl_ingest_free(d->ingest);
	ctl_eventlog_close(d->eventlog);
	ctl_quarantine_fini(&d->quarantine);
	ctl_ui_sessions_free(d->ui.sessions);
	free(d->tls_cert);
	if (d->tls_key)
		sodium_memzero(d->tls_key, d->tls_key_len);
	free(d->tls_key);
	ctl_enforce_free(d->enforce);
	ctl_store_close(d->api_store);
	ctl_store_close(d->ingest_store);
	ctl_tokens_free(&d->tokens);
	ctl_audit_fini(&d->audit);
	hwall_cfg_free(fields, &d->cfg);
}

/* SIGHUP: the tokens file again; a bad file keeps the tokens in use. */
static void reload_tokens(struct daemon *d)
{
	struct hwall_err err = { { 0 } };
	int r = ctl_tokens_reload(&d->tokens, d->cfg.tokens_file, &err);

	if (r < 0)
		HWALL_LOG(ERR, "ctl.api", "tokens not reloaded, the %zu in use stay: %s", d->tokens.n,
		       hwall_err_why(&err, r));
	else
		HWALL_LOG(INFO, "ctl.api", "tokens reloaded from %s: %zu tokens", d->cfg.tokens_file,
		       d->tokens.n);
	if (r == 0 && ctl_audit_log(&d->audit, d->ingest_store, CTL_AUDIT_TOKENS_RELOAD, "controld",
				    "tokens", NULL, (int64_t)time(NULL)) < 0)
		HWALL_LOG(ERR, "ctl", "audit record of the tokens reload not written: %s",
			  ctl_store_errmsg(d->ingest_store));
}

/* Periodic duties on the ingest thread's connection. */
static void housekeeping(struct daemon *d, int64_t now, int64_t *next_sync, int64_t *next_purge)
{
	uint64_t purged = 0;

	if (now >= *next_sync) {
		if (ctl_enforce_sync(d->enforce, d->ingest_store, now) < 0)
			HWALL_LOG(ERR, "ctl.enforce", "block renewal failed: %s",
			       ctl_store_errmsg(d->ingest_store));
		*next_sync = now + SYNC_EVERY;
	}
	if (now >= *next_purge) {
		if (ctl_store_purge(d->ingest_store, now - (int64_t)d->cfg.retention_days * 86400,
				    &purged) < 0)
			HWALL_LOG(ERR, "ctl.store", "retention purge failed: %s",
			       ctl_store_errmsg(d->ingest_store));
		ctl_count(&d->metrics, CTL_CTR_RETENTION_PURGED, purged);
		*next_purge = now + PURGE_EVERY;
	}
}

static int run(const char *config_file)
{
	struct daemon *d = calloc(1, sizeof(*d));
	int64_t next_sync = 0, next_purge = 0;
	int r;

	if (!d)
		return 1;
	r = load_config(config_file, &d->cfg);
	if (r == 0 && hwall_log_configure(d->cfg.log) < 0) {
		HWALL_LOG(ERR, "ctl", "log: bad level spec '%s'", d->cfg.log);
		r = -EINVAL;
	}
	if (r == 0)
		r = start(d);
	while (r == 0 && !stop) {
		if (reload) {
			reload = 0;
			reload_tokens(d);
		}
		if (ctl_ingest_run(d->ingest, 200) < 0)
			HWALL_LOG(ERR, "ctl.ingest", "batch rolled back, peers will resend: %s",
			       ctl_store_errmsg(d->ingest_store));
		housekeeping(d, (int64_t)time(NULL), &next_sync, &next_purge);
	}
	HWALL_LOG(INFO, "ctl", "stopping");
	teardown(d);
	free(d);
	return r < 0 ? 1 : 0;
}

/* new-token --tokens FILE NAME ROLE: append a hashed token, print it once. */
static int new_token(int argc, char **argv)
{
	uint8_t raw[24];
	char token[2 * sizeof(raw) + 1], hash[2 * CTL_TOKEN_HASH_LEN + 1];
	struct hwall_err err = { { 0 } };
	FILE *f;
	int fd;

	if (argc != 6 || strcmp(argv[2], "--tokens") != 0 || ctl_role_parse(argv[5]) < 0 ||
	    strlen(argv[4]) > CTL_ACTOR_MAX || strpbrk(argv[4], " \t\n#")) {
		fprintf(stderr, "usage: hashwall-controld new-token --tokens FILE NAME "
				"viewer|reviewer|admin\n");
		return 2;
	}
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return 1;
	hwall_hex_format(raw, sizeof(raw), token);
	ctl_token_hash_hex(token, hash);
	fd = open(argv[3], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && ctl_private_file_check(fd, argv[3], &err) < 0) {
		/* controld would refuse the file: say so before a token goes in */
		fprintf(stderr, "hashwall-controld: %s\n", err.msg);
		close(fd);
		return 1;
	}
	f = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!f || fprintf(f, "%s %s %s\n", argv[4], argv[5], hash) < 0 || fclose(f) != 0) {
		fprintf(stderr, "hashwall-controld: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	printf("%s\n", token);
	return 0;
}

/* migrate --config FILE: bring the store's schema to this controld's
 * (SQLite file or central PostgreSQL) and say which version it is. */
static int migrate(const char *config_file)
{
	struct hwall_err err = { { 0 } };
	struct ctl_store *s = NULL;
	struct config cfg;
	int r = load_config(config_file, &cfg);

	if (r == 0 && ctl_pg_target(cfg.db))
		r = ctl_fleet_conninfo_check(cfg.db, &err);
	if (r == 0)
		r = ctl_store_open(cfg.db, &s, &err);
	if (r == 0)
		printf("schema version %d\n", ctl_store_schema_version(s));
	else if (err.msg[0])
		fprintf(stderr, "hashwall-controld: %s\n", err.msg);
	ctl_store_close(s);
	hwall_cfg_free(fields, &cfg);
	return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* Whatever the caller's umask, what controld creates is its own: the
	 * database and its -wal and -shm, the allowlist, the event log, the
	 * key, the tokens file (0600; the ingest socket is set to 0660). */
	umask(0077);

	if (argc >= 2 && strcmp(argv[1], "new-token") == 0)
		return new_token(argc, argv);
	if (argc == 4 && strcmp(argv[1], "migrate") == 0 && strcmp(argv[2], "--config") == 0)
		return migrate(argv[3]);
	if (argc != 3 || strcmp(argv[1], "--config") != 0) {
		fprintf(stderr, "usage: hashwall-controld --config FILE\n"
				"       hashwall-controld migrate --config FILE\n"
				"       hashwall-controld new-token --tokens FILE NAME ROLE\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return run(argv[2]);
}
