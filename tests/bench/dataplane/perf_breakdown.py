#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""perf_breakdown.py - where a replay's worker time goes, from a
`perf record --call-graph dwarf` of `hashwall-dataplane replay`: the share
of each leaf function among the samples whose call chain passes through
ROOT (default worker_main, i.e. the passes, not the loading).  Samples in
a stripped library (libcrypto's md5/sha1 assembly) are named by library
and 4 KiB page of code.

  perf record -e cpu-clock -F 499 --call-graph dwarf,8192 -o perf.data \\
      build/dataplane/hashwall-dataplane replay --pcap bench.pcap --loop 40
  tests/bench/dataplane/perf_breakdown.py perf.data [ROOT [TOP]]
"""
import collections
import subprocess
import sys


def leaf_name(line):
    # "    7f12345 symbol+0x12 (dso)" or "    7f12345 [unknown] (dso)"
    parts = line.split(None, 1)
    if len(parts) < 2:
        return "?"
    ip, rest = parts
    if rest.startswith("[unknown]"):
        dso = rest.rsplit("(", 1)[-1].rstrip(")").rsplit("/", 1)[-1]
        return "%s@page %#x" % (dso, int(ip, 16) >> 12 << 12)
    return rest.split("+0x")[0].split(" (")[0]


def main():
    data = sys.argv[1]
    root = sys.argv[2] if len(sys.argv) > 2 else "worker_main"
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    out = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym,dso", "--no-inline"],
                         capture_output=True, text=True, check=True).stdout
    leaves = collections.Counter()
    under = total = 0
    for block in out.split("\n\n"):
        lines = [l.strip() for l in block.strip().splitlines() if l.strip()]
        if not lines:
            continue
        total += 1
        if not any(root in l for l in lines):
            continue
        under += 1
        leaves[leaf_name(lines[0])] += 1
    if not under:
        print("no sample under %s (of %d)" % (root, total))
        return 1
    print("%d of %d samples under %s; self share of each leaf:" % (under, total, root))
    for name, n in leaves.most_common(top):
        print("%5.1f%%  %s" % (100.0 * n / under, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
