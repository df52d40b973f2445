/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * syncd.h - the parts of hashwall-syncd: the HTTPS push endpoint
 * (syncd_push.c) and pull mode (syncd_pull.c), both feeding the one
 * engine (sync_engine.h); syncd_main.c wires them.
 */
#ifndef HASHWALL_HASHSYNC_SYNCD_H
#define HASHWALL_HASHSYNC_SYNCD_H

#include <signal.h>
#include <stdbool.h>

#include "sync_engine.h"

struct syncd_push;

/*
 * Start the push endpoint described by the engine's config (listen.*):
 * HTTPS (TLS 1.2 and 1.3) with libmicrohttpd, POST /v1/bundles with a
 * hotline's bearer token, GET /v1/status and GET /metrics (with a token
 * unless on loopback), every connection held to listen.limits
 * (syncd_guard.h).  Returns NULL with @err set.
 */
struct syncd_push *syncd_push_start(struct sync_engine *e, struct hwall_err *err);

/* Stop and free; accepts NULL. */
void syncd_push_stop(struct syncd_push *p);

struct syncd_pull;

/*
 * Pull mode for every hotline that has pull.url.  A stop request (*@stop)
 * aborts transfers in progress.  Returns NULL on ENOMEM.
 */
struct syncd_pull *syncd_pull_new(struct sync_engine *e, volatile sig_atomic_t *stop);

/*
 * Poll the hotlines whose time has come (all of them with @all); the next
 * poll of each is one interval later, jittered.  Returns 0, or -EIO when a
 * poll failed (logged).
 */
int syncd_pull_tick(struct syncd_pull *p, bool all);

/* Free; accepts NULL. */
void syncd_pull_free(struct syncd_pull *p);

#endif
