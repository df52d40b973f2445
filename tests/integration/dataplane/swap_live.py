#!/usr/bin/env python3
# swap_live.py - live set swaps under load (issue 4): a generated capture is
# replayed with --loop and --events-every-pass while a client swaps set
# "swap" between version 1 (every known digest) and version 2 (half of
# them) hundreds of times over the control socket, with a bad file offered
# now and then.  Checks:
#   - every load of a good file answers "ok", every bad one "err", and a
#     refused load leaves the loaded version as it was (status);
#   - every object's matches are exactly what version 1 or version 2 of the
#     set gives for its digests (never a mix, never something else), and
#     both verdicts occur for objects whose verdict differs between them;
#   - no packet is lost: packets = passes x capture packets, and every pass
#     reports every object.
# Synthetic bodies only (hashwall-gen's PRNG bytes).
#
# With WORKERS > 1 the flows are spread over that many workers, each an RCU
# reader of its own, each stopping at its own pass: then every worker's
# packets are a whole number of passes over its share, and the shares add
# up to the capture.
#
# usage: swap_live.py DATAPLANE GEN SET_TOOL [WORKERS [SWAPS]]
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DP, GEN, SET_TOOL = sys.argv[1:4]
WORKERS = int(sys.argv[4]) if len(sys.argv) > 4 else 1
SWAPS = int(sys.argv[5]) if len(sys.argv) > 5 else 300
BAD_EVERY = 50


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def read_list(path):
    entries = set()
    for line in open(path):
        if line.strip() and not line.startswith("#"):
            algo, digest = line.split()[:2]
            entries.add((algo, digest))
    return entries


def connect(path, proc):
    for _ in range(600):
        if proc.poll() is not None:
            fail("replay ended before its control socket was up")
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            time.sleep(0.05)
    fail("control socket never came up")


def swap(tmp, proc):
    """The client: SWAPS loads alternating v2/v1, a bad file every
    BAD_EVERY; returns the number of ok answers."""
    s = connect(os.path.join(tmp, "ctl.sock"), proc)
    f = s.makefile("rw")

    def ask(line):
        f.write(line + "\n")
        f.flush()
        return f.readline().rstrip("\n")

    oks = 0
    for i in range(SWAPS):
        v = 2 if i % 2 == 0 else 1
        answer = ask("load swap %d %s/v%d.hws" % (v, tmp, v))
        if not answer.startswith("ok loaded swap %d" % v):
            fail("load %d answered %r" % (v, answer))
        oks += 1
        if i % BAD_EVERY == 0:
            answer = ask("load swap 3 %s/bad.hws" % tmp)
            if not answer.startswith("err "):
                fail("bad file answered %r" % answer)
            status = json.loads(ask("status"))
            if status["sets"][0]["version"] != v:
                fail("a refused load changed the set: %r" % status)
        time.sleep(0.002)
    s.close()
    return oks


def objects(events_path):
    """Object events in order, each with the matches printed after it."""
    objs = []
    stats = None
    for line in open(events_path):
        e = json.loads(line)
        if e["event"] == "object":
            objs.append((e, []))
        elif e["event"] == "match":
            objs[-1][1].append(e)
        elif e["event"] == "stats":
            stats = e
    return objs, stats


def expected(obj, entries):
    return sorted((a, d) for a, d in obj["digests"].items() if (a, d) in entries)


def check_verdicts(objs, sets):
    seen = {1: 0, 2: 0}
    for obj, matches in objs:
        got = sorted((m["algo"], m["digest"]) for m in matches)
        versions = {m["set_version"] for m in matches}
        if obj["outcome"] != "complete":
            if got:
                fail("incomplete object matched: %r" % obj["path"])
            continue
        if len(versions) > 1:
            fail("%s matched two versions at once: %r" % (obj["path"], versions))
        for v in versions:  # the version its matches name gives exactly them
            if got != expected(obj, sets[v]):
                fail("%s: matches %r are not those of version %d" % (obj["path"], got, v))
        fits = [v for v in (1, 2) if got == expected(obj, sets[v])]
        if not fits:
            fail("%s: no match, yet both versions hold one of its digests" % obj["path"])
        if len(fits) == 1:
            seen[fits[0]] += 1
    if not seen[1] or not seen[2]:
        fail("verdicts of both versions expected among objects that tell them apart: %r" % seen)
    return seen


def main():
    tmp = tempfile.mkdtemp(prefix="hw-swap-live-")
    proc = None
    try:
        # One keep-alive flow for one worker (every object counted); every
        # scenario (40 flows) to spread over several.
        scenario = "keepalive" if WORKERS == 1 else "all"
        subprocess.run([GEN, "--scenario", scenario, "--out", tmp + "/c.pcap",
                        "--manifest", tmp + "/c.json", "--list", tmp + "/k.list"],
                       capture_output=True, text=True, check=True)
        manifest = json.load(open(tmp + "/c.json"))
        lines = [l for l in open(tmp + "/k.list") if not l.startswith("#")]
        open(tmp + "/half.list", "w").writelines(lines[::2])
        for v, lst in ((1, "k.list"), (2, "half.list")):
            subprocess.run([SET_TOOL, "build", "--in", tmp + "/" + lst, "--out",
                            "%s/v%d.hws" % (tmp, v), "--id", "swap", "--version", str(v)],
                           capture_output=True, check=True)
        open(tmp + "/bad.hws", "w").write("not a set file\n")
        sets = {1: read_list(tmp + "/k.list"), 2: read_list(tmp + "/half.list")}

        with open(tmp + "/ev.jsonl", "w") as out, open(tmp + "/err.txt", "w") as err:
            proc = subprocess.Popen([DP, "replay", "--pcap", tmp + "/c.pcap", "--set",
                                     tmp + "/v1.hws", "--hash", "md5,sha1,sha256",
                                     "--log-objects", "--events-every-pass",
                                     "--loop", "1000000", "--workers", str(WORKERS),
                                     "--control-socket",
                                     tmp + "/ctl.sock"], stdout=out, stderr=err)
            oks = swap(tmp, proc)
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(timeout=60)
        errtext = open(tmp + "/err.txt").read()
        if rc != 0:
            fail("replay exited %d: %s" % (rc, errtext))
        passes = [int(p) for p in re.findall(r"stopped by a signal after (\d+) passes", errtext)]
        per_worker = [int(p) for p in re.findall(r"worker \d+: (\d+) packets", errtext)]
        objs, stats = objects(tmp + "/ev.jsonl")
        per_worker = per_worker or [stats["packets"]]
        if len(passes) != WORKERS or len(per_worker) != WORKERS:
            fail("expected %d workers stopped by the signal: %s" % (WORKERS, errtext))
        shares = [p // n for p, n in zip(per_worker, passes)]
        if [s * n for s, n in zip(shares, passes)] != per_worker or \
                sum(shares) != manifest["packets"] or sum(per_worker) != stats["packets"]:
            fail("packets lost: per worker %r after %r passes, capture %d"
                 % (per_worker, passes, manifest["packets"]))
        n_obj = len(manifest["objects"])
        if WORKERS == 1 and (len(objs) != passes[0] * n_obj or
                             stats["objects"] != passes[0] * n_obj):
            fail("objects: %d events, %d counted, %d passes x %d"
                 % (len(objs), stats["objects"], passes[0], n_obj))
        seen = check_verdicts(objs, sets)
        if os.path.exists(tmp + "/ctl.sock"):
            fail("control socket left behind")
        print("ok: %d swaps over %r passes (%d packets); verdicts v1 %d, v2 %d"
              % (oks, passes, stats["packets"], seen[1], seen[2]))
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


main()
