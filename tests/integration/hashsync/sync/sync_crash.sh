#!/usr/bin/env bash
# sync_crash.sh - kill -9 of syncd at each install step (the
# HASHWALL_SYNCD_CRASH_AT test hook) leaves the old set or the new one,
# never a mixture and never none; after a restart the state agrees with the
# set file, a version written but not handed over reaches the dataplane,
# and the same push completes the update.  A stand-in for the dataplane's
# control socket answers "ok" and records every `load`.
source "$(dirname "$0")/sync_lib.sh"

keys k1
TOP_EXTRA="\"control_socket\": \"$WORK/dp.sock\","
listen_config 1 k1

dataplane() {
	rm -f "$WORK/dp.sock"
	python3 - "$WORK/dp.sock" "$WORK/dp.log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
while True:
    c, _ = s.accept()
    line = c.makefile().readline()
    with open(sys.argv[2], "a") as f:
        f.write(line)
    c.sendall(b"ok loaded\n"); c.close()
PY
	DP_PID=$!
	PIDS+=($DP_PID)
	for _ in $(seq 300); do [[ -S "$WORK/dp.sock" ]] && return 0; sleep 0.1; done
	fail "the stand-in dataplane did not start"
}
dataplane

list v1.txt one 300
list v2.txt two 40
"$PUBLISH" snapshot --secret k1.sec --set nl --version 1 --in v1.txt --out s1.hwb >/dev/null
"$PUBLISH" delta --secret k1.sec --set nl --version 2 --base 1 --add v2.txt --out d2.hwb >/dev/null

# The reference: the set file after v1 and after v2, without any crash.
start_syncd "$CONFIG"
push s1.hwb >/dev/null
SUM1=$(set_sum)
push d2.hwb >/dev/null
SUM2=$(set_sum)
kill_syncd
expect_eq "$(python3 -c 'import sys; print(len({sys.argv[1], sys.argv[2], "none"}) == 3)' "$SUM1" "$SUM2")" True \
	"two different reference sets"

# crash_at STEP EXPECTED_SUM EXPECTED_VERSION RE_PUSH_STATUS
crash_at() {
	local step=$1 want=$2 version=$3 again=$4 out rc=0
	rm -rf sets state dp.log
	start_syncd "$CONFIG"
	push s1.hwb >/dev/null
	kill_syncd
	HASHWALL_SYNCD_CRASH_AT=$step start_syncd "$CONFIG"
	push d2.hwb >/dev/null
	wait "$SYNCD_PID" || rc=$?
	expect_eq "$rc" 137 "syncd killed at $step"
	expect_eq "$(set_sum)" "$want" "set file after a kill at $step"
	# Restart: the state agrees with the file, the dataplane has it.
	start_syncd "$CONFIG"
	expect_eq "$(installed)" "$version" "version after $step"
	expect_eq "$(tail -n 1 dp.log | cut -d' ' -f1-3)" "load nl $version" "dataplane after $step"
	out=$(push d2.hwb)
	expect_eq "${out%% *}" "$again" "re-push after $step"
	expect_eq "$(set_sum)" "$SUM2" "set file after the re-push ($step)"
	kill_syncd
}

crash_at verified "$SUM1" 1 200
crash_at written "$SUM2" 2 409
crash_at notified "$SUM2" 2 409
crash_at state-tmp "$SUM2" 2 409
crash_at saved "$SUM2" 2 409
# The dataplane is down: the set is installed, the answer says "pending",
# and syncd hands the version over once the dataplane is back.
start_syncd "$CONFIG"
kill -9 "$DP_PID"
"$PUBLISH" delta --secret k1.sec --set nl --version 3 --base 2 --add v1.txt --out d3.hwb >/dev/null
expect_eq "$(push d3.hwb | json_field dataplane)" pending "answer while the dataplane is down"
expect_eq "$(installed)" 3 "installed while the dataplane is down"
dataplane
for _ in $(seq 200); do
	[[ "$(tail -n 1 dp.log | cut -d' ' -f1-3)" == "load nl 3" ]] && break
	sleep 0.1
done
expect_eq "$(tail -n 1 dp.log | cut -d' ' -f1-3)" "load nl 3" "dataplane after it came back"
echo "PASS sync_crash"
