#!/usr/bin/env bash
# bench_replay.sh - dataplane throughput: generate the benchmark capture
# (many interleaved keep-alive connections, lognormal object sizes), replay
# it from memory N times through one worker, and print the figures, first
# with xxh3-128 only, then with every digest, then xxh3-128 with two
# workers (--workers 2: two lcores).  Disk reads are not timed.
#
#   bench_replay.sh GEN DATAPLANE [MIB [LOOPS]]     (defaults: 128 MiB, 5 passes)
set -euo pipefail

gen=$1 dp=$2 mib=${3:-128} loops=${4:-5}
tmp=$(mktemp -d /tmp/hw-bench-dp-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$gen" --scenario bench --bench-bytes $((mib << 20)) --out "$tmp/bench.pcap" >/dev/null 2>&1
for run in ":1" "md5,sha1,sha256:1" ":2"; do
	hash=${run%:*} workers=${run#*:}
	"$dp" replay --pcap "$tmp/bench.pcap" --loop "$loops" --workers "$workers" \
		${hash:+--hash "$hash"} 2>/dev/null | tail -n 1 |
		python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
algos = "xxh3-128" + ("," + sys.argv[1] if sys.argv[1] else "")
mpps = s["packets"] / s["seconds"] / 1e6
mib = s["body_bytes"] / 2**20
print("dataplane replay, digests %s: %.2f Gbit/s of body, %.2f Mpps, %d objects, "
      "%.0f MiB of body in %.3f s (%s passes from memory, %s worker(s))"
      % (algos, s["gbps"], mpps, s["objects"], mib, s["seconds"], sys.argv[2], sys.argv[3]))' \
		"$hash" "$loops" "$workers"
done
