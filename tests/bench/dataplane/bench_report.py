#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench_report.py - print the dataplane benchmark's figures next to the
issue's targets (PASS/MISS), from what bench_replay.sh collected in DIR:

  manifest.json        the generator's manifest of the capture
  run-NAME.json        the stats event of `hashwall-dataplane replay`
  run-NAME.err         its stderr (per-worker packet shares)
  run-NAME.load        /proc/loadavg right after the run
  ref.jsonl, ref.load  bench_hash_ref's references

A MISS is printed, never turned into a failure: benchmarks print, tests
assert.  Exit 1 only when a file is missing or malformed.
"""
import json
import os
import re
import sys

TARGET_XXH3 = 25.0      # Gbit/s of body per worker core, xxh3-128 alone
TARGET_MD5_SHA1 = 5.0   # Gbit/s of body per worker core, md5 and sha1 on
TARGET_SCALING = 1.8    # 2 workers against 1, aggregate throughput


def load(d, name):
    with open(os.path.join(d, name)) as f:
        return f.read()


def stats(d, run):
    s = json.loads(load(d, "run-%s.json" % run).strip().splitlines()[-1])
    if s.get("event") != "stats" or "gbps_per_core" not in s:
        raise ValueError("run-%s.json: not a stats event with worker time" % run)
    s["load"] = load(d, "run-%s.load" % run).split()[0]
    shares = [int(n) for n in re.findall(r"worker \d+: (\d+) packets", load(d, "run-%s.err" % run))]
    s["shares"] = shares or [s["packets"]]
    return s


def verdict(value, target):
    return "PASS" if value >= target else "MISS"


def row(label, value, unit, target, load_avg):
    print("  %-44s %8.2f %-8s target >= %-5g %s   load %s"
          % (label, value, unit, target, verdict(value, target), load_avg))


def detail(s):
    on_cpu = 100.0 * s["worker_cpu_seconds"] / s["worker_seconds"] if s["worker_seconds"] else 0
    body_per_pkt = s["body_bytes"] / s["packets"] if s["packets"] else 0
    cpb = s["worker_cycles"] / s["body_bytes"] if s["body_bytes"] else 0
    print("  %-44s %8.0f cycles   (%.2f TSC cycles per body byte, %.0f body bytes per packet;"
          % ("  cycles per packet", s["cycles_per_packet"], cpb, body_per_pkt))
    print("  %-44s          %.2f Gbit/s wall, %.3f s, workers on CPU %.0f%% of their time)"
          % ("", s["gbps"], s["seconds"], on_cpu))


def capture_line(d, one):
    m = json.loads(load(d, "manifest.json"))
    objs = [o for o in m["objects"] if o.get("size", 0) > 0]
    sizes = sorted(o["size"] for o in objs)
    mean = sum(sizes) / len(sizes) if sizes else 0
    passes = one["objects"] // max(1, len(m["objects"]))
    print("capture: %.0f MiB of body in %d responses (mean %.1f KB, median %.1f KB, max %.1f KB),"
          % (sum(sizes) / 2**20, len(sizes), mean / 1e3, sizes[len(sizes) // 2] / 1e3,
             sizes[-1] / 1e3))
    print("         %d packets, %d connections interleaved; %d passes from memory per run;"
          " TSC %.3f GHz"
          % (m["packets"], len(m["flows"]), passes, one["tsc_hz"] / 1e9))


def references(d):
    refs = {}
    for line in load(d, "ref.jsonl").splitlines():
        r = json.loads(line)
        refs[r["ref"]] = r
    print("reference limits, one core, the same bodies held in memory (bench_hash_ref, load %s):"
          % load(d, "ref.load").split()[0])
    for name, what in (("xxh3-128", "xxh3-128, one call per body (%s)"),
                       ("xxh3-128/seg", "xxh3-128 fed 1460 bytes at a time (%s)"),
                       ("xxh3-128/page", "... 1460 bytes per 4 KiB page, as replay mbufs"),
                       ("xxh3-128/huge", "... the same layout in 2 MiB pages (THP)"),
                       ("libxxhash", "xxh3-128 of the system libxxhash"),
                       ("md5+sha1", "md5+sha1 (OpenSSL EVP)"),
                       ("xxh3+md5+sha1", "xxh3-128+md5+sha1"),
                       ("read", "plain read of every byte")):
        r = refs[name]
        label = what % r["impl"] if "%s" in what else what
        print("  %-44s %8.2f Gbit/s" % (label, r["gbps"]))
    return refs


def main():
    d = sys.argv[1]
    one, md, two = stats(d, "xxh3"), stats(d, "md5-sha1"), stats(d, "xxh3-2w")
    capture_line(d, one)
    print("dataplane replay (hashwall-dataplane replay --loop; Gbit/s of body bytes per busy"
          " worker core, TSC time):")
    row("xxh3-128, 1 worker", one["gbps_per_core"], "Gbit/s", TARGET_XXH3, one["load"])
    detail(one)
    row("md5+sha1 on (and xxh3-128), 1 worker", md["gbps_per_core"], "Gbit/s",
        TARGET_MD5_SHA1, md["load"])
    detail(md)
    ratio = two["gbps"] / one["gbps"] if one["gbps"] else 0
    bound = sum(two["shares"]) / max(two["shares"])
    row("2 workers against 1 (xxh3-128, wall Gbit/s)", ratio, "x", TARGET_SCALING, two["load"])
    print("  %-44s %8.2f Gbit/s per busy core, 2 workers; flow split %s packets:"
          " perfect scaling would give %.2fx"
          % ("", two["gbps_per_core"], "/".join(str(n) for n in two["shares"]), bound))
    detail(two)
    refs = references(d)
    print("dataplane against the reference: xxh3-128 %.0f%%, md5+sha1 %.0f%% of one core's limit"
          % (100 * one["gbps_per_core"] / refs["xxh3-128"]["gbps"],
             100 * md["gbps_per_core"] / refs["xxh3+md5+sha1"]["gbps"]))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError, KeyError, IndexError) as e:
        print("bench_report: %s" % e, file=sys.stderr)
        sys.exit(1)
