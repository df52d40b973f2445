/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target over the ingest side's match event parsing
 * (ctl_event_parse) and client pseudonymisation: whatever a dataplane
 * sends, the parser either fills a consistent event or refuses it with a
 * message, and the pseudonym is always hex.  The flow is taken out first,
 * as ingest does: afterwards the object holds no "flow", and a flow taken
 * is of one address family with non-zero ports.
 */
#include "control/event.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[CTL_CLIENT_KEY_LEN] = { 1 };
	struct ctl_event ev;
	struct ctl_flow flow;
	struct hwall_err err = { { 0 } };
	cJSON *obj = cJSON_ParseWithLength((const char *)data, size);
	int fl = ctl_event_take_flow(obj, &flow, &err);

	if ((fl < 0 && !err.msg[0]) || cJSON_GetObjectItemCaseSensitive(obj, "flow") ||
	    (fl == 1 && ((flow.family != 4 && flow.family != 6) || !flow.client_port ||
			 !flow.server_port)))
		abort();
	err.msg[0] = '\0';
	if (ctl_event_parse(obj, 1000, &ev, &err) == 0) {
		ctl_event_pseudo(&ev, key);
		if (!ev.set[0] || !ev.host[0] || !ev.path[0] ||
		    strlen(ev.digest) != 2 * hwall_algo_len(ev.algo) ||
		    strspn(ev.client, "0123456789abcdef") != strlen(ev.client))
			abort();
	} else if (!err.msg[0]) {
		abort();
	}
	cJSON_Delete(obj);
	return 0;
}
