#!/usr/bin/env python3
"""replay_hosts.py - matches whose requests name no usable host, from the
wire to controld's candidates (issue 14, item 1).

hashwall-gen's "hosts" capture holds three known objects: one requested by
HTTP/1.0 without Host, one with an empty Host, one with a Host of 300
bytes over 0x7f (765 bytes once the dataplane escapes the 255 it keeps).
The dataplane replays it against a set of those objects; its match lines
go, as they are, through controld's ingest socket (this script speaks the
protocol, docs/ingest-protocol.md).  Every match must become a candidate
with one occurrence: no event refused as invalid; no host shown as such
(null), the cut one flagged; the notices name the server instead.

usage: replay_hosts.py DATAPLANE CONTROLD GEN SETTOOL
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

from ctl_e2e import fail, free_port, ingest, sh, wait_for

DP, CTLD, GEN, SETTOOL = (os.path.abspath(a) for a in sys.argv[1:5])
PROCS = []


def api(port, token, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.read().decode()


def main():
    work = tempfile.mkdtemp(prefix="hw-replay-hosts-")
    try:
        os.chdir(work)
        sh(GEN, "--scenario", "hosts", "--seed", "1", "--set-id", "hosts", "--out", "h.pcap",
           "--list", "h.list", "--manifest", "h.json")
        sh(SETTOOL, "build", "--in", "h.list", "--out", "h.hws", "--id", "hosts",
           "--version", "1")
        out = sh(DP, "replay", "--pcap", "h.pcap", "--set", "h.hws")
        matches = [l for l in out.splitlines() if '"event":"match"' in l]
        if len(matches) != 3:
            fail(f"{len(matches)} match events, expected 3")
        token = sh(CTLD, "new-token", "--tokens", "tokens", "vera", "viewer").split()[-1]
        port = free_port()
        json.dump({"db": f"{work}/ctl.db", "ingest_socket": f"{work}/ingest.sock",
                   "client_key_file": f"{work}/ctl.key", "tokens_file": f"{work}/tokens",
                   "api": {"port": port}}, open("ctl.json", "w"))
        PROCS.append(subprocess.Popen([CTLD, "--config", "ctl.json"],
                                      stderr=open("ctl.err", "w")))
        wait_for("controld's ingest socket", lambda: os.path.exists("ingest.sock"))
        ingest(f"{work}/ingest.sock", "replay", f"e{os.getpid()}", matches)

        cands = json.loads(api(port, token, "/api/v1/candidates?set=hosts"))["items"]
        if len(cands) != 3:
            fail(f"{len(cands)} candidates, expected 3: {cands}")
        hosts = sorted((c["host"] is None, c["host_truncated"], len(c["host"] or ""))
                       for c in cands)
        if hosts != [(False, True, 765), (True, False, 0), (True, False, 0)]:
            fail(f"hosts (absent, truncated, length): {hosts}")
        for c in cands:
            if c["occurrences"] != 1:
                fail(f"candidate {c['id']}: {c['occurrences']} occurrences")
        metrics = api(port, token, "/metrics")
        for name, want in (("ingest_invalid_total", 0), ("ingest_events_total", 3)):
            if f"hashwall_{name} {want}\n" not in metrics:
                fail(f"hashwall_{name} is not {want}")
        csv = api(port, token, "/api/v1/exports/notices?status=new&format=csv")
        rows = [r for r in csv.split("\r\n")[1:] if r]
        stand_in = [r for r in rows for c in cands if c["host"] is None and r.startswith(
            f'"{c["server_ip"]}","http://{c["server_ip"]}/') and r.endswith(
            '"true","false","false",""')]
        if len(rows) != 3 or len(stand_in) != 2:
            fail(f"notices: {rows}")
        print("replay_hosts: 3 matches without a usable host, 3 candidates, 0 invalid")
    finally:
        for p in PROCS:
            p.terminate()
            p.wait(10)
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)


main()
