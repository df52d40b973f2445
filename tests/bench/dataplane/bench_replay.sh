#!/usr/bin/env bash
# bench_replay.sh - the dataplane throughput benchmark of issue 4, in one
# run (see docs/benchmarks.md):
#  1. hashwall-gen writes the bench capture: MIB MiB of HTTP/1.1 responses,
#     lognormal body sizes (mean 60 KB, sigma 1), MSS-sized segments,
#     16 keep-alive connections interleaved segment by segment;
#  2. hashwall-dataplane replays it from memory LOOPS times: xxh3-128 with
#     one worker, md5 and sha1 on with one worker, xxh3-128 with two;
#  3. bench_hash_ref hashes the same bodies, taken out of the capture, on
#     one core (the reference limits);
#  4. bench_report.py prints the figures, the targets and PASS/MISS, with
#     the load average after each run.
# A MISS does not fail the run (benchmarks print, tests assert).
#
#   bench_replay.sh GEN DATAPLANE HASH_REF [MIB [LOOPS]]   (defaults 130, 10)
#
# HWALL_BENCH_MIB / HWALL_BENCH_LOOPS set the defaults; HWALL_BENCH_CONNS changes
# the number of connections (default 16, as the issue asks); HWALL_BENCH_KEEP=DIR
# keeps the capture and the raw results there instead of a temporary
# directory.
set -euo pipefail

gen=$1 dp=$2 ref=$3
mib=${4:-${HWALL_BENCH_MIB:-130}} loops=${5:-${HWALL_BENCH_LOOPS:-10}}
here=$(dirname "$(readlink -f "$0")")
if [[ -n ${HWALL_BENCH_KEEP:-} ]]; then
	dir=$HWALL_BENCH_KEEP
	mkdir -p "$dir"
else
	dir=$(mktemp -d /tmp/hw-bench-dp-XXXXXX)
	trap 'rm -rf "$dir"' EXIT
fi

"$gen" --scenario bench --bench-bytes $((mib << 20)) --bench-conns "${HWALL_BENCH_CONNS:-16}" \
	--out "$dir/bench.pcap" \
	--manifest "$dir/manifest.json" >/dev/null 2>"$dir/gen.err" || { cat "$dir/gen.err" >&2; exit 1; }

# NAME WORKERS [HASH]: one replay, its stats event, stderr and the load.
replay() {
	local name=$1 workers=$2 hash=${3:-}
	"$dp" replay --pcap "$dir/bench.pcap" --loop "$loops" --workers "$workers" \
		${hash:+--hash "$hash"} 2>"$dir/run-$name.err" | tail -n 1 >"$dir/run-$name.json"
	cp /proc/loadavg "$dir/run-$name.load"
}

replay xxh3 1
replay md5-sha1 1 md5,sha1
replay xxh3-2w 2
"$ref" "$dir/bench.pcap" "$dir/manifest.json" 3 >"$dir/ref.jsonl"
cp /proc/loadavg "$dir/ref.load"
python3 "$here/bench_report.py" "$dir" "$loops"
