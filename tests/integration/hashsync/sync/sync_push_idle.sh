#!/usr/bin/env bash
# sync_push_idle.sh - issue 14, item 5: idle connections cannot keep a
# hotline from pushing.  64 connections from eight loopback addresses that
# never send a request (plain TCP, a ClientHello never followed up, half a
# ClientHello), reopened whenever syncd closes one, and a genuine push still
# installs within a few seconds; a request head dribbled a byte at a time
# is cut at the head deadline.  Default limits (docs/sync-protocol.md).
source "$(dirname "$0")/sync_lib.sh"
HOLD=$(dirname "$0")/sync_hold.py

keys k1
listen_config 1 k1
start_syncd "$CONFIG"
list l1.txt a 50
"$PUBLISH" snapshot --secret k1.sec --set nl --version 1 --in l1.txt --out s1.hwb >/dev/null

python3 "$HOLD" hold "$PORT" 64 8 hold.out 2>hold.err &
PIDS+=($!)
for _ in $(seq 200); do grep -q ready hold.out 2>/dev/null && break; sleep 0.1; done
grep -q ready hold.out || fail "the holders did not connect: $(cat hold.err)"
sleep 1
start=$(date +%s%N)
out=$(timeout 60 "$PUBLISH" push --url "https://127.0.0.1:$PORT/v1/bundles" --token-file token \
	--cacert cert.pem s1.hwb || true)
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "${out%% *}" 200 "push while 64 idle connections are held ($out)"
[[ $ms -lt 5000 ]] || fail "the push took $ms ms"
expect_eq "$(installed)" 1 "installed version"

# A request head that trickles in is closed at the head deadline (5 s).
secs=$(python3 "$HOLD" dribble "$PORT" 20)
[[ ${secs%.*} -ge 4 && ${secs%.*} -le 7 ]] || fail "a dribbled head was closed after $secs s"
metric() {
	curl -s --cacert cert.pem "https://127.0.0.1:$PORT/metrics" |
		sed -n "s/^hashwall_sync_push_limited_total{reason=\"$1\"} //p"
}
[[ $(metric head-timeout) -ge 1 ]] || fail "head-timeout count: $(metric head-timeout)"
[[ $(metric evicted) -ge 1 ]] || fail "evicted count: $(metric evicted)"
echo "PASS sync_push_idle"
