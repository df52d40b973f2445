/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * main.c - hashwall-dataplane: the live mode (--config FILE) or the replay
 * subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "dataplane/live/live_run.h"
#include "dataplane/replay/replay.h"

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "replay") == 0)
		return dp_replay_main(argc - 1, argv + 1);
	return dp_live_main(argc, argv);
}
