#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# pdq_replay.sh - the PDQ stage through `hashwall-dataplane replay --pdq`
# (docs/pdq.md, "The dataplane's PDQ stage"): images this script draws
# (and Meta's reference bridge, the only real images allowed), listed by
# their PDQ hashes; re-encoded, resized, rotated, mirrored and
# recompressed copies of them served in a capture (pdq_pcap.py) match
# their entry within 31 bits through the sandboxed decoder, with the
# variant that matched; different drawings do not; the copies' exact
# digests are in no set; a copy served twice is decoded once (cache);
# a per-set max_distance and min_quality (--pdq-config) are obeyed.
#
# usage: pdq_replay.sh HASHWALL_DATAPLANE HASHWALL_SET PDQ_PCAP_PY REFDIR
set -euo pipefail
DP=$(realpath "$1")
HWSET=$(realpath "$2")
PCAP_PY=$(realpath "$3")
REF=$4
command -v convert >/dev/null || { echo "SKIP: ImageMagick's convert is not installed"; exit 77; }
[[ -f $REF/bridge-1-original.jpg ]] || { echo "SKIP: no PDQ reference images in $REF"; exit 77; }
TMP=$(mktemp -d /tmp/hashwall-pdq-replay.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

# Drawings (deterministic: ImageMagick's -seed).
convert -size 480x360 gradient:navy-gold -fill crimson -draw "circle 150,120 150,40" \
	-fill white -draw "rectangle 300,200 420,320" -fill black \
	-draw "polygon 60,330 200,340 120,200" shapes.png
convert -seed 7 -size 480x360 plasma:fractal -blur 0x2 plasma.png
convert -seed 11 -size 400x400 xc:gray +noise Random -blur 0x10 -normalize \
	-fill "rgb(20,20,20)" -draw "circle 200,200 200,120" blobs.png
convert -size 480x360 gradient:white-black -rotate 90 -fill blue \
	-draw "rectangle 40,40 200,300" other.png

# The set: the drawings and bridge-1, by their PDQ hashes.
"$HWSET" pdq shapes.png plasma.png blobs.png "$REF/bridge-1-original.jpg" >hashes.jsonl
python3 - <<'PY' >list.txt
import json
for i, l in enumerate(open("hashes.jsonl")):
    print("pdq %s 2 %d" % (json.loads(l)["pdq"], 100 + i))
PY
"$HWSET" build --in list.txt --out drawn.hws --id drawn --version 3 >/dev/null

# The copies served (name: what it is, which entry it must match).
convert shapes.png -quality 40 c01-shapes-q40.jpg
convert shapes.png -resize 60% -quality 85 c02-shapes-small.jpg
convert shapes.png -rotate 90 c03-shapes-rot90.png
convert shapes.png -flop -quality 75 c04-shapes-mirror.webp
convert plasma.png -quality 30 c05-plasma-q30.webp
convert plasma.png -resize 150% -quality 90 c06-plasma-big.jpg
convert plasma.png -flip c07-plasma-flip.gif
convert blobs.png -colorspace Gray -quality 60 c08-blobs-grey.jpg
convert blobs.png -interlace JPEG -quality 70 c09-blobs-progressive.jpg
cp "$REF/bridge-5-flipx.jpg" c10-bridge-flipx.jpg
convert "$REF/bridge-1-original.jpg" -resize 50% -quality 70 c11-bridge-half.jpg
convert other.png -quality 80 n01-other.jpg
printf 'not an image, whatever its name says' >n03-text.gif
cp c01-shapes-q40.jpg c12-shapes-q40-again.jpg
# an image whatever it is called: listed (bridge-1), a match
cp "$REF/bridge-1-original.jpg" c13-bridge-as-text.txt
files=(c*.* n*.*)
python3 "$PCAP_PY" cap.pcap "${files[@]}"
printf '%s\n' "${files[@]}" >served.txt
key=$(mktemp -p "$TMP")
head -c 32 /dev/urandom >"$key"
chmod 600 "$key"
run() { "$DP" replay --pcap cap.pcap --set drawn.hws --client-key "$key" "$@" 2>err.txt ||
	{ cat err.txt; exit 1; }; }
run --pdq >out.jsonl
echo '{"sets":[{"id":"drawn","max_distance":0}]}' >strict.json
run --pdq-config strict.json >strict.jsonl
echo '{"min_quality":101}' >floor.json
run --pdq-config floor.json >floor.jsonl
run >off.jsonl

python3 - <<'PY'
import json, sys
fails = 0
def check(what, ok):
    global fails
    print(("ok: " if ok else "FAIL: ") + what)
    fails += not ok
def lines(f):
    return [json.loads(l) for l in open(f)]
served = open("served.txt").read().split()
want = {"c01": 100, "c02": 100, "c03": 100, "c04": 100, "c05": 101, "c06": 101, "c07": 101,
        "c08": 102, "c09": 102, "c10": 103, "c11": 103, "c12": 100, "c13": 103}
variant = {"c03": ("rotate-90", "rotate-270"), "c04": ("flip-y",), "c07": ("flip-x",),
           "c10": ("flip-x", "flip-y")}
out = lines("out.jsonl")
stats = out[-1]
matches = [e for e in out if e["event"] == "match"]
by_path = {}
for m in matches:
    by_path.setdefault(m["path"], []).append(m)
for i, name in enumerate(served):
    tag = name[:3]
    got = by_path.get("/img/%d" % i, [])
    if tag in want:
        ok = len(got) == 1 and got[0]["ref"] == want[tag] and got[0]["algo"] == "pdq" \
            and got[0]["set"] == "drawn" and got[0]["distance"] <= 31 and got[0]["quality"] >= 50
        extra = ""
        if got:
            g = got[0]
            extra = " (%d bits, quality %d, %s)" % (g["distance"], g["quality"], g["variant"])
            ok = ok and (tag not in variant or g["variant"] in variant[tag])
            ok = ok and g["digest"] == g["digests"]["pdq"] and len(g["matched"]) == 64
        check("%s matches entry %d%s" % (name, want[tag], extra), ok)
    else:
        check("%s matches nothing" % name, not got)
check("no exact match: the copies' digests are in no set",
      all(m["algo"] == "pdq" for m in matches))
check("every image body queued (whatever its name), the text one not (sniffed)",
      stats["pdq_queued"] == len(served) - 1 and stats["pdq_skip_queue_full"] == 0)
check("the copy served twice was decoded once", stats["pdq_cache_hits"] >= 1)
check("no decoder crash or timeout",
      stats["pdq_decoder_crash"] == 0 and stats["pdq_decoder_timeout"] == 0)
check("matched + no_match + refused = queued",
      stats["pdq_matched"] + stats["pdq_no_match"] + stats["pdq_refused"] == stats["pdq_queued"])
strict = [e for e in lines("strict.jsonl") if e["event"] == "match"]
check("max_distance 0: only exact PDQ hashes (%d of %d)" % (len(strict), len(matches)),
      all(m["distance"] == 0 for m in strict) and len(strict) < len(matches))
floor = lines("floor.jsonl")
check("min_quality 101: nothing matched, all low quality",
      not [e for e in floor if e["event"] == "match"] and floor[-1]["pdq_low_quality"] >= 13)
off = lines("off.jsonl")
check("without --pdq: no PDQ match, nothing queued",
      not [e for e in off if e["event"] == "match"] and off[-1]["pdq_queued"] == 0)
print("%d failed" % fails)
sys.exit(1 if fails else 0)
PY
