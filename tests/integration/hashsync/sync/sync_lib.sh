#!/usr/bin/env bash
# sync_lib.sh - what the sync integration tests share: a scratch directory
# removed on exit, keys, synthetic lists (PRNG digests, never content), a
# config for syncd on loopback with a self-signed certificate, and checks.
# Expects PUBLISH and SYNCD (paths of the binaries) in the environment.
set -euo pipefail

WORK=$(mktemp -d /tmp/hw-sync-test.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

fail() {
	echo "FAIL: $*" >&2
	[[ ! -f syncd.log ]] || tail -n 20 syncd.log >&2
	exit 1
}
# expect_eq ACTUAL EXPECTED WHAT
expect_eq() { [[ "$1" == "$2" ]] || fail "$3: got '$1', expected '$2'"; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# list FILE SEED N: N synthetic md5 and sha256 entries from a fixed seed.
list() {
	python3 - "$1" "$2" "$3" <<'PY'
import hashlib, sys
out, seed, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(out, "w") as f:
    for i in range(n):
        d = hashlib.sha256(f"{seed}/{i}".encode()).hexdigest()
        f.write(f"md5 {d[:32]} {i % 3 + 1} {i}\n" if i % 2 else f"sha256 {d} {i % 3 + 1} {i}\n")
PY
}

keys() { # keys NAME...
	for k in "$@"; do "$PUBLISH" keygen --secret "$k.sec" --public "$k.pub" >/dev/null; done
}
pubhex() { cut -d' ' -f2 "$1.pub"; }

# config FILE THRESHOLD KEY... : syncd config for set "nl" trusting KEYs.
config() {
	local file=$1 th=$2
	shift 2
	local ks="" k
	for k in "$@"; do ks+="${ks:+,}\"$(pubhex "$k")\""; done
	cat >"$file" <<JSON
{"state_dir": "$WORK/state", "set_dir": "$WORK/sets",
 "max_bundle_bytes": 1048576, "max_manifest_bytes": 2048,
 ${EXTRA_CONFIG:-}
 "hotlines": [{"name": "test", "set": "nl", "keys": [$ks], "threshold": $th,
   "token_sha256": "$(sha256_of "$TOKEN")",
   "stale_after": 3600 ${PULL_CONFIG:-}}]}
JSON
}

TOKEN=hotline-token-$RANDOM$RANDOM
printf '%s\n' "$TOKEN" >token
printf 'not-the-token\n' >badtoken
chmod 600 token badtoken # secrets: hashwall-publish refuses them otherwise

tls() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
}

# listen_config THRESHOLD KEY...: a certificate, a free $PORT and $CONFIG,
# a config (as config) with the push endpoint on 127.0.0.1:$PORT.  Optional:
# $TOP_EXTRA (top-level members, each followed by a comma), $LISTEN_EXTRA
# (members of "listen", each preceded by a comma).
listen_config() {
	tls
	PORT=$(free_port)
	EXTRA_CONFIG="${TOP_EXTRA:-}\"listen\": {\"address\": \"127.0.0.1\", \"port\": $PORT,
	  \"cert\": \"$WORK/cert.pem\", \"key\": \"$WORK/key.pem\"${LISTEN_EXTRA:-}},"
	CONFIG=$WORK/syncd.json
	config "$CONFIG" "$@"
}

# two_hotlines_config: keys nl and be, a certificate, a free $PORT and
# $CONFIG for two hotlines: "nl" (keys nl, $TOKEN) and "be" (keys be, the
# token in token-be); $TOP_EXTRA and $LISTEN_EXTRA as for listen_config.
two_hotlines_config() {
	tls
	keys nl be
	PORT=$(free_port)
	printf 'second-hotline-token\n' >token-be
	chmod 600 token-be
	CONFIG=$WORK/syncd.json
	cat >"$CONFIG" <<JSON
{"state_dir": "$WORK/state", "set_dir": "$WORK/sets", ${TOP_EXTRA:-}
 "listen": {"address": "127.0.0.1", "port": $PORT, "cert": "$WORK/cert.pem", "key": "$WORK/key.pem"
            ${LISTEN_EXTRA:-}},
 "hotlines": [
  {"name": "meldpunt", "set": "nl", "keys": ["$(pubhex nl)"], "token_sha256": "$(sha256_of "$TOKEN")"},
  {"name": "child-focus", "set": "be", "keys": ["$(pubhex be)"],
   "token_sha256": "$(sha256_of second-hotline-token)"}]}
JSON
}
sha256_of() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

# start_syncd CONFIG: run syncd in the background and wait for its port.
start_syncd() {
	"$SYNCD" run --config "$1" 2>>syncd.log &
	PIDS+=($!)
	SYNCD_PID=$!
	for _ in $(seq 300); do
		curl -s --cacert cert.pem "https://127.0.0.1:$PORT/v1/status" >/dev/null && return 0
		sleep 0.1
	done
	fail "syncd did not start: $(cat syncd.log)"
}

# kill_syncd: kill -9 the syncd start_syncd ran and reap it, so that its
# state_dir lock is free for the next one (a kill is not instant).
kill_syncd() {
	kill -9 "$SYNCD_PID"
	wait "$SYNCD_PID" 2>/dev/null || true
}

# push BUNDLE [TOKENFILE]: prints "<status> <json>", never fails the script.
push() {
	"$PUBLISH" push --url "https://127.0.0.1:$PORT/v1/bundles" --token-file "${2:-token}" \
		--cacert cert.pem "$1" || true
}

set_sum() { sha256sum sets/nl.hws 2>/dev/null | cut -d' ' -f1 || echo none; }
# json_field NAME: the first "NAME": value on stdin (numbers, strings, booleans).
json_field() { sed -n "s/.*\"$1\":[[:space:]]*\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1; }
installed() { "$SYNCD" status --config "$CONFIG" | json_field installed_version; }
