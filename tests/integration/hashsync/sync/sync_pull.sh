#!/usr/bin/env bash
# sync_pull.sh - pull mode against a directory laid out by
# `hashwall-publish export` and served over HTTP on loopback: a snapshot,
# then a delta chain, then a jump by the newest snapshot when the chain is
# broken, a key rotation found in the index, a forged delta refused, the
# same over HTTPS with a private CA, and an unchanged index answered with
# 304 (conditional request).
source "$(dirname "$0")/sync_lib.sh"

keys k1 n1
HTTP_PORT=$(free_port)
mkdir www
python3 -m http.server --bind 127.0.0.1 --directory www "$HTTP_PORT" 2>http.log >/dev/null &
PIDS+=($!)
for _ in $(seq 300); do curl -s "http://127.0.0.1:$HTTP_PORT/" >/dev/null && break; sleep 0.1; done
PULL_CONFIG=", \"pull\": {\"url\": \"http://127.0.0.1:$HTTP_PORT/nl/\", \"interval\": 5, \"jitter\": 0}"
CONFIG=$WORK/syncd.json
config "$CONFIG" 1 k1

snapshot() { # snapshot VERSION SIGNER: build and export
	list "l$1.txt" "seed$1" 25
	"$PUBLISH" snapshot --secret "$2" --set nl --version "$1" --in "l$1.txt" --out "b$1.hwb" >/dev/null
	"$PUBLISH" export --dir www "b$1.hwb" >/dev/null
}
delta() { # delta VERSION BASE SIGNER
	list "l$1.txt" "seed$1" 25
	"$PUBLISH" delta --secret "$3" --set nl --version "$1" --base "$2" --add "l$1.txt" --out "b$1.hwb" >/dev/null
	"$PUBLISH" export --dir www "b$1.hwb" >/dev/null
}
pull_once() { "$SYNCD" run --config "$CONFIG" --once 2>>syncd.log; }
root_version() { "$SYNCD" status --config "$CONFIG" | json_field root_version; }

snapshot 1 k1.sec
pull_once
expect_eq "$(installed)" 1 "after the first pull"
delta 2 1 k1.sec
delta 3 2 k1.sec
pull_once
expect_eq "$(installed)" 3 "after a chain of two deltas"
expect_eq "$(grep -c 'snapshot.hwb' http.log)" 1 "snapshot downloads (the chain comes as deltas)"
# The chain breaks (no delta from 3): the newest snapshot, then its delta.
snapshot 10 k1.sec
delta 11 10 k1.sec
pull_once
expect_eq "$(installed)" 11 "after snapshot 10 and delta 11"
# A rotation published in the index is applied before the deltas it signs.
"$PUBLISH" rotate --secret k1.sec --new-secret n1.sec --set nl --version 2 --keys n1.pub \
	--threshold 1 --out root2.hwb >/dev/null
"$PUBLISH" export --dir www root2.hwb >/dev/null
delta 12 11 n1.sec
pull_once
expect_eq "$(installed)" 12 "after a rotation and a delta by the new key"
expect_eq "$(root_version)" 2 "root version after the rotation"
# A forged delta in the index is refused and changes nothing.
delta 13 12 k1.sec
before=$(set_sum)
pull_once || true
expect_eq "$(installed)" 12 "after a delta by the retired key"
expect_eq "$(set_sum)" "$before" "set file after a refused pull"
# Over HTTPS, trusting the server's certificate through pull.cacert.
tls
TLS_PORT=$(free_port)
python3 - "$TLS_PORT" <<'PY' 2>https.log &
import functools, http.server, ssl, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory="www")
srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("cert.pem", "key.pem")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
PIDS+=($!)
for _ in $(seq 300); do curl -s --cacert cert.pem "https://127.0.0.1:$TLS_PORT/" >/dev/null && break; sleep 0.1; done
PULL_CONFIG=", \"pull\": {\"url\": \"https://127.0.0.1:$TLS_PORT/nl/\", \"interval\": 5, \"jitter\": 0, \"cacert\": \"$WORK/cert.pem\"}"
config "$CONFIG" 1 k1
delta 13 12 n1.sec
pull_once
expect_eq "$(installed)" 13 "after a pull over https"

# The daemon polls again after its interval: the unchanged index is a 304.
delta 14 13 n1.sec
sleep 2
"$SYNCD" run --config "$CONFIG" 2>>syncd.log &
PIDS+=($!)
DAEMON=$!
for _ in $(seq 200); do
	[[ $(grep -c '"GET /nl/index.json HTTP/1.1" 304' https.log) -ge 1 ]] && break
	sleep 0.1
done
expect_eq "$(installed)" 14 "after the daemon's first poll"
expect_eq "$(grep -c '"GET /nl/index.json HTTP/1.1" 304' https.log)" 1 "conditional index request"
kill "$DAEMON"
wait "$DAEMON" || true

# An index that is not strict JSON (a key twice) is refused as a whole.
delta 15 14 n1.sec
python3 - www/nl/index.json <<'PY'
import sys
p = sys.argv[1]
text = open(p).read().rstrip()
open(p, "w").write(text[:-1] + ', "latest": 14}')
PY
pull_once || true
expect_eq "$(installed)" 14 "after an index with a duplicate key"
expect_eq "$(grep -c 'index.json: duplicate key "latest"' syncd.log)" 1 "the refusal names the key"
echo "PASS sync_pull"
