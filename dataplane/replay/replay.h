/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay.h - `hashwall-dataplane replay`: run a capture through one worker
 * and print JSON lines (the contract is in docs/dataplane.md).
 */
#ifndef HASHWALL_DATAPLANE_REPLAY_H
#define HASHWALL_DATAPLANE_REPLAY_H

/* Run the replay subcommand (@argv[0] is "replay").  Returns the exit
 * status: 0, 1 on a runtime failure (unreadable capture or set), 2 on bad
 * arguments. */
int dp_replay_main(int argc, char **argv);

#endif
