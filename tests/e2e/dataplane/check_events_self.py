#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""check_events_self.py - check_events.py passes what a correct dataplane
writes and catches each deliberate fault.  Needs no root: http_server runs
on 127.0.0.1 and four objects are fetched from it with http.client (one
keep-alive connection); the events are built from its digest lines.

usage: check_events_self.py HTTP_SERVER CHECK_EVENTS
"""
import copy
import http.client
import json
import os
import subprocess
import sys
import tempfile

SEED = "7"
CLIENT = "10.9.8.7"
PSEUDO = "5f" * 16
SET = "e2e_self"


def serve(httpd):
    for port in range(41000 + os.getpid() % 1000, 43000):
        p = subprocess.Popen([httpd, "--addr", "127.0.0.1", "--port", str(port), "--seed", SEED],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if p.stdout.readline().strip() == "listening":
            return p, port
        p.wait()
    sys.exit("check_events_self: no free port")


def good_events(objs, fetched, listed):
    events = []
    for n in fetched:
        o = objs[n]
        e = {"event": "object", "server_ip": "127.0.0.1", "server_port": 80, "client": PSEUDO,
             "host": "127.0.0.1", "path": o["path"], "method": "GET", "status": 200,
             "size": o["size"], "complete": True, "partial": False, "outcome": "complete",
             "digests": {"xxh3-128": o["digest"]}}
        events.append(e)
        if n in listed:
            events.append(dict(e, event="match", set=SET, set_version=1, algo="xxh3-128",
                               digest=o["digest"], category=1, ref=n))
    return events


def main():
    httpd, check = sys.argv[1:3]
    tmp = tempfile.mkdtemp(prefix="hashwall-check-self.")
    digests = subprocess.run([httpd, "--digests", "--seed", SEED, "--count", "4"], check=True,
                             capture_output=True, text=True).stdout
    with open(f"{tmp}/digests", "w") as f:
        f.write(digests)
    objs = {}
    for line in digests.splitlines():
        w = line.split()
        objs[int(w[3])] = {"digest": w[1], "path": w[5], "size": int(w[6])}

    proc, port = serve(httpd)
    try:
        os.mkdir(f"{tmp}/bodies")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for n in range(4):
            conn.request("GET", f"/obj/{n}.bin")
            with open(f"{tmp}/bodies/{n}.bin", "wb") as f:
                f.write(conn.getresponse().read())
        conn.close()
    finally:
        proc.terminate()
        proc.wait()
    fetched, listed = [0, 1, 2, 3], {0, 2}
    with open(f"{tmp}/fetched", "w") as f:
        f.write("".join(f"{n}\n" for n in fetched))
    with open(f"{tmp}/expected", "w") as f:
        f.write("".join(f"{SET} {n}\n" for n in sorted(listed)))
    body = open(f"{tmp}/bodies/1.bin", "rb").read()
    good = good_events(objs, fetched, listed)

    def fault(name, events=None, log=b""):
        return name, good if events is None else events, log

    def changed(i, **kv):
        ev = copy.deepcopy(good)
        ev[i].update(kv)
        return ev

    cases = [
        fault("none"),
        fault("wrong-digest", changed(0, digests={"xxh3-128": "0" * 32})),
        fault("missing-object", [e for e in good if e["path"] != "/obj/3.bin"]),
        fault("incomplete", changed(2, complete=False, outcome="obj_incomplete")),
        fault("wrong-size", changed(2, size=1)),
        fault("extra-match", good + [dict(good[2], event="match", set=SET, digest=objs[1]["digest"],
                                          algo="xxh3-128", category=1, ref=1)]),
        fault("missing-match", [e for e in good if not (e["event"] == "match" and e["ref"] == 2)]),
        fault("wrong-set", changed(1, set="other")),
        fault("wrong-host", changed(1, host="example.org")),
        fault("plain-client", changed(0, client=CLIENT)),
        fault("client-in-field", changed(2, note="from " + CLIENT)),
        fault("client-v6-mapped", changed(2, note="::ffff:" + CLIENT)),
        fault("object-wrong-host", changed(2, host="example.org")),
        fault("body-in-log", log=b"x" + body[1000:1031] + b"\n"),
        fault("body-hex-in-events", changed(2, note=body[5000:5040].hex())),
    ]
    failures = 0
    for name, events, log in cases:
        with open(f"{tmp}/events.jsonl", "w") as f:
            f.write("".join(json.dumps(e) + "\n" for e in events))
        with open(f"{tmp}/log", "wb") as f:
            f.write(log)
        r = subprocess.run([check, "--events", f"{tmp}/events.jsonl", "--digests", f"{tmp}/digests",
                            "--fetched", f"{tmp}/fetched", "--expected", f"{tmp}/expected",
                            "--client-ip", CLIENT, "--host", "127.0.0.1", "--bodies",
                            f"{tmp}/bodies", "--no-content", f"{tmp}/log"],
                           capture_output=True, text=True)
        want = 0 if name == "none" else 1
        verdict = "ok" if r.returncode == want else "FAIL"
        failures += verdict == "FAIL"
        print(f"{verdict}: fault {name}: exit {r.returncode} (want {want}) "
              f"{(r.stderr or r.stdout).strip().splitlines()[0]}")
    subprocess.run(["rm", "-rf", tmp], check=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
