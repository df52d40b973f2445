/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target over the ingest side's match event parsing
 * (ctl_event_parse) and client pseudonymisation: whatever a dataplane
 * sends, the parser either fills a consistent event or refuses it with a
 * message, and the pseudonym is always hex.  A parsed event's text is
 * clean (no control byte, UTF-8) and within its limits, its time within
 * a day of the receive time.  The flow is taken out first,
 * as ingest does: afterwards the object holds no "flow", and a flow taken
 * is of one address family with non-zero ports.
 */
#include "control/event.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* No C0 control or DEL, and not C1 (U+0080..U+009F, UTF-8 C2 80..C2 9F). */
static bool clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
			return false;
	return true;
}

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
		if (!ev.set[0] || !clean(ev.host) || !clean(ev.path) || !clean(ev.method) ||
		    ev.ts < 0 || ev.ts > 1000 + CTL_EVENT_TS_AHEAD_MAX ||
		    strlen(ev.digest) != 2 * hwall_algo_len(ev.algo) ||
		    strspn(ev.client, "0123456789abcdef") != strlen(ev.client))
			abort();
	} else if (!err.msg[0]) {
		abort();
	}
	cJSON_Delete(obj);
	return 0;
}
