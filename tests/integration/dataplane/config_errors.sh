#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# config_errors.sh - `hashwall-dataplane --config FILE` refuses a bad
# configuration with exit status 2 and a message that names the JSON key
# (or the file and line:column), both with --check-config and without
# (before DPDK starts, so no root and no device are needed); a good one
# passes --check-config with `config ok`.  Each bad configuration is the
# good one with one thing changed.  Usage errors exit 2 too; a good
# configuration on an interface that does not exist exits 1 (runtime).
#
# usage: config_errors.sh HASHWALL_DATAPLANE HASHWALL_SET HW_DIR
set -euo pipefail

DP=$(realpath "$1")
HWSET=$(realpath "$2")
HW=$(realpath "$3")
TMP=$(mktemp -d /tmp/hashwall-config-errors.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
FAILS=0

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# A real set, and a copy with a byte changed in the middle of its tables.
for i in $(seq 64); do printf 'xxh3-128 %032x 1 %d\n' "$((i * 7919))" "$i"; done >"$TMP/good.list"
"$HWSET" build --in "$TMP/good.list" --out "$TMP/good.hws" --id good --version 1 >/dev/null
cp "$TMP/good.hws" "$TMP/corrupt.hws"
size=$(stat -c %s "$TMP/corrupt.hws")
printf '\xa5' | dd of="$TMP/corrupt.hws" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$TMP/good.hws" "$TMP/corrupt.hws" && { echo "FAIL: corrupting the set changed nothing" >&2; exit 1; }

cp "$HW/virtual-af-packet.json" "$TMP/profile.json"
cat >"$TMP/good.json" <<EOF
{
  "id": "cfgerr-$$",
  "log": "info",
  "ports": [ { "profile": "profile.json", "device": "net_af_packet0,iface=lo" } ],
  "workers": 1,
  "hugepages": false,
  "memory_mb": 256,
  "http_ports": [80, 8080],
  "event_file": "$TMP/events.jsonl",
  "log_objects": true,
  "sets": ["$TMP/good.hws"]
}
EOF

# variant NAME PYTHON: NAME.json is good.json after PYTHON ran on it as d
# (and on the profile as p, written to NAME-profile.json and used when
# PYTHON touches p).
variant() {
	python3 - "$TMP" "$1" "$2" <<'PY'
import json, sys
tmp, name, code = sys.argv[1:]
d = json.load(open(f"{tmp}/good.json"))
p = json.load(open(f"{tmp}/profile.json"))
p0 = json.dumps(p)
exec(code)
if json.dumps(p) != p0:
    json.dump(p, open(f"{tmp}/{name}-profile.json", "w"))
    d["ports"][0]["profile"] = f"{name}-profile.json"
json.dump(d, open(f"{tmp}/{name}.json", "w"), indent=2)
PY
}

# expect_error CONFIG TEXT...: both modes exit 2, say every TEXT on
# stderr (grep -E patterns) and never `config ok`.
expect_error() {
	local cfg=$1 mode rc out err
	shift
	for mode in --check-config run; do
		local args=(--config "$cfg")
		[[ $mode == run ]] || args+=("$mode")
		rc=0
		(cd / && timeout 30 "$DP" "${args[@]}") >"$TMP/out" 2>"$TMP/err" || rc=$?
		out=$(cat "$TMP/out")
		err=$(cat "$TMP/err")
		[[ $rc -eq 2 ]] || fail "$(basename "$cfg") ($mode): exit $rc, want 2; stderr: $err"
		[[ $out != *"config ok"* ]] || fail "$(basename "$cfg") ($mode): printed config ok"
		for t in "$@"; do
			grep -qE -- "$t" "$TMP/err" || fail "$(basename "$cfg") ($mode): stderr lacks /$t/: $err"
		done
		echo "ok: $(basename "$cfg") ($mode): $(head -c 300 "$TMP/err" | tr '\n' ' ')"
	done
}

expect_error "$TMP/missing.json" 'missing\.json' 'No such file or directory'

printf '{\n  "id": "x",\n  "workers": 1,,\n  "ports": []\n}\n' >"$TMP/syntax.json"
expect_error "$TMP/syntax.json" 'syntax\.json:3:[0-9]+'

variant unknown-key 'd["bogus_key"] = 1'
expect_error "$TMP/unknown-key.json" 'bogus_key: unknown key'

variant wrong-type 'd["workers"] = "two"'
expect_error "$TMP/wrong-type.json" 'workers: expected'

variant workers-range 'd["workers"] = 65'
expect_error "$TMP/workers-range.json" 'workers: 65 is out of range'

variant port-range 'd["http_ports"] = [80, 70000]'
expect_error "$TMP/port-range.json" 'http_ports\[1\]'

variant no-ports 'd["ports"] = []'
expect_error "$TMP/no-ports.json" 'ports'

variant cpus-len 'd["cpus"] = [0, 1]'
expect_error "$TMP/cpus-len.json" 'cpus'

variant bad-hash 'd["hash"] = ["md5", "crc32"]'
expect_error "$TMP/bad-hash.json" 'hash\[1\]' 'crc32'

variant bad-mbh-impl 'd["mbh_impl"] = "avx9"'
expect_error "$TMP/bad-mbh-impl.json" 'mbh_impl' "'avx9' is not avx512, avx2 or scalar"

variant mbh-impl-type 'd["mbh_impl"] = 512'
expect_error "$TMP/mbh-impl-type.json" 'mbh_impl: expected'

variant missing-set-dir "d['set_dir'] = '$TMP/no-such-dir'"
expect_error "$TMP/missing-set-dir.json" 'set_dir' 'no-such-dir'

variant missing-profile 'd["ports"][0]["profile"] = "nope.json"'
expect_error "$TMP/missing-profile.json" 'ports\[0\]\.profile' 'nope\.json' 'No such file or directory'

variant no-profile 'del d["ports"][0]["profile"]'
expect_error "$TMP/no-profile.json" 'ports\[0\]\.profile'

variant profile-offload 'p["rx_offloads"] = ["bogus-offload"]'
expect_error "$TMP/profile-offload.json" 'ports\[0\]' 'rx_offloads\[0\]' 'bogus-offload'

variant profile-unknown-key 'p["colour"] = "blue"'
expect_error "$TMP/profile-unknown-key.json" 'ports\[0\]' 'colour: unknown key'

variant profile-queues 'p["max_queues"] = 1; d["workers"] = 2'
expect_error "$TMP/profile-queues.json" 'ports\[0\]' 'at most 1 queue' 'workers is 2'

variant corrupt-set "d['sets'] = ['$TMP/good.hws', '$TMP/corrupt.hws']"
expect_error "$TMP/corrupt-set.json" 'sets\[1\]: .*corrupt\.hws' 'corrupt'

variant missing-set "d['sets'] = ['$TMP/nope.hws']"
expect_error "$TMP/missing-set.json" 'sets\[0\]: .*nope\.hws' 'No such file or directory'

# Usage errors: exit 2 and the usage text.
for args in "--config" "--config $TMP/good.json --bogus" "--config $TMP/good.json extra"; do
	rc=0
	"$DP" $args >"$TMP/out" 2>"$TMP/err" || rc=$?
	[[ $rc -eq 2 ]] || fail "hashwall-dataplane $args: exit $rc, want 2"
	grep -q '^usage: hashwall-dataplane --config FILE' "$TMP/err" || fail "hashwall-dataplane $args: no usage"
	echo "ok: hashwall-dataplane $args: exit 2 with usage"
done

# A good config on an interface that does not exist: a runtime error (exit
# 1) naming the port, once DPDK has started; no event is written.
variant no-iface 'd["ports"][0]["device"] = "net_af_packet0,iface=nosuchif0"'
rc=0
timeout 60 "$DP" --config "$TMP/no-iface.json" >"$TMP/out" 2>"$TMP/err" || rc=$?
[[ $rc -eq 1 ]] || fail "no-iface.json: exit $rc, want 1: $(cat "$TMP/err")"
grep -qE 'ports\[0\].*nosuchif0' "$TMP/err" || fail "no-iface.json: stderr lacks ports[0] and the device: $(cat "$TMP/err")"
[[ ! -s $TMP/events.jsonl ]] || fail "no-iface.json: events written"
rm -f "$TMP/events.jsonl"
echo "ok: no-iface.json: runtime error, exit 1: $(grep 'ports\[0\]' "$TMP/err" | head -1)"

# expect_ok CONFIG: --check-config says `config ok...` and exits 0, from
# another working directory, without creating the event file or a DPDK
# runtime directory.
expect_ok() {
	local rc=0
	(cd / && "$DP" --config "$1" --check-config) >"$TMP/out" 2>"$TMP/err" || rc=$?
	[[ $rc -eq 0 ]] || fail "$(basename "$1"): exit $rc: $(cat "$TMP/err")"
	grep -q '^config ok' "$TMP/out" || fail "$(basename "$1"): stdout lacks 'config ok': $(cat "$TMP/out")"
	[[ ! -e $TMP/events.jsonl ]] || fail "$(basename "$1"): --check-config created the event file"
	[[ ! -e /var/run/dpdk/hashwall-cfgerr-$$ ]] || fail "$(basename "$1"): --check-config started DPDK"
	echo "ok: $(basename "$1"): config ok"
}

# The good configuration (its profile relative to the config's directory),
# and the same naming hw/virtual-af-packet.json by its absolute path.
expect_ok "$TMP/good.json"
variant abs-profile "d['ports'][0]['profile'] = '$HW/virtual-af-packet.json'"
expect_ok "$TMP/abs-profile.json"
variant mbh-impl-scalar 'd["mbh_impl"] = "scalar"'
expect_ok "$TMP/mbh-impl-scalar.json"

[[ $FAILS -eq 0 ]] || { echo "$FAILS failed checks" >&2; exit 1; }
