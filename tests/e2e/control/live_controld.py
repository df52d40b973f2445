#!/usr/bin/env python3
"""live_controld.py - the live dataplane and controld together (root).

A network namespace with a veth pair, made by this test and removed on any
exit; the live dataplane (hw/virtual-af-packet.json, two workers on the
kernel's fanout) on one end, hashwall-gen's demo capture (synthetic bodies)
sent into the other end.  controld ingests the matches over its socket.

1. The live dataplane's events equal `replay`'s on the same capture with the
   same client key (as multisets: two workers interleave), and every match
   becomes a controld candidate.
2. An operator marks one candidate false_positive over the API; controld
   rewrites the allowlist file; the running dataplane picks it up.  controld
   is then killed (SIGKILL) and the capture sent again: it raises only the
   other match, which waits in the dataplane's queue and reaches controld
   once it is restarted (the other candidate's occurrences go to 2).
3. SIGINT: exit 0.  Neither the event file nor controld's database, WAL or
   event log holds a client address in plain.

usage: live_controld.py DATAPLANE CONTROLD GEN SETTOOL SRCDIR
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

from ctl_e2e import ON_FAIL, fail, free_port, sh, wait_for

DP, CTLD, GEN, SETTOOL, SRC = (os.path.abspath(a) for a in sys.argv[1:6])
NS = f"hwlc{os.getpid()}"
PROCS = []
LAST_STATS = [None]  # the last telemetry read, shown on failure


def show_last_stats():
    if LAST_STATS[0]:
        print("last /hashwall/stats:", {k: v for k, v in LAST_STATS[0].items() if v},
              file=sys.stderr)


ON_FAIL.append(show_last_stats)


def send_pcap(iface, path):
    """Every frame of the pcap at path onto iface, inside the namespace."""
    code = ("import socket,struct,sys\n"
            "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW);s.bind((sys.argv[1],0))\n"
            "d=open(sys.argv[2],'rb').read();o=24\n"
            "while o+16<=len(d):\n"
            " n=struct.unpack('<IIII',d[o:o+16])[2];o+=16;s.send(d[o:o+n]);o+=n\n")
    sh("ip", "netns", "exec", NS, sys.executable, "-c", code, iface, path)


def telemetry(prefix, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2")
    s.recv(4096)
    s.send(cmd.encode())
    reply = json.loads(s.recv(65536))
    s.close()
    return reply[cmd]


def api(port, token, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/{path}",
                                 data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def api_field(port, token, path, field):
    """One field of an API answer; None while controld does not answer."""
    try:
        return api(port, token, path)[field]
    except OSError:
        return None


def events(path, kind=None):
    lines = [l for l in open(path) if l.strip()] if os.path.exists(path) else []
    return [l for l in lines if kind is None or f'"event":"{kind}"' in l]


def setup(work):
    os.chdir(work)
    sh(GEN, "--scenario", "demo", "--seed", "1", "--set-id", "demo", "--out", "demo.pcap",
       "--list", "demo.list", "--manifest", "demo.json")
    sh(SETTOOL, "build", "--in", "demo.list", "--out", "demo.hws", "--id", "demo",
       "--version", "1")
    with open("client.key", "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    os.chmod("client.key", 0o600)
    sh("ip", "netns", "add", NS)
    sh("ip", "-n", NS, "link", "add", "va", "type", "veth", "peer", "name", "vb")
    for dev in ("va", "vb"):  # room for the capture's largest frames
        sh("ip", "-n", NS, "link", "set", dev, "mtu", "9000", "up")


def new_token():
    return sh(CTLD, "new-token", "--tokens", "tokens", "rev", "reviewer").strip().split()[-1]


def start_controld(work, port):
    if os.path.exists("ingest.sock"):
        os.unlink("ingest.sock")
    json.dump({"db": f"{work}/ctl.db", "ingest_socket": f"{work}/ingest.sock",
               "client_key_file": f"{work}/ctl.key", "tokens_file": f"{work}/tokens",
               "allowlist_file": f"{work}/allow.txt", "event_log": f"{work}/ctl-events.jsonl",
               "api": {"port": port}}, open("ctl.json", "w"))
    p = subprocess.Popen([CTLD, "--config", "ctl.json"], stderr=open("ctl.err", "w"))
    PROCS.append(p)
    wait_for("controld's ingest socket", lambda: os.path.exists("ingest.sock"))
    wait_for("controld's allowlist file", lambda: os.path.exists("allow.txt"))
    return p


def start_dataplane(work):
    json.dump({"id": f"lc{os.getpid()}", "workers": 2,
               "ports": [{"profile": f"{SRC}/hw/virtual-af-packet.json",
                          "device": "net_af_packet0,iface=va"}],
               "event_file": f"{work}/events.jsonl", "log_objects": True,
               "client_key_file": f"{work}/client.key", "ingest_socket": f"{work}/ingest.sock",
               "allowlist_file": f"{work}/allow.txt", "stats_interval": 1,
               "sets": ["demo.hws"]}, open("dp.json", "w"))
    p = subprocess.Popen(["ip", "netns", "exec", NS, DP, "--config", "dp.json"],
                         stderr=open("dp.err", "w"))
    PROCS.append(p)
    prefix = f"hashwall-lc{os.getpid()}"
    wait_for("the dataplane to run", lambda: "running:" in open("dp.err").read())
    return p, prefix


def comparable(lines):
    """Event lines as comparable records: all but "ts" (replay stamps the
    capture's time, live mode the wall clock); pseudonyms kept (same key)."""
    return sorted(json.dumps({k: v for k, v in json.loads(l).items() if k != "ts"},
                             sort_keys=True) for l in lines)


def objects_at_least(prefix, n):
    st = telemetry(prefix, "/hashwall/stats")
    LAST_STATS[0] = st
    return st["objects"] >= n


def phase1(prefix, port, token, expect):
    send_pcap("vb", "demo.pcap")
    wait_for("every object of the capture",
             lambda: objects_at_least(prefix, len(events(expect, "object"))))
    wait_for("the events in the file",
             lambda: len(events("events.jsonl")) >= len(events(expect)) - 1)
    cands = wait_for("controld's candidates",
                     lambda: (lambda c: c if len(c) == 2 else None)(api(port, token, "candidates")["items"]))
    return cands


def main():
    work = tempfile.mkdtemp(prefix="hw-lc-")
    try:
        setup(work)
        expect = f"{work}/replay.jsonl"
        with open(expect, "w") as f:
            subprocess.run([DP, "replay", "--pcap", "demo.pcap", "--set", "demo.hws",
                            "--log-objects", "--client-key", "client.key"], stdout=f,
                           stderr=subprocess.DEVNULL, check=True)
        sh("sed", "-i", "/\"event\":\"stats\"/d", expect)
        port = free_port()
        token = new_token()
        ctld = start_controld(work, port)
        started = time.time()
        dp, prefix = start_dataplane(work)

        cands = phase1(prefix, port, token, expect)
        if comparable(events("events.jsonl")) != comparable(events(expect)):
            fail("live events differ from replay's on the same capture")
        stamps = {json.loads(l)["ts"] for l in events("events.jsonl")}
        if not all(started - 1 <= t <= time.time() + 1 for t in stamps):
            fail(f"live event times {sorted(stamps)} are not the wall clock")
        print(f"phase 1: {len(events('events.jsonl'))} events as replay, 2 candidates")

        victim = cands[0]
        api(port, token, f"candidates/{victim['id']}/review",
            {"status": "false_positive", "note": "test"})
        wait_for("the dataplane to load the allowlist",
                 lambda: "allowlist: 1 digests" in open("dp.err").read())
        ctld.kill()
        ctld.wait()
        send_pcap("vb", "demo.pcap")
        wait_for("the second pass's objects", lambda: objects_at_least(prefix, 14))
        wait_for("the second pass's events", lambda: len(events("events.jsonl", "object")) >= 14)
        matches = [json.loads(l) for l in events("events.jsonl", "match")]
        if len(matches) != 3:
            fail(f"{len(matches)} match events, expected 2 then 1 (one allowlisted)")
        if matches[2]["digest"] == victim["digest"]:
            fail("the allowlisted digest matched again")
        if telemetry(prefix, "/hashwall/stats")["allowlisted"] != 1:
            fail("the allowlisted hit was not counted")
        time.sleep(2)  # the queued match is older than the restart
        restarted = time.time()
        start_controld(work, port)
        other = next(c for c in cands if c["id"] != victim["id"])
        wait_for("the queued match to reach the restarted controld",
                 lambda: api_field(port, token, f"candidates/{other['id']}", "occurrences") == 2)
        last_seen = api(port, token, f"candidates/{other['id']}")["last_seen"]
        if not restarted - 5 <= last_seen < restarted:
            fail(f"the queued match was recorded at {last_seen}, not when it was seen "
                 f"(controld restarted at {restarted:.0f})")
        if api(port, token, f"candidates/{victim['id']}")["occurrences"] != 1:
            fail("the allowlisted candidate got another occurrence")
        print("phase 2: the allowlisted digest no longer matches; the queued match "
              "reached controld after its restart")

        dp.send_signal(signal.SIGINT)  # (e2e_live.sh covers SIGTERM)
        if dp.wait(timeout=20) != 0:
            fail(f"dataplane exit {dp.returncode}: {open('dp.err').read()}")
        manifest = json.load(open("demo.json"))
        clients = {f["client"] for f in manifest["flows"]}
        for f in ("events.jsonl", "ctl.db", "ctl.db-wal", "ctl-events.jsonl", "dp.err", "ctl.err"):
            data = open(f, "rb").read() if os.path.exists(f) else b""
            for c in clients:
                if c.encode() in data:
                    fail(f"{f} holds the address {c} in plain")
        print("phase 3: clean exit, no client address in plain")
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill()
                p.wait()
        subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
        # (the dataplane removes it when it stops on a signal; not when killed)
        shutil.rmtree(f"/var/run/dpdk/hashwall-lc{os.getpid()}", ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("live_controld: needs root (network namespaces)")
        sys.exit(77)
    main()
