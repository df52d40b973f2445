#!/usr/bin/env bash
# sync_conformance.sh - the conformance suite of issue 5 over the real push
# endpoint (HTTPS on loopback): every forged, stale or damaged bundle is
# refused with its reason and leaves the installed set file byte-identical;
# genuine snapshots, delta chains and a key rotation are installed.
source "$(dirname "$0")/sync_lib.sh"

keys k1 k2 k3 kx n1 n2
listen_config 2 k1 k2 k3
sed -i 's/"max_manifest_bytes": 2048/"max_manifest_bytes": 1024/' "$CONFIG"
start_syncd "$CONFIG"

# expect_installed BUNDLE VERSION
expect_installed() {
	local out
	out=$(push "$1")
	expect_eq "${out%% *}" 200 "push $1: $out"
	expect_eq "$(installed)" "$2" "installed version after $1"
}
# expect_refused BUNDLE STATUS REASON [TOKENFILE]
expect_refused() {
	local before out
	before=$(set_sum)
	out=$(push "$1" "${4:-token}")
	expect_eq "${out%% *}" "$2" "status for $1 ($out)"
	expect_eq "$(echo "${out#* }" | json_field error)" "$3" "reason for $1"
	expect_eq "$(set_sum)" "$before" "set file after $1"
}
snap() { # snap VERSION SEED N SIGNERS [extra args]
	local v=$1 seed=$2 n=$3 signers=$4
	shift 4
	list "s$v-$seed.txt" "$seed" "$n"
	"$PUBLISH" snapshot --secret "$signers" --set nl --version "$v" --in "s$v-$seed.txt" \
		--out "s$v-$seed.hwb" "$@" >/dev/null
}
delta() { # delta VERSION BASE SEED SIGNERS
	list "d$1.add" "$3" 20
	head -n 3 "s1-a.txt" | cut -d' ' -f1,2 >"d$1.rm"
	"$PUBLISH" delta --secret "$4" --set nl --version "$1" --base "$2" --add "d$1.add" \
		--remove "d$1.rm" --out "d$1.hwb" >/dev/null
}
flip() { # flip IN OUT OFFSET(from start, or negative from end)
	python3 - "$@" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); off = int(sys.argv[3])
b[off] ^= 0x01
open(sys.argv[2], "wb").write(b)
PY
}
mlen() { python3 -c 'import sys; b=open(sys.argv[1],"rb").read(); print(int.from_bytes(b[12:16],"big"))' "$1"; }

# Success: snapshot, a chain of deltas.
snap 1 a 200 k1.sec,k2.sec
expect_installed s1-a.hwb 1
delta 2 1 b k1.sec,k3.sec
delta 3 2 c k2.sec,k3.sec
expect_installed d2.hwb 2
expect_installed d3.hwb 3

# Refusals, each leaving the set byte-identical.
snap 1 z 50 k1.sec,k2.sec
expect_refused s1-z.hwb 409 version-not-newer               # lower version
snap 3 z 50 k1.sec,k2.sec
expect_refused s3-z.hwb 409 version-not-newer               # same version, other content
snap 4 e 50 k1.sec,k2.sec --expires 1s
sleep 2
expect_refused s4-e.hwb 400 expired
snap 4 u 50 kx.sec
expect_refused s4-u.hwb 403 unknown-key
snap 4 t 50 k1.sec
expect_refused s4-t.hwb 403 threshold
snap 4 g 50 k1.sec,k2.sec
m=$(mlen s4-g.hwb)
flip s4-g.hwb flip-payload.hwb -5
expect_refused flip-payload.hwb 400 payload-sha256
flip s4-g.hwb flip-manifest.hwb $((24 + m / 2))
expect_refused flip-manifest.hwb 403 bad-signature
flip s4-g.hwb flip-sig.hwb $((24 + m + 32 + 5))
expect_refused flip-sig.hwb 403 bad-signature               # one of two signatures broken
head -c -10 s4-g.hwb >truncated.hwb
expect_refused truncated.hwb 400 truncated
cp s4-g.hwb longer.hwb
printf 'x' >>longer.hwb
expect_refused longer.hwb 400 payload-size
snap 4 big 40000 k1.sec,k2.sec
expect_refused s4-big.hwb 413 too-large
delta 5 4 f k1.sec,k2.sec
expect_refused d5.hwb 409 base-mismatch
expect_refused d2.hwb 409 version-not-newer                 # an old delta replayed
expect_refused s4-g.hwb 401 unauthorized badtoken
before=$(set_sum)
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem --data-binary @s4-g.hwb \
	"https://127.0.0.1:$PORT/v1/bundles")
expect_eq "$code" 401 "push without a token"
expect_eq "$(set_sum)" "$before" "set file after a push without a token"

# Two slow uploads announcing the whole cap each hold the memory cap: busy.
python3 - "$PORT" "$TOKEN" <<'PY' &
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile="cert.pem")
held = []
for _ in range(2):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="127.0.0.1")
    s.sendall(f"POST /v1/bundles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {sys.argv[2]}\r\n"
              f"Content-Length: 1048576\r\n\r\n".encode() + b"HWBUNDLE")
    held.append(s)
open("slow.ready", "w").close()
time.sleep(30)
PY
SLOW=$!
for _ in $(seq 300); do [[ -f slow.ready ]] && break; sleep 0.1; done
sleep 1
expect_refused s4-g.hwb 503 busy
kill "$SLOW"
wait "$SLOW" || true

# A header announcing more than the cap is refused as soon as its 24 bytes
# are in: nothing more is kept, the answer follows the (discarded) body.
early=$(python3 - "$PORT" "$TOKEN" <<'PY'
import socket, ssl, struct, sys
ctx = ssl.create_default_context(cafile="cert.pem")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="127.0.0.1")
s.settimeout(10)
hdr = b"HWBUNDLE" + struct.pack(">HHIQ", 1, 1, 300, 1 << 40)
s.sendall(f"POST /v1/bundles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {sys.argv[2]}\r\n"
          f"Content-Length: 100000\r\n\r\n".encode() + hdr + bytes(100000 - len(hdr)))
answer = ""
while not answer.endswith("}"):
    chunk = s.recv(4096).decode(errors="replace")
    if not chunk:
        break
    answer += chunk
print(answer.split("\r\n")[0].split(" ")[1], answer[answer.index("{"):])
PY
)
expect_eq "${early%% *}" 413 "early refusal status ($early)"
expect_eq "$(echo "${early#* }" | json_field error)" too-large "early refusal reason"

# Key rotation: to n1, n2 (2 of 2).  Not signed by the old keys: refused.
"$PUBLISH" rotate --secret n1.sec --new-secret n2.sec --set nl --version 2 \
	--keys n1.pub,n2.pub --threshold 2 --out rot-bad.hwb >/dev/null
expect_refused rot-bad.hwb 403 unknown-key
"$PUBLISH" rotate --secret k1.sec --new-secret n1.sec --set nl --version 2 \
	--keys n1.pub,n2.pub --threshold 2 --out rot-short.hwb >/dev/null
expect_refused rot-short.hwb 403 threshold                   # one old key of two
"$PUBLISH" rotate --secret k1.sec,k2.sec --new-secret n1.sec --set nl --version 2 \
	--keys n1.pub,n2.pub --threshold 2 --out rot-nonew.hwb >/dev/null
expect_refused rot-nonew.hwb 403 root-new-keys
# A manifest over the 1024-byte cap: a rotation to 16 keys.
for i in $(seq 16); do keys "m$i"; done
"$PUBLISH" rotate --secret k1.sec,k2.sec --new-secret m1.sec,m2.sec --set nl --version 2 \
	--keys "$(seq -s, -f 'm%g.pub' 16)" --threshold 2 --out rot-big.hwb >/dev/null
expect_refused rot-big.hwb 413 manifest-too-large
"$PUBLISH" rotate --secret k1.sec,k2.sec --new-secret n1.sec,n2.sec --set nl --version 2 \
	--keys n1.pub,n2.pub --threshold 2 --out rot.hwb >/dev/null
out=$(push rot.hwb)
expect_eq "${out%% *}" 200 "rotation ($out)"
delta 4 3 h k1.sec,k2.sec
expect_refused d4.hwb 403 unknown-key                       # old keys no longer count
delta 4 3 h n1.sec,n2.sec
expect_installed d4.hwb 4
# A new snapshot replaces the set.
snap 9 n 30 n1.sec,n2.sec
expect_installed s9-n.hwb 9

# The rotated root and the state survive a restart.
kill "$SYNCD_PID"
wait "$SYNCD_PID" || true
start_syncd "$CONFIG"
delta 10 9 r k1.sec,k2.sec
expect_refused d10.hwb 403 unknown-key
delta 10 9 r n1.sec,n2.sec
expect_installed d10.hwb 10
status=$("$SYNCD" status --config "$CONFIG")
expect_eq "$(echo "$status" | python3 -c 'import json,sys; s=json.load(sys.stdin)["sets"][0]; print(s["root_version"], s["last_refusal"]["reason"], s["stale"])')" \
	"2 unknown-key False" "status after restart"
# Offline verify agrees with the endpoint.
"$SYNCD" verify --config "$CONFIG" d10.hwb >verify.out && fail "verify accepted a replay"
grep -q '^refused: version-not-newer' verify.out || fail "verify: $(cat verify.out)"
# Freshness: once the installed set expires, status and metrics say stale.
snap 20 x 10 n1.sec,n2.sec --expires 5s
expect_installed s20-x.hwb 20
sleep 5
rc=0
"$SYNCD" status --config "$CONFIG" >status.json || rc=$?
expect_eq "$rc" 1 "status exit code for a stale set"
expect_eq "$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["sets"][0]; print(s["stale"], s["freshness"])' status.json)" \
	"True the installed set has expired" "freshness after expiry"
expect_eq "$(curl -s --cacert cert.pem "https://127.0.0.1:$PORT/metrics" | grep '^hashwall_sync_stale{')" \
	'hashwall_sync_stale{set="nl"} 1' "stale metric"
echo "PASS sync_conformance"
