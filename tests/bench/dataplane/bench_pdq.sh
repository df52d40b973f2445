#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench_pdq.sh - does the PDQ stage cost the fast path anything?  (issue
# 15; docs/benchmarks.md, "PDQ stage").  One run:
#  1. ImageMagick draws the traffic: 12 photos-sized JPEGs (1600x1000),
#     24 thumbnails (256x256 JPEG, PNG, WebP, GIF) and 12 bodies of PRNG
#     bytes (not images), served once each in a capture (pdq_pcap.py);
#  2. hashwall-dataplane replays it from memory LOOPS times with one worker,
#     alternately without and with --pdq, ROUNDS times each;
#  3. it prints the worker's per-core Gbit/s of each run (the fast path:
#     gbps_per_core counts worker time only), the median of each side, the
#     ratio, the PDQ counters (bodies queued, skipped because the queue was
#     full, decoded, answered from the cache) and the load average.
# Nothing is asserted about time.  The PDQ stage's own speed (images per
# second through the decoder) is bench_pdq in tests/bench/hashsync/pdq.
#
#   bench_pdq.sh DATAPLANE PDQ_PCAP_PY [LOOPS [ROUNDS]]   (defaults 200, 3)
# Many loops: the first pass pays for faulting in the copy buffers (a few
# MiB, once per process), which a short run would mostly measure.
set -euo pipefail
dp=$(realpath "$1") pcap_py=$(realpath "$2") loops=${3:-200} rounds=${4:-3}
command -v convert >/dev/null || { echo "SKIP: ImageMagick's convert is not installed"; exit 77; }
dir=$(mktemp -d /tmp/hw-bench-pdq-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

for i in $(seq 12); do
	convert -seed "$i" -size 1600x1000 plasma:fractal -blur 0x1 -quality 85 "photo$i.jpg"
done
fmts=(jpg png webp gif)
for i in $(seq 24); do
	convert -seed "$((100 + i))" -size 256x256 plasma:fractal "thumb$i.${fmts[$((i % 4))]}"
done
for i in $(seq 12); do head -c $((40000 + i * 9000)) /dev/urandom >"prng$i.bin"; done
python3 "$pcap_py" cap.pcap photo*.jpg thumb*.* prng*.bin

run() { # NAME ARGS...: the stats event of one replay
	local name=$1
	shift
	"$dp" replay --pcap cap.pcap --loop "$loops" "$@" 2>"$name.err" | tail -n 1 >"$name.json"
	cat /proc/loadavg >"$name.load"
}
for r in $(seq "$rounds"); do
	run "off-$r"
	run "on-$r" --pdq
done
python3 - "$rounds" "$loops" <<'PY'
import json, statistics, sys
rounds, loops = int(sys.argv[1]), int(sys.argv[2])
side = {"off": [], "on": []}
print("run     Gbit/s/core  body MB  pdq queued  queue full  decoded  cache hits  load")
for r in range(1, rounds + 1):
    for s in ("off", "on"):
        st = json.load(open("%s-%d.json" % (s, r)))
        load = open("%s-%d.load" % (s, r)).read().split()[:3]
        side[s].append(st["gbps_per_core"])
        print("%-7s %11.3f  %7.1f  %10d  %10d  %7d  %10d  %s" % (
            "%s-%d" % (s, r), st["gbps_per_core"], st["body_bytes"] / 1e6, st["pdq_queued"],
            st["pdq_skip_queue_full"], st["pdq_decoded"], st["pdq_cache_hits"], " ".join(load)))
off, on = statistics.median(side["off"]), statistics.median(side["on"])
print("median per-core Gbit/s of the fast path: without PDQ %.3f, with PDQ %.3f (%.1f%%)" % (
    off, on, 100.0 * (on - off) / off if off else 0.0))
PY
