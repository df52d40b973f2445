/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_test_event.h - synthetic match events for control's tests: digests
 * and pseudonyms come from the test PRNG, never from real content.
 */
#ifndef HASHWALL_TESTS_CTL_TEST_EVENT_H
#define HASHWALL_TESTS_CTL_TEST_EVENT_H

#include "control/store.h"
#include "hwall_test.h"

#include <stdio.h>
#include <string.h>

/* A match event for set "test", URL http://@host@path, digest from @seed. */
static inline void ctl_test_event(struct ctl_event *ev, uint64_t seed, const char *host,
				  const char *path, int64_t ts)
{
	uint8_t d[16], c[8];
	uint64_t st = seed;

	memset(ev, 0, sizeof(*ev));
	hwall_test_rand_bytes(&st, d, sizeof(d));
	hwall_test_rand_bytes(&st, c, sizeof(c));
	snprintf(ev->set, sizeof(ev->set), "test");
	ev->set_version = 7;
	ev->algo = HWALL_ALGO_XXH3_128;
	hwall_hex_format(d, sizeof(d), ev->digest);
	snprintf(ev->host, sizeof(ev->host), "%s", host);
	snprintf(ev->path, sizeof(ev->path), "%s", path);
	snprintf(ev->method, sizeof(ev->method), "GET");
	snprintf(ev->server_ip, sizeof(ev->server_ip), "192.0.2.10");
	ev->server_port = 80;
	hwall_hex_format(c, sizeof(c), ev->client);
	ev->http_status = 200;
	ev->size = 1000 + seed;
	ev->complete = true;
	ev->category = 1;
	ev->ref = (uint32_t)(100 + seed);
	ev->ts = ts;
}

#endif
