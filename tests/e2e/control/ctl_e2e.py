"""ctl_e2e.py - what control's end-to-end scripts share: failing with a
message, running a tool, waiting for a condition, a free loopback port,
matches into an ingest socket."""
import json
import socket
import subprocess
import sys
import time

ON_FAIL = []  # callables that print more context before a failure


def fail(msg):
    for hook in ON_FAIL:
        hook()
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def sh(*args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        fail(f"{' '.join(args[:4])}...: exit {r.returncode}: {r.stderr.strip()[-500:]}")
    return r.stdout


def wait_for(what, pred, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    fail(f"timed out waiting for {what}")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ingest(sock_path, dataplane, epoch, events):
    """Send @events (JSON texts of match events) as events 1..n of
    (@dataplane, @epoch) over controld's ingest socket; wait for their ack
    (docs/ingest-protocol.md)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(10)
    s.connect(sock_path)
    s.send(json.dumps({"type": "hello", "proto": 1, "dataplane": dataplane,
                       "epoch": epoch}).encode())
    welcome = json.loads(s.recv(65536))
    if welcome.get("type") != "welcome":
        fail(f"no welcome: {welcome}")
    for i, ev in enumerate(events, 1):
        s.send(b'{"type":"event","seq":%d,"event":%s}' % (i, ev.strip().encode()))
    acked = 0
    while acked < len(events):
        msg = json.loads(s.recv(65536))
        if msg.get("type") != "ack":
            fail(f"controld answered {msg}")
        acked = msg["seq"]
    s.close()
