#!/usr/bin/env bash
# bench_big.sh - issue 12's "one single large download is never slower than
# today": one object of MIB MiB on one connection, replayed LOOPS times per
# run with md5 and sha1 on, by the CPU's implementation (auto: the object
# takes mbhash's direct single-stream path) and by `--mbh-impl scalar`
# (OpenSSL's single-stream block functions, the baseline), ROUNDS times,
# each round the other one first; then md5 alone and sha1 alone.  Prints
# Gbit/s of body per CPU second of the worker, the ratio to the baseline
# of the same round, and the load average.  Nothing asserted about time.
#
#   bench_big.sh GEN DATAPLANE [MIB [LOOPS [ROUNDS]]]   (defaults 128, 5, 3)
set -euo pipefail

gen=$1 dp=$2 mib=${3:-128} loops=${4:-5} rounds=${5:-3}
dir=$(mktemp -d /tmp/hw-bench-big-XXXXXX)
trap 'rm -rf "$dir"' EXIT

"$gen" --scenario bench --bench-bytes $((mib << 20)) --bench-conns 1 \
	--bench-mean $((mib << 20)) --bench-sigma 0 --bench-max $((mib << 20)) \
	--out "$dir/big.pcap" --manifest "$dir/big.json" >/dev/null 2>"$dir/gen.err" ||
	{ cat "$dir/gen.err" >&2; exit 1; }

# gbps HASH ARGS...: one replay's body Gbit/s per worker CPU second.
gbps() {
	local hash=$1
	shift
	"$dp" replay --pcap "$dir/big.pcap" --loop "$loops" --hash "$hash" "$@" 2>/dev/null |
		tail -n 1 | python3 -c 'import json, sys
e = json.load(sys.stdin)
print("%.2f" % (e["body_bytes"] * 8 / e["worker_cpu_seconds"] / 1e9))'
}

echo "one ${mib} MiB object, ${loops} passes per run; Gbit/s per CPU second of the worker"
for hash in md5,sha1 md5 sha1; do
	for r in $(seq "$rounds"); do
		# Which goes first alternates: a neighbour's load drifts.
		if ((r % 2)); then
			base=$(gbps "$hash" --mbh-impl scalar)
			auto=$(gbps "$hash")
		else
			auto=$(gbps "$hash")
			base=$(gbps "$hash" --mbh-impl scalar)
		fi
		printf '%-9s round %d  openssl-single %6s  auto %6s  x%s  load %s\n' "$hash" "$r" \
			"$base" "$auto" "$(python3 -c "print('%.2f' % ($auto / $base))")" \
			"$(cut -d' ' -f1-3 /proc/loadavg)"
	done
done
