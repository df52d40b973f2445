#!/usr/bin/env python3
# allowlist_replay.py - `replay --allowlist FILE` honours controld's
# allowlist: a generated capture is replayed with its set, once without and
# once with an allowlist (in the format controld writes) holding the digest
# of one matching object per algorithm; the matches of those digests are
# gone, every other match is there as before, and so is every object.  A bad
# allowlist stops the replay with the file and the line named.  Synthetic
# data only.
#
# usage: allowlist_replay.py DATAPLANE GEN SET_TOOL
import json
import shutil
import subprocess
import sys
import tempfile

from gen_fixture import capture_with_set

DP, GEN, SET_TOOL = sys.argv[1:4]


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def replay(tmp, *extra):
    r = subprocess.run([DP, "replay", "--pcap", tmp + "/c.pcap", "--set", tmp + "/k.hws",
                        "--log-objects", "--client-key", tmp + "/key", *extra],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("replay %r exited %d: %s" % (extra, r.returncode, r.stderr))
    events = [json.loads(l) for l in r.stdout.splitlines()]
    by_kind = {"object": [], "match": [], "stats": []}
    for e in events:
        by_kind[e["event"]].append(e)
    return by_kind


def key(e):
    return json.dumps(e, sort_keys=True)


def write_allowlist(path, entries):
    with open(path, "w") as f:
        f.write("# hashwall local allowlist: ALGO HEX per line, written by controld\n")
        for algo, digest in entries:
            f.write("%s %s\n" % (algo, digest))


def main():
    tmp = tempfile.mkdtemp(prefix="hw-allowlist-")
    try:
        capture_with_set(tmp, GEN, SET_TOOL, "mixed", "1")

        base = replay(tmp)
        algos = ["md5", "xxh3-128"]
        seen = sorted({m["algo"] for m in base["match"]})
        if not set(algos) <= set(seen):
            fail("the capture should match with md5 and xxh3-128, got %r" % seen)
        # One matching digest per algorithm, upper case for one of them.
        chosen = [next((m["algo"], m["digest"]) for m in base["match"] if m["algo"] == a)
                  for a in algos]
        write_allowlist(tmp + "/allow.txt", [(chosen[0][0], chosen[0][1].upper()), chosen[1]])
        got = replay(tmp, "--allowlist", tmp + "/allow.txt")

        listed = set(chosen)
        gone = [m for m in base["match"] if (m["algo"], m["digest"]) in listed]
        kept = sorted(key(m) for m in base["match"] if (m["algo"], m["digest"]) not in listed)
        if not gone or not kept:
            fail("the allowlist should cover some matches, not all (%d of %d)"
                 % (len(gone), len(base["match"])))
        if sorted(key(m) for m in got["match"]) != kept:
            fail("matches with the allowlist: %d, expected the %d not allowlisted"
                 % (len(got["match"]), len(kept)))
        if sorted(map(key, got["object"])) != sorted(map(key, base["object"])):
            fail("object events changed with the allowlist")
        if got["stats"][0]["matches"] != len(kept):
            fail("stats: matches %r, expected %d" % (got["stats"][0]["matches"], len(kept)))
        if got["stats"][0]["allowlisted"] != len(gone):
            fail("stats: allowlisted %r, expected %d" % (got["stats"][0]["allowlisted"], len(gone)))

        # An empty allowlist changes nothing.
        write_allowlist(tmp + "/empty.txt", [])
        empty = replay(tmp, "--allowlist", tmp + "/empty.txt")
        if sorted(map(key, empty["match"])) != sorted(map(key, base["match"])):
            fail("an empty allowlist changed the matches")

        # A bad line stops the replay before it starts, naming file and line.
        with open(tmp + "/bad.txt", "w") as f:
            f.write("# comment\nmd5 %s\nsha1 0011\n" % chosen[0][1])
        r = subprocess.run([DP, "replay", "--pcap", tmp + "/c.pcap", "--set", tmp + "/k.hws",
                            "--allowlist", tmp + "/bad.txt"], capture_output=True, text=True)
        want = tmp + "/bad.txt: line 3: not 40 hex digits of sha1"
        if r.returncode != 1 or want not in r.stderr or r.stdout:
            fail("bad allowlist: exit %d, stderr %r (expected 1 and %r)"
                 % (r.returncode, r.stderr, want))
        print("ok: %d matches, %d allowlisted away (%r)" % (len(base["match"]), len(gone), chosen))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
