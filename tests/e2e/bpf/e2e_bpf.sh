#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# e2e_bpf.sh - enforcement on real traffic between two network namespaces
# this script creates (server: python3 http.server on synthetic PRNG files;
# client: curl), with hashwall-bpf attached to the server's veth:
#   1. a blocked URL fails within a second (IPv4 and IPv6), other URLs work;
#   2. killing the loader (kill -9) leaves the block enforced;
#   3. unblocking serves the URL again;
#   4. blocking the flow of a large transfer in progress stops it;
#   5. the software mirror delivers both directions to the mirror veth
#      (captured with tcpdump);
#   6. attaching is refused clearly for a missing interface and for one
#      that already runs another XDP program;
#   7. native (driver) XDP mode answers with a RST as well.
# Only addresses inside its own namespaces are used.  Everything it creates
# (namespaces, veths, pins, processes, temp files) is removed on exit, also
# on failure.  A refused program's verifier log is kept in $ARTEFACTS.
#
# usage: e2e_bpf.sh HASHWALL_BPF ARTEFACT_DIR XDP_OBJECT
set -euo pipefail

HWBPF=$(realpath "$1")
ARTEFACTS=${2:-/tmp}
XDP_OBJ=$(realpath "$3") # any XDP object, attached with iproute2 as a foreign program
TAG=hwbpf$$
SRV=$TAG-srv
CLI=$TAG-cli
PIN=/sys/fs/bpf/hashwall-e2e-$$
TMP=$(mktemp -d /tmp/hashwall-e2e-bpf.XXXXXX)
SRV4=10.201.0.1
CLI4=10.201.0.2
SRV6=fd20::1
CLI6=fd20::2
LOADER_PID=
TCPDUMP_PID=
HTTPD_PID=

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

cleanup() {
	set +e
	for p in $TCPDUMP_PID $HTTPD_PID $LOADER_PID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	"$HWBPF" -r "$PIN" purge 2>/dev/null
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	rm -rf "$TMP" "$PIN"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP # a timeout kill still runs cleanup

in_srv() { ip netns exec "$SRV" "$@"; }
in_cli() { ip netns exec "$CLI" "$@"; }
# The loader runs in the server's network namespace but keeps the host's
# mounts, so its pins live in the host bpffs and outlive it.
# Background processes are started without these wrappers (ip netns exec
# and nsenter exec their command), so $! is the process itself.
hwbpf() { nsenter --net="/run/netns/$SRV" "$HWBPF" -r "$PIN" -L "$ARTEFACTS/e2e-bpf-verifier.log" "$@"; }

setup() {
	ip netns add "$SRV"
	ip netns add "$CLI"
	ip link add srv0 netns "$SRV" type veth peer name cli0 netns "$CLI"
	ip link add mir0 netns "$SRV" type veth peer name mir1 netns "$SRV"
	in_srv ip addr add "$SRV4/24" dev srv0
	in_srv ip addr add "$SRV6/64" dev srv0 nodad
	in_cli ip addr add "$CLI4/24" dev cli0
	in_cli ip addr add "$CLI6/64" dev cli0 nodad
	for l in lo srv0 mir0 mir1; do in_srv ip link set "$l" up; done
	for l in lo cli0; do in_cli ip link set "$l" up; done
	mkdir "$TMP/www"
	# synthetic bodies: seeded PRNG bytes, never real content
	python3 - "$TMP/www" <<'PY'
import random, sys
r = random.Random(20261129)
for name, size in (("small.bin", 65536), ("other.bin", 65536), ("big.bin", 64 << 20)):
    with open(f"{sys.argv[1]}/{name}", "wb") as f:
        f.write(r.randbytes(size))
PY
	ip netns exec "$SRV" python3 -m http.server --bind :: --directory "$TMP/www" 80 >"$TMP/httpd.log" 2>&1 &
	HTTPD_PID=$!
	for _ in $(seq 50); do
		in_cli curl -s -o /dev/null "http://$SRV4/other.bin" && return 0
		sleep 0.1
	done
	fail "HTTP server did not come up"
}

# fetch URL: prints "rc seconds"
fetch() {
	local t0 t1 rc=0
	t0=$(date +%s%N)
	in_cli curl -g -s -o /dev/null --max-time 5 "$1" || rc=$?
	t1=$(date +%s%N)
	echo "$rc $(((t1 - t0) / 1000000))"
}

expect_blocked() {
	local rc ms
	read -r rc ms < <(fetch "$1")
	[[ $rc -ne 0 ]] || fail "$1 was served although blocked"
	[[ $ms -lt 1000 ]] || fail "$1 took ${ms} ms to fail (want < 1000)"
	ok "$1 blocked (curl rc $rc after $ms ms)"
}

expect_served() {
	local rc ms
	read -r rc ms < <(fetch "$1")
	[[ $rc -eq 0 ]] || fail "$1 not served (curl rc $rc)"
	ok "$1 served"
}

counter() { hwbpf counters | awk -v n="$1" '$1 == n { print $2 }'; }

test_url_block() {
	# generic XDP: on a veth, native XDP_TX only reaches a peer that runs
	# an XDP program itself; real NIC drivers transmit it natively
	nsenter --net="/run/netns/$SRV" "$HWBPF" -r "$PIN" -L "$ARTEFACTS/e2e-bpf-verifier.log" \
		run srv0 generic >"$TMP/loader.log" 2>&1 &
	LOADER_PID=$!
	for _ in $(seq 50); do
		grep -q attached "$TMP/loader.log" && break
		kill -0 "$LOADER_PID" 2>/dev/null || { cat "$TMP/loader.log" >&2; fail "loader died"; }
		sleep 0.1
	done
	hwbpf status srv0 | grep -q 'NOT ENFORCING' && fail "XDP not attached"
	expect_served "http://$SRV4/small.bin"
	hwbpf block-url "http://$SRV4/small.bin" 600
	hwbpf block-url "http://[$SRV6]/small.bin" 600
	expect_blocked "http://$SRV4/small.bin"
	expect_blocked "http://[$SRV6]/small.bin"
	expect_served "http://$SRV4/other.bin"
	expect_served "http://[$SRV6]/other.bin"
	[[ $(counter url_rst) -ge 2 ]] || fail "url_rst counter not increased"

	kill -9 "$LOADER_PID"
	wait "$LOADER_PID" 2>/dev/null || true
	LOADER_PID=
	expect_blocked "http://$SRV4/small.bin"
	expect_served "http://$SRV4/other.bin"
	ok "block holds after the loader was killed"

	# re-attach while blocked: programs are swapped, the block stays
	hwbpf attach srv0 generic >/dev/null
	expect_blocked "http://$SRV4/small.bin"

	hwbpf unblock-url "http://$SRV4/small.bin"
	expect_served "http://$SRV4/small.bin"
}

test_flow_block() {
	local rc=0 size
	ip netns exec "$CLI" curl -s --limit-rate 4M --local-port 45000 --speed-limit 1 --speed-time 3 \
		-o "$TMP/big.out" "http://$SRV4/big.bin" &
	local curl_pid=$!
	sleep 1
	kill -0 "$curl_pid" 2>/dev/null || fail "large transfer ended before the block"
	hwbpf block-flow "$SRV4:80" "$CLI4:45000" 600
	wait "$curl_pid" || rc=$?
	size=$(stat -c %s "$TMP/big.out")
	[[ $rc -ne 0 ]] || fail "blocked transfer completed"
	[[ $size -lt $((64 << 20)) ]] || fail "blocked transfer got all bytes"
	[[ $(counter flow_dropped) -gt 0 ]] || fail "flow_dropped counter is 0"
	ok "transfer stopped at $size bytes (curl rc $rc)"
	hwbpf unblock-flow "$SRV4:80" "$CLI4:45000"
}

test_mirror() {
	local to from
	hwbpf mirror mir0 80
	# Headers only (-s 96): counting directions needs no body bytes.
	ip netns exec "$SRV" tcpdump -i mir1 -n -s 96 --immediate-mode -U -w "$TMP/mirror.pcap" >"$TMP/tcpdump.log" 2>&1 &
	TCPDUMP_PID=$!
	for _ in $(seq 50); do
		grep -q listening "$TMP/tcpdump.log" && break
		sleep 0.1
	done
	expect_served "http://$SRV4/other.bin"
	sleep 0.5
	kill "$TCPDUMP_PID"
	wait "$TCPDUMP_PID" 2>/dev/null || true
	TCPDUMP_PID=
	to=$(tcpdump -n -r "$TMP/mirror.pcap" "dst host $SRV4 and dst port 80" 2>/dev/null | wc -l)
	from=$(tcpdump -n -r "$TMP/mirror.pcap" "src host $SRV4 and src port 80" 2>/dev/null | wc -l)
	[[ $to -gt 0 ]] || fail "mirror delivered no client-to-server packets"
	[[ $from -gt 0 ]] || fail "mirror delivered no server-to-client packets"
	ok "mirror delivered $to client->server and $from server->client packets"
	hwbpf mirror off
}

test_refusals() {
	local out
	out=$(hwbpf attach hw-no-such-if 2>&1) && fail "attach to a missing interface succeeded"
	grep -q "interface 'hw-no-such-if' does not exist" <<<"$out" ||
		fail "unclear refusal for a missing interface: $out"
	in_srv ip link set dev mir1 xdpgeneric obj "$XDP_OBJ" sec xdp
	out=$(hwbpf attach mir1 2>&1) && fail "attach over another XDP program succeeded"
	grep -q "mir1 already runs XDP program id [0-9]* that is not hashwall's" <<<"$out" ||
		fail "unclear refusal for a busy interface: $out"
	in_srv ip link set dev mir1 xdpgeneric off
	ok "refused clearly: missing interface, interface with another XDP program"
}

test_native_xdp() {
	hwbpf detach srv0
	# a veth delivers native XDP_TX only to a peer running XDP itself:
	# any program does (here the same object, loaded by iproute2, which
	# passes everything with its own empty maps)
	in_cli ip link set dev cli0 xdpdrv obj "$XDP_OBJ" sec xdp
	hwbpf attach srv0 native >/dev/null
	hwbpf status srv0 | grep -q 'NOT ENFORCING' && fail "native XDP not attached"
	hwbpf block-url "http://$SRV4/small.bin" 600
	expect_blocked "http://$SRV4/small.bin"
	expect_served "http://$SRV4/other.bin"
	in_cli ip link set dev cli0 xdpdrv off
	ok "native XDP mode blocks with a RST"
}

setup
test_refusals
test_url_block
test_flow_block
test_mirror
test_native_xdp
echo "e2e bpf: all passed"
