#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""pdq_pcap.py - a capture of HTTP/1.1 responses whose bodies are given files.

usage: pdq_pcap.py OUT.pcap FILE...

One TCP connection per file, 10.0.0.2 -> 10.0.0.1:80, handshake, a GET,
a 200 response with Content-Length and the file's bytes in 1448-byte
segments (Content-Type deliberately application/octet-stream: the
dataplane sniffs, it does not trust the header), FIN both ways.  The PDQ
tests feed images they drew themselves (and Meta's reference images)
through `hashwall-dataplane replay --pdq` with it.
"""
import struct
import sys

SRV = bytes([10, 0, 0, 1])
CLI = bytes([10, 0, 0, 2])
MSS = 1448


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 65535, 0, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02" + b"\x08\x00"
    return eth + ip + tcp


def connection(sport, path, body):
    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
    c, s = 1000, 500000
    out = [frame(CLI, SRV, sport, 80, c, 0, SYN),
           frame(SRV, CLI, 80, sport, s, c + 1, SYN | ACK),
           frame(CLI, SRV, sport, 80, c + 1, s + 1, ACK)]
    c += 1
    s += 1
    req = ("GET %s HTTP/1.1\r\nHost: images.test\r\n\r\n" % path).encode()
    out.append(frame(CLI, SRV, sport, 80, c, s, PSH | ACK, req))
    c += len(req)
    resp = ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            "Content-Length: %d\r\n\r\n" % len(body)).encode() + body
    for i in range(0, len(resp), MSS):
        seg = resp[i:i + MSS]
        out.append(frame(SRV, CLI, 80, sport, s, c, ACK | (PSH if i + MSS >= len(resp) else 0), seg))
        s += len(seg)
    out.append(frame(CLI, SRV, sport, 80, c, s, ACK))
    out.append(frame(SRV, CLI, 80, sport, s, c, FIN | ACK))
    out.append(frame(CLI, SRV, sport, 80, c, s + 1, FIN | ACK))
    out.append(frame(SRV, CLI, 80, sport, s + 1, c + 1, ACK))
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    frames = []
    for i, name in enumerate(sys.argv[2:]):
        with open(name, "rb") as f:
            frames += connection(20000 + i, "/img/%d" % i, f.read())
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000, len(fr), len(fr)))
            f.write(fr)


if __name__ == "__main__":
    main()
