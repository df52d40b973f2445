#!/usr/bin/env bash
# demo_replay.sh - the README demo: generate a small capture of synthetic HTTP
# traffic in which two objects are "known", compile the known digests into a
# hash set, replay the capture through the dataplane and print the matches.
#
#   tests/gen/demo_replay.sh [BUILD_DIR [OUT_DIR]]     (defaults: build, BUILD_DIR/demo)
#
# Files written to OUT_DIR: demo.pcap (the capture), demo.json (its
# manifest: every object and its digests), demo.list (the known digests in
# hashwall-set LIST format), demo.hws (the set, id "demo", version 1) and
# demo.events.jsonl (the replay's JSON lines).  Bodies are PRNG bytes.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
out=${2:-$build/demo}
gen=$build/tests/gen/hashwall-gen
settool=$build/hashsync/hashwall-set
dp=$build/dataplane/hashwall-dataplane

for t in "$gen" "$settool"; do
	[[ -x $t ]] || { echo "demo_replay.sh: $t not built; run: ninja -C $build" >&2; exit 1; }
done
mkdir -p "$out"
"$gen" --scenario demo --seed 1 --set-id demo --out "$out/demo.pcap" \
	--manifest "$out/demo.json" --list "$out/demo.list"
"$settool" build --in "$out/demo.list" --out "$out/demo.hws" --id demo --version 1 >/dev/null
echo "demo_replay.sh: set $out/demo.hws holds $(grep -vc "^#" "$out/demo.list") known digests"
if [[ ! -x $dp ]]; then
	echo "demo_replay.sh: $dp not built: capture and set are ready, nothing replayed" >&2
	exit 1
fi
"$dp" replay --pcap "$out/demo.pcap" --set "$out/demo.hws" --log-objects \
	>"$out/demo.events.jsonl"
objects=$(grep -c '"event":"object"' "$out/demo.events.jsonl" || true)
echo "demo_replay.sh: $objects objects hashed; matches (all events: $out/demo.events.jsonl):"
grep -q '"event":"match"' "$out/demo.events.jsonl" || { echo "demo_replay.sh: no match" >&2; exit 1; }
python3 - "$out/demo.events.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "match":
        print(f"  MATCH http://{e['host']}{e['path']} ({e['size']} bytes) from "
              f"{e['server_ip']} port {e['server_port']}: {e['algo']} {e['digest']} "
              f"category {e['category']} ref {e['ref']} (set {e['set']} v{e['set_version']})")
PY
