#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e_tlstap.sh - the TLS tap on a serving host, end to end: nginx, then
# apache2 (TLS with a certificate this script makes, HTTP/2 on) serve
# synthetic PRNG files on 127.0.0.1 inside a network namespace this
# script creates; curl
# --http1.1 (keep-alive), curl --http2 (parallel streams) and h2load fetch
# them over HTTPS while hashwall-tlstap is attached to libssl:
#   1. by library path: every object's xxh3-128 equals its file's, matches
#      are exactly the files in the set (md5 entries), every match reaches
#      controld over the ingest socket, no client side (curl) is followed;
#   1b. a set loaded and unloaded over the control socket (as syncd does)
#      changes what matches from the next object on;
#   1c. --block-urls: a request for a URL in the pinned blocked-URL map
#      (hashwall-bpf block-url) resets its connection (HTTP/1.1 and
#      HTTP/2) and blocks its flow (TC on the namespace's lo); the client
#      gets an error and never the whole body; other URLs are served;
#      after unblock-url it is served whole;
#   2. by PID, with an 8 KiB ring (every 16 KiB record is lost): nginx
#      serves every byte exactly while the tap loses records (ring_full),
#      sees holes, reports complete objects exactly and flags the rest,
#      counted, never matched; nothing crashes;
#   3. apache2 with mod_ssl and mod_http2 (when installed): the checks of 1;
#   4. no body byte is on disk afterwards (files other than the served
#      ones searched for a 64-byte piece of each body).
# Everything it starts (nginx, apache2, the tap, controld, the namespace, temp
# files) is removed on exit, also on failure; the probes go with the tap.
#
# usage: e2e_tlstap.sh HASHWALL_TLSTAP HASHWALL_SET HASHWALL_CONTROLD HASHWALL_BPF
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "needs root: skipped"; exit 77; }
for p in nginx curl h2load openssl xxhsum python3; do
	command -v "$p" >/dev/null || { echo "$p missing: skipped"; exit 77; }
done
TAP=$(realpath "$1") SET_TOOL=$(realpath "$2") CONTROLD=$(realpath "$3") HWBPF=$(realpath "$4")
PIN=/sys/fs/bpf/hashwall-e2e-tlstap-$$
NS=hwtls$$
W=$(mktemp -d /tmp/hashwall-e2e-tlstap.XXXXXX)
PORT=8443
APORT=8444
TAP_PID= CD_PID=

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
cleanup() {
	set +e
	for p in $TAP_PID $CD_PID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -s "$W/nginx.pid" ] && kill "$(cat "$W/nginx.pid")" 2>/dev/null && sleep 0.3
	[ -s "$W/apache.pid" ] && kill "$(cat "$W/apache.pid")" 2>/dev/null && sleep 0.5
	"$HWBPF" -r "$PIN" purge 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$W" "$PIN"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
in_ns() { ip netns exec "$NS" "$@"; }

# ---- files, certificate, set, nginx ----
mkdir -p "$W/www" "$W/tmp" "$W/run"
python3 - "$W/www" <<'EOF'
import random, sys
sizes = {"tiny.bin": 1, "small.bin": 1000, "k100.bin": 100000, "m1.bin": 1 << 20,
         "m5.bin": 5 << 20, "known1.bin": 30000, "known2.bin": 3 << 20}
for i, (name, n) in enumerate(sorted(sizes.items())):
    rng = random.Random(1000 + i)
    with open(sys.argv[1] + "/" + name, "wb") as f:
        f.write(rng.randbytes(n))
EOF
chmod -R a+rX "$W"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=tap.test -days 1 \
	-keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
for f in known1 known2; do
	echo "md5 $(md5sum <"$W/www/$f.bin" | cut -d' ' -f1) 1 7"
done >"$W/known.list"
"$SET_TOOL" build --in "$W/known.list" --out "$W/known.hws" --id tapset --version 1 >/dev/null
cat >"$W/nginx.conf" <<EOF
worker_processes 2;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path $W/tmp/cb; proxy_temp_path $W/tmp/p; fastcgi_temp_path $W/tmp/f;
  uwsgi_temp_path $W/tmp/u; scgi_temp_path $W/tmp/s;
  keepalive_requests 10000;
  server {
    listen 127.0.0.1:$PORT ssl http2;
    server_name tap.test;
    ssl_certificate $W/cert.pem; ssl_certificate_key $W/key.pem;
    root $W/www;
  }
}
EOF
ip netns add "$NS"
in_ns ip link set lo up
in_ns nginx -c "$W/nginx.conf"
for _ in $(seq 50); do [ -s "$W/nginx.pid" ] && break; sleep 0.1; done
[ -s "$W/nginx.pid" ] || fail "nginx did not start: $(cat "$W/nginx-error.log")"
URL=https://127.0.0.1:$PORT

# ---- controld with an ingest socket (matches only) ----
R=$W/run
TOKEN=$("$CONTROLD" new-token --tokens "$R/tokens" ops admin)
head -c 32 /dev/urandom >"$W/client.key"
chmod 600 "$W/client.key"
cat >"$R/controld.json" <<EOF
{"db":"$R/c.db","ingest_socket":"$R/ingest.sock","client_key_file":"$W/client.key",
 "tokens_file":"$R/tokens","allowlist_file":"$R/allow.txt","event_log":"$R/events.jsonl",
 "log":"info","api":{"port":0}}
EOF
"$CONTROLD" --config "$R/controld.json" 2>"$R/controld.log" &
CD_PID=$!
for _ in $(seq 100); do grep -q " port " "$R/controld.log" && break; sleep 0.1; done
API=$(sed -n 's/.* port \([0-9]*\),.*/\1/p' "$R/controld.log")
[ -n "$API" ] || fail "controld did not start: $(cat "$R/controld.log")"
metric() {
	curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$API/metrics" |
		awk -v m="$1" '$1 == m { print $2 }'
}

start_tap() { # OUTFILE ARGS...
	local out=$1
	shift
	"$TAP" --ports "${TAP_PORT:-$PORT}" --set "$W/known.hws" --log-objects --client-key "$W/client.key" \
		"$@" >"$out" 2>"$out.err" &
	TAP_PID=$!
	for _ in $(seq 100); do grep -q "ready" "$out.err" && return 0; sleep 0.1; done
	fail "tap did not start: $(cat "$out.err")"
}
stop_tap() {
	kill -TERM "$TAP_PID"
	wait "$TAP_PID" || fail "tap exit $?: $(tail -3 "$1.err")"
	TAP_PID=
}
# Fetch every file with the client; each must arrive whole.
fetch_all() { # BASE_URL CURL_ARGS...
	local base=$1 args=() f
	shift
	for f in "$W"/www/*.bin; do args+=("$base/$(basename "$f")" -o "$W/got-$(basename "$f")"); done
	in_ns curl -sfk "$@" "${args[@]}" || fail "curl $* failed"
	for f in "$W"/www/*.bin; do
		cmp -s "$f" "$W/got-$(basename "$f")" || fail "curl $*: $(basename "$f") differs"
	done
	rm -f "$W"/got-*
}

# Every object of EVENTS exact against its file, served from PORT; the
# matches exactly the two known files, twice each.
check_exact() { # EVENTS PORT
	python3 - "$W" "$1" "$2" <<'EOF' || fail "tap events $1 wrong"
import json, os, subprocess, sys
w, events, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
ev = [json.loads(l) for l in open(events)]
objs = [e for e in ev if e["event"] == "object"]
matches = [e for e in ev if e["event"] == "match"]
xxh = {}
for f in os.listdir(w + "/www"):
    out = subprocess.run(["xxhsum", "-H2", w + "/www/" + f], capture_output=True, text=True).stdout
    xxh["/" + f] = out.split()[0]
want = 2 * len(xxh) + 200  # curl --http1.1, curl --http2, h2load
assert len(objs) == want, f"{len(objs)} objects, want {want}"
for o in objs:
    assert o["complete"] and o["outcome"] == "complete", o
    assert o["digests"]["xxh3-128"] == xxh[o["path"]], o["path"]
    assert o["server_ip"] == "127.0.0.1" and o["server_port"] == port, o
    assert o["host"] == f"127.0.0.1:{port}", o["host"]
    assert "127.0.0.1" not in o["client"]
paths = sorted(m["path"] for m in matches)
assert paths == ["/known1.bin", "/known1.bin", "/known2.bin", "/known2.bin"], paths
assert all(m["set"] == "tapset" and m["algo"] == "md5" and m["ref"] == 7 for m in matches)
print(f"{len(objs)} objects exact, {len(matches)} matches")
EOF
}
# curl --http1.1 (keep-alive), curl --http2 (parallel streams), h2load.
serve_round() { # BASE_URL
	fetch_all "$1" --http1.1
	fetch_all "$1" --http2 --parallel --parallel-max 7
	in_ns h2load -n 200 -c 4 -m 16 "$1/k100.bin" >"$W/h2load.txt" || fail "h2load failed"
	grep -q "200 succeeded" "$W/h2load.txt" || fail "h2load: $(grep requests: "$W/h2load.txt")"
	sleep 0.5
}

# ---- 1. by path: exact digests, exact matches, controld ----
start_tap "$W/tap1.jsonl" --ingest-socket "$R/ingest.sock" --id tap-e2e --event-file "$W/tap1-events.jsonl"
serve_round "$URL"
stop_tap "$W/tap1.jsonl"
check_exact "$W/tap1-events.jsonl" $PORT
grep -q '"bpf_not_server":[1-9]' "$W/tap1.jsonl" || fail "curl's own TLS calls were not told apart"
grep -q '"holes":0,' "$W/tap1.jsonl" || fail "holes at light load: $(tail -1 "$W/tap1.jsonl")"
for _ in $(seq 50); do [ "$(metric hashwall_ingest_events_total)" = 4 ] && break; sleep 0.1; done
[ "$(metric hashwall_ingest_events_total)" = 4 ] ||
	fail "controld committed $(metric hashwall_ingest_events_total) events, want 4"
ok "path mode: HTTP/1.1, HTTP/2 and h2load objects exact, 4 matches committed by controld"

# ---- 1b. a set swap over the control socket (as syncd sends it) ----
ctl() { # LINE: prints the answer
	python3 - "$W/ctl.sock" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
print(s.makefile().readline().strip())
EOF
}
echo "md5 $(md5sum <"$W/www/small.bin" | cut -d' ' -f1) 2 8" >"$W/v2.list"
"$SET_TOOL" build --in "$W/v2.list" --out "$W/v2.hws" --id tapset --version 2 >/dev/null
start_tap "$W/tap1b.jsonl" --control-socket "$W/ctl.sock"
in_ns curl -sfk --http2 "$URL/small.bin" "$URL/known2.bin" -o /dev/null -o /dev/null
A=$(ctl "load tapset 2 $W/v2.hws")
case $A in "ok loaded tapset 2"*) ;; *) fail "control socket load: $A" ;; esac
in_ns curl -sfk --http2 "$URL/small.bin" "$URL/known2.bin" -o /dev/null -o /dev/null
ctl "unload tapset" | grep -q "^ok unloaded" || fail "control socket unload"
in_ns curl -sfk --http1.1 "$URL/small.bin" "$URL/known2.bin" -o /dev/null -o /dev/null
stop_tap "$W/tap1b.jsonl"
M=$(grep '"event":"match"' "$W/tap1b.jsonl" | sed -n 's/.*"path":"\([^"]*\)".*"set_version":\([0-9]*\).*/\1 v\2/p' | tr '\n' ' ')
[ "$M" = "/known2.bin v1 /small.bin v2 " ] || fail "matches across the set swap: '$M'"
ok "set swap over the control socket: v1 matched known2, v2 small, none after unload"

# ---- 1c. blocked URLs inside TLS ----
# The tap runs in the namespace (the reset goes over sock_diag there) with
# the host's mounts (nsenter, not ip netns exec: the pins are in the host's bpffs).
nsenter --net="/run/netns/$NS" "$HWBPF" -r "$PIN" attach lo no-xdp >/dev/null
"$HWBPF" -r "$PIN" block-url "127.0.0.1/m5.bin" >/dev/null
nsenter --net="/run/netns/$NS" "$TAP" --ports $PORT --block-urls --pin-root "$PIN" \
	>"$W/tap1c.jsonl" 2>"$W/tap1c.jsonl.err" &
TAP_PID=$!
for _ in $(seq 100); do grep -q "ready" "$W/tap1c.jsonl.err" && break; sleep 0.1; done
FULL=$(stat -c %s "$W/www/m5.bin")
for v in --http1.1 --http2; do
	rc=0
	GOT=$(in_ns curl -sk $v --max-time 10 "$URL/m5.bin" -o /dev/null -w '%{size_download}') || rc=$?
	[ "$rc" != 0 ] || fail "blocked URL served ($v)"
	[ "${GOT:-0}" -lt "$FULL" ] || fail "blocked URL: $GOT of $FULL bytes ($v)"
	echo "blocked $v: curl exit $rc after $GOT of $FULL bytes"
	in_ns curl -sfk $v "$URL/small.bin" -o "$W/got-small" || fail "other URL not served ($v)"
	cmp -s "$W/got-small" "$W/www/small.bin" || fail "other URL differs ($v)"
done
FLOWS=$("$HWBPF" -r "$PIN" list-flows | grep -c "^127.0.0.1:$PORT -> 127.0.0.1:" || true)
[ "$FLOWS" = 2 ] || fail "$FLOWS blocked flows, want 2: $("$HWBPF" -r "$PIN" list-flows)"
"$HWBPF" -r "$PIN" unblock-url "127.0.0.1/m5.bin" >/dev/null
in_ns curl -sfk --http2 "$URL/m5.bin" -o "$W/got-m5" || fail "unblocked URL not served"
cmp -s "$W/got-m5" "$W/www/m5.bin" || fail "unblocked URL differs"
stop_tap "$W/tap1c.jsonl"
grep -q '"url_blocked":2,"url_not_checked":0,"url_reset_failed":0,"url_flow_failed":0' "$W/tap1c.jsonl" ||
	fail "tap's URL counters: $(tail -1 "$W/tap1c.jsonl")"
rm -f "$W"/got-*
ok "blocked URL over HTTPS: connection reset and flow blocked (HTTP/1.1, HTTP/2), others served, unblock serves it"

# ---- 2. by PID with a tiny ring: the server is never held up ----
PIDS=()
for p in $(cat "$W/nginx.pid") $(pgrep -P "$(cat "$W/nginx.pid")"); do PIDS+=(--pid "$p"); done
start_tap "$W/tap2.jsonl" "${PIDS[@]}" --ring-bytes 8192
for _ in 1 2 3; do fetch_all "$URL" --http2 --parallel; done
fetch_all "$URL" --http1.1
stop_tap "$W/tap2.jsonl"
python3 - "$W" <<'EOF' || fail "tap events (tiny ring) wrong"
import json, os, subprocess, sys
w = sys.argv[1]
lines = [json.loads(l) for l in open(w + "/tap2.jsonl")]
objs = [e for e in lines if e["event"] == "object"]
matches = [e for e in lines if e["event"] == "match"]
stats = next(e for e in lines if e["event"] == "stats")
tap = next(e for e in lines if e["event"] == "tlstap")
xxh = {}
for f in os.listdir(w + "/www"):
    out = subprocess.run(["xxhsum", "-H2", w + "/www/" + f], capture_output=True, text=True).stdout
    xxh["/" + f] = out.split()[0]
# every 16 KiB record is larger than the 8 KiB ring: lost, counted, a hole
assert tap["bpf_ring_full"] > 0, tap
assert tap["holes"] > 0 and tap["hole_bytes"] > 0, tap
given_up = sum(v for k, v in stats.items() if k in ("obj_incomplete", "obj_abandoned_conn", "h2_gap_in_frame",
                                                     "obj_response_lost", "http_requests_lost")
               or k.startswith("http_resync_"))
assert given_up > 0, stats
for o in objs:  # what is reported complete is exact; the rest is flagged
    assert (o["complete"] and o["digests"]["xxh3-128"] == xxh[o["path"]]) or \
        (not o["complete"] and o["outcome"] != "complete"), o
for m in matches:  # only ever for a complete object
    assert m["complete"] and m["path"] in ("/known1.bin", "/known2.bin"), m
print(f"ring_full={tap['bpf_ring_full']} holes={tap['holes']}, {len(objs)} objects, "
      f"{sum(not o['complete'] for o in objs)} incomplete, {given_up} given up")
EOF
ok "tiny ring: nginx served every byte, lost records counted, objects incomplete"

# ---- 3. apache2 with mod_ssl and mod_http2, the same checks ----
M=/usr/lib/apache2/modules
if command -v apache2 >/dev/null && [ -e $M/mod_ssl.so ] && [ -e $M/mod_http2.so ]; then
	cat >"$W/apache.conf" <<EOF
ServerName 127.0.0.1
PidFile $W/apache.pid
DefaultRuntimeDir $W
Mutex file:$W default
Listen 127.0.0.1:$APORT
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule ssl_module $M/mod_ssl.so
LoadModule http2_module $M/mod_http2.so
User www-data
Group www-data
ErrorLog $W/apache-error.log
DocumentRoot $W/www
<Directory $W/www>
  Require all granted
</Directory>
Protocols h2 http/1.1
SSLEngine on
SSLCertificateFile $W/cert.pem
SSLCertificateKeyFile $W/key.pem
EOF
	in_ns apache2 -f "$W/apache.conf" -k start
	for _ in $(seq 50); do [ -s "$W/apache.pid" ] && break; sleep 0.1; done
	[ -s "$W/apache.pid" ] || fail "apache2 did not start: $(cat "$W/apache-error.log")"
	TAP_PORT=$APORT start_tap "$W/tap3.jsonl" --event-file "$W/tap3-events.jsonl"
	serve_round "https://127.0.0.1:$APORT"
	stop_tap "$W/tap3.jsonl"
	check_exact "$W/tap3-events.jsonl" $APORT
	ok "apache2 (mod_ssl, mod_http2): HTTP/1.1, HTTP/2 and h2load objects exact, matches exact"
else
	echo "apache2 with mod_ssl and mod_http2 not installed: part 3 skipped"
fi

# ---- 4. no body on disk ----
python3 - "$W" <<'EOF' || fail "body bytes found on disk"
import os, sys
w = sys.argv[1]
pieces = []
for f in os.listdir(w + "/www"):
    data = open(w + "/www/" + f, "rb").read()
    if len(data) >= 128:
        pieces.append(data[64:128])
for root, _, files in os.walk(w):
    if root.startswith(w + "/www"):
        continue
    for f in files:
        p = os.path.join(root, f)
        if os.path.islink(p) or not os.path.isfile(p):
            continue
        blob = open(p, "rb").read()
        for piece in pieces:
            assert piece not in blob, p
EOF
ok "no body bytes outside the served files"
