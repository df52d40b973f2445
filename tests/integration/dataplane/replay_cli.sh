#!/usr/bin/env bash
# replay_cli.sh - the error side of the `hashwall-dataplane replay` contract:
# a missing or unreadable capture, a file that is no capture, a missing or
# bad set file and bad arguments each end with a non-zero exit status and a
# message on stderr (naming the file where there is one), never a crash and
# never a stats line as if all went well.  A capture cut in the middle of a
# record must not crash either.
#
# usage: replay_cli.sh DATAPLANE GEN
set -uo pipefail

dp=$1 gen=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hw-replay-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0

"$gen" --scenario handshake --out "$tmp/ok.pcap" 2>/dev/null || { echo "FAIL: hashwall-gen"; exit 1; }
printf 'not a capture\n' >"$tmp/text.pcap"
printf 'not a set file either\n' >"$tmp/bad.hws"
head -c 3000 "$tmp/ok.pcap" >"$tmp/cut.pcap"

# expect_error NAME NEEDLE ARGS...: non-zero, no crash, stderr holds NEEDLE.
expect_error() {
	local name=$1 needle=$2 rc
	shift 2
	"$dp" replay "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [[ $rc -eq 0 || $rc -ge 128 ]]; then
		echo "FAIL: $name: exit status $rc, expected a clean error"
		fails=$((fails + 1))
	elif ! grep -qF -- "$needle" "$tmp/err"; then
		echo "FAIL: $name: stderr does not mention \"$needle\": $(head -c 300 "$tmp/err")"
		fails=$((fails + 1))
	elif grep -q '"event":"stats"' "$tmp/out"; then
		echo "FAIL: $name: printed a stats event despite the error"
		fails=$((fails + 1))
	fi
}

expect_error "no --pcap" "pcap"
expect_error "missing capture" "$tmp/none.pcap" --pcap "$tmp/none.pcap"
expect_error "not a capture" "$tmp/text.pcap" --pcap "$tmp/text.pcap"
expect_error "missing set" "$tmp/none.hws" --pcap "$tmp/ok.pcap" --set "$tmp/none.hws"
expect_error "bad set" "$tmp/bad.hws" --pcap "$tmp/ok.pcap" --set "$tmp/bad.hws"
expect_error "bad --hash" "crc32" --pcap "$tmp/ok.pcap" --hash md5,crc32
expect_error "bad --hash lists the algorithms" "'crc32' (known: xxh3-128, md5," \
	--pcap "$tmp/ok.pcap" --hash md5,crc32,sha1
expect_error "--hash pdq is refused: the PDQ stage computes it" "--hash: pdq is perceptual" \
	--pcap "$tmp/ok.pcap" --hash md5,pdq
expect_error "bad --loop" "loop" --pcap "$tmp/ok.pcap" --loop 0
expect_error "unknown option" "frobnicate" --pcap "$tmp/ok.pcap" --frobnicate
expect_error "control socket on a file" "not a socket" --pcap "$tmp/ok.pcap" \
	--control-socket "$tmp/bad.hws"
expect_error "control socket dir missing" "$tmp/none/ctl.sock" --pcap "$tmp/ok.pcap" \
	--control-socket "$tmp/none/ctl.sock"

# A capture cut mid-record: an error or a run, but no crash, and a run
# ends with its stats line.
"$dp" replay --pcap "$tmp/cut.pcap" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc -ge 128 ]] || { [[ $rc -eq 0 ]] && ! tail -1 "$tmp/out" | grep -q '"event":"stats"'; }; then
	echo "FAIL: truncated capture: exit status $rc"
	fails=$((fails + 1))
fi

# And the good case: exit 0, a stats line last, one object.
"$dp" replay --pcap "$tmp/ok.pcap" --log-objects >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc -ne 0 ]] || ! tail -1 "$tmp/out" | grep -q '"event":"stats"' ||
	[[ $(grep -c '"event":"object"' "$tmp/out") -ne 1 ]]; then
	echo "FAIL: valid capture: exit status $rc, output: $(head -c 300 "$tmp/out")"
	fails=$((fails + 1))
fi

echo "replay_cli.sh: $fails failures"
[[ $fails -eq 0 ]]
