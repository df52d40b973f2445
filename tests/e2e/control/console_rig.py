"""console_rig.py - a real hashwall-controld for the console's tests: a
temporary directory, three tokens (viewer, reviewer, admin), the console's
files from the source tree, optionally TLS, and synthetic match events fed
through the ingest socket (docs/ingest-protocol.md).  Loopback only; the
process is stopped and the directory removed at exit, failure or not."""
import atexit
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

from ctl_e2e import fail, free_port  # noqa: F401 (fail is for the tests too)

CHILDREN = []


def _cleanup():
    for p in CHILDREN:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


atexit.register(_cleanup)


class Controld:
    def __init__(self, controld, source_root, tls=False, extra=None):
        self.bin = controld
        self.work = tempfile.mkdtemp(prefix="hw-console-")
        atexit.register(shutil.rmtree, self.work, True)
        self.tokens = {}
        for name, role in (("vera", "viewer"), ("rita", "reviewer"), ("adam", "admin")):
            out = subprocess.run([controld, "new-token", "--tokens", self.path("tokens"), name,
                                  role], capture_output=True, text=True, check=True).stdout
            self.tokens[role] = out.split()[-1]
        self.port = free_port()
        self.tls = tls
        api = {"address": "127.0.0.1", "port": self.port}
        if tls:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj",
                            "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                            "-keyout", self.path("tls.key"), "-out", self.path("tls.crt")],
                           capture_output=True, check=True)
            os.chmod(self.path("tls.key"), 0o600)
            api.update(tls_cert=self.path("tls.crt"), tls_key=self.path("tls.key"))
        self.config = {
            "db": self.path("c.db"), "ingest_socket": self.path("ingest.sock"),
            "client_key_file": self.path("client.key"), "tokens_file": self.path("tokens"),
            "audit_key_file": self.path("audit.key"), "api": api,
            "ui": {"dir": os.path.join(source_root, "ui")},
        }
        if extra:
            self.config.update(extra)
        self.proc = None
        self.seq = 0

    def path(self, name):
        return os.path.join(self.work, name)

    @property
    def origin(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self, expect_fail=False):
        with open(self.path("c.json"), "w") as f:
            json.dump(self.config, f)
        self.err = open(self.path("controld.err"), "w")
        self.proc = subprocess.Popen([self.bin, "--config", self.path("c.json")],
                                     stderr=self.err)
        CHILDREN.append(self.proc)
        if expect_fail:
            try:
                rc = self.proc.wait(10)
            except subprocess.TimeoutExpired:
                fail("controld kept running where it had to refuse to start")
            return rc, open(self.path("controld.err")).read()
        end = time.time() + 20
        while time.time() < end:
            if self.proc.poll() is not None:
                fail(f"controld exited: {open(self.path('controld.err')).read()[-800:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                if os.path.exists(self.path("ingest.sock")):
                    return 0, ""
            except OSError:
                pass
            time.sleep(0.1)
        fail("controld did not start listening")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def ingest(self, events):
        """Send @events (dicts) as the next events of one dataplane; wait for the ack."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(10)
        s.connect(self.path("ingest.sock"))
        s.send(json.dumps({"type": "hello", "proto": 1, "dataplane": "console-test",
                           "epoch": f"e{os.getpid()}"}).encode())
        if json.loads(s.recv(65536)).get("type") != "welcome":
            fail("no welcome from controld")
        first = self.seq + 1
        for ev in events:
            self.seq += 1
            s.send(json.dumps({"type": "event", "seq": self.seq, "event": ev}).encode())
        acked = first - 1
        while acked < self.seq:
            msg = json.loads(s.recv(65536))
            if msg.get("type") != "ack":
                fail(f"controld answered {msg}")
            acked = msg["seq"]
        s.close()


def event(i, host, path, set_id="hotline", ts=None):
    """A synthetic match: a digest from @i (never from content)."""
    return {"set": set_id, "set_version": 3, "algo": "md5", "digest": f"{i:032x}",
            "host": host, "path": path, "method": "GET", "server_ip": "192.0.2.10",
            "server_port": 80, "client": f"{i:016x}", "status": 200, "size": 1000 + i,
            "complete": True, "category": 1, "ref": 500 + i,
            "ts": ts if ts is not None else int(time.time()) - 60 + i}
