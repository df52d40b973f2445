#!/usr/bin/env bash
# journal_live.sh - the served-object journal in the live dataplane
# (docs/journal.md): a generated capture is read through a net_pcap port
# with journal_dir set and no set loaded; then set versions are loaded over
# the control socket, as syncd hands them over.  Checks:
#   - version 1 (digests never served) raises nothing;
#   - version 2 (the capture's known digests) raises retroactive match
#     events in the event file, each with first/last served and a count,
#     none with a client;
#   - version 2 loaded again raises nothing more (re-checked already);
#   - the journal's files are 0600 in a 0700 directory and hold no client
#     address, in text or in bytes.
# Synthetic bodies only (hashwall-gen's PRNG bytes); no network.
#
# usage: journal_live.sh DATAPLANE GEN SET_TOOL PROFILES
set -u
DP=$(realpath "$1") GEN=$(realpath "$2") SET_TOOL=$(realpath "$3") PROFILES=$(realpath "$4")
W=$(mktemp -d /tmp/hw-journal-live-XXXXXX)
DP_PID=
cleanup() {
	[ -n "$DP_PID" ] && kill -KILL "$DP_PID" 2>/dev/null && wait "$DP_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; [ -f "$W/dp.log" ] && tail -20 "$W/dp.log" >&2; exit 1; }

ask() { # ask LINE: the control socket's one-line answer
	python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall((sys.argv[2]+"\n").encode())
print(s.makefile().readline().strip())' "$W/dp.sock" "$1"
}
retro() { grep -c '"retroactive":true' "$W/events.jsonl" || true; }

"$GEN" --scenario mixed --seed 3 --out "$W/c.pcap" --list "$W/k.list" >/dev/null 2>&1 ||
	fail "hashwall-gen"
python3 -c 'import os; print("md5 " + os.urandom(16).hex())' >"$W/other.list"
"$SET_TOOL" build --in "$W/other.list" --out "$W/v1.hws" --id gen --version 1 >/dev/null ||
	fail "set v1"
cat "$W/other.list" "$W/k.list" >"$W/v2.list"
"$SET_TOOL" build --in "$W/v2.list" --out "$W/v2.hws" --id gen --version 2 >/dev/null ||
	fail "set v2"

cat >"$W/dp.json" <<JSON
{"id":"journal-live","workers":1,"memory_mb":256,"hugepages":false,"hash":["md5","sha1"],
 "ports":[{"profile":"$PROFILES/virtual-pcap.json","device":"net_pcap0,rx_pcap=$W/c.pcap"}],
 "control_socket":"$W/dp.sock","event_file":"$W/events.jsonl",
 "journal_dir":"$W/journal","journal_retention_days":7}
JSON
"$DP" --config "$W/dp.json" 2>"$W/dp.log" &
DP_PID=$!
for _ in $(seq 300); do [ -S "$W/dp.sock" ] && break; sleep 0.1; done
[ -S "$W/dp.sock" ] || fail "no control socket"
# The capture is read at once; the journal's log is flushed every second.
size=-1
for _ in $(seq 60); do
	sleep 1
	now=$(stat -c %s "$W"/journal/seg-*.log 2>/dev/null || echo 0)
	[ "$now" -gt 0 ] && [ "$now" = "$size" ] && break
	size=$now
done
[ "$size" -gt 0 ] || fail "nothing journaled"

wait_log() { # wait_log TEXT: the dataplane logged TEXT
	for _ in $(seq 300); do grep -q "$1" "$W/dp.log" && return 0; sleep 0.1; done
	fail "the dataplane did not log '$1'"
}
case "$(ask "load gen 1 $W/v1.hws")" in ok*) ;; *) fail "load of v1" ;; esac
wait_log "re-check of set gen version 1: 1 entries added, 0 hits"
sleep 1
[ "$(retro)" = 0 ] || fail "version 1 raised $(retro) retroactive matches"

case "$(ask "load gen 2 $W/v2.hws")" in ok*) ;; *) fail "load of v2" ;; esac
wait_log "re-check of set gen version 2"
for _ in $(seq 50); do [ "$(retro)" -gt 0 ] && break; sleep 0.1; done
sleep 1
n=$(retro)
[ "$n" -gt 0 ] || fail "no retroactive match for version 2"
hits=$(sed -n 's/.*re-check of set gen version 2: .* entries added, \([0-9]*\) hits.*/\1/p' "$W/dp.log")
[ "$n" = "$hits" ] || fail "$n retroactive lines for $hits hits"
grep '"retroactive":true' "$W/events.jsonl" | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    assert e["set"] == "gen" and e["set_version"] == 2, e
    assert e["serve_count"] >= 1 and e["first_served"] <= e["last_served"] == e["ts"], e
    assert "client" not in e and "flow" not in e, e
' || fail "a retroactive line is not what it should be"

case "$(ask "load gen 2 $W/v2.hws")" in ok*) ;; *) fail "second load of v2" ;; esac
wait_log "set gen version 2 was re-checked already"
sleep 1
[ "$(retro)" = "$n" ] || fail "version 2 loaded again raised $(( $(retro) - n )) more"

kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exit status $?"
DP_PID=
[ "$(stat -c %a "$W/journal")" = 700 ] || fail "journal_dir mode $(stat -c %a "$W/journal")"
for f in "$W"/journal/*; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f mode $(stat -c %a "$f")"
done
# Client addresses of the capture (IPv4 sources of packets to port 80), in
# text and as bytes, in no journal file.
python3 - "$W/c.pcap" "$W"/journal/* <<'PY' || fail "a client address is in the journal"
import struct, sys
data = open(sys.argv[1], "rb").read()
clients, off = set(), 24
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    if len(pkt) >= 38 and pkt[12:14] == b"\x08\x00" and pkt[23] == 6:
        ihl = (pkt[14] & 15) * 4
        if struct.unpack_from(">H", pkt, 14 + ihl + 2)[0] == 80:
            clients.add(pkt[26:30])
assert clients, "no client in the capture"
for path in sys.argv[2:]:
    blob = open(path, "rb").read()
    for c in clients:
        text = ".".join(str(b) for b in c).encode()
        assert c not in blob and text not in blob, (path, text)
print("ok: %d client addresses, none in the journal" % len(clients))
PY
echo "ok: $n retroactive matches for version 2, none for version 1 or again"
