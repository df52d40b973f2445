/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * event.h - turning a dataplane's match event (JSON, the fields of the
 * dataplane's replay contract) into a struct ctl_event, and keying client
 * pseudonyms with controld's own key before anything is stored.
 *
 * Sits between ingest.c (which receives the JSON) and the store.
 */
#ifndef HASHWALL_CONTROL_EVENT_H
#define HASHWALL_CONTROL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/errors.h"
#include "control/store.h"

#define CTL_CLIENT_KEY_LEN 32 /* bytes of the pseudonymisation key */

/*
 * The flow of a match (the event's optional "flow" member): the only place
 * a client address exists in controld.  Deliberately not part of struct
 * ctl_event, so that nothing that stores, logs or exports events can
 * carry it; it goes from the ingest socket to the blocked-flow map and is
 * wiped (docs/ingest-protocol.md, "Flows").
 */
struct ctl_flow {
	uint8_t family;       /* 4 or 6 */
	uint8_t server[16];   /* IPv4 in the first 4 bytes */
	uint8_t client[16];
	uint16_t server_port; /* host byte order */
	uint16_t client_port;
};

/* How far ahead of the receive time an event's ts may lie (seconds). */
#define CTL_EVENT_TS_AHEAD_MAX 86400

/*
 * Fill @ev from the JSON object @obj.  Only what a match means nothing
 * without can refuse it: set (a set id: 1..CTL_SET_MAX printable ASCII
 * bytes, no space), algo (a known name) and digest (hex of the
 * algorithm's length).  Every
 * other field is taken whatever was sent (docs/ingest-protocol.md, "The
 * event object"): absent or null gives the default (0, "", false; ts:
 * @now); a value of the wrong type or out of range gives the default too,
 * and so does a ts more than CTL_EVENT_TS_AHEAD_MAX ahead of @now and a
 * server_ip that is not an address; in text (host, path, method) control
 * bytes (C0, DEL, C1) and bytes that are not UTF-8 are written %XX and an
 * over-long value is cut between characters, outside any %XX escape.  Each
 * such field is flagged in ev->normalised; a cut host or path (or one the
 * event says the dataplane cut: "host_truncated", "path_truncated") also
 * sets ev->host_truncated or ev->path_truncated.  No host, or an empty
 * one, is ev->host "".  A client longer than CTL_CLIENT_MAX is replaced by
 * its BLAKE2b-256 (hex).  Unknown fields are ignored (the dataplane may
 * send more, such as "digests").  ev->client holds the client value as
 * received: run ctl_event_pseudo() before storing.  Returns 0, or -EINVAL
 * with @err saying why.
 */
int ctl_event_parse(const cJSON *obj, int64_t now, struct ctl_event *ev, struct hwall_err *err);

/*
 * Detach the optional "flow" member ({"client_ip":ADDR,"client_port":N})
 * from the event object @obj and free it, whatever it holds, so that
 * nothing after this call sees it.  A valid flow needs the event's
 * server_ip (same address family) and a non-zero server_port too.  Returns
 * 1 with *ret filled, 0 when there was no flow, or -EINVAL with @err
 * saying why (never quoting the value): the caller ignores the flow, not
 * the event.
 */
int ctl_event_take_flow(cJSON *obj, struct ctl_flow *ret, struct hwall_err *err);

/* Overwrite @f with zeros in a way the compiler keeps. */
void ctl_flow_wipe(struct ctl_flow *f);

/*
 * Replace ev->client by keyed BLAKE2b(@key, client), 16 bytes, in hex (a
 * MAC: the same client gives the same pseudonym under one key, and nothing
 * links it back to the client without the key); an empty client stays
 * empty.  Returns true when the received value
 * looked like a plain IPv4 or IPv6 address (it is still only stored keyed).
 */
bool ctl_event_pseudo(struct ctl_event *ev, const uint8_t key[CTL_CLIENT_KEY_LEN]);

/*
 * Load the key from @path (exactly CTL_CLIENT_KEY_LEN bytes), creating it
 * with fresh random bytes and mode 0600 when it does not exist.  Returns 0,
 * -EPERM when group or others may access the file (whoever reads the key
 * can test guessed addresses against the pseudonyms), -EINVAL for a file
 * of the wrong size, or -errno.
 */
int ctl_client_key_load(const char *path, uint8_t ret_key[CTL_CLIENT_KEY_LEN]);

#endif
