/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl_cli.h - hashwallctl as a library (ctl_cli.c does the work, ctl.c is
 * its main()), so that tests can run it in-process against a test server
 * and check output and exit codes.
 */
#ifndef HASHWALL_CONTROL_CTL_CLI_H
#define HASHWALL_CONTROL_CTL_CLI_H

#include <stdio.h>

enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_NOT_FOUND = 1,
	CTL_EXIT_USAGE = 2,
	CTL_EXIT_AUTH = 3,
	CTL_EXIT_SERVER = 4,
	CTL_EXIT_TAMPERED = 5, /* audit verify: the chain is broken */
};

struct ctl_cli {
	FILE *out, *err;
};

/* Run hashwallctl with @argc/@argv (argv[0] is the program name); returns
 * the exit code.  curl_global_init() must have been called. */
int ctl_cli_run(struct ctl_cli *cli, int argc, char **argv);

#endif
