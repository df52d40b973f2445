#!/usr/bin/env bash
# Integration test of `hashwall-set pdq IMAGE...` (docs/hashwall-set.md):
# Meta's reference images (the only real images tests may use) hash to
# within 10 bits of the hashes Meta's tool printed (expected.csv;
# docs/pdq.md says how far each is and why), with their quality; a file
# that is not an image, or missing, is named and makes the exit code 3
# while the other files still get their line.
set -euo pipefail
SET=$(realpath "$1")
DATA=$2
if [ ! -f "$DATA/expected.csv" ]; then
	echo "PDQ reference images not found in $DATA"
	exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

files=()
while IFS=, read -r _ name; do files+=("$DATA/$name"); done < "$DATA/expected.csv"
printf 'not an image\n' > text.jpg
set +e
"$SET" pdq "${files[@]}" text.jpg missing.png > out.jsonl 2> err.txt; rc=$?
set -e
python3 - "$DATA/expected.csv" out.jsonl "$rc" err.txt <<'PY'
import json, os, sys
expected = {}
for line in open(sys.argv[1]):
    h, name = line.strip().split(",")
    expected[name] = int(h, 16)
got = [json.loads(l) for l in open(sys.argv[2])]
fails = 0
def check(what, ok):
    global fails
    print(("ok: " if ok else "FAIL: ") + what)
    fails += not ok
check("one line per image", len(got) == len(expected))
for g in got:
    name = os.path.basename(g["file"])
    dist = bin(int(g["pdq"], 16) ^ expected[name]).count("1")
    check("%s: %d bits from expected.csv, quality %d" % (name, dist, g["quality"]),
          dist <= 10 and g["quality"] >= 50 and g["format"] == "jpeg" and len(g["pdq"]) == 64)
err = open(sys.argv[4]).read()
check("exit code 3 when a file fails", sys.argv[3] == "3")
check("a file that is not an image is named", "text.jpg: not a JPEG, PNG, WebP or GIF image" in err)
check("a missing file is named", "missing.png: No such file or directory" in err)
print("%d failed" % fails)
sys.exit(1 if fails else 0)
PY
