#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench_report.py - print the dataplane benchmark's figures next to the
issue's targets (PASS/MISS), from what bench_replay.sh collected in DIR:

  manifest.json        the generator's manifest of the capture
  run-NAME.json        the stats event of `hashwall-dataplane replay`
  run-NAME.err         its stderr (per-worker packets and CPU time)
  run-NAME.load        /proc/loadavg right after the run
  ref.jsonl, ref.load  bench_hash_ref's references

Per-core figures are given twice: over the CPU time of the worker threads
(what the code does with the core time it gets: the verdicts use these)
and over their TSC (wall) time on their cores, which on a shared machine
also counts the time other processes held the core.  Cycles are TSC ticks.
A MISS is printed, never turned into a failure: benchmarks print, tests
assert.  Exit 1 only when a file is missing or malformed.
"""
import json
import os
import re
import sys

TARGET_XXH3 = 25.0      # Gbit/s of body per worker core, xxh3-128 alone
TARGET_MD5_SHA1 = 5.0   # Gbit/s of body per worker core, md5 and sha1 on
TARGET_SCALING = 1.8    # 2 workers against 1


def load(d, name):
    with open(os.path.join(d, name)) as f:
        return f.read()


def stats(d, run):
    s = json.loads(load(d, "run-%s.json" % run).strip().splitlines()[-1])
    if s.get("event") != "stats" or "worker_cpu_seconds" not in s:
        raise ValueError("run-%s.json: not a stats event with worker time" % run)
    s["load"] = load(d, "run-%s.load" % run).split()[0]
    workers = re.findall(r"worker \d+: (\d+) packets, \d+ objects, (\d+) body bytes, \d+ TSC"
                         r" cycles, ([0-9.]+) s on CPU", load(d, "run-%s.err" % run))
    s["shares"] = [int(p) for p, _, _ in workers] or [s["packets"]]
    s["body_each"] = [int(b) for _, b, _ in workers] or [s["body_bytes"]]
    s["cpu_each"] = [float(c) for _, _, c in workers] or [s["worker_cpu_seconds"]]
    cpu = s["worker_cpu_seconds"]
    s["gbps_cpu"] = s["body_bytes"] * 8 / cpu / 1e9 if cpu else 0
    s["cpp_cpu"] = cpu * s["tsc_hz"] / s["packets"] if s["packets"] else 0
    s["on_cpu"] = 100.0 * cpu / s["worker_seconds"] if s["worker_seconds"] else 0
    return s


def row(label, value, unit, target, load_avg):
    print("  %-40s %7.2f %-7s target >= %-4g %s   (load %s)"
          % (label, value, unit, target, "PASS" if value >= target else "MISS", load_avg))


def detail(s):
    body_per_pkt = s["body_bytes"] / s["packets"] if s["packets"] else 0
    print("  %-40s %7.0f         %.0f TSC time; %.2f cycles per body byte, %.0f body bytes/packet"
          % ("  cycles per packet (CPU time)", s["cpp_cpu"], s["cycles_per_packet"],
             s["cpp_cpu"] / body_per_pkt if body_per_pkt else 0, body_per_pkt))
    print("  %-40s %7.2f Gbit/s  %.2f Gbit/s wall; workers on CPU %.0f%% of their time"
          % ("  per core over TSC time", s["gbps_per_core"], s["gbps"], s["on_cpu"]))


def capture_line(d, one, loops):
    m = json.loads(load(d, "manifest.json"))
    sizes = sorted(o["size"] for o in m["objects"] if o.get("size", 0) > 0)
    print("capture: %.0f MiB of body in %d responses (mean %.1f KB, median %.1f KB, max %.1f KB),"
          % (sum(sizes) / 2**20, len(sizes), sum(sizes) / len(sizes) / 1e3,
             sizes[len(sizes) // 2] / 1e3, sizes[-1] / 1e3))
    print("         %d packets, %d connections interleaved; %s passes from memory per run;"
          " TSC %.3f GHz" % (m["packets"], len(m["flows"]), loops, one["tsc_hz"] / 1e9))


def scaling(one, two):
    """2 workers against 1: wall throughput (the verdict), and the same
    had each worker had its core to itself (1 worker's CPU time over the
    busiest worker's), and the bound the split of the body bytes between
    the workers sets (ACKs make packets a poor measure of the work)."""
    wall = two["gbps"] / one["gbps"] if one["gbps"] else 0
    own = one["worker_cpu_seconds"] / max(two["cpu_each"]) if max(two["cpu_each"]) else 0
    bound = sum(two["body_each"]) / max(two["body_each"]) if max(two["body_each"]) else 0
    row("2 workers against 1 (xxh3-128, wall)", wall, "x", TARGET_SCALING, two["load"])
    print("  %-40s %7.2f x       %.2f against %.2f Gbit/s wall" % ("", wall, two["gbps"], one["gbps"]))
    print("  %-40s %7.2f x       had each worker had its core (CPU time of the busiest)"
          % ("", own))
    print("  %-40s %7.2f x       at most with this split of the body bytes (%s MB; %s packets)"
          % ("", bound, "/".join("%.0f" % (b / 1e6) for b in two["body_each"]),
             "/".join(str(n) for n in two["shares"])))
    detail(two)


def references(d):
    refs = {}
    for line in load(d, "ref.jsonl").splitlines():
        r = json.loads(line)
        refs[r["ref"]] = r
    print("reference limits: one core, the same bodies in memory (bench_hash_ref, load %s):"
          % load(d, "ref.load").split()[0])
    for name, what in (("xxh3-128", "xxh3-128, one call per body (%s)"),
                       ("xxh3-128/seg", "xxh3-128 in 1460-byte pieces"),
                       ("xxh3-128/page", "  one piece per 4 KiB page (replay)"),
                       ("xxh3-128/page+pf", "  the same, 2 pieces prefetched ahead"),
                       ("xxh3-128/huge", "  one piece per 4 KiB of 2 MiB pages"),
                       ("libxxhash", "xxh3-128 of the system libxxhash"),
                       ("md5", "md5 alone (OpenSSL EVP)"),
                       ("sha1", "sha1 alone (OpenSSL EVP)"),
                       ("md5+sha1", "md5+sha1 (OpenSSL EVP)"),
                       ("xxh3+md5+sha1", "xxh3-128+md5+sha1"),
                       ("read", "plain read of every byte")):
        r = refs[name]
        label = what % r["impl"] if "%s" in what else what
        print("  %-40s %7.2f Gbit/s  (CPU time; %.2f wall)"
              % (label, r["gbps_cpu"], r["gbps"]))
    return refs


def main():
    d, loops = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "?"
    one, md, two = stats(d, "xxh3"), stats(d, "md5-sha1"), stats(d, "xxh3-2w")
    capture_line(d, one, loops)
    print("dataplane replay: Gbit/s of body bytes per worker core, over the workers' CPU time")
    row("xxh3-128, 1 worker", one["gbps_cpu"], "Gbit/s", TARGET_XXH3, one["load"])
    detail(one)
    row("md5+sha1 on (and xxh3-128), 1 worker", md["gbps_cpu"], "Gbit/s", TARGET_MD5_SHA1,
        md["load"])
    detail(md)
    scaling(one, two)
    refs = references(d)
    print("dataplane against one core's limit: xxh3-128 %.0f%% of contiguous bodies, %.0f%% of"
          " the replay's layout (prefetched); md5+sha1 %.0f%% of xxh3-128+md5+sha1"
          % (100 * one["gbps_cpu"] / refs["xxh3-128"]["gbps_cpu"],
             100 * one["gbps_cpu"] / refs["xxh3-128/page+pf"]["gbps_cpu"],
             100 * md["gbps_cpu"] / refs["xxh3+md5+sha1"]["gbps_cpu"]))
    if min(one["on_cpu"], md["on_cpu"], two["on_cpu"]) < 90:
        print("note: the workers were off CPU for part of the runs (shared machine): the wall"
              " and TSC figures understate the code; repeat on a quiet machine")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError, KeyError, IndexError, ZeroDivisionError) as e:
        print("bench_report: %s" % e, file=sys.stderr)
        sys.exit(1)
