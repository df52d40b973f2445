#!/usr/bin/env bash
# sync_push_tls.sh - issue 14, item 11: the push endpoint speaks TLS 1.2
# and 1.3 only; listening beyond loopback, /v1/status and /metrics need a
# token (a hotline's or the metrics token), "Bearer" in any case; and
# hashwall-publish push does not send its token over http:// unless told
# to, nor over TLS below 1.2.  Runs in a network namespace of its own (root
# needed) so that syncd can listen on 0.0.0.0 and still reach loopback only.
if [[ -z ${HW_IN_NETNS:-} ]]; then
	unshare --net true 2>/dev/null || { echo "SKIP: a network namespace needs root"; exit 77; }
	HW_IN_NETNS=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
source "$(dirname "$0")/sync_lib.sh"
HOLD=$(dirname "$0")/sync_hold.py

keys k1
LISTEN_EXTRA=", \"metrics_token_sha256\": \"$(sha256_of metrics-token)\""
listen_config 1 k1
sed -i 's/"address": "127.0.0.1"/"address": "0.0.0.0"/' "$CONFIG"
"$SYNCD" run --config "$CONFIG" 2>>syncd.log &
PIDS+=($!)
for _ in $(seq 300); do
	curl -sf -H "Authorization: Bearer metrics-token" --cacert cert.pem \
		"https://127.0.0.1:$PORT/metrics" >/dev/null && break
	sleep 0.1
done

for v in 1.0 1.1; do expect_eq "$(python3 "$HOLD" tls "$PORT" $v)" refused "TLS $v"; done
expect_eq "$(python3 "$HOLD" tls "$PORT" 1.2)" TLSv1.2 "TLS 1.2"
expect_eq "$(python3 "$HOLD" tls "$PORT" 1.3)" TLSv1.3 "TLS 1.3"

# get PATH [AUTHORIZATION]: the HTTP status.
get() {
	curl -s -o body.txt -w '%{http_code}' --cacert cert.pem ${2:+-H "Authorization: $2"} \
		"https://127.0.0.1:$PORT$1"
}
expect_eq "$(get /v1/status)" 401 "status without a token"
expect_eq "$(json_field error <body.txt)" unauthorized "the refusal"
expect_eq "$(get /metrics)" 401 "metrics without a token"
expect_eq "$(get /metrics "Bearer wrong")" 401 "metrics with a wrong token"
expect_eq "$(get /metrics "Bearer metrics-token")" 200 "metrics with the metrics token"
expect_eq "$(get /v1/status "bearer $TOKEN")" 200 "status with a hotline's token, scheme in lower case"
expect_eq "$(get /metrics "Bearer $TOKEN")" 200 "metrics with a hotline's token"
grep -q '^hashwall_sync_unauthorized_total 3$' body.txt || fail "unauthorized count: $(grep unauth body.txt)"

# publish: no token over http:// without --insecure-http, none below TLS 1.2.
HTTP_PORT=$(free_port)
python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        open("http.log", "a").write(self.headers.get("Authorization", "-") + "\n")
        self.send_response(200); self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' "$HTTP_PORT" &
PIDS+=($!)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$HTTP_PORT) 2>/dev/null && break; sleep 0.1; done
list l1.txt a 10
"$PUBLISH" snapshot --secret k1.sec --set nl --version 1 --in l1.txt --out s1.hwb >/dev/null
rc=0
"$PUBLISH" push --url "http://127.0.0.1:$HTTP_PORT/v1/bundles" --token-file token s1.hwb 2>err.txt || rc=$?
expect_eq "$rc" 2 "push to http:// without --insecure-http"
grep -q -- "--insecure-http" err.txt || fail "the refusal does not say what to do: $(cat err.txt)"
[[ ! -s http.log ]] || fail "the token went out over http://"
"$PUBLISH" push --insecure-http --url "http://127.0.0.1:$HTTP_PORT/v1/bundles" --token-file token \
	s1.hwb >/dev/null
expect_eq "$(cat http.log)" "Bearer $TOKEN" "push over http:// with --insecure-http"
TLS11_PORT=$(free_port)
python3 -c '
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        open("tls11.log", "a").write("request\n")
        self.send_response(200); self.end_headers()
srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.set_ciphers("ALL:@SECLEVEL=0")
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_1
ctx.load_cert_chain("cert.pem", "key.pem")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()' "$TLS11_PORT" 2>/dev/null &
PIDS+=($!)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$TLS11_PORT) 2>/dev/null && break; sleep 0.1; done
# A system policy that would allow TLS 1.1 (Debian's default does not):
# the client's own minimum must hold.
printf 'openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nMinProtocol = TLSv1\nCipherString = ALL:@SECLEVEL=0\n' >weak.cnf
rc=0
OPENSSL_CONF=$WORK/weak.cnf "$PUBLISH" push --url "https://127.0.0.1:$TLS11_PORT/v1/bundles" \
	--token-file token --cacert cert.pem s1.hwb 2>err.txt || rc=$?
expect_eq "$rc" 3 "push to a TLS 1.1 server"
[[ ! -s tls11.log ]] || fail "a request went out over TLS 1.1"
echo "PASS sync_push_tls"
