#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e_live.sh - hashwall-dataplane in live mode (--config, af_packet port
# from hw/virtual-af-packet.json) on the client's end of a veth pair between
# two namespaces this script creates, while curl fetches synthetic objects
# from http_server (IPv4 and IPv6, keep-alive and parallel connections).
#   1. set e2e-a from the config: its objects match, the others do not;
#   2. a refused `load` leaves the set list alone; `load` of e2e-b while
#      running: its objects match from then on;
#   3. SIGHUP with a broken config keeps the running list; SIGHUP with sets
#      [e2e-a, e2e-c] replaces the list (e2e-b goes): e2e-c's objects match;
#   4. DPDK telemetry (/hashwall/stats, /hashwall/sets, /hashwall/flows)
#      agrees with the events;
#   5. SIGTERM: exit 0, and the event file holds exactly one complete object
#      event per fetch with the served digest, one match per fetch of an
#      object listed in a set active at the time, no client address in
#      plain and no body bytes (nor in the logs and telemetry answers).
# Root only (exit 77 otherwise); everything is removed on exit.
#
# With WORKERS 2 the port has two af_packet queues in one fanout group: the
# kernel's flow hash must put both directions of a connection on one worker.
#
# usage: e2e_live.sh HASHWALL_DATAPLANE HASHWALL_SET HTTP_SERVER CHECK_EVENTS HW_DIR [WORKERS]
set -euo pipefail

DP=$(realpath "$1")
HWSET=$(realpath "$2")
HTTPD=$(realpath "$3")
CHECK=$(realpath "$4")
PROFILE=$(realpath "$5")/virtual-af-packet.json
WORKERS=${6:-1}
source "$(dirname "$(realpath "$0")")/e2e_lib.sh"

# Set ids with '-' on purpose: DPDK 22.11 telemetry refuses dict keys with
# other characters than letters, digits, '_' and '/', so /hashwall/sets
# must carry ids as values ("set0": {"id": ...}).

e2e_init e2e-live
DP_ID=e2e-$$
E2E_RMDIRS+=("/var/run/dpdk/hashwall-$DP_ID") # left behind if it is killed
DP_PID=

# The md5/sha1 implementation /hashwall/stats must name: forced by the
# config's mbh_impl with two workers, else $HASHWALL_MBH_IMPL or the CPU's best.
MBH_KEY=
if [[ $WORKERS == 2 ]]; then
	MBH_KEY='"mbh_impl": "scalar",' MBH_WANT=scalar
elif [[ -n ${HASHWALL_MBH_IMPL:-} ]]; then
	MBH_WANT=$HASHWALL_MBH_IMPL
elif grep -qw avx512bw /proc/cpuinfo; then
	MBH_WANT=avx512
elif grep -qw avx2 /proc/cpuinfo; then
	MBH_WANT=avx2
else
	MBH_WANT=scalar
fi

# write_config SET...: the dataplane's config (atomically replaced).
write_config() {
	local sets=() s
	for s in "$@"; do sets+=("\"$s\""); done
	cat >"$TMP/dp.json.new" <<EOF
{
  "id": "$DP_ID",
  "log": "info",
  "ports": [ { "profile": "$PROFILE", "device": "net_af_packet0,iface=cli0" } ],
  "workers": $WORKERS,$MBH_KEY
  "memory_mb": 256,
  "hugepages": false,
  "http_ports": [80],
  "client_key_file": "$TMP/client.key",
  "control_socket": "$TMP/dp.sock",
  "event_file": "$TMP/events.jsonl",
  "log_objects": true,
  "sets": [$(IFS=,; echo "${sets[*]}")]
}
EOF
	mv "$TMP/dp.json.new" "$TMP/dp.json"
}

# dp_ctl LINE...: send each line to the control socket, print each answer.
dp_ctl() {
	python3 - "$TMP/dp.sock" "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(20)
s.connect(sys.argv[1])
f = s.makefile("rw")
for line in sys.argv[2:]:
    f.write(line + "\n")
    f.flush()
    print(f.readline().rstrip("\n"))
PY
}

# set_ids: the ids in the control socket's status, sorted, space-separated.
set_ids() {
	dp_ctl status | python3 -c 'import json, sys; print(*sorted(s["id"] for s in json.load(sys.stdin)["sets"]))'
}

# telemetry CMD...: each command's JSON answer on one line (DPDK telemetry
# v2: SOCK_SEQPACKET, a greeting, then one answer per command).
telemetry() {
	python3 - "/var/run/dpdk/hashwall-$DP_ID/dpdk_telemetry.v2" "$@" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(10)
s.connect(sys.argv[1])
json.loads(s.recv(1 << 16))
for cmd in sys.argv[2:]:
    s.send(cmd.encode())
    print(json.dumps(json.loads(s.recv(1 << 20))))
PY
}

# count_events TYPE [FILE]: events of TYPE in FILE (default: all event
# files, the rotated one first).
count_events() {
	local files=("${@:2}")
	[[ ${#files[@]} -gt 0 ]] || files=("$TMP"/events*.jsonl)
	cat "${files[@]}" 2>/dev/null | grep -c "\"event\":\"$1\"" || true
}

# wait_objects N: until the event file holds N object events (30 s).
wait_objects() {
	for _ in $(seq 300); do
		[[ $(count_events object) -ge $1 ]] && break
		sleep 0.1
	done
	[[ $(count_events object) -eq $1 ]] || fail "$(count_events object) object events, want $1"
}

dp_alive() { kill -0 "$DP_PID" 2>/dev/null || fail "the dataplane died: $(tail -5 "$TMP/dp.log")"; }

start_dataplane() {
	ip netns exec "$CLI" "$DP" --config "$TMP/dp.json" >"$TMP/dp.out" 2>"$TMP/dp.log" &
	DP_PID=$!
	E2E_PIDS+=("$DP_PID")
	for _ in $(seq 300); do
		dp_alive
		grep -q 'running: ' "$TMP/dp.log" && break
		sleep 0.1
	done
	grep -q 'running: ' "$TMP/dp.log" || fail "not running after 30 s: $(tail -5 "$TMP/dp.log")"
	[[ $(set_ids) == e2e-a ]] || fail "status: sets $(set_ids), want e2e-a"
	ok "dataplane up (pid $DP_PID) with set e2e-a"
}

e2e_netns
e2e_server
e2e_digests 32
e2e_set e2e-a 1 $(e2e_objects 0 0 31)
e2e_set e2e-b 4 $(e2e_objects 1 0 31)
e2e_set e2e-c 2 $(e2e_objects 2 0 31)
head -c 32 /dev/urandom >"$TMP/client.key"
chmod 600 "$TMP/client.key"
write_config "$TMP/e2e-a.hws"
start_dataplane

# 1. the set from the config
e2e_fetch keepalive "$SRV4" 0 1 2 3 4 5 6 7
e2e_fetch parallel "$SRV4" 8 9 10 11 12 13 14 15
e2e_fetch keepalive "[$SRV6]" 16 17 18 19
e2e_expect e2e-a
wait_objects 20
ok "phase 1: 20 objects seen"

# 2. load over the control socket
ans=$(dp_ctl "load e2e-b 4 $TMP/nope.hws")
[[ $ans == err* ]] || fail "load of a missing file answered: $ans"
ans=$(dp_ctl "load e2e-b 5 $TMP/e2e-b.hws")
[[ $ans == err* ]] || fail "load with the wrong version answered: $ans"
[[ $(set_ids) == e2e-a ]] || fail "a refused load changed the sets: $(set_ids)"
ans=$(dp_ctl "load e2e-b 4 $TMP/e2e-b.hws")
[[ $ans == "ok loaded e2e-b 4 entries 8" ]] || fail "load answered: $ans"
[[ $(set_ids) == "e2e-a e2e-b" ]] || fail "after load: sets $(set_ids)"
e2e_fetch keepalive "$SRV4" 20 21 22 23 24 25 1 5
e2e_expect e2e-a e2e-b
wait_objects 28
ans=$(dp_ctl "unload e2e-b")
[[ $ans == "ok unloaded e2e-b" ]] || fail "unload answered: $ans"
[[ $(set_ids) == e2e-a ]] || fail "after unload: sets $(set_ids)"
ans=$(dp_ctl "load e2e-b 4 $TMP/e2e-b.hws")
[[ $ans == "ok loaded e2e-b 4 entries 8" ]] || fail "second load answered: $ans"
ok "phase 2: e2e-b loaded while running, unloaded, loaded again"

# 3. SIGHUP: a broken config is refused, a good one published
write_config "$TMP/e2e-a.hws" "$TMP/missing.hws"
lines=$(wc -l <"$TMP/dp.log")
kill -HUP "$DP_PID"
for _ in $(seq 100); do
	[[ $(tail -n +$((lines + 1)) "$TMP/dp.log") == *"running sets stay"* ]] && break
	sleep 0.1
done
[[ $(tail -n +$((lines + 1)) "$TMP/dp.log") == *missing.hws*"running sets stay"* ]] ||
	fail "SIGHUP with a missing set: $(tail -n +$((lines + 1)) "$TMP/dp.log")"
dp_alive
[[ $(set_ids) == "e2e-a e2e-b" ]] || fail "a refused SIGHUP changed the sets: $(set_ids)"
# log rotation: rename the event file, SIGHUP reopens it
mv "$TMP/events.jsonl" "$TMP/events.1.jsonl"
write_config "$TMP/e2e-a.hws" "$TMP/e2e-c.hws"
kill -HUP "$DP_PID"
for _ in $(seq 100); do
	[[ $(set_ids) == *e2e-c* ]] && break
	sleep 0.1
done
[[ $(set_ids) == "e2e-a e2e-c" ]] || fail "after SIGHUP: sets $(set_ids), want e2e-a e2e-c"
e2e_fetch parallel "$SRV4" 26 27 28 30 31 2
e2e_expect e2e-a e2e-c
wait_objects 34
[[ $(count_events object "$TMP/events.1.jsonl") -eq 28 ]] ||
	fail "the rotated event file holds $(count_events object "$TMP/events.1.jsonl") objects, want 28"
ok "phase 3: SIGHUP reload, the event file reopened (rotation)"

# 4. telemetry against the events and the connections curl made
telemetry /hashwall/stats /hashwall/sets /hashwall/flows /ethdev/stats,0 >"$TMP/telemetry.json"
python3 - "$TMP/telemetry.json" "$(count_events object)" "$(wc -l <"$TMP/expected")" \
	"$(awk '{ s += $1 } END { print s }' "$TMP/conns")" "$MBH_WANT" <<'PY' || fail "telemetry disagrees"
import json, sys
stats, sets, flows, eth = (json.loads(l) for l in open(sys.argv[1]))
st, se, fl = stats["/hashwall/stats"], sets["/hashwall/sets"], flows["/hashwall/flows"]
objects, matches, conns = (int(x) for x in sys.argv[2:5])
want = {"objects": objects, "objects_complete": objects, "matches": matches,
        "flows_created": conns, "mbh_impl": sys.argv[5]}
got = {k: st.get(k) for k in want}
ids = sorted(v["id"] for k, v in se.items() if isinstance(v, dict))
by_id = {v["id"]: v for v in se.values() if isinstance(v, dict)}
es = eth["/ethdev/stats"]
print("telemetry:", got, "worker_packets", st.get("worker_packets"), "steered",
      st.get("steered"), ids,
      {k: fl[k] for k in ("created", "closed", "active")},
      {k: es[k] for k in ("ipackets", "imissed", "ierrors")})
errs = [f"stats {k} = {got[k]}, want {v}" for k, v in want.items() if got[k] != v]
if ids != ["e2e-a", "e2e-c"] or by_id["e2e-c"].get("version") != 2 or se.get("count") != 2:
    errs.append(f"sets {se}")
if fl.get("created") != conns or fl.get("closed", 0) + fl.get("active", 0) != conns:
    errs.append(f"flows {fl}, {conns} connections")
if st.get("events_dropped") != 0 or st.get("steer_dropped", 0) or es["imissed"] or es["ierrors"] or es["rx_nombuf"]:
    errs.append(f"events_dropped {st.get('events_dropped')}, port {es}")
sys.exit("; ".join(errs) or None)
PY
ok "telemetry: stats, sets and flows agree with the events and connections"

# 5. SIGTERM, then the whole event file
kill -TERM "$DP_PID"
for _ in $(seq 300); do
	kill -0 "$DP_PID" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$DP_PID" 2>/dev/null && fail "still running 30 s after SIGTERM"
rc=0
wait "$DP_PID" || rc=$?
DP_PID=
[[ $rc -eq 0 ]] || fail "the dataplane exited $rc after SIGTERM: $(tail -5 "$TMP/dp.log")"
[[ ! -e /var/run/dpdk/hashwall-$DP_ID ]] || fail "the dataplane left /var/run/dpdk/hashwall-$DP_ID"
cat "$TMP/events.1.jsonl" "$TMP/events.jsonl" >"$TMP/events.all"
"$CHECK" --events "$TMP/events.all" --digests "$TMP/digests" --fetched "$TMP/fetched" \
	--expected "$TMP/expected" --client-ip "$CLI4" --client-ip "$CLI6" \
	--host "$SRV4" --host "[$SRV6]" --bodies "$TMP/bodies" \
	--no-content "$TMP/dp.log" --no-content "$TMP/dp.out" --no-content "$TMP/telemetry.json"
ok "live mode: every fetched object hashed, matched by the sets active at the time"
