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

#include "control/store.h"

#define CTL_CLIENT_KEY_LEN 32 /* bytes of the pseudonymisation key */

/*
 * Fill @ev from the JSON object @obj.  Required: set, algo, digest, host,
 * path.  Optional (defaults 0, "" or false): set_version, server_ip,
 * server_port, client, method, status, size, complete, partial, category,
 * ref, ts (unix seconds; @now when absent).  Unknown fields are ignored
 * (the dataplane may send more, such as "digests").  Strings with control
 * characters, over-long strings, a digest of the wrong length for its
 * algorithm and a server_ip that is not an address are refused.
 * ev->client holds the client value as received: run ctl_event_pseudo()
 * before storing.  Returns 0 or -EINVAL with @err (of @errlen) saying why.
 */
int ctl_event_parse(const cJSON *obj, int64_t now, struct ctl_event *ev, char *err,
		    size_t errlen);

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
 * -EINVAL for a file of the wrong size, or -errno.
 */
int ctl_client_key_load(const char *path, uint8_t ret_key[CTL_CLIENT_KEY_LEN]);

#endif
