#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench_tlstap.sh - what the TLS tap costs nginx (docs/tls-tap.md,
# "Performance"): nginx (2 workers, TLS, HTTP/2) serves 100 KB PRNG
# objects on 127.0.0.1 in a network namespace of its own; h2load fetches
# them (N requests, C connections, M streams each) without the tap, with
# it (attached to nginx's PIDs, one set loaded, every object hashed), and
# without it again; the baseline is measured in the same run.  Prints
# requests/s of each run, the ratio (target: with >= 90% of without), the
# tap's CPU seconds per Gbit of plaintext, and whether every object was
# seen whole.  Nothing is asserted about time.  Root; everything it starts
# is removed on exit.
#
# Before that, bench_uprobe_hit measures one uprobe hit on this machine
# (a probed libssl call that does nothing) without and with the tap
# attached by library path: what every probed TLS call costs the server.
#
# usage: bench_tlstap.sh HASHWALL_TLSTAP HASHWALL_SET BENCH_UPROBE_HIT [REQUESTS [CONNS [STREAMS]]]
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "needs root: skipped"; exit 77; }
for p in nginx h2load openssl python3; do
	command -v "$p" >/dev/null || { echo "$p missing: skipped"; exit 77; }
done
TAP=$(realpath "$1") SET_TOOL=$(realpath "$2") HIT=$(realpath "$3")
N=${4:-4000} C=${5:-8} M=${6:-10}
NS=hwtlsb$$
W=$(mktemp -d /tmp/hashwall-bench-tlstap.XXXXXX)
PORT=8443
TAP_PID=
cleanup() {
	set +e
	[ -n "$TAP_PID" ] && kill "$TAP_PID" 2>/dev/null && wait "$TAP_PID" 2>/dev/null
	[ -s "$W/nginx.pid" ] && kill "$(cat "$W/nginx.pid")" 2>/dev/null && sleep 0.3
	ip netns del "$NS" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$W/www" "$W/tmp"
python3 -c "import random,sys; open(sys.argv[1],'wb').write(random.Random(7).randbytes(100000))" "$W/www/o.bin"
chmod -R a+rX "$W"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=bench -days 1 \
	-keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
echo "md5 $(md5sum <"$W/www/o.bin" | cut -d' ' -f1)" >"$W/s.list"
"$SET_TOOL" build --in "$W/s.list" --out "$W/s.hws" --id bench >/dev/null
cat >"$W/nginx.conf" <<EOF
worker_processes 2;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $W/tmp/cb; proxy_temp_path $W/tmp/p; fastcgi_temp_path $W/tmp/f;
  uwsgi_temp_path $W/tmp/u; scgi_temp_path $W/tmp/s;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$PORT ssl http2;
    ssl_certificate $W/cert.pem; ssl_certificate_key $W/key.pem;
    root $W/www;
  }
}
EOF
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" nginx -c "$W/nginx.conf"
for _ in $(seq 50); do [ -s "$W/nginx.pid" ] && break; sleep 0.1; done

run_h2load() { # prints requests/s
	ip netns exec "$NS" h2load -n "$N" -c "$C" -m "$M" "https://127.0.0.1:$PORT/o.bin" >"$W/h2load.txt"
	grep -q "$N succeeded" "$W/h2load.txt" || { cat "$W/h2load.txt" >&2; exit 1; }
	sed -n 's/.*finished in [0-9.]*s, \([0-9.]*\) req\/s.*/\1/p' "$W/h2load.txt"
}
cpu_s() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat"; }

HIT0=$("$HIT" 1000000)
"$TAP" --ports $PORT >"$W/tap0.jsonl" 2>"$W/tap0.err" &
TAP_PID=$!
for _ in $(seq 100); do grep -q ready "$W/tap0.err" && break; sleep 0.1; done
HIT1=$("$HIT" 20000)
kill -TERM "$TAP_PID"
wait "$TAP_PID"
TAP_PID=
echo "one probed libssl call: $HIT0 us without the tap, $HIT1 us with it (one uprobe hit)"

run_h2load >/dev/null # warm-up
BASE1=$(run_h2load)
# By PID (nginx's master and workers): h2load maps libssl too, and on a
# real host the clients are elsewhere.
PIDS=()
for p in $(cat "$W/nginx.pid") $(pgrep -P "$(cat "$W/nginx.pid")"); do PIDS+=(--pid "$p"); done
"$TAP" --ports $PORT --set "$W/s.hws" "${PIDS[@]}" >"$W/tap.jsonl" 2>"$W/tap.err" &
TAP_PID=$!
for _ in $(seq 100); do grep -q ready "$W/tap.err" && break; sleep 0.1; done
CPU0=$(cpu_s "$TAP_PID")
WITH=$(run_h2load)
CPU1=$(cpu_s "$TAP_PID")
kill -TERM "$TAP_PID"
wait "$TAP_PID"
TAP_PID=
BASE2=$(run_h2load)
python3 - "$W/tap.jsonl" "$BASE1" "$WITH" "$BASE2" "$CPU0" "$CPU1" "$N" "$(cat /proc/loadavg)" "$HIT1" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
stats = next(e for e in lines if e["event"] == "stats")
tap = next(e for e in lines if e["event"] == "tlstap")
b1, w, b2, c0, c1, n = map(float, sys.argv[2:8])
base = (b1 + b2) / 2
gbit = tap["bpf_bytes"] * 8 / 1e9
print(f"requests: {int(n)} x 100 KB over HTTP/2, load average {sys.argv[8]}")
print(f"nginx without the tap: {b1:.0f} and {b2:.0f} req/s (mean {base:.0f})")
print(f"nginx with the tap:    {w:.0f} req/s = {100 * w / base:.1f}% of without (target >= 90%)")
print(f"tap CPU: {c1 - c0:.2f} s for {gbit:.2f} Gbit of plaintext = {(c1 - c0) / gbit:.2f} CPU s per Gbit")
print(f"probed calls: {tap['bpf_returns']} ({tap['bpf_returns'] / n:.1f} per request), each two uprobe "
      f"hits of ~{float(sys.argv[9]):.1f} us: ~{2 * tap['bpf_returns'] * float(sys.argv[9]) / 1e6:.2f} CPU s in traps")
print(f"objects complete: {stats['objects_complete']} of {int(n)} (matches {stats['matches']}); "
      f"ring_full {tap['bpf_ring_full']}, holes {tap['holes']}")
EOF
