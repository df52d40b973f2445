/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * metrics.c - names and help texts of controld's counters (metrics.h).
 */
#include "control/metrics.h"

static const char *const names[CTL_CTR_COUNT] = {
#define CTL_X_NAME(e, name, help) [CTL_CTR_##e] = name,
	CTL_COUNTER_TABLE(CTL_X_NAME)
#undef CTL_X_NAME
};

static const char *const helps[CTL_CTR_COUNT] = {
#define CTL_X_HELP(e, name, help) [CTL_CTR_##e] = help,
	CTL_COUNTER_TABLE(CTL_X_HELP)
#undef CTL_X_HELP
};

const char *ctl_counter_name(enum ctl_counter ctr)
{
	return (unsigned int)ctr < CTL_CTR_COUNT ? names[ctr] : "?";
}

const char *ctl_counter_help(enum ctl_counter ctr)
{
	return (unsigned int)ctr < CTL_CTR_COUNT ? helps[ctr] : "?";
}
