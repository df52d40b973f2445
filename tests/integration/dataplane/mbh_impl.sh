#!/usr/bin/env bash
# mbh_impl.sh - the md5/sha1 implementation can be forced by --mbh-impl and
# by $HASHWALL_MBH_IMPL, and the stats event names the one that ran; a bad
# name is refused (usage, exit 2; environment: the worker does not start).
#
#   mbh_impl.sh DATAPLANE GEN
set -euo pipefail

dp=$1 gen=$2
dir=$(mktemp -d /tmp/hw-mbh-impl-XXXXXX)
trap 'rm -rf "$dir"' EXIT

"$gen" --scenario keepalive --out "$dir/c.pcap" --manifest "$dir/m.json" >/dev/null 2>&1

# expect_impl NAME ENV_VALUE ARGS...: the stats event says "mbh_impl":NAME.
expect_impl() {
	local name=$1 env=$2
	shift 2
	HASHWALL_MBH_IMPL=$env "$dp" replay --pcap "$dir/c.pcap" --hash md5,sha1 "$@" \
		2>"$dir/err" | tail -n 1 >"$dir/stats"
	if ! grep -q "\"mbh_impl\":\"$name\"" "$dir/stats"; then
		echo "FAIL: env '$env' args '$*': want $name: $(grep -o '"mbh_impl":"[^"]*"' "$dir/stats")"
		exit 1
	fi
}

for impl in avx512 avx2 scalar; do
	if [[ $impl != scalar ]] && ! grep -qw "${impl/avx512/avx512bw}" /proc/cpuinfo; then
		echo "skip $impl: not on this CPU"
		continue
	fi
	expect_impl "$impl" "" --mbh-impl "$impl"
	expect_impl "$impl" "$impl"
	expect_impl "$impl" bogus --mbh-impl "$impl" # the option wins over the environment
done

rc=0
"$dp" replay --pcap "$dir/c.pcap" --mbh-impl avx9 >/dev/null 2>"$dir/err" || rc=$?
[[ $rc == 2 ]] && grep -q -- "--mbh-impl: 'avx9'" "$dir/err" ||
	{ echo "FAIL: --mbh-impl avx9: exit $rc: $(head -c 300 "$dir/err")"; exit 1; }
rc=0
HASHWALL_MBH_IMPL=avx9 "$dp" replay --pcap "$dir/c.pcap" >/dev/null 2>"$dir/err" || rc=$?
[[ $rc == 1 ]] && grep -q "worker 0 setup" "$dir/err" ||
	{ echo "FAIL: HASHWALL_MBH_IMPL=avx9: exit $rc: $(head -c 300 "$dir/err")"; exit 1; }
echo ok
