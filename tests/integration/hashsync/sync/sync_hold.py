#!/usr/bin/env python3
# sync_hold.py - hostile clients of syncd's push endpoint, for the limit
# tests.  No content: only connections, handshakes and made-up headers.
#
#   sync_hold.py hold PORT N ADDRS OUT
#       Keep N connections to 127.0.0.1:PORT open from the loopback source
#       addresses 127.0.0.2 .. 127.0.0.(1+ADDRS): a third plain TCP that
#       sends nothing, a third that sends a TLS ClientHello and never
#       finishes the handshake, a third that sends half a ClientHello.  A
#       connection the server closes is opened again at once.  Writes
#       "ready" to OUT once N are open, then "closed <count>" every 0.2 s.
#   sync_hold.py dribble PORT SECONDS
#       One TLS connection that sends a request head one byte every 0.2 s;
#       prints how many seconds passed until the server closed it (or
#       SECONDS when it did not).
#   sync_hold.py tls PORT VERSION
#       A TLS handshake offering only VERSION (1.0, 1.1, 1.2, 1.3), with
#       every cipher this side has; prints the version agreed or "refused".
#   sync_hold.py upload PORT TOKEN LENGTH RATE SECONDS
#       One TLS POST /v1/bundles announcing LENGTH bytes, with a bundle
#       header that agrees, then body bytes at RATE bytes per second; prints
#       "closed <seconds>" when the server closed it, "status <code>" when
#       it answered, "open" when it was still going after SECONDS.
import selectors
import socket
import ssl
import struct
import sys
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)  # TLS 1.0/1.1, on purpose


def client_hello():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def tls_connect(port):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    return ctx.wrap_socket(raw, server_hostname="127.0.0.1")


def hold(port, n, addrs, out):
    hello = client_hello()
    sel = selectors.DefaultSelector()
    closed = 0

    def open_one(i):
        s = socket.socket()
        s.bind(("127.0.0.%d" % (2 + i % addrs), 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        kind = i % 3
        if kind == 1:
            s.sendall(hello)
        elif kind == 2:
            s.sendall(hello[: len(hello) // 2])
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, i)

    for i in range(n):
        open_one(i)
    with open(out, "w") as f:
        f.write("ready\n")
    last = 0.0
    while True:
        for key, _ in sel.select(0.2):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except (ConnectionError, OSError):
                data = b""
            if data:
                continue
            sel.unregister(s)
            s.close()
            closed += 1
            try:
                open_one(key.data)
            except OSError:
                pass
        if time.monotonic() - last > 0.2:
            last = time.monotonic()
            with open(out, "w") as f:
                f.write("ready\nclosed %d\n" % closed)


def dribble(port, seconds):
    s = tls_connect(port)
    head = b"GET /v1/status HTTP/1.1\r\nHost: x\r\n" + b"X-Padding: " + b"a" * 4096
    start = time.monotonic()
    for b in head:
        try:
            s.sendall(bytes([b]))
            s.settimeout(0.2)
            if s.recv(1) == b"":
                break
        except socket.timeout:
            pass
        except (ConnectionError, OSError, ssl.SSLError):
            break
        if time.monotonic() - start > seconds:
            break
    print("%.1f" % min(time.monotonic() - start, seconds))


def tls_version(port, version):
    v = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
         "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[version]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    ctx.minimum_version = ctx.maximum_version = v
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                print(s.version())
    except (ssl.SSLError, ConnectionError, OSError):
        print("refused")


def bundle_header(length):
    manifest, sigs = 100, 1
    payload = length - 24 - manifest - 96 * sigs
    return b"HWBUNDLE" + struct.pack(">HHIQ", 1, sigs, manifest, payload)


def upload(port, token, length, rate, seconds):
    s = tls_connect(port)
    s.sendall(("POST /v1/bundles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/vnd.hashwall.bundle\r\n"
               "Content-Length: %d\r\n\r\n" % (token, length)).encode())
    body = bundle_header(length) + b"\0" * (length - 24)
    start, sent = time.monotonic(), 0
    s.settimeout(0.1)
    while time.monotonic() - start < seconds:
        want = min(length, int((time.monotonic() - start) * rate) + 24)
        try:
            if want > sent:
                s.sendall(body[sent:want])
                sent = want
            data = s.recv(4096)
        except socket.timeout:
            continue
        except (ConnectionError, OSError, ssl.SSLError):
            data = b""
        if data.startswith(b"HTTP/1.1 "):
            print("status %s" % data.split()[1].decode())
            return
        print("closed %.1f" % (time.monotonic() - start))
        return
    print("open")


if __name__ == "__main__":
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "hold":
        hold(port, int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif cmd == "dribble":
        dribble(port, float(sys.argv[3]))
    elif cmd == "tls":
        tls_version(port, sys.argv[3])
    else:
        upload(port, sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
