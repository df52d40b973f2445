#!/usr/bin/env bash
# replay_check.sh - one integration test: generate a capture with
# hashwall-gen, build the known set with hashwall-set, replay the capture
# (through hashwall-dataplane, or through fake_replay for check_replay's own
# tests) and check the JSON lines against the manifest with check_replay.
#
# usage: replay_check.sh --gen GEN --set-tool SET --check CHECK
#            (--dataplane DP | --fake FAKE --fault NAME)
#            --scenario LIST [--seed N] [--no-set] [--replay-arg ARG]...
#            [--gen-arg ARG]...
#            [--expect-check-failure] [-- CHECK_ARGS...]
# --expect-check-failure inverts only the checker's verdict (exit 1), for
# check_replay's own tests: any other failure still fails the test.
# Files live in a temporary directory removed on exit; on failure the
# replay's stderr and the checker's report are printed.
set -euo pipefail

gen='' settool='' check='' dp='' fake='' fault=none scenario='' seed=1 noset=0 invert=0
replay_args=()
gen_args=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--gen) gen=$2; shift 2 ;;
	--set-tool) settool=$2; shift 2 ;;
	--check) check=$2; shift 2 ;;
	--dataplane) dp=$2; shift 2 ;;
	--fake) fake=$2; shift 2 ;;
	--fault) fault=$2; shift 2 ;;
	--scenario) scenario=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--no-set) noset=1; shift ;;
	--expect-check-failure) invert=1; shift ;;
	--replay-arg) replay_args+=("$2"); shift 2 ;;
	--gen-arg) gen_args+=("$2"); shift 2 ;;
	--) shift; break ;;
	*) echo "replay_check.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ -n $gen && -n $settool && -n $check && -n $scenario && ( -n $dp || -n $fake ) ]] || {
	echo "replay_check.sh: missing arguments" >&2
	exit 2
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hw-replay-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

set_id=gen-known
set_version=7
"$gen" --scenario "$scenario" --seed "$seed" --set-id "$set_id" "${gen_args[@]}" \
	--out "$tmp/cap.pcap" --manifest "$tmp/cap.json" --list "$tmp/known.list"
"$settool" build --in "$tmp/known.list" --out "$tmp/known.hws" --id "$set_id" \
	--version "$set_version" >"$tmp/set.out"

check_args=(--manifest "$tmp/cap.json" --events "$tmp/events.jsonl")
if [[ $noset -eq 1 ]]; then
	check_args+=(--no-set)
else
	check_args+=(--set-id "$set_id" --set-version "$set_version")
fi

if [[ -n $dp ]]; then
	sets=()
	[[ $noset -eq 1 ]] || sets=(--set "$tmp/known.hws")
	if ! "$dp" replay --pcap "$tmp/cap.pcap" "${sets[@]}" --log-objects \
		"${replay_args[@]}" >"$tmp/events.jsonl" 2>"$tmp/replay.err"; then
		echo "replay_check.sh: hashwall-dataplane replay failed:" >&2
		cat "$tmp/replay.err" >&2
		exit 1
	fi
else
	"$fake" --manifest "$tmp/cap.json" --set-id "$set_id" --set-version "$set_version" \
		--fault "$fault" >"$tmp/events.jsonl"
fi

rc=0
"$check" "${check_args[@]}" "$@" || rc=$?
if [[ $invert -eq 1 ]]; then
	[[ $rc -eq 1 ]] && exit 0
	echo "replay_check.sh: check_replay exited $rc, expected 1 (a caught fault)" >&2
	exit 1
fi
if [[ $rc -ne 0 ]]; then
	if [[ -s $tmp/replay.err ]]; then
		echo "--- replay stderr (tail):"
		tail -20 "$tmp/replay.err"
	fi
	exit 1
fi
