#!/usr/bin/env bash
# syncd_live.sh - hashwall-syncd hands sets over to a running dataplane:
# syncd's control_socket points at a looping replay's --control-socket; a
# snapshot pushed to syncd (the generator's known digests, signed) is
# installed, the replay answers "ok", logs the load and from then on
# reports matches naming the set and version; a delta replaces it with
# version 2.  Synthetic data only; loopback only.
#
# usage: syncd_live.sh DATAPLANE GEN   (PUBLISH and SYNCD in the environment)
DP=$(realpath "$1") GEN=$(realpath "$2")
# sync_lib.sh: scratch directory $WORK (cwd, removed on exit), keys, config, push.
source "$(dirname "$0")/../hashsync/sync/sync_lib.sh"

"$GEN" --scenario keepalive --out c.pcap --list known.list 2>/dev/null
grep -v '^#' known.list >v1.txt
list extra.txt extra 20
keys k1
TOP_EXTRA="\"control_socket\": \"$WORK/dp.sock\","
listen_config 1 k1
"$PUBLISH" snapshot --secret k1.sec --set nl --version 1 --in v1.txt --out s1.hwb >/dev/null
"$PUBLISH" delta --secret k1.sec --set nl --version 2 --base 1 --add extra.txt --out d2.hwb >/dev/null

"$DP" replay --pcap c.pcap --loop 1000000 --events-every-pass --control-socket dp.sock \
	>ev.jsonl 2>dp.err &
DP_PID=$!
PIDS+=("$DP_PID")
for _ in $(seq 300); do [[ -S dp.sock ]] && break; sleep 0.1; done
[[ -S dp.sock ]] || fail "the replay's control socket did not come up: $(cat dp.err)"
expect_eq "$(grep -c '"event":"match"' ev.jsonl)" 0 "matches before any set"

start_syncd "$CONFIG"
expect_eq "$(push s1.hwb | json_field dataplane)" loaded "syncd's answer to the snapshot"
grep -q "loaded set nl version 1 " dp.err || fail "the replay did not log the load: $(cat dp.err)"
# wait_match VERSION: a match event naming set nl at VERSION (events are
# flushed after every pass).
wait_match() {
	for _ in $(seq 100); do
		grep -q "\"set\":\"nl\",\"set_version\":$1," ev.jsonl && return 0
		sleep 0.1
	done
	fail "no match of nl version $1 in the replay's events"
}
wait_match 1
expect_eq "$(push d2.hwb | json_field dataplane)" loaded "syncd's answer to the delta"
grep -q "loaded set nl version 2 " dp.err || fail "the replay did not log version 2"
wait_match 2
status=$(python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"status\n"); print(s.makefile().readline().strip())' dp.sock)
expect_eq "$(json_field version <<<"$status")" 2 "status of the replay"

kill -TERM "$DP_PID"
rc=0
wait "$DP_PID" || rc=$?
expect_eq "$rc" 0 "replay exit status after SIGTERM"
tail -n 1 ev.jsonl | grep -q '"event":"stats"' || fail "no stats event at the end"
echo "ok: syncd installed nl 1 and 2 into a running replay"
