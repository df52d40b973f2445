#!/usr/bin/env bash
# Integration test of the hashwall-set command-line contract (docs/hashwall-set.md):
# build/info/lookup/dump/bench with their outputs and exit codes, bad lines
# reported as LIST:LINE with nothing written, corrupt and old-format files
# refused, unknown algorithms answered with the known ones.
set -euo pipefail
SET=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fails=0
check() { # description, then the command that must succeed
	local what=$1; shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Synthetic digests from a seeded PRNG: 3000 md5, 500 sha256, a duplicate.
python3 - <<'PY'
import random
r = random.Random(7)
with open("list.txt", "w") as f:
    f.write("# synthetic test list\n\n")
    for i in range(3000):
        f.write("md5 %032x %d %d\n" % (r.getrandbits(128), i % 3, 10000 + i))
    for i in range(500):
        f.write("sha256 %064x 2 %d  # trailing comment\n" % (r.getrandbits(256), 20000 + i))
    f.write("md5 %032x 9 99\n" % 0)
    f.write("md5 %032x 7 77\n" % 0)
PY

"$SET" build --in list.txt --out a.hws --id demo --version 42 > build.json
check "build reports entries" test "$(json 'd["entries"], d["duplicates"], d["id"], d["version"]' < build.json)" = "3501 1 demo 42"
"$SET" info a.hws > info.json
check "info fields" test "$(json 'd["id"], d["version"], d["entries"], d["algos"]["md5"], d["algos"]["sha256"], d["algos"]["sha1"], d["bytes"] == __import__("os").path.getsize("a.hws")' < info.json)" = "demo 42 3501 3001 500 0 True"

line=$(sed -n 5p list.txt)
hex=$(echo "$line" | awk '{print $2}')
check "lookup hit exits 0 with metadata" test "$("$SET" lookup a.hws md5 "$hex" | json 'd["category"], d["ref"], d["digest"]')" = "2 10002 $hex"
check "last duplicate wins" test "$("$SET" lookup a.hws md5 00000000000000000000000000000000 | json 'd["category"], d["ref"]')" = "7 77"
set +e
"$SET" lookup a.hws md5 ffffffffffffffffffffffffffffffff >/dev/null; rc_absent=$?
"$SET" lookup a.hws sha1 "$hex" >/dev/null 2>&1; rc_badhex=$?
"$SET" lookup missing.hws md5 "$hex" >/dev/null 2>&1; rc_missing=$?
"$SET" frobnicate >/dev/null 2>&1; rc_cmd=$?
"$SET" lookup a.hws md4 "$hex" >/dev/null 2>err.txt; rc_algo=$?
set -e
check "lookup miss exits 1" test "$rc_absent" = 1
check "lookup with a digest of the wrong length exits 2" test "$rc_badhex" = 2
check "lookup on a missing file exits 3" test "$rc_missing" = 3
check "unknown command exits 2" test "$rc_cmd" = 2
check "unknown algorithm exits 2" test "$rc_algo" = 2
check "unknown algorithm lists the known ones" grep -q "unknown algorithm 'md4' (known: xxh3-128, md5," err.txt

"$SET" dump a.hws > dump.txt
check "dump has every entry" test "$(wc -l < dump.txt)" = 3501
"$SET" build --in dump.txt --out b.hws --id demo --version 42 > /dev/null
check "dump builds the same entries" cmp <("$SET" dump a.hws) <("$SET" dump b.hws)

# A bad line: LIST:LINE: reason, exit 3, nothing written, old file intact.
cp a.hws keep.hws
{ head -n 100 list.txt; echo "md5 xyz"; } > bad.txt
set +e
"$SET" build --in bad.txt --out a.hws 2> err.txt; rc_bad=$?
set -e
check "bad line exits 3" test "$rc_bad" = 3
check "bad line is named" grep -q "^hashwall-set: bad.txt:101: digest is not hex" err.txt
check "old file untouched" cmp a.hws keep.hws
check "no temporary left" test "$(ls | grep -c tmp)" = 0

# Corruption: a flipped byte in the data is refused with a reason.
cp a.hws flip.hws
printf '\xAA' | dd of=flip.hws bs=1 seek=2000 conv=notrunc status=none
set +e
"$SET" info flip.hws > /dev/null 2> err.txt; rc_flip=$?
set -e
check "corrupt file refused" test "$rc_flip" = 3
check "corruption named" grep -q "checksum mismatch" err.txt

# A set file of format 1 (512-byte header, four algorithm slots) is named
# as old, with what to do, not taken for a corrupt or short file.
python3 -c 'import struct,sys; sys.stdout.buffer.write(b"HWSET\r\n\x1a" + struct.pack("<IIQ", 1, 512, 512) + bytes(512 - 24))' > v1.hws
set +e
"$SET" info v1.hws > /dev/null 2> err.txt; rc_v1=$?
set -e
check "format 1 refused" test "$rc_v1" = 3
check "format 1 named as old" grep -q "format version 1 is older than this build's 2.*hashwall-set build" err.txt

"$SET" bench a.hws > bench.txt
check "bench prints four figures per algorithm" test "$(grep -c 'M lookups/s' bench.txt)" = 8

echo "$fails failed"
[ "$fails" -eq 0 ]
