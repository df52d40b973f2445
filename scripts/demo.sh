#!/usr/bin/env bash
# demo.sh - the README's main-job command: installs what is missing, builds,
# then generates a capture of synthetic HTTP traffic (PRNG bodies) with known
# objects, compiles their digests into a demo hash set, replays the capture
# through the dataplane and prints the matches (tests/gen/demo_replay.sh); then runs
# controld and the live dataplane on that capture and lists the candidates
# (tests/gen/demo_appliance.sh, as root).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup-deps.sh
[[ -f build/build.ninja ]] || meson setup build >/dev/null
ninja -C build >/dev/null
exec ninja -C build demo
