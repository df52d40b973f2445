#!/bin/bash
# live_flows.sh - dataplane live mode into controld, end to end: a generated
# capture (synthetic bodies, documentation addresses) is read through
# net_pcap by `hashwall-dataplane --config`, whose match events, with the
# flows of their transfers, go over the ingest socket to hashwall-controld
# with the bpf backend on a veth pair this script creates (no traffic is
# sent).  Checks: every match the dataplane wrote is committed; every
# match's flow is in the pinned blocked-flow map, keyed server -> client;
# and no client address is anywhere else: not in the database or its WAL
# (searched while controld runs), the logs, either event log, the API's
# answers or the metrics.  Needs root (veth, bpffs); skipped (77) otherwise.
#
# usage: live_flows.sh DATAPLANE CONTROLD HASHWALL_BPF GEN SET_TOOL PROFILE_DIR
set -eu
[ "$(id -u)" = 0 ] || { echo "needs root: skipped"; exit 77; }
DP=$1 CONTROLD=$2 BPF=$3 GEN=$4 SET_TOOL=$5 PROFILES=$6

W=$(mktemp -d /tmp/hw-live-flows-XXXXXX)
A="hwf$$a"
B="hwf$$b"
PIN="/sys/fs/bpf/hw-live-flows-$$"
DP_PID= CD_PID=
cleanup() {
	[ -n "$DP_PID" ] && kill "$DP_PID" 2>/dev/null || true
	[ -n "$CD_PID" ] && kill "$CD_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	ip link del "$A" 2>/dev/null || true
	rm -rf "$PIN" "$W"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

# Client addresses of the generator (tests/gen/gen_flow.c): never to be kept.
CLIENTS='198\.51\.100\.|203\.0\.113\.|2001:db8:c:'
leaks() { grep -rlaE "$CLIENTS" "$W/run" || true; }

mkdir "$W/run"
ip link add "$A" type veth peer name "$B"
ip link set "$A" up
ip link set "$B" up

"$GEN" --scenario mixed --seed 1 --out "$W/c.pcap" --list "$W/k.list" >/dev/null 2>&1
"$SET_TOOL" build --in "$W/k.list" --out "$W/k.hws" --id gen-known --version 1 >/dev/null
TOKEN=$("$CONTROLD" new-token --tokens "$W/run/tokens" ops admin)

R="$W/run"
cat >"$R/controld.json" <<EOF
{"db":"$R/c.db","ingest_socket":"$R/ingest.sock","client_key_file":"$W/client.key",
 "tokens_file":"$R/tokens","allowlist_file":"$R/allow.txt","event_log":"$R/events.jsonl",
 "log":"debug","api":{"port":0},
 "enforcement":{"interface":"$A","pin_root":"$PIN","block_ttl":600}}
EOF
cat >"$R/dataplane.json" <<EOF
{"id":"e2e","log":"debug","workers":1,"memory_mb":256,"hugepages":false,"hash":["md5"],
 "ports":[{"profile":"$PROFILES/virtual-pcap.json","device":"net_pcap0,rx_pcap=$W/c.pcap"}],
 "ingest_socket":"$R/ingest.sock","event_file":"$R/dp-events.jsonl",
 "allowlist_file":"$R/allow.txt","sets":["$W/k.hws"]}
EOF

"$CONTROLD" --config "$R/controld.json" 2>"$R/controld.log" &
CD_PID=$!
for _ in $(seq 100); do
	grep -q " port " "$R/controld.log" && break
	sleep 0.1
done
PORT=$(sed -n 's/.* port \([0-9]*\),.*/\1/p' "$R/controld.log")
[ -n "$PORT" ] || fail "controld did not start: $(cat "$R/controld.log")"
api() { curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1"; }
metric() { api /metrics | awk -v m="$1" '$1 == m { print $2 }'; }

"$DP" --config "$R/dataplane.json" 2>"$R/dataplane.log" &
DP_PID=$!
# The capture is read at once; then SIGTERM drains and waits for the acks.
for _ in $(seq 100); do
	grep -q "objects" "$R/dataplane.log" 2>/dev/null && break
	[ "$(metric hashwall_ingest_events_total)" -ge 1 ] 2>/dev/null && sleep 1 && break
	sleep 0.1
done
kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exit $?: $(tail -5 "$R/dataplane.log")"
DP_PID=

MATCHES=$(grep -c '"event":"match"' "$R/dp-events.jsonl")
EVENTS=$(metric hashwall_ingest_events_total)
CREATED=$(metric hashwall_candidates_created_total)
FLOWS=$(metric hashwall_flows_blocked_total)
INVALID=$(metric hashwall_ingest_flow_invalid_total)
[ "$MATCHES" -gt 0 ] || fail "the dataplane wrote no match"
[ "$EVENTS" = "$MATCHES" ] || fail "controld committed $EVENTS events, the dataplane wrote $MATCHES"
[ "$CREATED" -gt 0 ] || fail "no candidate created"
[ "$INVALID" = 0 ] || fail "$INVALID flows refused as malformed"
# Every match had its URL blocked (new candidates, or blocks in force).
[ "$FLOWS" = "$EVENTS" ] || fail "$FLOWS flows blocked for $EVENTS matches"

# Every pushed flow is in the map, as the server's packets leave: src = server.
MAP=$("$BPF" -r "$PIN" list-flows)
N=$(printf '%s\n' "$MAP" | grep -cE "^192\.0\.2\.[0-9]+:80 -> (198\.51\.100|203\.0\.113)\.[0-9]+:[0-9]+" || true)
[ "$N" -ge 1 ] && [ "$N" -le "$FLOWS" ] ||
	fail "blocked-flow map holds $N server->client entries for $FLOWS flows: $MAP"
# (Several candidates can share one transfer's flow: a keep-alive connection.)

# The API's answers, kept in the searched directory.
api /api/v1/candidates >"$R/api-candidates.json"
api /api/v1/candidates/1 >"$R/api-candidate1.json"
api /api/v1/status >"$R/api-status.json"
api /api/v1/blocks >"$R/api-blocks.json"
api "/api/v1/exports/notices?format=csv" >"$R/api-notices.csv"
api /metrics >"$R/metrics.txt"
[ -e "$R/c.db-wal" ] || fail "no WAL while controld runs"
L=$(leaks)
[ -z "$L" ] || fail "client addresses found in: $L"
kill -TERM "$CD_PID"
wait "$CD_PID" || fail "controld exit $?"
CD_PID=
L=$(leaks)
[ -z "$L" ] || fail "client addresses found after stop in: $L"
# Positive control: the search finds an address when one is there.
echo "seen 203.0.113.7" >"$R/control.txt"
[ -n "$(leaks)" ] || fail "the search misses a planted address"
echo "ok: $MATCHES matches committed, $CREATED candidates, $FLOWS flows blocked ($N map entries), no client address kept"
