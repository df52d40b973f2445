#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e_capture_replay.sh - real kernel TCP traffic through the dataplane's
# pipeline, offline: curl fetches synthetic objects from http_server across
# a veth pair between two namespaces this script creates (IPv4 and IPv6,
# one keep-alive connection and parallel ones, one object twice), tcpdump
# captures the client's veth, and `hashwall-dataplane replay --pcap` of the
# capture with two sets must give exactly one complete object event per
# fetch with the served digest, one match per fetch of a listed object, no
# client address in plain and no body bytes in its output.
# Root only (exit 77 otherwise); everything is removed on exit.
#
# usage: e2e_capture_replay.sh HASHWALL_DATAPLANE HASHWALL_SET HTTP_SERVER CHECK_EVENTS
set -euo pipefail

DP=$(realpath "$1")
HWSET=$(realpath "$2")
HTTPD=$(realpath "$3")
CHECK=$(realpath "$4")
source "$(dirname "$(realpath "$0")")/e2e_lib.sh"

e2e_init e2e-capture-replay
e2e_netns
e2e_server
e2e_digests 24
e2e_set e2e-a 1 $(e2e_objects 0 0 23)
e2e_set e2e-b 4 $(e2e_objects 1 0 23)

# --immediate-mode: every packet handed over at once (TPACKET_V3 would hold
# a partly filled block for up to a second, and SIGTERM drops it).
ip netns exec "$CLI" tcpdump -i cli0 -n -s 0 -U --immediate-mode -w "$TMP/cap.pcap" 'tcp port 80' 2>"$TMP/tcpdump.err" &
TCPDUMP_PID=$!
E2E_PIDS+=("$TCPDUMP_PID")
for _ in $(seq 100); do
	grep -q 'listening on' "$TMP/tcpdump.err" && break
	sleep 0.1
done
grep -q 'listening on' "$TMP/tcpdump.err" || fail "tcpdump did not start: $(cat "$TMP/tcpdump.err")"

e2e_fetch keepalive "$SRV4" 0 1 2 3 4 5 6 7
e2e_fetch parallel "$SRV4" 8 9 10 11 12 13 14 15
e2e_fetch keepalive "[$SRV6]" 16 17 18 19
e2e_fetch parallel "[$SRV6]" 20 21 22 23 0 1
e2e_expect e2e-a e2e-b
# until the capture stops growing (the last FINs)
size=-1
while [[ $(stat -c %s "$TMP/cap.pcap") -ne $size ]]; do
	size=$(stat -c %s "$TMP/cap.pcap")
	sleep 0.5
done
kill -TERM "$TCPDUMP_PID"
wait "$TCPDUMP_PID" || true
grep -q '^0 packets dropped by kernel' "$TMP/tcpdump.err" || fail "tcpdump dropped packets: $(cat "$TMP/tcpdump.err")"
ok "captured $(grep 'packets captured' "$TMP/tcpdump.err")"

head -c 32 /dev/urandom >"$TMP/client.key"
chmod 600 "$TMP/client.key"
"$DP" replay --pcap "$TMP/cap.pcap" --set "$TMP/e2e-a.hws" --set "$TMP/e2e-b.hws" \
	--log-objects --client-key "$TMP/client.key" >"$TMP/events.jsonl" 2>"$TMP/replay.log" ||
	fail "replay failed: $(cat "$TMP/replay.log")"

"$CHECK" --events "$TMP/events.jsonl" --digests "$TMP/digests" --fetched "$TMP/fetched" \
	--expected "$TMP/expected" \
	--client-ip "$CLI4" --client-ip "$CLI6" --host "$SRV4" --host "[$SRV6]" \
	--bodies "$TMP/bodies" --no-content "$TMP/replay.log" --stats
ok "replay of the capture: every fetched object hashed and matched as served"
