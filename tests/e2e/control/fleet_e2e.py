#!/usr/bin/env python3
"""fleet_e2e.py - two edge controlds and one central controld on a real
PostgreSQL 15 (docs/fleet.md); run through with_pg.sh, which starts the
server in a temporary directory and removes it whatever happens.

 - the central store is created by `hashwall-controld migrate`; each edge
   logs in as its own role (a member of hwall_edge: least privilege);
 - each edge gets matches over its ingest socket (this script speaks the
   protocol, docs/ingest-protocol.md): one object and URL seen on both, one
   on each; the central API lists the shared one once, with occurrences
   from edge1 and edge2, and filters by appliance;
 - a false positive reviewed centrally reaches both edges' store, trail and
   allowlist file, and a block added centrally both edges' blocks (which
   enforcement mirrors into the BPF maps), within 5 seconds;
 - the server stopped: edge2 still acknowledges its matches at once, and
   they reach the center when the server is back;
 - edge1 killed with SIGKILL and restarted: what it had acknowledged is
   central once, none twice.

With HASHWALL_BPF given and run as root, each edge enforces on a veth pair
the script makes (its BPF maps pinned under a directory of its own), and
the central block and false positive are checked in the edges' URL maps
too; all is removed on exit.

usage: with_pg.sh fleet_e2e.py CONTROLD [HASHWALL_BPF]
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from ctl_e2e import ON_FAIL, fail, free_port, ingest, sh, wait_for

CTLD = os.path.abspath(sys.argv[1])
BPF = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 and os.geteuid() == 0 else None
PGDIR = os.environ["HWALL_TEST_PG_DIR"]
PROCS = {}
VETHS = []  # (interface, pin root) per edge, removed on exit
DIGEST = {"shared": "5a" * 16, "edge1": "e1" * 16, "edge2": "e2" * 16}


def api(port, token, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                 data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read().decode() or "null")
    except urllib.error.HTTPError as e:
        fail(f"{path}: {e.code} {e.read().decode()[:300]}")


def event(name):
    host = "shared.example" if name == "shared" else f"{name}.example"
    return json.dumps({
        "event": "match", "server_ip": "192.0.2.10", "server_port": 80,
        "client": "5f0c3a9e21b7d4c8", "host": host, "path": f"/{name}.jpg",
        "method": "GET", "status": 200, "size": 1000, "complete": True, "partial": False,
        "set": "test", "set_version": 3, "algo": "xxh3-128", "digest": DIGEST[name],
        "category": 1, "ref": 7})


def send(sock_path, epoch, names):
    """@names' events as 1..n of (dp0, @epoch); returns once all are acked."""
    ingest(sock_path, "dp0", epoch, [event(n) for n in names])


def enforcing(name):
    """A veth pair and a pin root for edge @name; its enforcement section."""
    veth = f"hwfl{os.getpid() % 10000}{name[-1]}"
    pin = f"/sys/fs/bpf/hw-fleet-{os.getpid()}-{name}"
    subprocess.run(["ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "p"],
                   check=True)
    VETHS.append((veth, pin))
    for dev in (veth, veth + "p"):
        subprocess.run(["ip", "link", "set", dev, "up"], check=True)
    return {"interface": veth, "pin_root": pin, "block_ttl": 600}


def url_in_map(pin, url):
    key = sh(BPF, "key", url).strip()
    return any(line.startswith(key) for line in sh(BPF, "-r", pin, "list-urls").splitlines())


def start(name, work, cfg):
    d = f"{work}/{name}"
    os.makedirs(d, exist_ok=True)
    cfg.update({"ingest_socket": f"{d}/ingest.sock", "client_key_file": f"{work}/client.key",
                "tokens_file": f"{work}/tokens", "allowlist_file": f"{d}/allowlist"})
    with open(f"{d}/ctl.json", "w") as f:
        json.dump(cfg, f)
    if os.path.exists(f"{d}/ingest.sock"):
        os.unlink(f"{d}/ingest.sock")
    PROCS[name] = subprocess.Popen([CTLD, "--config", f"{d}/ctl.json"],
                                   stderr=open(f"{d}/ctl.err", "a"))
    wait_for(f"{name}'s ingest socket", lambda: os.path.exists(f"{d}/ingest.sock"))
    return d


def main():
    work = tempfile.mkdtemp(prefix="hw-fleet-")
    ON_FAIL.append(lambda: [print(n, open(f"{work}/{n}/ctl.err").read()[-2000:], file=sys.stderr)
                            for n in ("central", "edge1", "edge2")
                            if os.path.exists(f"{work}/{n}/ctl.err")])
    try:
        os.chdir(work)
        sh("psql", f"host={PGDIR} user=hwall dbname=postgres", "-qc", "CREATE DATABASE fleet")
        central_db = f"host={PGDIR} user=hwall dbname=fleet"
        admin = sh(CTLD, "new-token", "--tokens", "tokens", "adam", "admin").split()[-1]
        ports = {n: free_port() for n in ("central", "edge1", "edge2")}
        os.makedirs("central")
        json.dump({"db": central_db, "ingest_socket": f"{work}/central/ingest.sock",
                   "client_key_file": f"{work}/client.key", "tokens_file": f"{work}/tokens"},
                  open("central/ctl.json", "w"))
        if "schema version 7" not in sh(CTLD, "migrate", "--config", "central/ctl.json"):
            fail("migrate did not report schema version 7")
        for n in ("edge1", "edge2"):  # least privilege: each edge its own role
            sh("psql", central_db, "-qc", f"CREATE ROLE {n} LOGIN IN ROLE hwall_edge")
        start("central", work, {"db": central_db, "api": {"port": ports["central"]}})
        edges = {}
        for n in ("edge1", "edge2"):
            cfg = {"db": f"{work}/{n}/store.db", "api": {"port": ports[n]},
                   "fleet": {"conninfo": f"host={PGDIR} user={n} dbname=fleet", "appliance": n,
                             "reconcile_ms": 1000}}
            if BPF:
                cfg["enforcement"] = enforcing(n)
            edges[n] = start(n, work, cfg)
        send(f"{edges['edge1']}/ingest.sock", "a", ["shared", "edge1"])
        send(f"{edges['edge2']}/ingest.sock", "a", ["shared", "edge2", "shared"])
        for veth, pin in VETHS:  # the match blocked the URL on each edge
            wait_for(f"{veth}: the shared URL in the map",
                     lambda: url_in_map(pin, "http://shared.example/shared.jpg"))

        def central(path, body=None):
            return api(ports["central"], admin, path, body)
        items = wait_for("3 central candidates, 5 occurrences", lambda: (
            lambda it: it if len(it) == 3 and sum(c["occurrences"] for c in it) == 5 else None)(
                central("/api/v1/candidates")["items"]))
        shared = [c for c in items if c["digest"] == DIGEST["shared"]]
        if len(shared) != 1 or shared[0]["occurrences"] != 3:
            fail(f"the shared object: {shared}")
        detail = central(f"/api/v1/candidates/{shared[0]['id']}")
        apps = sorted(o["appliance"] for o in detail["recent_occurrences"])
        if apps != ["edge1", "edge2", "edge2"]:
            fail(f"occurrences by appliance: {apps}")
        if central("/api/v1/candidates?appliance=edge1")["total"] != 2:
            fail("appliance filter")

        t0 = time.time()
        central(f"/api/v1/candidates/{shared[0]['id']}/review",
                {"status": "false_positive", "note": "fleet e2e"})
        central("/api/v1/blocks", {"host": "bad.example", "path": "/x"})
        for n, d in edges.items():
            wait_for(f"{n}'s allowlist file", lambda: DIGEST["shared"] in (
                open(f"{d}/allowlist").read() if os.path.exists(f"{d}/allowlist") else ""),
                timeout=5)
            wait_for(f"{n}'s block", lambda: any(
                b["host"] == "bad.example" for b in api(ports[n], admin,
                                                        "/api/v1/blocks")["items"]),
                timeout=5)
            if BPF:
                pin = [p for v, p in VETHS if n[-1] == v[-1]][0]
                wait_for(f"{n}'s map: the central block in, the false positive out",
                         lambda: url_in_map(pin, "http://bad.example/x") and
                         not url_in_map(pin, "http://shared.example/shared.jpg"), timeout=5)
            local = api(ports[n], admin, "/api/v1/candidates?status=false_positive")["items"]
            trail = api(ports[n], admin, f"/api/v1/candidates/{local[0]['id']}")["reviews"]
            if trail[-1]["actor"] != "fleet:adam":
                fail(f"{n}'s trail: {trail}")
        took = time.time() - t0

        subprocess.run(os.environ["HWALL_TEST_PG_STOP"], shell=True, check=True)
        t1 = time.time()
        send(f"{edges['edge2']}/ingest.sock", "b", ["edge2", "edge2"])
        acked_in = time.time() - t1
        if acked_in > 3:
            fail(f"edge2 waited {acked_in:.1f} s for its acks with the database down")
        subprocess.run(os.environ["HWALL_TEST_PG_START"], shell=True, check=True)
        wait_for("the outbox drained: 7 central occurrences", lambda: sum(
            c["occurrences"] for c in central("/api/v1/candidates")["items"]) == 7, timeout=60)

        PROCS["edge1"].send_signal(signal.SIGKILL)
        PROCS["edge1"].wait()
        start("edge1", work, json.load(open(f"{edges['edge1']}/ctl.json")))
        send(f"{edges['edge1']}/ingest.sock", "b", ["edge1", "edge1"])
        wait_for("9 central occurrences", lambda: sum(
            c["occurrences"] for c in central("/api/v1/candidates")["items"]) == 9)
        time.sleep(1.5)  # anything sent twice would show by now
        total = sum(c["occurrences"] for c in central("/api/v1/candidates")["items"])
        if total != 9:
            fail(f"{total} central occurrences after the restart, expected 9")
        print(f"fleet_e2e: 2 edges{' enforcing with BPF' if BPF else ''}, 1 central; "
              f"decisions on both edges in {took:.2f} s "
              f"(machine loaded); acks with the database down in {acked_in:.2f} s; "
              f"9 occurrences once each after an outage and kill -9")
    finally:
        for p in PROCS.values():
            if p.poll() is None:
                p.terminate()
                p.wait(10)
        for veth, pin in VETHS:
            subprocess.run(["ip", "link", "del", veth], stderr=subprocess.DEVNULL)
            shutil.rmtree(pin, ignore_errors=True)
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)


main()
