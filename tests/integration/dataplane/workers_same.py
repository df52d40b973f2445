#!/usr/bin/env python3
# workers_same.py - `replay --workers 2` finds what one worker finds: the
# same object and match events (as a multiset: order differs between
# workers) and the same counters, for a capture of many flows; and the
# flows really were spread (each worker got packets, both directions of a
# flow on one worker, or reassembly would fail and the events differ).
# Run with a fixed client key so pseudonyms compare.  Synthetic data only.
#
# usage: workers_same.py DATAPLANE GEN SET_TOOL SCENARIO SEED
import json
import re
import shutil
import subprocess
import sys
import tempfile

from gen_fixture import capture_with_set

DP, GEN, SET_TOOL, SCENARIO, SEED = sys.argv[1:6]
# Stats fields that measure time (and the number of workers), not traffic.
TIMING = ("seconds", "gbps", "workers", "worker_cycles", "tsc_hz", "worker_seconds",
          "worker_cpu_seconds", "cycles_per_packet", "gbps_per_core")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def replay(tmp, workers):
    r = subprocess.run([DP, "replay", "--pcap", tmp + "/c.pcap", "--set", tmp + "/k.hws",
                        "--log-objects", "--hash", "md5,sha1", "--client-key", tmp + "/key",
                        "--loop", "2", "--workers", str(workers)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("--workers %d exited %d: %s" % (workers, r.returncode, r.stderr))
    events = [json.loads(l) for l in r.stdout.splitlines()]
    if events[-1]["event"] != "stats":
        fail("--workers %d: the stats event is not last" % workers)
    stats = {k: v for k, v in events[-1].items() if k not in TIMING}
    return sorted(json.dumps(e, sort_keys=True) for e in events[:-1]), stats, r.stderr


def main():
    tmp = tempfile.mkdtemp(prefix="hw-workers-")
    try:
        capture_with_set(tmp, GEN, SET_TOOL, SCENARIO, SEED)
        ev1, st1, _ = replay(tmp, 1)
        ev2, st2, err2 = replay(tmp, 2)
        per_worker = [int(p) for p in re.findall(r"worker \d+: (\d+) packets", err2)]
        if len(per_worker) != 2 or min(per_worker) == 0:
            fail("packets per worker: %r (both must have some)" % per_worker)
        if sum(per_worker) != st1["packets"]:
            fail("packets per worker %r do not add up to %d" % (per_worker, st1["packets"]))
        diff = {k: (st1[k], st2.get(k)) for k in st1 if st1[k] != st2.get(k)}
        if diff:
            fail("counters differ (1 worker, 2 workers): %r" % diff)
        if ev1 != ev2:
            only1 = [e for e in ev1 if e not in ev2][:2]
            only2 = [e for e in ev2 if e not in ev1][:2]
            fail("events differ: only with 1 worker %r; only with 2 %r" % (only1, only2))
        matches = sum('"event": "match"' in e for e in ev1)
        if matches == 0:
            fail("the capture should give matches")
        print("ok: %d events (%d matches), packets per worker %r" % (len(ev1), matches, per_worker))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
