#!/usr/bin/env bash
# demo_appliance.sh - the README demo, second part: the appliance as it runs
# on an edge server, on the demo capture of demo_replay.sh (synthetic bodies).
# hashwall-controld starts with a fresh store; hashwall-dataplane runs in
# live mode with the capture file as its port (hw/virtual-pcap.json), the
# demo set loaded, and sends its matches over the ingest socket; once
# controld has acknowledged them the dataplane is stopped (SIGTERM) and
# hashwallctl lists the takedown candidates an operator would review.
#
#   tests/gen/demo_appliance.sh [BUILD_DIR [OUT_DIR]]   (after demo_replay.sh; as root)
#
# Everything it starts is stopped on exit; OUT_DIR keeps the store, the
# event file and the logs.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:-$top/build}")
out=$(realpath -m "${2:-$build/demo}")
dp=$build/dataplane/hashwall-dataplane
ctld=$build/control/hashwall-controld
ctl=$build/control/hashwallctl
id=demo$$
pids=()

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "/var/run/dpdk/hashwall-$id"
}
trap cleanup EXIT

for t in "$dp" "$ctld" "$ctl"; do
	[[ -x $t ]] || { echo "demo_appliance.sh: $t not built" >&2; exit 1; }
done
[[ -f $out/demo.pcap && -f $out/demo.hws ]] ||
	{ echo "demo_appliance.sh: run tests/gen/demo_replay.sh first ($out/demo.pcap)" >&2; exit 1; }
app=$out/appliance
rm -rf "$app"
mkdir -p "$app"
cd "$app"

# wait_for WHAT CMD...: CMD succeeds within 30 s.
wait_for() {
	local what=$1
	shift
	for _ in $(seq 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "demo_appliance.sh: timed out waiting for $what" >&2
	exit 1
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export HASHWALL_URL=http://127.0.0.1:$port HASHWALL_TOKEN
HASHWALL_TOKEN=$("$ctld" new-token --tokens tokens demo reviewer | awk '{ print $NF }')
cat >controld.json <<EOF
{ "db": "$app/controld.db", "ingest_socket": "$app/ingest.sock",
  "client_key_file": "$app/client.key", "tokens_file": "$app/tokens",
  "allowlist_file": "$app/allowlist.txt", "api": { "port": $port } }
EOF
"$ctld" --config controld.json 2>controld.log &
pids+=($!)
wait_for "controld" test -S ingest.sock
cat >dataplane.json <<EOF
{ "id": "$id",
  "ports": [ { "profile": "$top/hw/virtual-pcap.json", "device": "net_pcap0,rx_pcap=$out/demo.pcap" } ],
  "sets": [ "$out/demo.hws" ], "hash": [ "md5" ],
  "ingest_socket": "$app/ingest.sock", "allowlist_file": "$app/allowlist.txt",
  "event_file": "$app/events.jsonl", "stats_interval": 1 }
EOF
"$dp" --config dataplane.json 2>dataplane.log &
dp_pid=$!
pids+=("$dp_pid")
echo "demo_appliance.sh: controld and the live dataplane run; the capture is the dataplane's port"
wait_for "controld's two candidates" \
	bash -c "[[ \$('$ctl' --json candidates | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"total\"])') == 2 ]]"
kill -TERM "$dp_pid"
wait "$dp_pid" || { echo "demo_appliance.sh: the dataplane exited $?" >&2; exit 1; }
grep "stopped:" dataplane.log | sed 's/^.*stopped:/demo_appliance.sh: dataplane stopped:/'
echo "demo_appliance.sh: takedown candidates for review (hashwallctl candidates):"
"$ctl" candidates
