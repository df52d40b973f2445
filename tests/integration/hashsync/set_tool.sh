#!/usr/bin/env bash
# Integration test of the hashwall-set command-line contract (docs/hashwall-set.md):
# build/info/lookup/dump/bench with their outputs and exit codes, pdq
# entries looked up by distance, bad lines
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

# pdq: exact lookup (distance 0) and the nearest entries within a
# threshold, with their distances; --distance is for pdq only.
python3 - <<'PY'
import random
r = random.Random(11)
centre = r.getrandbits(256)
def flip(h, bits):
    for b in bits:
        h ^= 1 << (255 - b)
    return h
with open("pdq.txt", "w") as f:
    for i in range(2000):
        f.write("pdq %064x 1 %d\n" % (r.getrandbits(256), 30000 + i))
    f.write("pdq %064x 2 501\n" % flip(centre, [3]))
    f.write("pdq %064x 3 502\n" % flip(centre, range(100, 120)))
    f.write("pdq %064x 4 503\n" % flip(centre, range(0, 40)))
    f.write("md5 %032x 1 1\n" % r.getrandbits(128))
with open("pdq.q", "w") as f:
    f.write("%064x\n%064x\n" % (centre, flip(centre, [3])))
PY
centre=$(sed -n 1p pdq.q)
listed=$(sed -n 2p pdq.q)
"$SET" build --in pdq.txt --out p.hws --id pdqdemo > /dev/null
"$SET" info p.hws > info.json
check "info counts pdq and its index" test "$(json 'd["algos"]["pdq"], d["index_bytes"]["pdq"] > 2003 * 32, list(d["index_bytes"])' < info.json)" = "2003 True ['pdq']"
check "lookup pdq: nearest within 31, with distances" test "$("$SET" lookup p.hws pdq "$centre" | json '[(m["distance"], m["ref"], m["category"]) for m in d["matches"]], d["total"], d["max_distance"]')" = "[(1, 501, 2), (20, 502, 3)] 2 31"
check "lookup pdq --distance 40 reaches the third" test "$("$SET" lookup p.hws pdq "$centre" --distance 40 | json '[m["distance"] for m in d["matches"]]')" = "[1, 20, 40]"
check "lookup pdq --distance 5 keeps the nearest" test "$("$SET" lookup p.hws pdq "$centre" --distance 5 | json '[m["digest"] for m in d["matches"]]')" = "['$listed']"
check "lookup pdq --distance 0 is the exact match" test "$("$SET" lookup p.hws pdq "$listed" --distance 0 | json 'd["total"], d["matches"][0]["distance"], d["matches"][0]["ref"]')" = "1 0 501"
set +e
"$SET" lookup p.hws pdq "$centre" --distance 0 > /dev/null; rc_none=$?
"$SET" lookup p.hws pdq "$centre" --distance 257 > /dev/null 2>&1; rc_far=$?
"$SET" lookup a.hws md5 "$hex" --distance 3 > /dev/null 2> err.txt; rc_md5=$?
set -e
check "lookup pdq with nothing within the distance exits 1" test "$rc_none" = 1
check "--distance over 256 exits 2" test "$rc_far" = 2
check "--distance on md5 exits 2" test "$rc_md5" = 2
check "--distance on md5 says why" grep -q "md5 matches exactly" err.txt
"$SET" dump p.hws > pdqdump.txt
check "dump of pdq builds the same set" cmp <("$SET" dump p.hws) <("$SET" build --in pdqdump.txt --out p2.hws > /dev/null && "$SET" dump p2.hws)

"$SET" bench a.hws > bench.txt
check "bench prints four figures per algorithm" test "$(grep -c 'M lookups/s' bench.txt)" = 8

echo "$fails failed"
[ "$fails" -eq 0 ]
