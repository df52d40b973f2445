/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * main.c - hashwall-dataplane: picks the subcommand.  The live mode (ports,
 * hardware profiles, telemetry) comes with the rest of issue 4.
 */
#include <stdio.h>
#include <string.h>

#include "dataplane/replay.h"

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "replay") == 0)
		return dp_replay_main(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		puts("usage: hashwall-dataplane replay --pcap FILE [options]   (see replay --help)");
		return 0;
	}
	fputs("usage: hashwall-dataplane replay --pcap FILE [options]   (see replay --help)\n", stderr);
	return 2;
}
