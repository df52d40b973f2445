/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * store_status.c - the review workflow's states by name: what the API, the
 * exports and every store back end write and read (docs/controld.md, "The
 * review workflow"), the scopes of a false positive's allowlist entry, and
 * the names of the event fields that ingest may normalise, the states of a
 * flood quarantine, and the start of a replica.  Calls nothing; everything
 * else in the store may use it.
 */
#include "control/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[CTL_STATUS_COUNT] = {
	[CTL_STATUS_NEW] = "new",
	[CTL_STATUS_CONFIRMED] = "confirmed",
	[CTL_STATUS_TAKEN_DOWN] = "taken_down",
	[CTL_STATUS_FALSE_POSITIVE] = "false_positive",
};

const char *ctl_status_name(enum ctl_status st)
{
	return (unsigned int)st < CTL_STATUS_COUNT ? status_names[st] : "?";
}

/* The index of @name in @names[@n], or -EINVAL. */
static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -EINVAL;
}

int ctl_status_parse(const char *name)
{
	return name_index(status_names, CTL_STATUS_COUNT, name);
}

bool ctl_status_open(enum ctl_status st)
{
	return st == CTL_STATUS_NEW || st == CTL_STATUS_CONFIRMED;
}

static const char *const field_names[CTL_EVF_COUNT] = {
#define CTL_X_FIELD_NAME(name) [CTL_EVF_##name] = #name,
	CTL_EVENT_FIELD_TABLE(CTL_X_FIELD_NAME)
#undef CTL_X_FIELD_NAME
};

const char *ctl_event_field_name(enum ctl_event_field f)
{
	return (unsigned int)f < CTL_EVF_COUNT ? field_names[f] : "?";
}

static const char *const scope_names[CTL_ALLOW_SCOPE_COUNT] = {
	[CTL_ALLOW_SET] = "set",
	[CTL_ALLOW_GLOBAL] = "global",
};

const char *ctl_allow_scope_name(enum ctl_allow_scope scope)
{
	return (unsigned int)scope < CTL_ALLOW_SCOPE_COUNT ? scope_names[scope] : "?";
}

int ctl_allow_scope_parse(const char *name)
{
	return name_index(scope_names, CTL_ALLOW_SCOPE_COUNT, name);
}

static const char *const quar_names[CTL_QUAR_STATE_COUNT] = {
	[CTL_QUAR_ACTIVE] = "active",
	[CTL_QUAR_RELEASED] = "released",
	[CTL_QUAR_CONFIRMED] = "confirmed",
};

const char *ctl_quarantine_state_name(enum ctl_quarantine_state st)
{
	return (unsigned int)st < CTL_QUAR_STATE_COUNT ? quar_names[st] : "?";
}

int ctl_quarantine_state_parse(const char *name)
{
	return name_index(quar_names, CTL_QUAR_STATE_COUNT, name);
}

void ctl_replica_init(struct ctl_replica *rep, const struct ctl_candidate *c)
{
	struct ctl_event *ev = &rep->ev;

	memset(rep, 0, sizeof(*rep));
	snprintf(ev->set, sizeof(ev->set), "%s", c->set);
	ev->set_version = c->set_version;
	ev->algo = c->algo;
	snprintf(ev->digest, sizeof(ev->digest), "%s", c->digest);
	snprintf(ev->host, sizeof(ev->host), "%s", c->host);
	snprintf(ev->path, sizeof(ev->path), "%s", c->path);
	ev->host_truncated = c->host_truncated;
	ev->path_truncated = c->path_truncated;
	ev->category = c->category;
	ev->ref = c->ref;
}
