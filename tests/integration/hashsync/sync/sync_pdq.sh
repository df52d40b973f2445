#!/usr/bin/env bash
# sync_pdq.sh - pdq entries travel in sync bundles like any algorithm's
# (32-byte digests in the add and remove records, counted under "pdq" in
# the manifest): a snapshot and a delta of a list with pdq lines are
# verified offline, pushed and installed, and the installed set answers
# near lookups with the delta's additions and without its removals.
source "$(dirname "$0")/sync_lib.sh"

keys nl
listen_config 1 nl

# 300 random pdq hashes and 20 md5; the delta removes ten pdq entries and
# adds five near copies (3 bits away) of a hash that is not listed.
python3 - <<'PY'
import random
r = random.Random(23)
pdq = [r.getrandbits(256) for _ in range(300)]
centre = r.getrandbits(256)
near = [centre ^ (0b111 << (8 * i)) for i in range(5)]
with open("snap.list", "w") as f:
    for i, h in enumerate(pdq):
        f.write("pdq %064x %d %d\n" % (h, i % 3 + 1, 1000 + i))
    for i in range(20):
        f.write("md5 %032x 1 %d\n" % (r.getrandbits(128), 5000 + i))
with open("add.list", "w") as f:
    for i, h in enumerate(near):
        f.write("pdq %064x 2 %d\n" % (h, 7000 + i))
with open("remove.list", "w") as f:
    for h in pdq[:10]:
        f.write("pdq %064x\n" % h)
with open("queries", "w") as f:
    f.write("%064x\n%064x\n%064x\n" % (centre, pdq[0], pdq[10]))
PY
pdq_count() { "$SET" info sets/nl.hws | python3 -c 'import json,sys; print(json.load(sys.stdin)["algos"]["pdq"])'; }
centre=$(sed -n 1p queries)
removed=$(sed -n 2p queries)
kept=$(sed -n 3p queries)

"$PUBLISH" snapshot --secret nl.sec --set nl --version 1 --in snap.list --out s1.hwb >/dev/null
"$PUBLISH" delta --secret nl.sec --set nl --version 2 --base 1 --add add.list --remove remove.list \
	--out d2.hwb >/dev/null
expect_eq "$(grep -ac '"add":{"md5":20,"pdq":300}' s1.hwb)" 1 "snapshot manifest counts pdq"
expect_eq "$(grep -ac '"add":{"pdq":5},"remove":{"pdq":10}' d2.hwb)" 1 "delta manifest counts pdq"
expect_eq "$("$SYNCD" verify --config "$CONFIG" s1.hwb)" "ok: set nl would install snapshot version 1" \
	"offline verify of the snapshot"

start_syncd "$CONFIG"
expect_eq "$(push s1.hwb | cut -d' ' -f1)" 200 "snapshot installed"
expect_eq "$(pdq_count)" 300 "installed pdq entries"
expect_eq "$("$SET" lookup sets/nl.hws pdq "$removed" --distance 0 | json_field ref)" 1000 "pdq entry installed"
expect_eq "$("$SYNCD" verify --config "$CONFIG" d2.hwb)" "ok: set nl would install delta version 2" \
	"offline verify of the delta"
expect_eq "$(push d2.hwb | cut -d' ' -f1)" 200 "delta installed"
expect_eq "$(pdq_count)" 295 "pdq entries after the delta"
rc=0
"$SET" lookup sets/nl.hws pdq "$removed" --distance 0 >/dev/null || rc=$?
expect_eq "$rc" 1 "a removed pdq entry is gone"
expect_eq "$("$SET" lookup sets/nl.hws pdq "$kept" --distance 0 | json_field ref)" 1010 "a kept pdq entry stays"
expect_eq "$("$SET" lookup sets/nl.hws pdq "$centre" | python3 -c \
	'import json,sys; d=json.load(sys.stdin); print(d["total"], sorted((m["distance"], m["ref"]) for m in d["matches"]))')" \
	"5 [(3, 7000), (3, 7001), (3, 7002), (3, 7003), (3, 7004)]" "the delta's near copies answer a near lookup"
echo "PASS sync_pdq"
