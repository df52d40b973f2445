/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ingest.h - controld's side of the ingest protocol (docs/ingest-protocol.md):
 * a unix SOCK_SEQPACKET listener that receives match events from
 * dataplanes, records them in the store in batched transactions and
 * acknowledges each sequence number only after its transaction committed.
 *
 * Single-threaded: ctl_ingest_run() does one round (poll, accept, read up
 * to a batch, commit, acknowledge).  Only ctl_ingest_status() may be called
 * from another thread (the API's).
 */
#ifndef HASHWALL_CONTROL_INGEST_H
#define HASHWALL_CONTROL_INGEST_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "control/event.h"
#include "control/metrics.h"
#include "control/store.h"

#define CTL_INGEST_PEERS_MAX 16 /* dataplane connections at once */

/* Called for every recorded event inside the batch's transaction (for
 * example to add a block row); a negative return aborts the batch. */
typedef int (*ctl_ingest_tx_fn)(void *ctx, struct ctl_store *s, const struct ctl_event *ev,
				const struct ctl_record_result *res);

struct ctl_ingest_config {
	const char *socket_path;
	uint32_t batch_max;            /* events per transaction; 0: 4096 */
	uint32_t linger_us;            /* keep reading this long before a commit while
					* events keep coming; 0: 5000 */
	const uint8_t *client_key;     /* CTL_CLIENT_KEY_LEN bytes */
	struct ctl_metrics *metrics;   /* may be NULL */
	ctl_ingest_tx_fn on_record;    /* may be NULL */
	/* Called after on_record, inside the batch's transaction, for a
	 * recorded event that carried a valid flow (docs/ingest-protocol.md,
	 * "Flows"); @flow is wiped after the call, so keep no pointer to it.
	 * May be NULL. */
	void (*on_flow)(void *ctx, struct ctl_store *s, const struct ctl_event *ev,
			const struct ctl_record_result *res, const struct ctl_flow *flow);
	void (*after_commit)(void *ctx); /* may be NULL */
	void (*after_rollback)(void *ctx); /* may be NULL */
	void *hook_ctx;
};

struct ctl_ingest;

/*
 * Bind and listen on cfg->socket_path (a stale socket file is replaced;
 * mode 0660).  @store is used only from the thread that calls
 * ctl_ingest_run().  Returns 0 or -errno.
 */
int ctl_ingest_new(const struct ctl_ingest_config *cfg, struct ctl_store *store,
		   struct ctl_ingest **ret_in);

/*
 * One round: wait up to @timeout_ms for activity, accept connections, read
 * up to batch_max events (while they keep arriving, for up to linger_us),
 * commit them and send the acknowledgements.
 * Returns 0, or -EIO when a commit failed (the batch was rolled back, the
 * connections that had events in it were closed so that their clients
 * resend, and the caller should log).
 */
int ctl_ingest_run(struct ctl_ingest *in, int timeout_ms);

/*
 * A snapshot for the status endpoint: an array of
 * {"dataplane","epoch","connected","acked","counters":{...},"sets":[...]}, one per
 * dataplane seen since start.  Caller frees with cJSON_Delete.  NULL on ENOMEM.
 */
cJSON *ctl_ingest_status(struct ctl_ingest *in);

/* Close every connection and the listener, unlink the socket; accepts NULL. */
void ctl_ingest_free(struct ctl_ingest *in);

#endif
