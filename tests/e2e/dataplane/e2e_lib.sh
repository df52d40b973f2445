# SPDX-License-Identifier: GPL-2.0-only
# e2e_lib.sh - what the dataplane e2e scripts share (sourced, not run): two
# network namespaces joined by a veth pair with segmentation offloads off
# (so every frame is MSS-sized, as on a real link), http_server in the
# server's namespace, curl in the client's, the objects' digests and sets
# built from them, and cleanup of everything on exit, even on failure.
#
# The sourcing script sets DP, HWSET, HTTPD, CHECK (programs) and calls
# e2e_init NAME first.  Everything lives under $TMP; namespaces are named
# with the PID so parallel runs do not collide.

E2E_SEED=20261129
SRV4=10.211.0.1
CLI4=10.211.0.2
SRV6=fd21::1
CLI6=fd21::2
E2E_PIDS=()    # processes to stop (TERM, then KILL after 10 s)
E2E_RMDIRS=()  # directories to remove besides $TMP

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

e2e_cleanup() {
	set +e
	for p in "${E2E_PIDS[@]}"; do
		kill "$p" 2>/dev/null || continue
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "${E2E_RMDIRS[@]}"
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	# the veth goes with its namespace; nothing else may be left
	ip netns list | grep -qE "^($SRV|$CLI)( |\$)" && echo "FAIL: namespace left behind" >&2
	ip link show "$TAG-c" >/dev/null 2>&1 && echo "FAIL: veth left behind" >&2
	# E2E_KEEP=DIR: keep the logs, events and lists there (debugging)
	[[ -z ${E2E_KEEP:-} ]] || { mkdir -p "$E2E_KEEP" && cp "$TMP"/*.* "$E2E_KEEP"/ 2>/dev/null; }
	rm -rf "$TMP"
}

# e2e_init NAME: skip unless root, make $TMP, arm the cleanup.
e2e_init() {
	if [[ $(id -u) -ne 0 ]]; then
		echo "SKIP: $1 needs root (network namespaces)"
		exit 77
	fi
	for t in ip ethtool curl xxhsum; do
		command -v "$t" >/dev/null || { echo "SKIP: $t not installed (scripts/setup-deps.sh)"; exit 77; }
	done
	TAG=hwdp$$
	SRV=$TAG-srv
	CLI=$TAG-cli
	TMP=$(mktemp -d "/tmp/hashwall-$1.XXXXXX")
	mkdir "$TMP/bodies"
	: >"$TMP/fetched"
	: >"$TMP/phase"
	: >"$TMP/expected"
	: >"$TMP/conns"
	trap e2e_cleanup EXIT
	trap 'exit 1' INT TERM HUP # a timeout kill still runs the cleanup
}

in_srv() { ip netns exec "$SRV" "$@"; }
in_cli() { ip netns exec "$CLI" "$@"; }

# Namespaces, veth srv0 <-> cli0 ($TAG-c is its name while created), IPv4
# and IPv6, no TSO/GSO/GRO and no checksum offload on either end.
e2e_netns() {
	ip netns add "$SRV"
	ip netns add "$CLI"
	ip link add "$TAG-s" netns "$SRV" type veth peer name "$TAG-c" netns "$CLI"
	in_srv ip link set "$TAG-s" name srv0
	in_cli ip link set "$TAG-c" name cli0
	in_srv ip addr add "$SRV4/24" dev srv0
	in_srv ip addr add "$SRV6/64" dev srv0 nodad
	in_cli ip addr add "$CLI4/24" dev cli0
	in_cli ip addr add "$CLI6/64" dev cli0 nodad
	in_srv ethtool -K srv0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
	in_cli ethtool -K cli0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
	in_srv ethtool -k srv0 | grep -q '^generic-segmentation-offload: off' ||
		fail "could not switch GSO off on srv0"
	for l in lo srv0; do in_srv ip link set "$l" up; done
	for l in lo cli0; do in_cli ip link set "$l" up; done
}

# The origin on [::]:80 (IPv4 too), ready when it says so.
e2e_server() {
	ip netns exec "$SRV" "$HTTPD" --addr :: --port 80 --seed "$E2E_SEED" \
		>"$TMP/httpd.out" 2>"$TMP/httpd.err" &
	E2E_PIDS+=($!)
	for _ in $(seq 100); do
		grep -q listening "$TMP/httpd.out" && return 0
		sleep 0.1
	done
	cat "$TMP/httpd.err" >&2
	fail "http_server did not come up"
}

# e2e_digests COUNT: every object's digest line in $TMP/digests.
e2e_digests() {
	"$HTTPD" --digests --seed "$E2E_SEED" --count "$1" >"$TMP/digests"
}

# e2e_set ID VERSION N...: $TMP/ID.hws holding objects N... (category 1,
# ref N), from the digest lines.
e2e_set() {
	local id=$1 version=$2
	shift 2
	local n
	for n in "$@"; do
		awk -v n="$n" '$1 == "xxh3-128" && $4 == n' "$TMP/digests"
	done >"$TMP/$id.list"
	"$HWSET" build --in "$TMP/$id.list" --out "$TMP/$id.hws" --id "$id" --version "$version" \
		>/dev/null
}

# e2e_fetch MODE HOST N...: fetch /obj/N.bin from HOST with curl in the
# client's namespace, into $TMP/bodies (connections made: $TMP/conns).  MODE keepalive: one connection for
# all (asserted); parallel: up to 4 connections at once (at least 2
# asserted).  Every body is checked against its digest line.
e2e_fetch() {
	local mode=$1 host=$2 n conns
	shift 2
	local args=(--http1.1 -g -sS --no-progress-meter --fail --max-time 60 -w '%{num_connects}\n')
	[[ $mode == parallel ]] && args+=(--parallel --parallel-immediate --parallel-max 4)
	for n in "$@"; do
		args+=(-o "$TMP/bodies/$n.bin" "http://$host/obj/$n.bin")
		echo "$n" >>"$TMP/fetched"
		echo "$n" >>"$TMP/phase"
	done
	in_cli curl "${args[@]}" >"$TMP/curl.out" 2>"$TMP/curl.err" || fail "curl $mode $host failed: $(cat "$TMP/curl.err")"
	conns=$(awk '{ s += $1 } END { print s }' "$TMP/curl.out")
	echo "$conns" >>"$TMP/conns"
	if [[ $mode == keepalive ]]; then
		[[ $conns -eq 1 ]] || fail "keep-alive fetch used $conns connections"
	else
		[[ $conns -ge 2 ]] || fail "parallel fetch used $conns connection(s)"
	fi
	for n in "$@"; do
		local want got
		want=$(awk -v n="$n" '$4 == n { print $2 }' "$TMP/digests")
		got=$(xxhsum -q -H2 "$TMP/bodies/$n.bin" | cut -d' ' -f1)
		[[ $got == "$want" ]] || fail "/obj/$n.bin: body xxh3-128 $got, digest line $want"
	done
	ok "fetched $# objects from $host ($mode, $conns connection(s))"
}

# e2e_expect SET...: the objects fetched since the last call, each in
# each SET's list (as e2e_set built it), are matches the dataplane owes:
# appended to $TMP/expected as "SET N" lines.
e2e_expect() {
	local id n
	while read -r n; do
		for id in "$@"; do
			awk -v n="$n" -v id="$id" '$4 == n { print id, n }' "$TMP/$id.list"
		done
	done <"$TMP/phase" >>"$TMP/expected"
	: >"$TMP/phase"
}

# e2e_objects RESIDUES FROM TO: the numbers N in FROM..TO with N % 4 in
# RESIDUES (a space-separated list).
e2e_objects() {
	local n
	for ((n = $2; n <= $3; n++)); do
		[[ " $1 " == *" $((n % 4)) "* ]] && echo "$n"
	done
	return 0
}
