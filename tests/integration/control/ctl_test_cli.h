/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_test_cli.h - hashwallctl run in-process against the test server of
 * ctl_test_server.h (include that first), its output captured.
 */
#ifndef HASHWALL_TESTS_CTL_TEST_CLI_H
#define HASHWALL_TESTS_CTL_TEST_CLI_H

#include "control/ctl_cli.h"

#include <stdio.h>

static char out[65536], errout[4096];

/* Read what @f holds into @buf (@cap bytes, NUL-terminated) and close it. */
static inline void slurp(FILE *f, char *buf, size_t cap)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Run hashwallctl with @args (NULL-ended); stdout into `out`, stderr into
 * `errout`. */
static inline int run(const char *const *args)
{
	char *argv[24], url[64];
	struct ctl_cli cli;
	FILE *o = tmpfile(), *e = tmpfile();
	int argc = 0, r;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	argv[argc++] = (char *)"hashwallctl";
	argv[argc++] = (char *)"--url";
	argv[argc++] = url;
	for (int i = 0; args[i] && argc < 23; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	cli = (struct ctl_cli){ .out = o, .err = e };
	r = ctl_cli_run(&cli, argc, argv);
	slurp(o, out, sizeof(out));
	slurp(e, errout, sizeof(errout));
	return r;
}

#endif
