#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e_pdq.sh - perceptual matching end to end: nginx in a network namespace
# this script creates serves images it draws (re-encoded, rotated copies
# of listed drawings, and an unlisted one); curl fetches them across a veth
# pair; the live dataplane (af_packet on the client's end, the PDQ stage
# on) hashes them in its sandboxed decoder and sends pdq matches over the
# ingest socket to hashwall-controld, where they become candidates that
# show the distance, quality and variant.  The copies' exact digests are
# in no set: only PDQ can match them.
# Root only (exit 77 otherwise); everything is removed on exit.
#
# usage: e2e_pdq.sh HASHWALL_DATAPLANE HASHWALL_SET HASHWALL_CONTROLD HW_DIR
set -euo pipefail

DP=$(realpath "$1")
HWSET=$(realpath "$2")
CTLD=$(realpath "$3")
PROFILE=$(realpath "$4")/virtual-af-packet.json
source "$(dirname "$(realpath "$0")")/e2e_lib.sh"

e2e_init e2e-pdq
for t in nginx convert; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed (scripts/setup-deps.sh)"; exit 77; }
done
DP_ID=e2e-pdq-$$
E2E_RMDIRS+=("/var/run/dpdk/hashwall-$DP_ID")
e2e_netns

# Drawings, the set of the listed ones, and the copies nginx serves.
W=$TMP/www
mkdir -p "$W"
convert -size 480x360 gradient:navy-gold -fill crimson -draw "circle 150,120 150,40" \
	-fill white -draw "rectangle 300,200 420,320" "$TMP/shapes.png"
convert -seed 7 -size 480x360 plasma:fractal -blur 0x2 "$TMP/plasma.png"
convert -size 480x360 gradient:white-black -rotate 90 -fill blue \
	-draw "rectangle 40,40 200,300" "$TMP/other.png"
"$HWSET" pdq "$TMP/shapes.png" "$TMP/plasma.png" | python3 -c '
import json, sys
for i, l in enumerate(sys.stdin):
    print("pdq %s 1 %d" % (json.loads(l)["pdq"], 500 + i))' >"$TMP/pdq.list"
"$HWSET" build --in "$TMP/pdq.list" --out "$TMP/pdq.hws" --id e2e-pdq --version 1 >/dev/null
convert "$TMP/shapes.png" -quality 45 "$W/shapes.jpg"
convert "$TMP/plasma.png" -rotate 270 -quality 80 "$W/plasma-turned.webp"
convert "$TMP/other.png" -quality 80 "$W/other.jpg"
chmod -R a+rX "$TMP"

# nginx in the server's namespace (its own prefix, no daemon).
mkdir -p "$TMP/nginx/logs"
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log;
daemon off;
user root;
events { worker_connections 64; }
http {
  access_log off;
  types { image/jpeg jpg; image/webp webp; }
  default_type application/octet-stream;
  server { listen $SRV4:80; root $W; }
}
EOF
ip netns exec "$SRV" nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>"$TMP/nginx.err" &
E2E_PIDS+=($!)

# controld, its ingest socket where the dataplane reaches it.
TOKEN=$("$CTLD" new-token --tokens "$TMP/tokens" rev reviewer | awk '{print $NF}')
cat >"$TMP/ctl.json" <<EOF
{"db":"$TMP/ctl.db","ingest_socket":"$TMP/ingest.sock","client_key_file":"$TMP/ctl.key",
 "tokens_file":"$TMP/tokens","allowlist_file":"$TMP/allow.txt",
 "event_log":"$TMP/ctl-events.jsonl","api":{"port":0}}
EOF
"$CTLD" --config "$TMP/ctl.json" 2>"$TMP/ctl.log" &
E2E_PIDS+=($!)
for _ in $(seq 100); do grep -q " port " "$TMP/ctl.log" && break; sleep 0.1; done
PORT=$(sed -n 's/.* port \([0-9]*\),.*/\1/p' "$TMP/ctl.log" | head -1)
[[ -n $PORT ]] || fail "controld did not start: $(cat "$TMP/ctl.log")"
api() { curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1"; }

head -c 32 /dev/urandom >"$TMP/client.key"
chmod 600 "$TMP/client.key"
cat >"$TMP/dp.json" <<EOF
{"id":"$DP_ID","workers":1,"memory_mb":256,"hugepages":false,"http_ports":[80],
 "ports":[{"profile":"$PROFILE","device":"net_af_packet0,iface=cli0"}],
 "client_key_file":"$TMP/client.key","event_file":"$TMP/events.jsonl","log_objects":true,
 "ingest_socket":"$TMP/ingest.sock","sets":["$TMP/pdq.hws"],
 "pdq":{"enabled":true,"min_bytes":1024,"sets":[{"id":"e2e-pdq","max_distance":31,"min_quality":50}]}}
EOF
ip netns exec "$CLI" "$DP" --config "$TMP/dp.json" >"$TMP/dp.out" 2>"$TMP/dp.log" &
DP_PID=$!
E2E_PIDS+=("$DP_PID")
for _ in $(seq 300); do
	kill -0 "$DP_PID" 2>/dev/null || fail "the dataplane died: $(tail -5 "$TMP/dp.log")"
	grep -q 'running: ' "$TMP/dp.log" && break
	sleep 0.1
done
grep -q 'running: ' "$TMP/dp.log" || fail "not running after 30 s: $(tail -5 "$TMP/dp.log")"
ok "nginx, controld and the dataplane up"

for f in shapes.jpg plasma-turned.webp other.jpg shapes.jpg; do
	in_cli curl -sS --fail --max-time 30 -o "$TMP/got-$f" "http://$SRV4/$f" ||
		fail "curl $f failed: $(cat "$TMP/nginx.err" "$TMP/nginx/logs/error.log" 2>/dev/null)"
	cmp -s "$TMP/got-$f" "$W/$f" || fail "$f arrived changed"
done
ok "fetched 4 images"

# Two candidates at controld (the third image is not listed).
ncands() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$1"; }
for _ in $(seq 300); do
	api /api/v1/candidates >"$TMP/cands.json" 2>/dev/null && [[ $(ncands "$TMP/cands.json") -ge 2 ]] &&
		[[ $(grep -c '"event":"match"' "$TMP/events.jsonl") -ge 3 ]] && break
	sleep 0.1
done
api /api/v1/candidates >"$TMP/cands.json"
kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exit $?: $(tail -5 "$TMP/dp.log")"
python3 - "$TMP/cands.json" "$TMP/events.jsonl" <<'PY' || fail "candidates"
import json, sys
fails = 0
def check(what, ok):
    global fails
    print(("ok: " if ok else "FAIL: ") + what)
    fails += not ok
cands = json.load(open(sys.argv[1]))["items"]
by_path = {c["path"]: c for c in cands}
check("two candidates (%s)" % sorted(by_path), sorted(by_path) == ["/plasma-turned.webp", "/shapes.jpg"])
for path, ref, variants in (("/shapes.jpg", 500, ("original",)),
                            ("/plasma-turned.webp", 501, ("rotate-90", "rotate-270"))):
    c = by_path.get(path, {})
    check("%s: pdq candidate of entry %d, %s bits, quality %s, %s" % (
          path, ref, c.get("distance"), c.get("quality"), c.get("variant")),
          c.get("algo") == "pdq" and c.get("ref") == ref and c.get("set") == "e2e-pdq"
          and 0 <= c.get("distance", 99) <= 31 and c.get("quality", 0) >= 50
          and c.get("variant") in variants and len(c.get("matched", "")) == 64)
check("shapes.jpg served twice: one candidate, two occurrences",
      by_path.get("/shapes.jpg", {}).get("occurrences") == 2)
ev = [json.loads(l) for l in open(sys.argv[2])]
objs = [e for e in ev if e["event"] == "object"]
check("four objects seen, complete", len(objs) == 4 and all(o["complete"] for o in objs))
check("no exact match (only PDQ can match the copies)",
      all(e["algo"] == "pdq" for e in ev if e["event"] == "match"))
sys.exit(1 if fails else 0)
PY
ok "pdq matches became candidates with their distance"
